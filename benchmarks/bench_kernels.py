"""Throughput and peak memory of symbinfo's kernels against SciPy and the naive NumPy formula.

Run: ``python benchmarks/bench_kernels.py [--sizes 1e6 1e7] [--repeat 3] [--backend B]``. Times are the best
of ``--repeat`` rounds, in the same process, for each implementation on the same float64 input
(the implementations take turns within a round);
the ratios (time / SciPy's time, time / naive time) are what to compare across machines. Peak
extra memory is the largest amount NumPy allocated during one call (``tracemalloc``), as a
multiple of the input's size. SciPy is a benchmark-only dependency; PyTorch is used if it is
installed (one thread), and skipped otherwise.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sc

from symbinfo import kernels
from symbinfo.kernels.build import available_backends, current_backend, use_backend

try:  # optional peer
    import torch
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

Call = Callable[[], Any]


def best_times(calls: dict[str, Call], repeat: int) -> dict[str, float]:
    """The best time of each call over ``repeat`` rounds, the calls taking turns within each
    round (so that a slow spell of a shared machine falls on all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def peak_bytes(call: Call) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _minus_one_hot(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``probabilities - one_hot(labels)``, rows by class (in place)."""
    probabilities[np.arange(len(labels)), labels] -= 1.0
    return probabilities


def cases(n: int, rng: np.random.Generator) -> dict[str, tuple[int, dict[str, Call]]]:
    """Per kernel: the input size in bytes and the implementations to time."""
    p = rng.dirichlet(np.ones(n))
    q = rng.dirichlet(np.ones(n))
    z = rng.standard_normal(n) * 5
    k = 1000
    logits = z.reshape(-1, k)
    labels = rng.integers(0, k, size=logits.shape[0])
    x = rng.uniform(0, 1, n)
    y = rng.uniform(0, 1, n)
    joint = rng.dirichlet(np.ones(n)).reshape(-1, 1000)
    rows = np.arange(logits.shape[0])
    table: dict[str, tuple[int, dict[str, Call]]] = {
        "entropy": (p.nbytes, {
            "symbinfo": lambda: kernels.entropy(p),
            "scipy": lambda: np.sum(sc.entr(p)),
            "naive": lambda: -np.sum(p * np.log(p))}),
        "cross_entropy": (2 * p.nbytes, {
            "symbinfo": lambda: kernels.cross_entropy(p, q),
            "scipy": lambda: -np.sum(sc.xlogy(p, q)),
            "naive": lambda: -np.sum(p * np.log(q))}),
        "kl_divergence": (2 * p.nbytes, {
            "symbinfo": lambda: kernels.kl_divergence(p, q),
            "scipy": lambda: np.sum(sc.rel_entr(p, q)),
            "naive": lambda: np.sum(p * np.log(p / q))}),
        "perplexity": (2 * p.nbytes, {
            "symbinfo": lambda: kernels.perplexity(p, q),
            "scipy": lambda: np.exp(-np.sum(sc.xlogy(p, q))),
            "naive": lambda: np.exp(-np.sum(p * np.log(q)))}),
        "binary_entropy": (p.nbytes, {
            "symbinfo": lambda: kernels.binary_entropy(x),
            "scipy": lambda: sc.entr(x) + sc.entr(1 - x),
            "naive": lambda: -x * np.log(x) - (1 - x) * np.log(1 - x)}),
        "logsumexp": (z.nbytes, {
            "symbinfo": lambda: kernels.logsumexp(z),
            "scipy": lambda: sc.logsumexp(z),
            "naive": lambda: np.log(np.sum(np.exp(z)))}),
        "log_softmax": (z.nbytes, {
            "symbinfo": lambda: kernels.log_softmax(logits),
            "scipy": lambda: sc.log_softmax(logits, axis=-1),
            "naive": lambda: logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))}),
        "softmax": (z.nbytes, {
            "symbinfo": lambda: kernels.softmax(logits),
            "scipy": lambda: sc.softmax(logits, axis=-1),
            "naive": lambda: np.exp(logits) / np.sum(np.exp(logits), axis=-1, keepdims=True)}),
        "softmax_cross_entropy": (z.nbytes, {
            "symbinfo": lambda: kernels.softmax_cross_entropy(logits, labels),
            "scipy": lambda: -np.mean(sc.log_softmax(logits, axis=-1)[rows, labels]),
            "naive": lambda: np.mean(np.log(np.sum(np.exp(logits), axis=-1))
                                     - logits[rows, labels])}),
        "js_divergence": (2 * p.nbytes, {
            "symbinfo": lambda: kernels.js_divergence(p, q),
            "scipy": lambda: 0.5 * (np.sum(sc.rel_entr(p, (p + q) / 2))
                                    + np.sum(sc.rel_entr(q, (p + q) / 2))),
            "naive": lambda: 0.5 * (np.sum(p * np.log(2 * p / (p + q)))
                                    + np.sum(q * np.log(2 * q / (p + q))))}),
        "mutual_information": (joint.nbytes, {
            "symbinfo": lambda: kernels.mutual_information(joint),
            "scipy": lambda: np.sum(sc.rel_entr(joint, joint.sum(1, keepdims=True)
                                                * joint.sum(0, keepdims=True))),
            "naive": lambda: np.sum(joint * np.log(joint / (joint.sum(1, keepdims=True)
                                                            * joint.sum(0, keepdims=True))))}),
        "binary_cross_entropy": (2 * x.nbytes, {
            "symbinfo": lambda: kernels.binary_cross_entropy(y, x),
            "scipy": lambda: -np.mean(sc.xlogy(x, y) + sc.xlog1py(1 - x, -y)),
            "naive": lambda: -np.mean(x * np.log(y) + (1 - x) * np.log(1 - y))}),
        "softmax_cross_entropy_grad": (z.nbytes, {
            "symbinfo": lambda: kernels.softmax_cross_entropy_grad(logits, labels),
            "scipy": lambda: _minus_one_hot(sc.softmax(logits, axis=-1), labels),
            "naive": lambda: _minus_one_hot(np.exp(logits) / np.sum(np.exp(logits), axis=-1,
                                                                    keepdims=True), labels)}),
        "bce_with_logits_grad": (2 * z.nbytes, {
            "symbinfo": lambda: kernels.bce_with_logits_grad(z, x),
            "scipy": lambda: sc.expit(z) - x,
            "naive": lambda: 1 / (1 + np.exp(-z)) - x}),
        "bce_with_logits": (2 * z.nbytes, {
            "symbinfo": lambda: kernels.bce_with_logits(z, x),
            "scipy": lambda: -np.mean(x * sc.log_expit(z) + (1 - x) * sc.log_expit(-z)),
            "naive": lambda: np.mean(np.maximum(z, 0) - z * x + np.log1p(np.exp(-np.abs(z))))}),
    }
    if torch is not None:
        tp, tq, tz = (torch.from_numpy(a) for a in (p, q, z))
        tl, tlab, tx = torch.from_numpy(logits), torch.from_numpy(labels), torch.from_numpy(x)
        table["entropy"][1]["torch"] = lambda: -torch.special.entr(tp).sum() * -1
        table["kl_divergence"][1]["torch"] = lambda: torch.nn.functional.kl_div(
            tq.log(), tp, reduction="sum")
        table["logsumexp"][1]["torch"] = lambda: torch.logsumexp(tz, 0)
        table["log_softmax"][1]["torch"] = lambda: torch.log_softmax(tl, -1)
        table["softmax"][1]["torch"] = lambda: torch.softmax(tl, -1)
        table["softmax_cross_entropy"][1]["torch"] = lambda: torch.nn.functional.cross_entropy(
            tl, tlab)
        table["bce_with_logits"][1]["torch"] = \
            lambda: torch.nn.functional.binary_cross_entropy_with_logits(tz, tx)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=available_backends(), default=current_backend(),
                        help="the kernels' backend (default: numba where it is installed)")
    args = parser.parse_args()
    with use_backend(args.backend):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Time every kernel and its peers at each size; print one row per kernel and size."""
    rng = np.random.default_rng(0)
    peers = ["scipy", "naive"] + (["torch"] if torch is not None else [])
    print(f"backend {args.backend}; numpy {np.__version__}; times: best of {args.repeat}; "
          f"ratio = symbinfo time / peer time; memory: peak extra / input size")
    header = f"{'kernel':24s} {'n':>6s} {'symbinfo ms':>12s} " + \
        " ".join(f"{'/' + p:>8s}" for p in peers) + f" {'memory':>7s}"
    print(header)
    for size in args.sizes:
        n = int(size)
        for name, (input_bytes, calls) in cases(n, rng).items():
            for call in calls.values():
                call()  # warm up (kernels are compiled on first use)
            best = best_times(calls, args.repeat)
            ours = best["symbinfo"]
            ratios = [ours / best[p] if p in calls else float("nan") for p in peers]
            memory = peak_bytes(calls["symbinfo"]) / input_bytes
            print(f"{name:24s} {size:6.0e} {ours * 1e3:12.1f} "
                  + " ".join(f"{r:8.2f}" for r in ratios) + f" {memory:7.2f}", flush=True)


if __name__ == "__main__":
    main()
