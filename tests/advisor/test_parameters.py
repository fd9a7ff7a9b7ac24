"""Parameters belong to the ruleset, named once: one value for every heuristic that reads it,
held once in the ruleset document; versions published before still run as they did; an
edit that lets split and merge fire on the same facts is warned of."""

import dataclasses
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisor.defaults import (
    DEFAULT_EXAMPLES,
    DEFAULT_HEURISTICS,
    DEFAULT_PARAMETERS,
    NOTE_HEURISTICS,
    default_specs,
)
from advisor.engine.overlaps import opposing_overlaps
from advisor.engine.ruleset import ruleset_from_content
from advisor.models import Heuristic, Parameter
from advisor.services import run_assessment
from tests.advisor.admin_forms import heuristic_form
from tests.advisor.builders import person, product, run, snapshot, squad
from tests.advisor.scenarios import latest_version as latest
from tests.advisor.scenarios import set_parameter
from tests.factories import (
    OrganizationFactory,
    ParameterFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)
from tests.helpers import migrate, migrated_back_to

AS_OF = date(2026, 11, 23)


def fired_codes(result) -> list[str]:
    return [f.heuristic for f in result.findings_for(result.facts.products[0])]


def only(specs, *codes):
    return [s for s in specs if s.code in codes]


class TestTheDefaults:
    def test_declare_each_parameter_with_one_value(self):
        declared: dict[str, set] = {}
        for row in (*DEFAULT_HEURISTICS, *NOTE_HEURISTICS):
            for name, value in row.get("parameters", {}).items():
                declared.setdefault(name, set()).add(value)
        assert {name: values for name, values in declared.items() if len(values) > 1} == {}
        assert DEFAULT_PARAMETERS == {
            "max_backlog_share": 40,
            "max_interview_age_days": 90,
            "max_personas": 1,
            "max_pm_ceremonies_share": 25,
            "max_roadmap_age_days": 90,
            "min_markets": 2,
            "min_reviews_cancelled": 2,
            "min_squads": 3,
            "min_strategic_share": 15,
        }

    def test_split_and_merge_read_the_same_lines(self):
        specs = {s.code: s for s in default_specs()}
        merge = specs["merge-small-team"].parameters
        assert merge == {
            "min_squads": 3,
            "min_markets": 2,
            "max_personas": 1,
            "max_backlog_share": 40,
        }
        assert specs["split-three-plus-squads"].parameters == {"min_squads": 3}
        assert specs["split-multiple-markets"].parameters == {"min_markets": 2}

    def test_no_split_and_merge_fire_on_the_same_facts(self):
        assert opposing_overlaps(default_specs()) == []


@pytest.mark.django_db
class TestTheRulesetHoldsParametersOnce:
    def test_the_document_has_one_table_and_the_heuristics_none(self):
        content = latest().content
        assert content["parameters"] == DEFAULT_PARAMETERS
        assert all("parameters" not in h for h in content["heuristics"])
        assert dict(Parameter.objects.values_list("name", "value")) == DEFAULT_PARAMETERS

    def test_one_edit_moves_split_and_merge_together(self):
        """The issue's case: split's backlog line at 25% while merge's stayed at 40% told a
        product both. Now there is one line."""
        org = OrganizationFactory()
        product = ProductFactory(organization=org, name="Payments")
        squad = SquadFactory(product=product, name="Checkout")
        PersonFactory(
            organization=org,
            title="Product Manager",
            squads=[squad],
            time_backlog=30,
            time_strategy=20,
            owns_roadmap=True,
        )
        set_parameter("max_backlog_share", 25)
        _, document, _ = run_assessment(org, as_of=AS_OF, save=False)
        (payments,) = document["products"]
        assert payments["verdict"] == "split"
        assert [f["heuristic"] for f in payments["findings"]] == ["split-backlog-overload"]
        assert payments["findings"][0]["thresholds"] == {"max_backlog_share": 25}

    def test_a_value_that_breaks_a_heuristic_reading_it_is_refused_naming_it(self):
        parameter = Parameter.objects.get(name="min_squads")
        parameter.value = "scrum"
        with pytest.raises(ValidationError) as caught:
            parameter.full_clean()
        (first, second) = caught.value.message_dict["value"]
        assert first.startswith(
            "split-three-plus-squads would break: condition.any[0]: parameter min_squads "
            "'scrum' does not fit squads, which takes a number"
        )
        assert second.startswith("merge-small-team would break: ")

    def test_a_value_that_is_no_number_name_or_boolean_is_refused(self):
        parameter = Parameter(name="min_squads", value=[3])
        with pytest.raises(ValidationError) as caught:
            parameter.full_clean(exclude=["name"])
        assert caught.value.message_dict["value"] == [
            "must be a number, true/false or a role/methodology name, not a list of 1"
        ]

    def test_a_heuristic_reads_a_new_parameter_once_it_is_defined(self):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        heuristic.condition = {"fact": "personas", "op": ">=", "param": "min_personas"}
        heuristic.examples = []
        with pytest.raises(ValidationError):
            heuristic.full_clean()
        Parameter.objects.create(name="min_personas", value=3)
        heuristic.full_clean()
        heuristic.save()
        assert latest().content["parameters"]["min_personas"] == 3


class TestOldVersionsRunAsTheyDid:
    """A version published before parameters belonged to the ruleset holds them per
    heuristic, and may hold two values of one name: each heuristic reads its own."""

    OLD = {
        "format": "team-structure-advisor/ruleset/v1",
        "heuristics": [
            {
                **{k: v for k, v in row.items() if k not in ("examples",)},
                "scope": str(row["scope"]),
                "state": "on",
                "position": i,
                "parameters": {"max_backlog_share": 25}
                if row["code"] == "split-backlog-overload"
                else {**DEFAULT_PARAMETERS}
                if row["code"] == "merge-small-team"
                else row["parameters"],
            }
            for i, row in enumerate(DEFAULT_HEURISTICS)
        ],
        "title_patterns": [],
        "staffing": {
            "pms_per_product": "1.00",
            "pos_per_scrum_squad": "1.00",
            "scope_votes_needed": 3,
        },
    }

    def test_each_heuristic_reads_its_own_parameters(self):
        ruleset = ruleset_from_content(json.loads(json.dumps(self.OLD)))
        assert ruleset.notes == ()
        assert ruleset.parameters == {}
        dana = person("Dana Lee", 100, squad_ids=(10,), time={"backlog": 30}, owns_roadmap=True)
        snap = snapshot(products=[product()], squads=[squad("S", id=10)], people=[dana])
        result = run(snap, list(ruleset.heuristics))
        codes = set(fired_codes(result))
        # Told both, as such a version told it: it is kept as it was.
        assert {"split-backlog-overload", "merge-small-team"} <= codes

    def test_a_table_overrides_nothing_a_heuristic_carries_itself(self):
        content = {**json.loads(json.dumps(self.OLD)), "parameters": {"max_backlog_share": 60}}
        ruleset = ruleset_from_content(content)
        overload = next(h for h in ruleset.heuristics if h.code == "split-backlog-overload")
        assert overload.parameters == {"max_backlog_share": 25}


class TestANewDocumentWithATable:
    def test_a_name_the_table_lacks_skips_the_heuristic_with_a_note(self):
        content = {
            "format": "team-structure-advisor/ruleset/v1",
            "parameters": {"min_squads": 3},
            "heuristics": [
                {
                    "code": "split-multiple-markets",
                    "name": "Several markets",
                    "state": "on",
                    "scope": "product",
                    "condition": {"fact": "markets", "op": ">=", "param": "min_markets"},
                    "outcome": "split",
                    "severity": "warning",
                    "message": "{subject}",
                    "sources": [{"title": "T", "quote": "Q", "link": ""}],
                }
            ],
        }
        ruleset = ruleset_from_content(content)
        (spec,) = ruleset.heuristics
        assert spec.parameters == {}
        assert ruleset.parameters == {"min_squads": 3}

    def test_a_bad_table_entry_is_left_out_with_a_note(self):
        ruleset = ruleset_from_content({"parameters": {"min_squads": 3, "bad name": 1}})
        assert ruleset.parameters == {"min_squads": 3}
        assert ruleset.notes[0].startswith("parameters: 'bad name' is not a name")


class TestOverlaps:
    def merge_with(self, clause):
        merge = only(default_specs(), "merge-small-team")[0]
        condition = {"all": [clause, *merge.condition["all"][1:]]}
        return dataclasses.replace(merge, condition=condition)

    def test_a_literal_line_past_the_split_line_meets_it(self):
        specs = [
            *only(default_specs(), "split-three-plus-squads", "split-backlog-overload"),
            self.merge_with({"fact": "squads", "op": "<=", "value": 3}),
        ]
        (overlap,) = opposing_overlaps(specs)
        assert str(overlap) == (
            "split-three-plus-squads (split) and merge-small-team (merge) both fire where "
            "squads is 3"
        )

    def test_heuristics_on_different_facts_do_not_meet(self):
        specs = only(default_specs(), "split-strategy-stalled", "merge-small-team")
        assert opposing_overlaps(specs) == []

    def test_only_pairs_with_the_edited_heuristic_when_asked(self):
        specs = [
            *only(default_specs(), "split-three-plus-squads"),
            self.merge_with({"fact": "squads", "op": "<=", "value": 3}),
        ]
        assert opposing_overlaps(specs, involving="split-multiple-markets") == []
        assert len(opposing_overlaps(specs, involving="merge-small-team")) == 1


@pytest.mark.django_db
class TestParameterAdmin:
    def test_lists_each_parameter_with_the_heuristics_reading_it(self, admin_client):
        response = admin_client.get(reverse("admin:advisor_parameter_changelist"))
        html = response.content.decode()
        assert [p.name for p in response.context["cl"].result_list] == sorted(DEFAULT_PARAMETERS)
        assert "split-three-plus-squads, merge-small-team" in html

    def test_the_list_reads_the_heuristics_once_whatever_the_number_of_parameters(
        self, admin_client
    ):
        url = reverse("admin:advisor_parameter_changelist")
        admin_client.get(url)
        with CaptureQueriesContext(connection) as few:
            admin_client.get(url)
        ParameterFactory.create_batch(6)
        with CaptureQueriesContext(connection) as more:
            response = admin_client.get(url)
        assert len(response.context["cl"].result_list) == len(DEFAULT_PARAMETERS) + 6
        assert len(more) == len(few)

    def test_a_value_is_typed_as_text(self, admin_client):
        parameter = Parameter.objects.get(name="max_backlog_share")
        response = admin_client.post(
            reverse("admin:advisor_parameter_change", args=[parameter.pk]),
            {"value": "37.5", "description": "Backlog line.", "_publish": "1"},
        )
        assert response.status_code == 302
        parameter.refresh_from_db()
        assert (parameter.value, parameter.description) == (37.5, "Backlog line.")

    def test_a_refused_value_names_the_heuristic_it_would_break(self, admin_client):
        parameter = Parameter.objects.get(name="min_markets")
        response = admin_client.post(
            reverse("admin:advisor_parameter_change", args=[parameter.pk]),
            {"value": "true", "description": ""},
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["value"]
        assert errors[0].startswith("split-multiple-markets would break: ")
        parameter.refresh_from_db()
        assert parameter.value == 2

    def test_a_parameter_a_heuristic_reads_cannot_be_deleted(self, admin_client):
        parameter = Parameter.objects.get(name="min_markets")
        url = reverse("admin:advisor_parameter_delete", args=[parameter.pk])
        page = admin_client.get(url).content.decode()
        assert "Heuristic “split-multiple-markets” reads min_markets" in page
        admin_client.post(url, {"post": "yes"})
        assert Parameter.objects.filter(name="min_markets").exists()

    def test_an_unread_parameter_is_deleted(self, admin_client):
        parameter = Parameter.objects.create(name="spare_line", value=1)
        url = reverse("admin:advisor_parameter_delete", args=[parameter.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 200  # the preview
        assert admin_client.post(url, {"post": "yes", "_publish": "1"}).status_code == 302
        assert not Parameter.objects.filter(name="spare_line").exists()
        assert "spare_line" not in latest().content["parameters"]

    def test_a_heuristic_edit_that_meets_split_is_saved_with_a_warning(self, admin_client):
        heuristic = Heuristic.objects.get(code="merge-small-team")
        condition = json.loads(json.dumps(heuristic.condition))
        condition["all"][0] = {"fact": "squads", "op": "<=", "value": 3}
        data = heuristic_form(
            heuristic,
            condition=json.dumps(condition),
            # Its own examples would refuse the edit ("squads at the split line").
            examples="[]",
        )
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]), data, follow=True
        )
        shown = [str(m) for m in response.context["messages"]]
        assert (
            "Saved, but split-three-plus-squads (split) and merge-small-team (merge) both fire "
            "where squads is 3: a product there would be told to split and to merge."
        ) in shown


@pytest.fixture
def at_0010():
    """The database just before the parameters' migration, 0011."""
    yield from migrated_back_to("advisor", "0010_plan_explanations_stable_merge")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestTheMigration:
    def test_per_heuristic_parameters_become_the_rulesets_whatever_rows_exist(self, at_0010):
        """As another branch's migrations may leave them: a note heuristic with a parameter
        of its own, merge-small-team on max_squads, and split's backlog line moved."""
        Heuristic = at_0010.get_model("advisor", "Heuristic")
        Heuristic.objects.filter(code="merge-small-team").update(
            condition={
                "all": [
                    {"fact": "squads", "op": "<=", "param": "max_squads"},
                    {"fact": "markets", "op": "<=", "param": "max_markets"},
                    {"fact": "pm_backlog_share", "op": "<=", "param": "max_backlog_share"},
                ]
            },
            parameters={"max_squads": 2, "max_markets": 1, "max_backlog_share": 40},
            message="{subject}: squads {squads} (up to {max_squads}), markets {markets} "
            "(up to {max_markets}).",
        )
        Heuristic.objects.filter(code="split-backlog-overload").update(
            parameters={"max_backlog_share": 35}
        )
        Heuristic.objects.filter(code="note-pm-in-ceremonies").update(
            name="PM in ceremonies",
            condition={"fact": "ceremonies_share", "op": ">", "param": "max_pm_ceremonies_share"},
            parameters={"max_pm_ceremonies_share": 25},
            outcome="retitle",
            message="{subject}",
        )

        new = migrate([("advisor", "0011_ruleset_parameters")])

        table = dict(new.get_model("advisor", "Parameter").objects.values_list("name", "value"))
        assert table == {
            "max_backlog_share": 35,
            "max_interview_age_days": 90,
            "max_pm_ceremonies_share": 25,
            "max_roadmap_age_days": 90,
            "min_markets": 2,
            "min_reviews_cancelled": 2,
            "min_squads": 3,
            "min_strategic_share": 15,
        }
        merge = new.get_model("advisor", "Heuristic").objects.get(code="merge-small-team")
        assert merge.condition["all"][:2] == [
            {"fact": "squads", "op": "<", "param": "min_squads"},
            {"fact": "markets", "op": "<", "param": "min_markets"},
        ]
        assert merge.message == (
            "{subject}: squads {squads} (below {min_squads}), markets {markets} "
            "(below {min_markets})."
        )
        rows = new.get_model("advisor", "Heuristic").objects.values_list("parameters", flat=True)
        assert all(parameters == {} for parameters in rows)
        version = new.get_model("advisor", "RulesetVersion").objects.order_by("-number").first()
        assert version.content["parameters"] == table
        assert version.note == (
            "Parameters belong to the ruleset, named once. merge-small-team had "
            "max_backlog_share 40, split-backlog-overload 35: 35 kept; merge-small-team reads "
            "max_markets + 1 as min_markets; merge-small-team reads max_squads + 1 as min_squads; "
            "merge-small-team left without examples: its condition differs from the default's; "
            "note-pm-in-ceremonies left without examples: its condition differs from the "
            "default's."
        )
        examples = dict(
            new.get_model("advisor", "Heuristic").objects.values_list("code", "examples")
        )
        assert examples["split-three-plus-squads"] == DEFAULT_EXAMPLES["split-three-plus-squads"]
        assert examples["merge-small-team"] == []
