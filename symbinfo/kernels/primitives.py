r"""The NumPy primitives that rewritten definitions are printed into.

The rewrite pass (:mod:`symbinfo.kernels.rewrite`) turns a definition into an expression over a
small vocabulary of stable nodes (:math:`x \log y` with :math:`0 \log 0 = 0`, the KL term, the
softplus, log-softmax with a max shift, ...); the printer
(:mod:`symbinfo.kernels.printer`) prints each node as a call to the function of the same name
here, as SymPy's own NumPy printer prints ``log1p`` as ``numpy.log1p``. They are the kernels'
"special functions", in the role of ``scipy.special.xlogy`` or ``rel_entr``: each is one
elementary operation with its conventions, never a whole formula.

Every function takes and returns float64 arrays. Reductions run along the **last** axis and keep
it (length 1), so that their results broadcast against the per-class terms; the kernel wrapper
moves the user's axis there and squeezes it at the end.

Conventions (SciPy's): :math:`\operatorname{xlogy}(0, y) = 0` unless :math:`y` is NaN;
:math:`\operatorname{rel\_entr}(0, q) = 0` for :math:`q \ge 0`,
:math:`\operatorname{rel\_entr}(p > 0, 0) = +\infty`, and :math:`+\infty` for negative
arguments.

>>> import numpy as np
>>> from symbinfo.kernels import primitives
>>> primitives.xlogy(np.array([0.0, 0.5]), np.array([0.0, 0.25])).tolist()
[0.0, -0.6931471805599453]
>>> primitives.rel_entr(np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0])).tolist()
[0.0, inf]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

_TINY = np.finfo(np.float64).tiny
"""The smallest normal float64; below it a quotient has lost relative precision."""


# --------------------------------------------------------------------------------------------
# Error-free transformations and accurate sums
# --------------------------------------------------------------------------------------------

def two_sum(a: Array, b: Array) -> tuple[Array, Array]:
    r"""Knuth's TwoSum: :math:`s = \mathrm{fl}(a + b)` and the exact error :math:`e`, with
    :math:`a + b = s + e` exactly (for finite arguments, without overflow).

    >>> two_sum(np.float64(1.0), np.float64(2.0 ** -60))
    (np.float64(1.0), np.float64(8.673617379884035e-19))
    """
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _extract(x: Array, bound: Array) -> tuple[Array, Array]:
    r"""Rump's error-free extraction: with :math:`\sigma = 2^{k}` at least
    :math:`(n + 2) \max_j |x_j|`, :math:`q_j = (\sigma + x_j) - \sigma` and
    :math:`r_j = x_j - q_j` split each term exactly, and the :math:`q_j` (multiples of one
    power of two, their partial sums below :math:`\sigma`) sum without any rounding, in any
    order. Returns :math:`\sum_j q_j` (kept axis) and the :math:`r_j` (one new array)."""
    n = x.shape[-1]
    exponent = np.frexp(bound)[1] + math.ceil(math.log2(n + 2))
    sigma = np.ldexp(1.0, exponent)
    buffer = sigma + x
    buffer -= sigma
    exact = np.sum(buffer, axis=-1, keepdims=True)
    np.subtract(x, buffer, out=buffer)
    return exact, buffer


def _max_magnitude(x: Array) -> Array:
    return np.maximum(np.max(x, axis=-1, keepdims=True), -np.min(x, axis=-1, keepdims=True))


def accurate_sum_parts(x: Array) -> tuple[Array, Array]:
    r"""The sum along the last axis (kept) as an unevaluated pair :math:`s + e`, accurate to
    about :math:`\varepsilon^2 \sum_j |x_j|`: the terms are split by :func:`_extract` (twice
    for more than :math:`2^{16}` terms) into parts that sum exactly and a remainder
    :math:`\le (n+2)\, \varepsilon \max_j |x_j|` in size, summed by ``numpy.sum``. The
    result does not depend on the memory layout (NumPy's own pairwise summation applies only
    along the contiguous axis). Infinities and NaN propagate as in ``numpy.sum``.

    >>> s, e = accurate_sum_parts(np.array([1.0, 2.0 ** -60, 2.0 ** -60]))
    >>> s.tolist(), e.tolist()
    ([1.0], [1.734723475976807e-18])
    """
    x = np.asarray(x, dtype=np.float64)
    bound = _max_magnitude(x) if x.shape[-1] else np.zeros(x.shape[:-1] + (1,))
    if not np.all(np.isfinite(bound) & (bound < 2.0 ** 1000)):
        plain = np.sum(x, axis=-1, keepdims=True)
        return plain, np.zeros_like(plain)
    exact = []
    for _ in range(1 if x.shape[-1] <= 2 ** 16 else 2):
        total, x = _extract(x, bound)
        exact.append(total)
        bound = _max_magnitude(x)
    rest = np.sum(x, axis=-1, keepdims=True)
    if len(exact) == 2:
        rest = rest + exact.pop()
    return two_sum(exact[0], rest)


def accurate_sum(x: Array) -> Array:
    r""":math:`\sum_j x_j` along the last axis (kept, length 1), as a pairwise sum with every
    rounding error captured by :func:`two_sum` and added back: the result is within about one
    rounding of the exact sum of the :math:`x_j` along *any* axis (NumPy's own pairwise
    summation applies only along the contiguous axis). Infinities and NaN propagate as in
    ``numpy.sum``.

    >>> accurate_sum(np.array([1.0, 1e-17, -1.0])).tolist()
    [1e-17]
    """
    total, error = accurate_sum_parts(x)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(total), total + error, total)


def sum_along(x: Array, axis: int) -> Array:
    """:func:`accurate_sum` along ``axis`` (kept, length 1).

    >>> sum_along(np.ones((2, 3)), -2).tolist()
    [[2.0, 2.0, 2.0]]
    """
    if axis in (-1, np.ndim(x) - 1):
        return accurate_sum(x)
    return np.moveaxis(accurate_sum(np.moveaxis(x, axis, -1)), -1, axis)


def sum_all(x: Array) -> Array:
    """:func:`accurate_sum` over every element (a 0-d array).

    >>> float(sum_all(np.full((3, 4), 0.1)))
    1.2000000000000002
    """
    return accurate_sum(np.reshape(x, (1, -1)))[0, 0]


# --------------------------------------------------------------------------------------------
# Elementwise terms
# --------------------------------------------------------------------------------------------

def xlogy(x: Array, y: Array) -> Array:
    r""":math:`x \log y`, with :math:`0 \log y = 0` for every non-NaN :math:`y` (so
    :math:`0 \log 0 = 0`), as ``scipy.special.xlogy``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _zero_where_x_is_zero(_times(x, np.log(y)), x, y)


def _times(x: Array, values: Array) -> Array:
    """``x * values``, in place in the temporary ``values`` when the shapes allow."""
    if np.shape(values) == np.broadcast_shapes(np.shape(x), np.shape(values)):
        values *= x
        return values
    return x * values


def _zero_where_x_is_zero(product: Array, x: Array, y: Array) -> Array:
    """``product`` with 0 where ``x == 0`` and ``y`` is not NaN (only if there are any)."""
    zero = x == 0
    if not np.any(zero):
        return product
    return np.where(zero & ~np.isnan(y), 0.0, product)


def xlog1py(x: Array, y: Array) -> Array:
    r""":math:`x \log(1 + y)` through ``log1p``, with :math:`0 \log(1 + y) = 0` for every
    non-NaN :math:`y`, as ``scipy.special.xlog1py``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _zero_where_x_is_zero(_times(x, np.log1p(y)), x, y)


def rel_entr(p: Array, q: Array, difference: Array) -> Array:
    r"""The KL term :math:`p \log(p / q)`, given also :math:`d = p - q` written without
    cancellation (the rewrite pass supplies it from the symbolic form, e.g.
    :math:`(p - q)/2` for the JS mixture).

    .. math:: p \log \frac{p}{q} =
              \begin{cases}
              p \operatorname{log1p}(d / q) & q/2 \le p \le 2q \text{ (no cancellation near } p = q)\\
              p \log(p / q) & \text{otherwise, } p/q \text{ normal} \\
              p (\log p - \log q) & p/q \text{ subnormal or overflowing}
              \end{cases}

    with :math:`0 \log(0/q) = 0` for :math:`q \ge 0` and :math:`+\infty` for :math:`p > 0 = q`
    or a negative argument (SciPy's ``rel_entr``).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = p / q
        near = (ratio >= 0.5) & (ratio <= 2.0)
        log_ratio = np.where(near, np.log1p(difference / q), np.log(ratio))
        extreme = ~(ratio >= _TINY) | (ratio == np.inf)
        if np.any(extreme):
            pe = np.broadcast_to(p, log_ratio.shape)[extreme]
            qe = np.broadcast_to(q, log_ratio.shape)[extreme]
            log_ratio[extreme] = np.log(pe) - np.log(qe)
        term = p * log_ratio
    if np.all((p > 0) & (q > 0)):
        return term
    term = np.where((p > 0) & (q == 0), np.inf, term)
    term = np.where((p == 0) & (q >= 0), 0.0, term)
    return np.where((p < 0) | (q < 0), np.inf, term)


_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits: e * _LN2_HI is exact for |e| < 2^21
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_SPLITTER = 134217729.0  # 2^27 + 1 (Dekker)


def _two_product(a: Array, b: Array) -> tuple[Array, Array]:
    r"""Dekker's TwoProduct without FMA: :math:`p = \mathrm{fl}(ab)` and :math:`e = ab - p`."""
    p = a * b
    ca, cb = _SPLITTER * a, _SPLITTER * b
    a_hi, b_hi = ca - (ca - a), cb - (cb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def exp_xlogy_sum(x: Array, y: Array, sign: float) -> Array:
    r""":math:`\exp(\pm \sum_j x_j \log y_j)` along the last axis (kept), e.g. the perplexity
    :math:`e^{H(P, Q)}`. The exponential turns the *absolute* error of its argument into a
    relative error, so the sum is carried in double-double: :math:`\log y = e \ln 2 +
    \log m` (:math:`y = m\,2^{e}`, :math:`m \in [1/\sqrt2, \sqrt2)`) with :math:`\ln 2`
    split in two, :math:`x\, e \ln 2` by TwoProduct and the sums by
    :func:`accurate_sum_parts`; then
    :math:`e^{s + e} = e^{s}(1 + e)`. Terms follow :func:`xlogy` (:math:`0 \log 0 = 0`)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        m, e = np.frexp(y)
        low = m < np.sqrt(0.5)
        m, e = np.where(low, 2 * m, m), np.where(low, e - 1, e).astype(np.float64)
        hi, hi_error = _two_product(x, e * _LN2_HI)
        hi_error += x * (e * _LN2_LO)
        hi_error += x * np.log(m)  # |x log m| <= 0.35 x: its rounding is below ulp(x)/5
        zero = (x == 0) & ~np.isnan(y)
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        total, error = accurate_sum_parts(np.where(zero, 0.0, np.broadcast_to(hi, shape)))
        rest, rest_error = accurate_sum_parts(np.where(zero, 0.0,
                                                       np.broadcast_to(hi_error, shape)))
        total, carried = two_sum(total, rest)
        error = error + (carried + rest_error)  # |error| <= ulp(total): e^error = 1 + error
        result = np.exp(sign * total) * (1.0 + sign * error)
        if not np.all(np.isfinite(result)):  # infinite terms (y = 0 < x), NaN, overflow
            plain = np.exp(sign * accurate_sum(xlogy(x, y)))
            result = np.where(np.isfinite(result), result, plain)
    return result


def softplus(x: Array) -> Array:
    r""":math:`\log(1 + e^{x}) = \max(x, 0) + \operatorname{log1p}(e^{-|x|})`: never overflows,
    and keeps full relative precision for large negative :math:`x` (where it is
    :math:`\approx e^{x}`)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x: Array) -> Array:
    r""":math:`\sigma(x) = 1 / (1 + e^{-x})`, as :math:`e^{x} / (1 + e^{x})` for :math:`x < 0`
    so that no :math:`e^{|x|}` overflows and small values keep their relative precision."""
    t = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


# --------------------------------------------------------------------------------------------
# Softmax family: reductions along the last axis with a compensated max shift
# --------------------------------------------------------------------------------------------

def _shifted(z: Array) -> tuple[Array, Array, Array, Array]:
    r"""The shift by the max :math:`m`: :math:`d_j + e_j = z_j - m` exactly (TwoSum, done in
    place; :math:`e_j = 0` where not finite), :math:`w_j = e^{d_j}(1 + e_j) \approx
    e^{z_j - m}`, and :math:`s = \sum_j w_j - 1`, the sum without one maximal entry (whose
    :math:`w` is exactly 1), so that the normaliser is :math:`1 + s` with :math:`s` exact to
    the last bit even when it is :math:`10^{-43}`."""
    m = np.max(z, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", under="ignore", over="ignore"):
        d = z - m
        virtual = d - z
        e = d - virtual
        np.subtract(z, e, out=e)
        virtual += m
        e -= virtual  # (z - (d - (d - z))) + (-m - (d - z))
        del virtual
        if not np.all(np.isfinite(e)):
            e = np.where(np.isfinite(e), e, 0.0)
        w = np.exp(d)
        w += w * e
    total, error = accurate_sum_parts(w)
    return d, e, w, (total - 1.0) + error


def _shifted_entry(a: Array, m: Array) -> tuple[Array, Array]:
    """``a - m`` and its rounding error (zero where not finite)."""
    with np.errstate(invalid="ignore"):
        d, e = two_sum(a, -m)
    return d, np.where(np.isfinite(e), e, 0.0)


def logsumexp(z: Array) -> Array:
    r""":math:`\log \sum_j e^{z_j} = m + \operatorname{log1p}(\sum_{j \ne j^*} e^{z_j - m})`,
    :math:`m = z_{j^*} = \max_j z_j`."""
    _, _, _, s = _shifted(z)
    return np.max(z, axis=-1, keepdims=True) + np.log1p(s)


def log_softmax(a: Array, z: Array) -> Array:
    r""":math:`\log \frac{e^{a}}{\sum_j e^{z_j}} = (a - m) - \operatorname{log1p}(s)`, with
    :math:`s = \sum_{j \ne j^*} e^{z_j - m}`: both parts are :math:`\le 0`, so nothing cancels,
    and at a dominant maximum the result is the tiny :math:`-\operatorname{log1p}(s)` instead of
    0. The rounding error of :math:`a - m` is added back."""
    d, e, _, s = _shifted(z)
    if a is not z:
        d, e = _shifted_entry(a, np.max(z, axis=-1, keepdims=True))
    return (d - np.log1p(s)) + e


def softmax(a: Array, z: Array) -> Array:
    r""":math:`\frac{e^{a}}{\sum_j e^{z_j}} = \frac{e^{a - m}}{1 + s}`, with the rounding error
    :math:`e` of :math:`a - m` compensated (:math:`e^{d+e} \approx e^{d} + e^{d} e`), which
    matters behind a gap of hundreds where :math:`e` alone is hundreds of ULPs."""
    _, _, w, s = _shifted(z)
    if a is not z:
        d, e = _shifted_entry(a, np.max(z, axis=-1, keepdims=True))
        with np.errstate(under="ignore"):
            w = np.exp(d)
            w += w * e
    return w / (1.0 + s)


def softmax_minus_onehot(label: Array, z: Array) -> Array:
    r""":math:`\mathrm{softmax}(z)_k - [k = c]`, with the entry at the label written as
    :math:`-\sum_{j \ne c} \mathrm{softmax}(z)_j` (as :math:`\sum_j \mathrm{softmax}(z)_j = 1`),
    a sum of non-negative terms, instead of the cancelling :math:`\mathrm{softmax}(z)_c - 1`."""
    probabilities = softmax(z, z)
    at_label = np.zeros(probabilities.shape, dtype=bool)
    np.put_along_axis(at_label, np.asarray(label)[..., None], True, axis=-1)
    others = accurate_sum(np.where(at_label, 0.0, probabilities))
    return np.where(at_label, -others, probabilities)


def gather(z: Array, label: Array) -> Array:
    """The entries ``z[..., label]`` along the last axis (kept, length 1)."""
    index = np.asarray(label)
    if not np.issubdtype(index.dtype, np.integer):
        raise TypeError(f"labels must be integers, not {index.dtype}")
    k = z.shape[-1]
    if index.size and (index.min() < 0 or index.max() >= k):
        raise ValueError(f"labels must lie in [0, {k}) for {k} classes; got values from "
                         f"{index.min()} to {index.max()}")
    index = np.broadcast_to(index[..., None], np.broadcast_shapes(z.shape[:-1], index.shape)
                            + (1,))
    return np.take_along_axis(np.broadcast_to(z, index.shape[:-1] + (k,)), index, axis=-1)
