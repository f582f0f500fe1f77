"""The grammar is conflict-free LALR(1), and the parser never evaluates text."""

from __future__ import annotations

import re
from pathlib import Path

from lark.common import ParserConf
from lark.parsers.lalr_analysis import LALR_Analyzer

import symbinfo.parse
from symbinfo.parse.document import grammar

PACKAGE = Path(symbinfo.parse.__file__).parent


def test_grammar_has_no_lalr_conflicts() -> None:
    """strict=True makes any shift/reduce or reduce/reduce conflict a GrammarError."""
    parser = grammar()
    LALR_Analyzer(ParserConf(parser.rules, {}, parser.options.start), strict=True).compute_lalr()


def test_parser_source_never_evaluates_text() -> None:
    forbidden = re.compile(r"\b(eval|exec|sympify|parse_expr|parse_latex|S)\(|__import__")
    for path in PACKAGE.glob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            assert not forbidden.search(code), f"{path.name}:{number}: {line.strip()}"
