"""``symbinfo refs``: reference values (test vectors) for other implementations.

Exit codes: 0 written; 1 with ``--certify`` when some value's rounding could not be certified
(the values are still written, flagged); 2 bad usage or an unreadable inputs file (nothing is
written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from symbinfo.commands.table import format_table


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``refs`` subcommand."""
    parser = subparsers.add_parser(
        "refs", help="write reference values (test vectors) for kernels",
        description="Evaluate kernels' definitions rigorously (arb ball arithmetic) and write "
                    "test vectors: exact inputs, >= 40-digit outputs, correctly rounded "
                    "float64/float32. Exit codes: 0 written; 1 with --certify when a value "
                    "could not be certified; 2 bad usage or unreadable inputs.")
    parser.add_argument("kernels", nargs="*", metavar="KERNEL",
                        help="kernel names (functions of symbinfo.kernels, e.g. kl_divergence)")
    parser.add_argument("--all", action="store_true", help="every kernel")
    parser.add_argument("--suite", choices=("typical", "adversarial", "all"),
                        default="adversarial", help="input suite (default adversarial)")
    parser.add_argument("--inputs", metavar="FILE",
                        help="cases from a .json/.csv/.npy/.npz file (one kernel)")
    parser.add_argument("--dps", type=int, default=50, help="output digits, >= 40 (default 50)")
    parser.add_argument("--input-dtype", choices=("float64", "float32"), default="float64",
                        help="round the inputs to this format first (float32: references for "
                             "float32 implementations)")
    parser.add_argument("--format", choices=("json", "npz", "csv"), default="json")
    parser.add_argument("--out", metavar="PATH", default="symbinfo-refs",
                        help="output directory, or a file name for a single kernel "
                             "(default ./symbinfo-refs/)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the suites' random inputs")
    # --workers defaults to None (all cores, :func:`_workers`): argparse sees no clash
    # between exclusive options when one is given its default value
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    where.add_argument("--threads", type=int, metavar="N",
                       help="N threads of this process instead: the batched evaluator runs "
                            "without the GIL, so threads share it with no pickling (faster "
                            "on many ordinary cases; the cases evaluated in Python take "
                            "turns)")
    where.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                       help="run on a Dask cluster (needs symbinfo[dask])")
    parser.add_argument("--no-long", action="store_true",
                        help="leave out the long (1e5-entry) vectors")
    parser.add_argument("--certify", action="store_true",
                        help="exit 1 if any value's rounding is not certified")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(run=run)


def _file_name(kernel: str, file_format: str) -> str:
    return kernel.replace("[", "-").replace("]", "") + "." + file_format


def _workers(args: argparse.Namespace) -> int:
    """The number of worker processes: ``--workers``, by default the number of cores."""
    return args.workers if args.workers is not None else os.cpu_count() or 1


@contextmanager
def _executor(args: argparse.Namespace) -> Iterator[Executor | None]:
    if args.dask:
        try:
            import distributed
        except ImportError:
            raise SystemExit("symbinfo refs: --dask needs dask.distributed: "
                             "pip install 'symbinfo[dask]'") from None
        with distributed.Client(args.dask) as client:
            yield client.get_executor()
    elif args.threads is not None and args.threads > 1:
        with ThreadPoolExecutor(max_workers=args.threads) as threads:
            yield threads
    elif args.threads is None and _workers(args) > 1:
        with ProcessPoolExecutor(max_workers=_workers(args)) as pool:
            yield pool
    else:
        yield None


def _progress(kernel: str) -> Any:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        print(f"\r{kernel:38s} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
              end=end, file=sys.stderr, flush=True)
    return show


def _uncertified(reference: Any) -> int:
    return sum(1 for case in reference.cases
               for value in (case.output if isinstance(case.output, list) else [case.output])
               if not value.certified)


def run(args: argparse.Namespace) -> int:
    """Generate and write the reference files; print a table (or JSON records)."""
    try:
        from symbinfo.refs import files, generate, inputs
    except ImportError as error:  # python-flint is an optional dependency
        print(f"symbinfo refs needs python-flint ({error}): pip install 'symbinfo[refs]'",
              file=sys.stderr)
        return 2
    try:
        names = generate.kernel_names() if args.all else generate.resolve_kernels(args.kernels)
        if not names:
            raise ValueError("name at least one KERNEL, or --all")
        if args.dps < 40:
            raise ValueError(f"--dps {args.dps} is below 40")
        if _workers(args) < 1 or (args.threads is not None and args.threads < 1):
            raise ValueError("--workers and --threads take a number of at least 1")
        cases = None
        if args.inputs:
            if len(names) != 1:
                raise ValueError(f"--inputs needs exactly one kernel, not {', '.join(names)}")
            cases = inputs.read_cases(args.inputs, names[0])
    except ValueError as error:
        print(f"symbinfo refs: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    single_file = len(names) == 1 and out.suffix.lower() == "." + args.format
    records = []
    with _executor(args) as executor:
        for name in names:
            start = time.perf_counter()
            reference = generate.reference_set(
                name, args.suite, dps=args.dps, seed=args.seed, long=not args.no_long,
                input_dtype=args.input_dtype, cases=cases, executor=executor,
                progress=_progress(name), texts=args.format in ("json", "npz"))
            path = out if single_file else out / _file_name(name, args.format)
            try:
                files.write(reference, path, args.format)
            except ValueError as error:  # e.g. cases whose inputs differ, for one CSV table
                print(f"symbinfo refs: {name}: {error}; nothing written to {path}",
                      file=sys.stderr)
                return 2
            records.append({"kernel": name, "cases": len(reference.cases),
                            "uncertified": _uncertified(reference),
                            "seconds": round(time.perf_counter() - start, 3),
                            "file": str(path)})
    if args.json:
        print(json.dumps({"references": records}, indent=2))
    else:
        print(format_table(["kernel", "cases", "uncertified", "seconds", "file"],
                           [[r["kernel"], r["cases"], r["uncertified"], r["seconds"], r["file"]]
                            for r in records]))
    return 1 if args.certify and any(r["uncertified"] for r in records) else 0
