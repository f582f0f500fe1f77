"""Intermediate values of the transformer: notation read but not yet turned into SymPy.

The grammar is syntactic, so some readings can only be decided with context: a name and its
subscript (``p_i`` is an entry, ``D_{KL}`` an operator, ``q_{\\mathrm{true}}`` a symbol), a
parenthesised list (call arguments, a tuple, a set), factors side by side (a product, or an
ambiguity to report). These small records carry what was written, with its offset in the
source, until the transformer can decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sympy import Expr


@dataclass(frozen=True)
class Name:
    """A name as written: ``text`` is the letter, the Greek name (``sigma``) or the roman word
    (``softmax``); ``kind`` is ``letter``, ``greek``, ``roman`` or ``kl``."""

    text: str
    kind: str
    offset: int | None
    sub: Any = None
    """The raw subscript (a :class:`Group` or a single token value), if any."""
    sup_index: Any = None
    """The raw index of ``x^{(i)}``, if any."""

    @property
    def is_plain(self) -> bool:
        return self.sub is None and self.sup_index is None

    def is_letter(self, letters: str) -> bool:
        """Whether this is one of ``letters``, unscripted."""
        return self.kind == "letter" and self.is_plain and self.text in letters

    @property
    def is_differential_d(self) -> bool:
        """``d`` or ``\\mathrm{d}``, as in ``dx``."""
        return self.is_plain and self.text == "d" and self.kind in ("letter", "roman")


@dataclass(frozen=True)
class Group:
    """A bracketed list: ``delim`` is ``(``, ``[``, ``{`` or ``\\{``; ``seps`` the separators
    between ``items`` (normalised to ``,`` ``;`` ``|`` ``||`` ``~``)."""

    items: tuple[Any, ...]
    seps: tuple[str, ...]
    delim: str
    offset: int | None

    @property
    def single(self) -> Any:
        """The only item, or None when the group is a list."""
        return self.items[0] if len(self.items) == 1 else None


@dataclass(frozen=True)
class Braced:
    """``{x}^{2}``: a brace group with scripts, kept apart so that ``\\log{x}^{2}`` (SymPy's
    printing of :math:`(\\log x)^2`) applies the function to ``x`` before the scripts."""

    group: Group
    postops: tuple[Any, ...]
    offset: int | None


@dataclass(frozen=True)
class Juxt:
    """Factors written side by side, in order. ``from_call`` marks ``a (b)`` read as a product."""

    factors: tuple[Any, ...]
    offset: int | None
    from_call: bool = False


@dataclass
class Terms:
    """A chain ``a + b - c`` (``operation`` ``add``) or ``a \\cdot b / c`` (``mul``), kept flat
    so that a long chain is built by one ``Add``/``Mul`` instead of one per operator. It is
    extended in place while the chain is read left to right."""

    operation: str
    items: list[Expr]
    offset: int | None
    last: Any = None
    """The last operand as written (a :class:`BareCall` must not be followed by a big operator)."""


@dataclass(frozen=True)
class BareCall:
    """A function applied to an unparenthesised argument, ``\\log p_i``."""

    function: Callable[[Expr], Expr]
    argument: Expr
    command: str
    offset: int | None

    @property
    def value(self) -> Expr:
        return self.function(self.argument)


@dataclass(frozen=True)
class PartialOf:
    """``\\partial L`` (or ``\\partial`` alone, ``operand`` None) inside a ``\\frac``."""

    operand: Any
    offset: int | None


@dataclass(frozen=True)
class DerivativeOperator:
    """``\\frac{\\partial}{\\partial z}``, applied to the factors that follow it."""

    variable: Expr
    offset: int | None


@dataclass(frozen=True)
class SoftmaxOf:
    """``\\mathrm{softmax}(z)``, waiting for its class subscript."""

    logits: Any
    offset: int | None


@dataclass(frozen=True)
class Binding:
    """``i = 1`` inside a subscript or parentheses."""

    name: Any
    value: Any
    offset: int | None


@dataclass(frozen=True)
class Substack:
    """``\\substack{1 \\leq i \\leq n \\\\ 1 \\leq j \\leq m}``: (name, low, high) per index."""

    ranges: tuple[tuple[Any, Any, Any], ...]
    offset: int | None


@dataclass(frozen=True)
class RealSpace:
    r""":math:`\mathbb{R}` or :math:`\mathbb{R}^K` (in ``% assume: z \in \mathbb{R}^K``)."""

    length: Expr | None
    offset: int | None


@dataclass(frozen=True)
class StepValue:
    """A relation and the expression after it, with source offsets."""

    relation: str
    value: Any
    relation_offset: int
    start: int
    end: int


@dataclass(frozen=True)
class RowValue:
    """One line of an environment: an optional leading expression and its steps."""

    lead: Any
    steps: tuple[StepValue, ...]
    start: int
    end: int
    continues: bool
    """Whether the line continues the previous expression (``& + c``)."""
