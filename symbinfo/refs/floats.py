r"""Exact binary floating point: correct rounding to IEEE binary64/binary32, and hex strings.

Reference values are computed at high precision and must then be rounded *correctly* (to
nearest, ties to even) to the formats other implementations use, subnormals and overflow
included. This is done here with exact integer arithmetic on the binary value
:math:`m \cdot 2^{e}`, not by converting through an intermediate float (which would round
twice).

A value known only up to an error ball :math:`[a, b]` has a *certified* rounding when both ends
round to the same float (:func:`certified_round`); otherwise the rounding is undecided at that
precision and is reported as such, never guessed.

>>> from fractions import Fraction
>>> round_to_float(Fraction(1, 10), BINARY64).hex()
'0x1.999999999999ap-4'
>>> float32_hex(round_to_float(Fraction(1, 10), BINARY32))
'0x1.99999ap-4'
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class FloatFormat:
    """An IEEE 754 binary format: precision in bits (with the hidden bit) and exponent range."""

    name: str
    precision: int
    min_exponent: int
    """Exponent of the smallest normal number, :math:`2^{e_{\\min}}`."""
    max_exponent: int
    """Exponent of the largest finite numbers, below :math:`2^{e_{\\max} + 1}`."""

    @property
    def quantum_exponent(self) -> int:
        """Exponent of the smallest subnormal, the spacing of the subnormals."""
        return self.min_exponent - self.precision + 1


BINARY64 = FloatFormat("float64", 53, -1022, 1023)
BINARY32 = FloatFormat("float32", 24, -126, 127)

_INT_TO_FLOAT_BITS = 1000
"""Integers this long convert to ``float`` without overflow (the limit is 1024 bits)."""
_NORMAL_BINARY64 = (BINARY64.min_exponent + 1, BINARY64.max_exponent)
r"""Bounds on :math:`b + e` for :math:`m \cdot 2^e` with a :math:`b`-bit :math:`m`: the value
lies in :math:`[2^{b+e-1}, 2^{b+e})`, so it rounds to a normal, finite binary64 number."""


def _round_half_even(numerator: int, denominator: int) -> int:
    """The integer nearest to ``numerator / denominator`` (both > 0), ties to even."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def _quantum(exponent: int, fmt: FloatFormat) -> int:
    """Exponent of the spacing of ``fmt``'s numbers next to :math:`2^{exponent}`."""
    return max(exponent - fmt.precision + 1, fmt.quantum_exponent)


def _scaled_float(integer: int, quantum: int, negative: bool, fmt: FloatFormat) -> float:
    """The number :math:`\\pm integer \\cdot 2^{quantum}` of ``fmt`` (``integer`` has at most
    ``fmt.precision`` bits), or :math:`\\pm\\infty` past the largest finite number."""
    sign = -1.0 if negative else 1.0
    if integer.bit_length() - 1 + quantum > fmt.max_exponent:  # the rounded value's exponent
        return sign * math.inf
    return sign * math.ldexp(integer, quantum)


def _round_ratio(numerator: int, denominator: int, fmt: FloatFormat) -> float:
    """Round ``numerator / denominator`` (``denominator > 0``) to ``fmt``, ties to even, with
    integer arithmetic only."""
    if numerator == 0:
        return 0.0
    negative = numerator < 0
    numerator = abs(numerator)
    # floor(log2(numerator / denominator)), exactly, from the bit lengths.
    exponent = numerator.bit_length() - denominator.bit_length()
    if (numerator << max(-exponent, 0)) < (denominator << max(exponent, 0)):
        exponent -= 1
    quantum = _quantum(exponent, fmt)
    # The value in units of 2**quantum, rounded to an integer.
    if quantum >= 0:
        integer = _round_half_even(numerator, denominator << quantum)
    else:
        integer = _round_half_even(numerator << -quantum, denominator)
    return _scaled_float(integer, quantum, negative, fmt)


def round_to_float(value: Fraction, fmt: FloatFormat = BINARY64) -> float:
    r"""Round an exact rational to the nearest number of ``fmt`` (ties to even).

    Returns a Python float holding the rounded value exactly (binary32 values are exactly
    representable in binary64); :math:`\pm\infty` past the largest finite number, signed zero
    below half the smallest subnormal. Integer arithmetic only: no intermediate rounding.

    >>> round_to_float(Fraction(1, 3)) == 1 / 3
    True
    >>> round_to_float(Fraction(1, 2 ** 1075))  # exactly half the smallest subnormal: to even
    0.0
    """
    return _round_ratio(value.numerator, value.denominator, fmt)


def round_dyadic(mantissa: int, exponent: int, fmt: FloatFormat = BINARY64) -> float:
    r"""Round the exact dyadic number :math:`m \cdot 2^{e}` to ``fmt`` (ties to even), as
    ball endpoints are: :func:`round_to_float` with shifts and masks in place of divisions
    (this runs four times per reference value).

    A binary64 result in the normal range comes from CPython's ``int`` to ``float``
    conversion, which is correctly rounded (ties to even); the scaling by :math:`2^e` after it
    is then exact.

    >>> round_dyadic(3, -2), round_dyadic(2 ** 53 + 1, 0)  # 0.75; a tie, to even
    (0.75, 9007199254740992.0)
    """
    if mantissa == 0:
        return 0.0
    magnitude = abs(mantissa)
    bits = magnitude.bit_length()
    if fmt is BINARY64 and bits <= _INT_TO_FLOAT_BITS and \
            _NORMAL_BINARY64[0] <= bits + exponent <= _NORMAL_BINARY64[1]:
        return math.ldexp(float(mantissa), exponent)
    quantum = _quantum(bits - 1 + exponent, fmt)
    shift = quantum - exponent  # bits of the mantissa below the quantum
    if shift <= 0:
        return _scaled_float(magnitude << -shift, quantum, mantissa < 0, fmt)
    integer = magnitude >> shift
    remainder, half = magnitude & ((1 << shift) - 1), 1 << (shift - 1)
    if remainder > half or (remainder == half and integer & 1):
        integer += 1
    return _scaled_float(integer, quantum, mantissa < 0, fmt)


_BINARY32_SHORTCUT_BELOW = 2.0 ** BINARY32.max_exponent
"""Magnitudes :func:`binary32_of_binary64_interval` decides: below this, nothing rounds to
binary32 infinity."""
_BINARY32_SUBNORMAL_QUANTUM = BINARY32.quantum_exponent


def binary32_of_binary64_interval(double: float) -> float | None:
    r"""The binary32 rounding shared by every real number whose binary64 rounding is
    ``double``, or None where this shortcut does not decide it (the caller rounds exactly).

    The reals that round to a binary64 number :math:`d` form an interval :math:`I` whose only
    binary64 number inside is :math:`d` itself. The points where the binary32 rounding
    changes (the midpoints between adjacent binary32 numbers) are binary64 numbers, so at
    most one of them, :math:`d`, lies in :math:`I`: unless :math:`d` is such a midpoint (a
    tie), every point of :math:`I` rounds to binary32 as :math:`d` does, i.e. to the integer
    nearest to :math:`d / 2^{q}` times :math:`2^{q}`, with :math:`2^q` binary32's spacing at
    :math:`d` (zeros keep their sign). Magnitudes from :math:`2^{127}` up (near binary32's
    overflow), infinities and NaN are left to the caller.

    >>> binary32_of_binary64_interval(0.1) == float(np.float32(0.1))
    True
    >>> binary32_of_binary64_interval(1 + 2 ** -24) is None  # a tie between 1 and 1 + 2**-23
    True
    """
    if double == 0:
        return double
    if not abs(double) < _BINARY32_SHORTCUT_BELOW:
        return None
    # |double| lies in [2**(e - 1), 2**e) for e = frexp's exponent; as _quantum, inlined.
    quantum = math.frexp(double)[1] - BINARY32.precision
    if quantum < _BINARY32_SUBNORMAL_QUANTUM:
        quantum = _BINARY32_SUBNORMAL_QUANTUM
    scaled = math.ldexp(double, -quantum)  # exact: a power of two, in the normal range
    if scaled % 1.0 == 0.5:
        return None
    return math.copysign(math.ldexp(round(scaled), quantum), double)


def certified_round(lower: Fraction, upper: Fraction, fmt: FloatFormat = BINARY64) \
        -> float | None:
    """The rounding of every value in ``[lower, upper]`` if they all round alike, else None.

    >>> certified_round(Fraction(1, 10) - Fraction(1, 10**40), Fraction(1, 10) + Fraction(1, 10**40))
    0.1
    >>> certified_round(Fraction(1), Fraction(1) + Fraction(1, 2**52)) is None
    True
    """
    low, high = round_to_float(lower, fmt), round_to_float(upper, fmt)
    return low if low == high else None


_BINARY32 = struct.Struct("f")


def _is_binary32(value: float) -> bool:
    """Whether a float is a binary32 value (or NaN): it survives a round trip through C's
    ``float`` (a third of the time of NumPy's scalar)."""
    try:
        return _BINARY32.unpack(_BINARY32.pack(value))[0] == value or math.isnan(value)
    except OverflowError:  # finite, beyond binary32's range
        return False


def float32_hex(value: float) -> str:
    """Hex string of a binary32 value (held exactly in a Python float), without the trailing
    zeros of the binary64 form; ``float.fromhex`` and C's ``strtof`` read it exactly.

    >>> float32_hex(0.5), float32_hex(float(np.float32(1e-45))), float32_hex(-math.inf)
    ('0x1p-1', '0x1p-149', '-inf')
    """
    if not _is_binary32(value):
        raise ValueError(f"{value!r} is not a binary32 value")
    text = value.hex()
    if "p" not in text:
        return text
    mantissa, exponent = text.split("p")
    return mantissa.rstrip("0").rstrip(".") + "p" + exponent


def from_hex(text: str, where: str) -> float:
    """Read a hex float string (``float.hex`` form, or ``inf``/``-inf``/``nan``) exactly.

    >>> from_hex("0x1.8p+1", "x")
    3.0
    >>> from_hex("1.5", "P[0]")
    Traceback (most recent call last):
    ...
    ValueError: P[0] = '1.5' is not a hex float (expected e.g. '0x1.8p+1')
    """
    cleaned = text.strip().lower()
    if cleaned in ("inf", "+inf", "-inf", "nan"):
        return float(cleaned)
    if len(cleaned) > 40 or not cleaned.lstrip("+-").startswith("0x"):
        raise ValueError(f"{where} = {text!r} is not a hex float (expected e.g. '0x1.8p+1')")
    try:
        return float.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"{where} = {text!r} is not a hex float (expected e.g. '0x1.8p+1')") \
            from None
