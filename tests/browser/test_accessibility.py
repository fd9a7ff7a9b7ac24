"""Every main page in a browser: labelled controls, keyboard use, phone widths, a quiet console."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from advisor.services import run_assessment
from orgs.interchange import import_document, parse_document
from orgs.management.commands.load_seeds import SEEDS_DIR
from tests.browser.support import field, wait_for_htmx, watch_console
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2026, 11, 23)

# Visible form controls with no label element, aria-label or aria-labelledby.
UNLABELLED_CONTROLS = """() =>
  [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden" && el.checkVisibility())
    .filter((el) => el.labels.length === 0
      && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
    .map((el) => el.outerHTML)
"""

# Links and buttons a screen reader would announce with no name.
NAMELESS_CONTROLS = """() =>
  [...document.querySelectorAll("a[href], button")]
    .filter((el) => !el.textContent.trim()
      && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
    .map((el) => el.outerHTML)
"""

# Against the layout viewport: a mobile browser zooms out to fit a page that is
# too wide, and innerWidth then grows with it.
PAGE_OVERFLOW = """() =>
  document.documentElement.scrollWidth - document.documentElement.clientWidth
"""


@pytest.fixture
def owner(db):
    return UserFactory(username="olive")


@pytest.fixture
def lumen(owner):
    """Lumen Health from the seeds (four products, eight squads, 36 people), assessed twice."""
    document = parse_document((SEEDS_DIR / "lumen-health.json").read_bytes())
    organization = import_document(document, user=owner)
    run_assessment(organization, as_of=AS_OF - datetime.timedelta(days=90), user=owner)
    run_assessment(organization, as_of=AS_OF, user=owner)
    return organization


def main_pages(organization) -> dict[str, str]:
    """The pages a signed-in owner uses, by name."""
    slug = organization.slug
    person = organization.people.get(name="Daniel Costa")
    product = organization.products.order_by("name").first()
    squad = organization.squads.order_by("name").first()
    assessment = organization.assessments.latest_first().first()
    return {
        "organization list": "/",
        "new organization": "/new/",
        "import": "/import/",
        "organization page": f"/orgs/{slug}/",
        "settings": f"/orgs/{slug}/settings/",
        "members": f"/orgs/{slug}/members/",
        "person form": f"/orgs/{slug}/people/{person.pk}/edit/",
        "new person form": f"/orgs/{slug}/people/new/",
        "product form": f"/orgs/{slug}/products/{product.pk}/edit/",
        "squad form": f"/orgs/{slug}/squads/{squad.pk}/edit/",
        "assess": f"/orgs/{slug}/assess/",
        "assessment page": assessment.get_absolute_url(),
        "print layout": f"{assessment.get_absolute_url()}print/",
        "history": f"/orgs/{slug}/assessments/",
        "compare": f"/orgs/{slug}/assessments/compare/",
        "trends": f"/orgs/{slug}/assessments/trends/",
        "delete assessment": f"/orgs/{slug}/assessments/{assessment.pk}/delete/",
        "org chart": f"/orgs/{slug}/chart/",
        "heuristics page": "/heuristics/",
        "password change": "/accounts/password_change/",
    }


SIGNED_OUT_PAGES = {
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password reset": "/accounts/password_reset/",
}


def page_problems(page, url: str, errors: list[str]) -> list[str]:
    """What is wrong with one page: its status, unlabelled or nameless controls, console errors."""
    errors.clear()
    response = page.goto(url)
    problems = [] if response.status == 200 else [f"status {response.status}"]
    problems += [f"unlabelled {html}" for html in page.evaluate(UNLABELLED_CONTROLS)]
    problems += [f"nameless {html}" for html in page.evaluate(NAMELESS_CONTROLS)]
    problems += [f"console: {error}" for error in errors]
    return problems


class TestEveryPage:
    def test_controls_are_labelled_and_the_console_stays_quiet(
        self, page, browser, live_server, log_in, owner, lumen
    ):
        errors = watch_console(page)
        log_in(page.context, owner)
        problems = {
            name: found
            for name, url in main_pages(lumen).items()
            if (found := page_problems(page, url, errors))
        }
        signed_out = browser.new_context(base_url=live_server.url)
        try:
            anonymous = signed_out.new_page()
            anonymous_errors = watch_console(anonymous)
            problems |= {
                name: found
                for name, url in SIGNED_OUT_PAGES.items()
                if (found := page_problems(anonymous, url, anonymous_errors))
            }
        finally:
            signed_out.close()
        assert problems == {}

    def test_a_csp_violation_shows_as_a_console_error(self, page):
        # What the test above relies on to see that no page breaks the policy.
        page.goto("/accounts/login/")
        with page.expect_console_message(lambda message: message.type == "error") as refused:
            page.evaluate(
                """() => {
                  const script = document.createElement("script");
                  script.textContent = "document.title = 'injected'";
                  document.head.append(script);
                }"""
            )
        assert "Content Security Policy" in refused.value.text
        assert page.title() == "Log in · Team-structure advisor"

    def test_editors_opened_in_place_are_labelled(self, page, console_errors, log_in, owner, lumen):
        log_in(page.context, owner)
        page.goto(lumen.get_absolute_url())
        for opener, editor in [
            ("Add product", "#product-editor"),
            ("Add person", "#person-editor"),
            ("Edit Daniel Costa", "#person-editor"),
        ]:
            page.get_by_role("link", name=opener, exact=True).click()
            expect(page.locator(f"{editor} form")).to_be_visible()
            assert page.evaluate(UNLABELLED_CONTROLS) == [], opener
        assert console_errors == []


class TestKeyboard:
    def test_tab_reaches_the_skip_link_then_the_site_navigation(self, page, log_in, owner, lumen):
        log_in(page.context, owner)
        page.goto(lumen.get_absolute_url())

        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        expect(skip).to_have_text("Skip to main content")
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Team-structure advisor")
        page.keyboard.press("Tab")
        expect(page.locator("header nav :focus")).to_have_count(1)

        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()

    def test_a_form_opened_in_place_submits_with_enter(
        self, page, console_errors, log_in, owner, lumen
    ):
        log_in(page.context, owner)
        page.goto(lumen.get_absolute_url())
        page.get_by_role("link", name="Add product").focus()
        page.keyboard.press("Enter")
        name = field(page.locator("#product-editor"), "Name")
        expect(name).to_be_focused()
        page.keyboard.type("Referrals")
        page.keyboard.press("Enter")
        expect(page.locator("#products").get_by_role("heading", name="Referrals")).to_be_visible()
        wait_for_htmx(page)
        assert lumen.products.filter(name="Referrals").exists()
        assert console_errors == []


class TestPhoneLayout:
    def test_no_page_scrolls_sideways_at_375_pixels(self, phone_page, log_in, owner, lumen):
        errors = watch_console(phone_page)
        log_in(phone_page.context, owner)
        overflow = {}
        for name, url in main_pages(lumen).items():
            phone_page.goto(url)
            if (pixels := phone_page.evaluate(PAGE_OVERFLOW)) > 1:
                overflow[name] = pixels
        assert overflow == {}
        assert errors == []

    def test_a_wide_table_scrolls_inside_its_own_box(self, phone_page, log_in, owner, lumen):
        log_in(phone_page.context, owner)
        phone_page.goto(main_pages(lumen)["organization page"])
        people = phone_page.locator("#people .table-wrap")
        widths = people.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1]
        assert re.fullmatch(
            r"auto|scroll", people.evaluate("(el) => getComputedStyle(el).overflowX")
        )
