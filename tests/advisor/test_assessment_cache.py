"""The assessment page keeps what shows the stored assessment (advisor.assessment_cache): the kept
page is the page, never another reader's, never stale about what is live (decisions, links)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.autoreload import file_changed

from advisor.assessment_cache import (
    Body,
    Shown,
    all_templates_fingerprint,
    body_key,
    page_key,
)
from advisor.decisions import decide
from advisor.links import OrganizationLinks
from advisor.models import Assessment
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import decide_url, detail_url, finding
from tests.factories import ProductFactory, build_organization
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGES_NOT_KEPT = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}


def without_tokens(html: str) -> str:
    """The page less what differs on every response by design: the CSRF token (masked anew
    each time) and the CSP nonce."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "csrf", html)
    return re.sub(r'nonce="[^"]+"', "nonce", html)


def kept_body(assessment, organization, query: str = "", *, can_edit: bool) -> Body | None:
    """What the pages cache holds for the page at that query, for that role."""
    request = RequestFactory().get(detail_url(assessment, query))
    shown: Shown = caches["pages"].get(page_key(assessment, request))
    if shown is None:
        return None
    links = OrganizationLinks(organization, shown.subjects, can_edit=can_edit)
    return caches["pages"].get(body_key(page_key(assessment, request), links))


@pytest.fixture
def decided(acme, assessment, member):
    """Acme's assessment with split-three-plus-squads accepted and split-backlog-overload
    dismissed: one finding shown with its decision in the card, one under Decided."""
    editor = member(MemberRole.EDITOR)
    decide(finding(assessment, "split-three-plus-squads"), action="accept", user=editor.user)
    decide(
        finding(assessment, "split-backlog-overload"),
        action="dismiss",
        user=editor.user,
        reason="not_applicable",
        note="Seasonal peak.",
    )
    return assessment


class TestTheKeptPage:
    @pytest.mark.parametrize("role", [MemberRole.VIEWER, MemberRole.EDITOR, MemberRole.OWNER])
    def test_is_the_same_as_the_page_rendered_without_keeping_anything(
        self, decided, member, settings, role
    ):
        client = member(role)
        url = detail_url(decided, "people_page=1")
        caches_in_use = settings.CACHES
        settings.CACHES = PAGES_NOT_KEPT
        not_kept = client.get(url).content.decode()
        settings.CACHES = caches_in_use
        first = client.get(url)
        kept = client.get(url)
        assert kept.status_code == 200
        assert without_tokens(first.content.decode()) == without_tokens(not_kept)
        assert without_tokens(kept.content.decode()) == without_tokens(not_kept)
        assert "<!--advice" not in not_kept and "<!--finding" not in not_kept
        # It was the kept one: the cache holds the page for this role.
        assert kept_body(decided, decided.organization, "people_page=1", can_edit=role != "viewer")

    def test_keeps_no_csrf_token_no_user_and_no_decision(self, decided, member):
        editor = member(MemberRole.EDITOR)
        html = editor.get(detail_url(decided)).content.decode()
        assert "Accepted</span>" in html and "csrfmiddlewaretoken" in html
        body = kept_body(decided, decided.organization, can_edit=True)
        kept = "".join(
            piece.html + piece.finding_html + piece.open_before + piece.open_after
            for piece in body.pieces
        ) + str(body.missing_facts)
        assert "Payments" in kept and "Decide on this advice" in kept
        assert "csrfmiddlewaretoken" not in kept and "CSRFToken" not in kept
        assert editor.user.get_username() not in kept
        assert "Accepted" not in kept and "Seasonal peak." not in kept

    def test_a_made_up_query_parameter_is_neither_kept_nor_shown_to_the_next_reader(
        self, assessment, member
    ):
        viewer = member(MemberRole.VIEWER)
        first = viewer.get(detail_url(assessment, "campaign=first-reader&people_page=1"))
        assert first.status_code == 200
        later = viewer.get(detail_url(assessment, "people_page=1")).content.decode()
        assert "first-reader" not in later
        assert kept_body(assessment, assessment.organization, "people_page=1", can_edit=False)

    @pytest.mark.parametrize("first", [MemberRole.VIEWER, MemberRole.EDITOR])
    def test_a_viewer_and_an_editor_never_see_each_others_page(
        self, acme, assessment, member, first
    ):
        viewer, editor = member(MemberRole.VIEWER), member(MemberRole.EDITOR)
        readers = [viewer, editor] if first == MemberRole.VIEWER else [editor, viewer]
        pages = {}
        for _ in range(2):
            for client in readers:
                pages.setdefault(client, []).append(client.get(detail_url(assessment)))
        payments = acme.products.get(name="Payments")
        edit = reverse("orgs:product_edit", args=[acme.slug, payments.pk])
        for response in pages[editor]:
            html = response.content.decode()
            assert f'<a class="button small subtle" href="{edit}">Edit' in html
            assert "Decide on this advice" in html
            assert "(an editor of the organization can)" not in html
        for response in pages[viewer]:
            html = response.content.decode()
            assert "/edit/" not in html
            assert "Decide on this advice" not in html
            assert "(an editor of the organization can)" in html

    @pytest.mark.parametrize("first", [MemberRole.VIEWER, MemberRole.EDITOR])
    def test_nor_when_nothing_it_shows_exists_any_longer(self, acme, assessment, member, first):
        """No live links either way: the role alone tells the two pages apart."""
        acme.products.all().delete()
        acme.people.all().delete()
        viewer, editor = member(MemberRole.VIEWER), member(MemberRole.EDITOR)
        readers = [viewer, editor] if first == MemberRole.VIEWER else [editor, viewer]
        html = {client: client.get(detail_url(assessment)).content.decode() for client in readers}
        assert "Decide on this advice" in html[editor]
        assert "Decide on this advice" not in html[viewer]
        assert "/edit/" not in html[editor] + html[viewer]

    def test_a_decision_made_after_the_page_was_kept_shows_on_the_next_get(
        self, assessment, member
    ):
        editor = member(MemberRole.EDITOR)
        f = finding(assessment, "split-backlog-overload")
        assert (
            "No advice here is dismissed or snoozed."
            in editor.get(detail_url(assessment)).content.decode()
        )
        assert kept_body(assessment, assessment.organization, can_edit=True) is not None

        editor.post(decide_url(assessment, f), {"action": "accept"})
        html = editor.get(detail_url(assessment)).content.decode()
        card = html.split('id="product-1"')[1].split("<section")[0]
        assert f"Accepted</span>\n          by {editor.user.get_username()} on" in card

        until = timezone.localdate() + timedelta(days=7)
        editor.post(decide_url(assessment, f), {"action": "snooze", "until": until.isoformat()})
        response = editor.get(detail_url(assessment))
        html = response.content.decode()
        assert response.context["decided"].paginator.count == 1
        assert f'<div class="advice advice-set-aside" id="advice-{f.pk}-card">' in html
        decided = html.split('<section id="decided"')[1].split("</section>")[0]
        assert f'id="advice-{f.pk}-decided"' in decided

    def test_a_product_deleted_after_the_page_was_kept_gets_no_edit_link(
        self, acme, assessment, member
    ):
        editor = member(MemberRole.EDITOR)
        payments = acme.products.get(name="Payments")
        edit = reverse("orgs:product_edit", args=[acme.slug, payments.pk])
        dana = acme.people.get(name="Dana Lee")
        dana_edit = reverse("orgs:person_edit", args=[acme.slug, dana.pk])
        html = editor.get(detail_url(assessment)).content.decode()
        assert f'href="{edit}"' in html and f'href="{dana_edit}"' in html

        payments.delete()
        dana.delete()
        html = editor.get(detail_url(assessment)).content.decode()
        assert '<h3 id="product-1-name">Payments</h3>' in html
        assert f'href="{edit}"' not in html
        assert f'href="{dana_edit}"' not in html

    def test_a_product_with_nothing_else_deleted_loses_its_link_alone(self, acme, member):
        orphan = ProductFactory(organization=acme, name="Orphan")
        assessment = run_assessment(acme, as_of=timezone.localdate())[2]
        editor = member(MemberRole.EDITOR)
        edit = reverse("orgs:product_edit", args=[acme.slug, orphan.pk])
        assert f'href="{edit}"' in editor.get(detail_url(assessment)).content.decode()
        orphan.delete()
        html = editor.get(detail_url(assessment)).content.decode()
        assert "Orphan" in html
        assert f'href="{edit}"' not in html

    def test_a_renamed_organization_is_named_anew(self, acme, assessment, member):
        viewer = member(MemberRole.VIEWER)
        viewer.get(detail_url(assessment))
        acme.name = "Acme Renamed"
        acme.save()
        html = viewer.get(detail_url(assessment)).content.decode()
        assert "<title>Assessment of Acme Renamed as of 2026-11-23" in html


class TestKeys:
    def test_a_changed_template_changes_the_key(self, assessment, settings, tmp_path):
        (tmp_path / "page.html").write_text("one")
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
        request = RequestFactory().get(detail_url(assessment))
        all_templates_fingerprint.cache_clear()
        try:
            before = page_key(assessment, request)
            (tmp_path / "page.html").write_text("two")
            # Hashed once a process: the same until the templates are hashed again.
            assert page_key(assessment, request) == before
            file_changed.send(sender=None, file_path=tmp_path / "page.html")
            assert page_key(assessment, request) != before
            (tmp_path / "page.html").write_text("one")
            all_templates_fingerprint.cache_clear()
            assert page_key(assessment, request) == before
        finally:
            all_templates_fingerprint.cache_clear()

    def test_the_key_is_the_assessments_own_and_the_querys(self, assessment):
        factory = RequestFactory()
        request = factory.get(detail_url(assessment))
        key = page_key(assessment, request)
        assert page_key(assessment, factory.get(detail_url(assessment))) == key
        assert page_key(assessment, factory.get(detail_url(assessment, "page=2"))) != key
        # Only the page numbers the page reads count: anything else makes no other entry.
        assert page_key(assessment, factory.get(detail_url(assessment, "utm=x&page=abc"))) == key
        assert page_key(
            assessment, factory.get(detail_url(assessment, "page=2&ref=mail"))
        ) == page_key(assessment, factory.get(detail_url(assessment, "page=2")))
        # The same id again after a rollback is another assessment: its creation time differs.
        assessment.created_at += timedelta(microseconds=1)
        assert page_key(assessment, request) != key

    def test_the_html_key_is_the_links_own(self, acme, assessment):
        request = RequestFactory().get(detail_url(assessment))
        key = page_key(assessment, request)
        subjects = list(assessment.subjects.all())
        editor = OrganizationLinks(acme, subjects, can_edit=True)
        viewer = OrganizationLinks(acme, subjects, can_edit=False)
        assert body_key(key, editor) != body_key(key, viewer)
        assert body_key(key, editor) == body_key(
            key, OrganizationLinks(acme, subjects, can_edit=True)
        )
        acme.people.get(name="Pat Kim").delete()
        assert body_key(key, editor) != body_key(
            key, OrganizationLinks(acme, subjects, can_edit=True)
        )


class TestQueries:
    @pytest.mark.parametrize("n_squads", [6, 90])
    def test_a_kept_page_reads_less_and_both_cost_the_same_at_any_size(
        self, n_squads, django_assert_max_num_queries
    ):
        org = build_organization(n_squads)
        assessment = run_assessment(org)[2]
        client = client_for(org, MemberRole.EDITOR)
        findings = list(assessment.findings.select_related("subject", "assessment")[:6])
        until = timezone.localdate() + timedelta(days=5)
        for i, f in enumerate(findings):
            decide(
                f,
                action=("accept", "dismiss", "snooze")[i % 3],
                user=client.user,
                reason="other",
                until=until,
            )
        url = detail_url(assessment)
        # Session, user, membership, the assessment, the one before; the counts and a page of
        # each list, the links, the findings, the chart; the decisions' standing, the decided
        # findings counted and a page of them, the decisions.
        with django_assert_max_num_queries(17) as cold:
            assert client.get(url).status_code == 200
        # Without the assessment's rows: the links and the decisions.
        with django_assert_max_num_queries(11) as warm:
            response = client.get(url)
        assert response.status_code == 200
        assert len(warm.captured_queries) < len(cold.captured_queries)
        # The rows the page shows are not read again (the Decided section reads its own).
        assert not [
            q for q in warm.captured_queries if 'FROM "advisor_assessedsubject"' in q["sql"]
        ]

    def test_another_page_of_a_kept_assessment_is_not_counted_again(self):
        org = build_organization(90)
        assessment = run_assessment(org)[2]
        client = client_for(org, MemberRole.VIEWER)
        counting = 'AS "people_with_findings"'
        with CaptureQueriesContext(connection) as first:
            client.get(detail_url(assessment))
        with CaptureQueriesContext(connection) as second:
            response = client.get(detail_url(assessment, "people_page=2"))
        assert [q for q in first.captured_queries if counting in q["sql"]]
        assert not [q for q in second.captured_queries if counting in q["sql"]]
        assert response.context["page"].shown.people.number == 2
        assert "showing 21\N{EN DASH}40." in response.content.decode()

    def test_a_viewers_kept_page_reads_no_links(self, assessment, member):
        viewer = member(MemberRole.VIEWER)
        viewer.get(detail_url(assessment))
        with CaptureQueriesContext(connection) as queries:
            viewer.get(detail_url(assessment))
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert "orgs_product" not in tables and "orgs_person" not in tables


class TestThePreviousAssessment:
    def test_is_the_advice_made_just_before_by_time_then_id(self, acme):
        first, second, projection, third = (run_assessment(acme)[2] for _ in range(4))
        Assessment.objects.filter(pk=projection.pk).update(is_projection=True)
        # The second and the third made at the same moment: the id breaks the tie.
        Assessment.objects.filter(pk=third.pk).update(created_at=second.created_at)
        other = run_assessment(build_organization(3, name="Other"))[2]
        previous = dict(Assessment.objects.with_previous_pk().values_list("pk", "previous_pk"))
        assert previous == {
            first.pk: None,
            second.pk: first.pk,
            # Made after both, and the third comes after the second.
            projection.pk: third.pk,
            third.pk: second.pk,
            other.pk: None,
        }
