r"""Side conditions of derivations: what is assumed, how to sample it, what it proves positive.

SymPy cannot carry a condition such as :math:`0 < p < 1` or :math:`\sum_{i=1}^{n} p_i = 1`, and
``expand_log(force=True)`` ignores conditions altogether. symbinfo therefore states them
explicitly as :class:`Condition` objects collected in :class:`Assumptions`, and every place
that needs one asks for it:

* the positivity oracle (:meth:`Assumptions.is_positive`) decides signs under the conditions,
  by substituting a parametrisation of each interval (:math:`p = 1/(1 + t)` with
  :math:`t > 0` for :math:`p \in (0, 1)`) so SymPy's own sign rules apply; log rules are
  applied only where it answers True;
* normalisations (:math:`\sum_i p_i = 1`) are substitutions the verifier may make;
* definitions (:math:`y_k = \delta_{kc}`) are substitutions made before anything else;
* sampling (:meth:`Assumptions.sample`) draws points that satisfy every condition: Dirichlet
  draws on the simplex, edge points, logits over a wide range of magnitudes.

Each condition has a LaTeX ``label``; the verifier reports the labels of the conditions a step
used.

>>> from sympy import Symbol, log
>>> p = Symbol("p")
>>> A = Assumptions(probability(p))
>>> A.is_positive(1 - p), A.labels()
(True, ('0 < p < 1',))
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Union

import sympy
from sympy import Basic, Expr, Indexed, IndexedBase, Rational, Sum, Symbol

Target = Union[Symbol, IndexedBase]
"""What a condition constrains: a scalar symbol, or every entry of an indexed symbol."""

LENGTH_SAMPLES = (1, 2, 3, 5)
"""Values given to a symbolic length (``n``, ``K``) in sampled points, cycled."""


def _name(target: Target) -> str:
    return sympy.latex(target.label if isinstance(target, IndexedBase) else target)


def _entry_label(target: Target) -> str:
    return f"{_name(target)}_i" if isinstance(target, IndexedBase) else _name(target)


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """A side condition. Subclasses say how it is sampled and what it lets the engine do."""

    @property
    def label(self) -> str:
        """The condition in LaTeX, e.g. ``0 < p < 1``."""
        raise NotImplementedError

    def targets(self) -> tuple[Basic, ...]:
        """The symbols (or indexed symbols) the condition constrains."""
        return ()

    def sign_substitution(self, expr: Expr) -> Expr:
        """Rewrite ``expr`` in parameters whose signs SymPy knows (for sign queries only)."""
        return expr

    def lengths(self) -> tuple[Symbol, ...]:
        """Symbolic lengths (``n``) the condition ranges over."""
        return ()

    def sample(self, point: dict[Basic, Any], rng: random.Random, edge: int,
               moderate: bool = False) -> None:
        """Add values for the condition's targets to ``point`` (lengths already chosen).

        ``edge`` counts down edge cases: ``edge >= 0`` asks for the edge case of that number
        (cycled), ``edge < 0`` for a random draw. ``moderate`` keeps magnitudes within
        [0.1, 10] (for steps that need quadrature).
        """


# Edge values (exact) for scalar intervals; random draws come after them.
_OPEN_UNIT_EDGES = (Rational(1, 2), Rational(1, 10 ** 12), 1 - Rational(1, 10 ** 12),
                    Rational(1, 3), Rational(999, 1000))
_CLOSED_UNIT_EDGES = (Rational(0), Rational(1), Rational(1, 2), Rational(1, 7), Rational(9, 10))
_POSITIVE_EDGES = (Rational(1), Rational(1, 10 ** 8), Rational(10 ** 4), Rational(3, 7),
                   Rational(25, 2))
_REAL_EDGES = (Rational(0), Rational(10 ** 4), -Rational(10 ** 4), Rational(1, 10 ** 8),
               -Rational(7, 3), Rational(709, 1), Rational(-30))
# Moderate magnitudes, for steps with integrals (quadrature cannot find a peak of width 1e-8)
_MODERATE_EDGES = {"positive": (Rational(1), Rational(1, 10), Rational(10), Rational(3, 7)),
                   "real": (Rational(0), Rational(10), -Rational(7, 3), Rational(1, 10))}


def _exact(value: float, digits: int = 18) -> Rational:
    """A float as an exact rational with a bounded denominator."""
    fraction = Fraction(value).limit_denominator(10 ** digits)
    return Rational(fraction.numerator, fraction.denominator)


@dataclass(frozen=True)
class Interval(Condition):
    r"""The target (a symbol, or every entry of an indexed symbol) lies in an interval.

    ``kind`` is one of ``"open_unit"`` :math:`(0, 1)`, ``"closed_unit"`` :math:`[0, 1]`,
    ``"positive"`` :math:`(0, \infty)` or ``"real"`` :math:`\mathbb{R}`.
    """

    target: Target
    kind: str

    _LABELS = {"open_unit": "0 < {} < 1", "closed_unit": "0 \\le {} \\le 1",
               "positive": "{} > 0", "real": "{} \\in \\mathbb{{R}}"}

    def __post_init__(self) -> None:
        if self.kind not in self._LABELS:
            raise ValueError(f"unknown interval kind {self.kind!r}; "
                             f"expected one of {', '.join(self._LABELS)}")

    @property
    def label(self) -> str:
        return self._LABELS[self.kind].format(_entry_label(self.target))

    def targets(self) -> tuple[Basic, ...]:
        return (self.target,)

    # The parameter that replaces the target in sign queries, and SymPy's assumption on it:
    # (0, inf) and R are carried by SymPy directly; (0, 1) is 1/(1 + t) with t > 0, and
    # [0, 1] minus {0} is 1/(1 + t) with t >= 0 (the end point 0 is checked apart).
    _PARAMETERS = {"positive": ("r", "positive"), "real": ("r", "real"),
                   "open_unit": ("t", "positive"), "closed_unit": ("t", "nonnegative")}

    def sign_substitution(self, expr: Expr) -> Expr:
        suffix, assumption = self._PARAMETERS[self.kind]
        name = f"{_name(self.target)}_{suffix}"
        parameter = IndexedBase(name, **{assumption: True}) \
            if isinstance(self.target, IndexedBase) else Symbol(name, **{assumption: True})
        if suffix == "r":
            return _replace_target(expr, self.target, lambda index: _with_index(parameter, index))
        return _replace_target(expr, self.target,
                               lambda index: 1 / (1 + _with_index(parameter, index)))

    def sample(self, point: dict[Basic, Any], rng: random.Random, edge: int,
               moderate: bool = False) -> None:
        def draw(k: int) -> Rational:
            edges = {"open_unit": _OPEN_UNIT_EDGES, "closed_unit": _CLOSED_UNIT_EDGES,
                     "positive": _POSITIVE_EDGES, "real": _REAL_EDGES}[self.kind]
            if moderate and self.kind in ("positive", "real"):
                edges = _MODERATE_EDGES[self.kind]
            if edge >= 0:
                return edges[(edge + k) % len(edges)]
            if self.kind in ("open_unit", "closed_unit"):
                return _exact(rng.uniform(1e-6, 1 - 1e-6), 9)
            magnitude = 10 ** (rng.uniform(-1, 1) if moderate else rng.uniform(-8, 4))
            sign = 1 if self.kind == "positive" or rng.random() < 0.5 else -1
            return _exact(sign * magnitude, 12)
        _fill(point, self.target, draw)


@dataclass(frozen=True)
class OneOf(Condition):
    r"""The target (a symbol, or every entry of an indexed symbol) takes one of finitely many
    values: :math:`x_i \in \{0, 1\}` (a binary label).

    Sampling draws only these values; signs are left to SymPy's own assumptions on the symbol
    (the parser declares :math:`x \in \{0, 1\}` a nonnegative integer).
    """

    target: Target
    values: tuple[Rational, ...]

    @property
    def label(self) -> str:
        return rf"{_entry_label(self.target)} \in \{{{', '.join(map(sympy.latex, self.values))}\}}"

    def targets(self) -> tuple[Basic, ...]:
        return (self.target,)

    def sample(self, point: dict[Basic, Any], rng: random.Random, edge: int,
               moderate: bool = False) -> None:
        def draw(k: int) -> Rational:
            if edge >= 0:
                return self.values[(edge + k) % len(self.values)]
            return rng.choice(self.values)
        _fill(point, self.target, draw)


@dataclass(frozen=True)
class Normalised(Condition):
    r"""The entries of an indexed symbol form a distribution: positive, summing to 1 over
    :math:`1 \le i \le n` (or over a table :math:`1 \le i \le n`, :math:`1 \le j \le m`).

    It licenses the substitution :math:`\sum_i p_i = 1` and gives :math:`0 < p_i \le 1`.
    """

    base: IndexedBase
    shape: tuple[Expr, ...]

    @property
    def label(self) -> str:
        name = _name(self.base)
        if len(self.shape) == 1:
            return (rf"p_i > 0,\ \sum_{{i=1}}^{{{sympy.latex(self.shape[0])}}} "
                    rf"{name}_i = 1").replace("p_i > 0", f"{name}_i > 0", 1)
        n, m = (sympy.latex(s) for s in self.shape)
        return rf"{name}_{{ij}} > 0,\ \sum_{{i=1}}^{{{n}}}\sum_{{j=1}}^{{{m}}} {name}_{{ij}} = 1"

    def targets(self) -> tuple[Basic, ...]:
        return (self.base,)

    def lengths(self) -> tuple[Symbol, ...]:
        return tuple(s for s in self.shape if isinstance(s, Symbol))

    def sign_substitution(self, expr: Expr) -> Expr:
        t = IndexedBase(f"{_name(self.base)}_t", nonnegative=True)
        return _replace_target(expr, self.base, lambda index: 1 / (1 + _with_index(t, index)))

    def is_total(self, expr: Expr) -> bool:
        """Whether ``expr`` is the sum of all entries, :math:`\\sum_i p_i` (any index names)."""
        ranges: list[tuple[Expr, Expr, Expr]] = []
        while isinstance(expr, Sum):
            ranges = [*expr.limits, *ranges]
            expr = expr.function
        if not isinstance(expr, Indexed) or expr.base != self.base:
            return False
        bounds = {var: (lo, hi) for var, lo, hi in ranges}
        if len(bounds) != len(ranges) or len(expr.indices) != len(self.shape):
            return False
        return all(index in bounds and bounds[index] == (1, size)
                   for index, size in zip(expr.indices, self.shape, strict=True)) and \
            len(bounds) == len(self.shape)

    def sample(self, point: dict[Basic, Any], rng: random.Random, edge: int,
               moderate: bool = False) -> None:
        sizes = [int(point.get(s, s)) for s in self.shape]
        weights = iter(_simplex_point(int(sympy.prod(sizes)), rng, edge))
        point[self.base] = IndexedValues(
            {key: next(weights) for key in index_tuples(sizes)})


def index_tuples(sizes: list[int]) -> list[tuple[int, ...]]:
    """Every index of a table of the given sizes, 1-based, in row-major order."""
    keys: list[tuple[int, ...]] = [()]
    for size in sizes:
        keys = [key + (k,) for key in keys for k in range(1, size + 1)]
    return keys


def _simplex_point(size: int, rng: random.Random, edge: int) -> list[Rational]:
    """A point of the open simplex: uniform, near one-hot, or a Dirichlet draw."""
    if edge == 0:
        return [Rational(1, size)] * size
    if edge == 1 and size > 1:
        tiny = Rational(1, 10 ** 15)
        return [1 - tiny * (size - 1)] + [tiny] * (size - 1)
    alpha = (0.1, 1.0, 5.0)[edge % 3] if edge >= 0 else rng.choice((0.3, 1.0, 3.0))
    gammas = [_exact(max(rng.gammavariate(alpha, 1.0), 1e-9), 9) for _ in range(size)]
    total = sum(gammas)
    return [g / total for g in gammas]


@dataclass(frozen=True)
class IndexRange(Condition):
    r"""An integer index :math:`1 \le k \le K` (a class label, a coordinate)."""

    index: Symbol
    length: Expr

    @property
    def label(self) -> str:
        return rf"1 \le {sympy.latex(self.index)} \le {sympy.latex(self.length)}"

    def targets(self) -> tuple[Basic, ...]:
        return (self.index,)

    def lengths(self) -> tuple[Symbol, ...]:
        return (self.length,) if isinstance(self.length, Symbol) else ()

    def sample(self, point: dict[Basic, Any], rng: random.Random, edge: int,
               moderate: bool = False) -> None:
        size = int(point.get(self.length, self.length))
        point[self.index] = Rational(1 if edge == 0 else size if edge == 1
                                     else rng.randint(1, size))


@dataclass(frozen=True)
class AtLeast(Condition):
    r"""An integer symbol, usually a length, is at least ``minimum``: :math:`n \ge 2`."""

    symbol: Symbol
    minimum: int

    @property
    def label(self) -> str:
        return rf"{sympy.latex(self.symbol)} \ge {self.minimum}"

    def targets(self) -> tuple[Basic, ...]:
        return (self.symbol,)

    def lengths(self) -> tuple[Symbol, ...]:
        return (self.symbol,)

    def sign_substitution(self, expr: Expr) -> Expr:
        rest = Symbol(f"{_name(self.symbol)}_m", integer=True, nonnegative=True)
        return expr.xreplace({self.symbol: self.minimum + rest})


@dataclass(frozen=True)
class Definition(Condition):
    r"""A definition by substitution: a symbol, or every entry :math:`y_k` of an indexed
    symbol, stands for an expression (:math:`y_k = \delta_{kc}`, a one-hot target)."""

    target: Target
    value: Callable[..., Expr] | Expr
    text: str

    @property
    def label(self) -> str:
        return self.text

    def targets(self) -> tuple[Basic, ...]:
        return (self.target,)

    def substitute(self, expr: Expr) -> Expr:
        """Replace the target by its definition."""
        if isinstance(self.target, IndexedBase):
            function: Callable[..., Expr] = self.value  # type: ignore[assignment]
            return _replace_target(expr, self.target, lambda index: function(*(index or ())))
        return _replace_target(expr, self.target, lambda index: self.value)


def _with_index(base: Expr, index: tuple[Expr, ...] | None) -> Expr:
    return base if index is None else base[index]


def _replace_target(expr: Expr, target: Target,
                    image: Callable[[tuple[Expr, ...] | None], Expr]) -> Expr:
    """Replace the target's entries, or the scalar target; a scalar ``x`` leaves the entries
    ``x_i`` of an indexed symbol of the same name alone (its label is the same Symbol).

    >>> x = Symbol("x")
    >>> _replace_target(x + IndexedBase("x")[1], x, lambda index: sympy.S(2))
    x[1] + 2
    """
    if isinstance(target, IndexedBase):
        return expr.replace(lambda e: isinstance(e, Indexed) and e.base == target,
                            lambda e: image(e.indices))
    entries = {e: sympy.Dummy() for e in expr.atoms(Indexed) if e.base.label == target}
    replaced = expr.xreplace(entries).xreplace({target: image(None)})
    return replaced.xreplace({dummy: entry for entry, dummy in entries.items()})


def _fill(point: dict[Basic, Any], target: Target, draw: Callable[[int], Rational]) -> None:
    """Give a scalar one value, an indexed symbol a 1-based list over its sampled length."""
    if isinstance(target, IndexedBase):
        point[target] = IndexedValues(draw=draw)
    else:
        point[target] = draw(0)


class IndexedValues:
    """Values of the entries of an indexed symbol, keyed by index tuples (1-based); entries
    not given are drawn on demand by ``draw`` (the same value for the same index)."""

    def __init__(self, values: dict[tuple[Any, ...], Rational] | None = None,
                 draw: Callable[[int], Rational] | None = None) -> None:
        self._values = dict(values or {})
        self._draw = draw

    def __getitem__(self, index: Any) -> Rational:
        key = tuple(int(k) for k in index) if isinstance(index, tuple) else (int(index),)
        if key not in self._values:
            if self._draw is None:
                raise KeyError(f"no value for index {key}")
            self._values[key] = self._draw(len(self._values))
        return self._values[key]

    def items(self) -> list[tuple[tuple[int, ...], Rational]]:
        """The (index, value) pairs given or drawn so far, in index order."""
        return sorted(self._values.items())


# --------------------------------------------------------------------------------------------
# Constructors
# --------------------------------------------------------------------------------------------

def probability(target: Target) -> Interval:
    """:math:`0 < p < 1` (for an indexed symbol: every entry)."""
    return Interval(target, "open_unit")


def unit_interval(target: Target) -> Interval:
    r""":math:`0 \le x \le 1`, e.g. a (soft) binary label."""
    return Interval(target, "closed_unit")


def positive(target: Target) -> Interval:
    """:math:`q > 0`."""
    return Interval(target, "positive")


def real(target: Target) -> Interval:
    r""":math:`s \in \mathbb{R}`, e.g. a logit (sampled over many magnitudes)."""
    return Interval(target, "real")


def one_of(target: Target, values: Iterable[Any]) -> OneOf:
    r""":math:`x \in \{0, 1\}`: the target takes one of the given exact values.

    >>> one_of(Symbol("x"), (0, 1)).label
    'x \\in \\{0, 1\\}'
    """
    exact = tuple(sympy.Rational(v) for v in values)
    if not exact:
        raise ValueError("one_of needs at least one value")
    return OneOf(target, exact)


def normalised(base: IndexedBase, *shape: Expr) -> Normalised:
    r""":math:`p_i > 0`, :math:`\sum_{i=1}^{n} p_i = 1` (or over an :math:`n \times m` table)."""
    return Normalised(base, tuple(sympy.S(s) for s in shape))


def index_range(index: Symbol, length: Expr) -> IndexRange:
    r""":math:`1 \le k \le K` for an integer index."""
    return IndexRange(index, sympy.S(length))


def at_least(symbol: Symbol, minimum: int) -> AtLeast:
    r""":math:`n \ge m` for an integer symbol (sampled lengths start at ``minimum``)."""
    if not (isinstance(symbol, Symbol) and symbol.is_integer):
        raise ValueError(f"{symbol} must be an integer symbol, e.g. Symbol('n', integer=True)")
    return AtLeast(symbol, int(minimum))


def definition(target: Target, value: Callable[..., Expr] | Expr, text: str) -> Definition:
    """``target`` stands for ``value`` (a function of the indices for an indexed symbol)."""
    return Definition(target, value, text)


# --------------------------------------------------------------------------------------------
# The set of assumptions
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assumptions:
    """The side conditions under which a derivation or a step is claimed."""

    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def __init__(self, *conditions: Condition) -> None:
        for condition in conditions:
            if not isinstance(condition, Condition):
                raise TypeError(f"{condition!r} is not a Condition")
        object.__setattr__(self, "conditions", tuple(conditions))

    def __add__(self, other: "Assumptions") -> "Assumptions":
        return Assumptions(*self.conditions, *other.conditions)

    def labels(self) -> tuple[str, ...]:
        """The LaTeX labels, in order."""
        return tuple(c.label for c in self.conditions)

    def of_type(self, kind: type) -> Iterator[Any]:
        """The conditions of one class."""
        return (c for c in self.conditions if isinstance(c, kind))

    def lengths(self) -> tuple[Symbol, ...]:
        """Every symbolic length a condition ranges over."""
        found: list[Symbol] = []
        for condition in self.conditions:
            found.extend(s for s in condition.lengths() if s not in found)
        return tuple(found)

    def minimum(self, length: Symbol) -> int:
        """The smallest value a stated condition allows for an integer symbol (1 if none)."""
        return max([c.minimum for c in self.of_type(AtLeast) if c.symbol == length], default=1)

    def apply_definitions(self, expr: Expr) -> tuple[Expr, tuple[str, ...]]:
        """Substitute every :class:`Definition`; return the result and the labels used."""
        used = []
        for condition in self.of_type(Definition):
            replaced = condition.substitute(expr)
            if replaced != expr:
                used.append(condition.label)
                expr = replaced
        return expr, tuple(used)

    def conditions_on(self, expr: Expr) -> tuple[str, ...]:
        """Labels of the conditions on the symbols of ``expr``: the stated interval and
        normalisation conditions, then the positivity declared on a symbol itself
        (``IndexedBase("p", positive=True)``) where no stated condition covers it."""
        bases = expr.atoms(IndexedBase)
        labels = {base.label for base in bases}
        present = {s for s in expr.free_symbols if not isinstance(s, Indexed)
                   and s not in labels} | bases
        stated = [c for c in self.conditions if isinstance(c, (Interval, Normalised))
                  and any(t in present for t in c.targets())]
        covered = {t for c in stated for t in c.targets()}
        declared = [f"{_entry_label(s)} > 0" for s in sorted(present - covered, key=str)
                    if s.is_positive and not s.is_integer]
        return tuple(c.label for c in stated) + tuple(declared)

    # signs -------------------------------------------------------------------------------
    def _sign_form(self, expr: Expr) -> list[Expr]:
        """``expr`` in sign-known parameters; closed intervals also at their end point 0."""
        forms = [expr]
        for condition in self.conditions:
            if isinstance(condition, Interval) and condition.kind == "closed_unit":
                forms = forms + [_replace_target(f, condition.target, lambda index: sympy.S.Zero)
                                 for f in forms]
        substituted = []
        for form in forms:
            for condition in self.conditions:
                form = condition.sign_substitution(form)
            substituted.append(form)
        return substituted

    def is_positive(self, expr: Expr) -> bool:
        """True only if ``expr > 0`` follows from the conditions (False means: not shown)."""
        return all(_known_sign(form, strict=True) for form in self._sign_form(sympy.S(expr)))

    def is_real(self, expr: Expr) -> bool:
        """True only if ``expr`` is real under the conditions."""
        return all(form.is_extended_real is True for form in self._sign_form(sympy.S(expr)))

    def is_nonnegative(self, expr: Expr) -> bool:
        """True only if ``expr >= 0`` follows from the conditions."""
        return all(_known_sign(form, strict=False) for form in self._sign_form(sympy.S(expr)))

    # sampling ----------------------------------------------------------------------------
    def sample(self, free: Iterable[Basic], count: int, *, seed: int = 0,
               lengths: tuple[int, ...] = LENGTH_SAMPLES, moderate: bool = False) \
            -> list[dict[Basic, Any]]:
        """``count`` points satisfying the conditions, edge points first.

        ``free`` are the symbols (and indexed symbols) to give values; one without a condition
        is sampled as a real number. Symbolic lengths cycle through ``lengths``; ``moderate``
        keeps real and positive values within [0.1, 10] in magnitude; a length with a stated
        minimum (:func:`at_least`) starts there. An indexed
        symbol's value supports ``value[i]`` (1-based; ``value[i][j]`` for a table).
        """
        rng = random.Random(seed)
        free = list(free)
        sizes = [s for s in free if isinstance(s, Symbol) and s.is_integer and
                 not any(s in c.targets() for c in self.conditions)]
        sizes += [s for s in self.lengths() if s not in sizes]
        points = []
        for k in range(count):
            point: dict[Basic, Any] = {
                s: Rational(lengths[(k + offset) % len(lengths)] + self.minimum(s) - 1)
                for offset, s in enumerate(sizes)}
            edge = k if k < 5 else -1
            for position, condition in enumerate(self.conditions):
                if not isinstance(condition, (Definition, AtLeast)):
                    condition.sample(point, rng, _shifted(edge, position, moderate), moderate)
            for position, symbol in enumerate(free):
                if symbol not in point:
                    _declared_interval(symbol).sample(
                        point, rng, _shifted(edge, position, moderate), moderate)
            points.append(point)
        return points


def _shifted(edge: int, position: int, moderate: bool) -> int:
    """The edge case a target gets. Moderate points (steps with integrals) are few and all
    edge points: each target starts at its own edge value there, so that two parameters do
    not coincide at every point (a KL of two equal laws vanishes and tests nothing)."""
    return edge + position if moderate and edge >= 0 else edge


def _declared_interval(symbol: Target) -> Interval:
    """Where to sample a symbol no condition mentions: inside what SymPy declares about it
    (``positive=True`` or ``nonnegative=True``: positive values), else anywhere on the line."""
    if symbol.is_nonnegative:
        return Interval(symbol, "positive")
    if symbol.is_nonpositive or symbol.is_extended_real is False:
        raise ValueError(f"{symbol} is declared non-positive or non-real; sampling supports "
                         "real and positive symbols only")
    return Interval(symbol, "real")


def _known_sign(expr: Expr, *, strict: bool) -> bool:
    """SymPy's sign rules, after abstracting sums of signed terms and putting over one
    denominator."""
    expr = _abstract_sums(expr)
    query = "is_positive" if strict else "is_nonnegative"
    for form in (expr, lambda: sympy.factor_terms(sympy.together(expr)),
                 lambda: sympy.factor(sympy.together(expr))):
        value = form() if callable(form) else form
        if getattr(value, query) is True:
            return True
    return False


def _abstract_sums(expr: Expr) -> Expr:
    """Replace each ``Sum`` by a positive / nonnegative symbol when its summand has that sign
    (the bounds of our sums are never empty: lengths are positive integers)."""
    def sign_symbol(s: Sum) -> Expr:
        if _known_sign(s.function, strict=True) and all(
                (hi - lo).is_nonnegative for _, lo, hi in s.limits):
            return sympy.Dummy("S", positive=True)
        if _known_sign(s.function, strict=False):
            return sympy.Dummy("S", nonnegative=True)
        return s
    return expr.replace(lambda e: isinstance(e, Sum), sign_symbol)
