"""Whole journeys through the real browser: sign-up to advice, editing in place, refusals."""

import re

import pytest
from playwright.sync_api import expect

from orgs.models import MemberRole, Organization
from tests.browser.support import field, wait_for_htmx
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TestSignUpToAdvice:
    def test_a_new_user_models_a_small_team_and_is_told_to_merge(self, page, console_errors):
        page.goto("/accounts/signup/")
        page.get_by_label("Username").fill("avery")
        page.get_by_label("Email").fill("avery@example.com")
        field(page, "Password").fill("a-long-unusual-passphrase")
        page.get_by_label("Password confirmation").fill("a-long-unusual-passphrase")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()

        page.get_by_role("link", name="New organization").click()
        page.get_by_label("Name").fill("Parcel Works")
        page.get_by_role("button", name="Create organization").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Parcel Works")

        page.get_by_role("link", name="Add product").click()
        product_form = page.locator("#product-editor form")
        field(product_form, "Name").fill("Parcel Tracker")
        field(product_form, "Markets").fill("UK retail")
        field(product_form, "Personas").fill("Shop owner")
        product_form.get_by_role("button", name="Save").click()
        tracker = page.locator("article.product", has_text="Parcel Tracker")
        expect(tracker.get_by_text("UK retail")).to_be_visible()
        wait_for_htmx(page)

        for squad in ("Labels", "Returns"):
            tracker.get_by_role("link", name="Add squad to Parcel Tracker").click()
            squad_form = tracker.locator("form")
            field(squad_form, "Name").fill(squad)
            field(squad_form, "Engineers").fill("5")
            squad_form.get_by_role("button", name="Save").click()
            expect(tracker.get_by_role("rowheader", name=squad)).to_be_visible()
            wait_for_htmx(page)

        page.get_by_role("link", name="Add person").click()
        person_form = page.locator("#person-editor form")
        field(person_form, "Name").fill("Robin Shaw")
        field(person_form, "Title").fill("Product Manager")
        expect(person_form.locator("#title-role")).to_have_text(
            "Role from the title: Product manager"
        )
        person_form.get_by_label("Parcel Tracker · Labels").check()
        person_form.get_by_label("Parcel Tracker · Returns").check()
        field(person_form, "Backlog %").fill("30")
        field(person_form, "Strategy %").fill("40")
        field(person_form, "Owns the roadmap").select_option(label="Yes")
        person_form.get_by_role("button", name="Save").click()
        robin = page.locator("#people").get_by_role("row", name=re.compile("Robin Shaw"))
        expect(robin).to_contain_text("Labels, Returns")
        # The squads table listens for changes to people and shows who serves each squad now.
        expect(tracker.get_by_role("row", name=re.compile("^Labels"))).to_contain_text("Robin Shaw")

        # One product, two Scrum squads, one market, one persona, a PM at 30% backlog
        # who owns the roadmap: merge-small-team fires, no split rule does (squads and
        # pm_squads 2 < 3, backlog 30 <= 40, unknown strategy dates never fire, one
        # market), and both squads have a backlog owner: the verdict is merge.
        page.get_by_role("button", name="Assess now").click()
        expect(page).to_have_url(re.compile(r"/orgs/parcel-works/assessments/\d+/$"))
        tracker = page.locator("article.product", has_text="Parcel Tracker")
        expect(tracker.locator(".verdict-large")).to_have_text("Merge")
        expect(tracker).to_contain_text(
            "Merge the roles: one product manager who also owns the backlog."
        )
        staffing = tracker.locator("table.staffing tbody tr")
        expect(staffing.nth(0).locator("th, td")).to_have_text(["Product managers", "1", "1"])
        expect(staffing.nth(1).locator("th, td")).to_have_text(["Product owners", "0", "0"])
        # A merge already in place says so, never "Nothing to change." under "Merge".
        expect(tracker.locator(".actions-list li")).to_have_text(
            ["Already one person in both roles (Robin Shaw): keep it that way"]
        )
        expect(tracker.get_by_text("Nothing to change.")).to_have_count(0)

        finding = tracker.locator("article.finding", has_text="merge-small-team")
        expect(tracker.locator("article.finding")).to_have_count(1)
        expect(finding.locator(".finding-message")).to_have_text(
            "Parcel Tracker is small enough for one person to hold both roles: squads 2 (below "
            "3), markets 1 (below 2), personas 1 (up to 1), the product manager's backlog share "
            "30% and 30% with the product owners' backlog work (up to 40%). Robin Shaw is the "
            "product manager at 30% backlog."
        )
        # The evidence in the condition's groups: the ✗ sits inside an "any" that holds.
        evidence = finding.locator("table.evidence tbody tr")
        expected = [
            ["All of these", "✓yes"],
            ["squads", "2", "<", "3", "min_squads", "✓yes"],
            ["markets", "1", "<", "2", "min_markets", "✓yes"],
            ["personas", "1", "≤", "1", "max_personas", "✓yes"],
            ["Any one of these", "✓yes"],
            ["pm_backlog_share", "30%", "is unknown", "—", "—", "✗no"],
            ["pm_backlog_share", "30%", "≤", "40%", "max_backlog_share", "✓yes"],
            ["Any one of these", "✓yes"],
            ["merged_backlog_share", "30%", "is unknown", "—", "—", "✗no"],
            ["merged_backlog_share", "30%", "≤", "40%", "max_backlog_share", "✓yes"],
        ]
        # What would change it: a third squad splits it, one step away.
        expect(tracker.locator(".what-would-change")).to_contain_text(
            "With 3 squads this would be split"
        )
        expect(evidence).to_have_count(len(expected))
        for row, cells in zip(evidence.all(), expected, strict=True):
            expect(row.locator("th, td")).to_have_text(cells)
        assert console_errors == []


@pytest.fixture
def owner(db):
    return UserFactory(username="olive")


@pytest.fixture
def harbour(owner):
    """An organization of one product with two squads and one person serving one of them."""
    organization = OrganizationFactory(name="Harbour")
    MembershipFactory(organization=organization, user=owner, role=MemberRole.OWNER)
    product = ProductFactory(organization=organization, name="Parcel Tracker")
    labels = SquadFactory(product=product, name="Labels")
    SquadFactory(product=product, name="Returns")
    PersonFactory(
        organization=organization,
        name="Dana Lee",
        title="Product Manager",
        time_backlog=40,
        time_strategy=30,
        squads=[labels],
    )
    return organization


class TestEditingInPlace:
    def test_time_shares_over_100_are_refused_beside_their_total_then_saved(
        self, page, console_errors, log_in, owner, harbour
    ):
        log_in(page.context, owner)
        page.goto(harbour.get_absolute_url())
        url = page.url
        # Gone if the page reloads: the edit must happen in place.
        page.evaluate("window.stillTheSamePage = true")

        page.get_by_role("link", name="Edit Dana Lee").click()
        form = page.locator("#person-editor form")
        backlog = field(form, "Backlog %")
        total = form.locator("[data-time-total-field]")
        expect(total.locator("output")).to_have_text("70")
        backlog.clear()
        expect(total.locator("output")).to_have_text("30")
        backlog.press_sequentially("8")
        expect(total.locator("output")).to_have_text("38")
        backlog.press_sequentially("0")
        expect(total.locator("output")).to_have_text("110")
        expect(total).to_have_class(re.compile(r"\bover\b"))

        form.get_by_role("button", name="Save").click()
        error = "The shares add up to 110%; together they may be at most 100%."
        expect(total.get_by_text(error)).to_be_visible()
        expect(total).to_contain_text("Total")
        expect(backlog).to_have_value("80")
        assert page.url == url
        assert page.evaluate("window.stillTheSamePage") is True

        backlog.fill("50")
        expect(total.locator("output")).to_have_text("80")
        expect(total).not_to_have_class(re.compile(r"\bover\b"))
        form.get_by_role("button", name="Save").click()
        expect(page.locator("#person-editor form")).to_have_count(0)
        dana = page.locator("#people").get_by_role("row", name=re.compile("^Dana Lee"))
        expect(dana.locator("td.numeric")).to_have_text("80%")
        assert page.url == url
        assert page.evaluate("window.stillTheSamePage") is True
        assert harbour.people.get().time_backlog == 50
        assert console_errors == []


class TestTimeNotEntered:
    def test_clearing_every_share_says_the_time_is_not_entered(
        self, page, console_errors, log_in, owner, harbour
    ):
        log_in(page.context, owner)
        page.goto(harbour.get_absolute_url())
        page.get_by_role("link", name="Edit Dana Lee").click()
        form = page.locator("#person-editor form")
        not_entered = form.locator("[data-time-not-entered]")
        expect(not_entered).to_be_hidden()
        for share in ("Backlog", "Strategy", "Discovery", "Stakeholders", "Ceremonies", "Other"):
            field(form, f"{share} %").fill("0")
        expect(form.locator("[data-time-total]")).to_have_text("0")
        expect(not_entered).to_be_visible()
        expect(not_entered).to_contain_text("not entered")
        field(form, "Backlog %").fill("5")
        expect(not_entered).to_be_hidden()
        assert console_errors == []


class TestStrangers:
    def test_a_user_who_is_not_a_member_gets_404_for_the_organization(
        self, page, console_errors, harbour
    ):
        UserFactory(username="sam")
        page.goto("/accounts/login/")
        field(page, "Username").fill("sam")
        field(page, "Password").fill("correct-horse-battery")
        # Enter submits the form: no pointer needed.
        field(page, "Password").press("Enter")
        expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()
        expect(page.get_by_role("link", name="Harbour")).to_have_count(0)

        response = page.goto(harbour.get_absolute_url())
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.get_by_text("Harbour")).to_have_count(0)
        page.get_by_role("link", name="Your organizations").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your organizations")

    def test_a_viewer_is_not_allowed_to_add_a_product(self, page, log_in, harbour):
        viewer = UserFactory(username="vera")
        MembershipFactory(organization=harbour, user=viewer, role=MemberRole.VIEWER)
        log_in(page.context, viewer)
        page.goto(harbour.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text("Harbour")
        expect(page.get_by_role("link", name="Add product")).to_have_count(0)

        response = page.goto(f"{harbour.get_absolute_url()}products/new/")
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


class TestDeleting:
    def test_deleting_a_product_says_what_goes_with_it_and_asks_first(
        self, page, console_errors, log_in, owner, harbour
    ):
        log_in(page.context, owner)
        page.goto(harbour.get_absolute_url())
        tracker = page.locator("article.product", has_text="Parcel Tracker")

        tracker.get_by_role("link", name="Delete Parcel Tracker").click()
        confirm = tracker.locator("form.confirm-card")
        expect(confirm.get_by_role("heading")).to_have_text("Delete the product Parcel Tracker?")
        expect(confirm.locator(".consequences li")).to_have_text(
            [
                "Its 2 squads are deleted too: Labels, Returns.",
                "1 person no longer serves any squad of it; they stay in the organization.",
            ]
        )
        confirm.get_by_role("link", name="Cancel").click()
        expect(confirm).to_have_count(0)
        expect(tracker.get_by_role("rowheader", name="Labels")).to_be_visible()

        tracker.get_by_role("link", name="Delete Parcel Tracker").click()
        tracker.get_by_role("button", name="Delete product").click()
        expect(page.locator("article.product")).to_have_count(0)
        expect(page.locator("#products")).to_contain_text("No products yet.")
        dana = page.locator("#people").get_by_role("row", name=re.compile("^Dana Lee"))
        expect(dana.locator("td").nth(3)).to_have_text("None")
        assert console_errors == []

    def test_deleting_the_organization_lists_everything_that_goes(
        self, page, console_errors, log_in, owner, harbour
    ):
        log_in(page.context, owner)
        page.goto(harbour.get_absolute_url())
        page.get_by_role("link", name="Delete", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Delete Harbour?")
        expect(page.locator(".consequences li")).to_have_text(
            ["1 product", "2 squads", "1 person", "1 membership"]
        )
        page.get_by_role("button", name="Delete Harbour").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your organizations")
        expect(page.get_by_role("status")).to_have_text("Harbour deleted.")
        assert not Organization.objects.filter(pk=harbour.pk).exists()
        assert console_errors == []


class TestWithoutJavaScript:
    def test_adding_a_product_is_a_plain_form_post(
        self, browser, live_server, log_in, owner, harbour
    ):
        context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
        try:
            log_in(context, owner)
            page = context.new_page()
            page.goto(harbour.get_absolute_url())
            page.get_by_role("link", name="Add product").click()
            expect(page).to_have_url(re.compile(r"/orgs/harbour/products/new/$"))
            field(page, "Name").fill("Freight Desk")
            field(page, "Markets").fill("EU SMB\nUK SMB")
            page.get_by_role("button", name="Save").click()
            expect(page).to_have_url(re.compile(r"/orgs/harbour/#products$"))
            expect(page.get_by_role("status")).to_have_text("Freight Desk added.")
            desk = page.locator("article.product", has_text="Freight Desk")
            expect(desk.locator("dd").first).to_have_text("EU SMB, UK SMB")
        finally:
            context.close()
        assert list(harbour.products.order_by("name").values_list("name", flat=True)) == [
            "Freight Desk",
            "Parcel Tracker",
        ]
