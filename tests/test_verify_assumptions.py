"""Tests of the side conditions: the sign oracle and the sampled points."""

from __future__ import annotations

from sympy import IndexedBase, Rational, Symbol, log

from symbinfo.assumptions import (Assumptions, IndexedValues, index_range, normalised, positive,
                                  probability, real, unit_interval)

n = Symbol("n", integer=True, positive=True)
K = Symbol("K", integer=True, positive=True)


def test_sign_oracle_uses_only_stated_conditions():
    p, q = Symbol("p"), Symbol("q")
    assert Assumptions(probability(p)).is_positive(1 - p)
    assert not Assumptions(positive(p)).is_positive(1 - p)
    assert not Assumptions().is_positive(p)
    assert Assumptions(probability(p), positive(q)).is_positive(q * (1 - p) / p)
    # log p <= 0 on (0, 1), but not for a merely positive p
    assert Assumptions(probability(p)).is_nonnegative(-log(p))
    assert not Assumptions(positive(p)).is_nonnegative(-log(p))


def test_closed_interval_includes_its_end_points():
    x = Symbol("x")
    A = Assumptions(unit_interval(x))
    assert A.is_nonnegative(x * (1 - x))
    assert not A.is_positive(x)  # x = 0 is allowed
    assert not A.is_positive(1 - x)  # and x = 1


def test_normalised_entries_are_at_most_one():
    p = IndexedBase("p")
    i = Symbol("i", integer=True)
    A = Assumptions(normalised(p, n))
    assert A.is_nonnegative(1 - p[i]) and A.is_positive(p[i])
    assert not Assumptions(positive(p)).is_nonnegative(1 - p[i])


def test_samples_satisfy_every_condition():
    p, z, y = IndexedBase("p"), IndexedBase("z"), Symbol("y")
    c = Symbol("c", integer=True, positive=True)
    A = Assumptions(normalised(p, n), real(z), probability(y), index_range(c, K))
    points = A.sample([p, z, y, c, n, K], 40, seed=3)
    assert len(points) == 40
    sizes = {int(point[n]) for point in points}
    assert sizes == {1, 2, 3, 5}
    for point in points:
        size = int(point[n])
        entries = [point[p][k] for k in range(1, size + 1)]
        assert sum(entries) == 1 and all(0 < e <= 1 for e in entries)
        assert 0 < point[y] < 1
        assert 1 <= point[c] <= point[K]
        assert isinstance(point[z], IndexedValues)
    # edge points come first: the uniform distribution, then a nearly one-hot one
    assert points[0][p][1] == Rational(1, int(points[0][n]))
    magnitudes = {abs(point[z][1]) for point in points}
    assert max(magnitudes) >= 10 ** 3 and min(m for m in magnitudes if m) <= Rational(1, 10 ** 7)


def test_sampling_is_reproducible():
    x = Symbol("x")
    A = Assumptions(real(x))
    assert A.sample([x], 10, seed=1) == A.sample([x], 10, seed=1)


def test_a_stated_minimum_length_is_sampled_and_used():
    from symbinfo.assumptions import at_least
    p = IndexedBase("p")
    A = Assumptions(normalised(p, n), at_least(n, 2))
    assert {int(point[n]) for point in A.sample([p, n], 8)} == {2, 3, 4, 6}
    assert A.minimum(n) == 2 and Assumptions().minimum(n) == 1
    assert A.is_positive(n - 1) and not Assumptions().is_positive(n - 1)
    assert A.labels()[1] == r"n \ge 2"


def test_undeclared_symbols_are_sampled_inside_their_sympy_declaration():
    y, x = IndexedBase("y", nonnegative=True), Symbol("x")
    points = Assumptions().sample([y, x], 30, seed=5)
    assert all(point[y][1] > 0 for point in points)
    assert any(point[x] < 0 for point in points) and any(point[x] > 0 for point in points)
