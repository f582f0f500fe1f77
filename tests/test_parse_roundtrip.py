"""SymPy's own LaTeX of the core's objects parses back to the same objects."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from sympy import Expr, IndexedBase, Rational, Sum, Symbol, latex

from symbinfo import (ConditionalEntropy, CrossEntropy, Entropy, JointEntropy, KLDivergence,
                      MutualInformation, Perplexity, Sigmoid, Softplus, bce_with_logits,
                      binary_cross_entropy, logsumexp, normal, softmax, softmax_cross_entropy,
                      symbolic_distribution, symbolic_joint_distribution, symbolic_vector)
from symbinfo.parse import parse_formula, parse_proof

P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
J = symbolic_joint_distribution("p", names=("X", "Y"))
z, y = symbolic_vector("z", "K"), symbolic_vector("y", "K")
k = Symbol("k", integer=True, positive=True)
s, x = Symbol("s", real=True), Symbol("x", real=True)

ROUND_TRIPS = {
    "entropy": Entropy(P).doit(),
    "kl": KLDivergence(P, Q).doit(),
    "cross entropy": CrossEntropy(P, Q).doit(),
    "entropy in bits": Entropy(P, base=2).doit(),
    "softmax": softmax(z, k),
    "logsumexp": logsumexp(z),
    "softmax cross-entropy": softmax_cross_entropy(z, y),
    "bce with logits": bce_with_logits(s, x),
    "binary cross-entropy": binary_cross_entropy(Symbol("q", real=True), x),
    "sigmoid and softplus": Sigmoid(s) * (1 - Sigmoid(s)) + Softplus(s),
    "powers of activations": Sigmoid(s) ** 2 + Softplus(s) ** -3,
    "measures": KLDivergence(P, Q) + CrossEntropy(P, Q) + Entropy(P, base=2),
    "random variables": MutualInformation(J) + JointEntropy(J) + ConditionalEntropy(J, "X"),
    "perplexity": Perplexity(P, Q),
}


@pytest.mark.parametrize("expr", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_latex_of_core_expressions_parses_back(expr: Expr) -> None:
    assert parse_formula(latex(expr)) == expr


def test_round_trip_through_a_document_with_assumptions() -> None:
    mu, sigma = Symbol("mu", real=True), Symbol("sigma", positive=True)
    kl = KLDivergence(normal(mu, sigma, "P"), normal(0, 1, "Q")).doit()
    document = parse_proof("% assume: \\sigma > 0\n\\[ " + latex(kl) + " = 0 \\]")
    assert document.steps[0].lhs == kl


def test_latex_of_parsed_formulas_parses_back() -> None:
    for text in [r"-p \log(p) - (1-p) \log(1-p)", r"\sum_{i=1}^{n} p_i \log \frac{p_i}{q_i}",
                 r"\frac{\partial L}{\partial z_k} + \mathrm{softmax}(z)_k",
                 r"\prod_{i=1}^{N} y_i^{x_i} (1 - y_i)^{1 - x_i}"]:
        first = parse_formula(text)
        assert parse_formula(latex(first)) == first, latex(first)


_i = Symbol("i", integer=True, positive=True)
_n = Symbol("n", integer=True, positive=True)
_p = IndexedBase("p", positive=True)
_LEAVES = st.sampled_from([Symbol("a", real=True), Symbol("b", real=True), _p[_i], _p[1],
                           Rational(3, 2), sympy.Integer(2), sympy.pi])


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, st.integers(-3, 3)).map(lambda t: t[0] ** t[1]),
        children.map(sympy.log), children.map(sympy.exp), children.map(Sigmoid),
        children.map(Softplus),
        children.map(lambda e: Sum(e * _p[_i], (_i, 1, _n))),
    )


_FINITE = st.recursive(_LEAVES, _extend, max_leaves=6).filter(
    lambda e: not e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))
"""Finite real expressions: ``i`` is an index in proofs, never the imaginary unit."""


@given(_FINITE)
def test_latex_of_random_expressions_parses_back(expr: Expr) -> None:
    """Whatever SymPy prints for an expression over the proof notation reads back as it."""
    assert parse_formula(latex(expr)) == expr, latex(expr)
