"""A what-if scenario's advice: assessed as its own, compared with the live organization's,
and the hires its plan asks for added in one click."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor import scenario_views
from advisor.models import Assessment
from advisor.scenario_hires import planned_hires
from advisor.services import run_assessment
from orgs.interchange import export_document, import_document
from orgs.models import MemberRole, Organization
from orgs.scenarios import copy_organization
from tests.factories import build_organization
from tests.helpers import assert_redirects_to, client_for, hx

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(acme) -> Organization:
    return copy_organization(acme, name="Hire POs")


def hires_url(scenario) -> str:
    return reverse("advisor:scenario_add_hires", args=[scenario.slug])


def compare_url(scenario) -> str:
    return reverse("advisor:scenario_compare", args=[scenario.slug])


class TestAdvice:
    def test_assessing_a_scenario_never_counts_as_the_live_organizations_advice(
        self, acme, scenario, member
    ):
        client = member(MemberRole.EDITOR)
        response = client.post(reverse("advisor:assess", args=[scenario.slug]))
        assessment = Assessment.objects.get()
        assert assessment.organization == scenario
        assert_redirects_to(response, assessment.get_absolute_url())
        assert not acme.assessments.exists()
        page = client.get(acme.get_absolute_url()).content.decode()
        assert assessment.get_absolute_url() not in page

    def test_the_compare_view_shows_live_before_scenario_after_and_the_changes(
        self, acme, scenario, member
    ):
        run_assessment(acme)
        scenario.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        run_assessment(scenario)
        response = member(MemberRole.VIEWER).get(compare_url(scenario))
        assert response.status_code == 200
        comparison = response.context["comparison"]
        assert [(p.name, p.verdict_before, p.verdict_after) for p in comparison.products] == [
            ("Payments", "split", "split")
        ]
        assert [f.heuristic for f in comparison.disappeared] == ["split-backlog-overload"]
        # Staffing now, on either side: Payments' PM and PO, the same in both.
        one_and_one = {"product_managers": 1, "product_owners": 1}
        assert [
            (p.name, p.current_before, p.current_after)
            for _, p in response.context["page"].products
        ] == [("Payments", one_and_one, one_and_one)]
        assert comparison.appeared == ()
        assert [str(c) for c in response.context["changes"]] == [
            "Person Dana Lee: backlog share 55% → 30%; strategy share 10% → 35%"
        ]
        html = response.content.decode()
        assert "Advice the scenario resolves" in html
        # Now and recommended, in each: PM / PO.
        assert re.findall(r"<td>(\d+ / \d+|—)</td>", html) == ["1 / 1", "1 / 1", "1 / 3", "1 / 3"]
        assert "backlog share: 55% → 30%" in html

    def test_the_compare_view_says_what_to_assess_first(self, acme, scenario, member):
        client = member(MemberRole.VIEWER)
        assert (
            "Acme has not been assessed yet" in client.get(compare_url(scenario)).content.decode()
        )
        run_assessment(acme)
        html = client.get(compare_url(scenario)).content.decode()
        assert "The scenario has not been assessed yet" in html

    def test_a_projection_of_the_live_organization_is_not_its_advice(self, acme, scenario, member):
        today = run_assessment(acme)[2]
        run_assessment(acme, as_of=timezone.localdate() + timedelta(days=60))
        run_assessment(scenario)
        response = member(MemberRole.VIEWER).get(compare_url(scenario))
        assert response.context["before"] == today

    def test_the_compare_view_is_for_scenarios_and_members_only(self, acme, scenario, member):
        assert member(MemberRole.VIEWER).get(compare_url(acme)).status_code == 404
        assert member(None).get(compare_url(scenario)).status_code == 404


class TestPaging:
    """The page's lists come a page at a time, whatever the organization's size; htmx swaps
    one list and works out only what that list needs."""

    @pytest.fixture
    def large(self):
        live = build_organization(60)  # 21 products
        scenario = copy_organization(live, name="Retitled")
        # 30 people retitled in the scenario: 30 changes, and their advice moves.
        for person in scenario.people.filter(title="Software Engineer").order_by("name")[:30]:
            person.title = "Product Owner"
            person.save()
        run_assessment(live)
        run_assessment(scenario)
        return live, scenario

    def test_each_list_shows_its_first_page_and_the_totals(self, large):
        live, scenario = large
        response = client_for(live, MemberRole.VIEWER).get(compare_url(scenario))
        page, changes = response.context["page"], response.context["changes"]
        assert (page.products.paginator.count, len(page.products.object_list)) == (21, 10)
        assert (changes.paginator.count, len(changes.object_list)) == (30, 25)
        html = response.content.decode()
        assert "showing products 1\N{EN DASH}10" in html
        assert "Showing changes 1\N{EN DASH}25" in html
        assert 'href="?changes_page=2#changes"' in html
        assert 'href="?products_page=2#verdicts"' in html

    def test_a_page_link_keeps_the_other_lists_pages_and_drops_anything_else(self, large):
        live, scenario = large
        response = client_for(live, MemberRole.VIEWER).get(
            compare_url(scenario), {"products_page": "3", "changes_page": "2", "x": "<b>"}
        )
        page, changes = response.context["page"], response.context["changes"]
        assert [number for number, _ in page.products] == [21]
        assert [str(c) for c in changes] == [str(c) for c in changes.paginator.object_list[25:]]
        html = response.content.decode()
        assert 'href="?products_page=2&amp;changes_page=2#verdicts"' in html
        assert 'href="?products_page=3&amp;changes_page=1#changes"' in html
        assert "x=&lt;" not in html and "x=%3C" not in html

    def test_htmx_gets_the_changes_alone_without_comparing_the_advice(self, large, monkeypatch):
        live, scenario = large
        compared = []
        monkeypatch.setattr(
            scenario_views, "compare_assessments", lambda *a: compared.append(a) or None
        )
        response = client_for(live, MemberRole.VIEWER).get(
            compare_url(scenario), {"changes_page": "2"}, headers=hx("changes")
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="changes"')
        assert "Showing changes 26\N{EN DASH}30" in html
        assert "verdicts-heading" not in html
        assert compared == []
        assert "HX-Target" in response["Vary"]

    def test_htmx_asking_for_a_list_of_advice_gone_meanwhile_reloads_the_page(self, large):
        live, scenario = large
        scenario.assessments.all().delete()
        response = client_for(live, MemberRole.VIEWER).get(
            compare_url(scenario), {"products_page": "2"}, headers=hx("verdicts")
        )
        assert (response.status_code, response["HX-Refresh"]) == (200, "true")
        assert response.content == b""

    def test_htmx_gets_one_page_of_products_without_exporting_the_scenario(
        self, large, monkeypatch
    ):
        live, scenario = large
        exported = []
        monkeypatch.setattr(
            scenario_views, "changes_made", lambda scenario: exported.append(scenario) or ()
        )
        response = client_for(live, MemberRole.VIEWER).get(
            compare_url(scenario), {"products_page": "2"}, headers=hx("verdicts")
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="verdicts"')
        assert "showing products 11\N{EN DASH}20" in html
        assert "changes-heading" not in html
        assert exported == []


class TestAddHires:
    def test_one_click_adds_the_product_owners_the_plan_asks_for(self, acme, scenario, member):
        run_assessment(scenario)
        client = member(MemberRole.EDITOR)
        response = client.post(hires_url(scenario))
        assert_redirects_to(response, scenario.get_absolute_url())
        added = scenario.people.filter(name__startswith="New ").order_by("name")
        assert [
            (p.name, p.title, p.reports_to.name, [s.name for s in p.squads.all()]) for p in added
        ] == [
            ("New Product Owner, Billing", "Product Owner", "Dana Lee", ["Billing"]),
            ("New Product Owner, Ledger", "Product Owner", "Dana Lee", ["Ledger"]),
        ]
        assert not acme.people.filter(name__startswith="New ").exists()
        # The plan now met: a second click adds nobody.
        client.post(hires_url(scenario))
        assert scenario.people.filter(name__startswith="New ").count() == 2
        result = run_assessment(scenario)[0]
        plan = result.products[0]
        assert (plan.verdict, plan.current.product_owners, plan.recommended.product_owners) == (
            "split",
            3,
            3,
        )

    def test_the_hires_are_read_with_their_profiles_from_the_product_rows(self, scenario):
        assessment = run_assessment(scenario)[2]
        assessment.subjects.filter(scope="product").update(
            hires=[
                {
                    "role": "product_manager",
                    "title": "Product Manager",
                    "squads": ["Ledger"],
                    "reports_to": "Sam Ortiz",
                    "responsibilities": ["owns the roadmap"],
                }
            ]
        )
        hires = planned_hires(assessment)
        assert [(h.name, h.role, h.squads, h.reports_to) for h in hires] == [
            ("New Product Manager, Ledger", "product_manager", ("Ledger",), "Sam Ortiz")
        ]

    def test_two_hires_for_one_squad_get_two_names_and_are_both_added(self, scenario, member):
        """A ratio above one asks for two product owners of one squad."""
        client = member(MemberRole.EDITOR)
        client.post(reverse("advisor:assess", args=[scenario.slug]))
        assessment = Assessment.objects.get()
        owner = {"role": "product_owner", "title": "Product Owner", "squads": ["Ledger"]}
        assessment.subjects.filter(scope="product").update(hires=[owner, owner])

        assert [h.name for h in planned_hires(assessment)] == [
            "New Product Owner, Ledger",
            "New Product Owner, Ledger 2",
        ]
        response = client.post(hires_url(scenario))

        assert response.status_code == 302
        assert sorted(
            scenario.people.filter(name__startswith="New ").values_list("name", flat=True)
        ) == ["New Product Owner, Ledger", "New Product Owner, Ledger 2"]

    def test_hires_for_long_squad_names_get_names_a_person_can_have(self, scenario, member):
        long_names = ["S" * 199 + "1", "S" * 199 + "2"]
        for squad, name in zip(scenario.squads.order_by("name")[:2], long_names, strict=True):
            squad.name = name
            squad.save()
        client = member(MemberRole.EDITOR)
        client.post(reverse("advisor:assess", args=[scenario.slug]))
        assessment = Assessment.objects.get()
        owner = {"role": "product_owner", "title": "Product Owner"}
        assessment.subjects.filter(scope="product").update(
            hires=[{**owner, "squads": [name]} for name in (*long_names, long_names[0])]
        )
        names = [h.name for h in planned_hires(assessment)]
        start = "New Product Owner, "
        # Cut short before the number, so that the numbered ones stay apart.
        assert names == [
            start + "S" * 180 + "…",
            start + "S" * 178 + "… 2",
            start + "S" * 178 + "… 3",
        ]
        assert all(len(name) <= 200 for name in names)
        assert client.post(hires_url(scenario)).status_code == 302
        # What was added exports and imports again.
        document = export_document(scenario)
        document["organization"]["name"] = "Round trip"
        assert import_document(document).people.filter(name__startswith="New ").count() == 3

    def test_a_projection_is_not_the_plan_hires_are_taken_from(self, scenario, member):
        projection = run_assessment(scenario, as_of=timezone.localdate() + timedelta(days=30))[2]
        # Its date came: it is still a projection, never the scenario's latest advice.
        Assessment.objects.filter(pk=projection.pk).update(as_of=timezone.localdate())
        response = member(MemberRole.EDITOR).post(hires_url(scenario), follow=True)
        assert "Assess the scenario first" in response.content.decode()

    def test_without_an_assessment_it_says_to_assess_first(self, scenario, member):
        client = member(MemberRole.EDITOR)
        response = client.post(hires_url(scenario), follow=True)
        assert "Assess the scenario first" in response.content.decode()
        assert not scenario.people.filter(name__startswith="New ").exists()

    def test_a_viewer_gets_403_and_a_live_organization_404(self, acme, scenario, member):
        run_assessment(scenario)
        assert member(MemberRole.VIEWER).post(hires_url(scenario)).status_code == 403
        run_assessment(acme)
        assert member(MemberRole.EDITOR).post(hires_url(acme)).status_code == 404
        assert not acme.people.filter(name__startswith="New ").exists()


class TestQueryCounts:
    @pytest.mark.parametrize("n_squads", [6, 60])
    def test_the_scenario_pages_cost_the_same_at_two_sizes(
        self, n_squads, django_assert_max_num_queries
    ):
        live = build_organization(n_squads)
        scenario = copy_organization(live, name="What if")
        run_assessment(live)
        run_assessment(scenario)
        client = client_for(live, MemberRole.OWNER)
        # Session, user, membership (missed, then the scenario's); the two assessments; the
        # comparison's four (the staffing now of each among them); the scenario's record and
        # its content, exported (four).
        with django_assert_max_num_queries(15):
            assert client.get(compare_url(scenario)).status_code == 200
        # The organization page's, one more for the scenario's membership and its record.
        with django_assert_max_num_queries(17):
            assert client.get(scenario.get_absolute_url()).status_code == 200
        # Session, user, membership (two); the record; the changes: the scenario exported.
        with django_assert_max_num_queries(9):
            assert (
                client.get(reverse("orgs:scenario_apply", args=[scenario.slug])).status_code == 200
            )
