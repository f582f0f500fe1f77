"""Hostile input: every case gets a clear error (or a harmless result) quickly, and nothing
is executed or read."""

from __future__ import annotations

import builtins
import io
import os
import time
from pathlib import Path

import pytest
from sympy import Function, Symbol

from symbinfo.parse import ParseLimits, ProofLimitError, ProofSyntaxError, parse_proof
from symbinfo.parse.document import grammar

CORPUS = Path(__file__).parent / "hostile"
BOUND_SECONDS = 5.0
"""Generous bound on the time one hostile input may take to be rejected."""

EXPECTED_ERRORS = {
    "python_code.tex": (3, "unexpected '_'"),
    "python_in_assumption.tex": (2, "unexpected character \"'\""),
    "input_in_math.tex": (3, "unknown command \\input"),
    "power_tower.tex": (2, "more than 100000 bits"),
    "power_tower_of_twos.tex": (2, "more than 100000 bits"),
    "factorial_tower.tex": (2, "unexpected character '!'"),
    "long_number.tex": (2, "digits; the limit is 100"),
    "division_by_zero.tex": (2, "division by zero"),
    "unclosed_environment.tex": (1, "never closed"),
    "invalid_utf8.tex": (2, "invalid UTF-8: byte 0xff"),
    "log_tower.tex": (1, "nested more than 400 levels"),
    "nested_parentheses.tex": (1, "nested more than 50 deep"),
}


def _parse_timed(data: bytes, **kwargs: object):
    start = time.perf_counter()
    try:
        return parse_proof(data, **kwargs)  # type: ignore[arg-type]
    finally:
        assert time.perf_counter() - start < BOUND_SECONDS


def test_every_corpus_file_is_listed() -> None:
    names = {path.name for path in CORPUS.glob("*.tex")}
    assert names == set(EXPECTED_ERRORS) | {"input_outside_math.tex", "function_named_exec.tex"}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_hostile_file_gets_a_clear_error(name: str) -> None:
    line, fragment = EXPECTED_ERRORS[name]
    with pytest.raises(ProofSyntaxError) as info:
        _parse_timed((CORPUS / name).read_bytes(), name=name)
    assert fragment in str(info.value)
    assert info.value.line == line and info.value.name == name


def test_python_in_a_formula_is_never_executed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = "\\[ x = __import__('os').system('touch pwned') \\]"
    with pytest.raises(ProofSyntaxError):
        parse_proof(text)
    assert not (tmp_path / "pwned").exists()


def test_no_file_is_opened_while_parsing(monkeypatch) -> None:
    grammar()  # the grammar file itself is read once, before
    outside = (CORPUS / "input_outside_math.tex").read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the parser tried to open {args[:1]}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    document = parse_proof(outside)
    assert len(document.steps) == 1
    with pytest.raises(ProofSyntaxError, match="unknown command"):
        parse_proof("\\[ x = \\input{/etc/passwd} \\]")


def test_text_outside_math_is_ignored() -> None:
    document = _parse_timed((CORPUS / "input_outside_math.tex").read_bytes())
    assert [(s.lhs, s.rhs) for s in document.steps] == [(Symbol("x", real=True),) * 2]


def test_function_names_are_only_names() -> None:
    document = _parse_timed((CORPUS / "function_named_exec.tex").read_bytes())
    y = Symbol("y", real=True)
    assert document.steps[0].rhs == Function("exec")(y) + Function("eval")(y)


def test_ten_thousand_nested_braces() -> None:
    text = "\\[ x = " + "\n".join(["{" * 100] * 100) + "y" + "}" * 10_000 + " \\]"
    with pytest.raises(ProofLimitError, match="nested more than 50 deep") as info:
        _parse_timed(text.encode(), limits=ParseLimits(max_line_length=20_000))
    assert (info.value.line, info.value.column) == (1, 58)


def test_a_one_megabyte_line() -> None:
    text = "\\[ x = " + "x + " * 262_144 + "x \\]"
    with pytest.raises(ProofLimitError, match="bytes; the limit is 262144"):
        _parse_timed(text.encode())


def test_a_long_line_under_the_size_limit() -> None:
    with pytest.raises(ProofLimitError, match="line 2 has 100002 characters") as info:
        _parse_timed(("text\n" + "x" * 100_002 + "\n").encode())
    assert (info.value.line, info.value.column) == (2, 4001)


def test_a_ten_thousand_line_file() -> None:
    with pytest.raises(ProofLimitError, match="10001 lines; the limit is 5000") as info:
        _parse_timed(("\\[ x = x \\]\n" * 10_000).encode())
    assert info.value.line == 5001


def test_a_ten_thousand_line_file_within_raised_limits_is_read_in_bounded_time() -> None:
    text = "Some prose.\n" * 10_000 + "\\[ x = x \\]\n"
    document = _parse_timed(text.encode(), limits=ParseLimits(max_lines=20_000))
    assert len(document.steps) == 1


def test_long_sums_are_flat_not_deep() -> None:
    text = "\\[ x = " + " + ".join(f"x_{{{k}}}" for k in range(1, 351)) + " \\]"
    document = _parse_timed(text.encode())
    assert len(document.steps[0].rhs.args) == 350


def test_huge_numeric_products_are_refused() -> None:
    text = "\\[ x = " + " \\cdot ".join(["10^{3000}"] * 20) + " \\]"
    with pytest.raises(ProofSyntaxError, match="more than 100000 bits"):
        _parse_timed(text.encode())


def test_symbolic_huge_exponent_stays_unevaluated() -> None:
    document = _parse_timed(b"\\[ x = y^{10^{30}} \\]")
    assert document.steps[0].rhs == Symbol("y", real=True) ** (10 ** 30)
