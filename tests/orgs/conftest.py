"""Fixtures for the view tests: an organization with a member of each role, and their clients."""

import pytest
from django.test import Client

from orgs.models import MemberRole
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme")


@pytest.fixture
def make_client(organization):
    """A logged-in client for a new user with the given role in the organization (None: no role)."""

    def make(role: str | None) -> Client:
        user = UserFactory()
        if role is not None:
            MembershipFactory(organization=organization, user=user, role=role)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def owner_client(make_client):
    return make_client(MemberRole.OWNER)


@pytest.fixture
def editor_client(make_client):
    return make_client(MemberRole.EDITOR)


@pytest.fixture
def viewer_client(make_client):
    return make_client(MemberRole.VIEWER)


@pytest.fixture
def stranger_client(make_client):
    return make_client(None)
