"""A quarter later, as a leader would: change the organization, re-assess, read what changed
and why, snooze a piece of advice, then try the hires in a scenario and apply it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advisor.models import Decision
from orgs.models import Organization
from tests.browser.support import field, wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(harbour_owner):
    return harbour_owner


def assess(page) -> None:
    page.goto("/orgs/harbour/")
    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")


def test_a_leader_reassesses_reads_the_cause_snoozes_advice_and_applies_a_scenario(
    page, log_in, owner, console_errors
):
    log_in(page.context, owner)
    assess(page)
    expect(
        page.locator("[id^=advice-][id$=-card]", has_text="split-backlog-overload")
    ).to_have_count(1)

    # The organization changes: Ines hands backlog work over and spends it on strategy.
    page.goto("/orgs/harbour/")
    page.get_by_role("link", name="Edit Ines Roy").click()
    form = page.locator("#person-editor form")
    expect(form).to_be_visible()
    wait_for_htmx(page)
    field(form, "Backlog %").fill("30")
    field(form, "Strategy %").fill("45")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#person-editor form")).to_have_count(0, timeout=15_000)
    wait_for_htmx(page)
    assess(page)

    # What changed, and why: the history compares the two latest by default.
    page.goto("/orgs/harbour/assessments/")
    page.get_by_role("button", name="Compare the two chosen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed, and why")
    pier = page.get_by_role("row", name=re.compile("^Pier"))
    expect(pier).to_contain_text("The organization changed")
    expect(page.locator("#people-changes")).to_contain_text("Ines Roy")
    expect(page.locator("#people-changes")).to_contain_text("55% → 30%")

    # The split for three squads stands; the leader snoozes it until the hiring round.
    page.goto("/orgs/harbour/")
    page.get_by_role("link", name="The full assessment, with its evidence").click()
    advice = page.locator("[id^=advice-][id$=-card]", has_text="split-three-plus-squads")
    advice.get_by_text("Decide on this advice").click()
    until = timezone.localdate() + timedelta(days=30)
    advice.get_by_label("Snooze: look again at a later date").check()
    field(advice, "Snooze until").fill(until.isoformat())
    advice.get_by_role("button", name="Save decision").click()
    expect(advice.locator(".decided-line")).to_contain_text("until")
    wait_for_htmx(page)
    assert Decision.objects.get().status == "snoozed"

    # Then tries the hires the plan asks for in a scenario, and applies it.
    page.goto("/orgs/harbour/")
    page.get_by_label("Scenario name").fill("Three product owners")
    page.get_by_role("button", name="Copy into a new scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Three product owners")
    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")
    page.get_by_role("link", name="Three product owners").click()
    page.get_by_role("button", name="Add the hires the latest plan asks for").click()
    expect(page.get_by_role("status")).to_contain_text("Added 3 hires")
    page.get_by_role("link", name="Apply to Harbour…").click()
    page.get_by_role("button", name="Apply to Harbour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour")
    harbour = Organization.objects.get(slug="harbour")
    assert harbour.people.filter(title="Product Owner").count() == 3
    # Ines is the same person, updated in place, so her history and decisions continue.
    assert harbour.people.get(name="Ines Roy").time_backlog == 30
    assert Decision.objects.get().status == "snoozed"
    assert console_errors == []
