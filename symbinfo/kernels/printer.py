r"""Printing rewritten definitions as vectorised NumPy code.

:class:`KernelPrinter` extends SymPy's ``NumPyPrinter`` with the index notation of the
definitions: an entry :math:`p_i` of a vector summed over :math:`i` prints as the whole array
``p`` (the sum runs along an axis), a sum :math:`\sum_i` as an accurate reduction along that
axis, an entry :math:`z_c` at a label :math:`c` as a gather, and each stable node of
:mod:`symbinfo.kernels.rewrite` as a call to its primitive in
:mod:`symbinfo.kernels.primitives`. A sum over the last axis (or the last two) whose summand is
elementwise once its inner reductions are computed (the marginals of mutual information, the
log-softmax of a soft-target cross-entropy) prints as ``sum_terms`` of a function of the
arrays: the terms are computed and summed chunk by chunk, never all at once.

Axes: vectors (one index) run along the last axis; tables :math:`p_{ij}` along the last two.
Reductions keep their axis (length 1), so that sums nested in terms broadcast.

>>> from sympy import Sum, IndexedBase, Symbol
>>> from symbinfo.kernels.rewrite import XLogY
>>> i, n = Symbol("i", integer=True), Symbol("n", integer=True)
>>> p = IndexedBase("p")
>>> KernelPrinter().doprint(-Sum(XLogY(p[i], p[i]), (i, 1, n)))
'-primitives.sum_terms(lambda p: primitives.xlogy(p, p), p)'
"""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator
from typing import Any

import sympy
from sympy import Expr, Indexed, Sum
from sympy.printing.numpy import NumPyPrinter

from symbinfo.kernels.rewrite import elementwise_arrays, reductions

PRIMITIVES = "primitives"
"""The name under which :mod:`symbinfo.kernels.primitives` is visible to generated code."""


def index_axes(expr: Expr) -> dict[sympy.Symbol, int]:
    r"""The array axis of every index symbol: a vector's index runs along axis -1, a table's
    :math:`p_{ij}` has :math:`i` along -2 and :math:`j` along -1.

    >>> from sympy import IndexedBase, symbols
    >>> i, j = symbols("i j", integer=True)
    >>> index_axes(IndexedBase("p")[i, j] + IndexedBase("q")[i])
    {i: -2, j: -1}
    """
    axes: dict[sympy.Symbol, int] = {}
    for entry in sorted(expr.atoms(Indexed), key=sympy.default_sort_key):
        rank = len(entry.indices)
        for slot, index in enumerate(entry.indices):
            if isinstance(index, sympy.Symbol):
                axes.setdefault(index, slot - rank)
    return axes


class KernelPrinter(NumPyPrinter):
    """NumPy printer for rewritten definitions over vectors and tables (see module docs).

    ``bound`` are the indices whose entries print as whole arrays from the start: the class
    index of a kernel that returns one value per class.
    """

    printmethod = "_kernelcode"

    def __init__(self, settings: dict[str, Any] | None = None, *,
                 bound: tuple[sympy.Symbol, ...] = ()) -> None:
        super().__init__(settings or {})
        self._bound: set[sympy.Symbol] = set(bound)
        self._axes: dict[sympy.Symbol, int] = {}

    def doprint(self, expr: Any, assign_to: Any = None) -> str:
        self._axes = index_axes(sympy.S(expr)) if isinstance(expr, sympy.Basic) else {}
        return super().doprint(expr, assign_to)  # type: ignore[no-any-return]

    @contextmanager
    def _binding(self, *indices: sympy.Symbol) -> Iterator[None]:
        added = set(indices) - self._bound
        self._bound |= added
        try:
            yield
        finally:
            self._bound -= added

    def _call(self, name: str, *args: Any) -> str:
        return f"{PRIMITIVES}.{name}({', '.join(self._print(a) for a in args)})"

    # indexed entries -----------------------------------------------------------------------
    def _print_IndexedBase(self, expr: sympy.IndexedBase) -> str:
        return self._print(expr.label)  # type: ignore[no-any-return]

    def _print_Indexed(self, expr: Indexed) -> str:
        name = self._print(expr.base.label)
        free = [index for index in expr.indices if index not in self._bound]
        if not free:
            return name  # type: ignore[no-any-return]
        if len(expr.indices) == 1:
            return f"{PRIMITIVES}.gather({name}, {self._print(free[0])})"
        raise NotImplementedError(f"cannot vectorise {expr}: index {free[0]} is not summed")

    def _axis(self, index: sympy.Symbol) -> int:
        if index not in self._axes:
            raise NotImplementedError(f"the summation index {index} indexes no vector")
        return self._axes[index]

    # reductions ----------------------------------------------------------------------------
    def _print_Sum(self, expr: Sum) -> str:
        indices = [limit[0] for limit in expr.limits]
        fused = self._fused_sum(expr.function, indices)
        if fused is not None:
            return fused
        with self._binding(*indices):
            code = self._print(expr.function)
        for index in indices:
            code = f"{PRIMITIVES}.sum_along({code}, {self._axis(index)})"
        return code

    def _fused_sum(self, summand: Expr, indices: list[sympy.Symbol]) -> str | None:
        """A sum over the last one or two axes whose summand is elementwise once its inner
        reductions (marginals, a log-softmax) are computed first, as
        ``sum_terms(lambda arrays, reductions: summand, arrays, reductions)``; None for any
        other sum."""
        axes = sorted(self._axis(index) for index in indices)
        if axes not in ([-1], [-2, -1]):
            return None
        ordered = tuple(sorted(indices, key=self._axis))
        inner = {node: sympy.Symbol(f"_reduced{n}") for n, node in
                 enumerate(reductions(summand))}
        elementwise = summand.xreplace(inner)
        arrays = elementwise_arrays(elementwise, ordered)
        if not arrays:
            return None
        with self._binding(*indices):
            code = self._print(elementwise)
            names = [self._print(a.label) for a in arrays] + [str(s) for s in inner.values()]
            values = [self._print(a.label) for a in arrays] + [self._print(n) for n in inner]
        options = ", axes=2" if len(axes) == 2 else ""
        return (f"{PRIMITIVES}.sum_terms(lambda {', '.join(names)}: {code}, "
                f"{', '.join(values)}{options})")

    def _class_reduction(self, name: str, node: Expr, *entries: Expr) -> str:
        """A softmax-family node: ``entries`` printed with the normaliser's index bound only
        for the last one (the summand)."""
        index = node.limits[0]  # type: ignore[attr-defined]
        if self._axis(index) != -1:
            raise NotImplementedError(f"{type(node).__name__} runs along the class axis only")
        outside = [self._print(e) for e in entries[:-1]]
        with self._binding(index):
            summand = self._print(entries[-1])
        return f"{PRIMITIVES}.{name}({', '.join([*outside, summand])})"

    def _print_LogSumExp(self, expr: Expr) -> str:
        return self._class_reduction("logsumexp", expr, expr.args[0])

    def _print_LogSoftmax(self, expr: Expr) -> str:
        return self._class_reduction("log_softmax", expr, expr.args[0], expr.args[1])

    def _print_Softmax(self, expr: Expr) -> str:
        return self._class_reduction("softmax", expr, expr.args[0], expr.args[1])

    def _print_SoftmaxMinusOneHot(self, expr: Expr) -> str:
        logits, label, _ = expr.args
        return self._class_reduction("softmax_minus_onehot", expr, label, logits)

    def _print_ExpXLogYSum(self, expr: Expr) -> str:
        x, y, sign, limits = expr.args
        if self._axis(limits[0]) != -1:
            raise NotImplementedError("ExpXLogYSum runs along the last axis only")
        with self._binding(limits[0]):
            return self._call("exp_xlogy_sum", x, y, sign)

    def _print_RelEntrSum(self, expr: Expr) -> str:
        x, y, difference, limits = expr.args
        index = limits[0]
        vectors = elementwise_arrays(sympy.Tuple(x, y, difference), (index,))
        if not vectors or self._axis(index) != -1:
            raise NotImplementedError("RelEntrSum runs over the entries of vectors along the "
                                      "last axis only")
        names = ", ".join(self._print(v.label) for v in vectors)
        with self._binding(index):
            parts = ", ".join(self._print(a) for a in (x, y, difference))
        return f"{PRIMITIVES}.rel_entr_sum(lambda {names}: ({parts}), {names})"

    # elementwise nodes ---------------------------------------------------------------------
    def _print_XLogY(self, expr: Expr) -> str:
        return self._call("xlogy", *expr.args)

    def _print_XLog1pY(self, expr: Expr) -> str:
        return self._call("xlog1py", *expr.args)

    def _print_RelEntr(self, expr: Expr) -> str:
        return self._call("rel_entr", *expr.args)

    def _print_Softplus(self, expr: Expr) -> str:
        return self._call("softplus", *expr.args)

    def _print_Sigmoid(self, expr: Expr) -> str:
        return self._call("sigmoid", *expr.args)
