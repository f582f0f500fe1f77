"""``symbinfo derive``: derive and verify the library of derivations, render them to files.

With no name, every library derivation is derived and verified; a table (name, steps,
verdict, seconds) is printed and the rendered files are written to ``--out``
(``derivations/`` by default). Exit codes: 0 every derivation reached its expected verdict;
1 some step was refuted or a derivation fell below its expected verdict; 2 an unknown name,
or some step undecided.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from symbinfo.commands.table import format_table
from symbinfo.derive.library import LIBRARY, build
from symbinfo.render.files import FORMATS, library_files, write_files
from symbinfo.verify import DEFAULT_TIME_LIMIT, Verdict


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``derive`` subcommand."""
    parser = subparsers.add_parser(
        "derive", help="derive and verify the library of derivations, write LaTeX/Markdown",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="derivations to run (default: all; see `symbinfo list`)")
    parser.add_argument("--format", action="append", choices=FORMATS, dest="formats",
                        help="file format to write, repeatable (default: tex and md)")
    parser.add_argument("--out", type=Path, default=Path("derivations"), metavar="DIR",
                        help="directory for the rendered files (default: derivations)")
    parser.add_argument("--no-write", action="store_true", help="verify only, write no files")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                        help=f"seconds per symbolic attempt of a step "
                             f"(default {DEFAULT_TIME_LIMIT:g})")
    parser.set_defaults(run=run)


def _progress(k: int, total: int, name: str) -> None:
    end = "\r" if sys.stderr.isatty() else "\n"
    print(f"derive [{k}/{total}] {name}".ljust(60), end=end, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Verify the chosen derivations, print the table or JSON, write files; return the code."""
    names = args.names or list(LIBRARY)
    unknown = [name for name in names if name not in LIBRARY]
    if unknown:
        print(f"symbinfo derive: unknown derivation(s) {', '.join(unknown)}; "
              "`symbinfo list` shows the names", file=sys.stderr)
        return 2
    begin = time.perf_counter()
    results = []
    for k, name in enumerate(names, start=1):
        _progress(k, len(names), name)
        results.append(build(name).verify(time_limit=args.time_limit))
    if sys.stderr.isatty():
        print(" " * 60, end="\r", file=sys.stderr)
    if not args.no_write:
        write_files(library_files(results, args.formats or ("tex", "md")), args.out)
    if args.json:
        print(json.dumps({"derivations": [r.to_json() for r in results]}, indent=2))
    else:
        print(format_table(
            ["name", "steps", "verdict", "expected", "seconds"],
            [[r.derivation.name, len(list(r.steps())), r.verdict.value, r.derivation.expected,
              f"{r.seconds:.2f}"] for r in results]))
        print(f"\n{len(results)} derivation(s) in {time.perf_counter() - begin:.1f} s"
              + ("" if args.no_write else f"; files in {args.out}/"))
        print(_slowest(results))
    return _exit_code(results)


def _slowest(results: list) -> str:
    slowest = max(results, key=lambda r: r.seconds)
    text = f"slowest: {slowest.derivation.name} ({slowest.seconds:.2f} s)"
    step = slowest.slowest_step()
    if step is None:
        return text
    number, report = step
    return (f"{text}, its step {number} ({report.result.seconds:.2f} s: "
            f"{report.step.justification})")


def _exit_code(results: list) -> int:
    verdicts = [report.result.verdict for r in results for report in r.steps()]
    if Verdict.REFUTED in verdicts:
        return 1
    if Verdict.UNDECIDED in verdicts:
        return 2
    return 0 if all(r.meets_expectation for r in results) else 1
