"""Reference values per second: symbinfo's generator against a plain mpmath loop, same run.

The baseline is the loop a user would write: the textbook formula evaluated with mpmath at
the same precision, one value at a time (no error bound, no certified rounding). symbinfo
evaluates the un-rewritten definition in arb ball arithmetic, certifies the float64/float32
roundings and assembles reference cases; it is timed with 1 worker (in process) and with a
pool of 2 worker processes.

Run: python benchmarks/bench_refs.py [--cases N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from concurrent.futures import ProcessPoolExecutor

import mpmath
import numpy as np

from symbinfo.refs.generate import CaseInput, reference_set

DPS = 50


def dirichlet_pairs(count: int, n: int, rng: np.random.Generator) -> list[CaseInput]:
    cases = []
    for _ in range(count):
        p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
        cases.append(CaseInput("bench", {"p": p, "q": q}))
    return cases


def bce_cases(count: int, rng: np.random.Generator) -> list[CaseInput]:
    return [CaseInput("bench", {"p": float(p), "x": float(x)})
            for p, x in zip(rng.uniform(0.001, 0.999, count), rng.uniform(0, 1, count))]


def logits_cases(count: int, n: int, rng: np.random.Generator) -> list[CaseInput]:
    return [CaseInput("bench", {"z": rng.standard_normal(n) * 5,
                                "label": int(rng.integers(n))}) for _ in range(count)]


def mpmath_kl(case: CaseInput) -> object:
    p, q = case.inputs["p"], case.inputs["q"]
    return mpmath.fsum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                       for a, b in zip(p, q))


def mpmath_bce(case: CaseInput) -> object:
    p, x = mpmath.mpf(case.inputs["p"]), mpmath.mpf(case.inputs["x"])
    return -(x * mpmath.log(p) + (1 - x) * mpmath.log(1 - p))


def mpmath_softmax_ce(case: CaseInput) -> object:
    z = [mpmath.mpf(v) for v in case.inputs["z"]]
    return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in z)) - z[case.inputs["label"]]


def rate(function, cases) -> float:
    start = time.perf_counter()
    function(cases)
    return len(cases) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--profile", action="store_true",
                        help="show where the time of the 1-worker KL run goes")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    workloads = [
        ("kl_divergence", "KL, n = 10", dirichlet_pairs(args.cases, 10, rng), mpmath_kl),
        ("binary_cross_entropy", "scalar BCE", bce_cases(5 * args.cases, rng), mpmath_bce),
        ("softmax_cross_entropy[labels]", "softmax CE, K = 10",
         logits_cases(args.cases, 10, rng), mpmath_softmax_ce),
    ]
    print(f"reference values per second at {DPS} digits ({args.cases} cases or more each)")
    print(f"{'workload':20s} {'mpmath loop':>12s} {'symbinfo x1':>12s} {'symbinfo x2':>12s} "
          f"{'x1/loop':>8s} {'x2/loop':>8s} {'x2/x1':>6s}")
    with ProcessPoolExecutor(max_workers=2) as pool:
        for kernel, title, cases, baseline in workloads:
            reference_set(kernel, cases=cases[:4], dps=DPS)  # compile once, outside timing
            pool_warm = reference_set(kernel, cases=cases[:64], dps=DPS, executor=pool)
            assert pool_warm.cases
            with mpmath.workdps(DPS):
                loop = rate(lambda cs: [baseline(c) for c in cs], cases)
            one = rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS), cases)
            two = rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS, executor=pool), cases)
            print(f"{title:20s} {loop:12.0f} {one:12.0f} {two:12.0f} {one / loop:8.2f} "
                  f"{two / loop:8.2f} {two / one:6.2f}")
    if args.profile:
        cases = workloads[0][2]
        profile = cProfile.Profile()
        profile.enable()
        reference_set("kl_divergence", cases=cases, dps=DPS)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
