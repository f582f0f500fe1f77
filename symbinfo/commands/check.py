"""``symbinfo check FILE|-``: verify every step of a hand proof written in LaTeX.

Each step of each chain (``align*``, ``equation*``, ``\\[ \\]``) gets the engine's verdict:
proved, checked, numeric, refuted (with the failing point and both sides, or the true value
of an ``\\approx`` claim at the written precision) or undecided (with the reason).
Exit codes: 0 every step proved, checked or numeric; 1 some step refuted; 2 unreadable input
or some step undecided.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from symbinfo.checker import (
    DEFAULT_FILE_TIME_LIMIT,
    DEFAULT_TIME_LIMIT,
    CheckReport,
    check,
)
from symbinfo.commands.table import format_table
from symbinfo.parse import ProofSyntaxError
from symbinfo.verify import Verdict

_COLOURS = {Verdict.PROVED: "32", Verdict.CHECKED: "32", Verdict.NUMERIC: "33",
            Verdict.REFUTED: "31", Verdict.UNDECIDED: "35"}
_SHOWN = {"<=": "\\le", ">=": "\\ge", "approx": "\\approx"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check`` subcommand."""
    parser = subparsers.add_parser(
        "check", help="verify every step of a hand proof written in LaTeX",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE", help="the .tex file, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                        help="seconds per symbolic stage of a step "
                             f"(default {DEFAULT_TIME_LIMIT:g})")
    parser.add_argument("--file-time-limit", type=float, default=DEFAULT_FILE_TIME_LIMIT,
                        metavar="S", help="seconds for the whole file; later steps are "
                                          f"undecided (default {DEFAULT_FILE_TIME_LIMIT:g})")
    parser.set_defaults(run=run)


def _read(name: str) -> bytes:
    return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()


def run(args: argparse.Namespace) -> int:
    """Check the file, print the table or JSON; return the exit code."""
    name = "<stdin>" if args.file == "-" else args.file
    try:
        report = check(_read(args.file), name=name, time_limit=args.time_limit,
                       file_time_limit=args.file_time_limit)
    except OSError as error:
        return _unreadable(args, name, f"cannot read {name}: {error.strerror or error}")
    except ProofSyntaxError as error:
        return _unreadable(args, name, str(error))
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_report(report, colour=sys.stdout.isatty()))
    return report.exit_code


def _unreadable(args: argparse.Namespace, name: str, message: str) -> int:
    print(message, file=sys.stderr)
    if args.json:
        print(json.dumps({"file": name, "error": message.splitlines()[0], "chains": []},
                         indent=2))
    return 2


def format_report(report: CheckReport, *, colour: bool = False) -> str:
    """The human-readable table: one row per step, then the details of the steps that are
    not proved, then a summary line.

    >>> from symbinfo.checker import ChainReport, StepReport
    >>> step = StepReport(3, 6, "=", "a = a", Verdict.PROVED, "shown symbolically")
    >>> print(format_report(CheckReport("p.tex", (ChainReport(3, (step,)),))))
    line  relation  verdict  detail
    ----  --------  -------  ------------------
    3     =         proved   shown symbolically
    <BLANKLINE>
    p.tex: 1 step(s): 1 proved
    """
    rows = [[step.line, _SHOWN.get(step.relation, step.relation), step.verdict.value,
             _first_line(step.detail)] for step in report.steps]
    table = format_table(["line", "relation", "verdict", "detail"], rows).split("\n")
    if colour:  # painted after padding, so the escape codes do not shift the columns
        table[2:] = [_painted(row, step.verdict) for row, step in zip(table[2:], report.steps)]
    lines = ["\n".join(table)]
    for step in report.steps:
        if step.counterexample is not None:
            lines.append(_counterexample_text(step.line, step.counterexample))
    lines.extend(f"note: {note}" for note in report.notes)
    counts: dict[str, int] = {}
    for step in report.steps:
        counts[step.verdict.value] = counts.get(step.verdict.value, 0) + 1
    summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items())
    lines.append(f"\n{report.file}: {len(report.steps)} step(s): {summary or 'none'}")
    return "\n".join(lines)


def _first_line(text: str, width: int = 100) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= width else line[:width - 3] + "..."


def _painted(row: str, verdict: Verdict) -> str:
    """The row with its verdict word in the verdict's colour."""
    word = f"  {verdict.value}  "
    return row.replace(word, f"  \033[{_COLOURS[verdict]}m{verdict.value}\033[0m  ", 1)


def _counterexample_text(line: int, counterexample: dict) -> str:
    values = ", ".join(f"{k} = {v}" for k, v in counterexample["values"].items())
    text = f"line {line}: " + (f"at {values}: " if values else "")
    if "true_value" in counterexample:
        return text + (f"the value is {counterexample['lhs']}..., "
                       f"{counterexample['true_value']} to the written precision, "
                       f"not {counterexample['rhs']}")
    return text + f"lhs = {counterexample['lhs']}, rhs = {counterexample['rhs']}"
