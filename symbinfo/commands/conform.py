"""``symbinfo conform``: run an implementation on reference values and report its errors.

Exit codes: 0 done (and within ``--max-ulp``, when given); 1 ``--max-ulp`` exceeded (a
non-finite result where the reference is finite, or an exception, exceeds any bound);
2 bad usage, an unknown implementation, or an unreadable reference file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from symbinfo.commands.table import format_table


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``conform`` subcommand."""
    parser = subparsers.add_parser(
        "conform", help="measure an implementation against reference values, in ULPs",
        description="Run an implementation on reference files (symbinfo refs) and print, per "
                    "kernel, the max and median error in ULPs, the worst case and every "
                    "non-finite result where the reference is finite. Exit codes: 0 done; "
                    "1 --max-ulp exceeded; 2 bad usage or unreadable references.")
    parser.add_argument("references", nargs="+", metavar="REFS",
                        help="JSON reference files, or directories of them")
    parser.add_argument("--impl", required=True,
                        help="numpy, scipy, torch, jax, symbinfo, or MODULE:CALLABLE (your adapter: "
                             "callable(kernel, inputs) -> value)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--max-ulp", type=float, help="exit 1 if any error exceeds this")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(run=run)


def _reference_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(path.glob("*.json"))
        elif path.exists():
            files.append(path)
        else:
            raise ValueError(f"{path}: no such file or directory")
    if not files:
        raise ValueError("no JSON reference files found")
    return files


def run(args: argparse.Namespace) -> int:
    """Conform the implementation on each reference file; print a table or JSON records."""
    try:
        from symbinfo.conform import conform, load_implementation
        from symbinfo.refs.files import load
        implementation = load_implementation(args.impl)
        references = [load(path) for path in _reference_files(args.references)]
        reports = [conform(implementation, reference, args.dtype, name=args.impl)
                   for reference in references]
    except (ValueError, ImportError) as error:
        print(f"symbinfo conform: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"reports": [r.as_record() for r in reports]}, indent=2,
                         default=lambda x: None if x is math.inf else str(x)))
    else:
        rows = [[r.kernel, r.dtype, r.cases, "-" if not r.implemented else f"{r.max_ulp:.3g}",
                 "-" if not r.implemented else f"{r.median_ulp:.3g}",
                 len(r.nonfinite) + len(r.failures), r.worst[:60]] for r in reports]
        print(format_table(["kernel", "dtype", "cases", "max ULP", "median ULP", "non-finite",
                            "worst case"], rows))
        for report in reports:
            for line in (report.nonfinite + report.failures)[:5]:
                print(f"  {report.kernel}: {line}")
    exceeded = args.max_ulp is not None and any(
        r.implemented and r.max_ulp > args.max_ulp for r in reports)
    return 1 if exceeded else 0
