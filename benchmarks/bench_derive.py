"""Benchmark: ``symbinfo derive`` over the whole library, cold (a fresh interpreter, imports
included), and the naive zero test it replaces.

    python benchmarks/bench_derive.py            # cold run: total, slowest derivation/step
    python benchmarks/bench_derive.py --naive    # also: sympy.simplify(lhs - rhs) per step

The cold run starts ``symbinfo derive --no-write --json`` in a new process and reports its
wall time (target: under 20 s on a 2-core machine) with the slowest derivation and step. The
``--naive`` peer times ``simplify(lhs - rhs) == 0`` on every equality step of the same
library (definitions expanded the same way), each under the same kind of time limit, and
prints the ratio of the two symbolic totals in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def cold_run() -> dict:
    begin = time.perf_counter()
    command = "from symbinfo.cli import console_main; console_main()"
    run = subprocess.run([sys.executable, "-c", command, "derive", "--no-write", "--json"],
                         capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - begin
    if run.returncode != 0:
        raise SystemExit(f"symbinfo derive failed ({run.returncode}):\n{run.stderr}")
    records = json.loads(run.stdout)["derivations"]
    slowest = max(records, key=lambda r: r["seconds"])
    steps = [(r["name"], k, s) for r in records for k, s in enumerate(r["steps"], start=1)]
    name, number, step = max(steps, key=lambda item: item[2]["seconds"])
    print(f"cold `symbinfo derive` (18 derivations, {len(steps)} steps, imports included): "
          f"{seconds:.2f} s")
    print(f"  slowest derivation: {slowest['name']} ({slowest['seconds']:.2f} s)")
    print(f"  slowest step: {name} step {number} ({step['seconds']:.2f} s): "
          f"{step['justification']}")
    print(f"  verdicts: {sorted({r['verdict'] for r in records})}")
    return {"seconds": seconds, "records": records}


def _naive_task(lhs, rhs, *, send):
    import sympy
    send(("proved", sympy.simplify(lhs - rhs) == 0))


def _targeted_task(lhs, rhs, assumptions, *, send):
    from symbinfo.verify import _holds
    send(("proved", _holds(lhs, "=", rhs, assumptions, [])))


def naive_peer(time_limit: float) -> None:
    from symbinfo.derive.library import LIBRARY, build
    from symbinfo.verify import expand_notation, run_with_time_limit

    def timed(task, args):
        begin = time.perf_counter()
        report = run_with_time_limit(task, args, time_limit)
        outcome = report.messages["proved"][0] if "proved" in report.messages else None
        return outcome, time.perf_counter() - begin

    ours = naive = 0.0
    proved = timeouts = total = 0
    for name in LIBRARY:
        derivation = build(name)
        A = derivation.assumptions
        for chain in derivation.chains:
            previous = chain.start
            for step in chain.steps:
                if step.relation == "=":
                    lhs, rhs = (expand_notation(e, A).expr for e in (previous, step.expr))
                    outcome, seconds = timed(_targeted_task, (lhs, rhs, A))
                    ours += seconds
                    outcome, seconds = timed(_naive_task, (lhs, rhs))
                    naive += seconds
                    total += 1
                    proved += outcome is True
                    timeouts += outcome is None
                previous = step.expr
    print(f"symbolic zero test on {total} equality steps (each in a worker, limit "
          f"{time_limit:g} s):")
    print(f"  targeted normal form: {ours:.2f} s")
    print(f"  naive simplify(lhs - rhs): {naive:.2f} s, proves {proved}/{total}, "
          f"{timeouts} time-outs")
    print(f"  ratio naive / targeted: {naive / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--naive", action="store_true", help="also time the naive zero test")
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    cold_run()
    if args.naive:
        naive_peer(args.time_limit)


if __name__ == "__main__":
    main()
