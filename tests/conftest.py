"""Shared test configuration: hypothesis profiles, mpmath precision, no silent skips in CI, and
the kernel tests run once per kernel backend."""

from __future__ import annotations

import os

import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=30,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """Tests must not leak a changed global mpmath precision into each other."""
    dps = mpmath.mp.dps
    yield
    mpmath.mp.dps = dps


KERNEL_MODULES = {"test_accuracy", "test_kernels", "test_rewrite", "test_kl_normalised"}
"""The test modules that run once per kernel backend (NumPy, and numba where installed)."""


def pytest_generate_tests(metafunc):
    if "kernel_backend" in metafunc.fixturenames:
        from symbinfo.kernels.build import available_backends
        if os.environ.get("CI") and "numba" not in available_backends():
            raise RuntimeError("CI must test the numba kernel backend: numba is not installed")
        metafunc.parametrize("kernel_backend", available_backends(), indirect=True,
                             scope="module")


def pytest_collection_modifyitems(items):
    for item in items:  # the kernel modules' tests all take the backend fixture
        if isinstance(item, pytest.Function) and item.path.stem in KERNEL_MODULES:
            assert "kernel_backend" in item.fixturenames, item.nodeid


@pytest.fixture(scope="module")
def kernel_backend(request):
    """Run the module's tests with the kernels on ``request.param``."""
    from symbinfo.kernels.build import use_backend
    with use_backend(request.param):
        yield request.param
