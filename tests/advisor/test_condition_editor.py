"""A heuristic's condition edited as rows in the admin, without typing JSON."""

import json
from datetime import date

import pytest
from django.urls import reverse

from advisor.condition_editor import (
    ConditionEditor,
    RowsError,
    condition_from_rows,
    condition_rows,
    problems_by_row,
)
from advisor.defaults import DEFAULT_HEURISTICS
from advisor.engine.conditions import validate_condition
from advisor.engine.vocabulary import Scope
from advisor.models import Heuristic
from advisor.services import run_assessment
from tests.advisor.admin_forms import change_page, heuristic_form
from tests.factories import OrganizationFactory, ProductFactory, SquadFactory


def row(level, kind, fact="", op="", value="", param="", delete=""):
    return {
        "level": str(level),
        "kind": kind,
        "fact": fact,
        "op": op,
        "value": value,
        "param": param,
        "delete": delete,
    }


class TestRows:
    @pytest.mark.parametrize("default", DEFAULT_HEURISTICS, ids=lambda h: h["code"])
    def test_every_default_condition_goes_to_rows_and_back(self, default):
        condition, _ = condition_from_rows(condition_rows(default["condition"]))
        assert condition == default["condition"]

    def test_rows_nest_by_level_and_each_path_names_its_row(self):
        condition, paths = condition_from_rows(
            [
                row(0, "all"),
                row(1, "clause", "squads", "<", param="min_squads"),
                row(1, "any"),
                row(2, "clause", "pm_backlog_share", "is_unknown"),
                row(2, "clause", "pm_backlog_share", "<=", value="40"),
                row(1, "clause", "personas", "<=", value="1"),
                row(1, "", "", ""),  # a blank row offered to fill in
            ]
        )
        assert condition == {
            "all": [
                {"fact": "squads", "op": "<", "param": "min_squads"},
                {
                    "any": [
                        {"fact": "pm_backlog_share", "op": "is_unknown"},
                        {"fact": "pm_backlog_share", "op": "<=", "value": 40},
                    ]
                },
                {"fact": "personas", "op": "<=", "value": 1},
            ]
        }
        assert paths["condition.all[1].any[1]"] == 5
        assert paths["condition.all[2]"] == 6

    def test_a_removed_row_is_left_out(self):
        condition, _ = condition_from_rows(
            [
                row(0, "any"),
                row(1, "clause", "squads", ">=", param="min_squads"),
                row(1, "clause", "pm_squads", ">=", param="min_squads", delete="on"),
            ]
        )
        assert condition == {"any": [{"fact": "squads", "op": ">=", "param": "min_squads"}]}

    def test_a_row_at_fault_is_numbered_as_shown_again_without_removed_and_blank_rows(self):
        with pytest.raises(RowsError) as caught:
            condition_from_rows(
                [
                    row(0, "all"),
                    row(1, "clause", "squads", ">=", param="min_squads", delete="on"),
                    {"kind": "", "level": "1"},
                    row(1, "clause", "squads", ">=", value="x"),
                ]
            )
        assert caught.value.problems == ["row 2: squads is a number, not 'x'"]

    def test_a_valid_condition_too_long_for_rows_is_shown_whole_as_json(self):
        clause = {"fact": "squads", "op": ">=", "value": 3}
        condition = {"all": [{"any": [clause]} for _ in range(40)]}
        assert validate_condition(condition, scope=Scope.PRODUCT, parameters={}) == []

        widget = ConditionEditor().get_context("condition", condition, {})["widget"]

        assert json.loads(widget["typed"]) == condition
        assert widget["row_count"] == 3  # only the blank rows to add with

    def test_values_are_read_by_the_facts_type(self):
        condition, _ = condition_from_rows(
            [
                row(0, "all"),
                row(1, "clause", "is_scrum", "==", value="yes"),
                row(1, "clause", "engineers", ">", value="7.5"),
                row(1, "clause", "methodology", "==", value="kanban"),
            ]
        )
        assert [c["value"] for c in condition["all"]] == [True, 7.5, "kanban"]

    @pytest.mark.parametrize(
        ("rows", "problem"),
        [
            ([], "add at least one row: a clause, or a group of clauses"),
            ([row(1, "clause", "squads", "is_known")], "row 1: the first row is at level 0"),
            (
                [row(0, "clause", "squads", "is_known"), row(0, "clause", "markets", "is_known")],
                "row 2: only one row is at level 0; put this one inside a group",
            ),
            (
                [row(0, "all"), row(2, "clause", "squads", "is_known")],
                "row 2: at level 2, but its group is at level 0",
            ),
            ([row(0, "clause", "", ">")], "row 1: choose a fact"),
            ([row(0, "clause", "squads", "")], "row 1: choose an operator"),
            (
                [row(0, "clause", "squads", ">", value="3", param="min_squads")],
                "row 1: give a value or choose a parameter (one of them)",
            ),
            (
                [row(0, "clause", "squads", "is_unknown", value="3")],
                "row 1: is unknown compares with nothing: leave value and parameter empty",
            ),
            (
                [row(0, "clause", "squads", ">", value="three")],
                "row 1: squads is a number, not 'three'",
            ),
            (
                [row(0, "clause", "is_scrum", "==", value="maybe")],
                "row 1: is_scrum is yes or no, not 'maybe'",
            ),
        ],
    )
    def test_a_row_at_fault_is_named(self, rows, problem):
        with pytest.raises(RowsError) as caught:
            condition_from_rows(rows)
        assert caught.value.problems == [problem]

    def test_the_validators_paths_become_rows(self):
        paths = {"condition": 1, "condition.any[0]": 2, "condition.any[1]": 3}
        assert problems_by_row(
            ["condition.any[1]: unknown fact 'sqauds' for product heuristics"], paths
        ) == ["row 3: unknown fact 'sqauds' for product heuristics"]


def rows_form(heuristic: Heuristic, rows: list[dict], **changes) -> dict[str, str]:
    data = heuristic_form(heuristic, enabled="on") | {
        "condition": "",
        "condition-rows": str(len(rows)),
    }
    for i, r in enumerate(rows):
        data.update({f"condition-{i}-{key}": value for key, value in r.items()})
    data.update(changes)
    return data


@pytest.mark.django_db
class TestInTheAdmin:
    def test_the_change_page_shows_the_condition_as_rows(self, admin_client):
        html = change_page(admin_client, "split-three-plus-squads")
        # A group and two clauses, then three blank rows.
        assert 'name="condition-rows" value="6"' in html
        assert '<option value="any" selected>any of</option>' in html
        assert '<option value="pm_squads" data-type="int" title="a number" selected>' in html
        assert '<option value="min_squads" selected>min_squads</option>' in html
        assert 'src="/static/js/condition_editor.js"' in html

    def test_rows_posted_without_json_are_saved(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        rows = [
            row(0, "any"),
            row(1, "clause", "markets", ">=", param="min_markets"),
            row(1, "clause", "personas", ">=", value="4"),
            row(1, ""),
        ]
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            rows_form(heuristic, rows),
        )
        assert response.status_code == 302
        heuristic.refresh_from_db()
        assert heuristic.condition == {
            "any": [
                {"fact": "markets", "op": ">=", "param": "min_markets"},
                {"fact": "personas", "op": ">=", "value": 4},
            ]
        }

    def test_a_problem_is_named_by_its_row(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        rows = [row(0, "any"), row(1, "clause", "role", "==", value="product_owner")]
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            rows_form(heuristic, rows),
        )
        assert response.status_code == 200
        (error,) = response.context["adminform"].form.errors["condition"]
        assert error.startswith("row 2: unknown fact 'role' for product heuristics")
        # Shown again as posted.
        assert '<option value="role" data-type="role"' in response.content.decode()


@pytest.mark.django_db
class TestSourcesAsRows:
    def test_the_change_page_shows_each_source_as_a_row(self, admin_client):
        html = change_page(admin_client, "split-strategy-stalled")
        assert 'name="sources-rows" value="4"' in html  # two sources, two blank rows
        assert 'name="sources-0-title" value="The Role Confusion Problem"' in html

    def test_rows_posted_without_json_are_saved_and_blank_ones_left_out(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        data = {
            key: value
            for key, value in rows_form(
                heuristic, condition_rows(heuristic.condition), sources=""
            ).items()
        }
        data.update(
            {
                "sources-rows": "3",
                "sources-0-title": "Team lore",
                "sources-0-quote": "Markets\nneed owners.",
                "sources-0-link": "https://x.test/lore",
                "sources-1-title": "Old note",
                "sources-1-quote": "Remove me.",
                "sources-1-delete": "on",
            }
        )
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]), data
        )
        assert response.status_code == 302
        heuristic.refresh_from_db()
        assert heuristic.sources == [
            {"title": "Team lore", "quote": "Markets\nneed owners.", "link": "https://x.test/lore"}
        ]

    def test_a_bad_link_is_refused(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        data = rows_form(heuristic, condition_rows(heuristic.condition), sources="")
        data.update(
            {
                "sources-rows": "1",
                "sources-0-title": "Lore",
                "sources-0-quote": "Quoted.",
                "sources-0-link": "javascript:alert(1)",
            }
        )
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]), data
        )
        assert response.context["adminform"].form.errors["sources"] == [
            "sources[0].link: must be an http:// or https:// address"
        ]


@pytest.mark.django_db
def test_a_heuristic_added_as_rows_is_previewed_then_used_by_the_next_assessment(admin_client):
    org = OrganizationFactory(name="Acme")
    product = ProductFactory(organization=org, name="Payments")
    for i in range(9):
        SquadFactory(product=product, name=f"S{i}", engineers=8)
    data = {
        "code": "split-many-engineers",
        "name": "Many engineers",
        "position": "200",
        "enabled": "on",
        "scope": "product",
        "condition": "",
        "condition-rows": "2",
        "condition-0-level": "0",
        "condition-0-kind": "clause",
        "condition-0-fact": "engineers",
        "condition-0-op": ">=",
        "condition-0-value": "60",
        "condition-1-level": "1",
        "outcome": "split",
        "severity": "warning",
        "message": "{subject} has {engineers} engineers.",
        "sources": "",
        "sources-rows": "1",
        "sources-0-title": "Team lore",
        "sources-0-quote": "Sixty engineers need two roles.",
        "examples": json.dumps([{"facts": {"engineers": 60}, "fires": True}]),
    }
    url = reverse("admin:advisor_heuristic_add")
    preview = admin_client.post(url, data)
    assert preview.status_code == 200
    assert "<td>split-many-engineers</td><td>heuristic</td>" in preview.content.decode()
    assert not Heuristic.objects.filter(code="split-many-engineers").exists()
    assert admin_client.post(url, {**data, "_publish": "1"}).status_code == 302
    _, document, _ = run_assessment(org, as_of=date(2026, 11, 23), save=False)
    (payments,) = document["products"]
    finding = next(f for f in payments["findings"] if f["heuristic"] == "split-many-engineers")
    assert finding["message"] == "Payments has 72 engineers."
