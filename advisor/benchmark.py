"""Measuring import and assessment against the floor of reading an organization once.

Used by `manage.py benchmark`; the figures are written up in docs/performance.md.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from advisor.services import run_assessment
from orgs.interchange import FORMAT, import_document
from orgs.models import MemberRole, Membership, Organization, Person, Product, Squad, TitlePattern

AS_OF = date(2026, 11, 23)
SQUADS_PER_PRODUCT = 4


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
    """The floor: fetch every row of the organization once, as model instances."""
    rows = 0
    rows += len(list(Product.objects.filter(organization=organization)))
    rows += len(list(Squad.objects.filter(organization=organization)))
    rows += len(list(Person.objects.filter(organization=organization)))
    rows += len(list(Person.squads.through.objects.filter(person__organization=organization)))
    rows += len(list(TitlePattern.objects.all()))
    return rows


@dataclass(frozen=True)
class Timing:
    seconds: float
    queries: int


def measure(action: Callable[[], Any], repeat: int) -> Timing:
    """The median wall time of `repeat` runs, and the queries of one run."""
    seconds = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            seconds.append(time.perf_counter() - start)
        queries = len(captured)
    return Timing(statistics.median(seconds), queries)


@dataclass(frozen=True)
class SizeResult:
    squads: int
    people: int
    import_: Timing
    assess: Timing
    floor: Timing
    organization_page: Timing
    assessment_page: Timing

    @property
    def ratio(self) -> float:
        return self.assess.seconds / self.floor.seconds


def page_timer(organization: Organization, url: str, repeat: int) -> Timing:
    """Server time of one page for an owner of the organization, through Django's test client
    (the whole request: middleware, view, queries, template), without a network."""
    user, _ = get_user_model().objects.get_or_create(username="benchmark-owner")
    Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": MemberRole.OWNER}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    get()  # warm the template and URL caches, as a running server would have
    return measure(get, repeat)


def run_size(n_squads: int, *, repeat: int) -> SizeResult:
    """Import, assess, read and show one synthetic organization, then delete it."""
    name = f"Benchmark {n_squads} squads"
    Organization.objects.filter(name=name).delete()
    document = synthetic_document(n_squads, name=name)
    organization: Organization | None = None

    def do_import() -> None:
        nonlocal organization
        organization = import_document(document, replace=organization is not None)

    try:
        imported = measure(do_import, repeat)
        assert organization is not None
        assessed = measure(lambda: run_assessment(organization, as_of=AS_OF, save=True), repeat)
        floor = measure(lambda: read_every_row(organization), repeat)
        _, _, assessment = run_assessment(organization, as_of=AS_OF, save=True)
        return SizeResult(
            n_squads,
            len(document["people"]),
            imported,
            assessed,
            floor,
            organization_page=page_timer(organization, organization.get_absolute_url(), repeat),
            assessment_page=page_timer(organization, assessment.get_absolute_url(), repeat),
        )
    finally:
        Organization.objects.filter(name=name).delete()
        get_user_model().objects.filter(username="benchmark-owner").delete()
