"""Fixtures shared by tests/orgs and tests/advisor: an organization, logged-in clients with each
role in it, and Acme, the small organization the advice pages are tested on.

`organization` and `acme` are the same organization (named Acme, slug `acme`): `acme` is it
with its products, squads and people, so `make_client` and `member` give clients of the same
organization and a test may ask for both.
"""

from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client

from orgs.models import MemberRole, Organization
from tests.factories import OrganizationFactory, PersonFactory, ProductFactory, SquadFactory
from tests.helpers import client_for


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Ids come again after a test's rollback: no test sees HTML another one rendered."""
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def organization(db) -> Organization:
    return OrganizationFactory(name="Acme")


@pytest.fixture
def make_client(organization):
    """A logged-in client for a new user with the given role in the organization (None: no role)."""

    def make(role: str | None) -> Client:
        return client_for(organization, role)

    return make


@pytest.fixture
def owner_client(make_client) -> Client:
    return make_client(MemberRole.OWNER)


@pytest.fixture
def editor_client(make_client) -> Client:
    return make_client(MemberRole.EDITOR)


@pytest.fixture
def viewer_client(make_client) -> Client:
    return make_client(MemberRole.VIEWER)


@pytest.fixture
def stranger_client(make_client) -> Client:
    return make_client(None)


@pytest.fixture
def acme(organization) -> Organization:
    """Payments: three Scrum squads; Dana Lee, its PM, serves all three and spends 55% on the
    backlog; Pat Kim, a PO, serves Checkout with roadmap ownership and research unknown; both
    report up to Sam Ortiz, the CEO."""
    payments = ProductFactory(
        organization=organization,
        name="Payments",
        markets=["EU SMB"],
        personas=["Merchant"],
        roadmap_updated_on=date(2026, 11, 1),
        last_customer_interview_on=date(2026, 11, 1),
        roadmap_reviews_cancelled=0,
    )
    checkout = SquadFactory(product=payments, name="Checkout", engineers=6)
    billing = SquadFactory(product=payments, name="Billing", engineers=5)
    ledger = SquadFactory(product=payments, name="Ledger", engineers=4)
    sam = PersonFactory(organization=organization, name="Sam Ortiz", title="CEO")
    dana = PersonFactory(
        organization=organization,
        name="Dana Lee",
        title="Product Manager",
        reports_to=sam,
        squads=[checkout, billing, ledger],
        time_backlog=55,
        time_strategy=10,
        time_discovery=5,
        time_stakeholders=20,
        time_ceremonies=10,
        owns_roadmap=True,
        does_market_research=True,
    )
    PersonFactory(
        organization=organization,
        name="Pat Kim",
        title="Product Owner",
        reports_to=dana,
        squads=[checkout],
        time_backlog=70,
        time_ceremonies=30,
    )
    return organization


@pytest.fixture
def member(acme, make_client):
    """A logged-in client for a new user with this role in Acme (None: not a member)."""
    return make_client
