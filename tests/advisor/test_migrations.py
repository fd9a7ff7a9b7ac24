"""Migration 0003 on a database with assessments made before ruleset versions existed, run
by Django's migration executor: back to 0002, old rows written, forward again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from advisor.defaults import DEFAULT_HEURISTICS

BEFORE = [("advisor", "0002_default_heuristics")]
AFTER = [("advisor", "0003_ruleset_versions")]
OLD_FINDING_SOURCE = 'pm-vs-po-split-or-merge.txt: "You have 3+ squads"'
EDITED_SOURCE = 'Team lore; pm-vs-po-roles-and-hiring.txt: "you likely don\'t need a product owner"'


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0002():
    """The database as it was before 0003; back at the latest migrations afterwards."""
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestRulesetVersionsMigration:
    def test_earlier_assessments_get_a_rebuilt_version_and_the_rules_in_force_a_new_one(
        self, at_0002
    ):
        old = at_0002
        organization = old.get_model("orgs", "Organization").objects.create(
            name="Acme", slug="acme"
        )
        old.get_model("advisor", "Heuristic").objects.filter(code="no-po-without-scrum").update(
            source=EDITED_SOURCE
        )
        finding = {"heuristic": "split-three-plus-squads", "source": OLD_FINDING_SOURCE}
        old.get_model("advisor", "Assessment").objects.create(
            organization=organization,
            as_of="2026-11-23",
            ruleset_version="0123456789ab",
            facts={},
            report={
                "organization": "Acme",
                "ruleset_version": "0123456789ab",
                "products": [{"name": "Payments", "findings": [finding]}],
                "people": [],
                "squads": [],
            },
        )

        new = migrate(AFTER)

        versions = list(
            new.get_model("advisor", "RulesetVersion")
            .objects.order_by("number")
            .values_list("number", "rebuilt", "digest")
        )
        assert [(number, rebuilt) for number, rebuilt, _ in versions] == [(1, True), (2, False)]
        assert versions[0][2] == versions[1][2]
        assessment = new.get_model("advisor", "Assessment").objects.get()
        assert assessment.ruleset.number == 1
        assert assessment.report["ruleset_version"] == "v1"
        (payments,) = assessment.report["products"]
        assert payments["findings"] == [
            {
                "heuristic": "split-three-plus-squads",
                "sources": [
                    {
                        "title": "The Role Confusion Problem",
                        "quote": "You have 3+ squads",
                        "link": "",
                    }
                ],
            }
        ]
        sources = dict(new.get_model("advisor", "Heuristic").objects.values_list("code", "sources"))
        assert sources.pop("no-po-without-scrum") == [
            {"title": "Untitled source", "quote": "Team lore", "link": ""},
            {
                "title": "Product manager vs product owner",
                "quote": "you likely don't need a product owner",
                "link": "",
            },
        ]
        assert sources == {
            row["code"]: row["sources"]
            for row in DEFAULT_HEURISTICS
            if row["code"] != "no-po-without-scrum"
        }

    def test_a_database_without_assessments_gets_v1_alone(self, at_0002):
        new = migrate(AFTER)
        versions = new.get_model("advisor", "RulesetVersion").objects.values_list(
            "number", "rebuilt"
        )
        assert list(versions) == [(1, False)]
