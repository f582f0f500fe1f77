r"""The library of derivations: the identities of ``MATH-NOTES`` as verified chains.

Each entry is a function that builds a :class:`~symbinfo.derive.chain.Derivation` from the
definitions (nothing is typed twice: starts are the measures and losses themselves, steps are
rules or stated targets that the verifier checks). :data:`LIBRARY` maps names to entries
(title, builder, expected verdict), in presentation order; :func:`build` builds one.

>>> d = build("cross_entropy_decomposition")
>>> d.title
'Cross-entropy is entropy plus KL divergence'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy import (IndexedBase, Integral, KroneckerDelta, Mul, Product,
                   Rational, Sum, Symbol, exp, log, oo)
from sympy.core.symbol import Str

from symbinfo import definitions as d
from symbinfo.assumptions import (Condition, definition, index_range, normalised, positive,
                                  probability, real, unit_interval)
from symbinfo.derive import rules
from symbinfo.derive.chain import Derivation, DerivationResult
from symbinfo.distributions import (INDEX, LENGTH, FiniteDistribution, SymbolicDistribution,
                                    bernoulli, distribution, normal, symbolic_distribution,
                                    symbolic_joint_distribution)
from symbinfo.vectors import SymbolicVector, symbolic_vector

i, n = INDEX, LENGTH
j = Symbol("j", integer=True, positive=True)
k = Symbol("k", integer=True, positive=True)  # the class index of the softmax losses
c = Symbol("c", integer=True, positive=True)
K = Symbol("K", integer=True, positive=True)
N = Symbol("N", integer=True, positive=True)


def _distributions() -> tuple[SymbolicDistribution, SymbolicDistribution, tuple[Condition, ...]]:
    """:math:`P`, :math:`Q` of length :math:`n` and their normalisations."""
    P, Q = symbolic_distribution("P"), symbolic_distribution("Q")
    return P, Q, (normalised(IndexedBase("p", positive=True), n),
                  normalised(IndexedBase("q", positive=True), n))


@dataclass(frozen=True)
class LibraryEntry:
    """A library derivation: its name, title, expected verdict and the function that writes
    its chains into an empty :class:`~symbinfo.derive.chain.Derivation`."""

    name: str
    title: str
    builder: Callable[[Derivation], None]
    expected: str = "proved"


LIBRARY: dict[str, LibraryEntry] = {}
"""The library by name, in the order of the issue's list (1-18)."""


def _entry(title: str, expected: str = "proved") -> Callable[[Callable[[Derivation], None]],
                                                               Callable[[Derivation], None]]:
    def register(builder: Callable[[Derivation], None]) -> Callable[[Derivation], None]:
        LIBRARY[builder.__name__] = LibraryEntry(builder.__name__, title, builder, expected)
        return builder
    return register


def _decimal(value: sympy.Expr, digits: int = 50) -> str:
    return sympy.sstr(value.evalf(digits), full_prec=True)


def _value_caption(text: str, value: sympy.Expr) -> str:
    return rf"{text}: ${sympy.latex(value)} \approx {_decimal(value)}$ (50 digits)."


# --------------------------------------------------------------------------------------------
# 1-3: information, entropy, cross-entropy
# --------------------------------------------------------------------------------------------

@_entry('Information of independent events adds; changing the log base')
def information_additivity(D: Derivation) -> None:
    a, b = Symbol("a"), Symbol("b")
    D.assume(probability(a), probability(b))
    D.start(-log(a * b), r"Independent events with $P(x_1) = a$, $P(x_2) = b$: "
            r"$I(x_1, x_2) = -\log P(x_1)P(x_2) = I(x_1) + I(x_2)$.")
    D.apply(rules.LOG_RULES, "log of a product ($a, b > 0$)")
    D.start(sympy.Pow(2, d.information(a, base="bits"), evaluate=False),
            r"Bits and nats: $I_2(x) = -\log_2 P(x) = -\ln P(x) / \ln 2$, so $2^{I_2} = 1/P$.")
    D.equals(1 / a, r"$2^{y / \ln 2} = e^{y}$, $e^{-\ln a} = 1/a$")
    D.start(-log(Rational(1, 8)) / log(2), "An event of probability $1/8$ carries 3 bits:")
    D.equals(3, r"$\ln 8 = 3 \ln 2$")


@_entry('Entropy is the expected information')
def entropy_expectation(D: Derivation) -> None:
    P, _, (normalisation, _) = _distributions()
    p = P.probability(i)
    D.assume(normalisation)
    D.start(d.Entropy(P)).apply(rules.DEFINITION, "definition of entropy")
    D.equals(Sum(p * d.information(p), (i, 1, n)),
             r"$\mathbb{E}_{x \sim P}[I(x)]$ with $I(x_i) = -\log p_i$")


@_entry('Cross-entropy is entropy plus KL divergence')
def cross_entropy_decomposition(D: Derivation) -> None:
    P, Q, simplex = _distributions()
    p, q = P.probability(i), Q.probability(i)
    D.assume(*simplex)
    D.start(d.CrossEntropy(P, Q), "For distributions of symbolic length $n$:")
    D.apply(rules.DEFINITION, "definition of cross-entropy")
    D.equals(-Sum(p * log(p), (i, 1, n)) + Sum(p * (log(p) - log(q)), (i, 1, n)),
             r"add and subtract $\sum_i p_i \log p_i$")
    D.equals(-Sum(p * log(p), (i, 1, n)) + Sum(p * log(p / q), (i, 1, n)),
             r"$\log p_i - \log q_i = \log(p_i/q_i)$")
    D.apply(rules.recognise(d.Entropy(P), d.KLDivergence(P, Q)),
            r"recognise $H(P)$ and $D_{\mathrm{KL}}(P \,\|\, Q)$")
    P2, Q2 = distribution(["0.2", "0.8"], "P"), distribution(["0.5", "0.5"], "Q")
    D.start(d.Entropy(P2) + d.KLDivergence(P2, Q2),
            _value_caption(r"Worked example $P = (0.2, 0.8)$, $Q = (0.5, 0.5)$, "
                           r"$D_{\mathrm{KL}}(P \,\|\, Q)$", d.kl_divergence(P2, Q2)))
    D.apply(rules.WRITTEN_OUT, "definitions")
    D.equals(log(2), "exact arithmetic")
    D.equals(d.CrossEntropy(P2, Q2), r"$H(P, Q) = -\sum_i p_i \log \tfrac12 = \ln 2$")


# --------------------------------------------------------------------------------------------
# 4-8: losses and their gradients
# --------------------------------------------------------------------------------------------

@_entry('With P fixed, cross-entropy and KL have the same gradient in q and in the logits')
def cross_entropy_kl_gradients(D: Derivation) -> None:
    P, Q, simplex = _distributions()
    z = symbolic_vector("z", n)
    Q_z = SymbolicDistribution(Str("Q"), sympy.Lambda(i, d.softmax(z, i)), n)
    D.assume(*simplex, real(z.base), index_range(c, n))
    for variable, distribution_q, caption in (
            (Q.probability(c), Q, "In the probabilities $q_c$:"),
            (z[c], Q_z, r"In the logits $z_c$ of $Q = \mathrm{softmax}(z)$:")):
        D.start(rules.derivative(d.CrossEntropy(P, distribution_q), variable), caption)
        D.equals(rules.derivative(d.Entropy(P) + d.KLDivergence(P, distribution_q), variable),
                 r"$H(P, Q) = H(P) + D_{\mathrm{KL}}(P \,\|\, Q)$")
        D.equals(rules.derivative(d.KLDivergence(P, distribution_q), variable),
                 r"$H(P)$ does not depend on $Q$")
        D.apply(rules.DIFFERENTIATE, "differentiate")
    D.apply(rules.NORMALISATION, r"$\sum_i p_i = 1$: $\mathrm{softmax}(z)_c - p_c$")


@_entry('Binary cross-entropy from the Bernoulli likelihood')
def bce_from_likelihood(D: Derivation) -> None:
    yv, xv = symbolic_vector("y", N), symbolic_vector("x", N)
    yi, xi = yv[i], xv[i]
    a, b = Symbol("x"), Symbol("y")
    D.assume(probability(yv.base), unit_interval(xv.base), unit_interval(a), probability(b))
    likelihood = Product(yi ** xi * (1 - yi) ** (1 - xi), (i, 1, N))
    D.start(log(likelihood), r"Log-likelihood of $N$ independent labels $x_i \in [0, 1]$ "
            r"under $P(x_i = 1) = y_i$:")
    D.apply(rules.LOG_RULES, r"log of a product of powers ($0 < y_i < 1$)")
    D.start(-log(likelihood) / N, "Mean negative log-likelihood:")
    D.apply(rules.LOG_RULES, "log-likelihood above")
    D.equals(d.binary_cross_entropy(yv, xv), "definition of binary cross-entropy")
    D.start(d.binary_cross_entropy(b, a),
            "Per sample, BCE is the cross-entropy of two-point distributions:")
    D.equals(d.CrossEntropy(FiniteDistribution(Str("X"), sympy.Tuple(a, 1 - a)),
                            bernoulli(b, "Y")),
             r"definition of $H(X, Y)$ for $X = (x, 1 - x)$, $Y = (y, 1 - y)$")


@_entry('One-hot cross-entropy is -log q of the true class')
def one_hot_cross_entropy(D: Derivation) -> None:
    _, Q, (_, q_normalisation) = _distributions()
    Y = symbolic_distribution("Y")
    y = IndexedBase("y", positive=True)
    D.assume(q_normalisation, index_range(c, n),
             definition(y, lambda index: KroneckerDelta(index, c), r"y_i = \delta_{ic}"))
    D.start(d.CrossEntropy(Y, Q), "One-hot target $Y$ on the true class $c$:")
    D.apply(rules.DEFINITION, "definition of cross-entropy")
    D.apply(rules.DEFINITIONS, r"one-hot target $y_i = \delta_{ic}$")
    D.apply(rules.SPLIT_SUMS, r"$\sum_i \delta_{ic} f_i = f_c$, $1 \le c \le n$")
    P3, Q3 = distribution([0, 0, 1], "P"), distribution(["0.3", "0.3", "0.4"], "Q")
    D.start(d.CrossEntropy(P3, Q3), _value_caption(r"Worked example $P = (0, 0, 1)$, "
                                                   r"$Q = (0.3, 0.3, 0.4)$, $H(P, Q)$",
                                                   d.cross_entropy(P3, Q3)))
    D.apply(rules.WRITTEN_OUT, r"definition, $0 \log q = 0$")
    D.equals(-log(Rational(2, 5)), r"$= -\ln 0.4$")


def _soft_target_setting() -> tuple[SymbolicVector, SymbolicVector, tuple[Condition, ...]]:
    """Logits :math:`z_1..z_K`, a soft target :math:`y` with :math:`\\sum_k y_k = 1`, a class
    :math:`c`."""
    z = symbolic_vector("z", K)
    y = symbolic_vector("y", K, nonnegative=True)
    return z, y, (real(z.base), normalised(y.base, K), index_range(c, K))


@_entry('Gradient of softmax cross-entropy: softmax minus target')
def softmax_cross_entropy_gradient(D: Derivation) -> None:
    z, y, setting = _soft_target_setting()
    loss = d.softmax_cross_entropy(z, y)
    D.assume(*setting)
    D.start(loss, r"Logits $z_1..z_K$, soft target $y$ with $\sum_k y_k = 1$:")
    D.apply(rules.LOG_RULES, r"$\log \frac{e^{z_k}}{\sum_j e^{z_j}} = z_k - \log \sum_j e^{z_j}$")
    D.apply(rules.SPLIT_SUMS, "split the sum, pull the constant out")
    D.apply(rules.NORMALISATION, r"$\sum_k y_k = 1$")
    simplified = D.chains[-1].last
    D.start(rules.derivative(loss, z[c]), "Differentiate with respect to $z_c$:")
    D.equals(rules.derivative(simplified, z[c]), "the loss above")
    D.apply(rules.DIFFERENTIATE, r"differentiate ($\partial z_k / \partial z_c = "
            r"\delta_{kc}$): $\mathrm{softmax}(z)_c - y_c$")


@_entry('BCE with logits is softplus(s) - x s, with gradient sigmoid(s) - x')
def bce_with_logits_softplus(D: Derivation) -> None:
    s, x = Symbol("s"), Symbol("x")
    D.assume(real(s), unit_interval(x))
    D.start(d.bce_with_logits(s, x), r"Label $x \in [0, 1]$, logit $s$, $y = \sigma(s)$:")
    D.apply(rules.ACTIVATIONS, r"$\sigma(s) = 1/(1 + e^{-s})$")
    D.equals(x * log(1 + exp(-s)) - (1 - x) * log(exp(-s) / (1 + exp(-s))),
             r"$\log \frac{1}{u} = -\log u$, $1 - \sigma(s) = \frac{e^{-s}}{1 + e^{-s}}$")
    D.apply(rules.LOG_RULES, r"log of a quotient, $\log e^{-s} = -s$")
    D.equals(log(1 + exp(-s)) + s - x * s, "collect terms")
    D.equals(log(1 + exp(s)) - x * s, r"$\log(1 + e^{-s}) + s = \log(1 + e^{s})$")
    D.equals(d.Softplus(s) - x * s, r"definition of softplus")
    D.start(rules.derivative(d.Softplus(s) - x * s, s), "Its gradient in the logit:")
    D.apply(rules.DIFFERENTIATE, r"$\operatorname{softplus}' = \sigma$")


# --------------------------------------------------------------------------------------------
# 9-11: stability, mutual information, perplexity
# --------------------------------------------------------------------------------------------

@_entry('Log-sum-exp shift invariance and the stable log-softmax')
def logsumexp_shift(D: Derivation) -> None:
    z = symbolic_vector("z", K)
    m = Symbol("m")
    zj = z[j]
    D.assume(real(z.base), real(m), index_range(c, K))
    D.start(d.logsumexp(z), r"For any real $m$ (in practice $m = \max_j z_j$):")
    D.equals(log(Sum(Mul(exp(m), exp(zj - m), evaluate=False), (j, 1, K))),
             r"$e^{z_j} = e^{m} e^{z_j - m}$")
    D.equals(log(exp(m) * Sum(exp(zj - m), (j, 1, K))), "pull the constant out of the sum")
    D.apply(rules.LOG_RULES, r"log of a product, $\log e^{m} = m$")
    D.start(d.log_softmax(z, c), "The stable log-softmax:")
    D.apply(rules.LOG_RULES, "log of a quotient")
    D.equals(z[c] - m - log(Sum(exp(zj - m), (j, 1, K))), "shift invariance above")


@_entry('Mutual information: KL form, entropy forms and the chain rule')
def mutual_information_identities(D: Derivation) -> None:
    J = symbolic_joint_distribution()
    X, Y = J.marginal("X"), J.marginal("Y")
    m = J.shape[1]
    D.assume(normalised(IndexedBase("p", positive=True), n, m))
    D.start(d.MutualInformation(J), r"$I(X; Y) = D_{\mathrm{KL}}(P_{XY} \,\|\, P_X P_Y)$ "
            r"for a joint table $p_{ij}$ with marginals $p_i = \sum_j p_{ij}$, "
            r"$p_j = \sum_i p_{ij}$:")
    D.apply(rules.DEFINITION, "definition (the KL divergence of the joint from the product)")
    D.apply(rules.LOG_RULES, "log of a quotient and a product")
    D.equals(d.Entropy(X) + d.Entropy(Y) - d.JointEntropy(J),
             r"split the sums; $\sum_j p_{ij} = p_i$, $\sum_i p_{ij} = p_j$")
    D.equals(d.Entropy(X) - d.ConditionalEntropy(J, "X"), r"$H(X \mid Y) = H(X, Y) - H(Y)$")
    D.start(d.JointEntropy(J), "The chain rule:")
    D.equals(d.Entropy(X) + d.ConditionalEntropy(J, "Y"),
             r"$\log p_{ij} = \log p_i + \log \frac{p_{ij}}{p_i}$")


@_entry('Perplexity is exp of the cross-entropy, 2^H in bits')
def perplexity_forms(D: Derivation) -> None:
    P, Q, simplex = _distributions()
    D.assume(*simplex)
    D.start(d.Perplexity(P, Q)).apply(rules.DEFINITION, "definition of perplexity")
    D.equals(exp(d.CrossEntropy(P, Q)), "definition of cross-entropy")
    D.equals(2 ** d.CrossEntropy(P, Q, base=2), r"$e^{y} = 2^{y / \ln 2}$, "
             r"$H_2 = H / \ln 2$ (bits)")


# --------------------------------------------------------------------------------------------
# 12-13, 17: inequalities
# --------------------------------------------------------------------------------------------

@_entry("Gibbs' inequality: KL divergence is nonnegative")
def gibbs_inequality(D: Derivation) -> None:
    P, Q, simplex = _distributions()
    p, q = P.probability(i), Q.probability(i)
    D.assume(*simplex)
    D.start(d.KLDivergence(P, Q)).apply(rules.DEFINITION, "definition of KL divergence")
    D.equals(-Sum(p * log(q / p), (i, 1, n)), r"$\log \frac{p_i}{q_i} = -\log \frac{q_i}{p_i}$")
    D.ge(-Sum(p * (q / p - 1), (i, 1, n)), r"$\ln x \le x - 1$ for $x = q_i / p_i > 0$")
    D.apply(rules.SPLIT_SUMS, "split the sum")
    D.apply(rules.NORMALISATION, r"$\sum_i p_i = \sum_i q_i = 1$")


@_entry('Entropy lies between 0 and log n')
def entropy_bounds(D: Derivation) -> None:
    P, _, (normalisation, _) = _distributions()
    p = P.probability(i)
    D.assume(normalisation)
    D.start(d.Entropy(P), r"Lower bound:").apply(rules.DEFINITION, "definition of entropy")
    D.ge(0, r"$\log p_i \le 0$ as $0 < p_i \le 1$")
    D.start(d.Entropy(P), r"Upper bound, against the uniform distribution $U$:")
    D.apply(rules.DEFINITION, "definition of entropy")
    D.equals(log(n) - Sum(p * log(n * p), (i, 1, n)),
             r"add and subtract $\log n = \sum_i p_i \log n$")
    D.le(log(n), r"$\sum_i p_i \log(n p_i) = D_{\mathrm{KL}}(P \,\|\, U) \ge 0$ "
         r"($\ln x \ge 1 - 1/x$)")


# --------------------------------------------------------------------------------------------
# 14-16: label smoothing, InfoNCE, Gaussians
# --------------------------------------------------------------------------------------------

@_entry('Label smoothing: (1 - eps) CE(y) + eps CE(uniform)')
def label_smoothing(D: Derivation) -> None:
    z, y, setting = _soft_target_setting()
    eps = Symbol("epsilon")
    uniform_ce = -Sum(log(d.softmax(z, k)) / K, (k, 1, K))  # k: the losses' class index
    D.assume(*setting, unit_interval(eps))
    D.start(d.softmax_cross_entropy(z, y, label_smoothing=eps),
            r"Smoothed target $(1 - \varepsilon) y_k + \varepsilon / K$:")
    D.equals((1 - eps) * d.softmax_cross_entropy(z, y) + eps * uniform_ce,
             r"split the sum: $(1 - \varepsilon)\,\mathrm{CE}(y) + "
             r"\varepsilon\,\mathrm{CE}(u)$, $u_k = 1/K$")


@_entry('InfoNCE is a softmax cross-entropy over similarity logits / tau')
def info_nce_as_cross_entropy(D: Derivation) -> None:
    negatives = symbolic_vector("s", K)
    s = negatives.base
    tau = Symbol("tau")
    l_ = Symbol("l", integer=True)
    j0 = Symbol("j", integer=True)
    D.assume(real(s), positive(tau))
    logits = Sum(exp(s[l_] / tau), (l_, 0, K))
    D.start(-Sum(KroneckerDelta(j0, 0) * log(exp(s[j0] / tau) / logits), (j0, 0, K)),
            r"Softmax cross-entropy over the logits $s_j / \tau$ of the positive ($j = 0$) and "
            r"$K$ negatives, target class 0:")
    D.apply(rules.SPLIT_SUMS, r"only $j = 0$ has $\delta_{j0} = 1$; split off the first term")
    D.equals(d.info_nce(s[0], negatives, temperature=tau), "definition of InfoNCE")


@_entry('KL divergence between univariate Gaussians, and the VAE term')
def gaussian_kl(D: Derivation) -> None:
    m1, m2 = Symbol("mu_1", real=True), Symbol("mu_2", real=True)
    s1, s2 = Symbol("sigma_1", positive=True), Symbol("sigma_2", positive=True)
    mu, sigma = Symbol("mu", real=True), Symbol("sigma", positive=True)
    P, Q = normal(m1, s1, "P"), normal(m2, s2, "Q")
    x = P.VARIABLE
    f = P.density(x)
    D.assume(positive(s1), positive(s2), positive(sigma))
    D.start(d.KLDivergence(P, Q), r"$P = \mathcal{N}(\mu_1, \sigma_1^2)$, "
            r"$Q = \mathcal{N}(\mu_2, \sigma_2^2)$:")
    D.equals(Integral(f * (P.log_density(x) - Q.log_density(x)), (x, -oo, oo)),
             r"definition, $\int p \log \frac{p}{q}\, dx$")
    D.equals(Integral(f * (log(s2 / s1) - (x - m1) ** 2 / (2 * s1 ** 2)
                           + (x - m2) ** 2 / (2 * s2 ** 2)), (x, -oo, oo)),
             "log-densities of the normals")
    D.equals(log(s2 / s1) - Rational(1, 2) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2),
             r"$\int p = 1$, $\mathbb{E}(x - \mu_1)^2 = \sigma_1^2$, "
             r"$\mathbb{E}(x - \mu_2)^2 = \sigma_1^2 + (\mu_1 - \mu_2)^2$")
    D.start(d.KLDivergence(normal(mu, sigma, "P"), normal(0, 1, "Q")),
            r"The VAE term, against $\mathcal{N}(0, 1)$:")
    D.apply(rules.DEFINITION, r"the closed form above with $\mu_2 = 0$, $\sigma_2 = 1$")
    D.equals(Rational(1, 2) * (mu ** 2 + sigma ** 2 - 1 - log(sigma ** 2)), "collect terms")


@_entry('Jensen-Shannon divergence is at most ln 2')
def js_divergence_bound(D: Derivation) -> None:
    P, Q, simplex = _distributions()
    p, q = P.probability(i), Q.probability(i)
    half = Rational(1, 2)
    D.assume(*simplex)
    D.start(d.JSDivergence(P, Q)).apply(rules.DEFINITION, "definition, $M = (P + Q)/2$")
    D.equals(Sum(half * p * (log(2) + log(p / (p + q))) + half * q * (log(2) + log(q / (p + q))),
                 (i, 1, n)),
             r"$\log \frac{2 p_i}{p_i + q_i} = \log 2 + \log \frac{p_i}{p_i + q_i}$")
    D.equals(log(2) + Sum(half * p * log(p / (p + q)) + half * q * log(q / (p + q)), (i, 1, n)),
             r"$\sum_i \frac{p_i + q_i}{2} = 1$")
    D.le(log(2), r"$\log \frac{p_i}{p_i + q_i} \le 0$, $\log \frac{q_i}{p_i + q_i} \le 0$")


# --------------------------------------------------------------------------------------------
# 18: worked examples
# --------------------------------------------------------------------------------------------

@_entry('The worked examples, exactly and to 50 digits')
def worked_examples(D: Derivation) -> None:
    fair = d.Entropy(distribution(["0.5", "0.5"]), base="bits")
    D.start(fair, r"A fair coin carries one bit:")
    D.apply(rules.WRITTEN_OUT, r"definition: $-2 \cdot \tfrac12 \log_2 \tfrac12 = 1$")
    word = d.information(Rational(1, 2 ** 16), base="bits")
    D.start(-log(Rational(1, 2 ** 16)) / log(2), "A uniformly random 16-bit word:")
    D.equals(word, r"$\ln 2^{16} = 16 \ln 2$")
    top = d.softmax([2, 1, "0.1"], 0)
    D.start(top, _value_caption(r"$\mathrm{softmax}(2, 1, 0.1)_0$", top))
    D.equals(1 / (1 + exp(-1) + exp(-Rational(19, 10))), r"divide by $e^{2}$")
    H = d.Entropy(distribution(["0.99", "0.01"]), base="bits")
    D.start(H, _value_caption(r"$H(0.99, 0.01)$ in bits", H.doit()))
    D.apply(rules.WRITTEN_OUT, "definition")
    D.equals(H.doit(), "exact arithmetic")
    info = d.information(Rational(1, 100), base="bits")
    D.start(info, _value_caption(r"$-\log_2 0.01$", info))
    D.equals(2 * log(10) / log(2), r"$\log 100 = 2 \log 10$")
    loss = d.softmax_cross_entropy([2, 1, "0.1"], 0)
    D.start(loss, _value_caption("Softmax cross-entropy, logits $(2, 1, 0.1)$, class 0", loss))
    D.apply(rules.LOG_RULES, r"log of a quotient, $\log e^{2} = 2$")
    D.equals(log(1 + exp(-1) + exp(-Rational(19, 10))), r"divide by $e^{2}$")


def build(name: str) -> Derivation:
    """Build the library derivation ``name``.

    >>> len(build("gibbs_inequality").chains)
    1
    """
    try:
        entry = LIBRARY[name]
    except KeyError:
        raise ValueError(f"no derivation named {name!r}; known: {', '.join(LIBRARY)}") from None
    derivation = Derivation(entry.name, entry.title, expected=entry.expected)
    entry.builder(derivation)
    return derivation


@functools.lru_cache(maxsize=8)
def verify_library(names: tuple[str, ...] | None = None, *, time_limit: float | None = None) \
        -> tuple[DerivationResult, ...]:
    """Build and verify the named derivations (default: all), in library order. Results are
    cached per process: the library is deterministic (fixed seeds)."""
    options = {} if time_limit is None else {"time_limit": time_limit}
    return tuple(build(name).verify(**options) for name in (names or tuple(LIBRARY)))
