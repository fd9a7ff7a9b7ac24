"""The admin where site admins tune the heuristics and settings, and read assessments."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from advisor.defaults import DEFAULT_HEURISTICS, NOTE_HEURISTICS
from advisor.models import AdvisorSettings, Assessment, Heuristic, RulesetVersion
from advisor.services import run_assessment
from tests.advisor.admin_forms import change_page, heuristic_form
from tests.advisor.scenarios import latest_version
from tests.factories import OrganizationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestHeuristicAdmin:
    def test_lists_every_heuristic_in_order_with_its_columns(self, admin_client):
        response = admin_client.get(reverse("admin:advisor_heuristic_changelist"))
        assert response.status_code == 200
        shown = [h.code for h in response.context["cl"].result_list]
        assert shown == [h["code"] for h in (*DEFAULT_HEURISTICS, *NOTE_HEURISTICS)]
        assert response.context["cl"].list_display == [
            "action_checkbox",
            "position",
            "code",
            "name",
            "scope",
            "outcome",
            "severity",
            "enabled",
            "shadow",
        ]

    def test_the_help_text_lists_the_facts_of_each_scope_and_the_operators(self, admin_client):
        html = change_page(admin_client, "split-three-plus-squads")
        assert '<abbr title="Squads working on the product.">squads</abbr> (int)' in html
        assert '<abbr title="Whether the squad works in Scrum.">is_scrum</abbr> (bool)' in html
        assert "<strong>person</strong>" in html
        assert "<code>is_unknown</code>" in html
        assert "squads ≥ min_squads (3) or pm_squads ≥ min_squads (3)" in html

    def test_refuses_an_unknown_fact_naming_the_clause(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        condition = (
            '{"any": [{"fact": "squads", "op": ">=", "param": "min_squads"}, '
            '{"fact": "pm_squadz", "op": ">=", "param": "min_squads"}]}'
        )
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, condition=condition),
        )
        assert response.status_code == 200
        (error,) = response.context["adminform"].form.errors["condition"]
        assert error.startswith(
            "condition.any[1]: unknown fact 'pm_squadz' for product heuristics (known: "
        )
        heuristic.refresh_from_db()
        assert heuristic.condition["any"][1]["fact"] == "pm_squads"

    def test_refuses_a_parameter_the_ruleset_does_not_define(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        condition = '{"fact": "markets", "op": ">=", "param": "min_marketz"}'
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, condition=condition),
        )
        (error,) = response.context["adminform"].form.errors["condition"]
        assert error.startswith("condition: unknown parameter 'min_marketz' (defined: ")
        assert "min_markets" in error

    def test_enabled_is_edited_in_the_list(self, admin_client):
        heuristics = list(Heuristic.objects.order_by("position", "code"))
        data = {
            "form-TOTAL_FORMS": str(len(heuristics)),
            "form-INITIAL_FORMS": str(len(heuristics)),
            "_save": "Save",
        }
        for i, h in enumerate(heuristics):
            data[f"form-{i}-id"] = str(h.pk)
            if h.code != "merge-small-team":
                data[f"form-{i}-enabled"] = "on"
        url = reverse("admin:advisor_heuristic_changelist")
        preview = admin_client.post(url, data)
        assert preview.status_code == 200
        assert "Nothing is saved yet." in preview.content.decode()
        assert not Heuristic.objects.filter(enabled=False).exists()
        response = admin_client.post(url, {**data, "_publish": "1", "_note": ""})
        assert response.status_code == 302
        assert list(Heuristic.objects.filter(enabled=False).values_list("code", flat=True)) == [
            "merge-small-team"
        ]

    def test_staff_only(self, client):
        client.force_login(UserFactory())
        response = client.get(reverse("admin:advisor_heuristic_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


class TestAdvisorSettingsAdmin:
    def test_no_second_row_and_no_delete(self, admin_client):
        row = AdvisorSettings.load()
        assert admin_client.get(reverse("admin:advisor_advisorsettings_add")).status_code == 403
        delete = reverse("admin:advisor_advisorsettings_delete", args=[row.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert AdvisorSettings.objects.count() == 1

    def test_the_row_may_be_added_when_there_is_none(self, admin_client):
        AdvisorSettings.objects.all().delete()
        assert admin_client.get(reverse("admin:advisor_advisorsettings_add")).status_code == 200


class TestAssessmentAdmin:
    def test_assessments_are_listed_and_read_only(self, admin_client):
        acme = OrganizationFactory(name="Acme")
        ProductFactory(organization=acme)
        assessment = run_assessment(acme, as_of=date(2026, 11, 23))[2]
        changelist = admin_client.get(reverse("admin:advisor_assessment_changelist"))
        assert [a.pk for a in changelist.context["cl"].result_list] == [assessment.pk]
        change = reverse("admin:advisor_assessment_change", args=[assessment.pk])
        page = admin_client.get(change)
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert admin_client.get(reverse("admin:advisor_assessment_add")).status_code == 403
        delete = reverse("admin:advisor_assessment_delete", args=[assessment.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert admin_client.post(change, {"as_of": "2020-01-01"}).status_code == 403
        assert Assessment.objects.get().as_of == date(2026, 11, 23)


def deep_groups(levels: int) -> dict:
    condition: dict = {"fact": "squads", "op": ">=", "param": "min_squads"}
    for _ in range(levels):
        condition = {"all": [condition]}
    return condition


class TestHostileHeuristicEdits:
    """Each is refused by the form with a message naming the field and path: never a 500,
    nothing saved, no version published."""

    CLAUSE = '{"fact": "squads", "op": ">=", "value": %s}'

    @pytest.mark.parametrize(
        ("field", "posted", "error"),
        [
            (
                "condition",
                json.dumps(deep_groups(7)),
                "condition" + ".all[0]" * 6 + ": groups nest at most 6 deep",
            ),
            (
                "condition",
                "[" * 25 + "]" * 25,
                "condition: nested more than 20 levels deep",
            ),
            (
                "condition",
                "[" * 100_000 + "]" * 100_000,
                "condition: at most 20,000 characters, not 200,000",
            ),
            (
                "condition",
                json.dumps({"any": [{"fact": "squads", "op": ">=", "value": 3}] * 51}),
                "condition: at most 50 clauses",
            ),
            ("condition", CLAUSE % "NaN", "condition.value: nan is not a finite number"),
            ("condition", CLAUSE % "-Infinity", "condition.value: -inf is not a finite number"),
            ("condition", CLAUSE % "1e999", "condition.value: inf is not a finite number"),
            (
                "condition",
                CLAUSE % ("9" * 5000),
                "condition.value: an integer of 5,000 digits is out of range "
                "(at most 1,000,000,000 either way)",
            ),
            (
                "condition",
                CLAUSE % "10000000000",
                "condition.value: 10000000000 is out of range (at most 1,000,000,000 either way)",
            ),
            (
                "condition",
                '{"any": [{"fact": "squads", "op": ">=", "value": "\\ud800"}]}',
                "condition.any[0].value: character 1 is half of a surrogate pair, not a character",
            ),
            (
                "condition",
                CLAUSE % '"thr\\u0000ee"',
                "condition.value: character 4 is the control character U+0000",
            ),
            (
                "condition",
                '{"fact": "squads", "fact": "markets", "op": ">=", "value": 2}',
                "condition: the key 'fact' appears more than once",
            ),
            (
                "condition",
                "{'fact': 'squads'}",
                "condition: not JSON: Expecting property name "
                "enclosed in double quotes (line 1, column 2)",
            ),
            (
                "sources",
                '[{"title": "Lore", "quote": "\\u001b[31mred", "link": ""}]',
                "sources[0].quote: character 1 is the control character U+001B",
            ),
            (
                "sources",
                '[{"title": "Lore", "quote": "Quoted.", "link": "javascript:alert(1)"}]',
                "sources[0].link: must be an http:// or https:// address",
            ),
            (
                "sources",
                '[{"title": "Lore", "quote": "Quoted.", "link": "https://exa mple.com/"}]',
                "sources[0].link: a web address has no spaces",
            ),
            (
                "sources",
                '[{"title": "Lore", "quote": "Quoted.", "link": "https://-/"}]',
                "sources[0].link: not a valid web address",
            ),
            ("sources", "[]", "This field is required."),
            (
                "message",
                "{subject} \x1b[2J",
                "message: character 11 is the control character U+001B",
            ),
            ("name", "Three\x00squads", "Null characters are not allowed."),
            ("name", "Three\x07squads", "name: character 6 is the control character U+0007"),
        ],
    )
    def test_is_refused_naming_the_field(self, admin_client, field, posted, error):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        before = heuristic_form(heuristic)
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, **{field: posted}),
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[field] == [error]
        heuristic.refresh_from_db()
        assert heuristic_form(heuristic) == before
        assert RulesetVersion.objects.count() == 1

    def test_a_refused_condition_is_shown_again_as_typed(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        typed = '{"fact": "squads", "op": ">=", "value": "\\ud800"}'
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, condition=typed),
        )
        assert escape(typed) in response.content.decode()

    def test_a_valid_source_with_a_link_is_saved(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        sources = [{"title": "Lore", "quote": "Line one.\nLine two.", "link": "https://x.test/a"}]
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, sources=json.dumps(sources)),
        )
        assert response.status_code == 302
        heuristic.refresh_from_db()
        assert heuristic.sources == sources
        assert latest_version().content["heuristics"][0]["sources"] == sources
