"""In the browser: the list of organizations with its schedule, the print layout on paper, and
signing up through an invitation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advisor.models import Assessment
from advisor.services import run_assessment
from orgs.models import MemberRole, Membership, Organization
from tests.browser.support import field
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assessed_organization(name: str, *, days_ago: int) -> tuple[Organization, Assessment]:
    organization = OrganizationFactory(name=name)
    for n in range(2):
        SquadFactory(product=ProductFactory(organization=organization, name=f"{name} {n}"))
    assessment = run_assessment(organization)[2]
    then = timezone.now() - timedelta(days=days_ago)
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=then, as_of=timezone.localdate(then)
    )
    Organization.objects.filter(pk=organization.pk).update(changed_at=then - timedelta(hours=1))
    return organization, assessment


def test_the_list_shows_verdicts_and_where_each_stands(page, log_in, console_errors):
    user = UserFactory()
    late, _ = assessed_organization("Late", days_ago=93)
    fresh, _ = assessed_organization("Fresh", days_ago=2)
    fresh.products.first().save()
    blank = OrganizationFactory(name="Blank")
    for organization in (late, fresh, blank):
        MembershipFactory(organization=organization, user=user)
    log_in(page.context, user)
    page.goto("/")
    cards = page.locator(".organization-list > li")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("Not assessed yet")
    expect(cards.nth(1)).to_contain_text("Changed since the last assessment")
    expect(cards.nth(1).locator(".verdict").first).to_be_visible()
    expect(cards.nth(2)).to_contain_text("Overdue by 3 days")
    assert console_errors == []


def test_the_print_layout_has_no_controls_on_paper_and_a_page_per_product(
    page, log_in, console_errors
):
    organization, assessment = assessed_organization("Acme", days_ago=0)
    user = UserFactory()
    MembershipFactory(organization=organization, user=user, role=MemberRole.VIEWER)
    log_in(page.context, user)
    page.goto(assessment.get_absolute_url())
    page.get_by_role("link", name="Print layout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team-structure advice for Acme")
    expect(page.locator(".print-hint")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".print-hint")).to_be_hidden()
    breaks = page.locator(".print-product").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    # Each of the two products, then the people and squads with findings.
    assert breaks == ["page", "page", "page"]
    assert page.locator("nav, form, button").count() == 0
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 3
    assert console_errors == []


def test_a_colleague_signs_up_through_an_invitation(page, console_errors):
    organization = OrganizationFactory(name="Acme")
    InvitationFactory(
        organization=organization, token="browser-token", email="bea@example.com", role="viewer"
    )
    page.goto("/invitations/browser-token/")
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    page.get_by_label("Username").fill("bea")
    field(page, "Password").fill("a-long-unusual-passphrase")
    page.get_by_label("Password confirmation").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign up and join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(page.get_by_text("Welcome to Acme: you are viewer.")).to_be_visible()
    assert Membership.objects.get(user__username="bea").role == MemberRole.VIEWER
    assert console_errors == []
