"""Projections (an as-of date after today) and organizations with nothing to assess, in the
service, the command line and the browser."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from advisor.models import Assessment
from advisor.services import NothingToAssess, is_projection, run_assessment
from orgs.models import MemberRole
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import HX, hx, table_rows

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


class TestProjection:
    def test_today_is_advice_and_tomorrow_a_projection(self):
        assert is_projection(today()) is False
        assert is_projection(today() + timedelta(days=1)) is True

    def test_an_as_of_date_after_today_is_stored_and_printed_as_a_projection(self, acme):
        _, document, assessment = run_assessment(acme, as_of=today() + timedelta(days=1))
        assert (assessment.is_projection, document["projection"]) == (True, True)
        _, document, assessment = run_assessment(acme, as_of=today())
        assert (assessment.is_projection, document["projection"]) == (False, False)

    def test_the_command_marks_a_projection_in_text_and_json(self, acme):
        tomorrow = (today() + timedelta(days=1)).isoformat()
        out = StringIO()
        call_command("assess", acme.slug, "--as-of", tomorrow, "--no-save", stdout=out)
        assert out.getvalue().startswith(f"PROJECTION: Assessment of Acme as of {tomorrow}")
        assert "A projection: the as-of date is after today." in out.getvalue()
        out = StringIO()
        call_command("assess", acme.slug, "--as-of", tomorrow, "--format", "json", stdout=out)
        assert json.loads(out.getvalue())["projection"] is True
        assert Assessment.objects.get().is_projection is True

    def test_is_never_the_latest_advice_on_the_organization_page(self, acme):
        advice = run_assessment(acme, as_of=today())[2]
        run_assessment(acme, as_of=today() + timedelta(days=30))
        editor = MembershipFactory(organization=acme, role=MemberRole.EDITOR)
        html = Template("{% load advisor_tags %}{% latest_assessment organization m %}").render(
            Context({"organization": acme, "m": editor})
        )
        assert advice.get_absolute_url() in html
        assert f"as of {today():%-d %b %Y}" in html

    def test_a_projection_alone_leaves_the_organization_not_assessed(self, acme):
        run_assessment(acme, as_of=today() + timedelta(days=30))
        html = Template("{% load advisor_tags %}{% latest_assessment organization None %}").render(
            Context({"organization": acme})
        )
        assert "Not assessed yet." in html

    def test_is_never_the_before_of_a_comparison(self, acme, member):
        first = run_assessment(acme, as_of=today())[2]
        run_assessment(acme, as_of=today() + timedelta(days=90))
        second = run_assessment(acme, as_of=today())[2]
        client = member(MemberRole.VIEWER)
        compare = client.get(reverse("advisor:assessment_compare", args=[acme.slug]))
        assert (compare.context["before"], compare.context["after"]) == (first, second)
        detail = client.get(second.get_absolute_url())
        assert detail.context["previous_pk"] == first.pk
        history = client.get(reverse("advisor:assessment_list", args=[acme.slug]))
        assert (history.context["default_before"], history.context["default_after"]) == (
            first.pk,
            second.pk,
        )

    def test_pages_mark_it(self, acme, member):
        later = today() + timedelta(days=30)
        projection = run_assessment(acme, as_of=later)[2]
        client = member(MemberRole.VIEWER)
        html = client.get(projection.get_absolute_url()).content.decode()
        assert f"<h1>Projection as of {later:%-d %b %Y} " in html
        assert 'id="projection-notice"' in html
        history = client.get(reverse("advisor:assessment_list", args=[acme.slug]))
        rows = table_rows(history.content.decode())
        assert f"{later:%-d %b %Y} projection" in rows[1]


class TestNothingToAssess:
    def test_the_service_refuses_and_stores_nothing(self, organization):
        with pytest.raises(NothingToAssess, match="has no products, so there is nothing"):
            run_assessment(organization)
        assert Assessment.objects.count() == 0

    def test_the_command_exits_with_a_clear_message(self, organization):
        with pytest.raises(CommandError) as e:
            call_command("assess", organization.slug, stdout=StringIO())
        # CommandError: manage.py prints it on stderr and exits with status 1.
        assert str(e.value) == (
            f"{organization.name} has no products, so there is nothing to assess: "
            "add a product with its squads and people first."
        )
        assert Assessment.objects.count() == 0

    def test_the_assess_page_says_so_instead_of_the_form(self, organization, editor_client):
        url = reverse("advisor:assess", args=[organization.slug])
        html = editor_client.get(url).content.decode()
        assert "has no products, so there is nothing to assess" in html
        assert 'name="as_of"' not in html
        response = editor_client.post(url, {"as_of": ""})
        assert response.status_code == 200
        assert "has no products, so there is nothing to assess" in response.content.decode()
        assert Assessment.objects.count() == 0

    def test_an_htmx_post_from_another_page_is_sent_to_the_assess_page(
        self, organization, editor_client
    ):
        url = reverse("advisor:assess", args=[organization.slug])
        response = editor_client.post(url, headers=HX)
        assert response["HX-Redirect"] == url
        response = editor_client.post(url, headers=hx("assess-form"))
        assert response.template_name == "advisor/assess.html#assess_form"
        assert Assessment.objects.count() == 0


def test_an_organization_factory_has_no_products():
    assert OrganizationFactory().products.count() == 0
