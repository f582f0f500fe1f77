"""``symbinfo examples``: the textbooks' worked examples, computed from the definitions."""

from __future__ import annotations

import argparse
import json

from sympy import sstr

from symbinfo.commands.table import format_table
from symbinfo.worked_examples import WORKED_EXAMPLES


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``examples`` subcommand."""
    parser = subparsers.add_parser("examples", help="evaluate the textbooks' worked examples")
    parser.add_argument("--digits", type=int, default=30, choices=range(1, 1001), metavar="N",
                        help="significant digits, 1 to 1000 (default 30)")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print each example's title, unit, exact value and decimal value."""
    records = [{"title": e.title, "unit": e.unit, "exact": sstr(e.exact()),
                "value": e.value(args.digits)} for e in WORKED_EXAMPLES]
    if args.json:
        print(json.dumps({"examples": records}, indent=2))
    else:
        print(format_table(["example", "unit", f"value ({args.digits} digits)"],
                           [[r["title"], r["unit"], r["value"]] for r in records]))
    return 0
