"""Fixtures of the advisor's tests; the organization and the clients are in tests/conftest.py."""

from datetime import date

import pytest

from advisor.models import Assessment
from advisor.services import run_assessment


@pytest.fixture
def assessment(acme) -> Assessment:
    """Acme assessed as of 23 Nov 2026 (Payments: split)."""
    return run_assessment(acme, as_of=date(2026, 11, 23))[2]
