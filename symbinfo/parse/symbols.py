r"""One symbol table per proof: the same name is always the same SymPy object.

A proof is read twice. The first reading *records* how each name is used (as a summation
index, a bound, a distribution, a function, a vector of logits) and what the ``% assume:``
lines say about it; the second reading builds every expression from the frozen table, so
``p_i`` on line 3 and ``p_i`` on line 30 are one object with one set of SymPy assumptions.

Rules (documented in :mod:`symbinfo.parse`):

* a plain symbol is ``real``; an index (a subscript or a summation variable) is an
  ``integer``, ``positive`` unless some sum over it starts below 1; a name used as the upper
  limit of a sum is a positive integer (``n``, ``K``, ``N``);
* the entries of a distribution ``P`` are the positive ``IndexedBase("p")``, as in
  :func:`symbinfo.distributions.symbolic_distribution`; ``p`` and ``q`` always are;
* other indexed symbols (``z_k``, ``y_i``) are real;
* ``% assume:`` facts refine these: ``0 < x`` or ``0 < x < 1`` make ``x`` positive,
  ``x \ge 0`` nonnegative, ``x \in \{0, 1\}`` a nonnegative integer.

>>> table = SymbolTable()
>>> table.index("i") == INDEX, table.indexed_base("p")[INDEX].is_positive
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Expr, IndexedBase, Symbol

from symbinfo.distributions import INDEX, LENGTH  # noqa: F401 (INDEX: doctest)

DISTRIBUTION_ENTRY_BASES = frozenset({"p", "q"})
"""Indexed symbols that are probabilities (positive) even when no distribution is named."""

DEFAULT_SECOND_LENGTH = Symbol("m", integer=True, positive=True)
"""The implied length of the second index of a table (``p_{ij}``), as in the core's joints."""

LOGITS_LENGTH = Symbol("K", integer=True, positive=True)
"""The implied length of a vector of logits (the argument of softmax or logsumexp)."""


@dataclass
class Facts:
    """What the first reading learned about the names of a proof."""

    indices: dict[str, bool] = field(default_factory=dict)
    """Index names, mapped to whether every sum over them starts at 1 or later."""
    bounds: set[str] = field(default_factory=set)
    distributions: set[str] = field(default_factory=set)
    random_variables: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    lengths: dict[tuple[str, int], Expr] = field(default_factory=dict)
    """Known lengths of indexed symbols, keyed by (base name, index position)."""
    declared: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """Assumption facts ('positive', 'nonnegative', 'integer') keyed by (kind, name)."""

    def declare(self, kind: str, name: str, *facts: str) -> None:
        """Record facts from an ``% assume:`` line about a ``"symbol"`` or ``"indexed"`` name."""
        self.declared.setdefault((kind, name), set()).update(facts)


class SymbolTable:
    """Symbols of one proof. Recording calls change nothing once the table is frozen."""

    def __init__(self, facts: Facts | None = None) -> None:
        self.frozen = facts is not None
        self.facts = facts if facts is not None else Facts()
        self.declared_laws: dict[str, Any] = {}
        """Distributions declared in assumptions (``P = (0.2, 0.8)``,
        ``P = \\mathcal{N}(\\mu, \\sigma^2)``), by name."""
        self.vectors: dict[str, tuple[Expr, ...]] = {}
        """Vectors declared with explicit entries (``z = (2, 1, 0.1)``), by name."""

    # recording ---------------------------------------------------------------------------
    def record_index(self, name: str, lower: Expr | None = None) -> None:
        """``name`` is used as an index; ``lower`` is the first value of a sum over it."""
        if self.frozen:
            return
        starts_at_one = lower is None or bool(lower.is_integer and (lower - 1).is_nonnegative)
        self.facts.indices[name] = self.facts.indices.get(name, True) and starts_at_one

    def record_bound(self, name: str) -> None:
        """``name`` is the upper limit of a sum (a positive integer)."""
        if not self.frozen:
            self.facts.bounds.add(name)

    def record_distribution(self, name: str) -> None:
        if not self.frozen:
            self.facts.distributions.add(name)

    def record_random_variable(self, name: str) -> None:
        if not self.frozen:
            self.facts.random_variables.add(name)

    def record_function(self, name: str) -> None:
        if not self.frozen:
            self.facts.functions.add(name)

    def record_length(self, base: str, position: int, length: Expr) -> None:
        """``base`` has ``length`` entries along ``position``; its symbols are bounds."""
        if not self.frozen:
            self.facts.lengths.setdefault((base, position), length)
            self.facts.bounds.update(s.name for s in length.free_symbols if isinstance(s, Symbol))

    # building ----------------------------------------------------------------------------
    def _assumptions(self, kind: str, name: str) -> dict[str, bool]:
        declared = self.facts.declared.get((kind, name), set())
        integer = "integer" in declared or (kind == "symbol" and (
            name in self.facts.indices or name in self.facts.bounds))
        if "positive" in declared or (kind == "symbol" and name in self.facts.bounds) or (
                kind == "symbol" and self.facts.indices.get(name, False)):
            sign = "positive"
        elif "nonnegative" in declared:
            sign = "nonnegative"
        elif kind == "indexed" and self._is_probability(name):
            sign = "positive"
        else:
            sign = ""
        assumptions = {"integer": True} if integer else {}
        if sign:
            assumptions[sign] = True
        return assumptions or {"real": True}

    def _is_probability(self, name: str) -> bool:
        return name in DISTRIBUTION_ENTRY_BASES or any(
            d.lower() == name for d in self.facts.distributions | self.facts.random_variables)

    def symbol(self, name: str) -> Symbol:
        """The plain symbol ``name``, with the assumptions its uses and declarations give."""
        return Symbol(name, **self._assumptions("symbol", name))

    def index(self, name: str, lower: Expr | None = None) -> Symbol:
        """The index symbol ``name``, recording its use as an index."""
        self.record_index(name, lower)
        return self.symbol(name)

    def bound(self, name: str) -> Symbol:
        """The symbol ``name`` used as the upper limit of a sum."""
        self.record_bound(name)
        return self.symbol(name)

    def indexed_base(self, name: str) -> IndexedBase:
        """The indexed symbol ``name`` (``p`` in ``p_i``)."""
        return IndexedBase(name, **self._assumptions("indexed", name))

    def is_function(self, name: str) -> bool:
        return name in self.facts.functions

    def is_random_variable(self, name: str) -> bool:
        """Whether ``name`` is used jointly with another random variable."""
        return name in self.facts.random_variables

    def is_distribution(self, name: str) -> bool:
        return name in ("P", "Q") or name in self.facts.distributions \
            or name in self.declared_laws

    def length_of(self, base: str, position: int) -> Expr | None:
        """The recorded length of an indexed symbol at an index position, if any."""
        if base in self.vectors and position == 0:
            return sympy.Integer(len(self.vectors[base]))
        length = self.facts.lengths.get((base, position))
        if length is None:
            return None
        # recorded while reading; rebuilt so its symbols carry this table's assumptions
        return length.xreplace({s: self.symbol(s.name) for s in length.free_symbols
                                if isinstance(s, Symbol)})

    def default_length(self, position: int) -> Symbol:
        """The implied length of an index position when nothing is recorded (``n``, then ``m``)."""
        return LENGTH if position == 0 else DEFAULT_SECOND_LENGTH

    def joint_names(self) -> tuple[str, str] | None:
        """The two random variables of the proof's joint distribution, sorted, if there are two."""
        names = sorted(self.facts.random_variables)
        if len(names) == 2:
            return names[0], names[1]
        return None

