"""The hires a stored assessment's plan asks for, as people to add to a what-if scenario.

Each product's plan lists its hires with their profiles (`{"role", "title", "squads",
"reports_to", "responsibilities"}`, DOMAIN.md), kept on the product's row of the
assessment (`AssessedSubject.hires`): a product owner for the Scrum squads no product
owner serves, reporting to the product's product manager; a product manager for the
product's squads, reporting to the product leader.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from advisor.engine.vocabulary import TITLE_OF_ROLE, Role, Scope
from advisor.models import Assessment
from orgs.models import Organization, Person


@dataclass(frozen=True)
class Hire:
    product: str
    role: str
    title: str
    squads: tuple[str, ...]
    reports_to: str | None
    name: str


def _name(title: str, product: str, squads: tuple[str, ...], n: int) -> str:
    """ "New Product Owner, Checkout", numbered from the second; cut short (…) before the
    number to fit a person's name, for long squad and product names."""
    place = squads[0] if len(squads) == 1 else product
    end = f" {n}" if n > 1 else ""
    name = f"New {title}, {place}"
    longest = Person._meta.get_field("name").max_length - len(end)
    if len(name) > longest:
        name = name[: longest - 1] + "…"
    return name + end


def planned_hires(assessment: Assessment) -> list[Hire]:
    """Every hire the assessment's plans ask for, product by product. One query."""
    rows = (
        assessment.subjects.filter(scope=Scope.PRODUCT)
        .order_by("position")
        .values_list("name", "hires")
    )
    used: set[str] = set()
    return [hire for name, hires in rows for hire in _structured(name, hires or [], used)]


def _structured(product: str, hires: list, used: set[str]) -> list[Hire]:
    """The product's hires with a name each that no other hire has (`used`: the names given
    so far): two hires for the same squad, as a ratio above one asks, are numbered."""
    found = []
    for n, hire in enumerate(hires, start=1):
        if not isinstance(hire, Mapping) or hire.get("role") not in TITLE_OF_ROLE:
            continue
        title = str(hire.get("title") or TITLE_OF_ROLE[hire["role"]])
        squads = tuple(s for s in hire.get("squads") or () if isinstance(s, str))
        reports_to = hire.get("reports_to") if isinstance(hire.get("reports_to"), str) else None
        # A hire for one squad is named after it; the others are numbered in the product.
        number = 1 if len(squads) == 1 else n
        name = _name(title, product, squads, number)
        while name in used:
            number += 1
            name = _name(title, product, squads, number)
        used.add(name)
        found.append(Hire(product, hire["role"], title, squads, reports_to, name))
    return found


@transaction.atomic
def add_hires(organization: Organization, hires: list[Hire]) -> list[Person]:
    """Add the hires to the organization as people, in one transaction; a hire whose name is
    taken (added by an earlier click) is left out. A product manager owns the roadmap and
    researches the market; a product owner neither; their time is not known yet."""
    taken = set(
        organization.people.filter(name__in=[h.name for h in hires]).values_list("name", flat=True)
    )
    wanted = [h for h in hires if h.name not in taken]
    squads = dict(
        organization.squads.filter(name__in={s for h in wanted for s in h.squads}).values_list(
            "name", "pk"
        )
    )
    managers = dict(
        organization.people.filter(
            name__in={h.reports_to for h in wanted if h.reports_to}
        ).values_list("name", "pk")
    )
    added = []
    for hire in wanted:
        is_pm = hire.role == Role.PRODUCT_MANAGER
        person = Person.objects.create(
            organization=organization,
            name=hire.name,
            title=hire.title,
            reports_to_id=managers.get(hire.reports_to),
            owns_roadmap=is_pm,
            does_market_research=is_pm,
        )
        person.squads.set([squads[s] for s in hire.squads if s in squads])
        added.append(person)
    return added
