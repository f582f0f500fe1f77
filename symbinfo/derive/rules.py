r"""Named transformations: the moves a derivation is made of.

Each :class:`Rule` takes an expression and the :class:`~symbinfo.assumptions.Assumptions`
and returns a :class:`Rewrite`: the new expression and the labels of the side conditions the
move relied on. Rules never assume what was not stated: logarithms are split only where the
positivity oracle shows every factor positive (never ``expand_log(force=True)``), and
:math:`\sum_i p_i = 1` is substituted only for a :class:`~symbinfo.assumptions.Normalised`
symbol. Whatever a rule produces is verified afterwards, independently of the rule.

The same functions build the verifier's normal form (:mod:`symbinfo.verify`); a sampled
numeric check there guards against an unsound rule.

>>> from sympy import IndexedBase, Symbol, Sum, log
>>> from symbinfo.assumptions import Assumptions, probability
>>> p = Symbol("p")
>>> split_log(log(p * (1 - p)), Assumptions(probability(p)))
Rewrite(expr=log(p) + log(1 - p), conditions=('0 < p < 1',))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy import (Add, Derivative, Expr, Indexed, KroneckerDelta, Mul, Product, Sum, Symbol,
                   exp, log)

from symbinfo.assumptions import Assumptions, IndexRange, Normalised
from symbinfo.definitions.activations import Sigmoid, Softplus
from symbinfo.definitions.exact import tidy
from symbinfo.definitions.measures import InformationMeasure


@dataclass(frozen=True)
class Rewrite:
    """The result of a rule: the new expression and the conditions it used (LaTeX labels)."""

    expr: Expr
    conditions: tuple[str, ...] = ()


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    merged: list[str] = []
    for group in groups:
        merged.extend(label for label in group if label not in merged)
    return tuple(merged)


# --------------------------------------------------------------------------------------------
# Definitions and notation
# --------------------------------------------------------------------------------------------

def expand_definition(expr: Expr, assumptions: Assumptions,
                      kinds: tuple[type, ...] = (InformationMeasure,)) -> Rewrite:
    r"""Replace each measure of the given classes (default: all) by its defining sum,
    integral or value, e.g. :math:`H(P) \to -\sum_i p_i \log p_i`."""
    return Rewrite(expr.replace(lambda e: isinstance(e, kinds), lambda e: e.doit()))


def write_out_definition(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Replace each measure by its defining sum written out term by term, before any
    arithmetic (explicit distributions: :math:`-\tfrac15 \log \tfrac15 - \dots`)."""
    def written(measure: InformationMeasure) -> Expr:
        value = measure.definition()
        return value if measure.base == sympy.E else value / log(measure.base)
    return Rewrite(expr.replace(lambda e: isinstance(e, InformationMeasure), written))


def expand_activations(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""The activations by definition:

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}, \quad \operatorname{softplus}(x) = \log(1 + e^{x}).
    """
    expr = expr.replace(lambda e: isinstance(e, Sigmoid), lambda e: e.rewrite(exp))
    return Rewrite(expr.replace(lambda e: isinstance(e, Softplus), lambda e: e.rewrite(log)))


def apply_definitions(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Substitute the stated definitions (:math:`y_k = \delta_{kc}`, ...)."""
    new, used = assumptions.apply_definitions(expr)
    return Rewrite(new, used)


def substitute(mapping: dict[Expr, Expr]) -> Callable[[Expr, Assumptions], Rewrite]:
    """A rule that substitutes ``mapping`` (a special case, or renaming)."""
    def rule(expr: Expr, assumptions: Assumptions) -> Rewrite:
        return Rewrite(expr.xreplace(mapping))
    return rule


# --------------------------------------------------------------------------------------------
# Logarithms
# --------------------------------------------------------------------------------------------

def split_log(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Log of a product, quotient, power or exponential, where the conditions allow it:

    .. math:: \log(ab) = \log a + \log b \ (a, b > 0), \quad \log a^{c} = c \log a \ (a > 0,
              c \in \mathbb{R}), \quad \log e^{x} = x \ (x \in \mathbb{R}),

    and :math:`\log \prod_i f_i = \sum_i \log f_i` for positive factors. Logs of small
    rationals split into logs of primes. Factors whose positivity is not established stay
    inside the logarithm.
    """
    used: list[tuple[str, ...]] = []

    def positive(*factors: Expr) -> bool:
        return all(f.is_positive or assumptions.is_positive(f) for f in factors)

    def real(value: Expr) -> bool:
        return value.is_extended_real is True or assumptions.is_real(value)

    def applied(*facts: Expr) -> None:  # a rule applied: record the conditions it relied on
        used.append(assumptions.conditions_on(Add(*facts)))

    def split(arg: Expr) -> Expr:
        if arg.is_Rational and arg.is_positive:
            return tidy(log(arg))
        if isinstance(arg, exp) and real(arg.args[0]):
            applied(arg.args[0])
            return arg.args[0]
        if arg.is_Mul and positive(*Mul.make_args(arg)):
            applied(arg)
            return Add(*[split(f) for f in Mul.make_args(arg)])
        if arg.is_Pow and arg.base is not sympy.E and real(arg.exp) and positive(arg.base):
            applied(arg)
            return arg.exp * split(arg.base)
        if isinstance(arg, Product) and positive(arg.function):
            applied(arg.function)
            return Sum(split(arg.function), *arg.limits)
        return log(arg)

    new = expr.replace(lambda e: isinstance(e, log), lambda e: split(e.args[0]))
    return Rewrite(new, _merge(*used))


# --------------------------------------------------------------------------------------------
# Sums
# --------------------------------------------------------------------------------------------

def split_sums(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Linearity of sums: :math:`\sum_i (a_i + b_i) = \sum_i a_i + \sum_i b_i`,
    :math:`\sum_i c\, a_i = c \sum_i a_i`, :math:`\sum_{i=1}^{n} c = n c`, nested sums ordered
    so that factors depending on one index only move out, a sum from 0 split into its first
    term and the rest, and :math:`\sum_j \delta_{jk} f_j = f_k` for :math:`1 \le k \le n`
    (a stated condition)."""
    used: list[tuple[str, ...]] = []

    def visit(e: Expr) -> Expr:
        if not e.args or isinstance(e, Indexed):
            return e
        if isinstance(e, Sum):
            return _linear_sum(visit(e.function), list(e.limits), assumptions, used)
        return e.func(*[visit(a) for a in e.args])
    return Rewrite(visit(expr), _merge(*used))


def _linear_sum(summand: Expr, limits: list[tuple[Expr, Expr, Expr]], assumptions: Assumptions,
                used: list[tuple[str, ...]]) -> Expr:
    for k, (var, lo, hi) in enumerate(limits):
        if lo == 0:  # a sum from 0: the first term comes out, the rest runs from 1
            others = limits[:k] + limits[k + 1:]
            return (_linear_sum(summand.xreplace({var: 0}), others, assumptions, used)
                    + _linear_sum(summand, [*others, (var, sympy.S.One, hi)], assumptions, used))
    terms = Add.make_args(sympy.expand(summand, log=False, power_exp=False, power_base=False))
    return Add(*[_sum_of_product(term, limits, assumptions, used) for term in terms])


def _sum_of_product(term: Expr, limits: list[tuple[Expr, Expr, Expr]], assumptions: Assumptions,
                    used: list[tuple[str, ...]]) -> Expr:
    """:math:`\\sum` over ``limits`` of a product, with index-free factors pulled out."""
    if not limits:
        return term
    bound = {var for var, _, _ in limits}
    if any(lo.free_symbols & bound or hi.free_symbols & bound for _, lo, hi in limits):
        return Sum(term, *limits)  # dependent bounds: left as written
    factors = list(Mul.make_args(term))
    delta = _kronecker_match(factors, limits, assumptions)
    if delta is not None:
        var, value, label = delta
        if value is sympy.nan:  # the delta's other index lies outside the summation range
            return sympy.S.Zero
        used.append((label,))
        rest = Mul(*[f for f in factors if not isinstance(f, KroneckerDelta)
                     or var not in f.free_symbols]).xreplace({var: value})
        remaining = [limit for limit in limits if limit[0] != var]
        return _sum_of_product(sympy.expand(rest, log=False), remaining, assumptions, used)
    constant = Mul(*[f for f in factors if not (f.free_symbols & bound)])
    dependent = [f for f in factors if f.free_symbols & bound]
    unused = [limit for limit in limits if not any(limit[0] in f.free_symbols for f in dependent)]
    count = Mul(*[hi - lo + 1 for _, lo, hi in unused])
    limits = [limit for limit in limits if limit not in unused]
    if not limits:
        return constant * count
    if len(limits) == 1:
        return constant * count * Sum(Mul(*dependent), *limits)
    for outer in limits:  # move out the factors that depend on one index only
        own = [f for f in dependent if f.free_symbols & bound == {outer[0]}]
        if own:
            inner = [f for f in dependent if f not in own]
            rest = [limit for limit in limits if limit != outer]
            return constant * count * Sum(
                Mul(*own) * _sum_of_product(Mul(*inner), rest, assumptions, used), outer)
    return constant * count * Sum(Mul(*dependent), *limits)


def _kronecker_match(factors: list[Expr], limits: list, assumptions: Assumptions) \
        -> tuple[Symbol, Expr, str] | None:
    """A factor :math:`\\delta_{jk}` with ``j`` summed over :math:`1..n` and a stated condition
    :math:`1 \\le k \\le n`: returns ``(j, k, label)``."""
    for factor in factors:
        if not isinstance(factor, KroneckerDelta):
            continue
        for var, lo, hi in limits:
            if var not in factor.args:
                continue
            (other,) = [a for a in factor.args if a != var] or [var]
            if other.is_number and ((other - lo).is_negative or (hi - other).is_negative):
                return var, sympy.nan, rf"\delta_{{{sympy.latex(var)}{other}}} = 0"
            if lo != 1:
                continue
            for condition in assumptions.of_type(IndexRange):
                if condition.index == other and condition.length == hi:
                    return var, other, condition.label
    return None


def apply_normalisation(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Substitute :math:`\sum_i p_i = 1` for each normalised symbol."""
    used = []
    for condition in assumptions.of_type(Normalised):
        new = expr.replace(lambda e, total=condition.is_total: isinstance(e, Sum) and total(e),
                           lambda e: sympy.S.One)
        if new != expr:
            used.append(condition.label)
            expr = new
    return Rewrite(expr, tuple(used))


def expand(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Multiply out products of sums, and :math:`e^{a+b} = e^{a} e^{b}` (no log or power-base
    rules: those need conditions)."""
    return Rewrite(sympy.expand(expr, log=False, power_base=False))


# --------------------------------------------------------------------------------------------
# Calculus
# --------------------------------------------------------------------------------------------

def differentiate(variable: Expr) -> Callable[[Expr, Assumptions], Rewrite]:
    r"""A rule: :math:`\partial / \partial x` of the expression (sums differentiate termwise;
    :math:`\partial z_j / \partial z_k = \delta_{jk}`), with the Kronecker sums collapsed."""
    def rule(expr: Expr, assumptions: Assumptions) -> Rewrite:
        inner = expr.args[0] if isinstance(expr, Derivative) else expr
        value = sympy.diff(inner, variable)
        return split_sums(value, assumptions)
    return rule


def evaluate_integrals(expr: Expr, assumptions: Assumptions) -> Rewrite:
    r"""Carry out every definite integral: Gaussian moments over the real line in closed form,

    .. math:: \int_{-\infty}^{\infty} x^{k} e^{-a x^2 + b x + c}\, dx
              = e^{c + b^2/4a} \sqrt{\pi / a}\; \mathbb{E}[Y^{k}],
              \quad Y \sim \mathcal{N}\left(\tfrac{b}{2a}, \tfrac{1}{2a}\right),\ a > 0,

    anything else with SymPy's ``integrate`` (slow: the verifier runs it under a time limit).
    """
    used: list[tuple[str, ...]] = []

    def integrate(integral: sympy.Integral) -> Expr:
        terms = Add.make_args(sympy.expand(integral.function, power_exp=False, log=False))
        moments = [_gaussian_moment(term, integral.limits, assumptions, used) for term in terms]
        if all(m is not None for m in moments):
            return Add(*moments)
        return sympy.expand(sympy.Integral(sympy.expand(integral.function),
                                           *integral.limits).doit())
    return Rewrite(expr.replace(lambda e: isinstance(e, sympy.Integral), integrate),
                   _merge(*used))


def _gaussian_moment(term: Expr, limits: tuple, assumptions: Assumptions,
                     used: list[tuple[str, ...]]) -> Expr | None:
    if len(limits) != 1 or len(limits[0]) != 3 or tuple(limits[0][1:]) != (-sympy.oo, sympy.oo):
        return None
    x = limits[0][0]
    constant, dependent = term.as_independent(x, as_Add=False)
    exponent, power = sympy.S.Zero, sympy.S.Zero
    for factor in Mul.make_args(dependent):
        if isinstance(factor, exp):
            exponent += factor.args[0]
        elif factor == x:
            power += 1
        elif factor.is_Pow and factor.base == x and factor.exp.is_Integer and factor.exp > 0:
            power += factor.exp
        else:
            return None
    quadratic = sympy.Poly(sympy.expand(exponent), x) if exponent.has(x) else None
    if quadratic is None or quadratic.degree() != 2:
        return None
    a, b, c = (-quadratic.coeff_monomial(x ** 2), quadratic.coeff_monomial(x),
               quadratic.coeff_monomial(1))
    if not (a.is_positive or assumptions.is_positive(a)):
        return None
    used.append(assumptions.conditions_on(a))
    mean, variance = b / (2 * a), 1 / (2 * a)
    moments = [sympy.S.One, mean]
    for k in range(2, int(power) + 1):
        moments.append(mean * moments[k - 1] + (k - 1) * variance * moments[k - 2])
    return constant * exp(c + b ** 2 / (4 * a)) * sympy.sqrt(sympy.pi / a) * moments[int(power)]


def derivative(expr: Expr, variable: Expr) -> Derivative:
    r"""The unevaluated :math:`\frac{\partial}{\partial x} f`, the start of a gradient step."""
    return Derivative(expr, variable, evaluate=False)


def evaluate_derivatives(expr: Expr, assumptions: Assumptions) -> Rewrite:
    """Carry out every unevaluated derivative."""
    return Rewrite(expr.replace(lambda e: isinstance(e, Derivative),
                                lambda e: e.doit(deep=False)))


# --------------------------------------------------------------------------------------------
# Recognising named quantities
# --------------------------------------------------------------------------------------------

def recognise(*measures: Expr) -> Callable[[Expr, Assumptions], Rewrite]:
    r"""A rule: replace the expanded definition of each measure by the measure itself,
    :math:`-\sum_i p_i \log p_i \to H(P)`, wherever all its terms occur with one coefficient."""
    def rule(expr: Expr, assumptions: Assumptions) -> Rewrite:
        for measure in measures:
            definition = _linear(measure.doit() if hasattr(measure, "doit") else measure,
                                 assumptions)
            expr = _replace_terms(_linear(expr, assumptions), definition, measure)
        return Rewrite(expr)
    return rule


def _linear(expr: Expr, assumptions: Assumptions) -> Expr:
    return split_sums(sympy.expand(expr, log=False, power_exp=False, power_base=False),
                      assumptions).expr


def _replace_terms(expr: Expr, pattern: Expr, replacement: Expr) -> Expr:
    terms = Add.make_args(sympy.expand(expr, log=False, power_exp=False, power_base=False))
    wanted = Add.make_args(pattern)
    first = wanted[0]
    for term in terms:
        ratio = sympy.cancel(term / first)
        if ratio.has(*[s for s in first.atoms(Sum)]):
            continue
        if all(sympy.expand(ratio * w, log=False) in terms for w in wanted):
            remaining = expr - sympy.expand(ratio * pattern, log=False)
            return sympy.expand(remaining, log=False, power_exp=False,
                                power_base=False) + ratio * replacement
    return expr


# --------------------------------------------------------------------------------------------
# Named rules
# --------------------------------------------------------------------------------------------

def compose(*steps: Callable[[Expr, Assumptions], Rewrite]) -> Callable[[Expr, Assumptions],
                                                                        Rewrite]:
    """Several transformations as one step; the conditions used are merged."""
    def rule(expr: Expr, assumptions: Assumptions) -> Rewrite:
        used: list[tuple[str, ...]] = []
        for step in steps:
            result = step(expr, assumptions)
            expr, used = result.expr, used + [result.conditions]
        return Rewrite(expr, _merge(*used))
    return rule


@dataclass(frozen=True)
class Rule:
    """A named transformation with the justification a derivation prints for it."""

    name: str
    justification: str
    transform: Callable[[Expr, Assumptions], Rewrite]

    def __call__(self, expr: Expr, assumptions: Assumptions) -> Rewrite:
        return self.transform(expr, assumptions)


DEFINITION = Rule("definition", "definition", expand_definition)
WRITTEN_OUT = Rule("written_out", "definition, written out", write_out_definition)
ACTIVATIONS = Rule("activations", r"definitions of $\sigma$ and softplus", expand_activations)
LOG_RULES = Rule("log_rules", "log of a product / quotient / power", split_log)
SPLIT_SUMS = Rule("split_sums", "split the sum, pull constants out", split_sums)
NORMALISATION = Rule("normalisation", r"$\sum_i p_i = 1$", apply_normalisation)
EXPAND = Rule("expand", "multiply out", expand)
DEFINITIONS = Rule("substitute", "substitute the definition", apply_definitions)
DIFFERENTIATE = Rule("differentiate", "differentiate",
                     compose(expand_definition, evaluate_derivatives, split_sums))

RULES: dict[str, Rule] = {rule.name: rule for rule in (
    DEFINITION, WRITTEN_OUT, ACTIVATIONS, LOG_RULES, SPLIT_SUMS, NORMALISATION, EXPAND, DEFINITIONS,
    DIFFERENTIATE)}
"""The parameterless rules by name."""


__all__ = ["RULES", "Rewrite", "Rule", "apply_definitions", "apply_normalisation", "compose",
           "derivative", "differentiate", "evaluate_derivatives", "evaluate_integrals", "expand",
           "expand_activations", "expand_definition", "recognise", "split_log", "split_sums",
           "substitute", "write_out_definition"]

