"""Every example proof parses, and its manifest matches what the parser reads."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import pytest
from sympy import Expr

from symbinfo.parse import parse_proof

EXAMPLES = Path(__file__).parent.parent / "examples" / "proofs"
MANIFEST = json.loads((EXAMPLES / "MANIFEST.json").read_text())
ENTRIES = {entry["file"]: entry for entry in MANIFEST["proofs"]}
VERDICTS = {"proved", "checked", "numeric", "refuted"}


def test_manifest_lists_every_example_and_at_least_25() -> None:
    assert set(ENTRIES) == {path.name for path in EXAMPLES.glob("*.tex")}
    assert len(ENTRIES) >= 25


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_example_parses_to_the_steps_of_its_manifest(name: str) -> None:
    entry = ENTRIES[name]
    document = parse_proof((EXAMPLES / name).read_bytes(), name=name)
    assert [(s.line, s.relation) for s in document.steps] == [
        (step["line"], step["relation"]) for step in entry["steps"]]
    verdicts = [step["expected"] for step in entry["steps"]]
    assert set(verdicts) <= VERDICTS
    # a proof with a slip has exactly one wrong step; a correct proof has none
    assert verdicts.count("refuted") == (1 if entry["slip"] else 0)


def _step(name: str, index: int) -> tuple[Expr, Expr]:
    step = parse_proof((EXAMPLES / name).read_bytes()).steps[index]
    return step.lhs.doit(), step.rhs.doit()


def _value(expr: Expr) -> mpmath.mpf:
    return mpmath.mpf(str(expr.evalf(60)))


@pytest.mark.parametrize("name, index, reference", [
    ("worked_kl_coin.tex", 0,
     lambda: mpmath.mpf("0.2") * mpmath.log(mpmath.mpf("0.2") / mpmath.mpf("0.5"))
     + mpmath.mpf("0.8") * mpmath.log(mpmath.mpf("0.8") / mpmath.mpf("0.5"))),
    ("worked_kl_coin.tex", 2, lambda: mpmath.log(2)),
    ("worked_kl_coin.tex", 4, lambda: -mpmath.mpf("0.2") * mpmath.log(mpmath.mpf("0.2"))
     - mpmath.mpf("0.8") * mpmath.log(mpmath.mpf("0.8"))),
    ("worked_softmax.tex", 0, lambda: mpmath.e ** 2 / (mpmath.e ** 2 + mpmath.e
                                                       + mpmath.e ** mpmath.mpf("0.1"))),
    ("worked_one_hot.tex", 0, lambda: -mpmath.log(mpmath.mpf("0.4"))),
    ("entropy_skewed_coin.tex", 0, lambda: -(mpmath.mpf("0.99") * mpmath.log(mpmath.mpf("0.99"))
                                            + mpmath.mpf("0.01") * mpmath.log(mpmath.mpf("0.01")))
     / mpmath.log(2)),
    ("information_bits.tex", 1, lambda: -mpmath.log(mpmath.mpf("0.01"), 2)),
])
def test_worked_examples_read_as_the_textbook_values(name: str, index: int, reference) -> None:
    """The left side of each worked-example step, as parsed, has the textbook value
    (mpmath at 50 digits, written independently here)."""
    with mpmath.workdps(50):
        lhs, _ = _step(name, index)
        assert abs(_value(lhs) - reference()) < mpmath.mpf(10) ** -45


def test_wrong_digit_examples_really_are_wrong_at_four_decimals() -> None:
    for name, index in [("worked_kl_coin_wrong_digit.tex", 1),
                        ("entropy_skewed_coin_wrong_digit.tex", 1)]:
        lhs, rhs = _step(name, index)
        assert round(float(lhs.evalf(30)), 4) != float(rhs)
    for name, index in [("worked_kl_coin.tex", 1), ("entropy_skewed_coin.tex", 1),
                        ("worked_softmax.tex", 1), ("worked_one_hot.tex", 1)]:
        lhs, rhs = _step(name, index)
        assert round(float(lhs.evalf(30)), 4) == float(rhs)
