r"""From parse trees to SymPy objects, built directly (never ``sympify``/``eval`` of text).

:class:`ProofTransformer` is a lark ``Transformer`` (the non-recursive one, so deep trees cannot
exhaust the Python stack) with one method per grammar rule. It turns the notation of
:mod:`symbinfo.parse` into the core's objects:

* ``p_i``, ``y_{i,k}``, ``x^{(i)}`` are ``Indexed`` entries; ``q_{\mathrm{true}}`` a symbol;
* ``\sum_{i=1}^{n}``, ``\sum_i``, ``\prod`` are ``Sum``/``Product``; ``\int ... dx`` ``Integral``;
* ``e^{x}`` is ``exp(x)``; ``\log_2 x`` is ``log(x)/log(2)``; decimals are exact rationals;
* ``H(P)``, ``H(P, Q)``, ``D_{KL}(P \| Q)``, ``H(X, Y)``, ``H(X \mid Y)``, ``I(X; Y)`` are the
  measures of :mod:`symbinfo.definitions.measures`; ``P(x_i)`` is the entry ``p_i``;
* ``\sigma(z)``, ``\operatorname{softplus}``, ``\mathrm{softmax}(z)_k`` are the core's
  activations; ``p(x)``, ``p(x, y)``, ``p(x \mid y)`` are undefined functions (pmfs);
* ``\frac{\partial L}{\partial z_k}`` is an unevaluated ``Derivative``.

Readings that cannot be told apart raise :class:`BuildError` listing them.

>>> from sympy import Sum, log, IndexedBase
>>> from symbinfo.parse import parse_formula
>>> parse_formula(r"-\sum_{i=1}^{n} p_i \log p_i")
-Sum(log(p[i])*p[i], (i, 1, n))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy
from lark import Token, v_args
from lark.visitors import Transformer_NonRecursive
from sympy import (Basic, E, Expr, Indexed, Integer, Integral, Lambda, Product, Rational,
                   Sum, Symbol)
from sympy.core.function import AppliedUndef
from sympy.core.symbol import Str
from sympy.sets import Contains

from symbinfo.definitions.activations import Sigmoid, Softplus, logsumexp, softmax
from symbinfo.definitions.measures import (ConditionalEntropy, CrossEntropy, Entropy,
                                           JointEntropy, JSDivergence, KLDivergence,
                                           MutualInformation, Perplexity)
from symbinfo.distributions import (INDEX, LENGTH, Distribution, FiniteDistribution,
                                    NormalDistribution, SymbolicDistribution, bernoulli,
                                    distribution, normal, symbolic_joint_distribution)
from symbinfo.parse.notation import Conditional
from symbinfo.parse.source import ParseLimits
from symbinfo.parse.symbols import LOGITS_LENGTH, SymbolTable
from symbinfo.parse.values import (BareCall, Binding, Braced, DerivativeOperator, Group, Juxt,
                                   Name, PartialOf, RealSpace, RowValue, SoftmaxOf, StepValue,
                                   Substack, Terms)
from symbinfo.vectors import SymbolicVector, as_vector

RANDOM_VARIABLES = frozenset("XYZ")
"""Capital letters that name random variables (``H(X, Y)`` is a joint entropy); other capitals
name distributions (``H(P, Q)`` is a cross-entropy)."""

FUNCTION_LETTERS = frozenset("pqfgh")
"""Letters read as functions before parentheses of plain outcomes: ``p(x)``, ``q(x, y)``."""

RELATIONS = {"=": "=", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=", "\\ge": ">=",
             "\\geq": ">=", "\\geqslant": ">=", "<": "<", "\\lt": "<", ">": ">", "\\gt": ">",
             "\\approx": "approx", "\\in": "in", "\\ne": "!=", "\\neq": "!="}
"""Relation commands, normalised."""

_SEPARATORS = {",": ",", ";": ";", "|": "|", "\\mid": "|", "\\vert": "|", "||": "||",
               "\\|": "||", "\\Vert": "||", "\\sim": "~"}

_RELATIONAL = {"=": sympy.Eq, "<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt,
               "!=": sympy.Ne}

_FUNCTIONS: dict[str, Callable[..., Expr]] = {
    "\\log": sympy.log, "\\ln": sympy.log, "\\exp": sympy.exp, "\\max": sympy.Max,
    "\\min": sympy.Min}


class BuildError(Exception):
    """A formula that parses but has no (unique) meaning; ``offset`` is absolute, or None."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _command(token: Token) -> str:
    """The command name of a token such as ``\\log``, without spacing."""
    return "".join(str(token).split())


@v_args(inline=True)
class ProofTransformer(Transformer_NonRecursive):
    """Build SymPy objects from a parse tree of :file:`proof.lark`.

    Args:
      table: the proof's symbol table (recording on the first reading, frozen on the second).
      base_offset: offset of the parsed snippet in the source, for error positions.
      source: the source text with comments blanked (to see alignment marks).
      limits: numeric limits (digits, exact power size).
    """

    def __init__(self, table: SymbolTable, base_offset: int, source: str,
                 limits: ParseLimits) -> None:
        super().__init__(visit_tokens=False)
        self.table = table
        self.base = base_offset
        self.source = source
        self.limits = limits

    def _error(self, message: str, offset: int | None) -> BuildError:
        return BuildError(message, None if offset is None else self.base + offset)

    # ------------------------------------------------------------------------------------
    # Atoms
    # ------------------------------------------------------------------------------------
    def number(self, token: Token) -> Expr:
        digits = sum(c.isdigit() for c in token)
        if digits > self.limits.max_number_digits:
            raise self._error(f"a number with {digits} digits; the limit is "
                              f"{self.limits.max_number_digits}", _pos(token))
        whole, _, fraction = str(token).partition(".")
        # Decimals are exact: 0.2 is 1/5, read digit by digit (no float, no evaluation).
        return Rational(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"),
                        10 ** len(fraction))

    def name(self, token: Token) -> Name:
        text = str(token)
        if token.type == "LETTER":
            return Name(text, "letter", _pos(token))
        if token.type == "GREEK":
            return Name(text[1:], "greek", _pos(token))
        if token.type == "KL":
            return Name("KL", "kl", _pos(token))
        if token.type == "CALLIGRAPHIC":
            return Name(text[text.index("{") + 1:text.rindex("}")].strip(), "calligraphic",
                        _pos(token))
        word = text[text.index("{") + 1:text.rindex("}")].strip()
        return Name(word, "roman", _pos(token))

    def infinity(self, token: Token) -> Expr:
        return sympy.oo

    def reals(self, token: Token) -> RealSpace:
        return RealSpace(None, _pos(token))

    def arglist(self, *children: Any) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        items = children[0::2]
        seps = tuple(_SEPARATORS["".join(str(t).split())] for t in children[1::2])
        return tuple(items), seps

    def binding(self, name: Any, _eq: Token, value: Any) -> Binding:
        return Binding(name, value, _pos(_eq))

    def _group(self, opener: Token, arglist: tuple, delim: str) -> Group:
        items, seps = arglist
        return Group(items, seps, delim, _pos(opener))

    def paren(self, opener: Token, arglist: tuple, _closer: Token) -> Group:
        return self._group(opener, arglist, "(")

    def bracket_group(self, opener: Token, arglist: tuple, _closer: Token) -> Group:
        return self._group(opener, arglist, "[")

    def set_group(self, opener: Token, arglist: tuple, _closer: Token) -> Group:
        return self._group(opener, arglist, "\\{")

    def brace_group(self, arglist: tuple) -> Group:
        items, seps = arglist
        return Group(items, seps, "{", _offset_of(items[0]))

    def abs_value(self, _open: Token, value: Any, _close: Token) -> Expr:
        return sympy.Abs(self.expr(value))

    def sqrt(self, _token: Token, value: Any) -> Expr:
        return sympy.sqrt(self.expr(value))

    def braced_script(self, arglist: tuple) -> Group:
        return self.brace_group(arglist)

    def index_range(self, low: Any, _le: Token, name: Name, _le2: Token,
                    high: Any) -> tuple[Name, Any, Any]:
        return name, low, high

    def substack(self, *children: Any) -> list[tuple[Name, Any, Any]]:
        return [child for child in children if isinstance(child, tuple)]

    def substack_script(self, _token: Token, ranges: list[tuple[Name, Any, Any]]) -> Substack:
        return Substack(tuple(ranges), _pos(_token))

    def token_script(self, token: Token) -> Any:
        if token.type == "NUMBER":
            if len(token) > 1:
                raise self._error(f"ambiguous script '{token}': LaTeX reads only its first "
                                  f"character; write {{{token}}} or {token[0]}{{{token[1:]}}}",
                                  _pos(token))
            return self.number(token)
        if token.type == "INFTY":
            return sympy.oo
        return self.name(token)

    # ------------------------------------------------------------------------------------
    # Scripts, calls and the decisions they need
    # ------------------------------------------------------------------------------------
    def sub_op(self, _mark: Token, script: Any) -> tuple[str, Any, int]:
        return ("sub", script, _pos(_mark))

    def sup_op(self, _mark: Token, script: Any) -> tuple[str, Any, int]:
        return ("sup", script, _pos(_mark))

    def call_op(self, group: Group) -> tuple[str, Any, int | None]:
        return ("call", group, group.offset)

    def scripted(self, primary: Any, *postops: tuple[str, Any, int | None]) -> Any:
        if isinstance(primary, Group) and primary.delim == "{" and postops:
            return Braced(primary, postops, primary.offset)
        return self._apply_postops(primary, postops)

    def _apply_postops(self, primary: Any, postops: Sequence[tuple[str, Any, int | None]]) -> Any:
        """Apply subscripts, superscripts and calls left to right."""
        value = primary
        for position, (kind, payload, offset) in enumerate(postops):
            if kind == "sub":
                value = self._subscript(value, payload, offset)
            elif kind == "sup":
                value = self._superscript(value, payload, offset)
            else:
                applied = self._call(value, payload)
                if applied is None:  # a product: the group and its own scripts are a factor
                    right = self._apply_postops(payload, postops[position + 1:])
                    return Juxt((value, right), _offset_of(value), from_call=True)
                value = applied
        return value

    def _subscript(self, value: Any, script: Any, offset: int | None) -> Any:
        if isinstance(value, Group) and value.delim == "{" and isinstance(value.single, Name):
            value = value.single  # {p}_{i}, as SymPy prints indexed symbols
        if isinstance(value, Name):
            if value.sub is not None:
                raise self._error("double subscript; write p_{i,j} for two indices", offset)
            return Name(value.text, value.kind, value.offset, script, value.sup_index)
        if isinstance(value, SoftmaxOf):
            return self._softmax_entry(value, script, offset)
        raise self._error("a subscript here must follow a name (p_i) or softmax(z)", offset)

    def _superscript(self, value: Any, script: Any, offset: int | None) -> Any:
        index = script.single if isinstance(script, Group) else None
        if isinstance(value, Name) and value.is_plain and isinstance(index, Group) \
                and index.delim == "(" and len(index.items) == 1 and value.text != "e":
            return Name(value.text, value.kind, value.offset, None, index.single)  # x^{(i)}
        if isinstance(value, RealSpace):
            return RealSpace(self.expr(script), value.offset)
        return self._power(self.expr(value), self.expr(script), offset)

    def _power(self, base: Expr, exponent: Expr, offset: int | None) -> Expr:
        if base == E:
            return sympy.exp(exponent)  # e^{x} is exp(x), not a symbol e
        if base.is_Rational and exponent.is_Rational:
            if abs(exponent) * _bits(base) > self.limits.max_power_bits:
                raise self._error(f"the exact power {base}^{exponent} would have more than "
                                  f"{self.limits.max_power_bits} bits", offset)
            if base == 0 and exponent.is_negative:
                raise self._error("division by zero: 0 to a negative power", offset)
        return sympy.Pow(base, exponent)

    def _bounded(self, left: Expr, right: Expr, offset: int | None) -> tuple[Expr, Expr]:
        """Refuse exact arithmetic whose result would exceed ``max_power_bits``."""
        if left.is_Rational and right.is_Rational \
                and _bits(left) + _bits(right) > self.limits.max_power_bits:
            raise self._error(f"exact arithmetic on numbers of more than "
                              f"{self.limits.max_power_bits} bits", offset)
        return left, right

    def _call(self, value: Any, group: Group) -> Basic | SoftmaxOf | None:
        """A function application for ``value(...)``, or None to read a product."""
        if isinstance(value, Group) and value.delim == "{" and isinstance(value.single, Name):
            value = value.single
        if not isinstance(value, Name):
            return None
        if value.is_plain and self.table.is_function(value.text):
            return self._function(value, group)  # the author's own notation comes first
        measure = self._measure(value, group)
        if measure is not None:
            return measure
        return self._apply(value, group)

    def _apply(self, name: Name, group: Group) -> Basic | SoftmaxOf | None:
        if name.kind == "calligraphic" and name.text == "N" and name.is_plain:
            return self._normal(group)
        if name.kind == "greek" and name.text == "sigma" and name.is_plain:
            return Sigmoid(self._single_argument(group, "\\sigma"))
        if name.kind == "roman" and name.is_plain:
            builtin = self._roman_function(name, group)
            if builtin is not None:
                return builtin
        if name.kind == "letter" and name.is_plain and name.text.isupper() \
                and self.table.is_distribution(name.text) and len(group.items) == 1:
            return self._probability(name.text, self.expr(group.items[0]), name.offset)
        if name.is_plain and (name.kind == "roman" or (
                name.kind == "letter" and name.text in FUNCTION_LETTERS
                and all(self._is_outcome(item) for item in group.items))):
            return self._function(name, group)
        return None

    def _normal(self, group: Group) -> NormalDistribution:
        r""":math:`\mathcal{N}(\mu, \sigma^2)`, named as written (the measures print it)."""
        if len(group.items) != 2 or group.seps != (",",):
            raise self._error("write a Gaussian as \\mathcal{N}(\\mu, \\sigma^2)", group.offset)
        mean, variance = (self.expr(item) for item in group.items)
        label = rf"\mathcal{{N}}\left({sympy.latex(mean)}, {sympy.latex(variance)}\right)"
        try:
            return normal(mean, sympy.sqrt(variance), label)
        except (ValueError, TypeError) as exc:
            raise self._error(str(exc), group.offset) from None

    def _roman_function(self, name: Name, group: Group) -> Expr | SoftmaxOf | None:
        word = name.text
        if word == "softmax":
            return SoftmaxOf(self._vector(self._single_item(group, word)), name.offset)
        if word in ("logsumexp", "LSE"):
            return logsumexp(self._vector(self._single_item(group, word)))
        if word == "softplus":
            return Softplus(self._single_argument(group, word))
        if word == "sigmoid":
            return Sigmoid(self._single_argument(group, word))
        return None

    def _is_outcome(self, item: Any) -> bool:
        return isinstance(item, Name) and item.kind in ("letter", "greek")

    def _function(self, name: Name, group: Group) -> Expr:
        """``p(x)``, ``p(x, y)``, ``p(x \\mid y)``: an undefined function (a pmf)."""
        bars = [k for k, sep in enumerate(group.seps) if sep == "|"]
        if any(sep not in (",", "|") for sep in group.seps) or len(bars) > 1:
            raise self._error(f"{name.text}(...) takes outcomes separated by ',' and at most "
                              "one '|'", group.offset)
        args = [self.expr(item) for item in group.items]
        function = sympy.Function(name.text)
        if not bars:
            return function(*args)
        split = bars[0] + 1
        return Conditional(function(*args[:split]), *args[split:])

    def _single_item(self, group: Group, what: str) -> Any:
        if group.single is None or isinstance(group.single, Binding):
            raise self._error(f"{what}(...) takes one argument", group.offset)
        return group.single

    def _single_argument(self, group: Group, what: str) -> Expr:
        return self.expr(self._single_item(group, what))

    # ------------------------------------------------------------------------------------
    # Distributions and measures
    # ------------------------------------------------------------------------------------
    def _distribution(self, label: str, offset: int | None) -> Distribution:
        self.table.record_distribution(label)
        if label in self.table.declared_laws:
            return self.table.declared_laws[label]
        base = self.table.indexed_base(label.lower())
        self.table.record_length(label.lower(), 0, LENGTH)
        return SymbolicDistribution(Str(label), Lambda(INDEX, base[INDEX]), LENGTH)

    def _probability(self, label: str, outcome: Expr, offset: int | None) -> Expr:
        r""":math:`P(x_i) = p_i`, :math:`P(x) = p_x`, :math:`P(x_2)` the second entry."""
        if isinstance(outcome, Indexed):
            if len(outcome.indices) != 1:
                raise self._error(f"{label}(...) takes one outcome index", offset)
            outcome = outcome.indices[0]
        if not isinstance(outcome, (Symbol, Integer)):
            raise self._error(f"{label}(...) takes an outcome such as x_i or x", offset)
        law = self._distribution(label, offset)
        if isinstance(law, FiniteDistribution) and isinstance(outcome, Integer):
            if not 1 <= int(outcome) <= law.size:
                raise self._error(f"{label} has {law.size} outcomes; outcome {outcome} is out "
                                  "of range (outcomes are numbered from 1)", offset)
            return law.probability(int(outcome) - 1)
        return self.table.indexed_base(label.lower())[outcome]

    def _joint(self, names: Sequence[str], offset: int | None) -> Any:
        for label in names:
            self.table.record_random_variable(label)
        distinct = sorted(set(names))
        pair: tuple[str, ...] | None
        if self.table.frozen:
            pair = self.table.joint_names()
        else:  # first reading: the other variable may not have been seen yet
            spare = [v for v in sorted(RANDOM_VARIABLES) if v not in distinct]
            pair = tuple(sorted(distinct + spare[:2 - len(distinct)]))
        if pair is None or len(pair) != 2:
            raise self._error("joint measures need exactly two random variables (X, Y) in "
                              "the proof", offset)
        self.table.record_length("p", 0, LENGTH)
        return symbolic_joint_distribution("p", names=pair)

    def _measure(self, name: Name, group: Group) -> Expr | None:
        operator = _measure_operator(name)
        if operator is None:
            return None
        labels = [item.text if isinstance(item, Name) and item.is_plain and item.text.isupper()
                  else None for item in group.items]
        base = self.expr(name.sub) if operator == "H" and name.sub is not None else E
        try:
            return self._build_measure(operator, labels, group, base, name.offset)
        except (ValueError, TypeError) as exc:
            raise self._error(str(exc), name.offset) from None

    def _build_measure(self, operator: str, labels: list[str | None], group: Group,
                       base: Expr, offset: int | None) -> Expr | None:
        seps = set(group.seps)
        if group.items and all(isinstance(i, NormalDistribution) for i in group.items):
            return self._gaussian_measure(operator, list(group.items), seps, base, offset)
        names = [label for label in labels if label is not None]
        all_named = len(names) == len(labels)
        if operator == "H":
            if len(labels) == 1 and all_named:
                return Entropy(self._law(names[0], offset), base)
            if len(labels) == 1:
                return Entropy(bernoulli(self.expr(group.items[0])), base)
            if seps == {","} and all(label is None for label in labels):
                return Entropy(distribution([self.expr(i) for i in group.items]), base)
            if len(labels) == 2 and all_named:
                first, second = names
                if seps == {"|"}:
                    return ConditionalEntropy(self._joint(names, offset), first, base)
                declared = {first, second} <= set(self.table.declared_laws)
                if seps == {","} and {first, second} <= RANDOM_VARIABLES and not declared:
                    return JointEntropy(self._joint(names, offset), base)
                if seps == {","}:
                    law, other = self._laws(names, offset)
                    return CrossEntropy(law, other, base)
            raise self._error("H(...) takes a distribution H(P), two distributions H(P, Q), "
                              "random variables H(X, Y) or H(X | Y), or probabilities", offset)
        if operator == "I":
            if len(labels) == 2 and all_named and seps == {";"}:
                return MutualInformation(self._joint(names, offset))
            return None
        if operator == "PP" and all_named and seps <= {","} and len(labels) <= 2:
            return Perplexity(*self._laws(names, offset))
        if len(labels) == 2 and all_named and seps == {"||"}:
            cls = JSDivergence if operator == "JS" else KLDivergence
            return cls(*self._laws(names, offset))
        raise self._error("a divergence takes two distributions, D_{KL}(P \\| Q)", offset)

    def _gaussian_measure(self, operator: str, laws: list[NormalDistribution], seps: set[str],
                          base: Expr, offset: int | None) -> Expr:
        if operator == "H" and len(laws) == 1:
            return Entropy(laws[0], base)
        if operator == "H" and len(laws) == 2 and seps == {","}:
            return CrossEntropy(laws[0], laws[1], base)
        if operator in ("KL", "JS") and len(laws) == 2 and seps == {"||"}:
            return (KLDivergence if operator == "KL" else JSDivergence)(*laws)
        raise self._error("Gaussians are compared as D_{KL}(\\mathcal{N}(...) \\| "
                          "\\mathcal{N}(...)) or H(\\mathcal{N}(...))", offset)

    def _laws(self, labels: Sequence[str], offset: int | None) -> list[Distribution]:
        """Marginals when every label is a random variable, else distributions of their own
        (``H(Y, Q)`` compares a distribution named Y with Q even if Y is a variable elsewhere)."""
        if all(self.table.is_random_variable(label) for label in labels):
            return [self._law(label, offset) for label in labels]
        return [self._distribution(label, offset) for label in labels]

    def _law(self, label: str, offset: int | None) -> Distribution:
        """The distribution a capital letter names: the marginal of a random variable that the
        proof also uses jointly (H(X, Y), H(X | Y), I(X; Y)), else a distribution of its own."""
        if self.table.is_random_variable(label) and self.table.joint_names() is not None:
            return self._joint([label], offset).marginal(label)
        return self._distribution(label, offset)

    def _vector(self, item: Any) -> Any:
        if not (isinstance(item, Name) and item.is_plain):
            raise self._error("softmax and logsumexp take a vector name such as z",
                              _offset_of(item))
        if item.text in self.table.vectors:
            return self.table.vectors[item.text]
        length = self.table.length_of(item.text, 0) or LOGITS_LENGTH
        self.table.record_length(item.text, 0, length)
        return SymbolicVector(self.table.indexed_base(item.text), length)

    def _softmax_entry(self, pending: SoftmaxOf, script: Any, offset: int | None) -> Expr:
        k = self._index_expr(script)
        if isinstance(pending.logits, SymbolicVector):
            return softmax(pending.logits, k)
        if not isinstance(k, Integer) or not 1 <= int(k) <= len(pending.logits):
            raise self._error(f"softmax of {len(pending.logits)} explicit logits needs a class "
                              f"number from 1 to {len(pending.logits)}", offset)
        return softmax(pending.logits, int(k) - 1)

    def expectation(self, token: Token, _mark: Token | None, script: Any, _open: Token,
                    body: Any, _close: Token) -> Expr:
        r""":math:`\mathbb{E}_{x \sim P}[f] = \sum_i p_i f(x_i)`."""
        group = script if isinstance(script, Group) else None
        if group is None or group.seps != ("~",) or not all(
                isinstance(i, Name) and i.is_plain for i in group.items):
            raise self._error("write the expectation as \\mathbb{E}_{x \\sim P}[...]",
                              _pos(token))
        variable, law_name = group.items
        law = self._law(law_name.text, law_name.offset)
        x = self.table.symbol(variable.text)
        value = self.expr(body)
        if isinstance(law, FiniteDistribution):
            return sympy.Add(*[law.probability(k) * self._finite_entries(
                value.xreplace({x: k + 1})) for k in range(law.size)])
        if not isinstance(law, SymbolicDistribution):
            raise self._error("\\mathbb{E} takes a discrete distribution", _pos(token))
        dummy = INDEX if INDEX not in value.free_symbols else Symbol("i_1", integer=True,
                                                                     positive=True)
        return Sum(law.probability(dummy) * value.xreplace({x: dummy}), (dummy, 1, law.length))

    def _finite_entries(self, value: Expr) -> Expr:
        """Replace ``p[2]`` by the second entry of a declared distribution ``P``."""
        laws = {self.table.indexed_base(name.lower()): law
                for name, law in self.table.declared_laws.items()
                if isinstance(law, FiniteDistribution)}
        return value.replace(
            lambda e: isinstance(e, Indexed) and e.base in laws and len(e.indices) == 1
            and e.indices[0].is_Integer and 1 <= int(e.indices[0]) <= laws[e.base].size,
            lambda e: laws[e.base].probability(int(e.indices[0]) - 1))

    # ------------------------------------------------------------------------------------
    # Names to expressions
    # ------------------------------------------------------------------------------------
    def _name_expr(self, name: Name) -> Expr:
        if name.is_plain:
            return self._plain_name(name)
        labels = _script_labels(name.sub) if name.sub is not None else None
        if labels:
            if name.sup_index is not None:
                raise self._error("a labelled name cannot also carry (i)", name.offset)
            return self.table.symbol(f"{name.text}_{{{''.join(labels)}}}")
        if name.kind == "greek" and name.text == "delta" and name.sup_index is None \
                and not self.table.is_function("delta"):
            return self._kronecker(name)
        indices: list[Expr] = []
        if name.sup_index is not None:
            indices.append(self._index_expr(name.sup_index))
        if name.sub is not None:
            indices.extend(self._indices(name.sub))
        return self.table.indexed_base(self._plain_text(name))[tuple(indices)]

    def _kronecker(self, name: Name) -> Expr:
        r""":math:`\delta_{ij}` (SymPy prints ``KroneckerDelta(0, j)`` as ``\delta_{0 j}``), unless
        a ``% define:`` line gives :math:`\delta` a meaning of its own."""
        items = name.sub.items if isinstance(name.sub, Group) else (name.sub,)
        if len(items) == 1 and isinstance(items[0], Juxt):
            items = items[0].factors
        if len(items) != 2:
            raise self._error("\\delta_{ij} takes two indices", name.offset)
        return sympy.KroneckerDelta(*[self._index_expr(item) for item in items])

    def _plain_text(self, name: Name) -> str:
        if name.kind == "kl":
            raise self._error("KL must be followed by (P \\| Q)", name.offset)
        if name.kind == "roman" and name.text == "d":
            raise self._error("a differential d belongs in an integral or a derivative",
                              name.offset)
        return name.text

    def _plain_name(self, name: Name) -> Expr:
        if name.text == "e" and name.kind in ("letter", "roman"):
            return E  # Euler's number: e is never a variable
        if name.text == "pi" and name.kind == "greek":
            return sympy.pi
        return self.table.symbol(self._plain_text(name))

    def _indices(self, script: Any) -> list[Expr]:
        items = script.items if isinstance(script, Group) else (script,)
        if isinstance(script, Group) and set(script.seps) - {","}:
            raise self._error("indices are separated by commas: y_{i,k}", script.offset)
        indices: list[Expr] = []
        for item in items:
            letters = _index_letters(item)
            if letters is not None:  # p_{ij}: one index per letter
                indices.extend(self.table.index(letter.text) for letter in letters)
            else:
                indices.append(self._index_expr(item))
        return indices

    def _index_expr(self, item: Any) -> Expr:
        if isinstance(item, Group) and item.single is not None:
            item = item.single
        if isinstance(item, Name) and item.is_plain and item.kind in ("letter", "greek"):
            return self.table.index(item.text)
        value = self.expr(item)
        for symbol in value.free_symbols:
            if isinstance(symbol, Symbol):
                self.table.record_index(symbol.name)
        if value.is_number and not value.is_Integer:
            raise self._error(f"an index must be an integer or a symbol, not {value}",
                              _offset_of(item))
        return value

    # ------------------------------------------------------------------------------------
    # Values to expressions
    # ------------------------------------------------------------------------------------
    def expr(self, value: Any) -> Expr:
        """Turn an intermediate value into a SymPy expression, or raise :class:`BuildError`."""
        if isinstance(value, Expr):
            return value
        if isinstance(value, Name):
            return self._name_expr(value)
        if isinstance(value, Group):
            if value.single is None or isinstance(value.single, Binding):
                raise self._error("a list is not an expression here", value.offset)
            return self.expr(value.single)
        if isinstance(value, Juxt):
            return self._product(value.factors)
        if isinstance(value, Braced):
            return self.expr(self._apply_postops(value.group, value.postops))
        if isinstance(value, Terms):
            if value.operation == "add":
                return sympy.Add(*value.items)
            return self._product(value.items)
        if isinstance(value, BareCall):
            return value.value
        if isinstance(value, SoftmaxOf):
            raise self._error("softmax(z) needs a class index: \\mathrm{softmax}(z)_k",
                              value.offset)
        if isinstance(value, (PartialOf, DerivativeOperator)):
            raise self._error("\\partial is only read in \\frac{\\partial f}{\\partial x}",
                              value.offset)
        if isinstance(value, RealSpace):
            raise self._error("\\mathbb{R} is only read after \\in in an assumption",
                              value.offset)
        raise self._error(f"{type(value).__name__} is not an expression here",
                          _offset_of(value))

    def _product(self, factors: Sequence[Any]) -> Expr:
        # 2(a + b) p_i is one product of three factors, as SymPy builds it (not (2a + 2b) p_i)
        factors = [f for factor in factors for f in
                   (factor.factors if isinstance(factor, Juxt) else (factor,))]
        coefficient: Expr = Integer(1)
        terms: list[Expr] = []
        for position, factor in enumerate(factors):
            rest = factors[position + 1:]
            if isinstance(factor, DerivativeOperator):
                if not rest:
                    raise self._error("the derivative operator has nothing to act on",
                                      factor.offset)
                terms.append(sympy.Derivative(self._product(rest), factor.variable))
                break
            if isinstance(factor, BareCall) and rest:
                raise self._ambiguous_call(factor, rest)
            term = self.expr(factor)
            if term.is_Rational:  # exact numbers multiply now, within the size limit
                self._bounded(coefficient, term, _offset_of(factor))
                coefficient *= term
            else:
                terms.append(term)
        return sympy.Mul(coefficient, *terms)

    def _ambiguous_call(self, call: BareCall, rest: Sequence[Any]) -> BuildError:
        following = self._product(rest)
        wide = call.function(call.argument * following)
        narrow = call.value * following
        return self._error(
            f"ambiguous: an unparenthesised {call.command} argument followed by more factors "
            f"reads as {wide} or as {narrow}; add parentheses", call.offset)

    # ------------------------------------------------------------------------------------
    # Operators
    # ------------------------------------------------------------------------------------
    def juxt(self, *factors: Any) -> Any:
        return factors[0] if len(factors) == 1 else Juxt(tuple(factors), _offset_of(factors[0]))

    def bare_call(self, token: Token, _mark: Token | None, script: Any,
                  argument: Any) -> BareCall | Expr:
        command = _command(token)
        if isinstance(argument, Juxt) and argument.from_call:
            inner = self._product(argument.factors)
            raise self._error(f"ambiguous: {command} followed by a name and parentheses reads "
                              f"as {_FUNCTIONS.get(command, sympy.log)(inner)} or as a product; "
                              f"write {command}(...)", _pos(token))
        function = self._function_of(token, script)
        # \log{\left(x\right)}^{2}: braces delimit the argument; scripts apply to the result
        if isinstance(argument, Group) and argument.delim == "{":
            return function(self.expr(argument))
        if isinstance(argument, Braced):
            return self.expr(self._apply_postops(function(self.expr(argument.group)),
                                                 argument.postops))
        return BareCall(function, self.expr(argument), command, _pos(token))

    def function_of_bigop(self, token: Token, _mark: Token | None, script: Any,
                          value: Expr) -> Expr:
        """``\\log \\sum_j e^{z_j}``: the function of the whole big operator and its body."""
        return self._function_of(token, script)(value)

    def paren_call(self, token: Token, _mark: Token | None, script: Any, group: Group) -> Expr:
        function = self._function_of(token, script)
        if _command(token) in ("\\max", "\\min"):
            return function(*[self.expr(item) for item in group.items])
        return function(self._single_argument(group, _command(token)))

    def _function_of(self, token: Token, script: Any) -> Callable[..., Expr]:
        command = _command(token)
        if command in ("\\max", "\\min"):
            if script is not None:
                raise self._error(f"{command} takes no subscript here", _pos(token))
            return sympy.Max if command == "\\max" else sympy.Min
        function = _FUNCTIONS[command]
        if script is None:
            return function
        if command != "\\log":
            raise self._error(f"{command} takes no subscript", _pos(token))
        base = self.expr(script)
        if base.is_number and (base.is_positive is False or base == 1):
            raise self._error(f"log base {base} must be positive and not 1", _pos(token))
        return lambda x: sympy.log(x, base)

    def partial(self, token: Token, operand: Any = None) -> PartialOf:
        return PartialOf(operand, _pos(token))

    def frac(self, token: Token, numerator: tuple, denominator: tuple) -> Any:
        top = self._fraction_part(numerator, token)
        bottom = self._fraction_part(denominator, token)
        variable = self._differential_variable(bottom)
        if variable is not None:
            operand = _derivative_operand(top)
            if operand is not _NOT_A_DIFFERENTIAL:
                if operand is None:
                    return DerivativeOperator(variable, _pos(token))
                return sympy.Derivative(self.expr(operand), variable)
        if isinstance(top, PartialOf) or isinstance(bottom, PartialOf):
            raise self._error("write a derivative as \\frac{\\partial f}{\\partial x}",
                              _pos(token))
        return self._divide(self.expr(top), self.expr(bottom), _pos(token))

    def _fraction_part(self, arglist: tuple, token: Token) -> Any:
        items, seps = arglist
        if seps:
            raise self._error("a fraction's numerator and denominator are single expressions",
                              _pos(token))
        return items[0]

    def _differential_variable(self, bottom: Any) -> Expr | None:
        """``x`` in ``\\partial x``, ``d x`` or ``\\mathrm{d} x``, else None."""
        if isinstance(bottom, PartialOf) and bottom.operand is not None:
            return self._variable(bottom.operand)
        if isinstance(bottom, Juxt) and len(bottom.factors) == 2 and isinstance(
                bottom.factors[0], Name) and bottom.factors[0].is_differential_d:
            return self._variable(bottom.factors[1])
        return None

    def _variable(self, value: Any) -> Expr:
        variable = self.expr(value)
        if not isinstance(variable, (Symbol, Indexed)):
            raise self._error(f"cannot differentiate with respect to {variable}",
                              _offset_of(value))
        return variable

    def _divide(self, top: Expr, bottom: Expr, offset: int) -> Expr:
        self._bounded(top, bottom, offset)
        if bottom.is_zero:
            raise self._error("division by zero", offset)
        return top / bottom

    def _chain(self, operation: str, left: Any, item: Expr, offset: int,
               written: Any = None) -> Terms:
        if isinstance(left, Terms) and left.operation == operation:
            left.items.append(item)  # a chain is built left to right, so extend it in place
            left.last = written
            return left
        return Terms(operation, [self.expr(left), item], offset, written)

    def mul(self, left: Any, op: Token, right: Any) -> Terms:
        return self._chain("mul", left, self.expr(right), _pos(op), right)

    def div(self, left: Any, op: Token, right: Any) -> Terms:
        if isinstance(right, Juxt):
            raise self._error("ambiguous: a / b c reads as a/(b c) or (a/b) c; use \\frac or "
                              "parentheses", _pos(op))
        bottom = self.expr(right)
        if bottom.is_zero:
            raise self._error("division by zero", _pos(op))
        return self._chain("mul", left, 1 / bottom, _pos(op))

    def add(self, left: Any, op: Token, right: Any) -> Terms:
        return self._chain("add", left, self.expr(right), _pos(op))

    def sub(self, left: Any, op: Token, right: Any) -> Terms:
        return self._chain("add", left, -self.expr(right), _pos(op))

    def neg(self, _op: Token, value: Any) -> Expr:
        return -self.expr(value)

    def pos(self, _op: Token, value: Any) -> Expr:
        return self.expr(value)

    def lone_bigop(self, value: Expr) -> Expr:
        return value

    def scaled_bigop(self, factor: Any, *rest: Any) -> Expr:
        last = factor.last if isinstance(factor, Terms) else factor
        if isinstance(last, Juxt):
            last = last.factors[-1]
        if isinstance(last, BareCall) and len(rest) == 1:  # \log x \sum_i ...: no \cdot
            raise self._ambiguous_call(last, (rest[-1],))
        return self.expr(factor) * rest[-1]

    def bigop(self, token: Token, _sub: Token | None, lower: Any, _sup: Token | None,
              upper: Any, body: Any) -> Expr:
        kind = _command(token)
        if kind == "\\int":
            return self._integral(token, lower, upper, body)
        if lower is None:
            raise self._error(f"{kind} needs its variable: {kind}_{{i=1}}^{{n}} or {kind}_i",
                              _pos(token))
        if isinstance(lower, Substack):
            if upper is not None:
                raise self._error("a \\substack sum takes no upper limit", _pos(token))
            return (Sum if kind == "\\sum" else Product)(self.expr(body),
                                                         *self._ranges(lower))
        variables = self._summation_variables(lower, token)
        top = None if upper is None else self.expr(upper)
        for symbol in (top.free_symbols if top is not None else ()):
            if isinstance(symbol, Symbol):
                self.table.record_bound(symbol.name)
        if top is not None and len(variables) > 1:
            raise self._error(f"{kind} over several variables takes no upper limit",
                              _pos(token))
        value = self.expr(body)
        limits = [(variable, start if start is not None else Integer(1),
                   top if top is not None else self._implied_length(variable, value, token))
                  for variable, start in variables]
        return (Sum if kind == "\\sum" else Product)(value, *limits)

    def _ranges(self, stack: Substack) -> list[tuple[Symbol, Expr, Expr]]:
        """The limits of ``\\sum_{\\substack{1 \\le i \\le n \\\\ 1 \\le j \\le m}}``."""
        limits = []
        for name, low, high in stack.ranges:
            start, stop = self.expr(low), self.expr(high)
            for symbol in stop.free_symbols:
                self.table.record_bound(symbol.name)
            limits.append((self.table.index(name.text, start), start, stop))
        return limits

    def _summation_variables(self, lower: Any, token: Token) -> list[tuple[Symbol, Expr | None]]:
        items = lower.items if isinstance(lower, Group) else (lower,)
        variables: list[tuple[Symbol, Expr | None]] = []
        for item in items:
            if isinstance(item, Binding) and isinstance(item.name, Name) and item.name.is_plain:
                start = self.expr(item.value)
                variables.append((self.table.index(item.name.text, start), start))
                continue
            letters = _index_letters(item)
            if letters is None:
                raise self._error("a sum's subscript names its variables: {i=1}, i or {i,j}",
                                  _pos(token))
            variables.extend((self.table.index(letter.text), None) for letter in letters)
        return variables

    def _implied_length(self, variable: Symbol, body: Expr, token: Token) -> Expr:
        """The range of ``\\sum_i`` written without limits: the length of what it indexes."""
        known: set[Expr] = set()
        positions: set[int] = set()
        for entry in body.atoms(Indexed):
            for position, index in enumerate(entry.indices):
                if variable in index.free_symbols:
                    positions.add(position)
                    length = self.table.length_of(entry.base.label.name, position)
                    if length is not None:
                        known.add(length)
        if len(known) > 1:
            raise self._error(f"the sum over {variable} has no limits and the vectors it "
                              f"indexes have different lengths {sorted(map(str, known))}; "
                              "write the limits", _pos(token))
        if known:
            return known.pop()
        if positions:
            return self.table.default_length(min(positions))
        if any(variable in f.free_symbols for f in body.atoms(AppliedUndef)):
            return Symbol(f"n_{variable.name}", integer=True, positive=True)  # an alphabet
        return LENGTH

    def _integral(self, token: Token, lower: Any, upper: Any, body: Any) -> Expr:
        factors = body.factors if isinstance(body, Juxt) else (body,)
        if len(factors) < 2 or not (isinstance(factors[-2], Name) and
                                    factors[-2].is_differential_d):
            raise self._error("an integral ends with its differential: \\int f(x) \\, dx",
                              _pos(token))
        variable = self._variable(factors[-1])
        if variable.is_integer:
            raise self._error(f"{variable} is an index elsewhere in the proof, so it is an "
                              "integer; integrate over another letter", _offset_of(factors[-1]))
        integrand = self._product(factors[:-2]) if len(factors) > 2 else Integer(1)
        if (lower is None) != (upper is None):
            raise self._error("give both limits of the integral, or neither", _pos(token))
        if lower is None:
            return Integral(integrand, variable)
        return Integral(integrand, (variable, self.expr(lower), self.expr(upper)))

    # ------------------------------------------------------------------------------------
    # Relations, rows, assumptions, definitions
    # ------------------------------------------------------------------------------------
    def rel(self, token: Token) -> tuple[str, int, int]:
        return RELATIONS[_command(token)], _pos(token), _end(token)

    @v_args(meta=True)
    def step(self, meta: Any, children: list) -> StepValue:
        (relation, start, end), value = children
        return StepValue(relation, value, self.base + start, self.base + end,
                         self.base + meta.end_pos)

    @v_args(meta=True)
    def row(self, meta: Any, children: list) -> RowValue:
        lead, *steps = children
        if meta.empty:
            return RowValue(None, (), 0, 0, False)
        start = self.base + meta.start_pos
        # "& - c" (an alignment mark before the sign) continues the previous expression;
        # "- c &= d" starts a new chain.
        lead_in = self.source[self.base:start]
        lead_in = lead_in[lead_in.rfind("\\\\") + 1:]
        continues = lead is not None and self.source[start] in "+-" and "&" in lead_in
        return RowValue(lead, tuple(steps), start, self.base + meta.end_pos, continues)

    def body(self, *children: Any) -> list[RowValue]:
        return [child for child in children if isinstance(child, RowValue)]

    def formula(self, value: Any) -> Expr:
        return self.expr(value)

    @v_args(meta=True)
    def assumption(self, meta: Any, children: list) -> list[tuple[Any, int, int]]:
        lead, *steps = children
        conditions = []
        left = lead
        for step in steps:
            conditions.append((self._condition(left, step), self.base + meta.start_pos,
                               self.base + meta.end_pos))
            left = step.value
        return conditions

    def assumptions(self, *children: Any) -> list[tuple[Any, int, int]]:
        return [c for child in children if isinstance(child, list) for c in child]

    def _condition(self, left: Any, step: StepValue) -> Any:
        relation, right = step.relation, step.value
        if relation == "=" and isinstance(left, Name) and left.is_plain and left.text.isupper() \
                and isinstance(right, NormalDistribution):  # P = \mathcal{N}(\mu, \sigma^2)
            law = normal(right.mean, right.std, left.text)
            self.table.declared_laws[left.text] = law
            return law
        if relation == "=" and isinstance(left, Name) and left.is_plain and isinstance(
                right, Group) and right.delim == "(" and len(right.items) > 1:
            return self._declare(left, right)
        if relation == "=" and isinstance(left, Name) and left.is_plain and left.text.isupper() \
                and isinstance(right, SoftmaxOf) and isinstance(right.logits, SymbolicVector):
            return self._declare_softmax(left.text, right.logits)
        lhs = self.expr(left)
        if relation == "in":
            return self._membership(lhs, right, step.relation_offset)
        if relation == "approx":
            raise self._error("\\approx is a claim, not an assumption", step.relation_offset)
        condition = _RELATIONAL[relation](lhs, self.expr(right), evaluate=False)
        self._learn(condition)
        return condition

    def _declare(self, name: Name, entries: Group) -> Any:
        """``P = (0.2, 0.8)``: a distribution; ``z = (2, 1, 0.1)``: a vector."""
        if set(entries.seps) != {","}:
            raise self._error("entries are separated by commas", entries.offset)
        values = [self.expr(item) for item in entries.items]
        try:
            if name.text.isupper():
                law = distribution(values, name.text)
                self.table.declared_laws[name.text] = law
                self.table.record_distribution(name.text)
                return law
            vector = as_vector(values, name.text)
        except (ValueError, TypeError) as exc:
            raise self._error(str(exc), name.offset) from None
        self.table.vectors[name.text] = vector
        return sympy.Tuple(*vector)

    def _declare_softmax(self, name: str, logits: SymbolicVector) -> Distribution:
        r"""``Q = \mathrm{softmax}(z)``: the distribution of entries
        :math:`q_i = \mathrm{softmax}(z)_i`."""
        law = SymbolicDistribution(Str(name), Lambda(INDEX, softmax(logits, INDEX)),
                                   logits.length)
        self.table.declared_laws[name] = law
        self.table.record_distribution(name)
        return law

    def _membership(self, lhs: Expr, right: Any, offset: int) -> Any:
        if isinstance(right, RealSpace):
            if right.length is not None:  # z \in \mathbb{R}^K: the length goes to the table
                if not isinstance(lhs, Symbol):
                    raise self._error("write a vector's space as z \\in \\mathbb{R}^K", offset)
                self.table.record_length(lhs.name, 0, right.length)
            return Contains(lhs, sympy.S.Reals, evaluate=False)
        if isinstance(right, Group) and right.delim == "\\{" and set(right.seps) <= {","}:
            condition = Contains(lhs, sympy.FiniteSet(*[self.expr(i) for i in right.items]),
                                 evaluate=False)
        elif isinstance(right, Group) and right.delim in "([" and right.seps == (",",):
            low, high = (self.expr(i) for i in right.items)
            closed = right.delim == "["
            condition = Contains(lhs, sympy.Interval(low, high, not closed, not closed),
                                 evaluate=False)
        else:
            raise self._error("after \\in write a set \\{0, 1\\}, an interval (0, 1) or "
                              "\\mathbb{R}", offset)
        self._learn(condition)
        return condition

    def _learn(self, condition: Any) -> None:
        """Record what an assumption says about the sign or integrality of a name."""
        if self.table.frozen:
            return
        for key, facts in _facts_from(condition):
            self.table.facts.declare(*key, *facts)

    @v_args(meta=True)
    def definition(self, meta: Any, children: list) -> tuple[Any, Expr, int, int]:
        target, _eq, body = children
        return (self._definition_target(target), self.expr(body), self.base + meta.start_pos,
                self.base + meta.end_pos)

    def _definition_target(self, value: Any) -> Expr:
        target = self.expr(value)
        if isinstance(target, (Symbol, AppliedUndef, Indexed)):
            return target
        raise self._error("the left side of a definition is a name (L), an indexed name "
                          "(\\delta_{ik}) or a function of variables (p(x))", _offset_of(value))

    def cases_else(self, value: Any, _if: Token, condition: Any, _comma: Token, _else: Token,
                   other: Any) -> Expr:
        return sympy.Piecewise((self.expr(value), condition), (self.expr(other), True))

    def cases_otherwise(self, value: Any, _if: Token, condition: Any, _comma: Token,
                        other: Any, _otherwise: Token) -> Expr:
        return self.cases_else(value, _if, condition, _comma, _otherwise, other)

    def condition(self, left: Any, relation: tuple[str, int, int], right: Any) -> Any:
        name = relation[0]
        if name not in _RELATIONAL:
            raise self._error("a case condition is a relation such as i = k", relation[1])
        return _RELATIONAL[name](self.expr(left), self.expr(right), evaluate=False)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_NOT_A_DIFFERENTIAL = object()


def _derivative_operand(top: Any) -> Any:
    """The ``f`` of ``\\partial f`` / ``d f`` in a numerator (None for the bare operator), or
    :data:`_NOT_A_DIFFERENTIAL`."""
    if isinstance(top, PartialOf):
        return top.operand
    if isinstance(top, Name) and top.is_differential_d:
        return None
    if isinstance(top, Juxt) and isinstance(top.factors[0], Name) \
            and top.factors[0].is_differential_d:
        rest = top.factors[1:]
        return rest[0] if len(rest) == 1 else Juxt(rest, _offset_of(rest[0]))
    return _NOT_A_DIFFERENTIAL


def _measure_operator(name: Name) -> str | None:
    """``H``, ``I``, ``KL``, ``JS`` or ``PP`` when ``name`` can introduce a measure."""
    if name.kind == "kl" and name.is_plain:
        return "KL"
    if name.kind == "roman" and name.is_plain and name.text in ("KL", "JS", "PP"):
        return name.text
    if name.kind != "letter" or name.sup_index is not None:
        return None
    if name.text == "H":
        return "H"
    if name.text == "I" and name.sub is None:
        return "I"
    if name.text == "D":
        labels = _script_labels(name.sub) if name.sub is not None else ["KL"]
        word = "".join(labels or ())
        return word if word in ("KL", "JS") else None
    return None


def _script_labels(script: Any) -> list[str] | None:
    """The words of a subscript written in roman or as plain capitals (``KL``), else None."""
    items = script.items if isinstance(script, Group) else (script,)
    words: list[str] = []
    for item in items:
        parts = item.factors if isinstance(item, Juxt) else (item,)
        if not all(isinstance(p, Name) and p.is_plain for p in parts):
            return None
        if any(p.kind == "roman" or p.kind == "kl" for p in parts) or (
                len(parts) > 1 and all(p.kind == "letter" and p.text.isupper() for p in parts)):
            words.append("".join(p.text for p in parts))
        else:
            return None
    return words


def _index_letters(item: Any) -> list[Name] | None:
    """``i`` or ``ij`` (letters side by side, each an index), else None."""
    parts = item.factors if isinstance(item, Juxt) else (item,)
    if all(isinstance(p, Name) and p.is_plain and p.kind in ("letter", "greek") for p in parts):
        return list(parts)
    return None


def _bits(number: Expr) -> int:
    """Bits of the numerator or denominator of an exact rational, whichever is larger."""
    return max(abs(number.p).bit_length(), number.q.bit_length(), 1)


def _pos(token: Token) -> int:
    """Offset of a token in the parsed snippet (lark types it as optional)."""
    return int(token.start_pos or 0)


def _end(token: Token) -> int:
    return int(token.end_pos or 0)


def _offset_of(value: Any) -> int | None:
    return getattr(value, "offset", None)


def _facts_from(condition: Any) -> list[tuple[tuple[str, str], tuple[str, ...]]]:
    """Sign and integrality facts that an assumption states about a symbol or indexed name."""
    if isinstance(condition, Contains):
        target, domain = condition.args
        key = _fact_key(target)
        if key is None:
            return []
        if isinstance(domain, sympy.FiniteSet) and all(v.is_Integer for v in domain.args):
            return [(key, ("integer",) + (("nonnegative",) if all(
                v.is_nonnegative for v in domain.args) else ()))]
        if isinstance(domain, sympy.Interval) and domain.start.is_number \
                and domain.start.is_nonnegative:
            strict = domain.left_open or domain.start.is_positive
            return [(key, ("positive",) if strict else ("nonnegative",))]
        return []
    if not isinstance(condition, sympy.core.relational.Relational):
        return []
    lhs, rhs, op = condition.lhs, condition.rhs, condition.rel_op
    if _fact_key(rhs) is not None and lhs.is_number:
        lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    key = _fact_key(lhs)
    if key is None or not rhs.is_number or not rhs.is_extended_real:
        return []
    if (op == ">" and rhs.is_nonnegative) or (op == ">=" and rhs.is_positive):
        return [(key, ("positive",))]
    if op == ">=" and rhs.is_zero:
        return [(key, ("nonnegative",))]
    return []


def _fact_key(target: Expr) -> tuple[str, str] | None:
    if isinstance(target, Symbol):
        return ("symbol", target.name)
    if isinstance(target, Indexed):
        return ("indexed", target.base.label.name)
    return None


__all__ = ["BuildError", "ProofTransformer", "RELATIONS", "RANDOM_VARIABLES"]
