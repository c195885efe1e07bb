"""Shared test configuration: hypothesis profiles, mpmath hygiene, the ``slow`` marker."""

from __future__ import annotations

import os

import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _reset_mpmath_globals():
    """Library code must never touch mpmath's global precision; fail loudly if it does."""
    before = (mpmath.mp.prec, mpmath.mp.pretty)
    yield
    after = (mpmath.mp.prec, mpmath.mp.pretty)
    mpmath.mp.prec, mpmath.mp.pretty = before
    assert after == before, f"mpmath global state changed from {before} to {after}"
