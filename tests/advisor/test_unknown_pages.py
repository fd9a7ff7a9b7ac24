"""Unknown facts, notes and time bars as a person reads them: the assessment page, the
organization page, the forms, and the ruleset the migrations publish."""

from datetime import date

import pytest
from django.urls import reverse

from advisor.charts import stacked_bar
from advisor.models import RulesetVersion
from advisor.presenters import allocation_bar
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.factories import PersonFactory, ProductFactory, SquadFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 23)


@pytest.fixture
def haze(acme):
    """Acme with Haze: markets and personas blank, its PM Ines Roy's time never entered."""
    haze = ProductFactory(organization=acme, name="Haze", markets=[], personas=[])
    fog = SquadFactory(product=haze, name="Fog", engineers=4)
    PersonFactory(
        organization=acme,
        name="Ines Roy",
        title="Product Manager",
        squads=[fog],
        owns_roadmap=True,
        does_market_research=True,
    )
    return haze


class TestTimeBars:
    def test_a_pm_has_the_backlog_limit_and_a_po_none(self):
        shares = {"backlog_share": 60, "ceremonies_share": 30}
        pm = allocation_bar("product_manager", shares, limit=40)
        po = allocation_bar("product_owner", shares, limit=40)
        assert (pm.limit, pm.limit_x) == (40, 160)
        assert (po.limit, po.limit_x) == (None, None)

    def test_time_not_entered_is_a_bar_with_no_percentage(self):
        shares = dict.fromkeys(("backlog_share", "strategy_share"), None)
        bar = allocation_bar("product_manager", shares, limit=40)
        assert (bar.known, bar.segments, bar.legend, bar.limit_x) == (False, (), (), None)
        assert stacked_bar({"backlog": 0, "other": 0}).known is False
        assert stacked_bar({"backlog": 0, "other": 1}).known is True

    def test_the_page_says_not_entered_and_names_the_limit_of_each_role(self, acme, haze, member):
        assessment = run_assessment(acme, as_of=AS_OF)[2]
        html = member(MemberRole.EDITOR).get(assessment.get_absolute_url()).content.decode()
        assert "<figcaption>Time allocation of Ines Roy: not entered</figcaption>" in html
        assert 'aria-label="Time allocation of Ines Roy: not entered"' in html
        assert "Time allocation of Ines Roy: backlog 0%" not in html
        assert "Backlog limit 40% (a product manager's)" in html
        assert "No time limit applies to a product owner: the backlog is their job." in html
        assert html.count("<title>Backlog limit: 40%</title>") == 1  # Dana Lee's, not Pat Kim's

    def test_missing_facts_in_plain_words_link_to_the_field(self, acme, haze, member):
        assessment = run_assessment(acme, as_of=AS_OF)[2]
        response = member(MemberRole.EDITOR).get(assessment.get_absolute_url())
        ines = acme.people.get(name="Ines Roy")
        edit_haze = reverse("orgs:product_edit", args=[acme.slug, haze.pk])
        edit_ines = reverse("orgs:person_edit", args=[acme.slug, ines.pk])
        missing = {m.text: m.links for m in response.context["page"].missing_facts}
        assert missing["Haze: markets not entered"] == (
            ("Haze", f"{edit_haze}#product-{haze.pk}-markets"),
        )
        assert missing["Haze: personas not entered"] == (
            ("Haze", f"{edit_haze}#product-{haze.pk}-personas"),
        )
        assert missing["Ines Roy: time allocation not entered"] == (
            ("Ines Roy", f"{edit_ines}#person-{ines.pk}-time_backlog"),
        )
        html = response.content.decode()
        assert '<th scope="row">Haze: markets not entered</th>' in html

    def test_a_note_is_shown_with_the_person_and_leaves_the_verdict(self, acme, member):
        before = run_assessment(acme, as_of=AS_OF, save=False)[1]["products"]
        acme.people.filter(name="Dana Lee").update(time_ceremonies=30, time_stakeholders=0)
        assessment = run_assessment(acme, as_of=AS_OF)[2]
        response = member(MemberRole.VIEWER).get(assessment.get_absolute_url())
        (dana,) = [p for p in response.context["page"].people if p.name == "Dana Lee"]
        # Her strategy and discovery are 15%, at the limit: no strategy note.
        assert [(f.heuristic, f.outcome) for f in dana.findings] == [
            ("note-pm-in-ceremonies", "note"),
        ]
        (payments,) = response.context["page"].products
        assert (payments.verdict, list(payments.actions)) == (
            before[0]["verdict"],
            before[0]["actions"],
        )


class TestOrganizationPage:
    def test_blank_markets_personas_and_time_read_not_entered(self, acme, haze, member):
        html = member(MemberRole.VIEWER).get(acme.get_absolute_url()).content.decode()
        assert html.count('<span class="not-entered">Not entered</span>') == 2
        assert html.count('<span class="not-entered">not entered</span>') == 2  # Ines, Sam
        assert "None listed" not in html

    def test_the_product_form_says_blank_stays_not_entered(self, acme, haze, member):
        url = reverse("orgs:product_edit", args=[acme.slug, haze.pk])
        html = member(MemberRole.EDITOR).get(url).content.decode()
        assert 'placeholder="Not entered"' in html
        assert "Blank if unknown: it stays “not entered”, never zero markets." in html


class TestPublishedNotes:
    @pytest.mark.migrated_versions
    def test_the_migration_publishes_the_notes_as_a_new_version(self):
        first, second = RulesetVersion.objects.order_by("number")
        codes = [h["code"] for h in second.content["heuristics"]]
        assert codes[-2:] == ["note-pm-in-ceremonies", "note-strategy-starved"]
        assert "note-pm-in-ceremonies" not in [h["code"] for h in first.content["heuristics"]]
        assert second.note.startswith("The outcome note and the two default notes")
        positions = [h["position"] for h in second.content["heuristics"]]
        assert positions == sorted(positions)


class TestNotesInTheReports:
    def test_the_text_report_and_the_json_show_the_note_with_the_person(self, acme):
        from io import StringIO

        from django.core.management import call_command

        acme.people.filter(name="Dana Lee").update(time_ceremonies=30, time_stakeholders=0)
        out = StringIO()
        call_command("assess", acme.slug, "--as-of", "2026-11-23", "--no-save", stdout=out)
        people = out.getvalue().split("People with findings:\n", 1)[1]
        assert people.startswith(
            "  [info] note-pm-in-ceremonies: Dana Lee spends 30% of their time in ceremonies "
            "(more than 25%)"
        )
        document = run_assessment(acme, as_of=AS_OF, save=False)[1]
        dana = next(p for p in document["people"] if p["name"] == "Dana Lee")
        assert [(f["heuristic"], f["outcome"]) for f in dana["findings"]] == [
            ("note-pm-in-ceremonies", "note")
        ]
