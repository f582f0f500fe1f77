"""Tests of the step verifier: every verdict level, counterexamples, time limits.

Expected values are computed here independently with mpmath at 50 digits from the formulas
written out by hand, never with the code under test.
"""

from __future__ import annotations

import time

import mpmath
import pytest
from sympy import (IndexedBase, KroneckerDelta, Rational, Sum, Symbol, exp, expand, log, sqrt)

from symbinfo import (CrossEntropy, Entropy, KLDivergence, bernoulli, distribution,
                      softmax_cross_entropy, symbolic_distribution)
from symbinfo.assumptions import (Assumptions, index_range, normalised, positive, probability,
                                  real)
from symbinfo.verify import (DIGITS, Verdict, evaluate, rounding_interval, run_with_time_limit,
                             verify_step, weakest)
from symbinfo.assumptions import IndexedValues

n = Symbol("n", integer=True, positive=True)
i = Symbol("i", integer=True, positive=True)
j = Symbol("j", integer=True, positive=True)
c = Symbol("c", integer=True, positive=True)
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
SIMPLEX = Assumptions(normalised(p, n), normalised(q, n))


def test_cross_entropy_identity_is_proved_for_symbolic_n():
    result = verify_step(CrossEntropy(P, Q), "=", Entropy(P) + KLDivergence(P, Q), SIMPLEX)
    assert result.verdict is Verdict.PROVED
    assert result.counterexample is None
    # the log of a quotient needed p_i > 0 and q_i > 0: both conditions are reported
    assert any("p_i > 0" in label for label in result.conditions_used)
    assert any("q_i > 0" in label for label in result.conditions_used)


def _mp(value) -> mpmath.mpf:
    return mpmath.mpf(value.p) / value.q


def test_sign_error_is_refuted_with_a_point_on_the_simplex():
    result = verify_step(CrossEntropy(P, Q), "=", Entropy(P) - KLDivergence(P, Q), SIMPLEX)
    assert result.verdict is Verdict.REFUTED
    point = result.counterexample.exact
    size = int(point["n"])
    ps = [point[f"p[{k}]"] for k in range(1, size + 1)]
    qs = [point[f"q[{k}]"] for k in range(1, size + 1)]
    assert sum(ps) == 1 and sum(qs) == 1  # exactly on the simplex
    assert all(0 < v <= 1 for v in ps + qs)
    with mpmath.workdps(50):
        pairs = [(_mp(a), _mp(b)) for a, b in zip(ps, qs, strict=True)]
        cross = -mpmath.fsum(a * mpmath.log(b) for a, b in pairs)
        entropy = -mpmath.fsum(a * mpmath.log(a) for a, _ in pairs)
        kl = mpmath.fsum(a * mpmath.log(a / b) for a, b in pairs)
        assert abs(cross - (entropy - kl)) > mpmath.mpf(10) ** -10
        assert mpmath.almosteq(mpmath.mpf(result.counterexample.lhs), cross, rel_eps=1e-25)
        assert mpmath.almosteq(mpmath.mpf(result.counterexample.rhs), entropy - kl,
                               rel_eps=1e-25)


def test_bernoulli_identity_needs_the_stated_conditions():
    a, b = Symbol("a"), Symbol("b")
    claim = (CrossEntropy(bernoulli(a, "P"), bernoulli(b, "Q")), "=",
             Entropy(bernoulli(a, "P")) + KLDivergence(bernoulli(a, "P"), bernoulli(b, "Q")))
    stated = verify_step(*claim, Assumptions(probability(a), probability(b)))
    assert stated.verdict is Verdict.PROVED
    assert set(stated.conditions_used) == {"0 < a < 1", "0 < b < 1"}
    # with nothing stated, a and b range over the reals: log(a/b) != log a - log b there
    assert verify_step(*claim).verdict is Verdict.REFUTED


def test_log_rules_are_not_forced():
    x, y = Symbol("x", real=True), Symbol("y", real=True)
    result = verify_step(log(x * y), "=", log(x) + log(y))
    assert result.verdict is Verdict.REFUTED
    assert verify_step(log(x * y), "=", log(x) + log(y),
                       Assumptions(positive(x), positive(y))).verdict is Verdict.PROVED


def test_numerically_true_but_unproved_is_numeric_never_proved():
    result = verify_step(Entropy(P), "<=", log(n), Assumptions(normalised(p, n)))
    assert result.verdict is Verdict.NUMERIC
    assert result.points == 12
    assert "12 sampled points" in result.detail


def test_symbolic_length_identity_without_general_proof_is_checked():
    a = IndexedBase("a", real=True)
    lhs = Sum(Sum(a[j], (j, 1, i)), (i, 1, n))
    rhs = Sum((n - j + 1) * a[j], (j, 1, n))
    result = verify_step(lhs, "=", rhs, Assumptions(real(a)), check_up_to=3)
    assert result.verdict is Verdict.CHECKED
    assert result.checked_up_to == 3
    wrong = verify_step(lhs, "=", Sum((n - j) * a[j], (j, 1, n)), Assumptions(real(a)))
    assert wrong.verdict is Verdict.REFUTED


def test_time_limit_falls_back_to_numeric():
    x, y, z = Symbol("x"), Symbol("y"), Symbol("z")
    claim = ((x + y + z) ** 40, "=", expand((x + y + z) ** 40))  # 861 terms: expanding is slow
    hurried = verify_step(*claim, time_limit=0.05)
    assert hurried.verdict is Verdict.NUMERIC
    assert "general proof: time limit of 0.05 s reached" in hurried.detail
    assert verify_step(*claim, time_limit=30).verdict is Verdict.PROVED


def _expand_then_hang(*, send):
    send(("expanded", 1))
    while True:
        pass


def test_each_stage_has_the_time_limit_and_earlier_reports_are_kept():
    report = run_with_time_limit(_expand_then_hang, (), 0.5)
    assert report.messages == {"expanded": (1,)}
    assert "time limit of 0.5 s" in report.note


def _forever(*, send):
    send(("started",))
    while True:
        pass


def test_a_symbolic_attempt_that_never_ends_is_stopped():
    begin = time.perf_counter()
    report = run_with_time_limit(_forever, (), 0.5)
    assert report.messages == {"started": ()}
    assert "time limit" in report.note
    assert time.perf_counter() - begin < 5


def test_gibbs_inequality_proved_and_its_reverse_refuted():
    proved = verify_step(KLDivergence(P, Q), ">=", 0, SIMPLEX)
    assert proved.verdict is Verdict.PROVED
    assert any("x - 1" in label for label in proved.conditions_used)
    assert verify_step(KLDivergence(P, Q), "<=", 0, SIMPLEX).verdict is Verdict.REFUTED


def test_entropy_is_nonnegative_because_p_is_at_most_one():
    assert verify_step(Entropy(P), ">=", 0, Assumptions(normalised(p, n))).verdict \
        is Verdict.PROVED
    # positive entries that need not sum to 1 can exceed 1: H >= 0 is then false
    assert verify_step(Entropy(P), ">=", 0, Assumptions(positive(p))).verdict \
        is Verdict.REFUTED


def test_kronecker_sum_collapses_only_with_the_index_range_stated():
    claim = (Sum(KroneckerDelta(i, c) * log(q[i]), (i, 1, n)), "=", log(q[c]))
    assert verify_step(*claim, Assumptions(normalised(q, n), index_range(c, n))).verdict \
        is Verdict.PROVED
    # without 1 <= c <= n the collapse is not licensed: q_c is then only sampled in range
    assert verify_step(*claim, Assumptions(normalised(q, n))).verdict is Verdict.NUMERIC


def test_inequality_direction_matters():
    x = Symbol("x")
    A = Assumptions(positive(x))
    assert verify_step(log(x), "<=", x - 1, A).verdict is Verdict.PROVED
    assert verify_step(log(x), ">=", x - 1, A).verdict is Verdict.REFUTED


def test_unsupported_relation_is_an_error():
    with pytest.raises(ValueError, match="relation"):
        verify_step(1, "<", 2)


def test_evaluate_matches_mpmath():
    x = Symbol("x")
    a = IndexedBase("a")
    expr = Sum(a[i] * log(a[i]), (i, 1, n)) + sqrt(x) * exp(-x)
    values = {x: Rational(3, 7), n: 3, a: IndexedValues(
        {(1,): Rational(1, 5), (2,): Rational(3, 10), (3,): Rational(1, 2)})}
    with mpmath.workdps(50):
        expected = (mpmath.mpf(1) / 5 * mpmath.log(mpmath.mpf(1) / 5)
                    + mpmath.mpf(3) / 10 * mpmath.log(mpmath.mpf(3) / 10)
                    + mpmath.mpf(1) / 2 * mpmath.log(mpmath.mpf(1) / 2)
                    + mpmath.sqrt(mpmath.mpf(3) / 7) * mpmath.exp(-mpmath.mpf(3) / 7))
        assert mpmath.almosteq(evaluate(expr, values), expected, rel_eps=mpmath.mpf(10) ** -45)


def test_weakest_orders_the_verdicts():
    assert weakest([Verdict.PROVED, Verdict.CHECKED]) is Verdict.CHECKED
    assert weakest([Verdict.NUMERIC, Verdict.UNDECIDED, Verdict.PROVED]) is Verdict.UNDECIDED
    assert weakest([Verdict.PROVED, Verdict.REFUTED, Verdict.UNDECIDED]) is Verdict.REFUTED
    assert DIGITS >= 40


def test_rounding_claims_are_decided_by_interval_arithmetic():
    h_bits = Entropy(distribution(["0.99", "0.01"]), base="bits")
    # mpmath at 50 digits: 0.080793135895911172824866...
    with mpmath.workdps(50):
        value = -(mpmath.mpf("0.99") * mpmath.log(mpmath.mpf("0.99"))
                  + mpmath.mpf("0.01") * mpmath.log(mpmath.mpf("0.01"))) / mpmath.log(2)
        written = mpmath.nstr(value, 19)
    assert verify_step(h_bits, "≈", written).verdict is Verdict.PROVED
    assert verify_step(h_bits, "≈", "0.08079313589591117283").verdict is Verdict.REFUTED
    # a truncation is not a rounding: ...4826077879 does not round to ...482607
    truncated = verify_step(softmax_cross_entropy([2, 1, "0.1"], 0), "≈",
                            "0.417030016277833482607")
    assert truncated.verdict is Verdict.REFUTED
    assert truncated.counterexample.lhs.startswith("0.41703001627783348260778")
    assert verify_step(Rational(1, 8), "≈", "0.12").verdict is Verdict.UNDECIDED  # a tie
    assert verify_step(log(Symbol("x")), "≈", "0.5").verdict is Verdict.UNDECIDED
    assert rounding_interval("2.50e-3") == (Rational(2495, 10 ** 6), Rational(2505, 10 ** 6))
    with pytest.raises(ValueError, match="not a decimal"):
        rounding_interval("1/2")


def test_a_symbol_that_cannot_be_sampled_makes_the_step_undecided_not_refuted():
    t = Symbol("t", negative=True)
    assert verify_step(sqrt(t ** 2), "=", -t).verdict is Verdict.PROVED  # by SymPy's own rule
    assert verify_step(sqrt(t ** 2) + log(t + 1), "=", log(t + 1) - t + 1).verdict \
        is Verdict.UNDECIDED
