r"""From a symbolic definition to a NumPy function: the rewrite pass, then ``lambdify``.

:func:`lambdify_stable` is the whole pipeline and is public: a user can turn their own
expression into a stable kernel with it. The printed code runs on one of two
:data:`BACKENDS`: numba's compiled loops (:mod:`symbinfo.kernels.compiled`) where numba is
installed, else NumPy's functions (:mod:`symbinfo.kernels.primitives`); :func:`use_backend`
chooses. :func:`apply_along_axis` is the calling convention the
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

import importlib.util
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray
from sympy import Expr
from sympy.codegen.rewriting import Optimization

from symbinfo.kernels import primitives
from symbinfo.kernels.primitives import BLOCK_ELEMENTS
from symbinfo.kernels.printer import PRIMITIVES, KernelPrinter
from symbinfo.kernels.rewrite import STABLE_REWRITES, optimize

REDUCTIONS = ("mean", "sum", "none")
"""The values of a loss's ``reduction=``."""


BACKENDS = ("numba", "numpy")
"""The kernels' backends: ``"numba"`` compiles the printed code with the loops of
:mod:`symbinfo.kernels.compiled` (one pass over memory per kernel; needs numba, the ``fast``
extra); ``"numpy"`` runs it on the NumPy functions of :mod:`symbinfo.kernels.primitives`.
Both come from the same rewritten definition, and both are held to the same accuracy targets."""

_NUMBA_INSTALLED = importlib.util.find_spec("numba") is not None
_backend = os.environ.get("SYMBINFO_KERNELS") or ("numba" if _NUMBA_INSTALLED else "numpy")


def available_backends() -> tuple[str, ...]:
    """The backends this installation can run (``"numpy"`` always).

    >>> "numpy" in available_backends()
    True
    """
    return BACKENDS if _NUMBA_INSTALLED else ("numpy",)


def current_backend() -> str:
    """The backend kernels run on now: ``SYMBINFO_KERNELS`` if set, else ``"numba"`` where it
    is installed, else ``"numpy"``; changed by :func:`use_backend`."""
    if _backend not in available_backends():
        raise RuntimeError(f"kernel backend {_backend!r} is not available here (SYMBINFO_KERNELS="
                           f"{os.environ.get('SYMBINFO_KERNELS')!r}); available: "
                           f"{', '.join(available_backends())}")
    return _backend


@contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run the kernels on backend ``name`` inside the ``with`` block.

    >>> import numpy as np
    >>> from symbinfo import kernels
    >>> with use_backend("numpy"):
    ...     float(kernels.entropy(np.array([0.5, 0.5]), base="bits"))
    1.0
    """
    global _backend
    if name not in available_backends():
        raise ValueError(f"backend {name!r} is not available; available: "
                         f"{', '.join(available_backends())}")
    previous, _backend = _backend, name
    try:
        yield
    finally:
        _backend = previous


class StableKernel:
    """A rewritten definition printed for NumPy at once (so that what cannot be printed fails
    here) and compiled by numba on first use; calling it runs the :func:`current_backend`'s
    function."""

    def __init__(self, args: Sequence[Any], rewritten: Expr, bound: tuple[sympy.Symbol, ...]):
        self.args, self.rewritten, self.bound = list(args), rewritten, bound
        self._functions: dict[str, Callable[..., Any]] = {"numpy": self._lambdify(primitives)}

    def _lambdify(self, namespace: ModuleType) -> Callable[..., Any]:
        return sympy.lambdify(self.args, self.rewritten, printer=KernelPrinter(bound=self.bound),
                              modules=[{PRIMITIVES: namespace}, "numpy"], docstring_limit=0)

    def function(self, backend: str) -> Callable[..., Any]:
        """The function of ``backend``: on ``"numba"``, an elementwise definition becomes one
        compiled loop, and any other calls the compiled reductions."""
        if backend not in self._functions:
            self._functions[backend] = self._compiled()
        return self._functions[backend]

    def _compiled(self) -> Callable[..., Any]:
        from symbinfo.kernels import compiled  # imports numba: only when it is used
        if not self.rewritten.has(sympy.Indexed):
            printer = KernelPrinter(bound=self.bound)
            try:
                return compiled.elementwise_kernel(printer.doprint(self.rewritten),
                                                   [printer.doprint(a) for a in self.args])
            except compiled.CompileError:
                pass  # an elementwise definition numba cannot compile: the reductions' code
        return self._lambdify(compiled)

    def __call__(self, *arguments: Any) -> Any:
        return self.function(current_backend())(*arguments)


def lambdify_stable(args: Sequence[Any], definition: Expr, *,
                    rules: Iterable[Optimization] = STABLE_REWRITES,
                    bound: tuple[sympy.Symbol, ...] = ()) -> StableKernel:
    r"""Rewrite ``definition`` with ``rules`` (:func:`~symbinfo.kernels.rewrite.optimize`) and
    ``lambdify`` it with the :class:`~symbinfo.kernels.printer.KernelPrinter`, for the
    :func:`current_backend`.

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
    return StableKernel(args, optimize(sympy.S(definition), rules), tuple(bound))


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


def real_array(values: ArrayLike, name: str) -> NDArray[Any]:
    """``values`` as an array of real numbers (converted to float64 block by block later),
    refusing non-numeric and complex input by name."""
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating)
                                     or np.issubdtype(array.dtype, np.integer)
                                     or array.dtype == bool):
        raise TypeError(f"{name} must be an array of real numbers, not {array.dtype}")
    return array


def _batch_blocks(batch_shape: tuple[int, ...], row_size: int,
                  target: int = BLOCK_ELEMENTS) -> Iterator[tuple[slice, ...]]:
    """Index tuples (of slices, so no axis is dropped) that cover ``batch_shape`` in blocks of
    about ``target`` elements, each batch entry being a row of ``row_size`` elements.

    >>> list(_batch_blocks((5,), 4, target=8))
    [(slice(0, 2, None),), (slice(2, 4, None),), (slice(4, 6, None),)]
    >>> list(_batch_blocks((2, 3), 4, target=8))[:2]
    [(slice(0, 1, None), slice(0, 2, None)), (slice(0, 1, None), slice(2, 4, None))]
    """
    if not batch_shape:
        yield ()
        return
    per_entry = math.prod(batch_shape[1:]) * row_size
    if per_entry > target and len(batch_shape) > 1:
        for i in range(max(batch_shape[0], 1)):  # an empty batch: one empty block
            for rest in _batch_blocks(batch_shape[1:], row_size, target):
                yield (slice(i, i + 1), *rest)
        return
    step = max(1, target // max(per_entry, 1))
    for start in range(0, max(batch_shape[0], 1), step):
        yield (slice(start, start + step),)


def apply_along_axis(kernel: Callable[..., Any], arrays: dict[str, ArrayLike], *,
                     axes: tuple[int, ...] = (-1,), per_sample: Sequence[Any] = (),
                     scalars: Sequence[Any] = (), keep_axes: bool = False) -> NDArray[Any]:
    """Call ``kernel(*arrays, *per_sample, *scalars)`` on float64 arrays broadcast together,
    with ``axes`` moved to the end, one block of samples at a time
    (:data:`~symbinfo.kernels.primitives.BLOCK_ELEMENTS` elements);
    squeeze the reduced axes (or move them back with ``keep_axes``), and return the input's
    float dtype. ``per_sample`` arrays (integer labels) have one entry per sample and are cut
    into the same blocks; ``scalars`` are passed whole.
    """
    dtype = result_dtype(*arrays.values())
    values = primitives.broadcast_readonly(*[real_array(a, name)
                                             for name, a in arrays.items()])
    ndim = values[0].ndim
    if ndim < len(axes):
        raise ValueError(f"{next(iter(arrays))} needs at least {len(axes)} dimension(s), "
                         f"got {ndim}")
    if any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"axis {axes} is out of range for {ndim}-d input")
    source = [a % ndim for a in axes]
    target = list(range(ndim - len(axes), ndim))
    moved = [np.moveaxis(v, source, target) for v in values]
    row_shape = moved[0].shape[ndim - len(axes):]
    samples = [np.asarray(s) for s in per_sample]
    batch = np.broadcast_shapes(moved[0].shape[:ndim - len(axes)], *[s.shape for s in samples])
    moved = [np.broadcast_to(v, batch + row_shape) for v in moved]
    samples = [np.broadcast_to(s, batch) for s in samples]
    result: NDArray[Any] | None = None
    for index in _batch_blocks(batch, math.prod(row_shape)):
        block = kernel(*[np.asarray(v[index], dtype=np.float64) for v in moved],
                       *[s[index] for s in samples], *scalars)
        block = np.asarray(block, dtype=np.float64)
        if result is None:  # in the input's dtype: float32 results are rounded once, here
            result = np.empty(batch + block.shape[len(batch):], dtype=dtype)
        np.add(block, 0.0, out=result[(*index, ...)])  # + 0.0: no -0.0
    assert result is not None  # there is always at least one block
    if keep_axes:
        result = np.moveaxis(result, target, source)
    else:
        result = result.reshape(result.shape[:result.ndim - len(axes)])
    return result


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
