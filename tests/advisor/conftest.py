"""Fixtures of the advisor's tests; the organization and the clients are in tests/conftest.py."""

from datetime import date

import pytest

from advisor.models import Assessment
from advisor.services import run_assessment
from tests.advisor.scenarios import small_payments


@pytest.fixture
def growth():
    """Payments small, before it grows (tests/advisor/scenarios.py)."""
    return small_payments()


@pytest.fixture
def assessment(acme) -> Assessment:
    """Acme assessed as of 23 Nov 2026 (Payments: split)."""
    return run_assessment(acme, as_of=date(2026, 11, 23))[2]


@pytest.fixture(autouse=True)
def one_published_version(request) -> None:
    """The ruleset as one published version, v1, of the rules in force.

    The migrations publish v1 (0003) and v2 (0007, the notes) on a new database; the
    advisor's tests count versions from one published version, as they were written to.
    A test marked `migrated_versions` sees the versions as the migrations left them.
    """
    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "django_db_setup")
    )
    if not uses_database or request.node.get_closest_marker("migrated_versions"):
        return
    request.getfixturevalue("db")
    from advisor.models import RulesetVersion

    versions = RulesetVersion.objects.order_by("-number")
    latest = versions.first()
    if latest is None or latest.number == 1 or latest.assessments.exists():
        return
    versions.exclude(pk=latest.pk).delete()
    versions.filter(pk=latest.pk).update(
        number=1, note="The rules in force when ruleset versions were introduced."
    )
