"""Every example proof gets its expected verdict, step by step (``examples/proofs/MANIFEST.json``),
and every derivation ``symbinfo derive`` renders reads back with the engine's verdicts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from symbinfo.checker import check
from symbinfo.derive.library import LIBRARY

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "proofs"
MANIFEST = {entry["file"]: entry
            for entry in json.loads((EXAMPLES / "MANIFEST.json").read_text())["proofs"]}
DERIVATIONS = sorted((ROOT / "derivations").glob("*.tex"))
"""One file per derivation, and ``derivations.tex``: all of them, one section each."""
TIME_LIMIT = 10.0
"""Generous: the slowest step (a Gaussian KL integrated by SymPy) needs 2-3 s alone."""
_VERDICT_TAG = re.compile(r"\[\\textsf\{(\w+)\}")


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_example_gets_its_manifest_verdicts(name: str) -> None:
    entry = MANIFEST[name]
    report = check((EXAMPLES / name).read_bytes(), name=name, time_limit=TIME_LIMIT)
    found = [(s.line, s.relation, s.verdict.value) for s in report.steps]
    assert found == [(s["line"], s["relation"], s["expected"]) for s in entry["steps"]], \
        [s.detail for s in report.steps]
    assert report.exit_code == (1 if entry["slip"] else 0)
    for step in report.steps:
        if step.verdict.value == "refuted":
            assert step.counterexample is not None and step.counterexample["lhs"]


def test_every_derivation_file_is_covered() -> None:
    assert {p.stem for p in DERIVATIONS} == {*LIBRARY, "derivations"}


@pytest.mark.parametrize("path", DERIVATIONS, ids=[p.stem for p in DERIVATIONS])
def test_rendered_derivation_reads_back_with_the_engines_verdicts(path: Path) -> None:
    text = path.read_text()
    engine = [(number, match.group(1)) for number, line in enumerate(text.splitlines(), 1)
              for match in _VERDICT_TAG.finditer(line)]
    report = check(text, name=path.name, time_limit=TIME_LIMIT)
    assert [(s.line, s.verdict.value) for s in report.steps] == engine, \
        [s.detail for s in report.steps]
