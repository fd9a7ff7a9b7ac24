"""The history pages in the real browser: an owner reads the cause of a change on the compare
page, chooses two other assessments, reads the trends, and deletes an assessment made by
mistake; no console error (a CSP violation would be one) on the way."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from advisor.models import Assessment
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import AS_OF, assess, grow, overload_managers, small_payments
from tests.factories import MembershipFactory, UserFactory, build_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep the pages' pictures for a person to look at (none unless asked).
PICTURES = os.environ.get("HISTORY_PICTURES", "")


def picture(page, name: str) -> None:
    if PICTURES:
        page.screenshot(path=Path(PICTURES) / f"{name}.png", full_page=True)


def test_an_owner_reads_why_the_advice_changed_the_trends_and_deletes_a_mistake(
    page, log_in, console_errors
):
    owner = UserFactory(username="olivia")
    growth = small_payments()
    MembershipFactory(organization=growth, user=owner, role=MemberRole.OWNER)
    run_assessment(growth, as_of=AS_OF)
    grow(growth)
    run_assessment(growth, as_of=AS_OF)
    mistake = run_assessment(growth, as_of=AS_OF)[2]
    log_in(page.context, owner)

    page.goto(f"/orgs/{growth.slug}/assessments/")
    history = page.locator("#history")
    expect(history.get_by_role("row")).to_have_count(4)
    # The oldest against the latest: the radio buttons choose any two.
    history.get_by_role("radio", name=re.compile("^Compare from")).last.check()
    page.get_by_role("button", name="Compare the two chosen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed, and why")
    payments = page.get_by_role("row", name=re.compile("^Payments"))
    expect(payments).to_contain_text("Merge")
    expect(payments).to_contain_text("Split")
    expect(payments).to_contain_text("The organization changed")
    card = page.locator("#product-1")
    expect(card.get_by_role("row", name=re.compile("pm_backlog_share"))).to_contain_text("55%")
    expect(page.locator("#people-changes")).to_contain_text("Bea Kim")
    picture(page, "compare")

    # The two latest are the same organization: the chooser says nothing changed.
    page.get_by_role("combobox", name=re.compile("^From")).select_option(index=1)
    page.get_by_role("combobox", name=re.compile("^To")).select_option(index=0)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("^Payments"))).to_contain_text(
        "Advice unchanged"
    )

    page.get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trends")
    expect(page.get_by_role("img", name=re.compile("verdict at each assessment"))).to_be_visible()
    dana = page.locator("#backlog-trends").get_by_role("row", name=re.compile("^Dana Lee"))
    expect(dana).to_contain_text("35% / 40%")
    # The mistake repeats the assessment before it: no change since the last, yet.
    expect(dana).to_contain_text("unchanged at 55")
    picture(page, "trends")

    page.goto(mistake.get_absolute_url())
    page.get_by_role("link", name="Delete this assessment").click()
    page.get_by_role("button", name="Delete assessment").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted the assessment run")
    expect(page.locator("#history").get_by_role("row")).to_have_count(3)
    page.get_by_role("link", name="Trends").click()
    expect(dana).to_contain_text("up 20, from 35 to 55")
    assert not Assessment.objects.filter(pk=mistake.pk).exists()
    assert console_errors == []


def test_an_owner_pages_through_a_large_comparison_one_list_at_a_time(page, log_in, console_errors):
    owner = UserFactory(username="pat")
    organization = build_organization(66)
    MembershipFactory(organization=organization, user=owner, role=MemberRole.OWNER)
    overload_managers(organization, even=True)
    assess(organization)
    overload_managers(organization, even=False)
    assess(organization)
    log_in(page.context, owner)

    page.goto(f"/orgs/{organization.slug}/assessments/compare/")
    products, people = page.locator("#products"), page.locator("#people-changes")
    expect(products).to_contain_text("showing products 1\N{EN DASH}10")
    # The page is not loaded again: htmx swaps the one list.
    page.evaluate("window.notReloaded = true")
    products.get_by_role("link", name="Next products").click()
    expect(products).to_contain_text("showing products 11\N{EN DASH}20")
    # The link followed went with the old page: reading carries on from the list's heading.
    expect(products.get_by_role("heading", level=2)).to_be_focused()
    expect(page).to_have_url(re.compile(r"products_page=2"))
    people.get_by_role("link", name="Next people").click()
    expect(people.get_by_text("Page 2 of 2", exact=True)).to_be_visible()
    # The other list kept its page, and so does the address.
    expect(products).to_contain_text("showing products 11\N{EN DASH}20")
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    expect(products).to_contain_text("showing products 11\N{EN DASH}20")
    expect(people.get_by_text("Page 2 of 2", exact=True)).to_be_visible()


def test_an_owner_lists_only_the_products_that_moved_and_back(page, log_in, console_errors):
    owner = UserFactory(username="pat")
    organization = build_organization(66)
    MembershipFactory(organization=organization, user=owner, role=MemberRole.OWNER)
    assess(organization)
    for name in ("PM Product 0000", "PM Product 0010", "PM Product 0020"):
        manager = organization.people.get(name=name)
        manager.time_backlog, manager.time_strategy = 70, 10
        manager.save()
    assess(organization)
    log_in(page.context, owner)

    page.goto(f"/orgs/{organization.slug}/assessments/compare/")
    products = page.locator("#products")
    rows = products.locator("table").first.locator("tbody > tr")
    expect(rows).to_have_count(10)
    page.evaluate("window.notReloaded = true")
    products.get_by_role("link", name="List only the 3 with something that moved").click()
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Product 0000")
    expect(products.get_by_role("heading", level=2)).to_be_focused()
    expect(page).to_have_url(re.compile(r"moved=1"))
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    expect(rows).to_have_count(3)
    products.get_by_role("link", name="List all the products").click()
    expect(rows).to_have_count(10)
    expect(page).not_to_have_url(re.compile(r"moved="))
    assert console_errors == []
