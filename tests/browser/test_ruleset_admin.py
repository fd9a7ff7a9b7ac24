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
    # The version in force: v1 after a flush, or later when the migrations' publications are
    # still there (the first transactional test of a run).
    in_force = before.ruleset.number
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

    # The next assessment of Acme: merge, under the version just published.
    page.goto(f"/orgs/{acme.slug}/assess/")
    page.get_by_role("button", name="Assess now").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{acme.slug}/assessments/\d+/$"))
    expect(page.locator("body")).to_contain_text(f"ruleset v{in_force + 1}")
    payments = page.locator("article.product", has_text="Payments")
    expect(payments.locator(".verdict-large")).to_have_text("Merge")
    merge = payments.locator("article.finding", has_text="merge-small-team")
    expect(merge.locator(".finding-message")).to_contain_text("squads 3 (below 4)")

    # The earlier assessment still shows the line it was judged by.
    page.goto(before.get_absolute_url())
    expect(page.locator("body")).to_contain_text(f"ruleset v{in_force}")
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


def test_an_example_added_as_rows_with_the_script_is_previewed_and_published(
    live_server, log_in, console_errors, page
):
    from advisor.models import Heuristic

    admin = UserFactory(username="ada", is_staff=True, is_superuser=True)
    log_in(page.context, admin)
    heuristic = Heuristic.objects.get(code="split-three-plus-squads")
    count = len(heuristic.examples)
    page.goto(f"/admin/advisor/heuristic/{heuristic.pk}/change/")
    examples = page.locator("fieldset.example")
    expect(examples).to_have_count(count + 1)  # and a blank one to fill in
    page.get_by_role("button", name="Add an example").click()
    expect(examples).to_have_count(count + 2)
    expect(page.locator('input[name="examples-rows"]')).to_have_value(str(count + 2))
    added = examples.nth(count + 1)
    # Facts of the heuristic's scope only.
    expect(added.locator('optgroup[data-scope="person"]').first).to_be_hidden()
    number = count + 2
    added.get_by_label(f"Example {number} note").fill("two past the line")
    added.get_by_label(f"Example {number} must fire or not").select_option("yes")
    added.get_by_label(f"Example {number} fact row 1 fact").select_option("squads")
    added.get_by_label(f"Example {number} fact row 1 parameter").select_option("min_squads")
    added.get_by_label(f"Example {number} fact row 1 offset").fill("2")
    added.get_by_role("button", name="Add a fact").click()
    fact_rows = added.locator("tr.example-fact")
    expect(fact_rows).to_have_count(4)
    added.get_by_label(f"Example {number} fact row 4 fact").select_option("pm_squads")
    added.get_by_label(f"Example {number} fact row 4 value").fill("1")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Nothing is saved yet.")).to_be_visible()
    expect(page.locator("#preview-changes tbody tr td").nth(1)).to_have_text("examples")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("split-three-plus-squads")
    assert Heuristic.objects.get(pk=heuristic.pk).examples[-1] == {
        "facts": {"squads": {"param": "min_squads", "offset": 2}, "pm_squads": 1},
        "fires": True,
        "note": "two past the line",
    }
    assert console_errors == []


def test_deleting_a_heuristic_is_previewed_before_it_is_published(
    live_server, log_in, console_errors, page
):
    from advisor.models import Heuristic, RulesetVersion

    acme = organization("Acme", "Payments", 3)
    run_assessment(acme, as_of=date.today())
    admin = UserFactory(username="ada", is_staff=True, is_superuser=True)
    log_in(page.context, admin)
    heuristic = Heuristic.objects.get(code="split-three-plus-squads")
    versions = RulesetVersion.objects.count()
    page.goto(f"/admin/advisor/heuristic/{heuristic.pk}/change/")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Yes, I.m sure$")).click()

    expect(page.get_by_text("Nothing is saved yet.")).to_be_visible()
    expect(page.locator("#preview-changes tbody tr td").first).to_have_text(
        "split-three-plus-squads"
    )
    expect(page.locator("#preview-advice tr.preview-product th")).to_have_text(["Payments"])
    assert Heuristic.objects.filter(pk=heuristic.pk).exists()
    assert RulesetVersion.objects.count() == versions
    page.get_by_label("Note for this version").fill("Split by hand.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Split by hand.")
    assert not Heuristic.objects.filter(pk=heuristic.pk).exists()
    assert RulesetVersion.objects.count() == versions + 1
    assert console_errors == []
