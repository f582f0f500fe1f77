"""Tests of ``symbinfo derive`` and of the derivations in ``symbinfo list``."""

from __future__ import annotations

import json

from sympy import Symbol, log

from symbinfo.assumptions import positive
from symbinfo.cli import main
from symbinfo.derive.library import LIBRARY, LibraryEntry


def test_derive_one_writes_files_and_prints_json(tmp_path, capsys):
    code = main(["derive", "gibbs_inequality", "--out", str(tmp_path), "--json",
                 "--format", "tex", "--format", "md", "--format", "json"])
    assert code == 0
    record = json.loads(capsys.readouterr().out)["derivations"][0]
    assert record["name"] == "gibbs_inequality" and record["verdict"] == "proved"
    assert [s["relation"] for s in record["steps"]] == ["=", "=", ">=", "=", "="]
    assert all(s["verdict"] == "proved" and s["justification"] for s in record["steps"])
    assert isinstance(record["steps"][2]["conditions"], list)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"gibbs_inequality.tex", "gibbs_inequality.md", "gibbs_inequality.json",
            "derivations.tex", "README.md"} <= names


def test_derive_table_and_no_write(tmp_path, capsys):
    assert main(["derive", "entropy_expectation", "--no-write", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "entropy_expectation" in out and "proved" in out
    assert "slowest: entropy_expectation" in out and "its step" in out
    assert not any(tmp_path.iterdir())


def test_unknown_derivation_is_a_usage_error(capsys):
    assert main(["derive", "no_such_thing", "--no-write"]) == 2
    assert "unknown derivation" in capsys.readouterr().err


def _broken(d):
    x, y = Symbol("x"), Symbol("y")
    d.assume(positive(x), positive(y))
    d.start(log(x + y)).equals(log(x) + log(y), "not a log rule")


def test_a_refuted_library_step_fails_the_command(monkeypatch, capsys):
    monkeypatch.setitem(LIBRARY, "broken", LibraryEntry("broken", "Broken", _broken))
    assert main(["derive", "broken", "--no-write"]) == 1
    assert "refuted" in capsys.readouterr().out


def test_list_shows_the_derivations(capsys):
    assert main(["list", "--json"]) == 0
    derivations = json.loads(capsys.readouterr().out)["derivations"]
    assert [d["name"] for d in derivations] == list(LIBRARY)
    assert derivations[2]["title"] == "Cross-entropy is entropy plus KL divergence"
