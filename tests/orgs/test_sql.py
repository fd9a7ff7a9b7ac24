"""orgs.sql: rows of queries written in SQL read as the ORM reads them, on either database."""

import datetime

import pytest
from django.utils import timezone

from orgs.models import Product, Scenario
from orgs.scenarios import copy_organization
from orgs.sql import column, fetch, table
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_dates_and_json_read_as_the_orm_reads_them():
    ProductFactory(
        name="Payments",
        markets=["EU SMB", "US <enterprise>"],
        personas=[],
        roadmap_updated_on=datetime.date(2026, 9, 1),
        last_customer_interview_on=None,
        roadmap_reviews_cancelled=2,
    )
    fields = ["markets", "personas", "roadmap_updated_on", "last_customer_interview_on"]
    [row] = fetch(f"SELECT {', '.join(fields)} FROM {table(Product)}", [])
    read = [column(Product, name)(value) for name, value in zip(fields, row, strict=True)]
    assert read == [["EU SMB", "US <enterprise>"], [], datetime.date(2026, 9, 1), None]
    assert read == list(Product.objects.values_list(*fields).get())


def test_a_time_is_read_with_its_zone(organization):
    owner = MembershipFactory(organization=organization).user
    scenario = copy_organization(organization, name="Try", user=owner)
    [(created,)] = fetch(
        f"SELECT created_at FROM {table(Scenario)} WHERE organization_id = %s", [scenario.pk]
    )
    created = column(Scenario, "created_at")(created)
    assert timezone.is_aware(created)
    assert created == Scenario.objects.get(pk=scenario.pk).created_at


def test_parameters_are_passed_apart_from_the_sql():
    ProductFactory(name="O'Brien; DROP TABLE x")
    ProductFactory(name="Other")
    rows = fetch(f"SELECT name FROM {table(Product)} WHERE name = %s", ["O'Brien; DROP TABLE x"])
    assert rows == [("O'Brien; DROP TABLE x",)]
