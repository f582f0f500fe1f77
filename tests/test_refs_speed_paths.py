"""The fast paths of reference generation, against independent oracles: CPython's correctly
rounded ``float(Fraction)``, NumPy's own casts, mpmath at high precision, and the bytes of
the plain in-process evaluation."""

from __future__ import annotations

import gc
import math
import pickle
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbinfo.refs import files
from symbinfo.refs.floats import BINARY64, round_dyadic
from symbinfo.refs.generate import (CaseInput, _exact_inputs, _task_case,
                                    _without_cyclic_gc, evaluate_chunk, reference_set)


def float64_oracle(value: Fraction) -> float:
    try:
        return float(value)  # CPython: correctly rounded, ties to even, subnormals included
    except OverflowError:
        return math.inf if value > 0 else -math.inf


# Exponents e with m * 2**e at the edges of binary64's normal range for m of up to 200 bits:
# the int-to-float shortcut must hand over to the exact rounding there.
edge_exponents = st.one_of(st.integers(-1300, -1000), st.integers(800, 1100),
                           st.integers(-200, 200))


@settings(max_examples=1000)
@given(st.integers(-(2 ** 200), 2 ** 200), edge_exponents)
def test_binary64_dyadic_rounding_matches_cpython_at_the_range_edges(mantissa, exponent):
    value = Fraction(mantissa) * Fraction(2) ** exponent
    assert round_dyadic(mantissa, exponent, BINARY64) == float64_oracle(value)


@pytest.mark.parametrize("mantissa, exponent", [
    (1, -1074), (1, -1075), (3, -1076), (2 ** 53 - 1, -1074), (2 ** 53 + 1, -1075),
    (2 ** 52, -1074), (2 ** 52 + 1, -1075), (2 ** 53 - 1, 971), (2 ** 54 - 1, 970),
    (2 ** 1001 + 1, -1001), ((2 ** 53 + 1) << 900, -2000),
])
def test_binary64_dyadic_rounding_edges(mantissa, exponent):
    for m in (mantissa, -mantissa):
        value = Fraction(m) * Fraction(2) ** exponent
        assert round_dyadic(m, exponent, BINARY64) == float64_oracle(value)


scalar = st.floats(allow_nan=False, allow_infinity=True, width=64)


@given(scalar, scalar)
def test_scalar_inputs_are_rounded_like_numpy_casts(p, x):
    for dtype in ("float64", "float32"):
        stored = _exact_inputs({"p": p, "x": np.float64(x)}, dtype)
        with np.errstate(over="ignore", under="ignore"):
            expected = [float(np.asarray(v).astype(dtype).astype(np.float64)) for v in (p, x)]
        assert [type(v) for v in stored.values()] == [float, float]
        assert [math.copysign(1, v) for v in stored.values()] == \
            [math.copysign(1, v) for v in expected]
        assert list(stored.values()) == expected


def test_array_inputs_are_copied_and_labels_stay_integers():
    p = np.array([0.25, 0.75])
    stored = _exact_inputs({"p": p, "label": np.int32(3), "y": np.array([1, 2])})
    assert stored["p"] is not p and stored["p"].dtype == np.float64
    assert stored["label"] == 3 and isinstance(stored["label"], int)
    assert stored["y"].dtype == np.int64
    single = _exact_inputs({"p": np.array([0.1, 1e300])}, "float32")["p"]
    assert single.tolist() == [float(np.float32(0.1)), math.inf]


def test_cases_sent_to_workers_come_back_bit_for_bit():
    vector = np.array([0.0, -0.0, 5e-324, 1e308, np.inf, np.nan, 0.1])
    masked = np.ma.masked_array([0.5, 0.5], mask=[False, True])
    case = CaseInput("c", {"p": vector, "t": np.ones((2, 2)), "m": masked, "k": 3})
    name, sent = pickle.loads(pickle.dumps(_task_case(case, crossing=True)))
    assert name == "c" and isinstance(sent["p"], list)
    assert np.asarray(sent["p"]).tobytes() == vector.tobytes()
    assert isinstance(sent["t"], np.ndarray) and isinstance(sent["m"], np.ma.MaskedArray)
    assert _task_case(case, crossing=False)[1] is case.inputs


def test_the_collector_is_paused_and_restored():
    assert gc.isenabled()
    with _without_cyclic_gc():
        assert not gc.isenabled()
        with _without_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _without_cyclic_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_chunk_evaluates_to_values_mpmath_confirms():
    p, x = 0.3, 0.7
    task = ("binary_cross_entropy", 50, "float64", [("c", {"p": p, "x": x})], False)
    (case,) = evaluate_chunk(task).cases()
    with mpmath.workdps(80):
        mp, mx = mpmath.mpf(p), mpmath.mpf(x)
        truth = -(mx * mpmath.log(mp) + (1 - mx) * mpmath.log(1 - mp))
        assert abs(mpmath.mpf(case.output.decimal) - truth) < abs(truth) * mpmath.mpf(10) ** -49
        assert case.output.float64 == float(truth)  # 80 digits: no double rounding here
    assert case.inputs == {"p": p, "x": x} and case.output.certified


def test_user_cases_give_the_same_bytes_in_process_and_in_a_pool():
    rng = np.random.default_rng(1)
    cases = [CaseInput("bench", {"p": rng.dirichlet(np.ones(5)), "q": rng.dirichlet(np.ones(5))})
             for _ in range(40)]
    cases.append(CaseInput("q = 0", {"p": np.array([0.5, 0.5]), "q": np.array([0.0, 1.0])}))
    for dtype in ("float64", "float32"):
        inline = files.to_json_bytes(reference_set("kl_divergence", cases=cases,
                                                   input_dtype=dtype))
        with ProcessPoolExecutor(max_workers=2) as pool:
            pooled = files.to_json_bytes(reference_set("kl_divergence", cases=cases,
                                                       input_dtype=dtype, executor=pool))
        assert inline == pooled
