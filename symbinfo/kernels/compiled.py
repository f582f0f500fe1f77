r"""The kernels' primitives compiled by numba: one pass over memory per kernel.

NumPy evaluates an expression one operation at a time, each a pass over its operands; the
stable forms of :mod:`symbinfo.kernels.primitives` (a compensated max shift, an accurate sum,
a double-double perplexity) cost several passes each, so that plain NumPy cannot keep up with
SciPy's single-loop ``scipy.special`` functions. This module holds the same operations, with the
same formulas and conventions, as loops compiled by numba (optional: ``pip install
symbinfo[fast]``); :func:`symbinfo.kernels.build.lambdify_stable` uses them when numba is
installed:

- the elementwise nodes (``xlogy``, ``xlog1py``, ``rel_entr``, ``softplus``, ``sigmoid``) are
  scalar functions that numba inlines (:data:`SCALAR`), so that a whole elementwise kernel,
  e.g. the binary entropy ``xlog1py(p - 1, -p) - xlogy(p, p)``, compiles into one loop
  (:func:`elementwise_kernel`); each also has a ufunc form for code that runs on arrays;
- the exponential and the logarithm near 1 are polynomials without a call, so that loops of
  them run in SIMD, about twice as fast as glibc's (within 0.65 and 1.0 ULP, against glibc's
  half an ULP);
- a sum whose summand is elementwise (``sum_terms``) is one loop that computes each term and
  adds it to a compensated (TwoSum) accumulator;
- the softmax family and the perplexity's ``exp_xlogy_sum`` are loops over each row.

Every other primitive is the NumPy one (the module's ``__getattr__``). The accuracy of both
backends is checked by the same tests (``symbinfo kernels --check``).

>>> import numpy as np
>>> from symbinfo.kernels import compiled
>>> compiled.xlogy(np.array([0.0, 0.5]), np.array([0.0, 0.25])).tolist()
[0.0, -0.6931471805599453]
>>> compiled.log_softmax(np.array([[100.0, 0, 0, 0, 0]]), np.array([[100.0, 0, 0, 0, 0]]))[0, 0]
np.float64(-1.4880303904083344e-43)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import FunctionType, ModuleType
from typing import Any

import numba
import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, vectorize
from numba.extending import intrinsic

from symbinfo.kernels import primitives
from symbinfo.kernels.printer import PRIMITIVES
from symbinfo.kernels.primitives import (_EXPONENT_SPLITTER, _LN2, _LN2_HI32, _LN2_HI32_LO,
                                         _LN2_LO, _SQRT_HALF, _SQRT_TWO, _TINY, Array)

_GENERATED: dict[str, Any] = {"nogil": True, "error_model": "numpy"}
"""numba options: IEEE semantics (division by zero gives inf, no exception), no fast-math; for
loops made from printed code (which numba cannot cache: they have no source file)."""
_JIT: dict[str, Any] = {**_GENERATED, "cache": True}
"""The same, cached on disk, for this module's own functions."""
_INLINED: dict[str, Any] = {"error_model": "numpy", "inline": "always"}
"""For the scalar helpers: inlined into their callers by numba (a call that numba leaves to
LLVM stays a call, and a loop with a call per element runs three to four times slower)."""
_UFUNC: dict[str, Any] = {"cache": True}
"""The same for ufuncs (whose division already follows NumPy's rules)."""
_FLOAT = numba.float64


CompileError = numba.core.errors.NumbaError
"""What numba raises for code it cannot compile (the caller then uses the NumPy backend)."""


def __getattr__(name: str) -> Any:
    """Every primitive without a compiled version is the NumPy one."""
    return getattr(primitives, name)


# --------------------------------------------------------------------------------------------
# Exponential and logarithm near 1 without a call (so that loops of them run in SIMD)
# --------------------------------------------------------------------------------------------

_ROUNDING_SHIFTER = 6755399441055744.0
"""1.5 * 2^52: ``(t + shifter) - shifter`` rounds ``t`` to the nearest integer (|t| < 2^51)."""


@intrinsic
def _float_from_bits(typing_context: Any, bits: Any) -> Any:
    """The float64 whose IEEE bits are the int64 ``bits`` (a bit cast, as ``view`` does for
    arrays; numba has none for scalars)."""
    def codegen(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.bitcast(arguments[0], llvm_ir.DoubleType())
    return numba.float64(numba.int64), codegen


@njit(**_INLINED)
def _exp_nonpositive(x: float) -> float:
    r""":math:`e^{x}` for :math:`x \le 0` (NaN for NaN), within 0.65 ULP (one in the
    subnormal range): Cody and Waite's reduction :math:`x = k \ln 2 + r`,
    :math:`|r| \le \tfrac12 \ln 2`, :math:`r = r_{hi} + r_{lo}` (:math:`k (\ln 2)_{hi}`
    with the 32-bit :math:`(\ln 2)_{hi}` is exact), the Taylor polynomial of :math:`e^{r}` to
    degree 13 (remainder below :math:`r^{14}/14! < 5 \cdot 10^{-18}`) with
    :math:`1 + r_{hi}` and its rounding error kept apart, and :math:`2^{k}` from its bits.
    No branch and no call, so that a loop of it compiles to SIMD instructions (glibc's ``exp``
    is a call per element, about twice the time)."""
    clamped = x if x > -746.0 else -746.0  # e^-746 rounds to 0; NaN is put back below
    k = (clamped * 1.4426950408889634 + _ROUNDING_SHIFTER) - _ROUNDING_SHIFTER  # x / ln 2
    r_high = clamped - k * _LN2_HI32  # exact
    r_low = -k * _LN2_HI32_LO
    r = r_high + r_low
    p = 1.6059043836821613e-10  # 1/13!, then Horner down to 1/2! (Taylor coefficients)
    p = p * r + 2.08767569878681e-09
    p = p * r + 2.505210838544172e-08
    p = p * r + 2.755731922398589e-07
    p = p * r + 2.7557319223985893e-06
    p = p * r + 2.48015873015873e-05
    p = p * r + 0.0001984126984126984
    p = p * r + 0.001388888888888889
    p = p * r + 0.008333333333333333
    p = p * r + 0.041666666666666664
    p = p * r + 0.16666666666666666
    p = p * r + 0.5
    # 2^(k + 64), normal for -1076 <= k <= 0, from its bits (int32: a conversion SIMD has);
    # the product is then scaled by 2^-64 = 5.42e-20, which rounds only where it is subnormal
    bits = (np.int64(np.int32(k)) + (1023 + 64)) << 52
    scale: float = _float_from_bits(bits)  # type: ignore[call-arg]
    one_plus_r = 1.0 + r_high  # 1 + r_high + r_low + r^2 p, the first sum exact (Fast2Sum)
    tail = ((1.0 - one_plus_r) + r_high) + (r_low + r * r * p)
    value = ((one_plus_r + tail) * scale) * 5.421010862427522e-20
    return value if x == x else x


@njit(**_INLINED)
def _log_near_one(m: float) -> float:
    r""":math:`\log m` for :math:`m \in [1/\sqrt2, \sqrt2]`, as :math:`2 \operatorname{atanh}
    s`, :math:`s = (m - 1)/(m + 1)`, :math:`|s| \le 0.172`: :math:`2s + s^3 R(s^2)`, the
    series to :math:`s^{21}` (remainder below :math:`10^{-18}` of the result); no call, so
    that a loop of it runs in SIMD. :math:`m - 1` is exact (Sterbenz) and the rounding error
    :math:`\tau` of :math:`\sigma = \mathrm{fl}(m + 1)` (TwoSum) is corrected for,
    :math:`2s \approx 2s_0 (1 - \tau/\sigma)`: within about one ULP of :math:`\log m`."""
    sigma = 1.0 + m
    m_virtual = sigma - 1.0
    tau = (1.0 - (sigma - m_virtual)) + (m - m_virtual)
    s = (m - 1.0) / sigma
    s2 = s * s
    r = 2.0 / 21.0
    r = r * s2 + 2.0 / 19.0
    r = r * s2 + 2.0 / 17.0
    r = r * s2 + 2.0 / 15.0
    r = r * s2 + 2.0 / 13.0
    r = r * s2 + 2.0 / 11.0
    r = r * s2 + 2.0 / 9.0
    r = r * s2 + 2.0 / 7.0
    r = r * s2 + 2.0 / 5.0
    r = r * s2 + 2.0 / 3.0
    return 2.0 * s + s * (s2 * r - 2.0 * tau / sigma)


# --------------------------------------------------------------------------------------------
# Elementwise nodes: scalar functions for compiled loops, and ufuncs for arrays
# --------------------------------------------------------------------------------------------

@njit(**_INLINED)
def _xlogy(x: float, y: float) -> float:
    r""":math:`x \log y`, 0 for :math:`x = 0` and any non-NaN :math:`y`
    (:func:`symbinfo.kernels.primitives.xlogy`)."""
    if x == 0 and not math.isnan(y):
        return 0.0
    return x * math.log(y)


@njit(**_INLINED)
def _log1p(y: float) -> float:
    r""":math:`\log(1 + y)` with one logarithm (glibc's ``log1p`` costs two to three times
    ``log`` for moderate arguments): :math:`w = \mathrm{fl}(1 + y)` and its exact rounding
    error :math:`\delta = y - (w - 1)` (Fast2Sum, for :math:`|y| \le 1`; beyond, a
    correction below :math:`2^{-53}` of the result), then
    :math:`\log(1 + y) = \log w + \operatorname{log1p}(\delta / w) = \log w + \delta / w`
    to :math:`(\delta/w)^2 \le 2^{-106}`: within about 1.5 ULP (the rounding of
    :math:`\log w` and of the sum); :math:`y` itself where :math:`w = 1`."""
    w = 1.0 + y
    if w == 0 or not math.isfinite(w):
        return math.log(w)
    if w == 1.0:
        return y  # |y| < 2^-53: log1p(y) = y to 2^-54 (and -0 stays -0)
    return math.log(w) + (y - (w - 1.0)) / w


@njit(**_INLINED)
def _xlog1py(x: float, y: float) -> float:
    r""":math:`x \operatorname{log1p}(y)` (:func:`_log1p`), 0 for :math:`x = 0` and any
    non-NaN :math:`y`."""
    if x == 0 and not math.isnan(y):
        return 0.0
    return x * _log1p(y)


@njit(**_INLINED)
def _log1p_of_unit(t: float) -> float:
    r""":math:`\log(1 + t)` for :math:`0 \le t \le 1` without a call (glibc's ``log`` takes
    twice its usual time near 1, where :math:`1 + t` mostly is): :math:`w = \mathrm{fl}(1 +
    t)` and its rounding error :math:`\delta` (Fast2Sum), :math:`w = 2^{k} m` with
    :math:`m \in [1/\sqrt2, \sqrt2]`, :math:`k \in \{0, 1\}`, and
    :math:`\log(1 + t) = k \ln 2 + \log m + \delta / w` (:func:`_log_near_one`)."""
    w = 1.0 + t
    delta = (t - (w - 1.0)) / w
    k = 1.0 if w > _SQRT_TWO else 0.0
    return k * _LN2 + (_log_near_one(w * (1.0 - 0.5 * k)) + (delta + k * _LN2_LO))


@njit(**_INLINED)
def _softplus(x: float) -> float:
    r""":math:`\max(x, 0) + \operatorname{log1p}(e^{-|x|})` (:func:`_log1p_of_unit`,
    :func:`_exp_nonpositive`)."""
    return (x if x > 0 else 0.0) + _log1p_of_unit(_exp_nonpositive(-abs(x)))


@njit(**_INLINED)
def _sigmoid(x: float) -> float:
    r""":math:`1/(1 + e^{-x})`, as :math:`e^{x}/(1 + e^{x})` for :math:`x < 0`
    (:func:`_exp_nonpositive`)."""
    t = _exp_nonpositive(-abs(x))
    reciprocal = 1.0 / (1.0 + t)
    return reciprocal if x >= 0 else t * reciprocal


@njit(**_INLINED)
def _rel_entr(p: float, q: float, difference: float) -> float:
    r""":math:`p \log(p/q)` in one logarithm, :math:`p \log r + (d - q(r - 1))` with
    :math:`r = \mathrm{fl}(p/q)` (the correction where :math:`r \ge 1/2`); the derivation and
    the conventions are those of :func:`symbinfo.kernels.primitives.rel_entr`."""
    if math.isnan(p) or math.isnan(q):
        return math.nan
    if p < 0 or q < 0:
        return math.inf
    if p == 0:
        return 0.0
    if q == 0:
        return math.inf
    ratio = p / q
    if not ratio >= _TINY or ratio == math.inf:
        return p * (math.log(p) - math.log(q))
    term = p * math.log(ratio)
    if ratio >= 0.5:
        term += difference - q * (ratio - 1.0)
    return term


class _NoScalarForm(numba.core.errors.TypingError, AttributeError):
    """A node without a compiled scalar form: a typing error to numba (its kernel falls back to
    the NumPy backend), and a missing attribute to ``hasattr``."""


class _ScalarNodes(ModuleType):
    """A module of scalar node functions (see :class:`_NoScalarForm`)."""

    def __getattr__(self, name: str) -> Any:
        raise _NoScalarForm(f"no compiled scalar form of primitives.{name}")


SCALAR = _ScalarNodes("symbinfo.kernels.compiled.SCALAR")
"""The elementwise nodes as scalar functions, under the names the printer gives them: the
namespace of printed code that runs inside a compiled loop (numba inlines these, and the loop
then runs in SIMD where it can; a call of a ufunc per element costs several times more)."""
_SCALAR_NODES = {"xlogy": _xlogy, "xlog1py": _xlog1py, "softplus": _softplus,
                 "sigmoid": _sigmoid, "rel_entr": _rel_entr}
for _name, _function in _SCALAR_NODES.items():
    setattr(SCALAR, _name, _function)


def _ufunc(function: Any, arity: int) -> Any:
    """The scalar ``function`` as a NumPy ufunc of float64 arguments (for printed code that
    runs on whole arrays)."""
    return vectorize([_FLOAT(*[_FLOAT] * arity)], **_UFUNC)(function.py_func)


xlogy = _ufunc(_xlogy, 2)
xlog1py = _ufunc(_xlog1py, 2)
softplus = _ufunc(_softplus, 1)
sigmoid = _ufunc(_sigmoid, 1)
rel_entr = _ufunc(_rel_entr, 3)


# --------------------------------------------------------------------------------------------
# Elementwise kernels: the printed expression inside one loop
# --------------------------------------------------------------------------------------------

def _elementwise_loop(expression: str, names: Sequence[str],
                      scalar: tuple[bool, ...]) -> Callable[..., None]:
    """The compiled loop ``out[j] = expression`` over the entries ``j`` of the (flat,
    contiguous) array arguments; the ``scalar`` arguments are plain floats. The expression is
    printed code (of :class:`~symbinfo.kernels.printer.KernelPrinter`, from a definition,
    never user text)."""
    parameters = [f"argument_{k}" for k in range(len(names))]
    bindings = "".join(
        f"        {name} = {parameter}{'' if is_scalar else '[j]'}\n"
        for name, parameter, is_scalar in zip(names, parameters, scalar))
    source = (f"def loop(out, {', '.join(parameters)}):\n"
              f"    for j in range(out.shape[0]):\n{bindings}"
              f"        out[j] = {expression}\n")
    namespace: dict[str, Any] = {PRIMITIVES: SCALAR, "numpy": np, "math": math}
    exec(compile(source, "<symbinfo elementwise kernel>", "exec"), namespace)
    array = numba.types.Array(_FLOAT, 1, "C", readonly=True)
    signature = numba.void(_FLOAT[::1], *[_FLOAT if s else array for s in scalar])
    return njit(signature, **_GENERATED)(namespace["loop"])


def _is_one_value(a: Array) -> bool:
    """Whether ``a`` holds one value (a 0-d array, or one value broadcast: every stride 0)."""
    return a.ndim == 0 or (a.size > 0 and not any(a.strides))


def elementwise_kernel(expression: str, names: Sequence[str]) -> Callable[..., Array]:
    """The elementwise kernel of a printed ``expression`` in the variables ``names``: its
    arguments broadcast, and the expression evaluated in one compiled loop over contiguous
    arrays, in SIMD where it can (:func:`_elementwise_loop`, one per pattern of arguments that
    hold one value). Raises numba's error where the expression cannot be compiled.

    >>> kernel = elementwise_kernel("primitives.xlogy(p, p)", ["p"])
    >>> kernel(np.array([0.0, 0.5])).tolist()
    [0.0, -0.34657359027997264]
    """
    loops: dict[tuple[bool, ...], Callable[..., None]] = {}

    def kernel(*arguments: Any) -> Array:
        arrays = [np.asarray(a, dtype=np.float64) for a in arguments]
        scalar = tuple(_is_one_value(a) for a in arrays)
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
        values = [float(a.flat[0]) if s else
                  np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
                  for a, s in zip(arrays, scalar)]
        if scalar not in loops:
            loops[scalar] = _elementwise_loop(expression, names, scalar)
        out = np.empty(math.prod(shape))
        with np.errstate(all="ignore"):
            loops[scalar](out, *values)
        return out.reshape(shape)

    kernel(*[0.5] * len(names))  # compiles the all-scalar loop: numba's errors surface here
    return kernel


# --------------------------------------------------------------------------------------------
# Sums: a compensated accumulator
# --------------------------------------------------------------------------------------------

_two_sum = njit(**_INLINED)(primitives.two_sum)
"""Knuth's TwoSum (:func:`symbinfo.kernels.primitives.two_sum`, compiled for scalars)."""


@njit(**_INLINED)
def _accumulate(total: float, error: float, x: float) -> tuple[float, float]:
    """Add ``x`` to the pair ``total + error``: TwoSum, the rounding error kept in ``error``."""
    s, rounding = _two_sum(total, x)
    return s, error + rounding


@njit(**_INLINED)
def _evaluated(total: float, error: float) -> float:
    """``total + error``, or ``total`` where it is not finite (the sum of infinities)."""
    return total + error if math.isfinite(total) else total


def _as_rows(*arrays: Array) -> tuple[tuple[int, ...], list[Array]]:
    """The arrays broadcast together, as 2-d ``(rows, last axis)`` views; and the batch shape."""
    broadcast = primitives.broadcast_readonly(*arrays)
    shape = broadcast[0].shape
    return shape[:-1], [a.reshape(math.prod(shape[:-1]), shape[-1]) for a in broadcast]


_CHUNK = 512
"""Entries per chunk of the loops that work through a row in pieces (their scratch arrays stay
in the L1 cache)."""

_SUM_LOOPS: dict[Any, Any] = {}


def _sum_loop(terms: Callable[..., Any], arity: int) -> Any:
    """The compiled loop that sums ``terms(a_0[i, j], ..., a_{arity-1}[i, j])`` over ``j`` for
    each row ``i``, with the summand compiled over the :data:`SCALAR` nodes and inlined; None
    where numba cannot compile it (then the NumPy sum is used). One per summand, keyed by its
    code object (the printed lambda is made anew on each call of its kernel)."""
    key = terms.__code__
    if key not in _SUM_LOOPS:
        names = [f"a{k}" for k in range(arity)]
        source = (f"def loop(out, {', '.join(names)}):\n"
                  f"    for i in range(out.shape[0]):\n"
                  f"        total, error = 0.0, 0.0\n"
                  f"        for j in range(a0.shape[1]):\n"
                  f"            total, error = accumulate(total, error, terms("
                  f"{', '.join(f'{a}[i, j]' for a in names)}))\n"
                  f"        out[i] = evaluated(total, error)\n")
        summand = FunctionType(key, {**terms.__globals__, PRIMITIVES: SCALAR})
        namespace: dict[str, Any] = {"accumulate": _accumulate, "evaluated": _evaluated,
                                     "terms": njit(**_INLINED)(summand)}
        exec(compile(source, f"<symbinfo sum loop {arity}>", "exec"), namespace)  # fixed text
        array = numba.types.Array(_FLOAT, 2, "A", readonly=True)
        try:
            _SUM_LOOPS[key] = njit(numba.void(_FLOAT[::1], *[array] * arity),
                                   **_GENERATED)(namespace["loop"])
        except CompileError:
            _SUM_LOOPS[key] = None
    return _SUM_LOOPS[key]


def sum_terms(terms: Callable[..., Any], *arrays: Array, axes: int = 1) -> Array:
    r""":math:`\sum_j t_j` along the last axis (kept) of the elementwise terms
    ``terms(*arrays)``, each term computed and added to a compensated accumulator in one loop
    (:func:`symbinfo.kernels.primitives.sum_terms`, whose form this is; sums over two axes, and
    summands with captured values, are that NumPy function's).

    >>> sum_terms(lambda x, y: x * y, np.array([1.0, 2.0]), np.array([3.0, 4.0])).tolist()
    [11.0]
    """
    loop = None if axes != 1 or terms.__closure__ else _sum_loop(terms, len(arrays))
    if loop is None:
        return primitives.sum_terms(terms, *arrays, axes=axes)
    batch, rows = _as_rows(*[np.asarray(a, dtype=np.float64) for a in arrays])
    out = np.empty(rows[0].shape[0])
    with np.errstate(all="ignore"):
        loop(out, *rows)
    return out.reshape(batch + (1,))


# --------------------------------------------------------------------------------------------
# Softmax family: one loop per row, with the compensated max shift
# --------------------------------------------------------------------------------------------

def _row_maxima(rows: Array) -> Array:
    """The max of each row (by NumPy, in SIMD): -inf for an empty row, NaN if it has one."""
    return np.max(rows, axis=-1, initial=-np.inf)


@njit(**_INLINED)
def _shift(a: float, m: float) -> tuple[float, float]:
    r""":math:`d + e = a - m` exactly (TwoSum), :math:`e = 0` where it is not finite."""
    d = a - m
    virtual = d - a
    e = (a - (d - virtual)) - (m + virtual)
    return d, (e if math.isfinite(e) else 0.0)


@njit(**_INLINED)
def _weight(a: float, m: float) -> float:
    r""":math:`e^{d}(1 + e) \approx e^{a - m}`, the shift's rounding error compensated."""
    d, e = _shift(a, m)
    w = _exp_nonpositive(d)
    return w + e * w


@njit(**_JIT)
def _weights(z: Array, m: float, out: Array) -> tuple[float, float]:
    r"""The weights :math:`e^{z_j - m}` of a row, into ``out`` (a loop without dependencies
    between its iterations, in SIMD), then their sum as a compensated pair, from two
    accumulators (even and odd entries: two chains of dependent additions, run side by side)."""
    for j in range(z.shape[0]):
        out[j] = _weight(z[j], m)
    even, even_error, odd, odd_error = 0.0, 0.0, 0.0, 0.0
    for j in range(0, z.shape[0] - 1, 2):
        even, even_error = _accumulate(even, even_error, out[j])
        odd, odd_error = _accumulate(odd, odd_error, out[j + 1])
    if z.shape[0] % 2:
        even, even_error = _accumulate(even, even_error, out[z.shape[0] - 1])
    return _accumulate(even, even_error + odd_error, odd)


@njit(**_JIT)
def _weight_sum(z: Array, m: float, scratch: Array) -> tuple[float, float]:
    """The compensated sum of :func:`_weights` of a row, chunk by chunk through ``scratch``."""
    total, error = 0.0, 0.0
    for start in range(0, z.shape[0], scratch.shape[0]):
        width = min(scratch.shape[0], z.shape[0] - start)
        chunk_total, chunk_error = _weights(z[start:start + width], m, scratch[:width])
        total, error = _accumulate(total, error + chunk_error, chunk_total)
    return total, error


@njit(**_JIT)
def _logsumexp_rows(z: Array, maxima: Array, out: Array) -> None:
    scratch = np.empty(_CHUNK)
    for i in range(z.shape[0]):
        total, error = _weight_sum(z[i], maxima[i], scratch)
        out[i] = maxima[i] + math.log1p((total - 1.0) + error)  # 1 + s, s without j*'s 1


@njit(**_JIT)
def _log_softmax_rows(a: Array, z: Array, maxima: Array, out: Array) -> None:
    scratch = np.empty(_CHUNK)
    for i in range(z.shape[0]):
        total, error = _weight_sum(z[i], maxima[i], scratch)
        log_normaliser = math.log1p((total - 1.0) + error)
        for k in range(a.shape[1]):
            d, e = _shift(a[i, k], maxima[i])
            out[i, k] = (d - log_normaliser) + e


@njit(**_JIT)
def _softmax_rows(z: Array, maxima: Array, out: Array) -> None:
    for i in range(z.shape[0]):
        total, error = _weights(z[i], maxima[i], out[i])
        normaliser = 1.0 + ((total - 1.0) + error)
        for k in range(z.shape[1]):
            out[i, k] /= normaliser


@njit(**_JIT)
def _softmax_minus_onehot_rows(labels: Any, z: Array, maxima: Array, out: Array) -> None:
    for i in range(z.shape[0]):
        total, error = _weights(z[i], maxima[i], out[i])
        c = labels[i]
        others = (total - out[i, c]) + error  # S - w_c is exact where w_c >= S/2 (Sterbenz)
        normaliser = 1.0 + ((total - 1.0) + error)
        for k in range(z.shape[1]):
            out[i, k] /= normaliser
        out[i, c] = -others / normaliser


def logsumexp(z: Array) -> Array:
    r""":math:`m + \operatorname{log1p}(\sum_{j \ne j^*} e^{z_j - m})` along the last axis
    (kept), as :func:`symbinfo.kernels.primitives.logsumexp`."""
    batch, (rows,) = _as_rows(z)
    out = np.empty(rows.shape[0])
    _logsumexp_rows(rows, _row_maxima(rows), out)
    return out.reshape(batch + (1,))


def log_softmax(a: Array, z: Array) -> Array:
    r""":math:`(a - m) - \operatorname{log1p}(s)`, the shift's rounding error added back
    (:func:`symbinfo.kernels.primitives.log_softmax`), for ``a`` per class or one column
    (such as a gathered entry)."""
    shape = np.broadcast_shapes(a.shape[:-1], z.shape[:-1])
    a = np.broadcast_to(a, shape + a.shape[-1:])
    count = math.prod(shape)
    rows = np.broadcast_to(z, shape + z.shape[-1:]).reshape(count, z.shape[-1])
    out = np.empty(a.shape)
    _log_softmax_rows(a.reshape(count, a.shape[-1]), rows, _row_maxima(rows),
                      out.reshape(count, a.shape[-1]))
    return out


def softmax(a: Array, z: Array) -> Array:
    r""":math:`e^{z - m} / (1 + s)`, compensated (:func:`symbinfo.kernels.primitives.softmax`);
    the printed softmax has ``a`` = ``z``."""
    if a is not z:
        return primitives.softmax(a, z)
    batch, (rows,) = _as_rows(z)
    out = np.empty(rows.shape)
    _softmax_rows(rows, _row_maxima(rows), out)
    return out.reshape(z.shape)


def softmax_minus_onehot(label: Array, z: Array) -> Array:
    r""":math:`\mathrm{softmax}(z)_k - [k = c]`, the entry at the label as
    :math:`-\sum_{j \ne c} \mathrm{softmax}(z)_j`
    (:func:`symbinfo.kernels.primitives.softmax_minus_onehot`)."""
    batch, (rows,) = _as_rows(z)
    labels = np.broadcast_to(primitives.checked_labels(label, z.shape[-1]),
                             batch).reshape(math.prod(batch))
    out = np.empty(rows.shape)
    _softmax_minus_onehot_rows(labels, rows, _row_maxima(rows), out)
    return out.reshape(batch + rows.shape[-1:])


# --------------------------------------------------------------------------------------------
# Perplexity: exp of a double-double sum
# --------------------------------------------------------------------------------------------

_two_product = njit(**_INLINED)(primitives._two_product)
"""Dekker's TwoProduct (:func:`symbinfo.kernels.primitives._two_product`, whose arithmetic
compiles for scalars as it is)."""


_FRACTION_OF_SQRT_TWO = 0x6A09E667F3BCD
r"""The 52 fraction bits of :math:`\sqrt2 = 1.6A09E667F3BCD_{16}` (rounded up): a normal float64
:math:`1.f \cdot 2^{b - 1023}` has :math:`1.f < \sqrt2` exactly where :math:`f` is below this."""
_FRACTION_BITS = (1 << 52) - 1


@njit(**_INLINED)
def _mantissa_exponent(y: float) -> tuple[float, float]:
    r""":math:`y = m 2^{E}`, :math:`m \in [1/\sqrt2, \sqrt2)` (``math.frexp``, one value)."""
    mantissa, exponent = math.frexp(y)
    if mantissa < _SQRT_HALF:
        return 2.0 * mantissa, float(exponent - 1)
    return mantissa, float(exponent)


@njit(**_JIT)
def _split_normal_floats(y_bits: Array, mantissa_bits: Array, exponents: Array) -> int:
    r""":math:`y = m 2^{E}`, :math:`m \in [1/\sqrt2, \sqrt2)`, by integer operations on the
    bits of normal floats (in SIMD: no branch, no call): the bits of :math:`m` into
    ``mantissa_bits`` (read them as float64), :math:`E` into ``exponents``. Returns how many
    :math:`y` were not normal (zero, subnormal, infinite or NaN; their outputs are
    meaningless)."""
    others = 0
    for j in range(y_bits.shape[0]):
        bits = y_bits[j]
        biased = (bits >> 52) & 0x7FF
        others += (biased == 0) | (biased == 0x7FF)
        fraction = bits & _FRACTION_BITS
        below = np.int64(fraction < _FRACTION_OF_SQRT_TWO)  # 1.f < sqrt 2: m = 1.f, else 1.f/2
        mantissa_bits[j] = fraction | ((1022 + below) << 52)
        exponents[j] = np.float64(np.int32(biased - 1022 - below))  # (int32: SIMD converts it)
    return others


@njit(**_INLINED)
def _high_42_bits(x: float) -> float:
    """``x`` rounded to 42 significant bits (Veltkamp's split by :math:`2^{11} + 1`): ``x``
    minus it is exact, and both times an integer below :math:`2^{11}` are exact products."""
    scaled = x * _EXPONENT_SPLITTER
    return scaled - (scaled - x)


@njit(**_JIT)
def _xlogy_parts(x: Array, mantissas: Array, exponents: Array, exact: Array,
                 rest: Array) -> None:
    r"""The two parts of :math:`x \log y = x_{hi} E \ln 2 + (x_{lo} E \ln 2 + x \log m)`,
    with :math:`x = x_{hi} + x_{lo}`, :math:`x_{hi}` of 42 bits, so that :math:`x_{hi} E`
    (:math:`|E| < 2^{11}`) is exact: ``exact`` gets :math:`x_{hi} E` (the caller multiplies
    its sum by :math:`\ln 2` in double-double), ``rest`` the small remainder, rounded
    (:math:`|x \log m| \le 0.35 |x|`). SIMD: no branch, no call."""
    for j in range(x.shape[0]):
        xj, e = x[j], exponents[j]
        x_high = _high_42_bits(xj)
        exact[j] = x_high * e
        rest[j] = (xj - x_high) * e * _LN2 + xj * _log_near_one(mantissas[j])


@njit(**_JIT)
def _xlogy_parts_one_by_one(x: Array, y: Array, exact: Array, rest: Array) -> None:
    r""":func:`_xlogy_parts` for any y (``math.frexp``), with :math:`0 \log y = 0`."""
    for j in range(x.shape[0]):
        xj = x[j]
        if xj == 0 and not math.isnan(y[j]):
            exact[j], rest[j] = 0.0, 0.0
            continue
        mantissa, e = _mantissa_exponent(y[j])
        x_high = _high_42_bits(xj)
        exact[j] = x_high * e
        rest[j] = (xj - x_high) * e * _LN2 + xj * math.log(mantissa)


@njit(**_JIT)
def _exp_xlogy_row(x: Array, y: Array, y_bits: Array, sign: float, mantissa_bits: Array,
                   mantissas: Array, exponents: Array, exact: Array, rest: Array) -> float:
    r"""One row of :func:`exp_xlogy_sum`: :math:`\sum_j x_j \log y_j` chunk by chunk as
    :math:`\ln 2 \sum_j x_{hi,j} E_j + \sum_j (\dots)` (:func:`_xlogy_parts`), each sum in
    its own compensated accumulator (two independent chains of additions), then the first
    times :math:`\ln 2` in double-double. ``mantissas`` is ``mantissa_bits`` read as float64;
    the other arrays are scratch."""
    exact_sum, exact_error, rest_sum, rest_error = 0.0, 0.0, 0.0, 0.0
    for start in range(0, x.shape[0], _CHUNK):
        stop = min(start + _CHUNK, x.shape[0])
        width = stop - start
        if _split_normal_floats(y_bits[start:stop], mantissa_bits[:width], exponents[:width]):
            _xlogy_parts_one_by_one(x[start:stop], y[start:stop], exact, rest)
        else:
            _xlogy_parts(x[start:stop], mantissas[:width], exponents[:width], exact, rest)
        for j in range(width):
            exact_sum, exact_error = _accumulate(exact_sum, exact_error, exact[j])
            rest_sum, rest_error = _accumulate(rest_sum, rest_error, rest[j])
    exact_sum, exact_error = _accumulate(exact_sum, 0.0, exact_error)  # normalised
    argument, argument_error = _two_product(exact_sum, _LN2)
    argument_error += exact_sum * _LN2_LO + exact_error * _LN2
    argument, error = _accumulate(argument, argument_error + rest_error, rest_sum)
    result = math.exp(sign * argument) * (1.0 + sign * error)
    if math.isfinite(result):
        return result
    plain, plain_error = 0.0, 0.0  # infinite terms (y = 0 < x), NaN, overflow
    for j in range(x.shape[0]):
        plain, plain_error = _accumulate(plain, plain_error, xlogy(x[j], y[j]))
    return math.exp(sign * _evaluated(plain, plain_error))


@njit(**_JIT)
def _exp_xlogy_rows(x: Array, y: Array, y_bits: Array, sign: float, out: Array) -> None:
    mantissa_bits = np.empty(_CHUNK, np.int64)
    exponents, exact, rest = np.empty(_CHUNK), np.empty(_CHUNK), np.empty(_CHUNK)
    for i in range(x.shape[0]):
        out[i] = _exp_xlogy_row(x[i], y[i], y_bits[i], sign, mantissa_bits,
                                mantissa_bits.view(np.float64), exponents, exact, rest)


def exp_xlogy_sum(x: Array, y: Array, sign: float) -> Array:
    r""":math:`\exp(\pm \sum_j x_j \log y_j)` along the last axis (kept), the sum in
    double-double (:func:`_exp_xlogy_row`; the method of
    :func:`symbinfo.kernels.primitives.exp_xlogy_sum`, with natural logarithms)."""
    batch, (xs, ys) = _as_rows(x, y)
    out = np.empty(xs.shape[0])
    _exp_xlogy_rows(xs, ys, ys.view(np.int64), float(sign), out)
    return out.reshape(batch + (1,))
