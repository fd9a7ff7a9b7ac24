"""Reading the facts of a few people out of a stored assessment, on either database."""

from datetime import date

import pytest
from django.db import connection

from advisor.services import run_assessment
from advisor.stored import stored_people_facts
from tests.factories import build_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment():
    return run_assessment(build_organization(6), as_of=date(2026, 11, 23))[2]


class TestStoredPeopleFacts:
    def test_the_entries_at_the_places_asked_in_order_in_one_query(
        self, assessment, django_assert_num_queries
    ):
        people = assessment.facts["people"]
        with django_assert_num_queries(1):
            found = stored_people_facts(assessment, {7, 0, 3})
        assert found == [people[0], people[3], people[7]]

    def test_places_past_the_end_are_left_out(self, assessment):
        people = assessment.facts["people"]
        assert stored_people_facts(assessment, [len(people) - 1, len(people), 10_000]) == [
            people[-1]
        ]

    def test_no_places_no_query(self, assessment, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert stored_people_facts(assessment, []) == []

    def test_another_database_decodes_the_facts_and_picks_them(self, assessment, monkeypatch):
        people = assessment.facts["people"]
        monkeypatch.setattr(connection, "vendor", "another")
        assert stored_people_facts(assessment, [5, 1]) == [people[1], people[5]]
