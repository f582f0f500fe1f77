"""The numba backend's own pieces (symbinfo.kernels.compiled) against mpmath at 40 digits and
exact arithmetic: the call-free exponential and logarithms, the exponent split, the compiled
elementwise and sum loops, and the backend switch. (Every kernel's accuracy on both backends
is in test_accuracy, test_kernels, test_rewrite and test_kl_normalised.)"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest

numba = pytest.importorskip("numba")  # the fast extra; CI installs it (a skip fails there)

from symbinfo import kernels  # noqa: E402
from symbinfo.kernels import compiled, primitives  # noqa: E402
from symbinfo.kernels.build import available_backends, current_backend, use_backend  # noqa: E402


def ulps(got: float, truth) -> float:
    """|got - truth| in units of the float64 spacing at the truth (40 digits)."""
    with mpmath.workdps(40):
        spacing = mpmath.mpf(math.ulp(float(truth)))
        return float(abs(mpmath.mpf(got) - truth) / spacing)


def test_exponential_within_two_thirds_of_an_ulp():
    exp = compiled._exp_nonpositive
    rng = np.random.default_rng(0)
    xs = np.concatenate([-rng.exponential(5, 3000), -rng.uniform(0, 708, 3000),
                         -rng.uniform(0, 1e-6, 300), [-0.5 * math.log(2), -math.log(2)]])
    with mpmath.workdps(40):
        worst = max(ulps(exp(x), mpmath.exp(mpmath.mpf(x))) for x in xs)
    assert worst <= 0.67


@pytest.mark.parametrize("x, expected", [
    (0.0, 1.0), (-0.0, 1.0), (-1e-300, 1.0), (-math.inf, 0.0), (-746.0, 0.0), (-1000.0, 0.0),
    (-745.2, 0.0),  # e^-745.2 < 2^-1075: rounds to 0
    (-744.4, 5e-324), (-708.4, math.exp(-708.4)), (-709.5, math.exp(-709.5)),  # subnormal
])
def test_exponential_at_the_edges(x, expected):
    assert compiled._exp_nonpositive(x) == expected


def test_exponential_of_nan_is_nan():
    assert math.isnan(compiled._exp_nonpositive(math.nan))


def test_logarithm_near_one_within_one_ulp():
    log = compiled._log_near_one
    ms = np.random.default_rng(1).uniform(math.sqrt(0.5), math.sqrt(2.0), 5000)
    with mpmath.workdps(40):
        worst = max(ulps(log(m), mpmath.log(mpmath.mpf(m))) for m in ms if m != 1.0)
    assert worst <= 1.05
    assert log(1.0) == 0.0


@pytest.mark.parametrize("helper, low, high", [
    (compiled._log1p, -0.999, 3.0), (compiled._log1p_of_unit, 0.0, 1.0)])
def test_log1p_with_one_logarithm_within_one_and_a_half_ulp(helper, low, high):
    log1p = helper
    rng = np.random.default_rng(2)
    ts = np.concatenate([rng.uniform(low, high, 3000), 10.0 ** rng.uniform(-20, 0, 2000)])
    ts = ts[(ts >= low) & (ts <= high) & (ts != 0)]
    with mpmath.workdps(40):
        worst = max(ulps(log1p(t), mpmath.log1p(mpmath.mpf(t))) for t in ts)
    assert worst <= 1.5
    assert log1p(1e-300) == 1e-300 and log1p(0.0) == 0.0


def test_log1p_edges():
    log1p = compiled._log1p
    assert log1p(-1.0) == -math.inf and log1p(math.inf) == math.inf
    assert math.copysign(1.0, log1p(-0.0)) == -1.0
    assert math.isnan(log1p(-2.0)) and math.isnan(log1p(math.nan))


def test_exponent_split_is_exact():
    rng = np.random.default_rng(3)
    y = np.concatenate([10.0 ** rng.uniform(-307, 307, 2000), [1.0, 1.5, 0.7, 2.0 ** -1022,
                        1.7976931348623157e308, math.sqrt(2.0), math.sqrt(0.5),
                        np.nextafter(math.sqrt(2.0), 0), np.nextafter(math.sqrt(0.5), 2)]])
    bits, exponents = np.empty(len(y), np.int64), np.empty(len(y))
    assert compiled._split_normal_floats(y.view(np.int64), bits, exponents) == 0
    mantissas = bits.view(np.float64)
    assert np.all((mantissas >= math.sqrt(0.5)) & (mantissas < math.sqrt(2.0)))
    assert all(math.ldexp(m, int(e)) == v for m, e, v in zip(mantissas, exponents, y))
    others = np.array([0.0, 5e-324, math.inf, math.nan])
    assert compiled._split_normal_floats(others.view(np.int64), bits[:4], exponents[:4]) == 4


def test_perplexity_with_zeros_subnormals_and_infinities_matches_numpy():
    p = np.array([[0.25, 0.25, 0.5, 0.0], [0.5, 0.5, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    q = np.array([[5e-324, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 1.0]])
    got = compiled.exp_xlogy_sum(p, q, -1.0)
    assert got[1, 0] == math.inf  # q = 0 < p
    with mpmath.workdps(40):
        truth = mpmath.exp(-(mpmath.mpf(0.25) * mpmath.log(mpmath.mpf(5e-324))
                             + mpmath.mpf(0.75) * mpmath.log(mpmath.mpf(0.5))))
        assert ulps(got[0, 0], truth) <= 2.0
    assert got[2, 0] == 2.0


def test_elementwise_kernel_broadcasts_and_takes_scalars():
    kernel = compiled.elementwise_kernel("primitives.xlogy(x, y) + w", ["x", "y", "w"])
    x = np.array([[0.0], [0.5]])
    y = np.array([0.25, 0.0, 1.0])
    got = kernel(x, y, 2.0)
    assert got.shape == (2, 3)
    expected = primitives.xlogy(np.broadcast_to(x, (2, 3)), np.broadcast_to(y, (2, 3))) + 2.0
    assert np.array_equal(got, expected)
    assert np.array_equal(kernel(x, y, np.full((2, 3), 2.0)), expected)  # array w
    assert np.array_equal(kernel(x, y, np.broadcast_to(2.0, (2, 3))), expected)  # strides 0


def test_elementwise_kernel_that_numba_cannot_compile_raises_its_error():
    with pytest.raises(compiled.CompileError):
        compiled.elementwise_kernel("primitives.no_such_node(x)", ["x"])


def test_sum_terms_falls_back_to_numpy_for_tables_and_captured_values():
    a = np.random.default_rng(4).uniform(0, 1, (3, 4, 5))
    assert np.array_equal(compiled.sum_terms(lambda p: p * p, a, axes=2),
                          primitives.sum_terms(lambda p: p * p, a, axes=2))
    scale = 3.0
    got = compiled.sum_terms(lambda p: scale * p, a[0])
    assert np.allclose(got, 3.0 * a[0].sum(-1, keepdims=True))


def test_compiled_sum_is_accurate():
    x = np.full((2, 10 ** 6), 0.1)
    x[1, ::2] = 1e16
    x[1, 1::2] = -1e16
    got = compiled.sum_terms(lambda t: t, x)
    assert got[0, 0] == math.fsum(x[0]) and got[1, 0] == math.fsum(x[1])


def test_backend_switch():
    assert set(available_backends()) == {"numpy", "numba"}
    with use_backend("numpy"):
        assert current_backend() == "numpy"
        numpy_value = kernels.log_softmax(np.array([100.0, 0, 0, 0, 0]))
    with use_backend("numba"):
        assert current_backend() == "numba"
        numba_value = kernels.log_softmax(np.array([100.0, 0, 0, 0, 0]))
    with mpmath.workdps(60):
        truth = -mpmath.log1p(4 * mpmath.exp(-100))
    assert ulps(numpy_value[0], truth) <= 1.0 and ulps(numba_value[0], truth) <= 1.0
    with pytest.raises(ValueError, match="not available"):
        with use_backend("cuda"):
            pass


def test_an_unknown_backend_in_the_environment_is_an_error():
    code = "from symbinfo import kernels; kernels.entropy([0.5, 0.5])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "SYMBINFO_KERNELS": "fortran"}, check=False)
    assert result.returncode != 0
    assert "kernel backend 'fortran' is not available" in result.stderr


def test_the_check_command_refuses_an_unknown_backend_in_the_environment():
    result = subprocess.run([sys.executable, "-c", "import sys; from symbinfo.cli import main; "
                             "sys.exit(main(['kernels', '--check']))"],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "SYMBINFO_KERNELS": "fortran"})
    assert result.returncode == 2
    assert "kernel backend 'fortran' is not available" in result.stderr
