"""Hypothesis properties of the measures on random explicit distributions.

Distributions are drawn as exact rationals (random integer weights, normalised), with zeros
allowed, so that the conventions 0 log 0 = 0 and KL = +oo where q = 0 < p are exercised.
Exact identities are compared exactly; inequalities at 50 digits; and every value is also
compared with an independent mpmath computation (tests/reference.py).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from symbinfo import (conditional_entropy, cross_entropy, distribution, entropy,
                      joint_distribution, joint_entropy, js_divergence, kl_divergence,
                      mutual_information)
from tests.reference import agree, mp_entropy, mp_kl, mp_mutual_information, mpf

DIGITS = 50


def _normalised(weights: list[int]) -> list[Fraction]:
    total = sum(weights)
    return [Fraction(w, total) for w in weights]


def probability_vectors(min_size: int = 1, max_size: int = 6, zeros: bool = True):
    low = 0 if zeros else 1
    return (st.lists(st.integers(low, 1000), min_size=min_size, max_size=max_size)
            .filter(lambda w: sum(w) > 0).map(_normalised))


@st.composite
def pairs_of_distributions(draw, zeros_in_p: bool = True):
    """(p, q) on the same outcomes, q strictly positive so that KL is finite."""
    p = draw(probability_vectors(zeros=zeros_in_p))
    q = draw(probability_vectors(min_size=len(p), max_size=len(p), zeros=False))
    return p, q


@st.composite
def joint_tables(draw):
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(1, 4))
    flat = draw(probability_vectors(rows * columns, rows * columns))
    return [flat[r * columns:(r + 1) * columns] for r in range(rows)]


def value(expr: sympy.Expr) -> mpmath.mpf:
    return mpf(expr.evalf(DIGITS + 10))


@given(probability_vectors())
def test_entropy_is_between_zero_and_log_n(p):
    H = value(entropy(distribution(p)))
    with mpmath.workdps(DIGITS):
        assert H >= -mpmath.mpf(10) ** -DIGITS
        assert H <= mpmath.log(len(p)) + mpmath.mpf(10) ** -DIGITS
    assert agree(H, mp_entropy(p), digits=45)


@given(pairs_of_distributions())
def test_kl_is_nonnegative_and_matches_reference(pq):
    p, q = pq
    D = value(kl_divergence(distribution(p), distribution(q, "Q")))
    assert D >= -mpmath.mpf(10) ** -DIGITS
    assert agree(D, mp_kl(p, q), digits=45)


@given(probability_vectors())
def test_kl_of_a_distribution_with_itself_is_zero(p):
    P = distribution(p)
    assert kl_divergence(P, P) == 0


@given(pairs_of_distributions())
def test_cross_entropy_is_entropy_plus_kl_exactly(pq):
    p, q = pq
    P, Q = distribution(p), distribution(q, "Q")
    difference = cross_entropy(P, Q) - entropy(P) - kl_divergence(P, Q)
    # Exact: after splitting logs into primes the difference must vanish identically.
    assert sympy.expand_log(difference, factor=True) == 0


@given(pairs_of_distributions(zeros_in_p=False))
def test_kl_is_infinite_where_q_vanishes_and_p_does_not(pq):
    p, q = pq
    assume(len(p) >= 2)
    q_with_zero = [Fraction(0)] + _normalised([int(x * 1000) + 1 for x in q[1:]])
    assert kl_divergence(distribution(p), distribution(q_with_zero, "Q")) == sympy.oo
    assert cross_entropy(distribution(p), distribution(q_with_zero, "Q")) == sympy.oo


@given(pairs_of_distributions())
def test_js_divergence_is_between_zero_and_log2(pq):
    p, q = pq
    J = value(js_divergence(distribution(p), distribution(q, "Q")))
    with mpmath.workdps(DIGITS):
        assert -mpmath.mpf(10) ** -DIGITS <= J <= mpmath.log(2) + mpmath.mpf(10) ** -DIGITS


@given(joint_tables())
def test_mutual_information_identities(table):
    J = joint_distribution(table)
    I = value(mutual_information(J))
    H_X = value(entropy(J.marginal("X")))
    H_Y = value(entropy(J.marginal("Y")))
    H_XY = value(joint_entropy(J))
    H_X_given_Y = value(conditional_entropy(J, "X"))
    H_Y_given_X = value(conditional_entropy(J, "Y"))
    with mpmath.workdps(DIGITS + 10):
        assert I >= -mpmath.mpf(10) ** -DIGITS
        assert agree(I, H_X + H_Y - H_XY, digits=45)
        assert agree(I, H_X - H_X_given_Y, digits=45)
        assert agree(H_XY, H_X + H_Y_given_X, digits=45)  # chain rule
        assert agree(I, mp_mutual_information(table), digits=45)
