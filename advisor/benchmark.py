"""Measuring import, assessment, export and the pages against honest floors.

Used by `manage.py benchmark`; the figures are written up in docs/performance.md.

This machine is shared and its absolute times move by half between runs, so every
figure that matters is a ratio of two things timed side by side in one run: each
round times the thing, then its floor, and the report gives the median and the
minimum of each over the rounds.

- The assessment's floor is reading every row of the organization once, the
  cheapest way Django can: `values_list` of products, squads, people, the
  person-squad links and the title patterns.
- Storing's floor is writing every row of the assessment once, from values built
  beforehand, one statement per table; the `assess` command, which reads the
  organization and stores its assessment, is also timed against both floors together.
- A page's floor is a bare template rendering 100 rows from one query, served
  through the same middleware, for the same signed-in user.
"""

import gc
import io
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from advisor.loading import load_snapshot
from advisor.models import Assessment, RulesetVersion
from advisor.recording import (
    AssessmentRows,
    assessment_rows,
    record_assessment,
)
from advisor.rulesets import current_ruleset, parsed_ruleset
from advisor.services import run_assessment
from orgs.interchange import FORMAT, dumps, export_document, import_document, parse_document
from orgs.management.commands.load_seeds import SEEDS_DIR
from orgs.models import MemberRole, Membership, Organization, Person, Product, Squad, TitlePattern

AS_OF = date(2026, 11, 23)
SQUADS_PER_PRODUCT = 4
DEMO_SEED = "lumen-health.json"
BENCHMARK_USER = "benchmark-owner"
FLOOR_ROWS = 100


def synthetic_document(n_squads: int, *, name: str) -> dict[str, Any]:
    """An interchange document of n_squads squads with three people a squad: per product a
    product manager, per squad a product owner and two engineers, under one head of product."""
    n_products = max(1, n_squads // SQUADS_PER_PRODUCT)
    products: list[dict[str, Any]] = [
        {
            "name": f"Product {p:04d}",
            "markets": ["EU"] if p % 3 else ["EU", "US"],
            "personas": ["Buyer", "Admin"][: 1 + p % 2],
            "roadmap_updated_on": "2026-10-01" if p % 4 else "2026-05-01",
            "last_customer_interview_on": None if p % 5 == 0 else "2026-11-01",
            "roadmap_reviews_cancelled": p % 3,
            "squads": [],
        }
        for p in range(n_products)
    ]
    people: list[dict[str, Any]] = [
        {"name": "Head of Product", "title": "VP Product", "owns_roadmap": True, "squads": []}
    ]
    pm_squads: dict[int, list[str]] = {p: [] for p in range(n_products)}
    for s in range(n_squads):
        p = s % n_products
        squad = f"Squad {s:05d}"
        products[p]["squads"].append(
            {"name": squad, "engineers": 3 + s % 6, "methodology": None if s % 7 else "kanban"}
        )
        pm_squads[p].append(squad)
        people.append(
            {
                "name": f"PO {squad}",
                "title": "Product Owner",
                "reports_to": f"PM Product {p:04d}",
                "squads": [squad],
                "time": {"backlog": 50, "ceremonies": 30, "stakeholders": 10},
                "owns_roadmap": s % 11 == 0,
                "does_market_research": False,
            }
        )
        people += [
            {"name": f"Engineer {squad} {k}", "title": "Software Engineer", "squads": [squad]}
            for k in (1, 2)
        ]
    people += [
        {
            "name": f"PM Product {p:04d}",
            "title": "Senior Product Manager" if p % 2 else "Product Manager",
            "reports_to": "Head of Product",
            "squads": pm_squads[p],
            "time": {"backlog": 10 + p % 25, "strategy": 25, "discovery": 20, "stakeholders": 20},
            "owns_roadmap": True,
            "does_market_research": p % 6 != 0,
        }
        for p in range(n_products)
    ]
    return {
        "format": FORMAT,
        "organization": {"name": name, "methodology": "scrum", "reassess_every_days": 90},
        "products": products,
        "people": people,
    }


def read_every_row(organization: Organization) -> int:
    """The floor of an assessment: every row of the organization read once, as tuples."""
    rows = 0
    rows += len(Product.objects.filter(organization=organization).values_list())
    rows += len(Squad.objects.filter(organization=organization).values_list())
    rows += len(Person.objects.filter(organization=organization).values_list())
    rows += len(
        Person.squads.through.objects.filter(person__organization=organization).values_list()
    )
    rows += len(TitlePattern.objects.values_list())
    return rows


def write_every_row(
    organization: Organization, rows: AssessmentRows, *, version: RulesetVersion
) -> Assessment:
    """The floor of storing: every row of an assessment written once, from values built
    beforehand, in one statement per table, as record_assessment writes them."""
    return record_assessment(organization, rows, version=version, as_of=AS_OF)


# --- Timing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds over several rounds, and the queries of one round."""

    rounds: tuple[float, ...]
    queries: int

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def minimum(self) -> float:
        return min(self.rounds)


@dataclass(frozen=True)
class Paired:
    """A thing and its floor, timed alternately in the same rounds."""

    thing: Timing
    floor: Timing

    @property
    def ratio(self) -> float:
        return self.thing.median / self.floor.median

    @property
    def ratio_of_minimums(self) -> float:
        return self.thing.minimum / self.floor.minimum


def _queries_of(action: Callable[[], Any]) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
    return seconds, len(captured)


def measure(action: Callable[[], Any], rounds: int) -> Timing:
    times, queries = [], 0
    for _ in range(rounds):
        seconds, queries = _queries_of(action)
        times.append(seconds)
    return Timing(tuple(times), queries)


def paired(thing: Callable[[], Any], floor: Callable[[], Any], rounds: int) -> Paired:
    """Each round times the thing and its floor, so both see the same machine; which goes
    first alternates, so a cost that falls on every other call (SQLite's checkpoint of its
    log, once it passes 1,000 pages) falls on both alike, and the collector runs before
    each, untimed."""
    thing_times, floor_times = [], []
    thing_queries = floor_queries = 0
    for round_ in range(rounds):
        for is_thing in (True, False) if round_ % 2 == 0 else (False, True):
            gc.collect()
            seconds, queries = _queries_of(thing if is_thing else floor)
            if is_thing:
                thing_times.append(seconds)
                thing_queries = queries
            else:
                floor_times.append(seconds)
                floor_queries = queries
    return Paired(
        Timing(tuple(thing_times), thing_queries), Timing(tuple(floor_times), floor_queries)
    )


# --- Pages ---------------------------------------------------------------------------


@login_required
def floor_page(request: HttpRequest) -> TemplateResponse:
    """The pages' floor: 100 rows from one query in a bare template."""
    rows = Person.objects.order_by("id").values_list("name", "title")[:FLOOR_ROWS]
    return TemplateResponse(request, "advisor/benchmark_floor.html", {"rows": rows})


# Served only while the benchmark runs: the site's own URLs plus the floor page.
urlpatterns = [path("benchmark/floor/", floor_page), path("", include("config.urls"))]


@contextmanager
def benchmark_client(organization: Organization) -> Iterator[Client]:
    """A client signed in as an owner of the organization, with the floor page served."""
    user, _ = get_user_model().objects.get_or_create(username=BENCHMARK_USER)
    Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": MemberRole.OWNER}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    with override_settings(ROOT_URLCONF=__name__):
        yield client


def page_getter(client: Client, url: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    get()  # warm the template and URL caches, as a running server would have
    return get


def cold_page_getter(client: Client, url: str) -> Callable[[], None]:
    """A GET with the "pages" cache emptied first: a page's first render in a worker."""
    get = page_getter(client, url)

    def cold() -> None:
        caches["pages"].clear()
        get()

    return cold


@dataclass(frozen=True)
class PageResult:
    organization_page: Paired
    assessment_page: Paired
    # An extra line, not a goal: the assessment page rendered with nothing kept yet.
    assessment_page_cold: Paired


def time_pages(organization: Organization, rounds: int) -> PageResult:
    """The organization page and its latest assessment's page, each against the floor page."""
    _, _, assessment = run_assessment(organization, as_of=AS_OF, save=True)
    with benchmark_client(organization) as client:
        floor = page_getter(client, "/benchmark/floor/")
        return PageResult(
            organization_page=paired(
                page_getter(client, organization.get_absolute_url()), floor, rounds
            ),
            assessment_page=paired(
                page_getter(client, assessment.get_absolute_url()), floor, rounds
            ),
            assessment_page_cold=paired(
                cold_page_getter(client, assessment.get_absolute_url()), floor, rounds
            ),
        )


# --- One size ------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeResult:
    squads: int
    people: int
    document_bytes: int
    import_: Timing
    replace: Timing
    export: Timing
    assess: Paired  # the `assess` command: load, engine, store, print
    assess_unsaved: Paired  # run_assessment(save=False): load and engine only
    load_only: Paired  # load_snapshot: reading the organization for the engine
    store_only: Paired  # storing an assessment already made: its rows built, then written
    write_only: Paired  # writing alone: its rows built beforehand (write_every_row)
    # Against the floor of reading and writing: the command against reading every row of
    # the organization plus writing every row of its assessment, and storing alone against
    # writing alone (write_every_row).
    assess_read_write: Paired
    store_write: Paired
    pages: PageResult


def run_size(n_squads: int, *, rounds: int) -> SizeResult:
    """Import, replace, export, assess (the command, and the assessment not saved, each
    against its floor) and show one synthetic organization, then delete it."""
    name = f"Benchmark {n_squads} squads"
    Organization.objects.filter(name=name).delete()
    document = synthetic_document(n_squads, name=name)
    text = json.dumps(document)
    created: list[Organization] = []

    def fresh_import() -> None:
        created[:] = [import_document(parse_document(text))]

    try:
        imported = _fresh_imports(fresh_import, name, rounds)
        organization = created[0]
        replaced = measure(lambda: import_document(parse_document(text), replace=True), rounds)
        organization = Organization.objects.get(name=name)
        exported = measure(lambda: dumps(export_document(organization)), rounds)
        settle_database()

        def assess_command() -> None:
            call_command(
                "assess", organization.slug, "--as-of", AS_OF.isoformat(), stdout=io.StringIO()
            )

        def floor() -> None:
            read_every_row(organization)

        assessed = paired(assess_command, floor, rounds)
        unsaved = paired(
            lambda: run_assessment(organization, as_of=AS_OF, save=False), floor, rounds
        )
        version = current_ruleset()
        title_rules = parsed_ruleset(version).title_rules
        loaded = paired(lambda: load_snapshot(organization, title_rules=title_rules), floor, rounds)
        result, assessment_document, _ = run_assessment(organization, as_of=AS_OF, save=False)

        def store() -> None:
            record_assessment(
                organization,
                assessment_rows(result, assessment_document),
                version=version,
                as_of=AS_OF,
            )

        stored = paired(store, floor, rounds)
        rows = assessment_rows(result, assessment_document)

        def write_floor() -> None:
            write_every_row(organization, rows, version=version)

        def read_write_floor() -> None:
            read_every_row(organization)
            write_every_row(organization, rows, version=version)

        written = paired(write_floor, floor, rounds)
        assessed_read_write = paired(assess_command, read_write_floor, rounds)
        stored_write = paired(store, write_floor, rounds)
        settle_database()
        pages = time_pages(organization, rounds)
        return SizeResult(
            n_squads,
            len(document["people"]),
            len(text.encode()),
            imported,
            replaced,
            exported,
            assessed,
            unsaved,
            loaded,
            stored,
            written,
            assessed_read_write,
            stored_write,
            pages,
        )
    finally:
        Organization.objects.filter(name=name).delete()
        get_user_model().objects.filter(username=BENCHMARK_USER).delete()
        settle_database()


def settle_database() -> None:
    """Bring PostgreSQL's tables to the state a server keeps them in, untimed: VACUUM
    ANALYZE, which autovacuum does on its own. The benchmark deletes and writes thousands
    of rows a round; on a server with autovacuum off (this machine's) every query
    afterwards scanned the dead rows with plans made without statistics, and a demo
    organization page took 1.6 times as long. SQLite reuses the pages freed: nothing.
    Nor inside a transaction (a test's), where VACUUM cannot run."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _fresh_imports(fresh_import: Callable[[], None], name: str, rounds: int) -> Timing:
    """Time imports into an empty place: the delete before each is not counted."""
    times, queries = [], 0
    for _ in range(rounds):
        Organization.objects.filter(name=name).delete()
        gc.collect()
        seconds, queries = _queries_of(fresh_import)
        times.append(seconds)
    return Timing(tuple(times), queries)


def run_demo_pages(rounds: int) -> PageResult:
    """The pages of one demo organization (seeds/), against the floor page."""
    document = parse_document((SEEDS_DIR / DEMO_SEED).read_bytes())
    document["organization"]["name"] = f"Benchmark demo {document['organization']['name']}"
    name = document["organization"]["name"]
    Organization.objects.filter(name=name).delete()
    try:
        return time_pages(import_document(document), rounds)
    finally:
        Organization.objects.filter(name=name).delete()
        get_user_model().objects.filter(username=BENCHMARK_USER).delete()
