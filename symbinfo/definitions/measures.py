r"""Information measures as unevaluated SymPy objects.

Each measure is an ``Expr`` subclass that prints in the notation papers use and expands to
its defining sum or integral with ``doit()``:

=============================  =======================================  ==========================================================
object                         prints                                   definition (nats)
=============================  =======================================  ==========================================================
:class:`Entropy`               :math:`H(P)`                             :math:`-\sum_i p_i \log p_i`
:class:`CrossEntropy`          :math:`H(P, Q)`                          :math:`-\sum_i p_i \log q_i`
:class:`KLDivergence`          :math:`D_{\mathrm{KL}}(P \,\|\, Q)`      :math:`\sum_i p_i \log (p_i / q_i)`
:class:`JSDivergence`          :math:`D_{\mathrm{JS}}(P \,\|\, Q)`      :math:`\tfrac12 D_{\mathrm{KL}}(P\|M) + \tfrac12 D_{\mathrm{KL}}(Q\|M)`, :math:`M = \tfrac12(P+Q)`
:class:`JointEntropy`          :math:`H(X, Y)`                          :math:`-\sum_{i,j} p_{ij} \log p_{ij}`
:class:`ConditionalEntropy`    :math:`H(X \mid Y)`                      :math:`-\sum_{i,j} p_{ij} \log (p_{ij} / p_j)`
:class:`MutualInformation`     :math:`I(X; Y)`                          :math:`\sum_{i,j} p_{ij} \log (p_{ij} / (p_i p_j))`
:class:`Perplexity`            :math:`\mathrm{PP}(P, Q)`                :math:`b^{H_b(P, Q)} = e^{H(P, Q)}`
=============================  =======================================  ==========================================================

Every measure takes ``base=`` (a unit name or a number, see :mod:`symbinfo.units`); in base
:math:`b` the definition is divided by :math:`\ln b` and the printed symbol carries the base as
a subscript (:math:`H_{2}(P)`). Continuous (Gaussian) arguments replace sums by integrals over
the real line. The lower-case functions (:func:`entropy`, :func:`kl_divergence`, ...) build the
object and, by default, evaluate it: exact values for explicit vectors, the ``Sum`` for symbolic
length, the closed form for Gaussians.

>>> from sympy import Rational, latex
>>> P = distribution([Rational(1, 5), Rational(4, 5)], "P")
>>> Q = distribution([Rational(1, 2), Rational(1, 2)], "Q")
>>> latex(KLDivergence(P, Q))
'D_{\\mathrm{KL}}(P \\,\\|\\, Q)'
>>> kl_divergence(P, Q)
-log(5) + 13*log(2)/5
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, ClassVar

import sympy
from sympy import Basic, E, Expr, Integral, Rational, log, oo
from sympy.core.symbol import Str

from symbinfo.definitions.conventions import rel_entr, xlogy
from symbinfo.definitions.exact import tidy
from symbinfo.distributions import (Distribution, FiniteDistribution, JointDistribution,
                                    NormalDistribution, SymbolicDistribution, as_distribution)
from symbinfo.units import BaseLike, log_base


class InformationMeasure(Expr):
    """Base class: an unevaluated information measure whose last argument is the log base."""

    is_extended_real = True
    latex_name: ClassVar[str] = ""
    """The operator as LaTeX, e.g. ``"H"``; the base is appended as a subscript."""
    text_name: ClassVar[str] = ""

    @property
    def base(self) -> Expr:
        """The logarithm base :math:`b` (``E`` for nats)."""
        return self.args[-1]  # type: ignore[no-any-return]

    @property
    def distributions(self) -> tuple[Basic, ...]:
        """The distributions the measure is taken of."""
        return self.args[:-1]

    def definition(self) -> Expr:
        """The defining sum or integral in nats (before dividing by :math:`\\ln b`)."""
        raise NotImplementedError

    def doit(self, **hints: Any) -> Expr:
        """Expand by definition; exact numeric results are tidied (:func:`tidy`)."""
        value = self.definition()
        if self.base != E:
            value = value / log(self.base)
        return tidy(value)

    def _eval_rewrite_as_Sum(self, *args: Any, **kwargs: Any) -> Expr:
        return self.doit()

    # printing ------------------------------------------------------------------------------
    def _latex_operator(self, printer: Any) -> str:
        if self.base == E:
            return self.latex_name
        base = printer._print(self.base)
        if self.latex_name.endswith("}") and "_" in self.latex_name:
            return self.latex_name[:-1] + ", " + base + "}"
        return f"{self.latex_name}_{{{base}}}"

    def _latex_arguments(self, printer: Any) -> str:
        return ", ".join(printer._print(d) for d in self.distributions)

    def _latex(self, printer: Any) -> str:
        return f"{self._latex_operator(printer)}({self._latex_arguments(printer)})"

    def _text_arguments(self, printer: Any) -> str:
        return ", ".join(printer._print(d) for d in self.distributions)

    def _sympystr(self, printer: Any) -> str:
        operator = self.text_name if self.base == E else \
            f"{self.text_name}_{printer._print(self.base)}"
        return f"{operator}({self._text_arguments(printer)})"


class _DivergenceNotation:
    """Mixin: two distributions printed as ``P \\,\\|\\, Q`` (``P || Q`` as text)."""

    distributions: tuple[Basic, ...]

    def _latex_arguments(self, printer: Any) -> str:
        first, second = self.distributions
        return rf"{printer._print(first)} \,\|\, {printer._print(second)}"

    def _text_arguments(self, printer: Any) -> str:
        first, second = self.distributions
        return f"{printer._print(first)} || {printer._print(second)}"


# --------------------------------------------------------------------------------------------
# Checking arguments
# --------------------------------------------------------------------------------------------

def _check_pair(first: Distribution, second: Distribution) -> None:
    """Two distributions on the same outcomes: same shape and size, distinct names."""
    if first.name == second.name and first != second:
        raise ValueError(f"two different distributions are both named {first.name!r}; "
                         "give them different names")
    if type(first) is not type(second):
        raise TypeError(f"{first.name} is a {type(first).__name__} but {second.name} is a "
                        f"{type(second).__name__}; both must be of the same kind")
    if isinstance(first, FiniteDistribution) and first.size != second.size:  # type: ignore
        raise ValueError(f"{first.name} has {first.size} outcomes but {second.name} has "
                         f"{second.size}; pad the shorter one with zeros to compare them")  # type: ignore
    if isinstance(first, SymbolicDistribution) and first.length != second.length:  # type: ignore
        raise ValueError(f"{first.name} has length {first.length} but {second.name} has "
                         f"length {second.length}")  # type: ignore


def _as_joint(value: Any) -> JointDistribution:
    if not isinstance(value, JointDistribution):
        raise TypeError(f"expected a JointDistribution (see joint_distribution), "
                        f"not {type(value).__name__}")
    return value


# --------------------------------------------------------------------------------------------
# Gaussian integrals
# --------------------------------------------------------------------------------------------

def _standard_normal_moment(k: int) -> Expr:
    r""":math:`\mathbb{E}[t^k]` for :math:`t \sim \mathcal{N}(0, 1)`: 0 for odd :math:`k`,
    :math:`(k-1)!!` for even :math:`k`."""
    return sympy.S.Zero if k % 2 else sympy.factorial2(k - 1)


@lru_cache(maxsize=256)
def _normal_expectation(normal: NormalDistribution, term: Expr) -> Expr:
    r""":math:`\int_{-\infty}^{\infty} f(x)\, term(x)\, dx` for the density :math:`f` of
    ``normal`` and a polynomial ``term`` in :math:`x` (a log-density).

    The integral is evaluated exactly by the substitution :math:`x = \mu + \sigma t`, which
    turns it into :math:`\mathbb{E}[term(\mu + \sigma t)]` for a standard normal :math:`t`,
    a combination of its moments. A term that is not a polynomial is returned as the
    unevaluated integral.
    """
    x, t = NormalDistribution.VARIABLE, sympy.Dummy("t", real=True)
    shifted = sympy.expand(term.subs(x, normal.mean + normal.std * t))
    try:
        polynomial = sympy.Poly(shifted, t)
    except sympy.PolynomialError:
        return _normal_integral(normal, term)
    value = sympy.Add(*[coefficient * _standard_normal_moment(k)
                        for (k,), coefficient in polynomial.terms()])
    return sympy.expand(value)


def _normal_integral(normal: NormalDistribution, term: Expr) -> Integral:
    x = NormalDistribution.VARIABLE
    return Integral(normal.density(x) * term, (x, -oo, oo))


# --------------------------------------------------------------------------------------------
# The measures
# --------------------------------------------------------------------------------------------

class Entropy(InformationMeasure):
    r"""Shannon entropy :math:`H(P) = -\sum_{i} p_i \log p_i = \mathbb{E}_{x\sim P}[-\log P(x)]`,
    with :math:`0 \log 0 = 0`; for a density, the differential entropy
    :math:`-\int f \log f\,dx`.

    >>> from sympy import Rational
    >>> Entropy(distribution([Rational(1, 2)] * 2), base=2).doit()
    1
    """

    latex_name = "H"
    text_name = "H"

    def __new__(cls, distribution: Any, base: BaseLike = "nats") -> "Entropy":
        return Expr.__new__(cls, as_distribution(distribution, "P"), log_base(base))  # type: ignore

    def definition(self) -> Expr:
        (P,) = self.distributions
        if isinstance(P, NormalDistribution):
            return _normal_expectation(P, -P.log_density())
        return -P.sum(lambda k: xlogy(P.probability(k), P.probability(k)))  # type: ignore


class CrossEntropy(InformationMeasure):
    r"""Cross-entropy :math:`H(P, Q) = -\sum_i p_i \log q_i`; :math:`+\infty` where
    :math:`q_i = 0 < p_i`.

    >>> from sympy import Rational
    >>> CrossEntropy([0, 0, 1], [Rational(3, 10), Rational(3, 10), Rational(2, 5)]).doit()
    -log(2) + log(5)
    """

    latex_name = "H"
    text_name = "H"

    def __new__(cls, p: Any, q: Any, base: BaseLike = "nats") -> "CrossEntropy":
        P, Q = as_distribution(p, "P"), as_distribution(q, "Q")
        _check_pair(P, Q)
        return Expr.__new__(cls, P, Q, log_base(base))  # type: ignore

    def definition(self) -> Expr:
        P, Q = self.distributions
        if isinstance(P, NormalDistribution):
            return _normal_expectation(P, -Q.log_density())  # type: ignore
        return -P.sum(lambda k: xlogy(P.probability(k), Q.probability(k)))  # type: ignore


class KLDivergence(_DivergenceNotation, InformationMeasure):
    r"""Kullback-Leibler divergence
    :math:`D_{\mathrm{KL}}(P \,\|\, Q) = \sum_i p_i \log \frac{p_i}{q_i}`, with
    :math:`0 \log(0/q) = 0` and :math:`+\infty` where :math:`q_i = 0 < p_i`; for densities
    :math:`\int f \log (f/g)\, dx`.

    >>> from sympy import symbols
    >>> m, s = symbols("mu sigma", positive=True)
    >>> KLDivergence(normal(m, s, "P"), normal(0, 1, "Q")).doit()
    mu**2/2 + sigma**2/2 - log(sigma) - 1/2
    """

    latex_name = r"D_{\mathrm{KL}}"
    text_name = "KL"

    def __new__(cls, p: Any, q: Any, base: BaseLike = "nats") -> "KLDivergence":
        P, Q = as_distribution(p, "P"), as_distribution(q, "Q")
        _check_pair(P, Q)
        return Expr.__new__(cls, P, Q, log_base(base))  # type: ignore

    def definition(self) -> Expr:
        P, Q = self.distributions
        if isinstance(P, NormalDistribution):
            return _normal_expectation(P, P.log_density() - Q.log_density())  # type: ignore
        return P.sum(lambda k: rel_entr(P.probability(k), Q.probability(k)))  # type: ignore


class JSDivergence(_DivergenceNotation, InformationMeasure):
    r"""Jensen-Shannon divergence
    :math:`D_{\mathrm{JS}}(P \,\|\, Q) = \tfrac12 D_{\mathrm{KL}}(P \,\|\, M) +
    \tfrac12 D_{\mathrm{KL}}(Q \,\|\, M)` with the mixture :math:`M = \tfrac12 (P + Q)`;
    :math:`0 \le D_{\mathrm{JS}} \le \ln 2`. For densities ``doit()`` returns the defining
    integral unevaluated (it has no closed form for Gaussians).

    >>> JSDivergence([1, 0], [0, 1]).doit()
    log(2)
    """

    latex_name = r"D_{\mathrm{JS}}"
    text_name = "JS"

    def __new__(cls, p: Any, q: Any, base: BaseLike = "nats") -> "JSDivergence":
        P, Q = as_distribution(p, "P"), as_distribution(q, "Q")
        _check_pair(P, Q)
        return Expr.__new__(cls, P, Q, log_base(base))  # type: ignore

    def definition(self) -> Expr:
        P, Q = self.distributions
        half = Rational(1, 2)
        if isinstance(P, NormalDistribution):
            x = NormalDistribution.VARIABLE
            f, g = P.density(x), Q.density(x)  # type: ignore
            m = (f + g) / 2
            return half * Integral(f * log(f / m) + g * log(g / m), (x, -oo, oo))

        def term(k: Any) -> Expr:
            p, q = P.probability(k), Q.probability(k)  # type: ignore
            m = (p + q) / 2
            return half * rel_entr(p, m) + half * rel_entr(q, m)
        return P.sum(term)  # type: ignore


class JointEntropy(InformationMeasure):
    r"""Joint entropy :math:`H(X, Y) = -\sum_{i,j} p(x_i, y_j) \log p(x_i, y_j)`.

    >>> JointEntropy(joint_distribution([["1/2", 0], [0, "1/2"]])).doit()
    log(2)
    """

    latex_name = "H"
    text_name = "H"

    def __new__(cls, joint: Any, base: BaseLike = "nats") -> "JointEntropy":
        return Expr.__new__(cls, _as_joint(joint), log_base(base))  # type: ignore

    def definition(self) -> Expr:
        (J,) = self.distributions
        return -J.sum(lambda r, c: xlogy(J.probability(r, c), J.probability(r, c)))  # type: ignore


class ConditionalEntropy(InformationMeasure):
    r"""Conditional entropy
    :math:`H(X \mid Y) = -\sum_{i,j} p(x_i, y_j) \log \frac{p(x_i, y_j)}{p(y_j)}`.

    ``target`` names the variable whose uncertainty is measured; the other one is given.

    >>> J = joint_distribution([["1/4", "1/4"], ["1/2", 0]])
    >>> ConditionalEntropy(J, "X").doit()
    -log(2)/2 + 3*log(3)/4
    """

    latex_name = "H"
    text_name = "H"

    def __new__(cls, joint: Any, target: str = "X", base: BaseLike = "nats") \
            -> "ConditionalEntropy":
        J = _as_joint(joint)
        if isinstance(target, Str):  # rebuilt from its own args (subs, xreplace)
            target = target.name
        J._axis(target)  # validates the name
        return Expr.__new__(cls, J, Str(target), log_base(base))  # type: ignore

    @property
    def target(self) -> str:
        """The variable before the bar."""
        return self.args[1].name  # type: ignore[attr-defined,no-any-return]

    @property
    def given(self) -> str:
        """The variable after the bar."""
        first, second = self.args[0].names  # type: ignore[attr-defined]
        return second if self.target == first else first  # type: ignore[no-any-return]

    @property
    def distributions(self) -> tuple[Basic, ...]:
        return (self.args[0],)

    def definition(self) -> Expr:
        J: JointDistribution = self.args[0]  # type: ignore[assignment]
        given = J.marginal(self.given)
        given_first = J.names[0] == self.given

        def term(r: Any, c: Any) -> Expr:
            p = J.probability(r, c)
            return xlogy(p, p / given.probability(r if given_first else c))
        return -J.sum(term)

    def _latex_arguments(self, printer: Any) -> str:
        return rf"{self.target} \mid {self.given}"

    def _text_arguments(self, printer: Any) -> str:
        return f"{self.target} | {self.given}"


class MutualInformation(InformationMeasure):
    r"""Mutual information
    :math:`I(X; Y) = \sum_{i,j} p(x_i, y_j) \log \frac{p(x_i, y_j)}{p(x_i)\, p(y_j)}
    = D_{\mathrm{KL}}(P_{XY} \,\|\, P_X P_Y)`.

    >>> MutualInformation(joint_distribution([["1/2", 0], [0, "1/2"]]), base=2).doit()
    1
    """

    latex_name = "I"
    text_name = "I"

    def __new__(cls, joint: Any, base: BaseLike = "nats") -> "MutualInformation":
        return Expr.__new__(cls, _as_joint(joint), log_base(base))  # type: ignore

    def definition(self) -> Expr:
        (J,) = self.distributions
        first, second = J.names  # type: ignore[attr-defined]
        X, Y = J.marginal(first), J.marginal(second)  # type: ignore[attr-defined]
        return J.sum(lambda r, c: rel_entr(J.probability(r, c),  # type: ignore[attr-defined]
                                           X.probability(r) * Y.probability(c)))

    def _latex_arguments(self, printer: Any) -> str:
        return "{}; {}".format(*self.args[0].names)  # type: ignore[attr-defined]

    _text_arguments = _latex_arguments


class Perplexity(InformationMeasure):
    r"""Perplexity :math:`\mathrm{PP}(P, Q) = b^{H_b(P, Q)} = e^{H(P, Q)}`, the effective number
    of choices per step; with one argument, :math:`\mathrm{PP}(P) = e^{H(P)}`. The value does
    not depend on the base; ``base`` only chooses the form :math:`b^{H_b}`.

    >>> from sympy import Rational
    >>> Perplexity([Rational(1, 4)] * 4).doit()
    4
    """

    latex_name = r"\mathrm{PP}"
    text_name = "PP"

    def __new__(cls, p: Any, q: Any = None, base: BaseLike = "nats") -> "Perplexity":
        if isinstance(q, Expr):  # rebuilt from its own args (P, base): q is the base
            q, base = None, q
        P = as_distribution(p, "P")
        if q is None:
            return Expr.__new__(cls, P, log_base(base))  # type: ignore
        Q = as_distribution(q, "Q")
        _check_pair(P, Q)
        return Expr.__new__(cls, P, Q, log_base(base))  # type: ignore

    def _cross_entropy(self) -> InformationMeasure:
        if len(self.distributions) == 1:
            return Entropy(self.distributions[0], self.base)
        first, second = self.distributions
        return CrossEntropy(first, second, self.base)

    def definition(self) -> Expr:
        return self.base ** self._cross_entropy().doit()  # type: ignore[no-any-return]

    def doit(self, **hints: Any) -> Expr:
        return tidy(self.definition())

    def _latex_operator(self, printer: Any) -> str:
        return self.latex_name


# --------------------------------------------------------------------------------------------
# Functions: build and (by default) evaluate
# --------------------------------------------------------------------------------------------

def _slope_at_infinity(generator: Callable[[Expr], Expr]) -> Expr:
    r""":math:`\lim_{t \to \infty} f(t) / t`, the weight of a term with :math:`q_i = 0`."""
    t = sympy.Dummy("t", positive=True)
    return sympy.limit(generator(t) / t, t, oo)


def f_divergence(p: Any, q: Any, generator: Callable[[Expr], Expr]) -> Expr:
    r"""The :math:`f`-divergence :math:`D_f(P \,\|\, Q) = \sum_i q_i\, f(p_i / q_i)` for a
    convex generator :math:`f` with :math:`f(1) = 0`.

    KL is the case :math:`f(t) = t \log t`, reverse KL :math:`f(t) = -\log t`, total variation
    :math:`f(t) = \tfrac12 |t - 1|`. A term with :math:`q_i = 0` is
    :math:`p_i \lim_{t\to\infty} f(t)/t` (0 when :math:`p_i = 0` too), computed with
    ``sympy.limit``.

    Args:
      p, q: distributions, or sequences of probabilities, on the same outcomes.
      generator: :math:`f`, a function from a SymPy expression to a SymPy expression.

    >>> from sympy import log, Abs
    >>> f_divergence(["1/2", "1/2"], [1, 0], lambda t: Abs(t - 1) / 2)
    1/2
    >>> f_divergence(["1/2", "1/2"], ["1/4", "3/4"], lambda t: t * log(t))
    -log(3)/2 + log(2)
    """
    P, Q = as_distribution(p, "P"), as_distribution(q, "Q")
    _check_pair(P, Q)
    def term(k: Any) -> Expr:
        pk, qk = P.probability(k), Q.probability(k)  # type: ignore[attr-defined]
        if qk.is_zero:
            return sympy.S.Zero if pk.is_zero else pk * _slope_at_infinity(generator)
        return qk * generator(pk / qk)
    return tidy(P.sum(term))  # type: ignore[attr-defined]


def _result(measure: InformationMeasure, evaluate: bool) -> Expr:
    return measure.doit() if evaluate else measure


def entropy(p: Any, *, base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""Entropy :math:`H(P) = -\sum_i p_i \log_b p_i` (see :class:`Entropy`).

    Args:
      p: a distribution, or a sequence of probabilities (named ``P``).
      base: ``"nats"`` (default), ``"bits"``, ``"hartleys"`` or a number.
      evaluate: return the value (default) or the unevaluated :class:`Entropy`.

    >>> entropy(["0.5", "0.5"], base="bits")
    1
    """
    return _result(Entropy(p, base), evaluate)


def cross_entropy(p: Any, q: Any, *, base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""Cross-entropy :math:`H(P, Q) = -\sum_i p_i \log_b q_i` (see :class:`CrossEntropy`).

    >>> cross_entropy(["0.2", "0.8"], ["0.5", "0.5"])
    log(2)
    """
    return _result(CrossEntropy(p, q, base), evaluate)


def kl_divergence(p: Any, q: Any, *, base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""KL divergence :math:`D_{\mathrm{KL}}(P \,\|\, Q) = \sum_i p_i \log_b (p_i/q_i)`
    (see :class:`KLDivergence`).

    >>> kl_divergence([1, 0], ["0.5", "0.5"], base="bits")
    1
    """
    return _result(KLDivergence(p, q, base), evaluate)


def js_divergence(p: Any, q: Any, *, base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""Jensen-Shannon divergence (see :class:`JSDivergence`).

    >>> js_divergence([1, 0], [0, 1], base="bits")
    1
    """
    return _result(JSDivergence(p, q, base), evaluate)


def joint_entropy(joint: JointDistribution, *, base: BaseLike = "nats",
                  evaluate: bool = True) -> Expr:
    r"""Joint entropy :math:`H(X, Y)` of a joint table (see :class:`JointEntropy`).

    >>> joint_entropy(joint_distribution([["1/4", "1/4"], ["1/4", "1/4"]]), base="bits")
    2
    """
    return _result(JointEntropy(joint, base), evaluate)


def conditional_entropy(joint: JointDistribution, target: str = "X", *,
                        base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""Conditional entropy :math:`H(X \mid Y)` (see :class:`ConditionalEntropy`).

    >>> conditional_entropy(joint_distribution([["1/2", 0], [0, "1/2"]]))
    0
    """
    return _result(ConditionalEntropy(joint, target, base), evaluate)


def mutual_information(joint: JointDistribution, *, base: BaseLike = "nats",
                       evaluate: bool = True) -> Expr:
    r"""Mutual information :math:`I(X; Y)` (see :class:`MutualInformation`).

    >>> mutual_information(joint_distribution([["1/4", "1/4"], ["1/4", "1/4"]]))
    0
    """
    return _result(MutualInformation(joint, base), evaluate)


def perplexity(p: Any, q: Any = None, *, base: BaseLike = "nats", evaluate: bool = True) -> Expr:
    r"""Perplexity :math:`e^{H(P, Q)}`, or :math:`e^{H(P)}` without ``q`` (see :class:`Perplexity`).

    >>> perplexity(["0.5", "0.5"], base="bits")
    2
    """
    return _result(Perplexity(p, q, base), evaluate)
