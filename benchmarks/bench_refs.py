"""Reference values per second: symbinfo's generator against a plain mpmath loop, same run.

Two baselines, both the loop a user would write, one value at a time, with no error bound and
no certified rounding: ``mpmath loop`` evaluates the textbook formula with mpmath at the same
precision and keeps the mpf (the figure the issue's targets refer to); ``loop+out`` also
makes what a reference value carries, the decimal string of ``DPS`` digits and the float64
and float32 roundings (``float``, then NumPy's float32 cast: a double rounding). symbinfo
evaluates the un-rewritten definition in arb ball arithmetic (through the batched evaluator
where numba is installed), certifies the float64/float32 roundings and assembles reference
cases; it is timed with 1 worker (in process), with a pool of 2 worker processes
(``symbinfo refs --workers 2``) and with 2 threads (``--threads 2``). ``x1/loop``,
``x2p/loop`` and ``x2t/loop`` compare with ``mpmath loop``, ``x2p/out`` with ``loop+out``.
Each rate is the best of ``--repeat`` runs (the machine may be shared); ``parent us`` is the
CPU time the gathering process spends per value in the 2-process run, work that the workers
cannot share. ``x2p + JSON`` is what ``symbinfo refs`` delivers: the 2-process rate including
the JSON file's text (the cases' texts made in the workers), compared with ``loop+out`` in
``/out``.

``--every-kernel`` adds a table of every kernel on typical inputs (vectors of 10, joint
tables of 4 x 5, scalars), against the loop a SymPy user gets from ``lambdify(...,
"mpmath")`` of the same definition, called once per case with the case's floats converted to
mpmath numbers (for the kernels with a value per class, the class-independent sums such as
the softmax normaliser computed once per case); rates are in cases per second.

Run: python benchmarks/bench_refs.py [--cases N] [--repeat R] [--stages] [--profile]
[--every-kernel] (``--stages``: microseconds per value of each stage, in process;
``--profile``: cProfile of the 1-worker KL run.)
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
import timeit
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import mpmath
import numpy as np
import sympy
from flint import ctx

from symbinfo.refs import evaluate, files, generate
from symbinfo.refs.generate import CaseInput, reference_set
from symbinfo.refs.inputs import KERNEL_INPUTS

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


def with_outputs(baseline: Callable[[CaseInput], Any]) -> Callable[[CaseInput], Any]:
    """The baseline, also making the decimal digits and float64/float32 roundings."""
    def value(case: CaseInput) -> tuple[str, float, float]:
        result = baseline(case)
        double = float(result)
        return mpmath.nstr(result, DPS, strip_zeros=False), double, float(np.float32(double))
    return value


def rate(function, cases, repeat: int) -> tuple[float, float]:
    """Best values per second over ``repeat`` runs, and this process's CPU time per value (in
    microseconds, all its threads) in that run."""
    best = (0.0, 0.0)
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        function(cases)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        best = max(best, (len(cases) / wall, cpu / len(cases) * 1e6))
    return best


def stages(kernel: str, cases: list[CaseInput]) -> dict[str, float]:
    """Microseconds per value of each stage, in process, on a chunk of 100 of ``cases``: one
    case through the Python evaluation (python-flint, a call per operation), the chunk through
    the batched evaluator (the values alone, then whole cases), the chunk through the Python
    evaluation, and the JSON text of a case (private functions of symbinfo.refs)."""
    spec, compiled = generate._compiled(kernel)
    inputs = generate._exact_inputs(cases[0].inputs)
    bindings = spec.bindings(inputs, None)
    ctx.prec = evaluate.starting_precision(DPS)
    arguments = evaluate._inputs(compiled, bindings, compiled.kinds, evaluate._BALL_READERS)
    ball = compiled.fast_function(*arguments)
    chunk = [(case.case_class, case.inputs) for case in cases[:100]]
    pairs = [generate._bindings(kernel, generate._exact_inputs(raw)) for _, raw in chunk]
    counts = [None if outputs is None else len(outputs) for _, outputs in pairs]
    task = (kernel, DPS, "float64", chunk, False)

    def python_chunk() -> Any:
        batch, generate.batch = generate.batch, None
        try:
            return generate.evaluate_chunk(task).cases()
        finally:
            generate.batch = batch
    reference_case = generate.evaluate_chunk(task).cases()[0]
    timed = {  # name: (function, values per call)
        "Python: arb definition": (lambda: compiled.fast_function(*arguments), 1),
        "Python: its value": (lambda: evaluate._ball_value(ball, DPS), 1),
        "Python: whole cases": (python_chunk, len(chunk)),
        "batched: values": (lambda: generate.batch.evaluate_bindings(
            compiled, [b for b, _ in pairs], counts, dps=DPS), len(chunk)),
        "batched: whole cases": (lambda: generate.evaluate_chunk(task).cases(), len(chunk)),
        "JSON text of a case": (lambda: files._case_text(reference_case), 1),
    }
    calls = 2000
    return {name: min(timeit.repeat(function, number=max(calls // values // 10, 1), repeat=5))
            / max(calls // values // 10, 1) / values * 1e6
            for name, (function, values) in timed.items()}


CLASSES = 10
"""Vector length and number of classes of the typical inputs of ``--every-kernel``."""


def typical_cases(kernel: str, count: int, rng: np.random.Generator) -> list[CaseInput]:
    """``count`` cases of typical inputs of each kind (:data:`KERNEL_INPUTS`)."""
    draw = {"probabilities": lambda: rng.dirichlet(np.ones(CLASSES)),
            "logits": lambda: rng.standard_normal(CLASSES) * 5,
            "label": lambda: int(rng.integers(CLASSES)),
            "table": lambda: rng.dirichlet(np.ones(20)).reshape(4, 5),
            "probability": lambda: float(rng.uniform(0.001, 0.999)),
            "probability?": lambda: 0.1, "real": lambda: float(rng.standard_normal() * 5),
            "positive": lambda: float(rng.uniform(0.5, 2))}
    kinds = KERNEL_INPUTS[kernel]
    return [CaseInput("bench", {name: draw[kind]() for name, kind in kinds.items()})
            for _ in range(count)]


def mpmath_values(value: Any) -> Any:
    """An input as the lambdified definition takes it: an int, an mpf, a 1-based list of mpf
    (entry 0 unused), or a table as a dict of mpf by 1-based ``(row, column)``."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float):
        return mpmath.mpf(value)
    array = np.asarray(value, dtype=float)
    if array.ndim == 1:
        return [None, *map(mpmath.mpf, array.tolist())]
    return {(i + 1, j + 1): mpmath.mpf(v) for (i, j), v in np.ndenumerate(array)}


def lambdified_loop(kernel: str) -> tuple[Callable[[CaseInput], tuple[Any, ...]],
                                           Callable[[tuple[Any, ...]], Any]]:
    """The definition of ``kernel`` as ``sympy.lambdify`` makes it for mpmath: a function
    that gives a case's arguments in the definition's order (floats, ints, arrays: done
    before timing), and the loop body, which converts them to mpmath numbers and calls the
    lambdified definition. For a kernel with a value per class, the sums that do not depend
    on the class (the softmax normaliser) are computed once per case, as a user would."""
    spec, compiled = generate._compiled(kernel)
    arguments = list(compiled.arguments)

    def prepare(case: CaseInput) -> tuple[Any, ...]:
        bindings = spec.bindings(case.inputs, None)
        return tuple(bindings[a] for a in arguments)

    # the printer names symbinfo's Sigmoid and Softplus by their class names
    modules = [{"Sigmoid": lambda s: 1 / (1 + mpmath.exp(-s)),
                "Softplus": lambda s: mpmath.log(1 + mpmath.exp(s))}, "mpmath"]
    k = compiled.per_output
    if k is None:
        function = sympy.lambdify(arguments, spec.definition, modules=modules)
        return prepare, lambda values: function(*map(mpmath_values, values))
    shared = sorted((s for s in spec.definition.atoms(sympy.Sum) if k not in s.free_symbols),
                    key=str)
    names = sympy.symbols(f"shared0:{len(shared)}")
    sums = sympy.lambdify(arguments, shared, modules=modules)
    value = sympy.lambdify([*arguments, *names, k],
                           spec.definition.xreplace(dict(zip(shared, names))), modules=modules)

    def per_class(values: tuple[Any, ...]) -> list[Any]:
        converted = list(map(mpmath_values, values))
        computed = sums(*converted)
        return [value(*converted, *computed, c) for c in range(1, CLASSES + 1)]
    return prepare, per_class


def every_kernel(cases: int, repeat: int, pool: ProcessPoolExecutor,
                 threads: ThreadPoolExecutor) -> None:
    """Cases per second of each kernel on typical inputs: the lambdified loop, symbinfo with
    1 worker, with 2 worker processes and with 2 threads."""
    print(f"\nevery kernel on typical inputs, cases per second at {DPS} digits (best of "
          f"{repeat}; per-class kernels: a case is {CLASSES} values)")
    print(f"{'kernel':36s} {'cases':>6s} {'mpmath loop':>12s} {'symbinfo x1':>12s} "
          f"{'2 processes':>12s} {'2 threads':>10s} {'x1/loop':>8s} {'x2p/loop':>9s} "
          f"{'x2t/loop':>9s}")
    rng = np.random.default_rng(0)
    for kernel in generate.kernel_names():
        elementwise = generate._compiled(kernel)[0].shape == "elementwise"
        inputs = typical_cases(kernel, 5 * cases if elementwise else cases, rng)
        reference_set(kernel, cases=inputs[:64], dps=DPS, executor=pool)
        prepare, body = lambdified_loop(kernel)
        with mpmath.workdps(DPS):
            loop, _ = rate(lambda cs: [body(c) for c in cs], list(map(prepare, inputs)), repeat)
        one, processes, in_threads = (
            rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS, executor=executor),
                 inputs, repeat)[0] for executor in (None, pool, threads))
        print(f"{kernel:36s} {len(inputs):6d} {loop:12.0f} {one:12.0f} {processes:12.0f} "
              f"{in_threads:10.0f} {one / loop:8.2f} {processes / loop:9.2f} "
              f"{in_threads / loop:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per rate (best is kept)")
    parser.add_argument("--stages", action="store_true",
                        help="show the microseconds per value of each stage")
    parser.add_argument("--profile", action="store_true",
                        help="show where the time of the 1-worker KL run goes")
    parser.add_argument("--every-kernel", action="store_true",
                        help="also time every kernel against its lambdified mpmath loop")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    workloads = [
        ("kl_divergence", "KL, n = 10", dirichlet_pairs(args.cases, 10, rng), mpmath_kl),
        ("binary_cross_entropy", "scalar BCE", bce_cases(5 * args.cases, rng), mpmath_bce),
        ("softmax_cross_entropy[labels]", "softmax CE, K = 10",
         logits_cases(args.cases, 10, rng), mpmath_softmax_ce),
    ]
    print(f"reference values per second at {DPS} digits ({args.cases} cases or more each, "
          f"best of {args.repeat})")
    print(f"{'workload':20s} {'mpmath loop':>12s} {'loop+out':>9s} {'symbinfo x1':>12s} "
          f"{'2 processes':>12s} {'2 threads':>10s} {'x1/loop':>8s} {'x2p/loop':>9s} "
          f"{'x2t/loop':>9s} {'x2p/out':>8s} {'parent us':>10s} {'x2p + JSON':>11s} {'/out':>5s}")
    with ProcessPoolExecutor(max_workers=2) as pool, \
            ThreadPoolExecutor(max_workers=2) as threads:
        for kernel, title, cases, baseline in workloads:
            reference_set(kernel, cases=cases[:4], dps=DPS)  # compile once, outside timing
            pool_warm = reference_set(kernel, cases=cases[:256], dps=DPS, executor=pool)
            assert pool_warm.cases
            with mpmath.workdps(DPS):
                loop, _ = rate(lambda cs: [baseline(c) for c in cs], cases, args.repeat)
                full = with_outputs(baseline)
                out, _ = rate(lambda cs: [full(c) for c in cs], cases, args.repeat)
            one, _ = rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS), cases,
                          args.repeat)
            two, parent = rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS,
                                                        executor=pool), cases, args.repeat)
            in_threads, _ = rate(lambda cs: reference_set(kernel, cases=cs, dps=DPS,
                                                          executor=threads), cases, args.repeat)
            written, _ = rate(lambda cs: files.to_json_bytes(reference_set(
                kernel, cases=cs, dps=DPS, executor=pool, texts=True)), cases, args.repeat)
            print(f"{title:20s} {loop:12.0f} {out:9.0f} {one:12.0f} {two:12.0f} "
                  f"{in_threads:10.0f} {one / loop:8.2f} {two / loop:9.2f} "
                  f"{in_threads / loop:9.2f} {two / out:8.2f} {parent:10.1f} {written:11.0f} "
                  f"{written / out:5.2f}")
        if args.every_kernel:
            every_kernel(args.cases, args.repeat, pool, threads)
    if args.stages:
        print("\nmicroseconds per value, by stage (in process)")
        results = {title: stages(kernel, cases) for kernel, title, cases, _ in workloads}
        print(f"{'stage':20s}" + "".join(f"{title:>20s}" for title in results))
        for stage in next(iter(results.values())):
            print(f"{stage:20s}" + "".join(f"{r[stage]:20.2f}" for r in results.values()))
    if args.profile:
        cases = workloads[0][2]
        profile = cProfile.Profile()
        profile.enable()
        reference_set("kl_divergence", cases=cases, dps=DPS)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
