"""``symbinfo check``: the table, the JSON schema, exit codes, and hostile input."""

from __future__ import annotations

import builtins
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from symbinfo.checker import check
from symbinfo.cli import main
from symbinfo.parse import ProofSyntaxError
from symbinfo.parse.document import grammar

EXAMPLES = Path(__file__).parent.parent / "examples" / "proofs"
HOSTILE = Path(__file__).parent / "hostile"
LIMIT = ["--time-limit", "3"]
VERDICTS = {"proved", "checked", "numeric", "refuted", "undecided"}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["check", "--json", *LIMIT, *args])
    return code, json.loads(capsys.readouterr().out)


def _check_schema(record: dict) -> None:
    """Exactly the documented keys, with their types."""
    assert set(record) == {"file", "chains"} and isinstance(record["file"], str)
    for chain in record["chains"]:
        assert set(chain) == {"line", "steps"} and isinstance(chain["line"], int)
        for step in chain["steps"]:
            assert set(step) == {"line", "relation", "verdict", "detail", "counterexample"}
            assert isinstance(step["line"], int) and isinstance(step["detail"], str)
            assert step["relation"] in ("=", "<=", ">=", "<", ">", "approx")
            assert step["verdict"] in VERDICTS
            counterexample = step["counterexample"]
            assert (counterexample is not None) == (step["verdict"] == "refuted")
            if counterexample is not None:
                assert {"values", "lhs", "rhs"} <= set(counterexample)


def test_json_of_a_correct_proof_exits_0(capsys) -> None:
    path = EXAMPLES / "cross_entropy_decomposition.tex"
    code, record = _json(capsys, str(path))
    _check_schema(record)
    assert code == 0 and record["file"] == str(path)
    assert [(c["line"], [s["line"] for s in c["steps"]]) for c in record["chains"]] == \
        [(4, [4, 5, 6])]
    assert {s["verdict"] for s in record["chains"][0]["steps"]} == {"proved"}


def test_json_of_a_slip_exits_1_with_the_counterexample(capsys) -> None:
    code, record = _json(capsys, str(EXAMPLES / "softmax_gradient_missing_sum.tex"))
    _check_schema(record)
    step = record["chains"][0]["steps"][0]
    assert code == 1 and step["verdict"] == "refuted"
    assert {"K", "k", "y[1]", "z[1]"} <= set(step["counterexample"]["values"])


def test_json_of_a_wrong_digit_shows_the_true_value(capsys) -> None:
    code, record = _json(capsys, str(EXAMPLES / "worked_kl_coin_wrong_digit.tex"))
    _check_schema(record)
    step = record["chains"][0]["steps"][1]
    assert code == 1 and step["relation"] == "approx"
    assert step["counterexample"]["true_value"] == "0.1927"
    assert step["counterexample"]["rhs"] == "0.1928"


def test_table_on_stdin_without_colour(capsys, monkeypatch) -> None:
    text = "% assume: 0 < p < 1\n\\[ \\log p^2 = 2 \\log p \\]\n\\[ \\log p^2 = \\log p \\]\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["check", "-", *LIMIT]) == 1
    out = capsys.readouterr().out
    assert "\033[" not in out  # not a terminal
    lines = out.splitlines()
    assert lines[0].split() == ["line", "relation", "verdict", "detail"]
    assert lines[2].split()[:3] == ["2", "=", "proved"]
    assert lines[3].split()[:3] == ["3", "=", "refuted"]
    assert "line 3: at p = " in out and "<stdin>: 2 step(s): 1 proved, 1 refuted" in out


def test_an_undecided_step_exits_2(capsys, tmp_path) -> None:
    path = tmp_path / "strict.tex"
    path.write_text("% assume: 0 < p < 1\n\\[ -\\log p > 0 \\]\n")
    code, record = _json(capsys, str(path))
    assert code == 2 and record["chains"][0]["steps"][0]["verdict"] == "undecided"


def test_a_parse_error_exits_2_with_line_column_and_expectation(capsys, tmp_path) -> None:
    path = tmp_path / "bad.tex"
    path.write_text("text\n\\begin{align*}\n  a &= (b + c))\n\\end{align*}\n")
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    first = captured.err.splitlines()[0]
    assert first.startswith(f"{path}:3:15: unexpected ')'") and "expected one of" in first
    assert captured.err.splitlines()[1].strip() == "a &= (b + c))"
    assert captured.out == ""
    assert main(["check", "--json", str(path)]) == 2
    record = json.loads(capsys.readouterr().out)
    assert record["chains"] == [] and record["error"].startswith(f"{path}:3:")


def test_a_missing_file_exits_2(capsys, tmp_path) -> None:
    assert main(["check", str(tmp_path / "missing.tex")]) == 2
    assert "cannot read" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The hostile corpus, through the checker
# --------------------------------------------------------------------------------------------

HARMLESS = {"input_outside_math.tex": "proved", "function_named_exec.tex": "undecided"}
BOUND = 10.0
"""Seconds within which each hostile file gets its error or verdict."""


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.tex")), ids=lambda p: p.name)
def test_hostile_file_gets_an_error_or_a_verdict_in_time(path: Path, capsys) -> None:
    start = time.perf_counter()
    code = main(["check", "--time-limit", "1", "--file-time-limit", "5", str(path)])
    assert time.perf_counter() - start < BOUND
    captured = capsys.readouterr()
    if path.name in HARMLESS:
        assert HARMLESS[path.name] in captured.out
        assert code == (0 if HARMLESS[path.name] == "proved" else 2)
    else:
        assert code == 2 and captured.err.startswith(f"{path}:")


GENERATED = {  # name: (text, what comes back: a parse error or the verdict)
    "10^4 nested braces": ("\\[ x = " + "\n".join(["{" * 100] * 100) + "y"
                           + "\n".join(["}" * 100] * 100) + " \\]", "nested more than 50 deep"),
    "a 1 MB line": ("\\[ x = " + "x + " * 262_144 + "x \\]", "the limit is 262144"),
    "a 10^4-line file": ("\\[ x = x \\]\n" * 10_000, "the limit is 5000"),
    "a huge symbolic power": ("\\[ y^{10^{30}} = y^{10^{30}} + 1 \\]", "refuted"),
    "a sum of 10^8 terms": ("\\[ \\sum_{i=1}^{100000000} x_i = 0 \\]", "undecided"),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_hostile_input_gets_an_error_or_a_verdict_in_time(name: str, tmp_path,
                                                                    capsys) -> None:
    text, outcome = GENERATED[name]
    path = tmp_path / "hostile.tex"
    path.write_text(text)
    start = time.perf_counter()
    code = main(["check", "--time-limit", "0.5", "--file-time-limit", "3", str(path)])
    assert time.perf_counter() - start < BOUND
    captured = capsys.readouterr()
    if outcome in VERDICTS:
        assert f"1 step(s): 1 {outcome}" in captured.out
        assert code == (1 if outcome == "refuted" else 2)
    else:
        assert code == 2 and captured.err.startswith(f"{path}:") and outcome in captured.err


def test_python_in_a_proof_never_runs(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProofSyntaxError):
        check("\\[ x = __import__('os').system('touch pwned') \\]")
    report = check("\\[ x = \\mathrm{exec}(y) \\]", time_limit=1)
    assert report.steps[0].verdict.value == "undecided"
    assert not (tmp_path / "pwned").exists()


def test_checking_opens_no_file(monkeypatch) -> None:
    grammar()  # the grammar file is read once, before
    text = (HOSTILE / "input_outside_math.tex").read_bytes()

    opened: list[object] = []

    def guard(original: Any) -> Any:
        def guarded(path: object, *args: object, **kwargs: object) -> object:
            # a worker process redirects its stdin to os.devnull, and wraps descriptors
            if path != os.devnull and not isinstance(path, int):
                opened.append(path)
                raise AssertionError(f"the checker tried to open {path!r}")
            return original(path, *args, **kwargs)
        return guarded

    for module in (builtins, io, os):
        monkeypatch.setattr(module, "open", guard(module.open))
    assert check(text, time_limit=1).steps[0].verdict.value == "proved"
    assert opened == []
