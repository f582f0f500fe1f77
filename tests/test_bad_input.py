"""Every documented bad input raises a clear error naming the argument and the entry."""

from __future__ import annotations

import re

import pytest
from sympy import Rational, Symbol

from symbinfo import (bernoulli, cross_entropy, distribution, entropy, information,
                      joint_distribution, kl_divergence, log_base, normal,
                      softmax_cross_entropy, symbolic_vector, uniform)


@pytest.mark.parametrize("probabilities, message", [
    (["0.5", "-0.2", "0.7"], "P[1] = '-0.2' is negative"),
    ([Rational(1, 2), Rational(3, 2)], "P[1] = 3/2 is greater than 1"),
    ([Rational(1, 2), Rational(1, 3)], "the probabilities of P sum to 5/6, not 1"),
    ([0.5, 0.4], "the probabilities of P sum to 0.9, not 1"),
    ([], "P is empty"),
    (["0.5", "abc"], "P[1] = 'abc' is not a number"),
    (["0.5", "1e999999999"], "P[1] = '1e999999999' is not a number"),
    (["0.5", "nan"], "P[1] = 'nan' is not a number"),
    ([0.5, float("nan")], "P[1] = nan is not finite"),
    ([1.0, float("inf")], "P[1] = inf is not finite"),
    (["__import__('os')", "1"], "P[0] = \"__import__('os')\" is not a number"),
])
def test_bad_probability_vectors_raise_value_error(probabilities, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        distribution(probabilities)


@pytest.mark.parametrize("probabilities, message", [
    ([True, False], "P[0] = True is a boolean"),
    ([None, 1], "P[0] = None has type NoneType"),
    ("0.5", "P must be a sequence of probabilities, not str"),
])
def test_wrong_types_raise_type_error(probabilities, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        distribution(probabilities)


def test_float_vectors_sum_within_tolerance():
    assert distribution([0.1] * 10).size == 10  # sums to 0.9999999999999999
    with pytest.raises(ValueError, match="tolerance of 1e-12"):
        distribution([0.5, 0.5 + 1e-10], tolerance=1e-12)


def test_mismatched_lengths_name_both_distributions():
    with pytest.raises(ValueError, match="P has 2 outcomes but Q has 3"):
        kl_divergence(["0.5", "0.5"], ["0.2", "0.3", "0.5"])


def test_two_different_distributions_with_one_name_are_rejected():
    with pytest.raises(ValueError, match="both named 'P'"):
        cross_entropy(distribution([1, 0]), distribution([0, 1]))


@pytest.mark.parametrize("label, message", [
    (3, "label 3 is out of range for 3 classes"),
    (-1, "label -1 is out of range for 3 classes"),
])
def test_label_out_of_range(label, message):
    with pytest.raises(ValueError, match=message):
        softmax_cross_entropy([1, 2, 3], label)


def test_integer_label_with_smoothing_is_range_checked():
    with pytest.raises(ValueError, match="label 5 is out of range for 3 classes"):
        softmax_cross_entropy([1, 2, 3], 5, label_smoothing="0.1")


def test_soft_target_of_wrong_length():
    with pytest.raises(ValueError, match="target has 2 entries but there are 3 logits"):
        softmax_cross_entropy([1, 2, 3], ["0.5", "0.5"])


def test_soft_target_must_be_a_distribution():
    with pytest.raises(ValueError, match="target sum to 3/2"):
        softmax_cross_entropy([1, 2, 3], ["0.5", "0.5", "0.5"])


def test_integer_label_needs_explicit_logits():
    with pytest.raises(TypeError, match="integer label needs explicit logits"):
        softmax_cross_entropy(symbolic_vector("z", "K"), 0)


@pytest.mark.parametrize("base, error, message", [
    ("furlongs", ValueError, "base='furlongs' is not a unit"),
    (1, ValueError, "base=1 is not a valid logarithm base"),
    (-2, ValueError, "base=-2 is not a valid logarithm base"),
    ([2], TypeError, "base must be a unit name or a number, not list"),
])
def test_bad_bases(base, error, message):
    with pytest.raises(error, match=re.escape(message)):
        log_base(base)
    with pytest.raises(error, match=re.escape(message)):
        entropy(["0.5", "0.5"], base=base)


def test_other_constructors_validate():
    with pytest.raises(ValueError, match=r"P: p = 2 is greater than 1"):
        bernoulli(2)
    with pytest.raises(ValueError, match="size = 0 must be a positive integer"):
        uniform(0)
    with pytest.raises(ValueError, match="N: std = 0 must be positive"):
        normal(0, 0)
    with pytest.raises(ValueError, match="N: std = sigma must be positive"):
        normal(0, Symbol("sigma"))
    with pytest.raises(ValueError, match="p = '1.5' is greater than 1"):
        information("1.5")


@pytest.mark.parametrize("table, message", [
    ([["0.5", "0.5"], ["0.5"]], "row 1 has 1 entries, row 0 has 2"),
    ([["0.5", "x"]], "p[0][1] = 'x' is not a number"),
    ([], "the joint table is empty"),
    ([["0.5", "0.6"]], "the joint table sum to 11/10"),
])
def test_bad_joint_tables(table, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        joint_distribution(table)
