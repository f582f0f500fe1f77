"""Every notation item of the proof format parses to the SymPy object built here by hand."""

from __future__ import annotations

import pytest
from sympy import (Abs, Derivative, E, Function, Indexed, IndexedBase, Integral, Max,
                   Product, Rational, Sum, Symbol, exp, latex, log, oo, pi, sqrt)

from symbinfo import (ConditionalEntropy, CrossEntropy, Entropy, JointEntropy, KLDivergence,
                      MutualInformation, Sigmoid, Softplus, softmax, symbolic_distribution,
                      symbolic_joint_distribution, symbolic_vector)
from symbinfo.parse import Conditional, ProofSyntaxError, parse_formula, parse_proof

i, j, k = (Symbol(name, integer=True, positive=True) for name in "ijk")
n, K, N = (Symbol(name, integer=True, positive=True) for name in "nKN")
a, b, c, m, s, x, y, L = (Symbol(name, real=True) for name in "abcmsxyL")
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
Y, Z, X = (IndexedBase(name, real=True) for name in "yzx")
P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
J = symbolic_joint_distribution("p", names=("X", "Y"))


NOTATION = [
    (r"\sum_{i=1}^{n} p_i", Sum(p[i], (i, 1, n))),
    (r"\sum_i p_i", Sum(p[i], (i, 1, n))),
    (r"\sum_{k} q_{k}", Sum(q[k], (k, 1, n))),
    (r"\prod_{i=1}^{N} p_i", Product(p[i], (i, 1, N))),
    (r"q_{i}", q[i]),
    (r"y_{i,k}", Y[i, k]),
    (r"p_{ij}", p[i, j]),
    (r"x^{(i)}", X[i]),
    (r"P(x_i) \log Q(x_i)", p[i] * log(q[i])),
    (r"\log x", log(x)),
    (r"\ln x", log(x)),
    (r"\log_2 x", log(x) / log(2)),
    (r"\log_{b} x", log(x) / log(b)),
    (r"\exp(x)", exp(x)),
    (r"e^{-x}", exp(-x)),
    (r"\frac{a}{b}", a / b),
    (r"\tfrac{a}{b} + \dfrac{1}{3}", a / b + Rational(1, 3)),
    (r"a \cdot b \times c", a * b * c),
    (r"\left( a + b \right) c", (a + b) * c),
    (r"[a + b] c", (a + b) * c),
    (r"\{a + b\} c", (a + b) * c),
    (r"\mathbb{E}_{x \sim P}\left[-\log P(x)\right]", Sum(p[i] * -log(p[i]), (i, 1, n))),
    (r"D_{KL}(P \| Q)", KLDivergence(P, Q)),
    (r"D_{\mathrm{KL}}(P||Q)", KLDivergence(P, Q)),
    (r"KL(P \| Q)", KLDivergence(P, Q)),
    (r"H(P)", Entropy(P)),
    (r"H(P, Q)", CrossEntropy(P, Q)),
    (r"H(X | Y)", ConditionalEntropy(J, "X")),
    (r"H(X, Y)", JointEntropy(J)),
    (r"I(X; Y)", MutualInformation(J)),
    (r"\sigma(z)", Sigmoid(Symbol("z", real=True))),
    (r"\mathrm{softmax}(z)_k", softmax(symbolic_vector("z", "K"), k)),
    (r"\operatorname{softplus}(s)", Softplus(s)),
    (r"\frac{\partial L}{\partial z_k}", Derivative(L, Z[k])),
    (r"\frac{\partial}{\partial s} \left(s^2\right)", Derivative(s ** 2, s)),
    (r"\frac{d L}{d s}", Derivative(L, s)),
    (r"\int_{0}^{1} x \, dx", Integral(x, (x, 0, 1))),
    (r"\int_{-\infty}^{\infty} e^{-x^2} \, \mathrm{d}x", Integral(exp(-x ** 2), (x, -oo, oo))),
    (r"0.25 + 1.5", Rational(7, 4)),
    (r"\infty", oo),
    (r"x \text{ (by definition)}", x),
    (r"-p \log(p) - (1-p) \log(1-p)",
     -Symbol("p", real=True) * log(Symbol("p", real=True))
     - (1 - Symbol("p", real=True)) * log(1 - Symbol("p", real=True))),
    (r"\sum_{i=1}^{n} p_i \log p_i", Sum(p[i] * log(p[i]), (i, 1, n))),
    (r"2m", 2 * m),
    (r"p(x)", Function("p")(x)),
    (r"p(x, y)", Function("p")(x, y)),
    (r"p(x \mid y)", Conditional(Function("p")(x), y)),
    (r"x(1 - x)", x * (1 - x)),
    (r"\sigma(s)(1 - \sigma(s))", Sigmoid(s) * (1 - Sigmoid(s))),
    (r"\prod_{i=1}^{N} y_i^{a} (1 - y_i)^{1 - a}",
     Product(Y[i] ** a * (1 - Y[i]) ** (1 - a), (i, 1, N))),
    (r"\log \sum_{j=1}^{K} e^{z_j} - m", log(Sum(exp(Z[j]), (j, 1, K))) - m),
    (r"\sum_i a_i b_i - c", Sum(IndexedBase("a", real=True)[i] * IndexedBase("b", real=True)[i],
                                (i, 1, n)) - c),
    (r"\lvert s \rvert + \left| a \right|", Abs(s) + Abs(a)),
    (r"\max(s, 0)", Max(s, 0)),
    (r"\sqrt{a}", sqrt(a)),
    (r"\frac{1}{N} \sum_{i=1}^{N} \sum_{k=1}^{K} y_{i,k}",
     Sum(Sum(Y[i, k], (k, 1, K)), (i, 1, N)) / N),
    (r"q_{\mathrm{true}}", Symbol("q_{true}", real=True)),
    (r"\pi + e", pi + E),
]


@pytest.mark.parametrize("text, expected", NOTATION, ids=[t for t, _ in NOTATION])
def test_notation_parses_to_the_object_built_by_hand(text: str, expected: object) -> None:
    assert parse_formula(text) == expected


def test_user_entropy_sum_equals_the_core_definition() -> None:
    assert parse_formula(r"-\sum_{i=1}^{n} p_i \log p_i") == Entropy(P).doit()
    assert parse_formula(r"\sum_{i=1}^{n} p_i \log \frac{p_i}{q_i}") == KLDivergence(P, Q).doit()


def test_sum_over_an_index_keeps_the_indexed_entry() -> None:
    result = parse_formula(r"\sum_i p_i")
    assert isinstance(result, Sum) and isinstance(result.function, Indexed)
    assert result.doit() == result  # not n p_i


def test_e_is_exp_not_a_symbol() -> None:
    result = parse_formula(r"e^{x} + e")
    assert result == exp(x) + E
    assert not any(symbol.name == "e" for symbol in result.free_symbols)


def test_softmax_of_the_sum_matches_the_core() -> None:
    written = parse_formula(r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}")
    assert written == parse_formula(r"\mathrm{softmax}(z)_k")


@pytest.mark.parametrize("text, readings", [
    (r"\log p_i q_i", ["log(p[i]*q[i])", "log(p[i])*q[i]"]),
    (r"\log x (1 - x)", ["log(x*(1 - x))"]),
    (r"a / b c", ["a/(b c)", "(a/b) c"]),
    (r"\log p_i \sum_j q_j", ["log(p[i]*Sum(q[j], (j, 1, n)))"]),
    (r"a \cdot \log x \sum_i y_i", ["log(x*Sum(y[i], (i, 1, n)))", "log(x)*Sum(y[i], (i, 1, n))"]),
])
def test_ambiguous_readings_are_errors_that_list_them(text: str, readings: list[str]) -> None:
    with pytest.raises(ProofSyntaxError, match="ambiguous") as info:
        parse_formula(text)
    for reading in readings:
        assert reading in info.value.message


@pytest.mark.parametrize("text, fragment", [
    (r"p_12", "ambiguous script"),
    (r"\frac{1}{0}", "division by zero"),
    (r"\mathrm{softmax}(z)", "class index"),
    (r"H(P, Q, R)", "H(...) takes"),
    (r"D_{KL}(P, Q)", "divergence takes two distributions"),
    (r"\int x", "differential"),
    (r"\sum p_i", "needs its variable"),
    (r"\partial x", "\\partial"),
    (r"KL + 1", "KL must be followed"),
])
def test_meaningless_formulas_are_errors(text: str, fragment: str) -> None:
    with pytest.raises(ProofSyntaxError) as info:
        parse_formula(text)
    assert fragment in info.value.message


def test_gaussians_in_the_texts_notation() -> None:
    a, b = Symbol("a", real=True), Symbol("b", real=True)
    s_, t = Symbol("s", positive=True), Symbol("t", positive=True)
    document = parse_proof(r"""% assume: s > 0, t > 0
\[ D_{KL}(\mathcal{N}(a, s^2) \| \mathcal{N}(b, t^2)) = H(\mathcal{N}(a, s^2)) \]""")
    kl, entropy = document.steps[0].lhs, document.steps[0].rhs
    assert isinstance(kl, KLDivergence) and isinstance(entropy, Entropy)
    first, second = kl.distributions
    assert (first.mean, first.std, second.mean, second.std) == (a, s_, b, t)
    assert parse_proof("% assume: s > 0, t > 0\n\\[ " + latex(kl) + " = 0 \\]").steps[0].lhs == kl


def test_gaussian_needs_a_positive_standard_deviation() -> None:
    with pytest.raises(ProofSyntaxError, match="must be positive"):
        parse_formula(r"H(\mathcal{N}(0, v^2))")
