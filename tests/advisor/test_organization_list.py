"""The list of organizations: each one's latest verdicts, when it was last assessed, and whether
it is due, overdue or changed since, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor.models import Assessment
from advisor.services import run_assessment
from orgs.models import MemberRole, Organization
from tests.factories import MembershipFactory, ProductFactory, SquadFactory, build_organization
from tests.helpers import login


def assessed_days_ago(organization, days: int) -> Assessment:
    assessment = run_assessment(organization)[2]
    then = timezone.now() - timedelta(days=days)
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=then, as_of=timezone.localdate(then)
    )
    Organization.objects.filter(pk=organization.pk).update(changed_at=then - timedelta(hours=1))
    return assessment


def card_of(html: str, name: str) -> str:
    start = html.index(f">{name}</a></h2>")
    end = html.find('<li class="card">', start)
    return html[start : end if end != -1 else len(html)]


class TestOrganizationList:
    def test_shows_latest_verdicts_last_assessed_and_the_schedule(self, acme, member):
        client = member(MemberRole.VIEWER)
        assessed_days_ago(acme, 95)
        late = MembershipFactory(user=client.user, organization__name="Beta").organization
        html = client.get(reverse("orgs:organization_list")).content.decode()
        acme_card = card_of(html, "Acme")
        assert '<span class="verdict verdict-split">Payments: Split</span>' in acme_card
        when = timezone.localdate() - timedelta(days=95)
        assert f"{when:%-d %b %Y}</time>" in acme_card
        assert '<span class="status status-overdue">Overdue by 5 days</span>' in acme_card
        assert "Changed since" not in acme_card
        beta_card = card_of(html, late.name)
        assert '<span class="status status-due">Not assessed yet</span>' in beta_card

    def test_an_organization_edited_since_is_marked_changed(self, acme, member):
        client = member(MemberRole.VIEWER)
        assessed_days_ago(acme, 3)
        acme.products.get(name="Payments").save()
        card = card_of(client.get(reverse("orgs:organization_list")).content.decode(), "Acme")
        assert (
            '<span class="status status-changed">Changed since the last assessment</span>' in card
        )
        assert "Next due" in card and "(in 87 days)" in card

    def test_a_large_organization_has_its_verdicts_counted(self, member, acme):
        client = member(MemberRole.VIEWER)
        for n in range(5):
            SquadFactory(product=ProductFactory(organization=acme, name=f"Extra {n}"))
        assessed_days_ago(acme, 1)
        card = card_of(client.get(reverse("orgs:organization_list")).content.decode(), "Acme")
        assert "Payments:" not in card
        assert '<span class="verdict verdict-split">Split: 1</span>' in card

    def test_names_are_escaped(self, member, acme):
        client = member(MemberRole.VIEWER)
        ProductFactory(organization=acme, name="<b>Bold</b>")
        assessed_days_ago(acme, 1)
        html = client.get(reverse("orgs:organization_list")).content.decode()
        assert "&lt;b&gt;Bold&lt;/b&gt;: " in html and "<b>Bold" not in html

    @pytest.mark.parametrize("organizations", [2, 12])
    def test_queries_do_not_grow_with_organizations_or_their_size(
        self, db, organizations, django_assert_num_queries
    ):
        user = None
        for n in range(organizations):
            organization = build_organization(3 + 6 * n, name=f"Org {n:02d}")
            if n % 2:
                assessed_days_ago(organization, n * 10)
            membership = MembershipFactory(organization=organization)
            user = user or membership.user
        browser = login(user)
        for organization in Organization.objects.exclude(memberships__user=user):
            MembershipFactory(organization=organization, user=user, role=MemberRole.VIEWER)
        # Session, user, count and page of memberships, then the standings (1), the verdicts
        # counted (1) and named (1).
        with django_assert_num_queries(7):
            response = browser.get(reverse("orgs:organization_list"))
        assert response.content.decode().count('<li class="card">') == organizations

    def test_pages_of_25(self, db, member, acme):
        client = member(MemberRole.VIEWER)
        for n in range(30):
            MembershipFactory(user=client.user, organization__name=f"Org {n:02d}")
        html = client.get(reverse("orgs:organization_list") + "?page=2").content.decode()
        assert html.count('<li class="card">') == 6
        assert "Page 2 of 2" in html
