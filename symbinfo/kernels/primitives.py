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
from collections.abc import Callable

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


def broadcast_readonly(*arrays: Array) -> list[Array]:
    """The arrays broadcast together, as read-only views (``numpy.broadcast_arrays`` gives
    views that warn when written to, and numba's check of them warns too)."""
    shape = np.broadcast_shapes(*[np.shape(a) for a in arrays])
    return [np.broadcast_to(a, shape) for a in arrays]


def _max_magnitude(x: Array) -> Array:
    return np.maximum(np.max(x, axis=-1, keepdims=True), -np.min(x, axis=-1, keepdims=True))


BLOCK_ELEMENTS = 1 << 16
"""About how many elements one NumPy pass of a kernel works on: few enough for the temporaries
to stay in the processor's cache (NumPy evaluates an expression one operation at a time, each a
pass over its operands), enough for NumPy's per-call overhead not to matter. Kernels run on
blocks of samples of this size, and long sums on chunks of this size, so their extra memory is
a few blocks beyond the output."""


def _sum_parts(x: Array) -> tuple[Array, Array]:
    """:func:`accurate_sum_parts` of one chunk (see there)."""
    if not x.shape[-1]:  # empty rows
        zero = np.zeros(x.shape[:-1] + (1,))
        return zero, zero.copy()
    bound = _max_magnitude(x)
    if not np.all(np.isfinite(bound) & (bound < 2.0 ** 1000)):
        plain = np.sum(x, axis=-1, keepdims=True)
        return plain, np.zeros_like(plain)
    exact, x = _extract(x, bound)
    if x.shape[-1] > 2 ** 16:  # a second extraction, so that the remainders sum accurately
        second, x = _extract(x, _max_magnitude(x))
        return two_sum(exact, np.sum(x, axis=-1, keepdims=True) + second)
    return two_sum(exact, np.sum(x, axis=-1, keepdims=True))


def sum_parts_of_terms(terms: Callable[..., Array], *arrays: Array,
                       terms_per_entry: int = 1) -> tuple[Array, Array]:
    r"""The sum along the last axis (kept) of ``terms(*arrays)``, an elementwise function of
    the arrays, as an unevaluated pair :math:`s + e` (:func:`accurate_sum_parts`). Long rows
    are cut into chunks of about :data:`BLOCK_ELEMENTS` elements: the terms of one chunk are
    computed and summed while they are in cache, and the chunks' pairs are summed accurately
    at the end, so no array of all the terms is ever made.

    ``terms_per_entry``: how many terms ``terms`` gives for each entry (side by side along the
    last axis); chunks take that many times fewer entries.

    >>> s, e = sum_parts_of_terms(np.square, np.full(10 ** 6, 0.1))
    >>> float(s[0] + e[0])
    10000.000000000002
    """
    arrays = np.broadcast_arrays(*arrays)
    shape = arrays[0].shape
    if _in_one_chunk(shape, terms_per_entry):
        return _sum_parts(np.asarray(terms(*arrays), dtype=np.float64))
    width = _chunk_width(shape, terms_per_entry)
    return _sum_of_pairs([_sum_parts(np.asarray(terms(*[a[..., start:start + width]
                                                          for a in arrays]), dtype=np.float64))
                          for start in range(0, shape[-1], width)])


def _chunk_width(shape: tuple[int, ...], terms_per_entry: int = 1) -> int:
    """How many entries of each row one chunk of :func:`sum_parts_of_terms` takes."""
    return max(BLOCK_ELEMENTS // max(math.prod(shape[:-1]), 1), 1024) // terms_per_entry


def _in_one_chunk(shape: tuple[int, ...], terms_per_entry: int = 1) -> bool:
    """Whether :func:`sum_parts_of_terms` sums rows of this shape in one chunk."""
    return shape[-1] <= 2 * _chunk_width(shape, terms_per_entry)


def _sum_of_pairs(pairs: list[tuple[Array, Array]]) -> tuple[Array, Array]:
    """The accurate sum of the chunks' :math:`(s, e)` pairs (the pair itself for one chunk)."""
    if len(pairs) == 1:
        return pairs[0]
    return _sum_parts(np.concatenate([part for pair in pairs for part in pair], axis=-1))


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
    return sum_parts_of_terms(_identity, np.asarray(x, dtype=np.float64))


def _identity(x: Array) -> Array:
    return x


def accurate_sum(x: Array) -> Array:
    r""":math:`\sum_j x_j` along the last axis (kept, length 1), within about one rounding of
    the exact sum (:func:`accurate_sum_parts`) along *any* axis (NumPy's own pairwise summation
    applies only along the contiguous axis). Infinities and NaN propagate as in ``numpy.sum``.

    >>> accurate_sum(np.array([1.0, 1e-17, -1.0])).tolist()
    [1e-17]
    """
    return _evaluated(*accurate_sum_parts(x))


def sum_terms(terms: Callable[..., Array], *arrays: Array, axes: int = 1) -> Array:
    r""":math:`\sum_j t_j` along the last axis (or the last two, ``axes=2``; kept) of the
    elementwise terms :math:`t = ` ``terms(*arrays)``, computed chunk by chunk
    (:func:`sum_parts_of_terms`, :func:`_table_sum_parts`): the printer's form of a sum whose
    summand is elementwise, such as :math:`-\sum_i p_i \log p_i`.

    >>> sum_terms(np.multiply, np.array([1.0, 2.0]), np.array([3.0, 4.0])).tolist()
    [11.0]
    >>> sum_terms(np.multiply, np.ones((2, 2)), np.array([[1.0], [2.0]]), axes=2).tolist()
    [[6.0]]
    """
    if axes == 2:
        return _evaluated(*_table_sum_parts(terms, *arrays))
    return _evaluated(*sum_parts_of_terms(terms, *arrays))


def _table_sum_parts(terms: Callable[..., Array], *arrays: Array) -> tuple[Array, Array]:
    """:func:`sum_parts_of_terms` over the last two axes (both kept): the terms of blocks of
    rows (axis -2) of about :data:`BLOCK_ELEMENTS` entries, each block's terms summed as one
    row, and the blocks' pairs summed accurately at the end."""
    arrays = np.broadcast_arrays(*arrays)
    shape = arrays[0].shape
    rows = max(BLOCK_ELEMENTS // max(math.prod(shape[:-2]) * shape[-1], 1), 1)
    parts = []
    for start in range(0, max(shape[-2], 1), rows):
        block = np.asarray(terms(*[a[..., start:start + rows, :] for a in arrays]),
                           dtype=np.float64)
        parts.append(_sum_parts(block.reshape(block.shape[:-2] + (-1,))))
    total, error = _sum_of_pairs(parts)
    return total[..., None], error[..., None]


def _evaluated(total: Array, error: Array) -> Array:
    """``total + error``, or ``total`` where it is not finite."""
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

    With :math:`r = \mathrm{fl}(p/q) = \frac{p}{q}(1 + \delta)`, :math:`|\delta| \le
    2^{-53}`:

    .. math:: p \log \frac{p}{q} = p \log r - p \log(1 + \delta)
              \approx p \log r + (p - q r), \qquad p - q r = d - q (r - 1),

    one logarithm per term. Near :math:`p = q` the rounding :math:`\delta` is as large as
    the term itself, and the correction :math:`p - qr` restores it: for
    :math:`\tfrac12 \le r \le 2`, :math:`r - 1` is exact (Sterbenz) and
    :math:`d - q(r - 1)` is exact but for :math:`\varepsilon |d|`, which is within a few
    rounding errors of the term. Below :math:`r = \tfrac12` the term is at least
    :math:`0.69\, p` in size and needs no correction; where :math:`p/q` is subnormal or
    overflows it is :math:`p (\log p - \log q)`. :math:`0 \log(0/q) = 0` for :math:`q \ge 0`,
    and :math:`+\infty` for :math:`p > 0 = q` or a negative argument (SciPy's ``rel_entr``).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        shape = np.broadcast_shapes(np.shape(p), np.shape(q), np.shape(difference))
        ratio = np.divide(p, q, out=np.empty(shape))
        term = np.log(ratio, out=np.empty(shape))
        np.multiply(term, p, out=term)
        corrected = ratio >= 0.5
        normal = np.min(ratio, initial=np.inf) >= _TINY and np.max(ratio, initial=0.0) < np.inf
        extreme = None if normal else ~(ratio >= _TINY) | (ratio == np.inf)
        correction = ratio  # the ratio's memory from here on
        correction -= 1.0
        np.multiply(correction, q, out=correction)
        np.subtract(difference, correction, out=correction)
        correction *= corrected  # (a multiplication is faster than a masked copy)
        np.add(term, correction, out=term)
        del ratio, correction
        if extreme is not None:
            pe = np.broadcast_to(p, term.shape)[extreme]
            qe = np.broadcast_to(q, term.shape)[extreme]
            term[extreme] = pe * (np.log(pe) - np.log(qe))
    if np.min(p, initial=np.inf) > 0 and np.min(q, initial=np.inf) > 0:
        return term
    term = np.where((p > 0) & (q == 0), np.inf, term)
    term = np.where((p == 0) & (q >= 0), 0.0, term)
    return np.where((p < 0) | (q < 0), np.inf, term)


_LN2 = 0.6931471805599453  # ln 2 rounded to float64
_LN2_LO = 2.3190468138462996e-17  # ln 2 - _LN2
_SPLITTER = 134217729.0  # 2^27 + 1: Dekker's split of a float64 into two 26-bit halves
_EXPONENT_SPLITTER = 2049.0  # 2^11 + 1: splits x into x_hi (42 bits) + x_lo (11 bits)
_SQRT_HALF = math.sqrt(0.5)


def _two_product(a: Array, b: Array) -> tuple[Array, Array]:
    r"""Dekker's TwoProduct without FMA: :math:`p = \mathrm{fl}(ab)` and :math:`e = ab - p`."""
    p = a * b
    ca, cb = _SPLITTER * a, _SPLITTER * b
    a_hi, b_hi = ca - (ca - a), cb - (cb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _xlog2y_terms(x: Array, y: Array) -> Array:
    r"""Terms whose sum along the last axis is :math:`\sum_j x_j \log_2 y_j` with no rounding
    but that of :math:`x_j \log_2 m_j`, where :math:`y = m\, 2^{E}`,
    :math:`m \in [1/\sqrt2, \sqrt2)`: the integer part :math:`x E` as two exact products
    (:math:`x = x_{hi} + x_{lo}`, :math:`x_{hi}` of 42 bits, and :math:`|E| < 2^{11}`), and
    :math:`x \log_2 m` (:math:`|\log_2 m| \le \tfrac12`), side by side along the last
    axis (three times its length). :math:`0 \log 0 = 0` as in :func:`xlogy`."""
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    x = np.broadcast_to(x, shape)
    mantissa, exponent = np.frexp(np.broadcast_to(y, shape))
    low = (mantissa < _SQRT_HALF).astype(np.float64)  # arithmetic: faster than where=
    e = exponent.astype(np.float64)
    e -= low
    low *= mantissa
    mantissa += low
    n = shape[-1]
    terms = np.empty(shape[:-1] + (3 * n,))
    high, low_part, fraction = terms[..., :n], terms[..., n:2 * n], terms[..., 2 * n:]
    np.multiply(x, _EXPONENT_SPLITTER, out=high)
    np.subtract(high, x, out=low_part)
    np.subtract(high, low_part, out=high)  # x_hi: x rounded to 42 bits
    np.subtract(x, high, out=low_part)  # x_lo, exact
    high *= e
    low_part *= e
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log2(mantissa, out=fraction)
    fraction *= x
    if not np.all(x):
        zero = (x == 0) & ~np.isnan(y)
        for part in (high, low_part, fraction):
            np.copyto(part, 0.0, where=zero)
    return terms


def exp_xlogy_sum(x: Array, y: Array, sign: float) -> Array:
    r""":math:`\exp(\pm \sum_j x_j \log y_j)` along the last axis (kept), e.g. the perplexity
    :math:`e^{H(P, Q)}`. The exponential turns the *absolute* error of its argument into a
    relative error (a float64 :math:`H = 690` alone is uncertain by :math:`5.7 \cdot
    10^{-14}`, 256 ULPs of :math:`e^{H}`), so the sum is carried in double-double:
    :math:`A = \sum_j x_j \log_2 y_j` from the terms of :func:`_xlog2y_terms` summed by
    :func:`sum_parts_of_terms` into :math:`s + e`, then :math:`A \ln 2` by TwoProduct with
    :math:`\ln 2` in two parts, and :math:`e^{h + h'} = e^{h}(1 + h')`."""
    with np.errstate(invalid="ignore", over="ignore"):
        total, error = sum_parts_of_terms(_xlog2y_terms, x, y, terms_per_entry=3)
        exponent, exponent_error = _two_product(total, np.float64(_LN2))
        exponent_error += total * _LN2_LO + error * _LN2
        result = np.exp(sign * exponent) * (1.0 + sign * exponent_error)
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
    reciprocal = 1.0 / (1.0 + t)
    return np.where(x >= 0, reciprocal, t * reciprocal)


# --------------------------------------------------------------------------------------------
# Softmax family: reductions along the last axis with a compensated max shift
# --------------------------------------------------------------------------------------------

def _shift(a: Array, m: Array) -> tuple[Array, Array]:
    r"""The shift by the max, :math:`d + e = a - m` exactly (TwoSum, in place), with
    :math:`e = 0` where :math:`a` or :math:`m` is not finite."""
    with np.errstate(invalid="ignore"):
        d = a - m
        virtual = d - a
        e = d - virtual
        np.subtract(a, e, out=e)
        virtual += m
        e -= virtual  # (a - (d - (d - a))) + (-m - (d - a))
    if not (np.all(np.isfinite(m)) and np.min(a, initial=0.0) > -np.inf):
        e = np.where(np.isfinite(e), e, 0.0)
    return d, e


def _weights(d: Array, e: Array) -> Array:
    r""":math:`w = e^{d}(1 + e) \approx e^{d + e}`: the rounding error :math:`e` of the shift,
    which behind a gap of hundreds is hundreds of ULPs of :math:`w` alone, compensated."""
    with np.errstate(under="ignore"):
        w = np.exp(d)
        e = e * w
        w += e
    return w


def _excess(z: Array, m: Array, weights: Array | None = None) -> Array:
    r""":math:`s = \sum_j e^{z_j - m} - 1`, the normaliser without one maximal entry (whose
    weight is exactly 1), so that the normaliser :math:`1 + s` is exact to the last bit of
    :math:`s` even when :math:`s = 10^{-43}`. From the ``weights`` if given, else chunk by chunk
    (:func:`sum_parts_of_terms`) without keeping them."""
    if weights is None:
        total, error = sum_parts_of_terms(lambda chunk: _weights(*_shift(chunk, m)), z)
    else:
        total, error = accurate_sum_parts(weights)
    return (total - 1.0) + error


def logsumexp(z: Array) -> Array:
    r""":math:`\log \sum_j e^{z_j} = m + \operatorname{log1p}(\sum_{j \ne j^*} e^{z_j - m})`,
    :math:`m = z_{j^*} = \max_j z_j`."""
    m = np.max(z, axis=-1, keepdims=True, initial=-np.inf)  # -inf: an empty row
    with np.errstate(divide="ignore"):  # an empty row: log 0 = -inf
        return m + np.log1p(_excess(z, m))


def log_softmax(a: Array, z: Array) -> Array:
    r""":math:`\log \frac{e^{a}}{\sum_j e^{z_j}} = (a - m) - \operatorname{log1p}(s)`, with
    :math:`s = \sum_{j \ne j^*} e^{z_j - m}`: both parts are :math:`\le 0`, so nothing cancels,
    and at a dominant maximum the result is the tiny :math:`-\operatorname{log1p}(s)` instead of
    0. The rounding error of :math:`a - m` is added back."""
    m = np.max(z, axis=-1, keepdims=True, initial=-np.inf)  # -inf: an empty row
    d, e = _shift(a, m)
    if a is z and _in_one_chunk(z.shape):  # the weights from this shift, not a second one
        s = _excess(z, m, weights=_weights(d, e))
    else:
        s = _excess(z, m)
    with np.errstate(divide="ignore"):  # an empty row: log 0 = -inf
        d -= np.log1p(s)
    d += e
    return d


def softmax(a: Array, z: Array) -> Array:
    r""":math:`\frac{e^{a}}{\sum_j e^{z_j}} = \frac{e^{a - m}}{1 + s}`, with the rounding error
    :math:`e` of :math:`a - m` compensated (:math:`e^{d+e} \approx e^{d} + e^{d} e`), which
    matters behind a gap of hundreds where :math:`e` alone is hundreds of ULPs."""
    m = np.max(z, axis=-1, keepdims=True, initial=-np.inf)  # -inf: an empty row
    w = _weights(*_shift(a, m))
    w /= 1.0 + _excess(z, m, weights=w if a is z else None)
    return w


def softmax_minus_onehot(label: Array, z: Array) -> Array:
    r""":math:`\mathrm{softmax}(z)_k - [k = c]`, with the entry at the label written as
    :math:`-\sum_{j \ne c} \mathrm{softmax}(z)_j` (as :math:`\sum_j \mathrm{softmax}(z)_j = 1`),
    a sum of non-negative terms, instead of the cancelling :math:`\mathrm{softmax}(z)_c - 1`.

    With the weights :math:`w_j = e^{z_j - m}` summed accurately to :math:`S + E`,
    :math:`\sum_{j \ne c} w_j = (S - w_c) + E`, where :math:`S - w_c` is exact when
    :math:`w_c \ge S/2` (Sterbenz): exactly where :math:`\mathrm{softmax}(z)_c - 1` would
    cancel."""
    m = np.max(z, axis=-1, keepdims=True, initial=-np.inf)
    w = _weights(*_shift(z, m))
    total, error = accurate_sum_parts(w)
    at_label = gather(w, label)
    others = (total - at_label) + error
    normaliser = 1.0 + ((total - 1.0) + error)  # as in softmax: 1 + s
    w /= normaliser
    others /= normaliser
    index = np.broadcast_to(np.asarray(label)[..., None], at_label.shape)
    np.put_along_axis(w, index, -others, axis=-1)
    return w


def checked_labels(label: Array, k: int) -> NDArray[np.integer]:
    """``label`` as an integer array, refused unless every entry is a class of ``k``."""
    index = np.asarray(label)
    if not np.issubdtype(index.dtype, np.integer):
        raise TypeError(f"labels must be integers, not {index.dtype}")
    if index.size and (index.min() < 0 or index.max() >= k):
        raise ValueError(f"labels must lie in [0, {k}) for {k} classes; got values from "
                         f"{index.min()} to {index.max()}")
    return index


def gather(z: Array, label: Array) -> Array:
    """The entries ``z[..., label]`` along the last axis (kept, length 1)."""
    k = z.shape[-1]
    index = checked_labels(label, k)
    index = np.broadcast_to(index[..., None], np.broadcast_shapes(z.shape[:-1], index.shape)
                            + (1,))
    return np.take_along_axis(np.broadcast_to(z, index.shape[:-1] + (k,)), index, axis=-1)


# --------------------------------------------------------------------------------------------
# KL divergence as a sum of non-negative terms (exactly normalised inputs)
# --------------------------------------------------------------------------------------------

_LN2_HI32 = 6.93147180369123816490e-01
"""ln 2 rounded to 32 bits (its last 21 bits are zero, fdlibm's ``ln2_hi``): ``k * _LN2_HI32``
is exact for every integer :math:`|k| < 2^{21}`."""
_LN2_HI32_LO = 1.90821492927058770002e-10
"""ln 2 - :data:`_LN2_HI32` (to about :math:`10^{-26}`)."""
_SQRT_TWO = math.sqrt(2.0)
_UNIT_ROUNDOFF = 2.0 ** -53


def _kl_div_series_coefficients(count: int) -> Array:
    r"""The coefficients :math:`h_k` of :math:`H(s) = \sum_k h_k s^k` with
    :math:`(1 + s)\operatorname{atanh}(s) - s = s^2 (1 + s H(s))`, i.e.
    :math:`\tfrac13, \tfrac13, \tfrac15, \tfrac15, \tfrac17, \dots`, highest first (Horner)."""
    return np.array([1.0 / (2 * ((k + 2) // 2) + 1) for k in range(count)][::-1])


_KL_DIV_SERIES = _kl_div_series_coefficients(40)
r"""40 terms: :math:`|s| \le \tfrac13` leaves a remainder below :math:`3^{-41} < 10^{-19}`
of :math:`sH(s)` (and :math:`|sH(s)| \le 0.17`)."""


def _kl_div_near(p: Array, q: Array) -> Array:
    r""":math:`\psi(p, q) = p \log(p/q) - p + q` for :math:`\tfrac12 q \le p \le 2q`, from the
    series in :math:`s = (p - q)/(p + q)`, :math:`|s| \le \tfrac13`:

    .. math:: \psi = (p + q)\,[(1 + s)\operatorname{atanh}(s) - s] = d s\,(1 + s H(s)),
              \qquad d = p - q,

    a product of factors that do not cancel. :math:`d` is exact (Sterbenz); :math:`s` and
    :math:`ds` are carried in double-double (TwoSum of :math:`p + q`, TwoProduct), so the only
    roundings of size :math:`\varepsilon\psi` are the final addition and those of
    :math:`sH(s)`, whose weight is :math:`|sH| \le 0.17`: :math:`\psi` to about one rounding."""
    d = p - q
    sigma, tau = two_sum(p, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = d / sigma
        high, low = _two_product(s, sigma)
        s_low = (((d - high) - low) - s * tau) / sigma
    product, product_low = _two_product(d, s)
    product_low += d * s_low
    series = np.full_like(s, _KL_DIV_SERIES[0])
    for coefficient in _KL_DIV_SERIES[1:]:
        series *= s
        series += coefficient
    series *= s  # s H(s)
    return product + (product_low + (product + product_low) * series)


def _kl_div_far(p: Array, q: Array) -> Array:
    r""":math:`\psi(p, q) = p \log(p/q) - (p - q)` for :math:`p, q > 0` with :math:`p/q` outside
    :math:`[\tfrac12, 2]`, with :math:`\log(p/q)` in double-double: :math:`p = m_p 2^{e_p}`,
    :math:`q = m_q 2^{e_q}`, :math:`\log(p/q) = k \ln 2 + \ell` with :math:`k` an integer and
    :math:`\ell = \operatorname{log1p}(t)`, :math:`t = (m_p - m_q)/m_q`, the mantissas scaled so
    that :math:`m_p / m_q \in [1/\sqrt2, \sqrt2]` (so :math:`m_p - m_q` is exact, :math:`t` is
    carried with its remainder). :math:`p k \ln 2` is an exact TwoProduct with the 32-bit
    :math:`\ln 2` plus :math:`p k (\ln 2)_{lo}`, and :math:`p - q` and the leading difference
    are TwoSums, so the roundings of size :math:`\varepsilon\psi` are the final addition and
    those of :math:`p\ell`, whose weight :math:`p|\ell|/\psi` is at most 0.9 here."""
    mp, ep = np.frexp(p)
    mq, eq = np.frexp(q)
    k = (ep - eq).astype(np.float64)
    up = mp >= _SQRT_TWO * mq
    mq = np.where(up, 2.0 * mq, mq)
    k += up
    down = _SQRT_TWO * mp < mq
    mp = np.where(down, 2.0 * mp, mp)
    k -= down
    difference = mp - mq
    t = difference / mq
    high, low = _two_product(t, mq)
    t_low = ((difference - high) - low) / mq
    ell, ell_low = np.log1p(t), t_low / (1.0 + t)
    a, a_low = _two_product(p, k * _LN2_HI32)
    a_low += p * (k * _LN2_HI32_LO)
    d, d_low = two_sum(p, -q)
    e, e_low = two_sum(a, -d)
    b, b_low = _two_product(p, ell)
    total, total_low = two_sum(e, b)
    return total + ((total_low + e_low) + ((a_low - d_low) + (b_low + p * ell_low)))


def kl_div(p: Array, q: Array) -> Array:
    r""":math:`\psi(p, q) = p \log(p/q) - p + q \ge 0`, SciPy's ``kl_div``, to about one
    rounding of :math:`\psi` itself (SciPy's cancels near :math:`p = q`: it returns 0 where
    the truth is :math:`2.5 \cdot 10^{-19}`). :math:`\psi(0, q) = q` for :math:`q \ge 0`,
    :math:`+\infty` for :math:`p > 0 = q` or a negative argument, NaN for NaN. Near
    :math:`p = q` by :func:`_kl_div_near`, elsewhere by :func:`_kl_div_far`; both are
    evaluated only on the elements they serve.

    >>> kl_div(np.array([0.5, 0.0, 1.0]), np.array([0.5 * (1 + 2.0 ** -30), 0.25, 0.0])).tolist()
    [2.1684043436246863e-19, 0.25, inf]
    """
    p, q = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))
    result = np.where(p == 0, np.where(q >= 0, q, np.inf), np.inf)
    result[np.isnan(p) | np.isnan(q)] = np.nan
    positive = (p > 0) & (q > 0) & (p < np.inf) & (q < np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        near = positive & (p >= 0.5 * q) & (p <= 2.0 * q)
    far = positive & ~near
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        if np.any(near):
            result[near] = _kl_div_near(p[near], q[near])
        if np.any(far):
            result[far] = _kl_div_far(p[far], q[far])
    return result


def _row_sums(x: Array, ones: Array | None = None) -> Array:
    r"""The sums along the last axis (kept) by a matrix-vector product with ``ones`` (BLAS: far
    faster than ``numpy.sum`` along short rows). Any order of additions: exact where all
    partial sums are representable, and within :math:`(m - 1)\,2^{-53} \sum |x|` always."""
    return (x @ (np.ones(x.shape[-1]) if ones is None else ones))[..., None]


def _global_magnitude(*arrays: Array) -> float:
    """The largest magnitude in ``arrays`` (NaN if there is a NaN)."""
    return max(max(float(np.max(a)), -float(np.min(a))) for a in arrays)


_Workspace = dict[tuple[int, ...], tuple[Array, Array, Array, Array]]
"""Chunk-sized buffers by chunk shape (see :func:`_difference_of_sums_parts`)."""


def _difference_of_sums_parts(x: Array, y: Array, workspace: _Workspace | None = None) \
        -> tuple[Array, Array, Array]:
    r""":math:`\sum_j x_j - \sum_j y_j` along the last axis (kept) of one chunk, as
    ``(exact, rest, bound)``. With one :math:`\sigma = 2^{k} \ge (2m + 2) \max(|x|, |y|)`
    for the whole chunk (:func:`_extract`'s), :math:`q_j = (\sigma + x_j) - \sigma` and
    :math:`q'_j = (\sigma + y_j) - \sigma` are multiples of :math:`2^{-53}\sigma` whose
    differences and row sums are below :math:`\sigma`, so ``exact`` (the row sums of
    :math:`q - q'`) is exact; the remainders :math:`x_j - q_j`, :math:`y_j - q'_j` are exact and
    at most :math:`u\sigma` (:math:`u = 2^{-53}`). ``rest`` is the rounded row sum of their
    rounded differences, off by at most ``bound`` :math:`= 2mu^2\sigma (1 + 1.01 m)`: :math:`m`
    roundings of at most :math:`2u^2\sigma` and a sum of :math:`m` terms of at most
    :math:`2u\sigma`. ``bound`` is NaN where the chunk is not finite or too large for
    :math:`\sigma`. ``workspace`` keeps the chunk-sized buffers from one chunk of a row to the
    next (fresh large arrays cost page faults)."""
    m = x.shape[-1]
    shape = x.shape[:-1] + (1,)
    if m == 0:
        return np.zeros(shape), np.zeros(shape), np.zeros(shape)
    largest = _global_magnitude(x, y)
    if not largest < 2.0 ** 1000:
        return np.zeros(shape), np.zeros(shape), np.full(shape, np.nan)
    sigma = math.ldexp(1.0, math.frexp(largest)[1] + math.ceil(math.log2(2 * m + 2)))
    workspace = {} if workspace is None else workspace
    if x.shape not in workspace:
        workspace.clear()
        workspace[x.shape] = (np.empty(x.shape), np.empty(x.shape), np.empty(x.shape),
                              np.ones(m))
    high_x, high_y, low_x, ones = workspace[x.shape]
    np.add(x, sigma, out=high_x)
    high_x -= sigma
    np.add(y, sigma, out=high_y)
    high_y -= sigma
    np.subtract(x, high_x, out=low_x)  # exact
    high_x -= high_y  # exact
    np.subtract(y, high_y, out=high_y)  # exact
    low_x -= high_y  # rounded
    unit = _UNIT_ROUNDOFF
    bound = (2.0 * m * unit * unit * sigma) * (1.0 + 1.01 * m)
    return _row_sums(high_x, ones), _row_sums(low_x, ones), np.full(shape, bound)


def _nonzero_difference_of_sums(pieces: list[tuple[Array, Array, Array]]) \
        -> NDArray[np.bool_]:
    r"""Where the chunks' :func:`_difference_of_sums_parts` prove that
    :math:`\sum x - \sum y \ne 0` (True), or cannot (False). The exact parts of several
    chunks are added by ``math.fsum`` (correctly rounded: at most :math:`u` of their sum off),
    the rests and bounds in floating point with a margin of 2 for their own roundings."""
    exact, rest, bound = (np.concatenate(part, axis=-1) for part in zip(*pieces))
    if exact.shape[-1] == 1:
        total_exact = exact
    else:
        total_exact = np.empty(exact.shape[:-1] + (1,))
        for index in np.ndindex(exact.shape[:-1]):
            total_exact[index] = math.fsum(exact[index])
    rest_total = np.sum(rest, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        error = 2.0 * (np.sum(bound, axis=-1, keepdims=True)
                       + rest.shape[-1] * _UNIT_ROUNDOFF * np.sum(np.abs(rest), axis=-1,
                                                                   keepdims=True)
                       + _UNIT_ROUNDOFF * np.abs(total_exact))
        return np.abs(total_exact + rest_total) > error  # False where NaN


_EXTRACTION_PASSES = 100
"""At most this many passes of :func:`_exactly_equal_sums` (40 reach from 1 to the smallest
subnormal); rows not finished by then are not certified."""


def _exactly_equal_sums(x: Array, y: Array) -> NDArray[np.bool_]:
    r"""Per row (last axis, dropped): whether :math:`x, y \ge 0` are finite and
    :math:`\sum x = \sum y` exactly. The terms :math:`x, -y` are split by repeated error-free
    extraction (:func:`_extract`, with :math:`\sigma` from the largest remaining term of all
    rows): each pass takes parts that sum without rounding and leaves remainders at most :math:`2^{-53}\sigma`, :math:`2^{24}` times smaller than
    the largest term or more (rows of up to :math:`2^{28}` terms), until none is left (at
    most :data:`_EXTRACTION_PASSES`; rows not finished are not certified). The parts of a row
    are then added by TwoSum, exactly where no step rounds (the usual case: a row is then 0
    exactly when the sum is), else by ``math.fsum`` (correctly rounded, so 0 only for an exact
    0). Rows with a term of :math:`2^{1000}` or more (where :math:`\sigma` would overflow)
    are not certified."""
    values = np.concatenate([x, -y], axis=-1)
    with np.errstate(invalid="ignore"):
        usable = (np.all(np.isfinite(values), axis=-1) & np.all(x >= 0, axis=-1)
                  & np.all(y >= 0, axis=-1))
        usable &= np.all(np.abs(values) < 2.0 ** 1000, axis=-1)
    values = np.where(usable[..., None], values, 0.0)
    parts = []
    for _ in range(_EXTRACTION_PASSES):
        largest = _global_magnitude(values) if values.size else 0.0
        if largest == 0:
            break
        part, values = _extract(values, np.float64(largest))
        parts.append(part[..., 0])
    else:
        usable &= ~np.any(values != 0, axis=-1)
    if not parts:
        return usable
    total, rounded = parts[0], np.zeros(usable.shape, dtype=bool)
    for part in parts[1:]:
        total, error = two_sum(total, part)
        rounded |= error != 0
    stacked = np.stack(parts, axis=-1)
    for index in zip(*np.nonzero(rounded & usable)):
        total[index] = math.fsum(stacked[index].tolist())
    return usable & (total == 0)


def rel_entr_sum(terms: Callable[..., tuple[Array, Array, Array]], *arrays: Array) -> Array:
    r""":math:`\sum_j x_j \log(x_j / y_j)` along the last axis (kept), where
    ``terms(*arrays)`` gives :math:`(x, y, x - y)` elementwise (the difference written without
    cancellation, as for :func:`rel_entr`): the KL divergence.

    For any :math:`x, y \ge 0`,

    .. math:: \sum_j x_j \log\frac{x_j}{y_j} = \sum_j \psi(x_j, y_j)
              + \Bigl(\sum_j x_j - \sum_j y_j\Bigr), \qquad
              \psi(x, y) = x \log\frac{x}{y} - x + y \ge 0,

    and where the two sums are exactly equal (exactly normalised float inputs) the result is a
    sum of non-negative terms, each computed to about one rounding by :func:`kl_div` and summed
    accurately: the result has full relative precision, even where the terms
    :math:`x \log(x/y)` cancel to :math:`10^{-19}`. Elsewhere the :math:`\psi` can be far larger
    than the result (:math:`x = 10^{-300}, y = \tfrac12`: :math:`\psi = \tfrac12` against a term
    of :math:`7 \cdot 10^{-298}`), so the terms :math:`x \log(x/y)` of :func:`rel_entr` are
    summed (:func:`sum_parts_of_terms`), within a few roundings of :math:`\sum_j |x_j
    \log(x_j/y_j)|`.

    Which rows are exactly normalised: while the terms of :func:`rel_entr` are summed chunk by
    chunk, :math:`\sum x - \sum y` is computed from an error-free extraction with a rigorous
    error bound (:func:`_difference_of_sums_parts`); a row whose difference is larger than its
    bound is not normalised (random inputs normalised by a division: their sums differ by
    :math:`10^{-16}`, far above the bound), and only the other rows are checked exactly
    (:func:`_exactly_equal_sums`) and, if they are exactly normalised, summed as
    :math:`\sum \psi`.

    >>> p = np.array([0.5, 0.5])
    >>> q = np.array([0.5 + 2.0 ** -31, 0.5 - 2.0 ** -31])  # sums to exactly 1
    >>> rel_entr_sum(lambda p, q: (p, q, p - q), p, q).tolist()
    [4.336808689942018e-19]
    """
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    pieces: list[tuple[Array, Array, Array]] = []
    workspace: _Workspace = {}

    def direct_terms(*chunk: Array) -> Array:
        x, y, difference = terms(*chunk)
        x, y = np.broadcast_arrays(x, y)
        pieces.append(_difference_of_sums_parts(x, y, workspace))
        return rel_entr(x, y, difference)

    direct = _evaluated(*sum_parts_of_terms(direct_terms, *arrays))
    candidates = ~_nonzero_difference_of_sums(pieces)
    if not np.any(candidates):
        return direct
    x, y, _ = terms(*arrays)
    x, y = np.broadcast_arrays(x, y)
    rows = candidates[..., 0]
    normalised = np.zeros(direct.shape, dtype=bool)
    normalised[rows, 0] = _exactly_equal_sums(x[rows], y[rows])
    if not np.any(normalised):
        return direct
    nonnegative = _evaluated(*sum_parts_of_terms(lambda *chunk: kl_div(*terms(*chunk)[:2]),
                                                 *arrays))
    return np.where(normalised & np.isfinite(nonnegative), nonnegative, direct)
