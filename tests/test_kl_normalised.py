"""KL divergence of exactly normalised inputs: a sum of non-negative terms, within 4 ULP.

Where :math:`\\sum_i p_i = \\sum_i q_i` exactly (as the reals the floats stand for), the kernel
sums :math:`\\psi(p, q) = p \\log(p/q) - p + q \\ge 0` (``primitives.kl_div``) instead of the
terms :math:`p \\log(p/q)`, which cancel. The truth is mpmath at 60 digits on the exact float
inputs; the checks are shown to fail for the literal formulas."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbinfo import kernels
from symbinfo.accuracy import (NORMALISED_KINDS, exactly_normalised, exactly_normalised_pair,
                               ulp_error)
from symbinfo.kernels import primitives

pytestmark = pytest.mark.usefixtures("kernel_backend")  # each test on each backend

F64 = np.dtype(np.float64)
U = 2.0 ** -53


def true_kl(p, q, dps: int = 60):
    """:math:`\\sum_i p_i \\log(p_i / q_i)` with mpmath on the exact floats (0 log 0 = 0)."""
    with mpmath.workdps(dps):
        terms = []
        for a, b in zip(np.ravel(p).tolist(), np.ravel(q).tolist()):
            if a == 0:
                continue
            if b == 0:
                return mpmath.inf
            x = mpmath.mpf(a)
            terms.append(x * mpmath.log(x / mpmath.mpf(b)))
        return +mpmath.fsum(terms)


def true_psi(p: float, q: float):
    with mpmath.workdps(60):
        x, y = mpmath.mpf(p), mpmath.mpf(q)
        return x * mpmath.log(x / y) - x + y


def kl_ulps(p, q) -> float:
    return ulp_error(float(kernels.kl_divergence(p, q)), true_kl(p, q), F64)


# --------------------------------------------------------------------------------------------
# The terms: psi(p, q) to about one rounding
# --------------------------------------------------------------------------------------------

RATIO_RANGES = [(1e-300, 1e-3), (1e-3, 0.3), (0.3, 0.5), (0.5, 0.9), (0.9, 1 - 1e-6),
                (1 - 1e-6, 1 + 1e-6), (1 + 1e-6, 1.1), (1.1, 2.0), (2.0, 2.9), (2.9, 4.0),
                (4.0, 8.0), (8.0, 1e3), (1e3, 1e300)]


@pytest.mark.parametrize("low, high", RATIO_RANGES)
def test_kl_div_terms_are_within_two_roundings(low, high):
    rng = np.random.default_rng(int(low * 1e6) % 1000 + int(high) % 1000)
    q = rng.uniform(1e-3, 1.0, 300) * 10.0 ** rng.integers(-200, 1, 300)
    p = q * np.exp(rng.uniform(np.log(low), np.log(high), 300))
    keep = (p > 0) & np.isfinite(p) & (p < 1e300)
    p, q = p[keep], q[keep]
    got = primitives.kl_div(p, q)
    with mpmath.workdps(60):
        relative = [float(abs(mpmath.mpf(float(g)) - t) / t) / U
                    for g, t in zip(got, (true_psi(a, b) for a, b in zip(p, q)))]
    assert max(relative) <= 2.0, (low, high, max(relative))


def test_the_literal_kl_div_cancels():
    """SciPy's formula p log(p/q) - p + q returns 0 (or worse) where psi is 2.5e-19."""
    p, q = np.array([0.5]), np.array([0.5 * (1 + 1e-9)])
    literal = float(p[0] * np.log(p[0] / q[0]) - p[0] + q[0])
    truth = true_psi(0.5, float(q[0]))
    assert ulp_error(literal, truth, F64) > 1e6
    assert ulp_error(float(primitives.kl_div(p, q)[0]), truth, F64) <= 1


def test_kl_div_conventions():
    p = np.array([0.0, 0.0, 1.0, -1.0, 0.5, np.nan, 0.5, 1e-300])
    q = np.array([0.0, 0.25, 0.0, 0.5, -0.5, 0.5, np.nan, 0.5])
    got = primitives.kl_div(p, q)
    assert got[:5].tolist() == [0.0, 0.25, np.inf, np.inf, np.inf]
    assert np.isnan(got[5]) and np.isnan(got[6])
    assert ulp_error(float(got[7]), true_psi(1e-300, 0.5), F64) <= 1


# --------------------------------------------------------------------------------------------
# The sums: 4 ULP on exactly normalised inputs
# --------------------------------------------------------------------------------------------

def normalised_sets():
    rng = np.random.default_rng(2024)
    sets = []
    for kind in ("dyadic", "near"):
        for n in (2, 3, 10, 100, 1000):
            sets += [(kind, *exactly_normalised_pair(rng, n, kind)) for _ in range(5)]
    for kind in ("wide", "permuted"):
        sets += [(kind, *exactly_normalised_pair(rng, 40, kind)) for _ in range(5)]
    # q = p with a few entries moved by exact amounts
    for n in (2, 5, 50):
        p, _ = exactly_normalised_pair(rng, n, "dyadic")
        q = p.copy()
        for _ in range(3):
            i, j = rng.choice(n, size=2, replace=False)
            step = np.ldexp(float(rng.integers(1, 2 ** 20)), -52)
            if step < q[j]:
                q[i] += step
                q[j] -= step
        sets.append(("moved", p, q))
    return sets


def test_exactly_normalised_kl_is_within_4_ulp():
    """Max over 75 normalised pairs, n from 2 to 1000, from 1e-300 to 0.5, p ~ q to 1e-9."""
    errors = []
    for kind, p, q in normalised_sets():
        assert exactly_normalised(p, q), kind
        errors.append((kl_ulps(p, q), kind, len(p)))
    worst = max(errors)
    assert worst[0] <= 4.0, worst
    assert float(np.median([e for e, *_ in errors])) <= 1.0


@pytest.mark.parametrize("kind", ["dyadic", "near"])
def test_long_exactly_normalised_kl_is_within_4_ulp(kind):
    p, q = exactly_normalised_pair(np.random.default_rng(7), 10 ** 5, kind)
    assert kl_ulps(p, q) <= 4.0


def test_the_literal_sum_misses_what_the_kernel_gets():
    """p = (1/2, 1/2) against an exactly normalised q about 1e-9 away: the truth is
    5e-19; the terms p log(p/q) cancel to 0 or a negative number."""
    step = np.ldexp(round(0.5e-9 * 2.0 ** 53), -53)
    p, q = np.array([0.5, 0.5]), np.array([0.5 + step, 0.5 - step])
    assert math.fsum(q) == 1.0
    truth = true_kl(p, q)
    got = float(kernels.kl_divergence(p, q))
    assert got > 0 and ulp_error(got, truth, F64) <= 1
    literal = float(np.sum(p * np.log(p / q)))
    assert ulp_error(literal, truth, F64) > 1e6
    assert 4.9e-19 < float(truth) < 5.1e-19


def test_the_normalised_form_is_chosen_per_row_and_along_any_axis():
    rng = np.random.default_rng(3)
    rows = [exactly_normalised_pair(rng, 16, "near") for _ in range(3)]
    p = np.stack([r[0] for r in rows])
    q = np.stack([r[1] for r in rows])
    q[1] = q[1] * (1 + 2.0 ** -52)  # no longer exactly normalised: the terms p log(p/q)
    got = kernels.kl_divergence(p, q)
    assert ulp_error(float(got[0]), true_kl(p[0], q[0]), F64) <= 4
    assert ulp_error(float(got[2]), true_kl(p[2], q[2]), F64) <= 4
    assert got[1] == kernels.kl_divergence(p[1], q[1])  # its own row's value
    along = kernels.kl_divergence(p.T, q.T, axis=0)
    assert along.tolist() == got.tolist()


# --------------------------------------------------------------------------------------------
# Inputs that are not exactly normalised keep the difference bound
# --------------------------------------------------------------------------------------------

def difference_bound(p, q):
    with mpmath.workdps(60):
        size = mpmath.fsum(abs(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)))
                           for a, b in zip(p.tolist(), q.tolist()) if a > 0)
    return (2 + 2 * math.log2(len(p))) * 2.0 ** -52 * size


@pytest.mark.parametrize("p, q", [
    ([1e-300], [0.5]),  # psi = 1/2 against a term of -6.9e-298
    ([1e-300, 0.75], [0.5, 0.25]),
    ([0.5, 0.5], [0.5 * (1 + 1e-9), 0.5 * (1 - 1e-9)]),  # sums to 1 + 5.55e-17
    ([0.25, 0.25, 0.5], [5e-324, 1.0, 0.5]),
])
def test_not_normalised_inputs_stay_within_the_difference_bound(p, q):
    p, q = np.array(p), np.array(q)
    assert not exactly_normalised(p, q)
    got = float(kernels.kl_divergence(p, q))
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(got) - true_kl(p, q)) <= difference_bound(p, q)


def test_dirichlet_inputs_are_recognised_as_not_normalised_without_fsum():
    """Random inputs normalised by a division differ in their sums by ~1e-16, which the
    extraction proves non-zero (the cheap path); exactly normalised ones are never certified."""
    rng = np.random.default_rng(5)
    p, q = rng.dirichlet(np.ones(10 ** 5)), rng.dirichlet(np.ones(10 ** 5))
    if math.fsum(p) != math.fsum(q):
        pieces = [primitives._difference_of_sums_parts(p[None], q[None])]
        assert primitives._nonzero_difference_of_sums(pieces).all()
    for kind in NORMALISED_KINDS:
        a, b = exactly_normalised_pair(rng, 1000, kind)
        pieces = [primitives._difference_of_sums_parts(a[None, :500], b[None, :500]),
                  primitives._difference_of_sums_parts(a[None, 500:], b[None, 500:])]
        assert not primitives._nonzero_difference_of_sums(pieces).any()


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

@st.composite
def dyadic_pairs(draw):
    """Integer counts a, b (b near a or not), completed so that both sum to the same power of
    two: p = a / 2^K and q = b / 2^K are exactly normalised."""
    n = draw(st.integers(1, 12))
    a = draw(st.lists(st.integers(0, 2 ** 40), min_size=n, max_size=n))
    if draw(st.booleans()):
        b = [max(x + draw(st.integers(-3, 3)), 0) for x in a]
    else:
        b = draw(st.lists(st.integers(0, 2 ** 40), min_size=n, max_size=n))
    b = [max(y, 1) if x > 0 else y for x, y in zip(a, b)]
    k = max(sum(a), sum(b)).bit_length() + draw(st.integers(1, 3))
    a.append(2 ** k - sum(a))
    b.append(2 ** k - sum(b))
    return np.ldexp(np.array(a, dtype=np.float64), -k), np.ldexp(np.array(b, dtype=np.float64),
                                                                 -k)


@settings(max_examples=200, deadline=None)
@given(dyadic_pairs())
def test_property_exactly_normalised_kl_within_4_ulp(pair):
    p, q = pair
    assert exactly_normalised(p, q)
    got = float(kernels.kl_divergence(p, q))
    assert got >= 0
    assert ulp_error(got, true_kl(p, q), F64) <= 4.0
