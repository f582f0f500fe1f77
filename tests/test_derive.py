"""Tests of the derivation API and the named rules: chains verify step by step, broken
derivations are refuted, rules respect the side conditions."""

from __future__ import annotations

import mpmath
import pytest
from sympy import (IndexedBase, Product, Rational, Sum, Symbol, log)

from symbinfo import CrossEntropy, Entropy, KLDivergence, symbolic_distribution
from symbinfo.assumptions import (Assumptions, normalised, positive, probability,
                                  unit_interval)
from symbinfo.derive import rules
from symbinfo.derive.chain import Derivation
from symbinfo.derive.library import LIBRARY, build, verify_library
from symbinfo.verify import Verdict

n = Symbol("n", integer=True, positive=True)
i = Symbol("i", integer=True, positive=True)
N = Symbol("N", integer=True, positive=True)
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
SIMPLEX = (normalised(p, n), normalised(q, n))


def test_a_user_derivation_through_the_public_api():
    d = Derivation("ce_split", "CE = H + KL", Assumptions(*SIMPLEX))
    d.start(CrossEntropy(P, Q)).apply(rules.DEFINITION)
    d.equals(Entropy(P) + KLDivergence(P, Q), "recognise H(P) and KL")
    result = d.verify()
    assert result.verdict is Verdict.PROVED
    assert [r.step.relation for r in result.steps()] == ["=", "="]
    assert result.meets_expectation
    record = result.to_json()
    assert record["verdict"] == "proved" and len(record["steps"]) == 2
    assert record["steps"][0]["justification"] == "definition"


def test_sign_error_in_ce_identity_is_refuted_and_sinks_the_derivation():
    d = Derivation("broken", "broken", Assumptions(*SIMPLEX))
    d.start(CrossEntropy(P, Q)).apply(rules.DEFINITION)
    d.equals(Entropy(P) - KLDivergence(P, Q), "a sign error")
    result = d.verify()
    verdicts = [r.result.verdict for r in result.steps()]
    assert verdicts == [Verdict.PROVED, Verdict.REFUTED]
    assert result.verdict is Verdict.REFUTED and not result.meets_expectation
    assert result.to_json()["steps"][1]["detail"].startswith("fails at")


def test_bernoulli_likelihood_missing_exponent_is_refuted():
    y, x = IndexedBase("y", real=True), IndexedBase("x", real=True)
    good = Product(y[i] ** x[i] * (1 - y[i]) ** (1 - x[i]), (i, 1, N))
    bad = Product(y[i] ** x[i] * (1 - y[i]), (i, 1, N))  # (1 - x_i) exponent forgotten
    target = Sum(x[i] * log(y[i]) + (1 - x[i]) * log(1 - y[i]), (i, 1, N))
    A = Assumptions(probability(y), unit_interval(x))
    right = Derivation("good", "good", A).start(log(good)).equals(target, "log rules").verify()
    wrong = Derivation("bad", "bad", A).start(log(bad)).equals(target, "log rules").verify()
    assert right.verdict is Verdict.PROVED
    assert wrong.verdict is Verdict.REFUTED
    (report,) = wrong.steps()
    point = report.result.counterexample.exact
    # independent check of the counterexample at 50 digits
    size = int(point["N"])
    with mpmath.workdps(50):
        def mp(v):
            return mpmath.mpf(v.p) / v.q
        ys = [mp(point[f"y[{k}]"]) for k in range(1, size + 1)]
        xs = [mp(point[f"x[{k}]"]) for k in range(1, size + 1)]
        pairs = list(zip(xs, ys, strict=True))
        lhs = mpmath.fsum(xk * mpmath.log(yk) + mpmath.log(1 - yk) for xk, yk in pairs)
        rhs = mpmath.fsum(xk * mpmath.log(yk) + (1 - xk) * mpmath.log(1 - yk) for xk, yk in pairs)
        assert abs(lhs - rhs) > mpmath.mpf(10) ** -20
        assert mpmath.almosteq(mpmath.mpf(report.result.counterexample.lhs), lhs,
                               rel_eps=mpmath.mpf(10) ** -25)


def test_split_log_only_where_positivity_is_established():
    a, b = Symbol("a"), Symbol("b")
    assert rules.split_log(log(a * b), Assumptions()).expr == log(a * b)
    split = rules.split_log(log(a / (1 - b)), Assumptions(positive(a), probability(b)))
    assert split.expr == log(a) - log(1 - b)
    assert set(split.conditions) == {"a > 0", "0 < b < 1"}
    # 1 - b is not known positive when b is merely positive
    assert rules.split_log(log(a * (1 - b)), Assumptions(positive(a), positive(b))).expr \
        == log(a * (1 - b))


def test_split_sums_pulls_constants_and_normalisation_substitutes():
    c = Symbol("c")
    expr = Sum(c * p[i] + p[i] * log(q[i]), (i, 1, n))
    split = rules.split_sums(expr, Assumptions(*SIMPLEX)).expr
    assert split == c * Sum(p[i], (i, 1, n)) + Sum(p[i] * log(q[i]), (i, 1, n))
    normalised_ = rules.apply_normalisation(split, Assumptions(*SIMPLEX))
    assert normalised_.expr == c + Sum(p[i] * log(q[i]), (i, 1, n))
    assert len(normalised_.conditions) == 1
    # no normalisation stated: the sum stays
    assert rules.apply_normalisation(split, Assumptions()).expr == split
    assert rules.split_sums(Sum(Rational(1, 2), (i, 1, n)), Assumptions()).expr == n / 2


def test_recognise_replaces_a_definition_by_its_measure():
    expr = 3 - Sum(p[i] * log(p[i]), (i, 1, n))
    assert rules.recognise(Entropy(P))(expr, Assumptions()).expr == 3 + Entropy(P)


def test_steps_need_a_start_and_a_justification():
    d = Derivation("x", "x")
    with pytest.raises(ValueError, match="start"):
        d.equals(1, "why")
    with pytest.raises(ValueError, match="justification"):
        d.start(1).equals(1, "")
    with pytest.raises(ValueError, match="name"):
        Derivation("bad name", "x")


def test_library_names_and_order():
    assert len(LIBRARY) == 18
    assert list(LIBRARY)[:3] == ["information_additivity", "entropy_expectation",
                                 "cross_entropy_decomposition"]
    with pytest.raises(ValueError, match="no derivation named"):
        build("nope")


@pytest.fixture(scope="module")
def library_results():
    return {result.derivation.name: result for result in verify_library()}


@pytest.mark.parametrize("name", list(LIBRARY))
def test_library_derivation_reaches_its_expected_verdict(library_results, name):
    result = library_results[name]
    assert result.verdict.value == LIBRARY[name].expected == "proved"
    for report in result.steps():
        assert report.result.verdict is Verdict.PROVED, (name, report.result.detail)
        assert report.step.justification


def test_library_worked_example_captions_match_mpmath(library_results):
    captions = " ".join(chain.caption for name in ("cross_entropy_decomposition",
                                                    "one_hot_cross_entropy", "worked_examples")
                        for chain, _ in library_results[name].chains)
    with mpmath.workdps(60):
        kl = mpmath.mpf("0.2") * mpmath.log(mpmath.mpf("0.4")) \
            + mpmath.mpf("0.8") * mpmath.log(mpmath.mpf("1.6"))
        h_bits = -(mpmath.mpf("0.99") * mpmath.log(mpmath.mpf("0.99"))
                   + mpmath.mpf("0.01") * mpmath.log(mpmath.mpf("0.01"))) / mpmath.log(2)
        logits = [mpmath.mpf(2), mpmath.mpf(1), mpmath.mpf("0.1")]
        softmax_ce = -mpmath.log(mpmath.exp(logits[0]) / mpmath.fsum(map(mpmath.exp, logits)))
        softmax_0 = mpmath.exp(logits[0]) / mpmath.fsum(map(mpmath.exp, logits))
        expected = [kl, -mpmath.log(mpmath.mpf("0.4")), h_bits,
                    -mpmath.log(mpmath.mpf("0.01")) / mpmath.log(2), softmax_ce, softmax_0]
        for value in expected:
            assert mpmath.nstr(value, 50, strip_zeros=False) in captions
