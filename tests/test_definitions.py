"""Definitions on symbolic length, Gaussians, the losses, and the zero conventions."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from sympy import IndexedBase, Rational, Sum, Symbol, exp, log, oo

from symbinfo import (CrossEntropy, Entropy, KLDivergence, Sigmoid, Softplus, bce_with_logits,
                      bernoulli, binary_cross_entropy, conditional_entropy, cosine_similarity,
                      cross_entropy, distribution, entropy, focal_loss, info_nce,
                      kl_divergence, log_softmax, logsumexp, mean_squared_error,
                      mutual_information, normal, perplexity, sample_mean, softmax,
                      softmax_cross_entropy, symbolic_distribution, symbolic_joint_distribution,
                      symbolic_probabilities, symbolic_vector, to_bits, xlogy)
from tests.reference import DPS, agree, exact, mp_mutual_information

i = Symbol("i", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)


def test_symbolic_length_definitions_are_the_textbook_sums():
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    assert entropy(P) == -Sum(p[i] * log(p[i]), (i, 1, n))
    assert cross_entropy(P, Q) == -Sum(p[i] * log(q[i]), (i, 1, n))
    assert kl_divergence(P, Q) == Sum(p[i] * log(p[i] / q[i]), (i, 1, n))
    assert entropy(P, base=2) == -Sum(p[i] * log(p[i]), (i, 1, n)) / log(2)


def test_symbolic_length_matches_explicit_vectors_when_n_is_fixed():
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    values = {p[1]: Rational(1, 5), p[2]: Rational(4, 5), q[1]: Rational(1, 3),
              q[2]: Rational(2, 3)}
    symbolic = kl_divergence(P, Q).subs(n, 2).doit().subs(values)
    explicit = kl_divergence(["1/5", "4/5"], ["1/3", "2/3"])
    assert sympy.expand_log(symbolic - explicit, factor=True) == 0


def test_mutual_information_of_symbolic_table_is_a_double_sum_of_marginals():
    J = symbolic_joint_distribution()
    value = mutual_information(J)
    assert isinstance(value, Sum) and len(value.limits) == 2
    cells = {(1, 1): "0.1", (1, 2): "0.2", (2, 1): "0.3", (2, 2): "0.4"}
    entries = {IndexedBase("p", positive=True)[a, b]: Rational(v) for (a, b), v in cells.items()}
    m = Symbol("m", integer=True, positive=True)
    concrete = value.subs({n: 2, m: 2}).doit().subs(entries)
    table = [["0.1", "0.2"], ["0.3", "0.4"]]
    assert agree(concrete, mp_mutual_information(table), digits=45)


def test_gaussian_kl_closed_form_matches_numerical_integration():
    mu1, mu2 = Symbol("mu1", real=True), Symbol("mu2", real=True)
    s1, s2 = Symbol("sigma1", positive=True), Symbol("sigma2", positive=True)
    closed = kl_divergence(normal(mu1, s1, "P"), normal(mu2, s2, "Q"))
    textbook = log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - Rational(1, 2)
    assert sympy.simplify(sympy.expand_log(closed - textbook)) == 0
    point = {mu1: Rational(3, 10), mu2: -1, s1: Rational(7, 10), s2: 2}
    with mpmath.workdps(30):
        a, b, sa, sb = mpmath.mpf("0.3"), mpmath.mpf(-1), mpmath.mpf("0.7"), mpmath.mpf(2)
        f = lambda x: mpmath.npdf(x, a, sa)  # noqa: E731
        g = lambda x: mpmath.npdf(x, b, sb)  # noqa: E731
        numeric = mpmath.quad(lambda x: f(x) * mpmath.log(f(x) / g(x)), [-mpmath.inf, a, mpmath.inf])
    assert agree(closed.subs(point), numeric, digits=25)


def test_gaussian_entropy_and_vae_term():
    mu, sigma = Symbol("mu", real=True), Symbol("sigma", positive=True)
    H = entropy(normal(mu, sigma))
    assert sympy.simplify(H - log(sigma * sympy.sqrt(2 * sympy.pi * sympy.E))) == 0
    vae = kl_divergence(normal(mu, sigma, "P"), normal(0, 1, "Q"))
    assert sympy.expand(vae - (mu ** 2 + sigma ** 2 - 1 - 2 * log(sigma)) / 2) == 0


def test_unevaluated_objects_expand_by_definition():
    P = distribution(["0.2", "0.8"])
    assert isinstance(Entropy(P), Entropy)
    assert Entropy(P).doit() == entropy(P)
    assert KLDivergence(P, ["0.5", "0.5"]).doit() == kl_divergence(P, ["0.5", "0.5"])
    assert entropy(P, evaluate=False) == Entropy(P)
    assert Entropy(P).rewrite(Sum) == entropy(P)


def test_zero_conventions():
    assert xlogy(0, 0) == 0
    assert entropy([1, 0]) == 0
    assert kl_divergence([0, 1], ["0.5", "0.5"]) == log(2)
    assert kl_divergence([1, 0], [0, 1]) == oo
    assert cross_entropy(["0.5", "0.5"], [1, 0]) == oo
    assert kl_divergence([0, 1], [0, 1]) == 0  # p = q = 0 contributes 0


def test_bernoulli_and_units():
    x = Symbol("x", positive=True)
    assert bernoulli(x).probabilities == (x, 1 - x)
    assert to_bits(entropy(["0.5", "0.5"])) == 1


def test_perplexity_is_exp_of_cross_entropy():
    assert perplexity(["1/4"] * 4) == 4
    assert perplexity(["1/4"] * 4, base=2) == 4
    assert agree(perplexity(["0.2", "0.8"], ["0.5", "0.5"]), 2, digits=45)


def test_conditional_entropy_of_independent_table_is_marginal_entropy():
    from symbinfo import joint_distribution
    J = joint_distribution([["1/8", "3/8"], ["1/8", "3/8"]])
    assert conditional_entropy(J, "Y") == entropy(J.marginal("Y"))
    assert mutual_information(J) == 0


# --- activations and losses ----------------------------------------------------------------

def test_sigmoid_and_softplus():
    s = Symbol("s", real=True)
    assert Sigmoid(s).rewrite(exp) == 1 / (1 + exp(-s))
    assert sympy.simplify(Sigmoid(s).diff(s).rewrite(exp) - Sigmoid(s).rewrite(exp).diff(s)) == 0
    assert Softplus(s).diff(s) == Sigmoid(s)
    with mpmath.workdps(DPS):
        assert agree(Sigmoid(Rational(3, 2)).evalf(DPS), 1 / (1 + mpmath.exp(-exact("1.5"))), 45)
        assert agree(Softplus(-3).evalf(DPS), mpmath.log1p(mpmath.exp(-3)), 45)


def test_softmax_logsumexp_log_softmax():
    assert softmax([0, log(3)]) == (Rational(1, 4), Rational(3, 4))
    assert logsumexp([0, log(3)]) == log(4)
    assert log_softmax([0, log(3)], 0) == -log(4)
    z, c = symbolic_vector("z", "K"), Symbol("c", integer=True, positive=True)
    j, K = Symbol("j", integer=True, positive=True), Symbol("K", integer=True, positive=True)
    assert softmax(z, c) == exp(z[c]) / Sum(exp(z[j]), (j, 1, K))


def test_binary_cross_entropy_is_bernoulli_nll():
    y, x = Symbol("y", positive=True), Symbol("x", nonnegative=True)
    assert binary_cross_entropy(y, x) == -(x * log(y) + (1 - x) * log(1 - y))
    assert binary_cross_entropy("0.25", 1) == 2 * log(2)  # -log(1/4), logs split into primes
    # BCE equals the cross-entropy of the two-point distributions (x, 1-x), (y, 1-y).
    assert binary_cross_entropy("0.3", "0.9") == cross_entropy(bernoulli("0.9"), bernoulli("0.3", "Q"))


def test_binary_cross_entropy_sample_mean():
    N = Symbol("N", integer=True, positive=True)
    y, x = symbolic_vector("y", "N", positive=True), symbolic_vector("x", "N", nonnegative=True)
    expected = Sum(-(x[i] * log(y[i]) + (1 - x[i]) * log(1 - y[i])), (i, 1, N)) / N
    assert binary_cross_entropy(y, x) == expected
    assert binary_cross_entropy(["1/2", "1/4"], [1, 0]) == \
        (binary_cross_entropy("1/2", 1) + binary_cross_entropy("1/4", 0)) / 2


def test_bce_with_logits_against_mpmath():
    for s, x, w in [("2.5", "0.3", 1), ("-33", "0.7", 1), ("0.1", 1, 3)]:
        value = bce_with_logits(s, x, pos_weight=w).evalf(DPS)
        with mpmath.workdps(DPS):
            sv, xv, wv = exact(s), exact(x), exact(w)
            sig = 1 / (1 + mpmath.exp(-sv))
            expected = -(wv * xv * mpmath.log(sig) + (1 - xv) * mpmath.log(1 - sig))
        assert agree(value, expected, digits=40)


def test_focal_loss_reduces_to_bce_and_weights():
    y, x = Symbol("y", positive=True), Symbol("x", nonnegative=True)
    assert focal_loss(y, x, gamma=0) == binary_cross_entropy(y, x)
    value = focal_loss("0.9", 1, gamma=2, alpha="0.25").evalf(DPS)
    with mpmath.workdps(DPS):
        expected = -exact("0.25") * (1 - exact("0.9")) ** 2 * mpmath.log(exact("0.9"))
    assert agree(value, expected, digits=45)


def test_label_smoothing_splits_into_two_cross_entropies():
    logits, eps = [2, 1, "0.1"], Rational(1, 10)
    smoothed = softmax_cross_entropy(logits, 0, label_smoothing=eps)
    uniform_ce = softmax_cross_entropy(logits, [Rational(1, 3)] * 3)
    expected = (1 - eps) * softmax_cross_entropy(logits, 0) + eps * uniform_ce
    assert agree(smoothed, expected.evalf(DPS), digits=45)


def test_soft_and_one_hot_targets():
    logits = [2, 1, "0.1"]
    assert agree(softmax_cross_entropy(logits, [1, 0, 0]), softmax_cross_entropy(logits, 0), 45)
    soft = softmax_cross_entropy(logits, ["0.7", "0.2", "0.1"]).evalf(DPS)
    with mpmath.workdps(DPS):
        z = [exact(2), exact(1), exact("0.1")]
        total = mpmath.fsum(mpmath.exp(v) for v in z)
        y = [exact("0.7"), exact("0.2"), exact("0.1")]
        expected = -mpmath.fsum(t * (v - mpmath.log(total)) for t, v in zip(y, z))
    assert agree(soft, expected, digits=45)


def test_info_nce_is_softmax_cross_entropy_over_scaled_similarities():
    tau = Rational(1, 10)
    value = info_nce("0.9", ["0.1", "-0.3"], temperature=tau)
    as_ce = softmax_cross_entropy([9, 1, -3], 0)
    assert agree(value, as_ce.evalf(DPS), digits=45)
    with pytest.raises(ValueError, match="temperature = 0 must be positive"):
        info_nce(1, [0], temperature=0)


def test_cosine_similarity_and_mse():
    assert cosine_similarity([1, 2, 2], [2, 0, 0]) == Rational(1, 3)
    assert mean_squared_error(["0.5", 2], [0, 0]) == Rational(17, 8)
    N = Symbol("N", integer=True, positive=True)
    yhat, y = symbolic_vector("yhat", "N"), symbolic_vector("y", "N")
    assert mean_squared_error(yhat, y) == sample_mean((yhat[i] - y[i]) ** 2, i, N)


def test_symbolic_probabilities_are_positive_and_sum_condition_recorded():
    ps = symbolic_probabilities("p", 3)
    P = distribution(ps)
    assert all(x.is_positive for x in ps)
    assert P.constraints == (sympy.Eq(sum(ps), 1),)
    assert distribution([ps[0], 1 - ps[0]]).constraints == ()


def test_cross_entropy_object_checks_kinds():
    with pytest.raises(TypeError, match="same kind"):
        CrossEntropy(symbolic_distribution("P"), distribution([1], "Q"))


def test_gaussian_kl_with_indexed_parameters():
    # Regression: SymPy's integrator gave Abs(mu[1]) terms for Indexed means.
    mu, sigma = IndexedBase("mu", real=True), IndexedBase("sigma", positive=True)
    value = kl_divergence(normal(mu[1], sigma[1], "P"), normal(mu[2], sigma[2], "Q"))
    point = {mu[1]: -2, mu[2]: 1, sigma[1]: 1, sigma[2]: 2}
    with mpmath.workdps(DPS):
        expected = mpmath.log(2) + mpmath.mpf(1 + 9) / 8 - mpmath.mpf(1) / 2
    assert agree(value.subs(point), expected, digits=45)
