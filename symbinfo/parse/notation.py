r"""SymPy objects for notation the core has no object for: a conditional pmf :math:`p(x \mid y)`.

>>> from sympy import Function, Symbol
>>> x, y = Symbol("x"), Symbol("y")
>>> from sympy import latex
>>> latex(Conditional(Function("p")(x), y))
'p(x \\mid y)'
"""

from __future__ import annotations

from typing import Any

from sympy import Function


class Conditional(Function):
    r"""The conditional probability :math:`p(x \mid y)`: ``Conditional(p(x), y)``.

    The first argument is the pmf applied to the outcome(s) before the bar, the others are
    the conditioning outcomes. It stays unevaluated: the checker gives it meaning (e.g. by a
    ``% define:`` line or by instantiating tables).
    """

    is_extended_real = True

    def _latex(self, printer: Any) -> str:
        head, *given = self.args
        name = printer._print(head.func)
        before = ", ".join(printer._print(a) for a in head.args)
        after = ", ".join(printer._print(a) for a in given)
        return rf"{name}({before} \mid {after})"

    def _sympystr(self, printer: Any) -> str:
        head, *given = self.args
        before = ", ".join(printer._print(a) for a in head.args)
        after = ", ".join(printer._print(a) for a in given)
        return f"{head.func}({before} | {after})"
