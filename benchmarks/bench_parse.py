"""Benchmark: reading hand proofs with symbinfo's parser, against SymPy's ``parse_latex``.

    python benchmarks/bench_parse.py

Reports, in one run on one machine:

* the time to read the whole example corpus (``examples/proofs``, every file parsed twice
  internally: recording, then building), per file and per step;
* per-formula time of :func:`symbinfo.parse.parse_formula` and of SymPy's
  ``parse_latex(..., backend="lark")`` on the same formulas (the peer), with the ratio, and
  whether the peer's result equals ours (it silently misreads several of them);
* the time to reject the hostile inputs of ``tests/hostile``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = [
    r"-p \log(p) - (1-p) \log(1-p)",
    r"\sum_{i=1}^{n} p_i \log p_i",
    r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}",
    r"x \log y + (1 - x) \log(1 - y)",
    r"\log \frac{s_2}{s_1} + \frac{s_1^2 + (m_1 - m_2)^2}{2 s_2^2} - \frac{1}{2}",
    r"e^{x} + \exp(x)",
]


def _median_seconds(function, argument, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def corpus() -> None:
    from symbinfo.parse import parse_proof
    files = sorted((ROOT / "examples" / "proofs").glob("*.tex"))
    parse_proof(files[0].read_bytes())  # build the grammar once
    begin = time.perf_counter()
    steps = sum(len(parse_proof(path.read_bytes(), name=path.name).steps) for path in files)
    seconds = time.perf_counter() - begin
    print(f"example corpus: {len(files)} files, {steps} steps read in {seconds:.3f} s "
          f"({1000 * seconds / len(files):.1f} ms per file, "
          f"{1000 * seconds / steps:.1f} ms per step)")


def peer() -> None:
    from sympy.parsing.latex import parse_latex

    from symbinfo.parse import parse_formula
    parse_formula("x")
    parse_latex("x", backend="lark")
    ours_total = theirs_total = 0.0
    for text in FORMULAS:
        ours = _median_seconds(parse_formula, text)
        theirs = _median_seconds(lambda t: parse_latex(t, backend="lark"), text)
        ours_total, theirs_total = ours_total + ours, theirs_total + theirs
        print(f"  {1000 * ours:7.2f} ms  vs parse_latex {1000 * theirs:7.2f} ms  {text}\n"
              f"      symbinfo:    {parse_formula(text)}\n"
              f"      parse_latex: {parse_latex(text, backend='lark')}")
    print(f"per-formula total: symbinfo {1000 * ours_total:.1f} ms, parse_latex "
          f"{1000 * theirs_total:.1f} ms, ratio {theirs_total / ours_total:.2f}x")


def hostile() -> None:
    from symbinfo.parse import ProofSyntaxError, parse_proof
    worst = ("", 0.0)
    for path in sorted((ROOT / "tests" / "hostile").glob("*.tex")):
        begin = time.perf_counter()
        try:
            parse_proof(path.read_bytes())
        except ProofSyntaxError:
            pass
        seconds = time.perf_counter() - begin
        worst = max(worst, (path.name, seconds), key=lambda item: item[1])
    print(f"hostile corpus: slowest rejection {worst[0]} in {1000 * worst[1]:.1f} ms")


if __name__ == "__main__":
    corpus()
    peer()
    hostile()
