"""The advice in the browser: who may run and read assessments, what the pages show."""

from datetime import date

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from advisor.engine.explanations import condition_in_words
from advisor.links import OrganizationLinks
from advisor.models import AssessedSubject, Assessment, Heuristic, Parameter
from advisor.presenters import verdict_counts, verdict_summary
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import set_parameter
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
    build_organization,
)
from tests.helpers import HX, client_for, login, page_links, table_rows

AS_OF = date(2026, 11, 23)
XSS = "<script>alert(1)</script>"
pytestmark = pytest.mark.django_db


def advisor_urls(org, assessment) -> list[str]:
    slug = org.slug
    return [
        reverse("advisor:assess", args=[slug]),
        reverse("advisor:assessment_list", args=[slug]),
        reverse("advisor:assessment_compare", args=[slug]),
        reverse("advisor:assessment_compare", args=[slug])
        + f"?a={assessment.pk}&b={assessment.pk}",
        reverse("advisor:assessment_detail", args=[slug, assessment.pk]),
        reverse("orgs:org_chart", args=[slug]),
    ]


class TestAccess:
    @pytest.mark.parametrize("headers", [{}, HX])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_non_member_gets_404_on_every_advisor_url(
        self, acme, assessment, member, headers, method
    ):
        client = member(None)
        for url in advisor_urls(acme, assessment):
            response = getattr(client, method)(url, headers=headers)
            assert response.status_code == 404, url
        assert Assessment.objects.count() == 1

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, acme, assessment):
        for url in [*advisor_urls(acme, assessment), reverse("advisor:heuristic_list")]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("headers", [{}, HX])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_viewer_gets_403_on_assess_and_nothing_is_written(
        self, acme, member, headers, method
    ):
        client = member(MemberRole.VIEWER)
        response = getattr(client, method)(
            reverse("advisor:assess", args=[acme.slug]), headers=headers
        )
        assert response.status_code == 403
        assert Assessment.objects.count() == 0

    def test_a_viewer_reads_every_assessment_page(self, acme, assessment, member):
        client = member(MemberRole.VIEWER)
        for url in advisor_urls(acme, assessment)[1:]:
            assert client.get(url).status_code == 200, url

    def test_another_organizations_assessment_is_404(self, acme, member):
        other_org = OrganizationFactory()
        ProductFactory(organization=other_org)
        other = run_assessment(other_org, as_of=AS_OF)[2]
        client = member(MemberRole.OWNER)
        url = reverse("advisor:assessment_detail", args=[acme.slug, other.pk])
        assert client.get(url).status_code == 404
        compare = reverse("advisor:assessment_compare", args=[acme.slug])
        assert client.get(f"{compare}?a={other.pk}&b={other.pk}").status_code == 404


class TestAssess:
    def test_an_editor_runs_an_assessment_and_is_sent_to_it(self, acme, member):
        client = member(MemberRole.EDITOR)
        response = client.post(reverse("advisor:assess", args=[acme.slug]), {"as_of": "2026-11-23"})
        assessment = Assessment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == assessment.get_absolute_url()
        assert assessment.as_of == AS_OF
        assert assessment.created_by == client.user
        assert list(assessment.subjects.filter(scope="product").values_list("name", "verdict")) == [
            ("Payments", "split")
        ]

    def test_htmx_is_told_to_go_to_the_assessment(self, acme, member):
        client = member(MemberRole.OWNER)
        response = client.post(reverse("advisor:assess", args=[acme.slug]), headers=HX)
        assessment = Assessment.objects.get()
        assert response.status_code == 200
        assert response["HX-Redirect"] == assessment.get_absolute_url()
        assert assessment.as_of == timezone.localdate()

    def test_the_form_page_offers_an_as_of_date(self, acme, member):
        response = member(MemberRole.EDITOR).get(reverse("advisor:assess", args=[acme.slug]))
        assert response.status_code == 200
        assert 'name="as_of"' in response.content.decode()
        assert Assessment.objects.count() == 0

    def test_a_bad_date_is_refused_with_the_form_again(self, acme, member):
        client = member(MemberRole.EDITOR)
        url = reverse("advisor:assess", args=[acme.slug])
        response = client.post(url, {"as_of": "23/11/2026x"}, headers=HX)
        assert response.status_code == 200
        assert response.template_name == "advisor/assess.html#assess_form"
        assert response.context["form"].errors["as_of"] == ["Enter a valid date."]
        assert Assessment.objects.count() == 0


class TestAssessmentPage:
    def get(self, client, assessment):
        url = reverse(
            "advisor:assessment_detail", args=[assessment.organization.slug, assessment.pk]
        )
        response = client.get(url)
        assert response.status_code == 200
        return response, response.content.decode()

    def test_shows_the_verdict_counts_and_actions(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        (payments,) = response.context["page"].products
        assert payments.verdict == "split"
        assert '<span class="verdict verdict-large verdict-split">Split</span>' in html
        rows = table_rows(html)
        assert "Product managers | 1 | 1" in rows
        assert "Product owners | 1 | 3" in rows
        assert payments.actions == ("add 2 product owners for Billing and Ledger",)
        assert "<li>Add 2 product owners for Billing and Ledger</li>" in html

    def test_shows_each_findings_evidence_and_source(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        (payments,) = response.context["page"].products
        assert [f.heuristic for f in payments.findings] == [
            "split-three-plus-squads",
            "split-backlog-overload",
        ]
        rows = table_rows(html)
        assert "squads | 3 | ≥ | 3 | min_squads | ✓yes" in rows
        assert "pm_squads | 3 | ≥ | 3 | min_squads | ✓yes" in rows
        assert "pm_backlog_share | 55% | &gt; | 40% | max_backlog_share | ✓yes" in [
            escape(row) for row in rows
        ]
        assert '<span class="source-title">The Role Confusion Problem</span>' in html
        assert (
            "<blockquote>If writing stories and grooming the backlog consumes more than 40% of "
            "the PM&#x27;s time, they need a PO</blockquote>"
        ) in html
        assert (
            "<blockquote>You have 3+ squads. One PM can set strategy for multiple squads, with "
            "POs handling backlog management for each team</blockquote>"
        ) in html

    def test_shows_the_scope_votes_and_the_role_the_work_shows(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        people = {p.name: p for p in response.context["page"].people}
        assert set(people) == {"Dana Lee", "Pat Kim"}
        assert people["Dana Lee"].scope_role_label == "Product manager"
        assert people["Pat Kim"].scope_role_label == "unknown"
        rows = table_rows(html)
        assert "owns_roadmap | yes | Product manager | owns the roadmap" in rows
        assert (
            "manager_role | executive | Product manager | reports to a product or company leader"
            in rows
        )
        assert "squads_served | 3 | Product manager | serves two or more squads" in rows
        assert "owns_roadmap | unknown | no vote | roadmap ownership is unknown" in rows
        assert (
            "manager_role | product manager | Product owner | "
            "reports to an engineering or product manager" in rows
        )

    def test_draws_the_time_allocation_with_the_backlog_limit(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        dana = next(p for p in response.context["page"].people if p.name == "Dana Lee")
        assert dana.allocation.limit == 40
        assert dana.allocation.limit_x == 160
        assert (dana.allocation.segments[0].bucket, dana.allocation.segments[0].width) == (
            "backlog",
            220,
        )
        assert '<rect class="bucket-backlog" x="0.0" y="0" width="220.0" height="24">' in html
        assert 'x1="160.0" x2="160.0"' in html

    def test_draws_squads_per_product_manager_with_the_split_threshold(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        chart = response.context["page"].squads_per_pm
        assert [(b.label, b.value) for b in chart.bars] == [("Dana Lee", 3)]
        assert chart.limit == 3
        assert "Dana Lee | 3" in table_rows(html)

    def test_links_missing_facts_to_the_form_where_they_are_filled_in(
        self, acme, assessment, member
    ):
        response, html = self.get(member(MemberRole.EDITOR), assessment)
        pat = acme.people.get(name="Pat Kim")
        pat_url = reverse("orgs:person_edit", args=[acme.slug, pat.pk])
        missing = {(m.subject, m.fact): m.links for m in response.context["page"].missing_facts}
        assert missing == {
            ("Pat Kim", "owns_roadmap"): (("Pat Kim", pat_url + f"#person-{pat.pk}-owns_roadmap"),),
            ("Pat Kim", "does_market_research"): (
                ("Pat Kim", pat_url + f"#person-{pat.pk}-does_market_research"),
            ),
        }
        assert f'<a href="{pat_url}#person-{pat.pk}-owns_roadmap">Pat Kim</a>' in html
        assert '<th scope="row">Pat Kim: roadmap ownership not entered</th>' in html

    def test_a_viewer_sees_missing_facts_without_edit_links(self, assessment, member):
        response, html = self.get(member(MemberRole.VIEWER), assessment)
        assert all(m.links == () for m in response.context["page"].missing_facts)
        assert "/edit/" not in html

    def test_shows_the_assessment_as_stored_not_as_the_organization_is_now(
        self, acme, assessment, member
    ):
        payments = acme.products.get(name="Payments")
        payments.name = "Payments Renamed"
        payments.save()
        response, _ = self.get(member(MemberRole.EDITOR), assessment)
        (shown,) = response.context["page"].products
        # The name it had; the link still finds it, by its id.
        assert shown.name == "Payments"
        assert shown.url == reverse("orgs:product_edit", args=[acme.slug, payments.pk])

    def test_a_subject_deleted_since_is_shown_without_a_link(self, acme, assessment, member):
        acme.people.get(name="Dana Lee").delete()
        response, _ = self.get(member(MemberRole.EDITOR), assessment)
        dana = next(p for p in response.context["page"].people if p.name == "Dana Lee")
        assert dana.url is None

    def test_a_product_finding_outranked_by_the_verdict_says_so(self):
        org = OrganizationFactory()
        product = ProductFactory(organization=org, name="Tiny")
        squad = SquadFactory(product=product, name="Solo", methodology="kanban")
        PersonFactory(organization=org, squads=[squad], owns_roadmap=True)
        assessment = run_assessment(org, as_of=AS_OF)[2]
        response, html = self.get(client_for(org, MemberRole.OWNER), assessment)
        (tiny,) = response.context["page"].products
        assert tiny.verdict == "pm_only"
        merge = next(f for f in tiny.findings if f.heuristic == "merge-small-team")
        assert merge.outranked_by == "PM only"
        assert "(outranked: the verdict is pm only)" in html


def assessed(scope: str, name: str, pk: int | None, *missing: str) -> AssessedSubject:
    """An assessed subject as the links read it: its scope, name, id and missing fields."""
    return AssessedSubject(
        scope=scope,
        name=name,
        position=1,
        **{f"{scope}_id": pk},
        missing_facts=[{"fact": field, "field": field, "meaning": ""} for field in missing],
    )


class TestOrganizationLinks:
    def test_product_wide_fields_link_to_the_people_or_squads_to_fill_in(self, acme):
        payments = acme.products.get()
        unknown = SquadFactory(product=payments, name="Unknown size", engineers=None)
        pat = acme.people.get(name="Pat Kim")
        product = assessed(
            "product", "Payments", payments.pk, "people.owns_roadmap", "squads.engineers", "markets"
        )
        squad = assessed("squad", "Unknown size", unknown.pk, "engineers")
        links = OrganizationLinks(acme, [product, squad], can_edit=True)
        slug = acme.slug
        assert links.missing_fact(product, "people.owns_roadmap") == [
            ("Pat Kim", reverse("orgs:person_edit", args=[slug, pat.pk]))
        ]
        assert links.missing_fact(product, "squads.engineers") == [
            ("squad Unknown size", reverse("orgs:squad_edit", args=[slug, unknown.pk]))
        ]
        assert links.missing_fact(product, "markets") == [
            (
                "Payments",
                reverse("orgs:product_edit", args=[slug, payments.pk])
                + f"#product-{payments.pk}-markets",
            )
        ]
        assert links.missing_fact(squad, "engineers") == [
            (
                "Unknown size",
                reverse("orgs:squad_edit", args=[slug, unknown.pk])
                + f"#squad-{unknown.pk}-engineers",
            )
        ]

    def test_a_field_filled_in_since_links_to_the_product_on_the_organization_page(self, acme):
        payments = acme.products.get()
        product = assessed("product", "Payments", payments.pk, "people.owns_roadmap")
        acme.people.update(owns_roadmap=True)
        links = OrganizationLinks(acme, [product], can_edit=True)
        assert links.missing_fact(product, "people.owns_roadmap") == [
            (
                "Payments on the organization page",
                f"{acme.get_absolute_url()}#product-{payments.pk}",
            )
        ]

    def test_a_subject_that_no_longer_exists_gets_no_link(self, acme):
        gone = assessed("person", "Gone", 987_654, "owns_roadmap")
        links = OrganizationLinks(acme, [gone], can_edit=True)
        assert links.product(987_654) is None
        assert links.person(987_654) is None
        assert links.missing_fact(gone, "owns_roadmap") == []

    def test_a_subject_of_another_organization_gets_no_link(self, acme):
        elsewhere = ProductFactory()
        links = OrganizationLinks(acme, [assessed("product", "X", elsewhere.pk)], can_edit=True)
        assert links.product(elsewhere.pk) is None


def product_of_single_squad_pms(n: int, *, name: str):
    """One product of n squads, each served by one product manager of unknown roadmap
    ownership: the shape that once made reading the links quadratic on SQLite."""
    organization = OrganizationFactory(name=name)
    product = ProductFactory(organization=organization, name="Big")
    for i in range(n):
        squad = SquadFactory(product=product, name=f"S{i:03d}")
        PersonFactory(organization=organization, name=f"PM {n - i:03d}", squads=[squad])
    return organization, product


def sqlite_steps(action) -> int:
    """How many SQLite virtual-machine instructions (in tens) `action` runs: the work its
    queries do, whatever the machine's speed."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 10)
    try:
        action()
    finally:
        connection.connection.set_progress_handler(None, 10)
    return steps


class TestUnknownRoadmapOwnerLinks:
    def test_every_person_of_unknown_ownership_is_linked_once_in_name_order(self):
        organization, product = product_of_single_squad_pms(12, name="Wide")
        squads = list(product.squads.all())
        both = PersonFactory(organization=organization, name="PM 005b", squads=squads[:2])
        PersonFactory(organization=organization, name="Owner", owns_roadmap=True, squads=squads)
        outsider = PersonFactory(name="Elsewhere")
        outsider.squads.add(squads[0])  # a link across organizations is not theirs to fill in
        subject = assessed("product", "Big", product.pk, "people.owns_roadmap")
        with CaptureQueriesContext(connection) as queries:
            links = OrganizationLinks(organization, [subject], can_edit=True)
        # The product, the page of the products section it is on, and its people.
        assert len(queries) == 3
        people = organization.people.filter(owns_roadmap__isnull=True)
        expected = sorted((p.name, p.pk) for p in people)
        assert links.unknown_roadmap_owners == {product.pk: expected}
        assert [name for name, _ in expected].count("PM 005b") == 1
        assert both.pk in {pk for _, pk in expected}
        assert links.missing_fact(subject, "people.owns_roadmap")[0] == (
            "PM 001",
            reverse("orgs:person_edit", args=[organization.slug, people.get(name="PM 001").pk]),
        )

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's instructions")
    def test_reading_them_takes_work_linear_in_the_people_and_squads(self):
        def work(n: int) -> int:
            organization, product = product_of_single_squad_pms(n, name=f"Wide {n}")
            subject = assessed("product", "Big", product.pk, "people.owns_roadmap")
            links = None

            def read() -> None:
                nonlocal links
                links = OrganizationLinks(organization, [subject], can_edit=True)

            steps = sqlite_steps(read)
            assert len(links.unknown_roadmap_owners[product.pk]) == n
            return steps

        # Twice the people and squads: about twice the work (it was four times: every
        # person probed against every squad of the product).
        assert work(80) < 2.5 * work(40)


class TestHistory:
    def test_lists_assessments_latest_first_with_verdict_counts(self, acme, member):
        client = member(MemberRole.VIEWER)
        first = run_assessment(acme, as_of=date(2026, 10, 1), user=client.user)[2]
        second = run_assessment(acme, as_of=AS_OF)[2]
        response = client.get(reverse("advisor:assessment_list", args=[acme.slug]))
        assert [a.pk for a, _ in response.context["rows"]] == [second.pk, first.pk]
        html = response.content.decode()
        rows = table_rows(html)
        assert rows[1].split(" | ")[1:6] == [
            "23 Nov 2026",
            "—",
            "v1 (The rules in force when ruleset versions were introduced.)",
            "1 split",
            "2",
        ]
        assert rows[2].split(" | ")[1:4] == [
            "1 Oct 2026",
            client.user.username,
            "v1 (The rules in force when ruleset versions were introduced.)",
        ]

    def test_pages_hold_25_and_htmx_gets_the_history_alone(self, acme, member):
        for _ in range(26):
            run_assessment(acme, as_of=AS_OF)
        client = member(MemberRole.VIEWER)
        url = reverse("advisor:assessment_list", args=[acme.slug])
        assert len(client.get(url).context["rows"]) == 25
        response = client.get(f"{url}?page=2", headers=HX)
        assert response.template_name == "advisor/assessment_list.html#history"
        assert len(response.context["rows"]) == 1
        assert "<html" not in response.content.decode()

    def test_page_links_say_newer_and_older_and_swap_the_history_with_htmx(self, acme, member):
        for _ in range(51):
            run_assessment(acme, as_of=AS_OF)
        client = member(MemberRole.VIEWER)
        url = reverse("advisor:assessment_list", args=[acme.slug])
        html = client.get(url, {"page": "2"}).content.decode()
        htmx = 'hx-target="#history" hx-swap="outerHTML show:top" hx-push-url="true"'
        hidden = '<span class="visually-hidden"> assessments</span>'
        assert page_links(html, "assessments") == (
            f'<a class="button small" rel="prev" href="?page=1" hx-get="?page=1" {htmx}>'
            f"Newer{hidden}</a> "
            '<span aria-current="page">Page 2 of 3</span> '
            f'<a class="button small" rel="next" href="?page=3" hx-get="?page=3" {htmx}>'
            f"Older{hidden}</a>"
        )

    @pytest.mark.parametrize("requested", ["0", "-3", "x"])
    def test_a_page_below_one_or_not_a_number_is_the_latest(self, acme, member, requested):
        latest = [run_assessment(acme, as_of=AS_OF)[2] for _ in range(26)][-1]
        url = reverse("advisor:assessment_list", args=[acme.slug])
        response = member(MemberRole.VIEWER).get(url, {"page": requested})
        assert response.context["page_obj"].number == 1
        assert response.context["rows"][0][0] == latest

    def test_one_page_of_history_has_no_page_links(self, assessment, member):
        url = reverse("advisor:assessment_list", args=[assessment.organization.slug])
        assert 'class="pagination"' not in member(MemberRole.VIEWER).get(url).content.decode()


class TestCompare:
    def test_a_fixed_backlog_overload_disappears(self, acme, member):
        before = run_assessment(acme, as_of=AS_OF)[2]
        acme.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        after = run_assessment(acme, as_of=AS_OF)[2]
        client = member(MemberRole.VIEWER)
        url = reverse("advisor:assessment_compare", args=[acme.slug])
        response = client.get(f"{url}?a={before.pk}&b={after.pk}")
        comparison = response.context["comparison"]
        assert [(f.heuristic, f.subject) for f in comparison.disappeared] == [
            ("split-backlog-overload", "Payments")
        ]
        assert comparison.appeared == ()
        assert not comparison.ruleset_changed
        html = response.content.decode()
        disappeared = html.split('id="disappeared"')[1]
        assert "<code>split-backlog-overload</code>" in disappeared
        assert "the same rules" in html

    def test_by_default_compares_the_latest_with_the_one_before(self, acme, member):
        before = run_assessment(acme, as_of=AS_OF)[2]
        after = run_assessment(acme, as_of=AS_OF)[2]
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_compare", args=[acme.slug])
        )
        assert (response.context["before"], response.context["after"]) == (before, after)

    def test_says_when_the_rules_changed_and_shows_verdicts_before_and_after(self, acme, member):
        before = run_assessment(acme, as_of=AS_OF)[2]
        set_parameter("min_squads", 4)
        overload = Heuristic.objects.get(code="split-backlog-overload")
        overload.enabled = False
        overload.save()
        after = run_assessment(acme, as_of=AS_OF)[2]
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_compare", args=[acme.slug])
        )
        comparison = response.context["comparison"]
        assert comparison.ruleset_changed
        (payments,) = comparison.products
        assert (payments.verdict_before, payments.verdict_after) == ("split", "keep")
        assert payments.recommended_before == {"product_managers": 1, "product_owners": 3}
        assert payments.recommended_after == {"product_managers": 1, "product_owners": 1}
        html = response.content.decode()
        assert "The rules changed between these assessments" in html
        assert "Payments changed | Split | Keep | The rules changed | 1 / 3 | 1 / 1" in table_rows(
            html
        )
        assert (before.ruleset.label, after.ruleset.label) == ("v1", "v3")

    def test_with_fewer_than_two_assessments_there_is_nothing_to_compare(self, acme, member):
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_compare", args=[acme.slug])
        )
        assert response.status_code == 200
        assert "it takes two assessments" in response.content.decode()

    def test_a_malformed_or_half_choice_is_404(self, acme, assessment, member):
        client = member(MemberRole.VIEWER)
        url = reverse("advisor:assessment_compare", args=[acme.slug])
        assert client.get(f"{url}?a=x&b=1").status_code == 404
        assert client.get(f"{url}?a={assessment.pk}").status_code == 404


class TestLatestAssessmentSummary:
    def render(self, organization, membership) -> str:
        template = Template(
            "{% load advisor_tags %}{% latest_assessment organization membership %}"
        )
        return template.render(Context({"organization": organization, "membership": membership}))

    def test_shows_date_ruleset_verdicts_findings_and_the_button_for_editors(
        self, acme, assessment, django_assert_num_queries
    ):
        editor = MembershipFactory(organization=acme, role=MemberRole.EDITOR)
        # The latest assessment with its products' verdicts.
        with django_assert_num_queries(1):
            html = self.render(acme, editor)
        assert assessment.get_absolute_url() in html
        assert "<code>v1</code>" in html
        assert '<span class="verdict verdict-split">Payments: Split</span>' in html
        assert "2 findings" in html
        assert reverse("advisor:assess", args=[acme.slug]) in html

    def test_a_viewer_gets_no_assess_button(self, acme, assessment):
        viewer = MembershipFactory(organization=acme, role=MemberRole.VIEWER)
        assert "Assess now" not in self.render(acme, viewer)

    def test_an_old_assessment_is_due_for_re_assessment(self, acme, assessment):
        acme.reassess_every_days = 30
        Assessment.objects.filter(pk=assessment.pk).update(
            created_at=timezone.now() - timezone.timedelta(days=31)
        )
        html = self.render(acme, None)
        assert "Overdue by 1 day</span>" in html
        assert "re-assessed every 30 days" in html

    def test_a_recent_assessment_is_not_due(self, acme, assessment):
        html = self.render(acme, None)
        assert "Overdue" not in html and "Due for re-assessment" not in html
        assert "Next due" in html

    def test_no_assessment_yet(self, acme):
        assert "Not assessed yet." in self.render(acme, None)

    def test_the_organization_page_includes_it(self, acme, assessment, member):
        html = member(MemberRole.VIEWER).get(acme.get_absolute_url()).content.decode()
        assert 'id="latest-assessment"' in html
        assert '<span class="verdict verdict-split">Payments: Split</span>' in html


class TestHeuristicsPage:
    def test_every_default_heuristic_is_shown_in_words(self, member, acme):
        response = member(MemberRole.VIEWER).get(reverse("advisor:heuristic_list"))
        html = response.content.decode()
        heuristics = list(Heuristic.objects.all())
        parameters = dict(Parameter.objects.values_list("name", "value"))
        assert len(heuristics) == 12
        for h in heuristics:
            words = condition_in_words(h.condition, scope=h.scope, parameters=parameters)
            assert f'<code class="rule-condition">{escape(words)}</code>' in html, h.code
            assert f"<code>{h.code}</code>" in html

    def test_any_signed_in_user_may_read_it(self):
        assert login(UserFactory()).get(reverse("advisor:heuristic_list")).status_code == 200


class TestEscaping:
    def test_a_hostile_name_is_escaped_on_every_advisor_page(self, member):
        org = OrganizationFactory(name="Evil")
        product = ProductFactory(organization=org, name=XSS)
        squad = SquadFactory(product=product, name=f"{XSS} squad")
        PersonFactory(organization=org, name=XSS, squads=[squad], time_backlog=60)
        first = run_assessment(org, as_of=AS_OF)[2]
        second = run_assessment(org, as_of=date(2026, 12, 1))[2]
        client = client_for(org, MemberRole.OWNER)
        pages = {
            "detail": reverse("advisor:assessment_detail", args=[org.slug, second.pk]),
            "compare": reverse("advisor:assessment_compare", args=[org.slug])
            + f"?a={first.pk}&b={second.pk}",
            "chart": reverse("orgs:org_chart", args=[org.slug]),
            "organization": org.get_absolute_url(),
        }
        for name, url in pages.items():
            html = client.get(url).content.decode()
            assert XSS not in html, name
            assert escape(XSS) in html, name
        for url in [
            reverse("advisor:assessment_list", args=[org.slug]),
            reverse("advisor:assess", args=[org.slug]),
            reverse("advisor:heuristic_list"),
        ]:
            assert XSS not in client.get(url).content.decode(), url


class TestQueryCounts:
    """No page's query count grows with the organization."""

    @pytest.mark.parametrize("n_squads", [5, 60])
    def test_pages_cost_the_same_few_queries_at_any_size(
        self, n_squads, django_assert_max_num_queries
    ):
        org = build_organization(n_squads)
        first = run_assessment(org, as_of=date(2026, 10, 1))[2]
        # Unknown roadmap owners: the page links each product's people to fill in.
        org.people.filter(name__regex=r"^P[MO] ").update(owns_roadmap=None)
        second = run_assessment(org, as_of=AS_OF)[2]
        fields = {m["field"] for m in second.report["missing_facts"]}
        assert {"owns_roadmap", "people.owns_roadmap"} <= fields
        client = client_for(org, MemberRole.EDITOR)
        slug = org.slug
        compare = reverse("advisor:assessment_compare", args=[slug])
        for url, bound in [
            # Session, user, membership; the assessment; one count of every list; a page of
            # products, people and missing facts; their findings; the chart; four links; the
            # assessment before; the decided findings counted, a page of them, the decisions.
            (reverse("advisor:assessment_detail", args=[slug, second.pk]), 17),
            # ...; a page of assessments and their verdicts counted.
            (reverse("advisor:assessment_list", args=[slug]), 6),
            # ...; the two assessments; the products and the findings of each.
            # ...; the assessments to choose from.
            (compare, 9),
            (f"{compare}?a={first.pk}&b={second.pk}", 9),
            (reverse("orgs:org_chart", args=[slug]), 5),
        ]:
            with django_assert_max_num_queries(bound):
                assert client.get(url).status_code == 200


@pytest.fixture
def large():
    """33 squads in 12 products (Product 0000 to 0011), 12 PMs and 33 POs; one PO, of
    Squad 0030, owns the roadmap, does research and serves two squads: a retitle finding."""
    org = build_organization(33, name="Acme")
    po = org.people.get(name="PO Squad 0030")
    po.owns_roadmap = True
    po.does_market_research = True
    po.save()
    po.squads.add(org.squads.get(name="Squad 0031"))
    return org


class TestAssessmentPagesOfALargeOrganization:
    def get(self, client, assessment, **params):
        url = reverse(
            "advisor:assessment_detail", args=[assessment.organization.slug, assessment.pk]
        )
        response = client.get(url, params)
        assert response.status_code == 200
        return response, response.content.decode()

    def test_the_summary_counts_every_verdict_and_lists_the_products_of_the_page(self, large):
        assessment = run_assessment(large, as_of=AS_OF)[2]
        response, html = self.get(client_for(large, MemberRole.EDITOR), assessment, page=2)
        summary = html.split('id="summary"')[1].split("</section>")[0]
        rows = table_rows(summary)
        assert rows == [
            "Product | Verdict | PMs now | PMs recommended | POs now | POs recommended | Findings",
            "Product 0010 | Split | 1 | 1 | 2 | 2 | 1",
            "Product 0011 | Split | 1 | 1 | 2 | 2 | 2",
        ]
        assert response.context["page"].verdict_counts == verdict_summary(
            verdict_counts([assessment.pk])[assessment.pk]
        )
        assert sum(n for _, _, n in response.context["page"].verdict_counts) == 12
        assert "12 products; products 11\N{EN DASH}12 here" in summary
        assert '<a href="#product-11">Product 0010</a>' in html
        assert [p.name for p in response.context["page"].products] == [
            "Product 0010",
            "Product 0011",
        ]
        assert 'id="product-11"' in html
        assert 'id="product-1"' not in html
        assert "Products 11\N{EN DASH}12 of 12" in html

    def test_people_with_findings_come_first_and_the_rest_page_on_their_own(self, large):
        assessment = run_assessment(large, as_of=AS_OF)[2]
        client = client_for(large, MemberRole.EDITOR)
        response, html = self.get(client, assessment)
        people = response.context["page"].people
        assert people[0].name == "PO Squad 0030"
        assert [f.heuristic for f in people[0].findings] == ["retitle-po-doing-pm-work"]
        assert [p.name for p in people[1:4]] == [
            "PM Product 0000",
            "PM Product 0001",
            "PM Product 0002",
        ]
        assert "45 people, the 1 with findings first; showing 1\N{EN DASH}20." in html
        response, html = self.get(client, assessment, people_page=3, page=2)
        assert [p.name for p in response.context["page"].people] == [
            f"PO Squad {n:04d}" for n in (27, 28, 29, 31, 32)
        ]
        # Each list keeps the page of the others.
        assert 'href="?people_page=2&amp;page=2#people"' in html
        assert 'href="?people_page=3&amp;page=1#products"' in html

    def test_a_missing_fact_filled_in_since_links_to_the_page_that_shows_the_product(self, large):
        large.people.filter(name="PM Product 0011").update(owns_roadmap=None)
        assessment = run_assessment(large, as_of=AS_OF)[2]
        # Whether anyone serving it owns the roadmap was unknown; now it is known.
        large.people.filter(owns_roadmap__isnull=True).update(owns_roadmap=False)
        client = client_for(large, MemberRole.EDITOR)
        response, _ = self.get(client, assessment)
        product = large.products.get(name="Product 0011")
        url = f"/orgs/{large.slug}/?products_page=2#product-{product.pk}"
        links = {(m.subject, m.field): m.links for m in response.context["page"].missing_facts}
        assert links[("Product 0011", "people.owns_roadmap")] == (
            ("Product 0011 on the organization page", url),
        )
        organization_page = client.get(url).content.decode()
        assert f'<article class="card product" id="product-{product.pk}"' in organization_page

    def test_missing_facts_page_twenty_five_subjects_at_a_time_and_link_only_the_ones_shown(
        self, large, django_assert_max_num_queries
    ):
        large.people.filter(name__startswith="PO ").update(owns_roadmap=None)
        large.people.filter(name__startswith="PM ").update(does_market_research=None)
        assessment = run_assessment(large, as_of=AS_OF)[2]
        missing = assessment.report["missing_facts"]
        subjects = list(dict.fromkeys((m["scope"], m["subject"]) for m in missing))
        assert len(subjects) > 25
        client = client_for(large, MemberRole.EDITOR)
        # 14, and the decided findings counted, a page of them and the decisions shown.
        with django_assert_max_num_queries(17):
            response, html = self.get(client, assessment, missing_page=2)
        shown = response.context["page"].missing_facts
        assert [(m.scope, m.subject, m.fact) for m in shown] == [
            (m["scope"], m["subject"], m["fact"])
            for m in missing
            if (m["scope"], m["subject"]) in subjects[25:50]
        ]
        for m in shown:
            assert m.links, (m.subject, m.fact)
        assert (
            f"{len(missing)} facts of {len(subjects)} products, people and squads were unknown; "
            f"showing those of 26\N{EN DASH}{min(50, len(subjects))}."
        ) in html

    def test_small_organizations_show_no_page_links(self, assessment, member):
        response = member(MemberRole.VIEWER).get(assessment.get_absolute_url())
        html = response.content.decode()
        assert 'class="pagination"' not in html
        assert 'id="product-1"' in html
        # Dana Lee and Pat Kim; Sam Ortiz, the CEO, has no finding and is not listed.
        assert 'id="person-1"' in html
        assert 'id="person-2"' in html
        assert 'id="person-3"' not in html


class TestLatestAssessmentOfManyProducts:
    def test_more_than_twenty_products_are_counted_by_verdict_and_linked_to_the_summary(self):
        org = build_organization(62)
        assessment = run_assessment(org, as_of=AS_OF)[2]
        counts = verdict_counts([assessment.pk])[assessment.pk]
        assert sum(counts.values()) == 21
        html = Template(
            "{% load advisor_tags %}{% latest_assessment organization membership %}"
        ).render(Context({"organization": org, "membership": None}))
        assert "Product 0000:" not in html
        counted = html.split('aria-label="Products by verdict">')[1].split("</ul>")[0]
        assert [" ".join(li.split()) for li in counted.split("<li>")[1:]] == [
            f'<span class="verdict verdict-{verdict}">{label}: {count}</span></li>'
            for verdict, label, count in verdict_summary(counts)
        ]
        assert f'<a href="{assessment.get_absolute_url()}#summary">' in html
