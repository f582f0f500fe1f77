"""``symbinfo kernels --check``: the kernels' errors against mpmath, per kernel and dtype.

Exit codes: 0 every kernel meets its accuracy target, 1 some kernel does not (or returned a
wrong non-finite value), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from symbinfo.accuracy import DTYPES, LONG, SUITES, KernelReport, check_kernels, kernel_specs
from symbinfo.commands.table import format_table
from symbinfo.kernels.build import BACKENDS, available_backends, current_backend, use_backend


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``kernels`` subcommand."""
    parser = subparsers.add_parser(
        "kernels", help="check the NumPy kernels against mpmath (errors in ULPs)",
        description="Compare every kernel with mpmath evaluating its original definition at "
                    "50 or more digits (more where the definition cancels); exit 1 if some "
                    "kernel misses its accuracy target or returns a wrong non-finite value.")
    parser.add_argument("--check", action="store_true", help="run the accuracy check")
    parser.add_argument("--suite", choices=SUITES, default="typical",
                        help="inputs: typical, or adversarial edges (default: typical)")
    parser.add_argument("--kernel", action="append", choices=sorted(kernel_specs()),
                        metavar="NAME", help="check only this kernel (repeatable): "
                        + ", ".join(sorted(kernel_specs())))
    parser.add_argument("--dtype", action="append", choices=DTYPES,
                        help="check only this dtype (repeatable)")
    parser.add_argument("--no-long", action="store_true",
                        help="leave out the long vectors (1e5 and 1e7 entries)")
    parser.add_argument("--backend", choices=BACKENDS,
                        help="run the kernels on this backend (default: numba where it is "
                             "installed, else numpy; or SYMBINFO_KERNELS)")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(run=run)


def _format(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _progress(done: int, total: int, report: KernelReport) -> None:
    """One line per kernel and dtype on stderr, so that a long check shows where it is."""
    print(f"[{done}/{total}] {report.kernel} {report.dtype}: max {report.max_ulp:.3g} ULP",
          file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Print one row per kernel and dtype; return 1 if any misses its target."""
    if not args.check:
        print("symbinfo kernels: nothing to do; use --check", file=sys.stderr)
        return 2
    try:
        backend = args.backend or current_backend()
    except RuntimeError as error:  # SYMBINFO_KERNELS names a backend that is not here
        print(f"symbinfo kernels: {error}", file=sys.stderr)
        return 2
    if backend not in available_backends():
        print(f"symbinfo kernels: backend {backend!r} is not installed (available: "
              f"{', '.join(available_backends())})", file=sys.stderr)
        return 2
    with use_backend(backend):
        reports = check_kernels(args.suite, kernels=args.kernel, dtypes=args.dtype or DTYPES,
                                long=() if args.no_long else LONG, progress=_progress)
    if args.json:
        print(json.dumps({"suite": args.suite, "backend": backend,
                          "kernels": [r.as_record() for r in reports]}, indent=2))
    else:
        print(f"backend: {backend}")
        rows = [[r.kernel, r.dtype, r.outputs, _format(r.max_ulp), _format(r.median_ulp),
                 _format(r.max_bound_ratio), _format(r.normalised_max_ulp), len(r.nonfinite),
                 "yes" if r.meets_targets else "NO"] for r in reports]
        print(format_table(["kernel", "dtype", "outputs", "max ulp", "median ulp",
                            "err/bound", "normalised ulp", "bad non-finite", "target met"],
                           rows))
        for r in reports:
            for problem in r.nonfinite:
                print(f"{r.kernel} {r.dtype}: {problem}")
    return 0 if all(r.meets_targets for r in reports) else 1
