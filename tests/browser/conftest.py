"""Browser tests: Playwright for Python driving Debian's chromium against a live server.

The browser is the system package (/usr/bin/chromium, `apt-get install chromium`);
Playwright's own browser download is never used. Without it these tests are
skipped locally, but CI installs it, so they always run there.
"""

import os
from importlib import import_module
from pathlib import Path

import pytest

from tests.browser.support import watch_console

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def migration_data(transactional_db) -> None:
    """Put back the data migrations' rows, which a transactional test's flush empties: the
    title patterns, the default heuristics (with the structured sources 0003 gives them),
    the ruleset's parameters (0007) and the first ruleset version.

    Serialized rollback cannot: Django keeps the saved rows on the connection of
    the thread that created the test database, but while Playwright's event loop
    runs, Django gives the test a connection of its own, without them.
    """
    from django.apps import apps

    from advisor.defaults import (
        DEFAULT_EXAMPLES,
        DEFAULT_HEURISTICS,
        DEFAULT_PARAMETERS,
        NOTE_HEURISTICS,
        PARAMETER_DESCRIPTIONS,
    )
    from advisor.models import Heuristic, Parameter, RulesetVersion
    from advisor.rulesets import publish_ruleset
    from orgs.models import TitlePattern

    if not TitlePattern.objects.exists():
        import_module("orgs.migrations.0002_default_title_patterns").add_defaults(apps, None)
    if not Heuristic.objects.exists():
        Heuristic.objects.bulk_create(
            Heuristic(
                position=(i + 1) * 10,
                **{**row, "scope": str(row["scope"]), "parameters": {}},
                examples=DEFAULT_EXAMPLES.get(row["code"], []),
            )
            for i, row in enumerate((*DEFAULT_HEURISTICS, *NOTE_HEURISTICS))
        )
    if not Parameter.objects.exists():
        Parameter.objects.bulk_create(
            Parameter(name=name, value=value, description=PARAMETER_DESCRIPTIONS.get(name, ""))
            for name, value in DEFAULT_PARAMETERS.items()
        )
    if not RulesetVersion.objects.exists():
        publish_ruleset(note="The rules in force when ruleset versions were introduced.")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def log_in(live_server):
    """Sign a user in to a browser context with a session cookie, without the login form."""
    from django.conf import settings
    from django.test import Client

    def log_in(context, user) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return log_in


@pytest.fixture
def console_errors(page) -> list[str]:
    return watch_console(page)


@pytest.fixture
def harbour_owner():
    """The owner of Harbour: Pier, three Scrum squads, one PM, Ines Roy, who serves them all
    and spends 55% of her time on the backlog (split, for three squads and the backlog)."""
    from datetime import timedelta

    from django.utils import timezone

    from orgs.models import MemberRole
    from tests.factories import (
        MembershipFactory,
        OrganizationFactory,
        PersonFactory,
        ProductFactory,
        SquadFactory,
        UserFactory,
    )

    user = UserFactory(username="morgan")
    org = OrganizationFactory(name="Harbour")
    MembershipFactory(organization=org, user=user, role=MemberRole.OWNER)
    recently = timezone.localdate() - timedelta(days=10)
    pier = ProductFactory(
        organization=org,
        name="Pier",
        markets=["Ports"],
        personas=["Harbour master"],
        roadmap_updated_on=recently,
        last_customer_interview_on=recently,
        roadmap_reviews_cancelled=0,
    )
    squads = [SquadFactory(product=pier, name=n, engineers=5) for n in ("Docks", "Cranes", "Gates")]
    PersonFactory(
        organization=org,
        name="Ines Roy",
        title="Product Manager",
        squads=squads,
        time_backlog=55,
        time_strategy=20,
        time_stakeholders=25,
        owns_roadmap=True,
        does_market_research=True,
    )
    return user
