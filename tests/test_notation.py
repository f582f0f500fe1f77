"""The unevaluated measures print exactly in the notation papers use."""

from __future__ import annotations

import pytest
from sympy import Symbol, latex, sstr

from symbinfo import (ConditionalEntropy, CrossEntropy, Entropy, JointEntropy, JSDivergence,
                      KLDivergence, MutualInformation, Perplexity, Sigmoid, Softplus,
                      joint_distribution, symbolic_distribution, symbolic_joint_distribution)

P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
J = symbolic_joint_distribution()


@pytest.mark.parametrize("measure, expected", [
    (Entropy(P), "H(P)"),
    (CrossEntropy(P, Q), "H(P, Q)"),
    (KLDivergence(P, Q), r"D_{\mathrm{KL}}(P \,\|\, Q)"),
    (JSDivergence(P, Q), r"D_{\mathrm{JS}}(P \,\|\, Q)"),
    (JointEntropy(J), "H(X, Y)"),
    (ConditionalEntropy(J, "X"), r"H(X \mid Y)"),
    (ConditionalEntropy(J, "Y"), r"H(Y \mid X)"),
    (MutualInformation(J), "I(X; Y)"),
    (Perplexity(P, Q), r"\mathrm{PP}(P, Q)"),
    (Entropy(P, base=2), "H_{2}(P)"),
    (KLDivergence(P, Q, base="bits"), r"D_{\mathrm{KL}, 2}(P \,\|\, Q)"),
    (MutualInformation(J, base=10), "I_{10}(X; Y)"),
    (Sigmoid(Symbol("z")), r"\sigma\left(z\right)"),
    (Softplus(Symbol("s")), r"\operatorname{softplus}\left(s\right)"),
])
def test_latex_of_unevaluated_objects(measure, expected):
    assert latex(measure) == expected


@pytest.mark.parametrize("measure, expected", [
    (Entropy(P), "H(P)"),
    (KLDivergence(P, Q), "KL(P || Q)"),
    (ConditionalEntropy(J, "X"), "H(X | Y)"),
    (MutualInformation(J), "I(X; Y)"),
    (Entropy(P, base=2), "H_2(P)"),
])
def test_text_of_unevaluated_objects(measure, expected):
    assert sstr(measure) == expected


def test_measures_inside_expressions_print_in_notation():
    assert latex(Entropy(P) + KLDivergence(P, Q)) == r"H(P) + D_{\mathrm{KL}}(P \,\|\, Q)"


def test_explicit_joint_names_are_printed():
    table = joint_distribution([["1/2", 0], [0, "1/2"]], names=("A", "B"))
    assert latex(MutualInformation(table)) == "I(A; B)"
