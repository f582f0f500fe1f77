"""``symbinfo list``: the defined quantities and their formulas, and the derivations."""

from __future__ import annotations

import argparse
import json

from sympy import latex, sstr

from symbinfo.catalog import CATALOG
from symbinfo.commands.table import format_table
from symbinfo.derive.library import LIBRARY


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``list`` subcommand."""
    parser = subparsers.add_parser(
        "list", help="list the defined quantities and their formulas, and the derivations")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one record per catalog entry (name, summary, notation, definition), then one per
    library derivation (name, title)."""
    records = []
    for entry in CATALOG.values():
        notation = entry.notation() if entry.notation else None
        definition = entry.definition()
        records.append({
            "name": entry.name,
            "summary": entry.summary,
            "notation": latex(notation) if notation is not None else None,
            "definition": sstr(definition),
            "definition_latex": latex(definition),
        })
    derivations = [{"name": entry.name, "title": entry.title} for entry in LIBRARY.values()]
    if args.json:
        print(json.dumps({"definitions": records, "derivations": derivations}, indent=2))
    else:
        print(format_table(["name", "summary", "definition"],
                           [[r["name"], r["summary"], r["definition"]] for r in records]))
        print()
        print(format_table(["derivation", "title"],
                           [[r["name"], r["title"]] for r in derivations]))
    return 0
