"""Shared test configuration: hypothesis profiles, mpmath precision, no silent skips in CI."""

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
