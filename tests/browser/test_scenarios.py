"""A what-if scenario in the browser, as a person would: copy the organization, add the hires
the plan asks for, assess, compare with the live organization, apply."""

import pytest
from playwright.sync_api import expect

from orgs.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(harbour_owner):
    return harbour_owner


def test_an_owner_tries_the_hires_in_a_scenario_compares_and_applies_it(
    page, log_in, owner, console_errors
):
    log_in(page.context, owner)
    page.goto("/orgs/harbour/")
    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")

    page.goto("/orgs/harbour/")
    page.get_by_label("Scenario name").fill("Three product owners")
    page.get_by_role("button", name="Copy into a new scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Three product owners")
    expect(page.get_by_role("heading", name="What-if scenario of Harbour")).to_be_visible()

    # The scenario's plan asks for product owners: assess it, then add them in one click.
    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")
    page.get_by_role("link", name="Three product owners").click()
    page.get_by_role("button", name="Add the hires the latest plan asks for").click()
    expect(page.get_by_role("status")).to_contain_text("Added 3 hires")
    people = page.locator("#people")
    for squad in ("Cranes", "Docks", "Gates"):
        expect(people.get_by_role("rowheader", name=f"New Product Owner, {squad}")).to_be_visible()

    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")
    page.get_by_role("link", name="Three product owners").click()
    page.get_by_role("link", name="Compare with Harbour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Scenario “Three product owners” against Harbour"
    )
    pier = page.get_by_role("row", name="Pier")
    # Product managers / owners now: Harbour's one PM alone; the scenario's PM and 3 POs.
    expect(pier.get_by_role("cell").nth(2)).to_have_text("1 / 0")
    expect(pier.get_by_role("cell").nth(3)).to_have_text("1 / 3")
    expect(pier.get_by_role("cell").nth(5)).to_have_text("1 / 3")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("person New Product Owner, Docks")
    # Harbour is untouched until the scenario is applied.
    harbour = Organization.objects.get(slug="harbour")
    assert not harbour.people.filter(name__startswith="New ").exists()

    page.get_by_role("link", name="Apply to Harbour…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Apply “Three product owners” to Harbour?"
    )
    page.get_by_role("button", name="Apply to Harbour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour")
    expect(page.get_by_role("status")).to_contain_text(
        "Scenario “Three product owners” applied to Harbour: 3 changes."
    )
    expect(
        page.locator("#people").get_by_role("rowheader", name="New Product Owner, Gates")
    ).to_be_visible()
    expect(page.locator("#scenarios")).to_contain_text("applied")
    assert console_errors == []
