"""A site admin moves a line in the admin, previews whose advice it changes, publishes, and the
next assessment says so under the new version while the earlier one keeps its own."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def organization(name: str, product: str, squads: int):
    """A product of `squads` Scrum squads, one PM who owns the roadmap, 30% on the backlog."""
    org = OrganizationFactory(name=name)
    made = ProductFactory(organization=org, name=product)
    served = [SquadFactory(product=made, name=f"{product} {i}") for i in range(squads)]
    PersonFactory(
        organization=org,
        name=f"{product} PM",
        title="Product Manager",
        squads=served,
        time_backlog=30,
        time_strategy=30,
        owns_roadmap=True,
    )
    return org


def test_an_admin_moves_min_squads_to_4_previews_publishes_and_the_next_assessment_says_so(
    browser, live_server, log_in, console_errors, page
):
    acme = organization("Acme", "Payments", 3)
    bolt = organization("Bolt", "Ledger", 2)
    before = run_assessment(acme, as_of=date.today())[2]
    run_assessment(bolt, as_of=date.today())
    admin = UserFactory(username="ada", is_staff=True, is_superuser=True)
    MembershipFactory(organization=acme, user=admin, role=MemberRole.OWNER)
    log_in(page.context, admin)
    failed_responses = []
    page.on("response", lambda r: failed_responses.append(r.url) if r.status >= 400 else None)

    page.goto("/admin/advisor/parameter/")
    page.get_by_role("link", name="min_squads", exact=True).click()
    page.get_by_label("Value").fill("4")
    page.get_by_role("button", name="Save", exact=True).click()

    # The preview: nothing saved; Payments would go from split to merge, Ledger unchanged.
    expect(page.get_by_text("Nothing is saved yet.")).to_be_visible()
    changes = page.locator("#preview-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first.locator("td")).to_have_text(["parameters", "min_squads", "3", "4"])
    rows = page.locator("#preview-advice tr.preview-product")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th, td")).to_have_text(
        ["Payments", "split", "merge", "merge-small-team", "split-three-plus-squads"]
    )
    page.get_by_label("Note for this version").fill("Four squads before a split.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("min_squads")

    # The next assessment of Acme: merge, under v2.
    page.goto(f"/orgs/{acme.slug}/assess/")
    page.get_by_role("button", name="Assess now").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{acme.slug}/assessments/\d+/$"))
    expect(page.locator("body")).to_contain_text("ruleset v2")
    payments = page.locator("article.product", has_text="Payments")
    expect(payments.locator(".verdict-large")).to_have_text("Merge")
    merge = payments.locator("article.finding", has_text="merge-small-team")
    expect(merge.locator(".finding-message")).to_contain_text("squads 3 (below 4)")

    # The earlier assessment still shows the line it was judged by.
    page.goto(before.get_absolute_url())
    expect(page.locator("body")).to_contain_text("ruleset v1")
    earlier = page.locator("article.product", has_text="Payments")
    expect(earlier.locator(".verdict-large")).to_have_text("Split")
    split = earlier.locator("article.finding", has_text="split-three-plus-squads")
    expect(split.locator(".finding-message")).to_contain_text("(split from 3)")
    assert failed_responses == []
    assert console_errors == []


def test_the_condition_rows_grow_and_fit_the_scope_without_inline_script(
    live_server, log_in, console_errors, page
):
    from advisor.models import Heuristic

    admin = UserFactory(username="ada", is_staff=True, is_superuser=True)
    log_in(page.context, admin)
    heuristic = Heuristic.objects.get(code="split-three-plus-squads")
    page.goto(f"/admin/advisor/heuristic/{heuristic.pk}/change/")
    rows = page.locator("tr.condition-row")
    expect(rows).to_have_count(6)
    page.get_by_role("button", name="Add a row").click()
    expect(rows).to_have_count(7)
    expect(page.locator('input[name="condition-rows"]')).to_have_value("7")
    # Facts of the product scope only; ordering operators only for a number.
    expect(
        page.locator("tr.condition-row").nth(6).locator('optgroup[data-scope="person"]')
    ).to_be_hidden()
    last = rows.nth(6)
    last.get_by_label("Row 7 kind").select_option("clause")
    last.get_by_label("Row 7 fact").select_option("squads")
    expect(last.locator('select.condition-op option[value=">="]')).to_be_enabled()
    page.get_by_label("Scope").select_option("person")
    last.get_by_label("Row 7 fact").select_option("owns_roadmap")
    expect(last.locator('select.condition-op option[value=">="]')).to_be_disabled()
    assert console_errors == []
