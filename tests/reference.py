"""Independent reference computations for the tests: plain mpmath loops at high precision.

Nothing here uses symbinfo; each function is the textbook formula written directly in mpmath,
so the tests compare the package's symbolic definitions against an independent implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import mpmath

DPS = 60
"""Working precision of the references (decimal digits)."""


def exact(x) -> mpmath.mpf:
    """An exact input (int, Fraction, decimal string) at the working precision."""
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def mp_entropy(p: Sequence) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        p = [exact(x) for x in p]
        return -mpmath.fsum(x * mpmath.log(x) for x in p if x != 0)


def mp_cross_entropy(p: Sequence, q: Sequence) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return -mpmath.fsum(exact(x) * mpmath.log(exact(y)) for x, y in zip(p, q) if x != 0)


def mp_kl(p: Sequence, q: Sequence) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return mpmath.fsum(exact(x) * mpmath.log(exact(x) / exact(y))
                           for x, y in zip(p, q) if x != 0)


def mp_mutual_information(table: Sequence[Sequence]) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        table = [[exact(v) for v in row] for row in table]
        rows = [mpmath.fsum(r) for r in table]
        cols = [mpmath.fsum(c) for c in zip(*table)]
        return mpmath.fsum(v * mpmath.log(v / (rows[i] * cols[j]))
                           for i, r in enumerate(table) for j, v in enumerate(r) if v != 0)


def mp_softmax_cross_entropy(logits: Sequence, label: int) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        z = [exact(x) for x in logits]
        return -mpmath.log(mpmath.exp(z[label]) / mpmath.fsum(mpmath.exp(v) for v in z))


def mpf(value) -> mpmath.mpf:
    """A SymPy number (or string) as an mpmath number at the reference precision."""
    with mpmath.workdps(DPS):
        return mpmath.mpf(str(value.evalf(DPS))) if hasattr(value, "evalf") else exact(value)


def agree(a, b, digits: int = 25) -> bool:
    """Whether ``a`` and ``b`` agree to ``digits`` significant digits (absolutely near 0)."""
    with mpmath.workdps(DPS):
        a, b = mpf(a), mpf(b)
        return bool(abs(a - b) <= mpmath.mpf(10) ** (-digits) * max(1, abs(a), abs(b)))
