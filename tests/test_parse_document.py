"""Reading whole proof files: environments, chains, assumptions, definitions, positions."""

from __future__ import annotations

import pytest
from sympy import (Eq, Function, IndexedBase, KroneckerDelta, Lt, Piecewise, Rational, Sum, Symbol,
                   exp, log)
from sympy.sets import Contains, FiniteSet

from symbinfo import Entropy, KLDivergence, distribution, normal, symbolic_distribution
from symbinfo.parse import ProofSyntaxError, parse_proof

i, k = Symbol("i", integer=True, positive=True), Symbol("k", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)

PROOF = r"""\documentclass{article}
\begin{document}
Some text with $x = y$ inline, which is ignored, and a commented environment:
% \begin{align*} a &= b \end{align*}
% assume: 0 < p_i < 1, \sum_{i=1}^{n} p_i = 1, n \ge 2
\begin{align*}
H(P) &= -\sum_{i=1}^{n} p_i \log p_i \\
     &\le \log n && \text{Jensen}
\end{align*}
\begin{equation*}
a = b
\end{equation*}
\[ c \approx 0.5 \]
\end{document}
"""


def test_environments_become_chains_with_positions_and_relations() -> None:
    document = parse_proof(PROOF, name="proof.tex")
    assert [(c.line, c.environment, len(c.steps)) for c in document.chains] == [
        (7, "align*", 2), (11, "equation*", 1), (13, "\\[", 1)]
    first, second = document.chains[0].steps
    assert (first.line, first.column, first.relation) == (7, 7, "=")
    assert first.lhs == Entropy(symbolic_distribution("P"))
    assert first.rhs == Entropy(symbolic_distribution("P")).doit()
    assert (second.line, second.relation, second.lhs, second.rhs) == (8, "<=", first.rhs, log(n))
    assert second.rhs_text == r"\log n"
    assert document.chains[2].steps[0].relation == "approx"
    assert document.chains[2].steps[0].rhs == Rational(1, 2)


def test_assumptions_keep_their_source_and_stay_unevaluated() -> None:
    document = parse_proof(PROOF)
    conditions = [a.condition for a in document.assumptions]
    assert conditions == [Lt(0, p[i], evaluate=False), Lt(p[i], 1, evaluate=False),
                          Eq(Sum(p[i], (i, 1, n)), 1, evaluate=False),
                          n >= 2]
    assert [(a.line, a.column, a.source_text) for a in document.assumptions[2:]] == [
        (5, 24, r"\sum_{i=1}^{n} p_i = 1"), (5, 48, r"n \ge 2")]


@pytest.mark.parametrize("relation, name", [
    ("=", "="), (r"\le", "<="), (r"\leq", "<="), (r"\ge", ">="), (r"\geq", ">="),
    (r"\approx", "approx"), ("<", "<"), (">", ">")])
def test_every_chain_relation(relation: str, name: str) -> None:
    document = parse_proof("\\begin{align*}\na &= b \\\\\n  &" + relation + " c\n\\end{align*}")
    assert [s.relation for s in document.steps] == ["=", name]


def test_line_breaks_continue_chains_and_expressions() -> None:
    document = parse_proof(r"""\begin{align}
a &= b \\
  &\quad + c \\
  & - d \\
  &= h \\
-f &= g
\end{align}""")
    a, b, c, d, f, g, h = (Symbol(name, real=True) for name in "abcdfgh")
    assert [[(s.lhs, s.relation, s.rhs) for s in chain.steps] for chain in document.chains] == [
        [(a, "=", b + c - d), (b + c - d, "=", h)], [(-f, "=", g)]]
    assert document.chains[0].steps[0].rhs_text == "b + c - d"


def test_declared_distributions_and_vectors() -> None:
    document = parse_proof(r"""% assume: P = (0.2, 0.8), Q = (p_1, p_2), z = (2.0, 1.0, 0.1)
\[ H(P) = -0.2 \ln 0.2 - 0.8 \ln 0.8 \]
\[ \mathrm{softmax}(z)_1 = \frac{e^{2}}{e^{2} + e^{1} + e^{0.1}} \]""")
    assert document.distributions["P"] == distribution(["0.2", "0.8"], "P")
    assert document.distributions["Q"].probabilities == (p[1], p[2])
    assert document.vectors["z"] == (2, 1, Rational(1, 10))
    entropy_step, softmax_step = document.steps
    assert entropy_step.lhs == Entropy(distribution(["0.2", "0.8"], "P"))
    assert softmax_step.lhs == exp(2) / (exp(2) + exp(1) + exp(Rational(1, 10)))
    assert document.assumptions == ()  # declarations are not conditions


def test_bad_distribution_declaration_names_its_position() -> None:
    with pytest.raises(ProofSyntaxError, match="sum to 11/10") as info:
        parse_proof("% assume: P = (0.5, 0.6)\n")
    assert (info.value.line, info.value.column) == (1, 11)


def test_assumptions_set_sympy_assumptions_on_every_use() -> None:
    document = parse_proof(r"""% assume: \tau > 0, x_i \in \{0, 1\}, 0 \le w_i
\[ \tau + x_k + w_k = t \]""")
    step = document.steps[0]
    tau = Symbol("tau", positive=True)
    x = IndexedBase("x", integer=True, nonnegative=True)
    w = IndexedBase("w", nonnegative=True)
    assert step.lhs == tau + x[k] + w[k]
    assert document.assumptions[1].condition == Contains(x[i], FiniteSet(0, 1), evaluate=False)
    assert step.rhs == Symbol("t", real=True)


def test_same_name_is_the_same_object_everywhere() -> None:
    document = parse_proof(r"""\begin{align*}
\sum_{i=1}^{n} p_i &= 1 \\
  &= \sum_{i} P(x_i)
\end{align*}
\[ p_i = p_i \]""")
    first, second = document.chains[0].steps
    third = document.chains[1].steps[0]
    assert first.lhs == second.rhs == Sum(p[i], (i, 1, n))
    assert third.lhs == third.rhs == p[i]


def test_definitions_and_their_expansion() -> None:
    document = parse_proof(r"""% define: L = -\sum_{i=1}^{K} y_i \ln \mathrm{softmax}(z)_i
% define: \delta_{ik} = 1 \text{ if } i = k, \text{ else } 0
% define: p(x) = \sum_{y} p(x, y)
% define: I(x) = -\log_2 P(x)
\[ \frac{\partial L}{\partial z_k} = \mathrm{softmax}(z)_k - y_k \]
\[ \delta_{jk} + p(a) + I(t) = 0 \]""")
    L, delta, marginal, information = document.definitions
    assert L.target == Symbol("L", real=True) and L.parameters == ()
    assert delta.parameters == (i, k)
    assert delta.body == Piecewise((1, Eq(i, k)), (0, True))
    x, y = Symbol("x", real=True), Symbol("y", integer=True, positive=True)
    assert marginal.target == Function("p")(x)
    assert marginal.body == Sum(Function("p")(x, y), (y, 1, Symbol("n_y", integer=True,
                                                                    positive=True)))
    j = Symbol("j", integer=True, positive=True)
    a, t = Symbol("a", real=True), Symbol("t", real=True)
    expanded = document.expand(document.chains[1].steps[0].lhs)
    assert expanded == (Piecewise((1, Eq(j, k)), (0, True))
                        + Sum(Function("p")(a, y), (y, 1, Symbol("n_y", integer=True,
                                                                 positive=True)))
                        - log(p[t]) / log(2))
    assert not document.expand(document.steps[0].lhs).has(Symbol("L", real=True))
    assert information.target == Function("I")(x)


def test_recursive_definition_does_not_loop() -> None:
    document = parse_proof("% define: L = L + 1\n\\[ L = 0 \\]")
    L = Symbol("L", real=True)
    assert document.expand(document.steps[0].lhs) == L + 2  # one pass per definition, then stop


@pytest.mark.parametrize("text, line, column, fragment, expected", [
    ("\\begin{align*}\na &= )\n\\end{align*}", 2, 6, "unexpected ')'", "a letter"),
    ("\\[ a = \\input{x} \\]", 1, 8, "unknown command \\input", "a number"),
    ("\\[ a = 3 \\]\n\\begin{align*}\na &= b", 2, 1, "never closed", None),
    ("\\begin{align*}\n&= b\n\\end{align*}", 2, 2, "no expression before it", None),
    ("\\[ a + b \\]", 1, 4, "no relation", None),
    ("\\[ a = b + \\]", 1, 12, "ends too early", "a number"),
    ("\\[ a \\in b \\]", 1, 6, "not a step relation", None),
])
def test_errors_point_at_line_and_column(text: str, line: int, column: int, fragment: str,
                                         expected: str | None) -> None:
    with pytest.raises(ProofSyntaxError) as info:
        parse_proof(text, name="bad.tex")
    error = info.value
    assert (error.line, error.column) == (line, column)
    assert fragment in error.message
    assert str(error).startswith(f"bad.tex:{line}:{column}: ")
    if expected is not None:
        assert expected in error.expected


def test_error_message_shows_the_source_line_and_a_caret() -> None:
    with pytest.raises(ProofSyntaxError) as info:
        parse_proof("\\[ x = y ) \\]")
    assert str(info.value).splitlines()[1:] == ["  \\[ x = y ) \\]", "           ^"]


def test_escaped_percent_is_not_a_comment() -> None:
    document = parse_proof("50\\% of the text \\[ a = b \\] % \\[ c = d \\]")
    assert len(document.chains) == 1


def test_an_index_cannot_be_an_integration_variable() -> None:
    with pytest.raises(ProofSyntaxError, match="x is an index elsewhere"):
        parse_proof("\\[ \\sum_{x} p(x) = \\int_0^1 x \\, dx \\]")


def test_random_variables_and_expectations() -> None:
    document = parse_proof(r"""% assume: R = (0.2, 0.8)
\[ \mathbb{E}_{x \sim R}[-\log R(x)] = H(R) \]
\[ H(X) = -\sum_i x_i \log x_i \]""")
    expectation, entropy = document.steps
    fifth = Rational(1, 5)
    assert expectation.lhs == -fifth * log(fifth) - 4 * fifth * log(4 * fifth)
    assert entropy.lhs == Entropy(symbolic_distribution("X"))  # not used jointly: its own law


def test_joint_sums_have_the_core_lengths() -> None:
    document = parse_proof(r"\[ H(X, Y) = -\sum_{i,j} p_{ij} \log p_{ij} \]")
    assert document.steps[0].lhs.doit() == document.steps[0].rhs


def test_declared_vector_length_and_interval_assumptions() -> None:
    document = parse_proof(r"""% assume: y \in (0, 1), w \in [0, 1], z \in \mathbb{R}^N
\[ y + w = \sum_k z_k + \sum_{i=0}^{n} i \]""")
    step = document.steps[0]
    N = Symbol("N", integer=True, positive=True)
    assert step.lhs == Symbol("y", positive=True) + Symbol("w", nonnegative=True)
    i0 = Symbol("i", integer=True)  # a sum from 0: not positive
    assert step.rhs == (Sum(IndexedBase("z", real=True)[k], (k, 1, N))
                        + Sum(i0, (i0, 0, n)))


def test_unbounded_sum_over_vectors_of_different_lengths_is_an_error() -> None:
    with pytest.raises(ProofSyntaxError, match="different lengths"):
        parse_proof(r"""% assume: z \in \mathbb{R}^K, w \in \mathbb{R}^N
\[ \sum_k z_k w_k = 0 \]""")


def test_a_defined_function_takes_precedence_over_built_in_notation() -> None:
    document = parse_proof(r"""% define: H(t) = t^2
\[ H(0.5) = 0.25 \]""")
    assert document.steps[0].lhs == Function("H")(Rational(1, 2))
    assert document.expand(document.steps[0].lhs) == Rational(1, 4)


def test_expectation_over_a_declared_distribution_uses_every_declared_entry() -> None:
    document = parse_proof(r"""% assume: P = (0.2, 0.8), Q = (0.5, 0.5)
\[ \mathbb{E}_{x \sim P}\left[\log \frac{P(x)}{Q(x)}\right] = D_{KL}(P \| Q) \]""")
    step = document.steps[0]
    fifth, half = Rational(1, 5), Rational(1, 2)
    assert step.lhs == fifth * log(fifth / half) + 4 * fifth * log(4 * fifth / half)


def test_rendered_derivation_layout() -> None:
    """The layout ``symbinfo derive`` renders: ``% assumptions:``, an annotation column after
    ``&&`` holding text, inline math and a verdict, and SymPy's multi-index sums."""
    document = parse_proof(r"""% assumptions: none
% assumptions: 0 \le x \le 1
\begin{align*}
I(X; Y) &= \sum_{\substack{1 \leq i \leq n\\1 \leq j \leq m}} {p}_{i,j}
  && \text{definition, $M = (P + Q)/2$}\quad [\textsf{proved}] \\
&= \delta_{c i} + x && \text{one-hot: $y_i = \delta_{ci}$ \{x\}}\quad [\textsf{numeric}]
\end{align*}""")
    first, second = document.steps
    j, m = Symbol("j", integer=True, positive=True), Symbol("m", integer=True, positive=True)
    assert first.rhs == Sum(p[i, j], (i, 1, n), (j, 1, m))
    c = Symbol("c", integer=True, positive=True)
    assert second.rhs == KroneckerDelta(c, i) + Symbol("x", nonnegative=True)
    assert [a.source_text for a in document.assumptions] == [r"0 \le x \le 1"] * 2


def test_declared_gaussians_are_the_laws_of_their_names() -> None:
    document = parse_proof(r"""% assume: s > 0, P = \mathcal{N}(a, s^2), Q = \mathcal{N}(0, 1)
\[ D_{KL}(P \| Q) = H(P) \]""")
    a, s = Symbol("a", real=True), Symbol("s", positive=True)
    law = normal(a, s, "P")
    assert document.distributions == {"P": law, "Q": normal(0, 1, "Q")}
    assert document.steps[0].lhs == KLDivergence(law, normal(0, 1, "Q"))


def test_parsed_measures_survive_substitution() -> None:
    """The checker substitutes values into parsed steps; every measure must rebuild."""
    document = parse_proof(r"\[ H(X | Y) + I(X; Y) + \mathrm{PP}(P) + H_2(P, Q) = 0 \]")
    three = document.steps[0].lhs.xreplace({n: 3})
    assert three.func == document.steps[0].lhs.func and len(three.args) == 4
