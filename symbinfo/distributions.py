r"""Probability distributions as SymPy objects.

A distribution is what the information measures of :mod:`symbinfo.definitions` take as
arguments. Four shapes are supported:

* :class:`FiniteDistribution`: an explicit vector :math:`(p_1, \dots, p_m)` of exact rationals,
  floats or symbols. Built by :func:`distribution`, :func:`uniform` and :func:`bernoulli`.
* :class:`SymbolicDistribution`: a vector of symbolic length :math:`n` whose entries are indexed
  symbols :math:`p_i`, summed as :math:`\sum_{i=1}^{n}`. Built by :func:`symbolic_distribution`.
* :class:`NormalDistribution`: a univariate Gaussian density :math:`\mathcal{N}(\mu, \sigma^2)`.
* :class:`JointDistribution`: a table :math:`p(x, y)` of two variables, explicit or symbolic,
  with its marginals.

Every distribution has a *name* (``P``, ``Q``, ``X`` ...) that the measures print
(``H(P)``). Probabilities given as symbols are assumed positive; the normalisation
:math:`\sum_i p_i = 1` is checked when it can be decided and otherwise recorded as a side
condition in :attr:`Distribution.constraints`, never silently assumed.

Conventions: entries are validated on construction. Numbers must lie in :math:`[0, 1]`;
exact numbers must sum to exactly 1, floats to within ``tolerance`` (default
:data:`FLOAT_SUM_TOLERANCE`). Numeric strings (``"0.2"``, ``"1/5"``) are read exactly as
decimals or fractions, without evaluating them. Python floats are kept as binary floats.

>>> from sympy import Rational
>>> P = distribution([Rational(1, 5), Rational(4, 5)])
>>> P.probabilities
(1/5, 4/5)
>>> distribution(["0.2", "0.8"], name="Q").probabilities
(1/5, 4/5)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any, Union

import sympy
from sympy import Basic, Eq, Expr, Lambda, Sum, Tuple
from sympy.core.symbol import Str

FLOAT_SUM_TOLERANCE = 1e-9
"""How far from 1 the sum of a float probability vector may be (absolute)."""

MAX_NUMERIC_STRING = 200
"""Longest numeric string accepted as a probability or value (characters)."""

# Decimal literals (with a bounded exponent) and fractions of integers: the only strings that
# are read as numbers. Anything else is rejected before it reaches Fraction, so a string cannot
# make us build a huge integer (``"1e999999999"``).
_NUMERIC_STRING = re.compile(
    r"^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?|\d+\s*/\s*\d+)$")

NumberLike = Union[int, float, str, Fraction, Expr]

INDEX = sympy.Symbol("i", integer=True, positive=True)
"""The summation index of distributions of symbolic length (1-based)."""
LENGTH = sympy.Symbol("n", integer=True, positive=True)
"""The default symbolic length :math:`n` of a distribution."""


# --------------------------------------------------------------------------------------------
# Reading numbers
# --------------------------------------------------------------------------------------------

def as_number(value: Any, where: str) -> Expr:
    """Convert one user-supplied value to a SymPy expression, without evaluating text.

    ``where`` names the value in error messages (``"P[2]"``). Integers, fractions and
    numeric strings become exact rationals; floats become SymPy ``Float`` (their exact binary
    value); SymPy expressions are kept. NaN, infinities, booleans, non-numeric strings and
    other types are rejected.

    >>> as_number("0.25", "p"), as_number(3, "k")
    (1/4, 3)
    >>> as_number("abc", "P[0]")
    Traceback (most recent call last):
    ...
    ValueError: P[0] = 'abc' is not a number
    """
    if isinstance(value, bool):
        raise TypeError(f"{where} = {value!r} is a boolean, not a number")
    if isinstance(value, str):
        return _number_from_string(value, where)
    if isinstance(value, Expr):
        number = value
    elif isinstance(value, numbers.Integral):
        number = sympy.Integer(int(value))
    elif isinstance(value, Fraction):
        number = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise ValueError(f"{where} = {value!r} is not finite")
        number = sympy.Float(float(value))
    elif isinstance(value, Basic):
        raise TypeError(f"{where} = {value!r} is a {type(value).__name__}, not an expression")
    else:
        raise TypeError(f"{where} = {value!r} has type {type(value).__name__}; "
                        "expected a number, a numeric string or a SymPy expression")
    if number.has(sympy.nan) or number.has(sympy.zoo) or (number.is_number and
                                                            number.is_finite is False):
        raise ValueError(f"{where} = {value!r} is not finite")
    return number


def _number_from_string(text: str, where: str) -> Expr:
    if len(text) > MAX_NUMERIC_STRING or not _NUMERIC_STRING.match(text.strip()):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ValueError(f"{where} = {shown!r} is not a number")
    fraction = Fraction(text.strip().replace(" ", ""))
    return sympy.Rational(fraction.numerator, fraction.denominator)


def as_probability(value: Any, where: str) -> Expr:
    """Convert a value with :func:`as_number` and check that it can be a probability.

    Numbers must lie in :math:`[0, 1]`. Symbolic values are accepted unless SymPy knows them
    to be negative or non-real.

    >>> as_probability("0.5", "P[0]")
    1/2
    >>> as_probability(-0.25, "P[1]")
    Traceback (most recent call last):
    ...
    ValueError: P[1] = -0.25 is negative; a probability lies in [0, 1]
    """
    p = as_number(value, where)
    if p.is_extended_real is False:
        raise ValueError(f"{where} = {value!r} is not real; a probability lies in [0, 1]")
    if p.is_negative:
        raise ValueError(f"{where} = {value!r} is negative; a probability lies in [0, 1]")
    if p.is_number and (p - 1).is_positive:
        raise ValueError(f"{where} = {value!r} is greater than 1; a probability lies in [0, 1]")
    return p


def _is_exact(expr: Expr) -> bool:
    return not expr.has(sympy.Float)


def _check_normalised(probabilities: Sequence[Expr], name: str, tolerance: float) -> None:
    """Check that numeric entries sum to 1 (exactly, or within ``tolerance`` for floats).

    A sum with symbols is not decided here: it is the side condition that
    :attr:`FiniteDistribution.constraints` states.
    """
    total = sympy.Add(*probabilities)
    if total.free_symbols:
        return
    if _is_exact(total):
        if total != 1:
            raise ValueError(f"the probabilities of {name} sum to {total}, not 1")
        return
    if abs(float(total) - 1.0) > tolerance:
        raise ValueError(f"the probabilities of {name} sum to {float(total)!r}, not 1 "
                         f"(floats are allowed a tolerance of {tolerance:g})")


# --------------------------------------------------------------------------------------------
# Distribution objects
# --------------------------------------------------------------------------------------------

class Distribution(Basic):
    """Base class of the distributions that information measures take as arguments."""

    @property
    def name(self) -> str:
        """The name the measures print, e.g. ``"P"``."""
        return self.args[0].name  # type: ignore[attr-defined,no-any-return]

    @property
    def constraints(self) -> tuple[Eq, ...]:
        """Side conditions (e.g. :math:`\\sum_i p_i = 1`) that hold by assumption, not by check."""
        return ()

    @property
    def is_discrete(self) -> bool:
        """Whether the distribution is a probability mass function (sums, not integrals)."""
        return True

    def _latex(self, printer: Any) -> str:
        return self.name

    def _sympystr(self, printer: Any) -> str:
        return self.name


class FiniteDistribution(Distribution):
    r"""An explicit probability vector :math:`(p_1, \dots, p_m)`; build it with :func:`distribution`."""

    def __new__(cls, name: Str, probabilities: Tuple) -> "FiniteDistribution":
        return Basic.__new__(cls, name, probabilities)  # type: ignore[return-value]

    @property
    def probabilities(self) -> tuple[Expr, ...]:
        """The entries, in order."""
        return tuple(self.args[1])

    @property
    def size(self) -> int:
        """The number of outcomes :math:`m`."""
        return len(self.args[1])

    def probability(self, index: int) -> Expr:
        """The entry at the 0-based position ``index``."""
        return self.args[1][index]  # type: ignore[no-any-return]

    def sum(self, term: Callable[[Any], Expr]) -> Expr:
        r"""Return :math:`\sum_k` ``term(k)`` over the 0-based positions, expanded."""
        return sympy.Add(*[term(k) for k in range(self.size)])

    @property
    def constraints(self) -> tuple[Eq, ...]:
        total = sympy.Add(*self.probabilities)
        if total.free_symbols and sympy.simplify(total - 1) != 0:
            return (Eq(total, 1),)
        return ()


class SymbolicDistribution(Distribution):
    r"""A distribution :math:`(p_1, \dots, p_n)` of symbolic length :math:`n`.

    Its entries are given by a one-argument ``Lambda`` of the 1-based index, usually
    :math:`i \mapsto p_i` with ``p`` an ``IndexedBase`` of positive entries; marginals of a
    symbolic joint table are sums instead. Build it with :func:`symbolic_distribution`.
    """

    def __new__(cls, name: Str, entry: Lambda, length: Expr) -> "SymbolicDistribution":
        return Basic.__new__(cls, name, entry, length)  # type: ignore[return-value]

    @property
    def length(self) -> Expr:
        """The symbolic number of outcomes :math:`n`."""
        return self.args[2]  # type: ignore[no-any-return]

    def probability(self, index: Expr) -> Expr:
        """The entry :math:`p_{index}`."""
        return self.args[1](index)  # type: ignore[no-any-return]

    def sum(self, term: Callable[[Any], Expr]) -> Expr:
        r"""Return :math:`\sum_{i=1}^{n}` ``term(i)``, unevaluated."""
        return Sum(term(INDEX), (INDEX, 1, self.length))

    @property
    def constraints(self) -> tuple[Eq, ...]:
        return (Eq(self.sum(self.probability), 1),)


class NormalDistribution(Distribution):
    r"""The univariate Gaussian :math:`\mathcal{N}(\mu, \sigma^2)`, with density

    .. math:: f(x) = \frac{1}{\sigma\sqrt{2\pi}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right).

    Build it with :func:`normal`.
    """

    VARIABLE = sympy.Symbol("x", real=True)
    """The integration variable of the density."""

    def __new__(cls, name: Str, mean: Expr, std: Expr) -> "NormalDistribution":
        return Basic.__new__(cls, name, mean, std)  # type: ignore[return-value]

    @property
    def mean(self) -> Expr:
        """:math:`\\mu`."""
        return self.args[1]  # type: ignore[no-any-return]

    @property
    def std(self) -> Expr:
        """:math:`\\sigma > 0`."""
        return self.args[2]  # type: ignore[no-any-return]

    @property
    def is_discrete(self) -> bool:
        return False

    def density(self, x: Expr = VARIABLE) -> Expr:
        """The density :math:`f(x)`."""
        mu, sigma = self.mean, self.std
        return sympy.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / (sigma * sympy.sqrt(2 * sympy.pi))

    def log_density(self, x: Expr = VARIABLE) -> Expr:
        r""":math:`\ln f(x) = -\ln(\sigma\sqrt{2\pi}) - (x-\mu)^2 / (2\sigma^2)`, valid as
        :math:`\sigma > 0`."""
        mu, sigma = self.mean, self.std
        return -sympy.log(sigma) - sympy.log(2 * sympy.pi) / 2 - (x - mu) ** 2 / (2 * sigma ** 2)


class JointDistribution(Basic):
    r"""The joint distribution :math:`p(x, y)` of two discrete variables.

    ``table`` is an explicit ``ImmutableMatrix`` (rows: values of the first variable) or a
    two-argument ``Lambda`` :math:`(i, j) \mapsto p_{ij}` with the sizes ``shape``. Build it
    with :func:`joint_distribution` or :func:`symbolic_joint_distribution`.
    """

    ROW = INDEX
    COLUMN = sympy.Symbol("j", integer=True, positive=True)
    _SUMMED_ROW = sympy.Symbol("k", integer=True, positive=True)
    _SUMMED_COLUMN = sympy.Symbol("l", integer=True, positive=True)

    def __new__(cls, names: Tuple, table: Basic, shape: Tuple) -> "JointDistribution":
        return Basic.__new__(cls, names, table, shape)  # type: ignore[return-value]

    @property
    def names(self) -> tuple[str, str]:
        """The names of the two variables, e.g. ``("X", "Y")``."""
        first, second = self.args[0]
        return first.name, second.name

    @property
    def is_symbolic(self) -> bool:
        """Whether the table has symbolic sizes."""
        return isinstance(self.args[1], Lambda)

    @property
    def shape(self) -> tuple[Expr, Expr]:
        """The numbers of values of the two variables."""
        rows, columns = self.args[2]
        return rows, columns

    def probability(self, row: Expr, column: Expr) -> Expr:
        """The entry :math:`p(x_{row}, y_{column})` (0-based for explicit tables)."""
        table = self.args[1]
        if self.is_symbolic:
            return table(row, column)  # type: ignore[no-any-return]
        return table[row, column]  # type: ignore[no-any-return]

    def sum(self, term: Callable[[Any, Any], Expr]) -> Expr:
        r"""Return :math:`\sum_{i}\sum_{j}` ``term(i, j)`` over the table.

        Symbolic tables give an unevaluated double ``Sum`` over :math:`1 \le i \le n`,
        :math:`1 \le j \le m`; explicit tables an expanded sum over 0-based positions.
        """
        rows, columns = self.shape
        if self.is_symbolic:
            return Sum(term(self.ROW, self.COLUMN), (self.ROW, 1, rows), (self.COLUMN, 1, columns))
        return sympy.Add(*[term(r, c) for r in range(int(rows)) for c in range(int(columns))])

    def marginal(self, variable: str) -> FiniteDistribution | SymbolicDistribution:
        r"""The marginal of one variable, :math:`p(x_i) = \sum_j p(x_i, y_j)`, named after it.

        >>> J = joint_distribution([[0, "1/2"], ["1/4", "1/4"]])
        >>> J.marginal("X").probabilities, J.marginal("Y").probabilities
        ((1/2, 1/2), (1/4, 3/4))
        """
        axis = self._axis(variable)
        rows, columns = self.shape
        if self.is_symbolic:
            if axis == 0:
                entry = Sum(self.probability(INDEX, self._SUMMED_COLUMN),
                            (self._SUMMED_COLUMN, 1, columns))
                length = rows
            else:
                entry = Sum(self.probability(self._SUMMED_ROW, INDEX),
                            (self._SUMMED_ROW, 1, rows))
                length = columns
            return SymbolicDistribution(Str(variable), Lambda(INDEX, entry), length)
        matrix = self.args[1]
        sums = [sum(matrix.row(r)) for r in range(rows)] if axis == 0 else \
            [sum(matrix.col(c)) for c in range(columns)]
        return FiniteDistribution(Str(variable), Tuple(*sums))

    def _axis(self, variable: str) -> int:
        if variable not in self.names:
            raise ValueError(f"{variable!r} is not a variable of this joint distribution; "
                             f"its variables are {self.names[0]!r} and {self.names[1]!r}")
        return self.names.index(variable)

    @property
    def constraints(self) -> tuple[Eq, ...]:
        """:math:`\\sum_{i,j} p_{ij} = 1` for symbolic tables."""
        if self.is_symbolic:
            return (Eq(self.sum(self.probability), 1),)
        return ()

    def _latex(self, printer: Any) -> str:
        return "{}, {}".format(*self.names)

    def _sympystr(self, printer: Any) -> str:
        return "{}, {}".format(*self.names)


# --------------------------------------------------------------------------------------------
# Constructors
# --------------------------------------------------------------------------------------------

def _check_name(name: str) -> Str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a distribution name must be a non-empty string, not {name!r}")
    return Str(name)


def distribution(probabilities: Iterable[NumberLike], name: str = "P", *,
                 tolerance: float = FLOAT_SUM_TOLERANCE) -> FiniteDistribution:
    r"""An explicit probability vector :math:`P = (p_1, \dots, p_m)`.

    Args:
      probabilities: the entries, each an int, ``Fraction``, float, numeric string or SymPy
        expression (symbols are allowed; see :func:`symbolic_probabilities`).
      name: the name printed by measures, e.g. ``H(P)``.
      tolerance: how far from 1 the sum of a vector containing floats may be.

    Returns:
      A :class:`FiniteDistribution` with ``m`` entries.

    Raises:
      ValueError: an empty vector, an entry outside [0, 1], NaN, infinities, a non-numeric
        string, or numeric entries that do not sum to 1. The message names the entry.
      TypeError: an entry of an unsupported type.

    >>> distribution([1, 0]).probabilities
    (1, 0)
    >>> distribution(["0.5", "0.6"], name="Q")
    Traceback (most recent call last):
    ...
    ValueError: the probabilities of Q sum to 11/10, not 1
    """
    label = _check_name(name)
    if isinstance(probabilities, (str, bytes)) or not isinstance(probabilities, Iterable):
        raise TypeError(f"{name} must be a sequence of probabilities, "
                        f"not {type(probabilities).__name__}")
    entries = tuple(as_probability(p, f"{name}[{k}]") for k, p in enumerate(probabilities))
    if not entries:
        raise ValueError(f"{name} is empty; a distribution needs at least one outcome")
    _check_normalised(entries, name, tolerance)
    return FiniteDistribution(label, Tuple(*entries))


def uniform(size: int, name: str = "U") -> FiniteDistribution:
    r"""The uniform distribution :math:`(1/m, \dots, 1/m)` on ``size`` outcomes.

    >>> uniform(4).probabilities
    (1/4, 1/4, 1/4, 1/4)
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size = {size!r} must be a positive integer")
    return FiniteDistribution(_check_name(name), Tuple(*[sympy.Rational(1, int(size))] * size))


def bernoulli(p: NumberLike, name: str = "P") -> FiniteDistribution:
    r"""The two-point distribution :math:`(p, 1 - p)` of a Bernoulli variable with
    :math:`P(X = 1) = p` (listed first).

    >>> bernoulli("0.2").probabilities
    (1/5, 4/5)
    """
    probability = as_probability(p, f"{name}: p")
    if probability.is_number:
        return distribution([probability, 1 - probability], name)
    return FiniteDistribution(_check_name(name), Tuple(probability, 1 - probability))


def binomial(trials: int, p: NumberLike, name: str = "B") -> FiniteDistribution:
    r"""The binomial distribution of the number of successes in ``trials`` Bernoulli trials:

    .. math:: P(k) = \binom{m}{k} p^k (1 - p)^{m - k}, \qquad k = 0, \dots, m.

    Entry ``k`` (0-based) is the probability of ``k`` successes.

    >>> binomial(2, "1/2").probabilities
    (1/4, 1/2, 1/4)
    """
    if isinstance(trials, bool) or not isinstance(trials, numbers.Integral) or trials < 0:
        raise ValueError(f"trials = {trials!r} must be a non-negative integer")
    probability = as_probability(p, f"{name}: p")
    entries = [sympy.binomial(trials, k) * probability ** k * (1 - probability) ** (trials - k)
               for k in range(int(trials) + 1)]
    return FiniteDistribution(_check_name(name), Tuple(*entries))


def symbolic_probabilities(symbol: str, size: int) -> tuple[sympy.Symbol, ...]:
    r"""Positive symbols :math:`p_1, \dots, p_m` for an explicit vector of symbolic entries.

    >>> symbolic_probabilities("p", 3)
    (p_1, p_2, p_3)
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size = {size!r} must be a positive integer")
    return tuple(sympy.Symbol(f"{symbol}_{k}", positive=True) for k in range(1, size + 1))


def symbolic_distribution(name: str = "P", symbol: str | None = None,
                          length: Expr = LENGTH) -> SymbolicDistribution:
    r"""A distribution :math:`(p_1, \dots, p_n)` of symbolic length :math:`n`.

    Its entries are ``IndexedBase(symbol, positive=True)[i]`` for :math:`i = 1, \dots, n`; the
    normalisation :math:`\sum_{i=1}^{n} p_i = 1` is recorded in ``constraints``.

    Args:
      name: the printed name (``P``).
      symbol: the indexed symbol of the entries; defaults to the lower-cased name (``p``).
      length: the number of outcomes, a positive integer symbol (``n``) or an integer.

    >>> P = symbolic_distribution("P")
    >>> P.probability(INDEX), P.constraints
    (p[i], (Eq(Sum(p[i], (i, 1, n)), 1),))
    """
    label = _check_name(name)
    base = sympy.IndexedBase(symbol or name.lower(), positive=True)
    length = sympy.S(length)
    if length.is_integer is False or length.is_positive is False:
        raise ValueError(f"length = {length} must be a positive integer")
    return SymbolicDistribution(label, Lambda(INDEX, base[INDEX]), length)


def normal(mean: NumberLike, std: NumberLike, name: str = "N") -> NormalDistribution:
    r"""The Gaussian density :math:`\mathcal{N}(\mu, \sigma^2)` with mean ``mean`` and standard
    deviation ``std`` (:math:`\sigma > 0`; a symbol must be declared positive).

    >>> from sympy import symbols
    >>> mu, sigma = symbols("mu sigma", positive=True)
    >>> normal(mu, sigma).std
    sigma
    """
    mu = as_number(mean, f"{name}: mean")
    sigma = as_number(std, f"{name}: std")
    if mu.is_extended_real is False:
        raise ValueError(f"{name}: mean = {mean!r} is not real")
    if not sigma.is_positive:
        raise ValueError(f"{name}: std = {std!r} must be positive "
                         "(declare a symbolic standard deviation with positive=True)")
    return NormalDistribution(_check_name(name), mu, sigma)


def joint_distribution(table: Sequence[Sequence[NumberLike]], names: tuple[str, str] = ("X", "Y"),
                       *, tolerance: float = FLOAT_SUM_TOLERANCE) -> JointDistribution:
    r"""The joint distribution of two discrete variables from an explicit table
    :math:`p(x_i, y_j)` (rows: values of the first variable).

    Raises:
      ValueError: an empty or ragged table, an entry outside [0, 1], or entries that do not sum
        to 1 (the message names the row and column).

    >>> J = joint_distribution([["1/2", 0], [0, "1/2"]])
    >>> J.shape
    (2, 2)
    """
    first, second = (_check_name(n) for n in names)
    if first == second:
        raise ValueError(f"the two variables need different names, got {names!r}")
    if isinstance(table, (str, bytes)) or not isinstance(table, Iterable):
        raise TypeError(f"the joint table must be a sequence of rows, not {type(table).__name__}")
    rows = []
    for r, row in enumerate(table):
        if isinstance(row, (str, bytes)) or not isinstance(row, Iterable):
            raise TypeError(f"row {r} of the joint table is a {type(row).__name__}, not a sequence")
        rows.append([as_probability(p, f"p[{r}][{c}]") for c, p in enumerate(row)])
    if not rows or not rows[0]:
        raise ValueError("the joint table is empty")
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"the joint table is ragged: row {r} has {len(row)} entries, "
                             f"row 0 has {width}")
    _check_normalised([p for row in rows for p in row], "the joint table", tolerance)
    matrix = sympy.ImmutableMatrix(rows)
    return JointDistribution(Tuple(first, second), matrix, Tuple(len(rows), width))


def symbolic_joint_distribution(symbol: str = "p", shape: tuple[Expr, Expr] | None = None,
                                names: tuple[str, str] = ("X", "Y")) -> JointDistribution:
    r"""A joint table :math:`p_{ij}`, :math:`1 \le i \le n`, :math:`1 \le j \le m`, of symbolic
    sizes, with positive entries and the side condition :math:`\sum_{i,j} p_{ij} = 1`.

    >>> J = symbolic_joint_distribution()
    >>> J.marginal("X").probability(INDEX)
    Sum(p[i, l], (l, 1, m))
    """
    first, second = (_check_name(n) for n in names)
    if first == second:
        raise ValueError(f"the two variables need different names, got {names!r}")
    rows, columns = shape if shape is not None else (LENGTH, sympy.Symbol("m", integer=True,
                                                                           positive=True))
    base = sympy.IndexedBase(symbol, positive=True)
    row, column = JointDistribution.ROW, JointDistribution.COLUMN
    entry = Lambda((row, column), base[row, column])
    return JointDistribution(Tuple(first, second), entry, Tuple(rows, columns))


def as_distribution(value: Any, name: str) -> Distribution:
    """Return ``value`` if it is a distribution, else build one with :func:`distribution`."""
    if isinstance(value, Distribution):
        return value
    return distribution(value, name)
