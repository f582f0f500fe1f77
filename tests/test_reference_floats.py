"""Correct rounding to binary64/binary32 against independent oracles.

binary64: CPython's ``float(Fraction)`` is correctly rounded (ties to even), subnormals and
overflow included. binary32: the nearest of the float32 neighbours, chosen by exact rational
distance with ties to the even significand.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbinfo.refs.floats import (BINARY32, BINARY64, certified_round, float32_hex, round_dyadic,
                                        from_hex, round_to_float)

rationals = st.builds(
    lambda m, d, e: Fraction(m, d) * Fraction(2) ** e,
    st.integers(-(10 ** 30), 10 ** 30), st.integers(1, 10 ** 30), st.integers(-1200, 1100))


def float64_oracle(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, 1 if value > 0 else -1)


def float32_oracle(value: Fraction) -> float:
    """Nearest float32 by exhaustive comparison of the neighbours of a float32 guess."""
    with np.errstate(over="ignore"):
        guess = np.float32(float64_oracle(value))
    if np.isinf(guess):
        largest = Fraction(float(np.finfo(np.float32).max))
        halfway = largest + Fraction(2) ** (127 - 24)  # midpoint to the next binade
        return math.copysign(math.inf, 1 if value > 0 else -1) if abs(value) >= halfway else \
            math.copysign(float(largest), 1 if value > 0 else -1)
    candidates = {float(guess), float(np.nextafter(guess, np.float32(np.inf))),
                  float(np.nextafter(guess, np.float32(-np.inf)))}
    candidates = [c for c in candidates if math.isfinite(c)]

    def key(c: float) -> tuple:
        odd = int(np.float32(c).view(np.uint32)) & 1
        return (abs(Fraction(c) - value), odd)
    return min(candidates, key=key)


@settings(max_examples=500)
@given(rationals)
def test_binary64_rounding_matches_cpython(value):
    assert round_to_float(value, BINARY64) == float64_oracle(value)


@settings(max_examples=500)
@given(rationals)
def test_binary32_rounding_matches_nearest_neighbour(value):
    assert round_to_float(value, BINARY32) == float32_oracle(value)


@pytest.mark.parametrize("value, expected", [
    (Fraction(1, 2 ** 1074), 5e-324),                       # smallest subnormal
    (Fraction(1, 2 ** 1075), 0.0),                          # half of it: tie to even (0)
    (Fraction(3, 2 ** 1076), 5e-324),                       # 3/4 of it: up
    (Fraction(2) ** 1024, math.inf),                        # overflow
    ((2 - Fraction(1, 2 ** 53)) * Fraction(2) ** 1023, math.inf),   # the overflow midpoint
    (1 + Fraction(1, 2 ** 53), 1.0),                        # tie: to even
    (1 + Fraction(3, 2 ** 53), 1 + 2 ** -51),               # tie: to even (up)
])
def test_binary64_edges(value, expected):
    assert round_to_float(value, BINARY64) == expected
    assert round_to_float(-value, BINARY64) == -expected


def test_binary32_edges():
    assert round_to_float(Fraction(1, 2 ** 149), BINARY32) == 2.0 ** -149
    assert round_to_float(Fraction(1, 2 ** 150), BINARY32) == 0.0
    assert round_to_float(Fraction(2) ** 128, BINARY32) == math.inf
    assert round_to_float(Fraction(1, 10), BINARY32) == float(np.float32(0.1))


def test_certified_round_only_when_the_ball_is_unambiguous():
    one_ulp = Fraction(1, 2 ** 52)
    assert certified_round(1 - one_ulp / 8, 1 + one_ulp / 8) == 1.0
    assert certified_round(1 + one_ulp / 2 - one_ulp / 8, 1 + one_ulp / 2 + one_ulp / 8) is None


@given(st.floats(allow_nan=False, width=32))
def test_hex_round_trips(value):
    text = float32_hex(value)
    assert from_hex(text, "x") == value
    assert float.fromhex(value.hex()) == value


def test_from_hex_rejects_other_text():
    for text in ["1.5", "0xZZ", "__import__('os')", "0x" + "1" * 100]:
        with pytest.raises(ValueError, match="is not a hex float"):
            from_hex(text, "P[0]")
    with pytest.raises(ValueError, match="not a binary32 value"):
        float32_hex(0.1)


@settings(max_examples=500)
@given(st.integers(-(2 ** 200), 2 ** 200), st.integers(-1300, 1100))
def test_dyadic_rounding_agrees_with_the_rational_rounding(mantissa, exponent):
    value = Fraction(mantissa) * Fraction(2) ** exponent
    for fmt in (BINARY64, BINARY32):
        assert round_dyadic(mantissa, exponent, fmt) == round_to_float(value, fmt)
