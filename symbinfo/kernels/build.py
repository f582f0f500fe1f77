r"""From a symbolic definition to a NumPy function: the rewrite pass, then ``lambdify``.

:func:`lambdify_stable` is the whole pipeline and is public: a user can turn their own
expression into a stable kernel with it. :func:`apply_along_axis` is the calling convention the
kernels share: NumPy broadcasting, the user's ``axis`` moved to the last position (where the
printed reductions run), float64 arithmetic inside, and the input's float dtype outside (float32
in gives float32 out).

>>> import numpy as np
>>> from sympy import Symbol, log
>>> p = Symbol("p", positive=True)
>>> h = lambdify_stable([p], -p*log(p) - (1 - p)*log(1 - p))
>>> h(np.array([0.0, 0.5, 1e-17]))
array([0.00000000e+00, 6.93147181e-01, 4.01439466e-16])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray
from sympy import Expr
from sympy.codegen.rewriting import Optimization

from symbinfo.kernels import primitives
from symbinfo.kernels.printer import PRIMITIVES, KernelPrinter
from symbinfo.kernels.rewrite import STABLE_REWRITES, optimize

REDUCTIONS = ("mean", "sum", "none")
"""The values of a loss's ``reduction=``."""


def lambdify_stable(args: Sequence[Any], definition: Expr, *,
                    rules: Iterable[Optimization] = STABLE_REWRITES,
                    bound: tuple[sympy.Symbol, ...] = ()) -> Callable[..., Any]:
    r"""Rewrite ``definition`` with ``rules`` (:func:`~symbinfo.kernels.rewrite.optimize`) and
    ``lambdify`` it with the :class:`~symbinfo.kernels.printer.KernelPrinter`.

    Args:
      args: the arguments, in order: symbols, and ``IndexedBase`` objects for vectors (their
        entries become arrays along the last axis; tables along the last two).
      definition: the SymPy expression, e.g. ``entropy(symbolic_distribution("P"))``.
      rules: the rewrite rules, by default :data:`~symbinfo.kernels.rewrite.STABLE_REWRITES`.
      bound: class indices that are not summed in ``definition`` but run along the class axis
        (the output has one value per class).

    Returns:
      A function of float64 arrays; its reductions keep their axes (length 1).
    """
    rewritten = optimize(sympy.S(definition), rules)
    return sympy.lambdify(list(args), rewritten, printer=KernelPrinter(bound=bound),
                          modules=[{PRIMITIVES: primitives}, "numpy"], docstring_limit=0)


def result_dtype(*arrays: Any) -> np.dtype[Any]:
    """float32 when every floating array is float32 (or narrower), else float64.

    Python scalars do not count (as in NumPy's promotion rules):

    >>> result_dtype(np.zeros(2, np.float32), 0.5), result_dtype([0.5])
    (dtype('float32'), dtype('float64'))
    """
    floating = [np.asarray(a).dtype for a in arrays if not isinstance(a, (int, float))
                and np.issubdtype(np.asarray(a).dtype, np.floating)]
    if floating and np.result_type(*floating).itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def as_float_array(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """``values`` as a float64 array, refusing non-numeric and complex input by name."""
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating)
                                     or np.issubdtype(array.dtype, np.integer)
                                     or array.dtype == bool):
        raise TypeError(f"{name} must be an array of real numbers, not {array.dtype}")
    return array.astype(np.float64, copy=False)


def apply_along_axis(kernel: Callable[..., Any], arrays: dict[str, ArrayLike], *,
                     axes: tuple[int, ...] = (-1,), scalars: Sequence[Any] = (),
                     keep_axes: bool = False) -> NDArray[Any]:
    """Call ``kernel(*arrays, *scalars)`` on float64 arrays broadcast together, with ``axes``
    moved to the end; squeeze the reduced axes (or move them back with ``keep_axes``), and
    return the input's float dtype.
    """
    dtype = result_dtype(*arrays.values())
    values = [as_float_array(a, name) for name, a in arrays.items()]
    values = np.broadcast_arrays(*values)
    ndim = values[0].ndim
    if ndim < len(axes):
        raise ValueError(f"{next(iter(arrays))} needs at least {len(axes)} dimension(s), "
                         f"got {ndim}")
    if any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"axis {axes} is out of range for {ndim}-d input")
    source = [a % ndim for a in axes]
    target = list(range(ndim - len(axes), ndim))
    moved = [np.moveaxis(v, source, target) for v in values]
    result = np.asarray(kernel(*moved, *scalars), dtype=np.float64) + 0.0  # no -0.0
    if keep_axes:
        result = np.moveaxis(result, target, source)
    else:
        result = result.reshape(result.shape[:result.ndim - len(axes)])
    return result.astype(dtype, copy=False)


def reduce_losses(losses: NDArray[Any], reduction: str) -> NDArray[Any]:
    r"""``'none'``: the per-sample losses; ``'sum'``: their accurate sum; ``'mean'``:
    :math:`\frac{1}{N}\sum_i \ell_i`.

    >>> reduce_losses(np.array([1.0, 2.0]), "mean")
    np.float64(1.5)
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction={reduction!r}; expected one of {', '.join(REDUCTIONS)}")
    if reduction == "none":
        return losses
    total = primitives.sum_all(np.asarray(losses, dtype=np.float64))
    value = total if reduction == "sum" else total / max(losses.size, 1)
    return losses.dtype.type(value)  # type: ignore[no-any-return]
