"""Issue 7 in the browser: unknown facts read "not entered", notes sit with the person, a
projection is marked, an organization with no products is not assessed, and the org chart
tells product managers from product owners and opens each person's form."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor.services import run_assessment
from orgs.management.commands.load_seeds import REFERENCE_DATE
from orgs.models import MemberRole, Organization
from tests.browser.support import watch_console
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kestrel(db):
    user = UserFactory(username="demo")
    call_command("load_seeds", owner="demo", stdout=StringIO())
    return user, Organization.objects.get(slug="kestrel-mutual")


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the pages are photographed: I7_SCREENSHOTS when set, to look at them."""
    folder = Path(os.environ.get("I7_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_unknown_facts_read_not_entered_and_lead_to_their_field(page, log_in, kestrel, shots):
    user, org = kestrel
    log_in(page.context, user)
    errors = watch_console(page)
    assessment = run_assessment(org, as_of=REFERENCE_DATE, user=user)[2]
    page.goto(assessment.get_absolute_url())
    olivia = page.locator("article", has=page.get_by_role("heading", name="Olivia Grant"))
    assert (
        olivia.locator("figcaption").inner_text() == "Time allocation of Olivia Grant: not entered"
    )
    liam = page.locator("article", has=page.get_by_role("heading", name="Liam Foster"))
    assert "No time left for strategy" in liam.inner_text()
    page.screenshot(path=shots / "kestrel-assessment.png", full_page=True)
    olivia.screenshot(path=shots / "olivia-not-entered.png")
    liam.screenshot(path=shots / "liam-note.png")
    missing = page.locator("#missing-facts")
    missing.screenshot(path=shots / "missing-facts.png")
    row = missing.get_by_role("row", name="Broker Portal: markets not entered")
    row.get_by_role("link", name="Broker Portal").click()
    page.wait_for_url("**/products/*/edit/#product-*-markets")
    markets = page.get_by_label("Markets")
    assert markets.get_attribute("placeholder") == "Not entered"
    assert markets.input_value() == ""
    page.screenshot(path=shots / "product-form-not-entered.png", full_page=True)
    page.goto(org.get_absolute_url())
    assert page.locator(".not-entered").count() >= 3
    page.screenshot(path=shots / "kestrel-organization.png", full_page=True)
    assert errors == []


def test_the_org_chart_tells_pms_from_pos_and_opens_their_forms(page, log_in, kestrel, shots):
    user, org = kestrel
    log_in(page.context, user)
    errors = watch_console(page)
    page.set_viewport_size({"width": 900, "height": 700})
    page.goto(f"/orgs/{org.slug}/chart/")
    pm_stroke = page.locator(".role-product_manager rect").first.evaluate(
        "el => getComputedStyle(el).stroke"
    )
    po_stroke = page.locator(".role-product_owner rect").first.evaluate(
        "el => getComputedStyle(el).stroke"
    )
    assert pm_stroke != po_stroke
    assert page.locator(".org-legend").inner_text().splitlines()[:2] == [
        "Product manager",
        "Product owner",
    ]
    # Opened on the product people's branch: a product manager's box is in view.
    scroller = page.locator(".chart-scroll")
    visible = page.evaluate(
        """() => {
          const s = document.querySelector('.chart-scroll');
          const box = s.getBoundingClientRect();
          return [...s.querySelectorAll('.role-product_manager rect')].some(r => {
            const b = r.getBoundingClientRect();
            return b.left >= box.left && b.right <= box.right;
          });
        }"""
    )
    assert visible
    assert scroller.evaluate("s => s.scrollLeft") > 0 or scroller.evaluate(
        "s => s.scrollWidth <= s.clientWidth"
    )
    page.screenshot(path=shots / "kestrel-org-chart.png")
    page.locator("a.person-link", has_text="Liam Foster").click()
    page.wait_for_url("**/people/*/edit/")
    assert page.get_by_role("heading", name="Edit Liam Foster").is_visible()
    assert errors == []


def test_a_projection_is_marked_and_an_empty_organization_not_assessed(page, log_in, shots):
    user = UserFactory(username="lead")
    empty = OrganizationFactory(name="Empty Co")
    MembershipFactory(organization=empty, user=user, role=MemberRole.OWNER)
    log_in(page.context, user)
    errors = watch_console(page)
    page.goto(empty.get_absolute_url())
    # The organization page's button (htmx) leads to the assess page, which says why.
    page.get_by_role("button", name="Assess now").click()
    page.wait_for_url(f"**/orgs/{empty.slug}/assess/")
    assert "Empty Co has no products" in page.locator("#nothing-to-assess").inner_text()
    assert page.locator("#id_as_of").count() == 0
    page.screenshot(path=shots / "empty-assess.png", full_page=True)
    assert empty.assessments.count() == 0
    assert errors == []


def test_a_projection_page(page, log_in, kestrel, shots):
    user, org = kestrel
    log_in(page.context, user)
    page.goto(f"/orgs/{org.slug}/assess/")
    page.locator("#id_as_of").fill("2099-01-01")
    page.get_by_role("button", name="Assess now").click()
    page.wait_for_url("**/assessments/*/")
    assert page.locator("h1").inner_text().startswith("Projection as of 1 Jan 2099")
    assert page.locator("#projection-notice").is_visible()
    page.screenshot(path=shots / "projection.png")
    page.goto(org.get_absolute_url())
    assert "Not assessed yet." in page.locator("#latest-assessment").inner_text()
