"""Migration 0007 on a database whose merge-small-team is the old default: rewritten as
DOMAIN.md revised it, an admin's thresholds carried over, a new ruleset version published;
an edited condition left as its admin wrote it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from advisor.defaults import DEFAULT_HEURISTICS
from tests.advisor.test_migrations import migrate

BEFORE = [("advisor", "0009_scheduled_assessments")]
AFTER = [("advisor", "0010_plan_explanations_stable_merge")]
MIGRATION = "advisor.migrations.0010_plan_explanations_stable_merge"
NEW_MERGE = next(row for row in DEFAULT_HEURISTICS if row["code"] == "merge-small-team")


@pytest.fixture
def at_0006():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def old_rules(apps, **parameters):
    from importlib import import_module

    module = import_module(MIGRATION)
    heuristics = apps.get_model("advisor", "Heuristic").objects
    heuristics.filter(code="merge-small-team").update(
        condition=module.OLD_MERGE_CONDITION,
        parameters={
            "max_squads": 2,
            "max_markets": 1,
            "max_personas": 1,
            "max_backlog_share": 40,
            **parameters,
        },
        message=module.OLD_MERGE_MESSAGE,
        description=module.OLD_MERGE_DESCRIPTION,
    )
    heuristics.filter(code="no-po-without-scrum").update(message=module.OLD_NO_PO_MESSAGE)
    # As a database from before 0007 has them: published, the version in force.
    from advisor.rulesets import RuleModels, publish_from

    publish_from(RuleModels.of(apps), note="The old rules.")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestRevisedMergeMigration:
    def test_the_old_default_becomes_the_new_one_and_a_version_is_published(self, at_0006):
        old_rules(at_0006)
        versions = at_0006.get_model("advisor", "RulesetVersion").objects
        before = versions.count()
        new = migrate(AFTER)
        merge = new.get_model("advisor", "Heuristic").objects.get(code="merge-small-team")
        assert merge.condition == NEW_MERGE["condition"]
        assert merge.parameters == NEW_MERGE["parameters"]
        assert merge.message == NEW_MERGE["message"]
        no_po = new.get_model("advisor", "Heuristic").objects.get(code="no-po-without-scrum")
        assert "covers the role" not in no_po.message
        latest = new.get_model("advisor", "RulesetVersion").objects.order_by("-number").first()
        assert new.get_model("advisor", "RulesetVersion").objects.count() == before + 1
        (entry,) = [h for h in latest.content["heuristics"] if h["code"] == "merge-small-team"]
        assert entry["condition"] == NEW_MERGE["condition"]

    def test_an_admins_thresholds_carry_over_to_the_new_names(self, at_0006):
        old_rules(at_0006, max_squads=3, max_markets=2, max_backlog_share=35)
        new = migrate(AFTER)
        merge = new.get_model("advisor", "Heuristic").objects.get(code="merge-small-team")
        assert merge.parameters == {
            "min_squads": 4,
            "min_markets": 3,
            "max_personas": 1,
            "max_backlog_share": 35,
        }

    def test_an_edited_condition_is_left_as_its_admin_wrote_it(self, at_0006):
        edited = {"fact": "squads", "op": "<=", "param": "max_squads"}
        at_0006.get_model("advisor", "Heuristic").objects.filter(code="merge-small-team").update(
            condition=edited, parameters={"max_squads": 1}
        )
        versions = at_0006.get_model("advisor", "RulesetVersion").objects.count()
        new = migrate(AFTER)
        merge = new.get_model("advisor", "Heuristic").objects.get(code="merge-small-team")
        assert (merge.condition, merge.parameters) == (edited, {"max_squads": 1})
        assert new.get_model("advisor", "RulesetVersion").objects.count() == versions
