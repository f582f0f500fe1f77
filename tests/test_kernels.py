"""The NumPy kernels: values against mpmath (50-digit values written out here), SciPy's
conventions at the edges, NumPy conventions (axis, broadcasting, dtype, reduction), identities
between losses, and clear errors."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

from symbinfo import definitions, kernels
from symbinfo.kernels import primitives

pytestmark = pytest.mark.usefixtures("kernel_backend")  # each test on each backend


def ulps(got: float, truth: str, dtype=np.float64) -> float:
    """|got - truth| in ULPs of ``dtype`` at the truth."""
    with mpmath.workdps(60):
        t = mpmath.mpf(truth)
        spacing = float(np.spacing(np.abs(dtype(float(t)))))
        return float(abs(mpmath.mpf(float(got)) - t) / mpmath.mpf(spacing))


# --------------------------------------------------------------------------------------------
# Values (the worked examples of MATH-NOTES and the edge cases)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("got, truth", [
    # the truth for the float64 inputs: rounding 0.2 and 0.8 alone moves MATH-NOTES'
    # 0.192744757021757429884 (for the decimals) by 2.3 ULP
    (lambda: kernels.kl_divergence([0.2, 0.8], [0.5, 0.5]),
     "0.1927447570217574960946787698897206536386"),
    (lambda: kernels.cross_entropy([0.2, 0.8], [0.5, 0.5]), "0.693147180559945309417"),
    (lambda: kernels.entropy([0.2, 0.8]), "0.500402423538187879533"),
    (lambda: kernels.entropy([0.99, 0.01], base="bits"), "0.0807931358959111728"),
    (lambda: kernels.cross_entropy([0.0, 0.0, 1.0], [0.3, 0.3, 0.4]),
     "0.916290731874155065183"),
    (lambda: kernels.softmax_cross_entropy([2.0, 1.0, 0.1], np.array(0)),
     "0.417030016277833482607"),
    (lambda: kernels.softmax([2.0, 1.0, 0.1])[1], "0.242432970704713921524"),
    (lambda: kernels.binary_entropy(1e-17),
     "4.0143946580898779423758680191762461969224353913251e-16"),
    (lambda: kernels.log_softmax([100.0, 0, 0, 0, 0])[0],
     "-1.488030390408334385183878321545247334943556806239e-43"),
    (lambda: kernels.softmax_cross_entropy([40.0, 0.0], np.array(0)),
     "4.248354255291588986304977843631582181877750679823e-18"),
    (lambda: kernels.kl_divergence([1.0, 0.0], [5e-324, 1.0]),
     "744.44007192138126231410729844608163411308714430291"),
    (lambda: kernels.logsumexp([1000.0, 1000.0]),
     "1000.6931471805599453094172321214581765680755001344"),
    (lambda: kernels.bce_with_logits([-33.0], [0.3]),
     "9.9000000000000042925125469770848532343905749768452"),
    (lambda: kernels.softmax_cross_entropy_grad([40.0, 0.0], np.array(0))[0],
     "-4.2483542552915889772807209044045063714347627178862e-18"),
], ids=["KL", "CE", "H", "H-bits", "CE-onehot", "softmax-CE", "softmax", "h(1e-17)",
        "log-softmax-dominant", "CE-dominant", "KL-q-subnormal", "logsumexp-1000",
        "bce-logits-soft-33", "grad-at-label"])
def test_values_against_mpmath(got, truth):
    assert ulps(float(got()), truth) <= 2


def test_kl_when_p_is_close_to_q_does_not_cancel_to_zero():
    # sum of the exact terms of the definition at these floats (mpmath, 50 digits)
    got = float(kernels.kl_divergence([0.5, 0.5], [0.5 * (1 + 1e-9), 0.5 * (1 - 1e-9)]))
    truth = mpmath.mpf("-5.5011151204028605397151031044469167144953720317412e-17")
    terms = mpmath.mpf("1.0000000272292197126547e-9")  # sum of |p log(p/q)|
    assert abs(got - truth) <= 4 * np.finfo(float).eps * terms
    assert got != 0.0


# --------------------------------------------------------------------------------------------
# Conventions at the edges (SciPy's)
# --------------------------------------------------------------------------------------------

def test_zero_probabilities():
    assert float(kernels.entropy([0.0, 1.0])) == 0.0
    assert float(kernels.cross_entropy([0.0, 1.0], [0.0, 1.0])) == 0.0
    assert float(kernels.kl_divergence([0.0, 1.0], [0.0, 1.0])) == 0.0  # p = q = 0 gives 0
    assert float(kernels.kl_divergence([0.5, 0.5], [0.0, 1.0])) == math.inf
    assert float(kernels.cross_entropy([0.5, 0.5], [0.0, 1.0])) == math.inf
    assert float(kernels.js_divergence([1.0, 0.0], [0.0, 1.0], base="bits")) == 1.0


def test_nan_conventions_follow_scipy():
    assert np.isnan(kernels.cross_entropy([0.0, 1.0], [np.nan, 1.0]))  # xlogy(0, nan) = nan
    assert np.isnan(kernels.entropy([np.nan, 1.0]))
    got = primitives.rel_entr(np.array([0.0, 1.0, -1.0]), np.array([0.0, 0.0, 1.0]),
                              np.array([0.0, 1.0, -2.0]))
    assert got.tolist() == [0.0, math.inf, math.inf]


def test_no_overflow_for_large_logits():
    z = np.array([1000.0, -1000.0, 710.0])
    assert np.all(np.isfinite(kernels.log_softmax(z)))
    assert float(kernels.softmax(z).sum()) == 1.0
    assert np.isfinite(kernels.bce_with_logits([1e4, -1e4], [0.5, 0.5], reduction="none")).all()


def test_mutual_information():
    assert float(kernels.mutual_information([[0.5, 0.0], [0.0, 0.5]], base="bits")) == 1.0
    independent = np.outer([0.25, 0.75], [0.5, 0.5])
    assert abs(float(kernels.mutual_information(independent))) <= 1e-16


def test_mutual_information_of_a_table_summed_in_blocks_of_rows():
    # 500 x 300 entries: the terms are summed in several blocks of rows
    joint = np.random.default_rng(3).dirichlet(np.ones(500 * 300)).reshape(500, 300)
    assert joint.size > 2 * primitives.BLOCK_ELEMENTS
    with mpmath.workdps(40):
        table = [[mpmath.mpf(float(v)) for v in row] for row in joint]
        rows = [mpmath.fsum(row) for row in table]
        columns = [mpmath.fsum(column) for column in zip(*table)]
        truth = mpmath.fsum(v * mpmath.log(v / (r * c)) for row, r in zip(table, rows)
                            for v, c in zip(row, columns))
        terms = mpmath.fsum(abs(v * mpmath.log(v / (r * c))) for row, r in zip(table, rows)
                            for v, c in zip(row, columns))
        got = mpmath.mpf(float(kernels.mutual_information(joint)))
        bound = (2 + 2 * math.log2(joint.size)) * np.finfo(float).eps * terms
        assert abs(got - truth) <= bound


# --------------------------------------------------------------------------------------------
# NumPy conventions
# --------------------------------------------------------------------------------------------

rng = np.random.default_rng(7)
PROBS = rng.dirichlet(np.ones(6), size=(3, 4))  # (3, 4, 6)
OTHER = rng.dirichlet(np.ones(6), size=(3, 4))


@pytest.mark.parametrize("kernel", [kernels.kl_divergence, kernels.cross_entropy,
                                    kernels.js_divergence])
def test_axis_moves_the_distribution(kernel):
    last = kernel(PROBS, OTHER)
    first = kernel(np.moveaxis(PROBS, -1, 0), np.moveaxis(OTHER, -1, 0), axis=0)
    assert last.shape == (3, 4)
    np.testing.assert_array_equal(first, last)


def test_broadcasting_a_shared_q():
    q = OTHER[0, 0]
    np.testing.assert_array_equal(kernels.kl_divergence(PROBS, q),
                                  kernels.kl_divergence(PROBS, np.broadcast_to(q, PROBS.shape)))


def test_per_class_outputs_keep_the_axis():
    z = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(kernels.log_softmax(z.T, axis=0), kernels.log_softmax(z).T)
    assert kernels.softmax_cross_entropy_grad(z, np.arange(5) % 3).shape == (5, 3)


@pytest.mark.parametrize("call", [
    lambda a: kernels.entropy(a), lambda a: kernels.kl_divergence(a, a[::-1]),
    lambda a: kernels.perplexity(a), lambda a: kernels.binary_entropy(a),
    lambda a: kernels.logsumexp(a), lambda a: kernels.softmax(a),
    lambda a: kernels.log_softmax(a),
    lambda a: kernels.softmax_cross_entropy(a, np.array(1)),
    lambda a: kernels.softmax_cross_entropy(a, a, label_smoothing=0.1),
    lambda a: kernels.softmax_cross_entropy_grad(a, np.array(1)),
    lambda a: kernels.binary_cross_entropy(a, a), lambda a: kernels.bce_with_logits(a, a),
    lambda a: kernels.bce_with_logits_grad(a, a), lambda a: kernels.focal_loss(a, a),
    lambda a: kernels.mutual_information(np.outer(a, a)),
])
def test_float32_in_float32_out(call):
    a = np.array([0.25, 0.5, 0.25], dtype=np.float32)
    assert np.asarray(call(a)).dtype == np.float32
    assert np.asarray(call(a.astype(np.float64))).dtype == np.float64


def test_sums_are_accurate_along_a_non_contiguous_axis():
    # terms with heavy cancellation along axis 0 of a C-ordered array
    x = rng.standard_normal((20001, 3)) * 10.0 ** rng.integers(-8, 8, size=(20001, 3))
    got = np.moveaxis(primitives.sum_along(x, 0), 0, -1)[..., 0]
    exact = [math.fsum(x[:, j]) for j in range(3)]
    for g, e in zip(got.ravel(), exact):
        assert abs(g - e) <= np.spacing(abs(e))


def test_long_sums_combine_their_chunks_accurately():
    # 10^6 terms: several chunks of primitives.BLOCK_ELEMENTS, with heavy cancellation
    x = rng.standard_normal(10 ** 6) * 10.0 ** rng.integers(-8, 8, size=10 ** 6)
    assert x.size > 4 * primitives.BLOCK_ELEMENTS
    exact = math.fsum(x)
    assert abs(float(primitives.accurate_sum(x)[0]) - exact) <= np.spacing(abs(exact))
    squares = math.fsum(v * v for v in x)  # the products rounded, as the terms are
    got = float(primitives.sum_terms(np.multiply, x, x)[0])
    assert abs(got - squares) <= np.spacing(squares)


def test_blocks_give_the_values_of_single_rows():
    # more rows than one block holds: every row's value is the value of the row alone
    p = rng.dirichlet(np.ones(7), size=3 * primitives.BLOCK_ELEMENTS // 7 + 5)
    z = rng.standard_normal(p.shape) * 30
    labels = rng.integers(0, 7, size=len(p))
    rows = [0, primitives.BLOCK_ELEMENTS // 7, len(p) - 1]
    for kernel, args in [(kernels.entropy, (p,)), (kernels.kl_divergence, (p, p[::-1])),
                         (kernels.log_softmax, (z,)), (kernels.softmax, (z,))]:
        whole = kernel(*args)
        for row in rows:
            assert np.array_equal(whole[row], kernel(*[a[row] for a in args]))
    losses = kernels.softmax_cross_entropy(z, labels, reduction="none")
    for row in rows:
        assert losses[row] == kernels.softmax_cross_entropy(z[row], labels[row])


def test_empty_rows():
    assert kernels.entropy(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]  # an empty sum
    assert kernels.logsumexp(np.zeros((2, 0))).tolist() == [-np.inf, -np.inf]  # log 0
    assert kernels.softmax(np.zeros((0, 4))).shape == (0, 4)
    assert kernels.entropy(np.zeros((0, 3))).shape == (0,)


def test_reductions():
    logits = rng.standard_normal((7, 4))
    labels = rng.integers(0, 4, size=7)
    losses = kernels.softmax_cross_entropy(logits, labels, reduction="none")
    assert losses.shape == (7,)
    assert float(kernels.softmax_cross_entropy(logits, labels, reduction="sum")) == \
        pytest.approx(math.fsum(losses), rel=4e-16)
    assert float(kernels.softmax_cross_entropy(logits, labels)) == \
        pytest.approx(math.fsum(losses) / 7, rel=4e-16)
    with pytest.raises(ValueError, match="reduction='avg'"):
        kernels.bce_with_logits(logits, logits, reduction="avg")


# --------------------------------------------------------------------------------------------
# Identities between losses
# --------------------------------------------------------------------------------------------

def test_label_smoothing_is_a_mixture_with_the_uniform_target():
    z = rng.standard_normal((6, 5)) * 3
    y = rng.dirichlet(np.ones(5), size=6)
    eps = 0.2
    smoothed = kernels.softmax_cross_entropy(z, y, label_smoothing=eps, reduction="none")
    mixed = (1 - eps) * kernels.softmax_cross_entropy(z, y, reduction="none") + \
        eps * kernels.softmax_cross_entropy(z, np.full(5, 0.2), reduction="none")
    np.testing.assert_allclose(smoothed, mixed, rtol=8e-16)


def test_integer_labels_equal_one_hot_targets():
    z = rng.standard_normal((6, 5)) * 3
    labels = rng.integers(0, 5, size=6)
    one_hot = np.eye(5)[labels]
    np.testing.assert_allclose(kernels.softmax_cross_entropy(z, labels, reduction="none"),
                               kernels.softmax_cross_entropy(z, one_hot, reduction="none"),
                               rtol=4e-16)
    np.testing.assert_allclose(
        kernels.softmax_cross_entropy(z, labels, label_smoothing=0.1, reduction="none"),
        kernels.softmax_cross_entropy(z, one_hot, label_smoothing=0.1, reduction="none"),
        rtol=4e-16)


def test_focal_loss_with_gamma_zero_is_binary_cross_entropy():
    p, x = rng.uniform(0.01, 0.99, 50), rng.uniform(0, 1, 50)
    np.testing.assert_allclose(kernels.focal_loss(p, x, gamma=0.0, reduction="none"),
                               kernels.binary_cross_entropy(p, x, reduction="none"),
                               rtol=4e-16)


def test_bce_with_logits_gradient_is_sigmoid_minus_label():
    s, x = rng.standard_normal(20) * 4, rng.uniform(0, 1, 20)
    with mpmath.workdps(50):
        truth = [1 / (1 + mpmath.exp(-mpmath.mpf(v))) - mpmath.mpf(t) for v, t in zip(s, x)]
    got = kernels.bce_with_logits_grad(s, x)
    for g, t, v, label in zip(got, truth, s, x):
        bound = 4 * np.finfo(float).eps * (abs(float(1 / (1 + np.exp(-v)))) + label)
        assert abs(mpmath.mpf(float(g)) - t) <= bound


def test_softmax_cross_entropy_gradient_sums_to_zero_and_matches_soft_targets():
    z = rng.standard_normal((4, 6)) * 10
    labels = np.array([0, 5, 2, 3])
    grad = kernels.softmax_cross_entropy_grad(z, labels)
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=4e-16)
    np.testing.assert_allclose(grad, kernels.softmax_cross_entropy_grad(z, np.eye(6)[labels]),
                               atol=4e-16)


@pytest.mark.parametrize("logits, target, smoothing", [
    ([2.0, 1.0, 0.1], [0.25, 0.5, 0.25], 0.0),
    ([40.0, 0.0, -3.0], [0.125, 0.125, 0.75], 0.1),
    ([1000.0, 999.5, -1000.0], [1.0, 0.0, 0.0], 0.2),
    ([-7.5, 12.0, 12.0], [0.0, 0.5, 0.5], 0.0),
])
def test_softmax_cross_entropy_soft_gradient_is_the_derivative_of_the_loss(logits, target,
                                                                           smoothing):
    """The soft-target gradient kernel against ``sympy.diff`` of the loss's definition
    (explicit logits, exact target and smoothing), evaluated with mpmath at 50 digits: within
    the bound of a difference, :math:`(2 + 2 \\log_2 K)\\,\\varepsilon \\sum |t|`, with
    :math:`t` the two terms softmax and smoothed target."""
    z = sympy.symbols("z1:4", real=True)
    exact_target = [sympy.Rational(t) for t in target]
    loss = definitions.softmax_cross_entropy(list(z), exact_target,
                                             label_smoothing=sympy.Rational(smoothing))
    got = kernels.softmax_cross_entropy_grad(np.array(logits), np.array(target),
                                             label_smoothing=smoothing)
    point = {zk: sympy.Float(v, 60) for zk, v in zip(z, logits)}
    for k, zk in enumerate(z):
        truth = sympy.N(sympy.diff(loss, zk).subs(point), 50)
        smoothed = (1 - smoothing) * target[k] + smoothing / 3
        softmax_k = float(sympy.N(sympy.exp(z[k] - sympy.log(sum(sympy.exp(v) for v in z)))
                                  .subs(point), 30))
        bound = (2 + 2 * math.log2(3)) * np.finfo(float).eps * (softmax_k + smoothed)
        assert abs(float(got[k]) - truth) <= bound, (k, got[k], truth)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        kernels.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="out of range"):
        kernels.entropy(np.ones((2, 2)) / 2, axis=2)
    with pytest.raises(ValueError, match="not a scalar"):
        kernels.entropy(0.5)
    with pytest.raises(TypeError, match="p must be an array of real numbers"):
        kernels.entropy(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="label_smoothing"):
        kernels.softmax_cross_entropy(np.zeros(3), np.array(0), label_smoothing=1.5)
    with pytest.raises(ValueError, match="gamma"):
        kernels.focal_loss([0.5], [1.0], gamma=-1.0)


def test_the_kernels_run_on_the_backend_under_test(kernel_backend):
    from symbinfo.kernels.build import current_backend
    assert current_backend() == kernel_backend
