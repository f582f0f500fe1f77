r"""Real vectors (logits, labels, predictions): explicit or of symbolic length.

Losses take their vector arguments either as explicit sequences of numbers or symbols, read
with :func:`symbinfo.distributions.as_number` (0-based positions, as in NumPy), or as a
:class:`SymbolicVector` :math:`(z_1, \dots, z_K)` of symbolic length whose sums stay
unevaluated (1-based indices, as in the mathematics).

>>> z = symbolic_vector("z", "K")
>>> z.sum(lambda j: z[j])
Sum(z[j], (j, 1, K))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Union

import sympy
from sympy import Basic, Expr, Sum

from symbinfo.distributions import as_number

SUM_INDEX = sympy.Symbol("j", integer=True, positive=True)
"""The summation index of sums over a symbolic vector."""


class SymbolicVector(Basic):
    r"""A vector :math:`(z_1, \dots, z_K)` of symbolic length, entries ``IndexedBase`` symbols.

    Build it with :func:`symbolic_vector`.
    """

    def __new__(cls, base: sympy.IndexedBase, length: Expr) -> "SymbolicVector":
        return Basic.__new__(cls, base, length)  # type: ignore[return-value]

    @property
    def base(self) -> sympy.IndexedBase:
        """The indexed symbol, e.g. ``z``."""
        return self.args[0]  # type: ignore[return-value]

    @property
    def length(self) -> Expr:
        """The symbolic length :math:`K`."""
        return self.args[1]  # type: ignore[no-any-return]

    def __getitem__(self, index: Any) -> Expr:
        return self.base[index]  # type: ignore[no-any-return]

    def sum(self, term: Callable[[Expr], Expr], index: sympy.Symbol = SUM_INDEX) -> Expr:
        r"""Return :math:`\sum_{j=1}^{K}` ``term(j)``, unevaluated."""
        return Sum(term(index), (index, 1, self.length))


Vector = Union[tuple[Expr, ...], SymbolicVector]


def symbolic_vector(symbol: str, length: Union[str, Expr] = "K", **assumptions: bool) \
        -> SymbolicVector:
    r"""A vector :math:`(z_1, \dots, z_K)` of symbolic length; entries are real unless other
    assumptions are given (``positive=True`` for probabilities).

    Args:
      symbol: the name of the indexed symbol (``"z"``).
      length: a name for the length (a positive integer symbol is made) or an expression.
      assumptions: SymPy assumptions of the entries; default ``real=True``.

    >>> symbolic_vector("y", "N", positive=True)[1].is_positive
    True
    """
    if not isinstance(symbol, str) or not symbol.isidentifier():
        raise ValueError(f"symbol = {symbol!r} must be an identifier such as 'z'")
    size = sympy.Symbol(length, integer=True, positive=True) if isinstance(length, str) \
        else sympy.S(length)
    if size.is_integer is False or size.is_positive is False:
        raise ValueError(f"length = {length} must be a positive integer")
    base = sympy.IndexedBase(symbol, **(assumptions or {"real": True}))
    return SymbolicVector(base, size)


def as_vector(values: Any, name: str) -> Vector:
    """Return a :class:`SymbolicVector` unchanged, or read an explicit non-empty sequence.

    >>> as_vector([2, "0.1"], "logits")
    (2, 1/10)
    >>> as_vector([], "logits")
    Traceback (most recent call last):
    ...
    ValueError: logits is empty
    """
    if isinstance(values, SymbolicVector):
        return values
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence or a SymbolicVector, "
                        f"not {type(values).__name__}")
    entries = tuple(as_number(v, f"{name}[{k}]") for k, v in enumerate(values))
    if not entries:
        raise ValueError(f"{name} is empty")
    for k, entry in enumerate(entries):
        if entry.is_extended_real is False:
            raise ValueError(f"{name}[{k}] = {entry} is not real")
    return entries


def vector_sum(vector: Vector, term: Callable[[Expr], Expr]) -> Expr:
    r""":math:`\sum_j` ``term(z_j)`` over an explicit or symbolic vector."""
    if isinstance(vector, SymbolicVector):
        return vector.sum(lambda j: term(vector[j]))
    return sympy.Add(*[term(entry) for entry in vector])


def vector_length(vector: Vector) -> Expr:
    """The number of entries (a SymPy integer or the symbolic length)."""
    if isinstance(vector, SymbolicVector):
        return vector.length
    return sympy.Integer(len(vector))
