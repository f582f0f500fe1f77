"""Benchmark: checking hand proofs with ``symbinfo check``.

    python benchmarks/bench_check.py [--time-limit S] [--derivations]

Reports, in one run on one machine:

* the whole example corpus (``examples/proofs``): wall time from the first import to the
  last verdict, and the median, 90th percentile and maximum time per step (each step's own
  time: preparing it, then the engine's verification in its worker processes);
* the slowest steps, with their verdicts;
* with ``--derivations``: the same for the rendered library (``derivations/*.tex``, the round
  trip), and how many steps got the engine's own verdict back.

Targets (issue 4): median per step under 0.3 s, whole corpus under 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

BEGIN = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
_VERDICT_TAG = re.compile(r"\[\\textsf\{(\w+)\}")


def run(files: list[Path], time_limit: float) -> tuple[list, float]:
    """Check every file; return (file name, step report) pairs and the wall time."""
    from symbinfo.checker import check
    begin = time.perf_counter()
    steps = []
    for path in files:
        report = check(path.read_bytes(), name=path.name, time_limit=time_limit)
        steps.extend((path.name, step) for step in report.steps)
    return steps, time.perf_counter() - begin


def summary(title: str, steps: list, seconds: float) -> None:
    times = sorted(step.seconds for _, step in steps)
    counts: dict[str, int] = {}
    for _, step in steps:
        counts[step.verdict.value] = counts.get(step.verdict.value, 0) + 1
    print(f"{title}: {len(steps)} steps in {seconds:.1f} s; per step median "
          f"{statistics.median(times):.3f} s, 90th percentile "
          f"{times[int(0.9 * (len(times) - 1))]:.3f} s, max {times[-1]:.2f} s")
    print("  verdicts: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    for name, step in sorted(steps, key=lambda item: -item[1].seconds)[:3]:
        print(f"  slow: {name}:{step.line} {step.verdict.value} {step.seconds:.2f} s")


def round_trip(steps: list) -> None:
    engine: dict[tuple[str, int], str] = {}
    for path in _derivations():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in _VERDICT_TAG.finditer(line):
                engine[(path.name, number)] = match.group(1)
    same = sum(engine.get((name, step.line)) == step.verdict.value for name, step in steps)
    print(f"  round trip: {same}/{len(engine)} steps get the engine's verdict back")


def _derivations() -> list[Path]:
    return sorted(p for p in (ROOT / "derivations").glob("*.tex") if p.name != "derivations.tex")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--derivations", action="store_true")
    args = parser.parse_args()
    examples = sorted((ROOT / "examples" / "proofs").glob("*.tex"))
    steps, seconds = run(examples, args.time_limit)
    summary(f"example corpus ({len(examples)} files)", steps, seconds)
    print(f"  cold, imports included: {time.perf_counter() - BEGIN:.1f} s")
    if args.derivations:
        steps, seconds = run(_derivations(), args.time_limit)
        summary("rendered derivations", steps, seconds)
        round_trip(steps)


if __name__ == "__main__":
    main()
