"""The worked examples of MATH-NOTES, against values computed independently with mpmath.

The 25-digit constants below were computed with mpmath at 60 digits (see tests/reference.py);
each is also recomputed in the test from the textbook formula.
"""

from __future__ import annotations

import mpmath
import pytest
from sympy import Rational, log

from symbinfo import (cross_entropy, distribution, entropy, information, kl_divergence,
                      softmax_cross_entropy, uniform)
from tests.reference import agree, mp_cross_entropy, mp_entropy, mp_kl, mp_softmax_cross_entropy

P = distribution([Rational(1, 5), Rational(4, 5)], "P")
Q = distribution([Rational(1, 2), Rational(1, 2)], "Q")
P_DECIMALS = ["0.2", "0.8"]
Q_DECIMALS = ["0.5", "0.5"]


def test_kl_of_worked_example():
    value = kl_divergence(P, Q)
    assert agree(value, "0.1927447570217574298840441")
    assert agree(value, mp_kl(P_DECIMALS, Q_DECIMALS), digits=45)


def test_cross_entropy_of_worked_example_is_ln2_exactly():
    assert cross_entropy(P, Q) == log(2)
    assert agree(cross_entropy(P, Q), mp_cross_entropy(P_DECIMALS, Q_DECIMALS), digits=45)


def test_entropy_of_worked_example():
    value = entropy(P)
    assert agree(value, "0.5004024235381878795331879")
    assert agree(value, mp_entropy(P_DECIMALS), digits=45)


def test_cross_entropy_equals_entropy_plus_kl_exactly_for_rationals():
    assert cross_entropy(P, Q) - (entropy(P) + kl_divergence(P, Q)) == 0


def test_softmax_cross_entropy_of_worked_example():
    value = softmax_cross_entropy([2, 1, Rational(1, 10)], 0)
    assert agree(value, "0.4170300162778334826077878")
    assert agree(value, mp_softmax_cross_entropy([2, 1, "0.1"], 0), digits=45)


def test_one_hot_cross_entropy_example():
    value = cross_entropy([0, 0, 1], ["0.3", "0.3", "0.4"])
    assert agree(value, mp_cross_entropy([0, 0, 1], ["0.3", "0.3", "0.4"]), digits=45)


def test_fair_coin_has_one_bit():
    assert entropy([Rational(1, 2)] * 2, base=2) == 1
    assert entropy(["0.5", "0.5"], base="bits") == 1


def test_biased_coin_entropy_in_bits():
    value = entropy(["0.99", "0.01"], base="bits")
    assert agree(value, "0.08079313589591117282486633")
    with mpmath.workdps(60):
        expected = mp_entropy(["0.99", "0.01"]) / mpmath.log(2)
    assert agree(value, expected, digits=45)


def test_information_of_one_percent_event_in_bits():
    value = information("0.01", base="bits")
    assert agree(value, "6.643856189774724695740639")
    with mpmath.workdps(60):
        expected = -mpmath.log(mpmath.mpf("0.01"), 2)
    assert agree(value, expected, digits=45)


@pytest.mark.parametrize("probability, bits", [(Rational(1, 8), 3), (Rational(1, 2 ** 16), 16)])
def test_information_in_bits_is_exact(probability, bits):
    assert information(probability, base="bits") == bits


def test_uniform_16_bit_word_carries_16_bits():
    assert entropy(uniform(2 ** 16), base="bits") == 16


def test_information_units():
    assert information(Rational(1, 10), base="hartleys") == 1
    with mpmath.workdps(60):
        ln10 = mpmath.log(10)
    assert agree(information(Rational(1, 10)), ln10, digits=45)
    assert information(Rational(1, 9), base=3) == 2
