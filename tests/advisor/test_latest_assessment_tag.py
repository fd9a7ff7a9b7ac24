"""The latest assessment on the organization page (advisor_tags.latest_assessment): what it
shows, read in one query whatever the organization's size."""

from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test.signals import template_rendered

from advisor.models import Assessment
from advisor.presenters import verdict_counts, verdict_summary
from advisor.services import run_assessment
from advisor.templatetags.advisor_tags import (
    LATEST_BODY_TEMPLATES,
    VERDICTS_NAMED,
    latest_with_verdicts,
)
from orgs.models import MemberRole
from tests.factories import MembershipFactory, UserFactory, build_organization
from tests.helpers import client_for, kept_renders

AS_OF = date(2026, 11, 23)

pytestmark = pytest.mark.django_db


def render(organization, membership=None) -> str:
    template = Template("{% load advisor_tags %}{% latest_assessment organization membership %}")
    html = template.render(Context({"organization": organization, "membership": membership}))
    return " ".join(html.split())


class TestLatestWithVerdicts:
    def test_what_the_page_shows_of_it(self, acme):
        user = UserFactory(username="ines")
        assessment = run_assessment(acme, as_of=AS_OF, user=user)[2]
        latest = latest_with_verdicts(acme).assessment
        assert (latest.pk, latest.url) == (assessment.pk, assessment.get_absolute_url())
        assert (latest.created_at, latest.as_of) == (assessment.created_at, AS_OF)
        assert (latest.created_by, latest.ruleset_label) == ("ines", assessment.ruleset.label)
        assert latest.finding_count == assessment.finding_count

    def test_the_newest_not_a_projection(self, acme):
        first = run_assessment(acme, as_of=AS_OF)[2]
        second = run_assessment(acme, as_of=AS_OF)[2]
        Assessment.objects.filter(pk=second.pk).update(is_projection=True)
        assert latest_with_verdicts(acme).assessment.pk == first.pk

    def test_none_before_the_first(self, acme):
        assert latest_with_verdicts(acme) == (None, [], {})

    def test_verdicts_named_by_name_and_counted(self, acme, assessment):
        assert latest_with_verdicts(acme)[1:] == ([("Payments", "split")], {"split": 1})

    def test_beyond_twenty_one_names_read_and_every_product_counted(self):
        org = build_organization(62)
        assessment = run_assessment(org, as_of=AS_OF)[2]
        latest, named, counts = latest_with_verdicts(org)
        assert latest.pk == assessment.pk
        subjects = assessment.subjects.filter(scope="product").order_by("name", "position")
        assert named == list(subjects.values_list("name", "verdict")[: VERDICTS_NAMED + 1])
        assert counts == verdict_counts([assessment.pk])[assessment.pk]


class TestTheSummary:
    @pytest.mark.parametrize("squads", [3, 62])
    def test_one_query_whatever_the_size(self, squads, django_assert_num_queries):
        org = build_organization(squads)
        run_assessment(org, as_of=AS_OF)
        with django_assert_num_queries(1):
            render(org)

    def test_who_assessed_it_the_ruleset_and_the_findings(self, acme):
        assessment = run_assessment(acme, as_of=AS_OF, user=UserFactory(username="ines"))[2]
        html = render(acme, MembershipFactory(organization=acme, role=MemberRole.VIEWER))
        assert (
            f'<a href="{assessment.get_absolute_url()}">Assessed '
            f"{assessment.created_at:%-d %b %Y}</a>, as of 23 Nov 2026 by ines · ruleset "
            f"<code>v1</code> · {assessment.finding_count} findings"
        ) in html
        assert '<span class="verdict verdict-split">Payments: Split</span>' in html

    def test_an_assessment_by_the_scheduler_names_nobody(self, acme, assessment):
        assert "as of 23 Nov 2026 · ruleset" in render(acme)

    def test_many_products_counted_by_verdict(self):
        org = build_organization(62)
        assessment = run_assessment(org, as_of=AS_OF)[2]
        html = render(org)
        counted = html.split('aria-label="Products by verdict">')[1].split("</ul>")[0]
        assert counted.count("<li>") == len(
            verdict_summary(verdict_counts([assessment.pk])[assessment.pk])
        )
        assert 'aria-label="Verdict per product"' not in html


class TestKeptSummary:
    """The summary below the heading is kept (orgs.rendered): each test renders it once, so
    that it is kept, then changes what it shows."""

    def test_a_new_assessment_shows(self, acme, assessment):
        render(acme)
        newer = run_assessment(acme, as_of=date(2026, 11, 30))[2]
        html = render(acme)
        assert newer.get_absolute_url() in html and "as of 30 Nov 2026" in html
        assert assessment.get_absolute_url() not in html

    def test_falling_due_shows(self, acme, assessment):
        acme.reassess_every_days = 30
        assert "Next due" in render(acme)
        Assessment.objects.filter(pk=assessment.pk).update(
            created_at=assessment.created_at - timedelta(days=31)
        )
        assert "Overdue by 1 day</span>" in render(acme)

    def test_a_change_to_the_organization_since_shows(self, acme, assessment):
        assert "Changed since the last assessment" not in render(acme)
        product = acme.products.get()
        product.name = "Payments EU"
        product.save()
        acme.refresh_from_db()
        assert "Changed since the last assessment" in render(acme)

    def test_an_editor_and_a_viewer_each_get_their_own(self, acme):
        editor = MembershipFactory(organization=acme, role=MemberRole.EDITOR)
        viewer = MembershipFactory(organization=acme, role=MemberRole.VIEWER)
        for _ in range(2):
            assert "Model the products, squads and people, then assess." in render(acme, editor)
            assert "Assess now" in render(acme, editor)
            html = render(acme, viewer)
            assert "Not assessed yet." in html
            assert "then assess" not in html and "Assess now" not in html

    def test_the_kept_summary_holds_no_csrf_token(self, acme, assessment):
        client = client_for(acme, MemberRole.EDITOR)
        client.get(acme.get_absolute_url())
        html = client.get(acme.get_absolute_url()).content.decode()
        summary = html.split('id="latest-assessment"')[1].split("</section>")[0]
        form, below = summary.split("</form>")
        assert "csrfmiddlewaretoken" in form
        assert "csrf" not in below and "Assessed " in below

    def test_every_template_the_summary_renders_is_in_its_fingerprint(self, acme, assessment):
        files = []

        def seen(sender, template, context, **kwargs):
            files.append(template.origin.template_name)

        template_rendered.connect(seen)
        try:
            render(acme)
        finally:
            template_rendered.disconnect(seen)
        body = set(files) - {"advisor/_latest_assessment_summary.html", None}
        assert body == set(LATEST_BODY_TEMPLATES)


def test_the_parts_that_read_no_query_are_kept_once_for_every_page(
    acme, editor_client, monkeypatch
):
    run_assessment(acme)
    url = acme.get_absolute_url()
    first = editor_client.get(url + "?page=1").content.decode()
    assert 'id="latest-assessment"' in first and 'name="name"' in first
    rendered = kept_renders(monkeypatch)

    assert editor_client.get(url + "?page=2").status_code == 200

    assert "advisor/_latest_assessment_body.html" not in rendered
    assert not [name for name in rendered if "scenario_form_fields" in name]
