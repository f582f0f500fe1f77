"""The binary32 rounding read off a shared binary64 rounding
(:func:`symbinfo.refs.floats.binary32_of_binary64_interval`), against the exact rounding of
the rationals that round to that binary64 number, and in reference values against rounding
both ends of the ball exactly."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from symbinfo.refs import evaluate
from symbinfo.refs.floats import (BINARY32, BINARY64, binary32_of_binary64_interval,
                                  round_to_float)


def same_float(a: float | None, b: float | None) -> bool:
    """Equal, zeros with the same sign."""
    if a is None or b is None:
        return a is b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def rounding_interval(double: float) -> list[Fraction]:
    """``double``, and the points of the reals rounding to it in binary64 nearest to its
    ends (the ends themselves where they round to it: ties to even)."""
    exact = Fraction(double)
    points = [exact]
    for neighbour in (np.nextafter(double, -math.inf), np.nextafter(double, math.inf)):
        if not math.isfinite(neighbour):
            continue
        end = (exact + Fraction(float(neighbour))) / 2
        step = (end - exact) / 2 ** 70
        for point in (end, end - step):
            if round_to_float(point, BINARY64) == double:
                points.append(point)
    return points


def signed_round32(point: Fraction, sign: float) -> float:
    """Exact binary32 rounding, a zero carrying ``sign`` (the sign of the ball's end)."""
    rounded = round_to_float(point, BINARY32)
    return math.copysign(rounded, sign) if rounded == 0 else rounded


doubles = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-2.0 ** -120, max_value=2.0 ** -120),  # binary32 subnormals
    st.floats(min_value=2.0 ** 126, max_value=2.0 ** 128),  # near binary32's overflow
    st.builds(lambda f, k: float(np.float32(f)) * (1 + 2.0 ** -k),  # near binary32 numbers
              st.floats(min_value=-2.0 ** 127, max_value=2.0 ** 127, width=32),
              st.integers(20, 60)))


@settings(max_examples=3000)
@given(doubles)
def test_every_real_rounding_to_the_double_rounds_to_the_answer(double):
    single = binary32_of_binary64_interval(double)
    if single is None:
        return
    for point in rounding_interval(double):
        assert same_float(signed_round32(point, double), single), (double, point)


@pytest.mark.parametrize("single", [1.0, 0.1, -3.5, 2.0 ** -149, 2.0 ** -130, 2.0 ** 120,
                                    float(np.float32(1 / 3))])
def test_binary32_ties_are_left_to_the_exact_rounding(single):
    single = float(np.float32(single))
    above = float(np.nextafter(np.float32(single), np.float32(math.inf)))
    tie = (single + above) / 2  # exact in binary64
    assert binary32_of_binary64_interval(tie) is None
    assert binary32_of_binary64_interval(-tie) is None


@pytest.mark.parametrize("double", [2.0 ** 127, -2.0 ** 127, 3e38, math.inf, -math.inf,
                                    math.nan])
def test_values_near_binary32_overflow_are_left_to_the_exact_rounding(double):
    assert binary32_of_binary64_interval(double) is None


def test_zeros_keep_their_sign():
    assert same_float(binary32_of_binary64_interval(-0.0), -0.0)
    assert same_float(binary32_of_binary64_interval(-5e-324), -0.0)
    assert same_float(binary32_of_binary64_interval(5e-324), 0.0)


def exact_roundings(ball: arb) -> tuple[float | None, float | None]:
    """Both roundings as before the shortcut: each format's rounding of both ends."""
    low, high, exponent = evaluate._dyadic_bounds(ball)
    return tuple(evaluate._shared_rounding(low, high, exponent, fmt)
                 for fmt in (BINARY64, BINARY32))


@settings(max_examples=2000)
@given(st.integers(-(2 ** 120), 2 ** 120), st.integers(-1300, 1100),
       st.integers(0, 2 ** 40), st.integers(-1400, 1100))
def test_ball_values_round_as_both_ends_do(mantissa, exponent, radius, radius_exponent):
    saved = ctx.prec
    try:
        ctx.prec = 200
        ball = arb(mid=arb(mantissa) * arb(2) ** exponent,
                   rad=arb(radius) * arb(2) ** radius_exponent)
        value = evaluate._ball_value(ball, 40)
        double, single = exact_roundings(ball)
    finally:
        ctx.prec = saved
    assert same_float(value.float64, double) and same_float(value.float32, single)
