"""The screenshots of docs/screenshots/, taken from the demo organizations.

Every run of the suite takes them, into a temporary folder, so the pages they
show are exercised; `UPDATE_SCREENSHOTS=1 uv run pytest tests/browser/test_screenshots.py`
writes them to docs/screenshots/ instead. Every date and name on them is fixed
(the seeds' reference day, the assessments' run times), so a retake on the same
machine gives the same images.
"""

import datetime
import os
from io import StringIO

import pytest
from django.core.management import call_command

from advisor.models import Assessment
from advisor.services import run_assessment
from orgs.management.commands.load_seeds import REFERENCE_DATE
from orgs.models import Organization
from tests.browser.conftest import SCREENSHOTS
from tests.browser.support import watch_console
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The branch of the product managers and owners, in the middle of the chart's scrolling
# box (or as near as the scroll allows).
BRANCH_OFFSET_FROM_MIDDLE = """() => {
  const scroller = document.querySelector(".chart-scroll");
  const focus = Number.parseFloat(scroller.dataset.focusX);
  const wanted = Math.min(
    Math.max(0, focus - scroller.clientWidth / 2), scroller.scrollWidth - scroller.clientWidth);
  return Math.abs(scroller.scrollLeft - wanted);
}"""


def assess_at(organization: Organization, user, hour: int) -> Assessment:
    """Assess as of the seeds' day, and say it ran at `hour` that day."""
    _, _, assessment = run_assessment(organization, as_of=REFERENCE_DATE, user=user)
    run_at = datetime.datetime.combine(REFERENCE_DATE, datetime.time(hour), tzinfo=datetime.UTC)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=run_at)
    return assessment


@pytest.fixture
def demo(db):
    """The five demo organizations, owned by `demo`; Lumen Health assessed, changed, reassessed."""
    user = UserFactory(username="demo")
    call_command("load_seeds", owner="demo", stdout=StringIO())
    lumen = Organization.objects.get(slug="lumen-health")
    assess_at(lumen, user, hour=9)
    # Acting on the first advice: the Patient App PM hands backlog work over,
    # and Lumen Connect's PO role is folded into its PM's.
    lumen.people.filter(name="Daniel Costa").update(time_backlog=30, time_strategy=35)
    lumen.people.get(name="Elif Demir").squads.clear()
    assess_at(lumen, user, hour=15)
    return user, lumen


@pytest.fixture
def screenshots(tmp_path):
    """docs/screenshots/ when asked to update them, else a temporary folder."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_screenshots_of_the_main_pages(browser, live_server, log_in, demo, screenshots):
    user, lumen = demo
    assessment = lumen.assessments.latest_first().first()
    daniel = lumen.people.get(name="Daniel Costa")
    shots = [
        # (file, url, full page)
        ("organization-list", "/", False),
        ("organization", lumen.get_absolute_url(), False),
        ("person-form", f"/orgs/{lumen.slug}/people/{daniel.pk}/edit/", True),
        ("assessment", assessment.get_absolute_url(), True),
        ("compare", f"/orgs/{lumen.slug}/assessments/compare/", False),
        ("trends", f"/orgs/{lumen.slug}/assessments/trends/", False),
        ("org-chart", f"/orgs/{lumen.slug}/chart/", False),
        ("heuristics", "/heuristics/", False),
    ]
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    try:
        log_in(desk, user)
        log_in(phone, user)
        page = desk.new_page()
        errors = watch_console(page)
        for name, url, full_page in shots:
            assert page.goto(url).ok, url
            if name == "org-chart":
                assert page.evaluate(BRANCH_OFFSET_FROM_MIDDLE) < 1
            page.screenshot(path=screenshots / f"{name}.png", full_page=full_page)
        phone_page = phone.new_page()
        phone_errors = watch_console(phone_page)
        assert phone_page.goto(lumen.get_absolute_url()).ok
        phone_page.screenshot(path=screenshots / "organization-phone.png")
    finally:
        desk.close()
        phone.close()
    assert errors == phone_errors == []
    assert sorted(path.stem for path in screenshots.glob("*.png")) == sorted(
        [name for name, _, _ in shots] + ["organization-phone"]
    )
