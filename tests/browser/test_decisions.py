"""Deciding on advice in the browser, as a person would: snooze a finding, see it set apart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advisor.models import Decision
from tests.browser.support import field, wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(harbour_owner):
    return harbour_owner


def test_an_owner_snoozes_a_finding_and_finds_it_under_decided(page, log_in, owner, console_errors):
    log_in(page.context, owner)
    page.goto("/orgs/harbour/")
    page.get_by_role("button", name="Assess now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment as of")

    advice = page.locator("[id^=advice-][id$=-card]", has_text="split-backlog-overload")
    advice.get_by_text("Decide on this advice").click()
    advice.get_by_label("Snooze: look again at a later date").check()
    advice.get_by_role("button", name="Save decision").click()
    # No date: refused beside the field, in place.
    expect(advice.locator(".has-error")).to_contain_text("Give the date until which to snooze it.")
    wait_for_htmx(page)

    today = timezone.localdate()
    until = today + timedelta(days=21)
    advice.get_by_label("Snooze: look again at a later date").check()
    field(advice, "Snooze until").fill(until.isoformat())
    field(advice, "Note").fill("After the Q1 hiring round.")
    advice.get_by_role("button", name="Save decision").click()
    expect(advice.locator(".decided-line")).to_contain_text(
        f"by morgan on {today.day} {today:%b %Y}, until {until.day} {until:%b %Y}"
    )
    expect(advice.get_by_role("link", name="Shown under Decided")).to_be_visible()
    wait_for_htmx(page)

    page.reload()
    decided = page.locator("#decided")
    expect(decided.get_by_role("heading", name="Decided 1")).to_be_visible()
    expect(decided).to_contain_text("After the Q1 hiring round.")
    expect(decided.locator(".badge.decision-snoozed")).to_have_text("Snoozed")
    decision = Decision.objects.get()
    assert (decision.status, decision.until, decision.decided_by) == ("snoozed", until, owner)

    decided.get_by_role("link", name="History of this advice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("split-backlog-overload")
    expect(page.get_by_role("row", name="morgan")).to_contain_text("Snoozed until")
    assert console_errors == []
