"""f-divergences, the binomial distribution, hinge and L1 losses, class weights."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from sympy import Abs, Rational, log, oo

from symbinfo import (binomial, distribution, f_divergence, hinge_loss, kl_divergence,
                      mean_absolute_error, softmax_cross_entropy, uniform)
from tests.reference import DPS, agree, exact, mp_kl, mp_softmax_cross_entropy


def test_f_divergence_with_t_log_t_is_kl():
    p, q = ["0.2", "0.8"], ["0.5", "0.5"]
    value = f_divergence(p, q, lambda t: t * log(t))
    assert sympy.expand_log(value - kl_divergence(p, q), factor=True) == 0
    assert agree(value, mp_kl(p, q), digits=45)


def test_f_divergence_with_minus_log_is_reverse_kl():
    p, q = ["0.2", "0.8"], ["0.5", "0.5"]
    value = f_divergence(p, q, lambda t: -log(t))
    assert agree(value, mp_kl(q, p), digits=45)


def test_f_divergence_total_variation_and_zero_q():
    # TV = (1/2) sum |p - q|; the q = 0 term uses lim f(t)/t = 1/2.
    assert f_divergence(["1/2", "1/2"], [1, 0], lambda t: Abs(t - 1) / 2) == Rational(1, 2)
    # KL's generator has an infinite slope: q = 0 < p gives +oo, like kl_divergence.
    assert f_divergence(["1/2", "1/2"], [1, 0], lambda t: t * log(t)) == oo
    assert f_divergence([1, 0], [1, 0], lambda t: t * log(t)) == 0


def test_binomial_probabilities_and_the_uniform_versus_binomial_choice():
    B = binomial(3, "0.4")
    assert B.probabilities == (Rational(27, 125), Rational(54, 125), Rational(36, 125),
                               Rational(8, 125))
    # The texts' exercise: which approximation of an empirical distribution has smaller KL?
    empirical = distribution(["0.1", "0.4", "0.4", "0.1"], "E")
    to_binomial = kl_divergence(empirical, binomial(3, "1/2"))
    to_uniform = kl_divergence(empirical, uniform(4))
    with mpmath.workdps(DPS):
        e = [exact(v) for v in ("0.1", "0.4", "0.4", "0.1")]
        b = [mpmath.binomial(3, k) / 8 for k in range(4)]
        expected_binomial = mpmath.fsum(x * mpmath.log(x / y) for x, y in zip(e, b))
        expected_uniform = mpmath.fsum(x * mpmath.log(4 * x) for x in e)
    assert agree(to_binomial, expected_binomial, digits=45)
    assert agree(to_uniform, expected_uniform, digits=45)
    assert to_binomial.evalf(30) < to_uniform.evalf(30)


def test_hinge_and_mean_absolute_error():
    assert hinge_loss("0.25", 1) == Rational(3, 4)
    assert hinge_loss(3, 1) == 0
    assert hinge_loss(["0.5", -2], [1, -1]) == Rational(1, 4)
    with pytest.raises(ValueError, match="label = 0 must be -1 or 1"):
        hinge_loss(1, 0)
    assert mean_absolute_error(["0.5", -1], [0, 1]) == Rational(5, 4)


def test_class_weights_scale_the_target_class():
    logits = [2, 1, "0.1"]
    value = softmax_cross_entropy(logits, 1, class_weights=[1, "2.5", 1])
    soft = softmax_cross_entropy(logits, ["0.5", "0.5", 0], class_weights=[2, 4, 1])
    with mpmath.workdps(DPS):
        assert agree(value, exact("2.5") * mp_softmax_cross_entropy(logits, 1), digits=45)
        expected = mp_softmax_cross_entropy(logits, 0) + 2 * mp_softmax_cross_entropy(logits, 1)
        assert agree(soft, expected, digits=45)
    with pytest.raises(ValueError, match="class_weights has 2 entries but there are 3 logits"):
        softmax_cross_entropy(logits, 0, class_weights=[1, 1])
    with pytest.raises(ValueError, match=r"class_weights\[1\] = -1 is negative"):
        softmax_cross_entropy(logits, 0, class_weights=[1, -1, 1])
