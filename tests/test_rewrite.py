"""The stable-rewrite rules: each one rewrites what it should, means the same thing, and is
accurate where the literal form is not (the naive lambdify is checked to be poor, so the test
can fail). Reference values are mpmath at 50 digits, written out here."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy
from sympy import IndexedBase, Sum, Symbol, exp, log
from sympy.codegen.rewriting import expm1_opt

from symbinfo import definitions as d
from symbinfo.distributions import bernoulli, symbolic_distribution, symbolic_joint_distribution
from symbinfo.kernels import rewrite as rw
from symbinfo.kernels.build import lambdify_stable
from symbinfo.vectors import symbolic_vector

pytestmark = pytest.mark.usefixtures("kernel_backend")  # each test on each backend

x, y = Symbol("x", positive=True), Symbol("y", positive=True)
s = Symbol("s", real=True)
Z = symbolic_vector("z", "K")
j, k = Symbol("j", integer=True, positive=True), Symbol("k", integer=True, positive=True)
c = Symbol("c", integer=True, nonnegative=True)


def naive(args, expr):
    """The literal definition, lambdified without the rewrite pass."""
    return sympy.lambdify(args, expr, modules="numpy")


def ulps(got: float, truth: str) -> float:
    with mpmath.workdps(50):
        t = mpmath.mpf(truth)
        return float(abs(mpmath.mpf(got) - t) / mpmath.mpf(float(np.spacing(abs(float(t))))))


# --------------------------------------------------------------------------------------------
# Each rule: structure, meaning, accuracy
# --------------------------------------------------------------------------------------------

def test_logsumexp_rule_shifts_by_the_max():
    definition = d.logsumexp(Z)
    rewritten = rw.logsumexp_opt(definition)
    assert rewritten == rw.LogSumExp(Z[j], sympy.Tuple(j, 1, Z.length))
    assert rw.expand_nodes(rewritten) == definition
    z = np.array([1000.0, 1000.0])
    a, b = sympy.symbols("a b", real=True)
    with np.errstate(over="ignore"):
        assert np.isinf(naive([a, b], d.logsumexp([a, b]))(*z))
    stable = lambdify_stable([Z.base], definition)
    assert ulps(float(stable(z)[0]), "1000.6931471805599453094172321214581765680755001344") <= 1


def test_log_softmax_rule_is_accurate_at_a_dominant_maximum():
    definition = d.log_softmax(Z, c)
    rewritten = rw.log_softmax_opt(definition)
    assert isinstance(rewritten, rw.LogSoftmax)
    assert rw.expand_nodes(rewritten) == definition
    kernel = lambdify_stable([Z.base, c], definition)
    got = float(kernel(np.array([100.0, 0, 0, 0, 0]), np.array(0))[0])
    assert got != 0.0  # z_c - logsumexp(z) rounds to exactly 0
    assert ulps(got, "-1.488030390408334385183878321545247334943556806239e-43") <= 1


def test_softmax_rule_compensates_the_shift_behind_a_gap():
    definition = d.softmax(Z, k)
    assert isinstance(rw.softmax_opt(definition), rw.Softmax)
    kernel = lambdify_stable([Z.base], definition, bound=(k,))
    z = np.array([1000.0, 299.7, -400.1, 999.9])
    got = float(kernel(z)[1])
    truth = "3.8345676982640466174307706964459802390001998124406e-305"
    assert ulps(got, truth) <= 2
    shifted = np.exp(z - z.max())
    assert ulps(float(shifted[1] / shifted.sum()), truth) > 50  # the uncompensated shift


def test_softmax_minus_onehot_rule_does_not_cancel_at_the_label():
    definition = d.softmax(Z, k) - sympy.KroneckerDelta(k, c)
    rewritten = rw.optimize(definition)
    assert isinstance(rewritten, rw.SoftmaxMinusOneHot)
    kernel = lambdify_stable([Z.base, c], definition, bound=(k,))
    got = kernel(np.array([40.0, 0.0]), np.array(0))
    truth = "-4.2483542552915889772807209044045063714347627178862e-18"
    assert ulps(float(got[0]), truth) <= 2
    p = np.exp(np.array([0.0, -40.0]))
    assert p[0] / p.sum() - 1.0 == 0.0  # the literal difference


def test_log_sigmoid_rules_use_softplus():
    assert rw.log_sigmoid_opt(log(d.Sigmoid(s))) == -d.Softplus(-s)
    assert rw.log_sigmoid_opt(log(1 - d.Sigmoid(s))) == -d.Softplus(s)
    kernel = lambdify_stable([s], log(1 - d.Sigmoid(s)))
    truth = "-40.000000000000000004248354255291588986304977843632"
    assert ulps(float(kernel(np.array(40.0))), truth) <= 1
    with np.errstate(divide="ignore"):
        assert np.isinf(naive([s], log(1 - 1 / (1 + exp(-s))))(40.0))


def test_one_minus_sigmoid_rule():
    assert rw.one_minus_sigmoid_opt(1 - d.Sigmoid(s)) == d.Sigmoid(-s)
    kernel = lambdify_stable([s], 1 - d.Sigmoid(s))
    truth = "4.2483542552915889772807209044045063714347627178862e-18"
    assert ulps(float(kernel(np.array(40.0))), truth) <= 1
    assert naive([s], 1 - 1 / (1 + exp(-s)))(40.0) == 0.0


def test_softplus_rule_does_not_overflow():
    assert rw.softplus_opt(log(1 + exp(s))) == d.Softplus(s)
    kernel = lambdify_stable([s], log(1 + exp(s)))
    assert float(kernel(np.array(800.0))) == 800.0
    with np.errstate(over="ignore"):
        assert np.isinf(naive([s], log(1 + exp(s)))(800.0))


def test_rel_entr_rule_simplifies_the_difference():
    assert rw.optimize(x * log(x / y)) == rw.RelEntr(x, y, x - y)
    js_term = x * log(x / (x / 2 + y / 2))
    node = rw.optimize(js_term)
    assert node.args[:2] == (x, x / 2 + y / 2)
    assert node.args[2] == sympy.Mul(sympy.Rational(1, 2), x - y, evaluate=False)
    kernel = lambdify_stable([x, y], x * log(x / y))
    p, q = 0.5, 0.5 * (1 + 1e-9)
    truth = "-0.00000000050000004112018545834166625491580235904353849129175"
    assert ulps(float(kernel(np.array(p), np.array(q))), truth) <= 2
    assert ulps(float(naive([x, y], x * log(x / y))(p, q)), truth) > 1000


def test_rel_entr_conventions():
    kernel = lambdify_stable([x, y], x * log(x / y))
    p = np.array([0.0, 0.0, 1.0, 1.0])
    q = np.array([0.0, 0.5, 0.0, 5e-324])
    got = kernel(p, q)
    assert got[:3].tolist() == [0.0, 0.0, np.inf]
    assert ulps(float(got[3]), "744.44007192138126231410729844608163411308714430291") <= 1


def test_rel_entr_sum_rule_sums_non_negative_terms_when_normalised():
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    definition = d.kl_divergence(P, Q)
    rewritten = rw.optimize(definition)
    assert isinstance(rewritten, rw.RelEntrSum)
    assert rewritten.args[:3] == (P.probability(rewritten.limits[0]),
                                  Q.probability(rewritten.limits[0]),
                                  P.probability(rewritten.limits[0])
                                  - Q.probability(rewritten.limits[0]))
    assert rewritten.rewrite(log) == definition
    assert rw.expand_nodes(rewritten) == definition
    # only a sum of single KL terms over one index: not JS (two terms), not MI (two indices)
    assert not rw.optimize(d.js_divergence(P, Q)).has(rw.RelEntrSum)
    assert not rw.optimize(d.mutual_information(symbolic_joint_distribution())).has(
        rw.RelEntrSum)
    kernel = lambdify_stable([P.probability(1).base, Q.probability(1).base], definition)
    p, q = np.array([0.5, 0.5]), np.array([0.5 + 2.0 ** -31, 0.5 - 2.0 ** -31])  # sum: 1
    truth = "4.3368086899420177379106021647954268530153455875466e-19"
    assert ulps(float(kernel(p, q)[0]), truth) <= 1
    assert float(np.sum(p * np.log(p / q))) < 0  # the literal terms cancel to a wrong sign
    p, q = np.array([0.25, 0.75]), np.array([0.25 + 2.0 ** -33, 0.75 - 2.0 ** -33])
    truth = "3.614007240870391107231159641207023294065105426534e-20"
    assert ulps(float(kernel(p, q)[0]), truth) <= 1
    without = lambdify_stable([P.probability(1).base, Q.probability(1).base], definition,
                              rules=tuple(r for r in rw.STABLE_REWRITES
                                          if r is not rw.rel_entr_sum_opt))
    assert ulps(float(without(p, q)[0]), truth) > 1000  # the RelEntr terms alone


def test_rel_entr_sum_keeps_the_terms_where_the_sums_differ():
    """x = 1e-300 against y = 1/2: psi = 1/2 while the term is -6.9e-298."""
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    kernel = lambdify_stable([P.probability(1).base, Q.probability(1).base],
                             d.kl_divergence(P, Q))
    got = float(kernel(np.array([1e-300]), np.array([0.5]))[0])
    assert ulps(got, "-6.9008238071765377716375886471182248158205386357906e-298") <= 2


def test_xlogy_rule_zero_log_zero():
    assert rw.optimize(-2 * x * log(y)) == -2 * rw.XLogY(x, y)
    kernel = lambdify_stable([x], -x * log(x))
    assert float(kernel(np.array(0.0))) == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(naive([x], -x * log(x))(0.0))
    assert np.isnan(kernel(np.array(np.nan)))


def test_xlog1py_rule_keeps_tiny_probabilities():
    definition = d.entropy(bernoulli(x))
    rewritten = rw.optimize(definition)
    assert rewritten.has(rw.XLog1pY)
    kernel = lambdify_stable([x], definition)
    truth = "4.0143946580898779423758680191762461969224353913251e-16"
    assert ulps(float(kernel(np.array(1e-17))), truth) <= 1
    literal = float(naive([x], definition)(1e-17))
    assert abs(literal / float(truth) - 1) > 0.02  # the 2.5 % loss of the literal formula


def test_exp_of_an_xlogy_sum_keeps_the_perplexity_precise():
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    definition = d.perplexity(P, Q)
    rewritten = rw.optimize(definition)
    assert isinstance(rewritten, rw.ExpXLogYSum)
    assert rw.expand_nodes(rewritten) == definition
    kernel = lambdify_stable([P.probability(1).base, Q.probability(1).base], definition)
    p, q = np.array([0.25, 0.25, 0.5]), np.array([5e-324, 0.5, 0.5])
    truth = "1.1280447601217242816726179981673824398160962243502e81"
    assert ulps(float(kernel(p, q)[0]), truth) <= 2
    assert ulps(float(np.exp(-np.sum(p * np.log(q)))), truth) > 20  # exp amplifies H's error


# --------------------------------------------------------------------------------------------
# The pass as a whole
# --------------------------------------------------------------------------------------------

P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
Y = symbolic_vector("y", "K", nonnegative=True)
w = Symbol("w", positive=True)


@pytest.mark.parametrize("definition", [
    d.entropy(P), d.cross_entropy(P, Q), d.kl_divergence(P, Q), d.js_divergence(P, Q),
    d.mutual_information(symbolic_joint_distribution()), d.softmax_cross_entropy(Z, c),
    d.softmax_cross_entropy(Z, Y, label_smoothing=Symbol("epsilon", positive=True)),
    d.bce_with_logits(s, x, pos_weight=w), d.focal_loss(x, y, gamma=2),
], ids=["H", "CE", "KL", "JS", "MI", "CE-labels", "CE-soft", "BCE-logits", "focal"])
def test_rewriting_and_expanding_back_gives_the_definition(definition):
    rewritten = rw.optimize(definition)
    assert rewritten != definition
    assert not rewritten.has(log) or rewritten.has(rw.LogSumExp)  # every log became a node
    back = rw.expand_nodes(rewritten)
    if back != definition:  # an identity (log sigma(s) = -softplus(-s)): check it at points
        for point in ({s: 0.7, x: 0.3, w: 2, y: 0.25}, {s: -3, x: 0.9, w: 1, y: 0.5}):
            assert abs((back - definition).evalf(50, subs=point)) < 1e-45


def test_users_can_extend_the_rule_tuple():
    expression = exp(x) - 1
    without = lambdify_stable([x], expression)
    with_rule = lambdify_stable([x], expression, rules=rw.STABLE_REWRITES + (expm1_opt,))
    assert float(without(np.array(1e-20))) == 0.0
    truth = "9.9999999999999994515827145420957165118105308399615e-21"
    assert ulps(float(with_rule(np.array(1e-20))), truth) <= 1


def test_users_can_lambdify_their_own_expression():
    logistic_loss = -log(d.Sigmoid(s))  # the user's own definition
    kernel = lambdify_stable([s], logistic_loss)
    assert float(kernel(np.array(-800.0))) == 800.0
    assert ulps(float(kernel(np.array(40.0))),
                "4.248354255291588986304977843631582181877750679823e-18") <= 1


def test_rules_leave_unrelated_expressions_alone():
    expression = x ** 2 + sympy.sin(y)
    assert rw.optimize(expression) == expression


def test_a_summation_index_that_indexes_nothing_is_an_error():
    i, n = Symbol("i", integer=True), Symbol("n", integer=True)
    with pytest.raises(NotImplementedError, match="indexes no vector"):
        lambdify_stable([x], Sum(x * i, (i, 1, n)))
    p = IndexedBase("p")
    with pytest.raises(NotImplementedError, match="not summed"):
        lambdify_stable([p], p[i, 1])
