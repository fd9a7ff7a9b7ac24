"""The hires a stored assessment's plan asks for, as people to add to a what-if scenario.

Each product's plan says what to hire: the structured `hires` of the assessment document
where it has them (`{"role", "title", "squads", "reports_to"}`, DOMAIN.md), else its actions
("add 2 product owners"), read with the squads and people the assessment saw: a product
owner for each Scrum squad of the product that no product owner served, reporting to the
product's product manager; a product manager for the product's squads.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from advisor.engine.vocabulary import TITLE_OF_ROLE, Role, Scope
from advisor.models import Assessment
from orgs.models import Organization, Person, Squad

HIRE_ACTION = re.compile(r"^add (\d+) product (manager|owner)s?\b")
ROLE_OF_WORD = {"manager": Role.PRODUCT_MANAGER.value, "owner": Role.PRODUCT_OWNER.value}


@dataclass(frozen=True)
class Hire:
    product: str
    role: str
    title: str
    squads: tuple[str, ...]
    reports_to: str | None
    name: str


def _name(title: str, product: str, squads: tuple[str, ...], n: int) -> str:
    place = squads[0] if len(squads) == 1 else product
    return f"New {title}, {place}" + (f" {n}" if n > 1 else "")


def planned_hires(assessment: Assessment) -> list[Hire]:
    """Every hire the assessment's plans ask for, product by product. Four queries."""
    documents = {p.get("name"): p for p in (assessment.report or {}).get("products", [])}
    products = list(
        assessment.subjects.filter(scope=Scope.PRODUCT)
        .order_by("position")
        .values_list("name", "product_id", "actions")
    )
    squads_of: dict[int, list[tuple[int, str]]] = {}
    for pk, name, product_id in Squad.objects.filter(
        product_id__in=[pk for _, pk, _ in products if pk is not None]
    ).values_list("pk", "name", "product_id"):
        squads_of.setdefault(product_id, []).append((pk, name))
    seen = {
        row["squad_id"]: row["facts"]
        for row in assessment.subjects.filter(scope=Scope.SQUAD).values("squad_id", "facts")
    }
    managers: dict[int, str] = {}
    for product_id, manager in (
        Person.squads.through.objects.filter(
            person_id__in=assessment.subjects.filter(
                scope=Scope.PERSON, role=Role.PRODUCT_MANAGER
            ).values("person_id"),
            squad__product_id__in=list(squads_of),
        )
        .order_by("person__name")
        .values_list("squad__product_id", "person__name")
    ):
        managers.setdefault(product_id, manager)
    hires: list[Hire] = []
    for name, product_id, actions in products:
        structured = documents.get(name, {}).get("hires")
        if isinstance(structured, list):
            hires += _structured(name, structured)
            continue
        squads = sorted(squads_of.get(product_id, []), key=lambda s: s[1])
        for action in actions or []:
            match = HIRE_ACTION.match(action)
            if not match:
                continue
            count, role = int(match.group(1)), ROLE_OF_WORD[match.group(2)]
            title = TITLE_OF_ROLE[role]
            if role == Role.PRODUCT_OWNER:
                uncovered = [
                    s
                    for pk, s in squads
                    if _facts(seen.get(pk)).get("is_scrum")
                    and not _facts(seen.get(pk)).get("product_owners")
                ]
                for n in range(count):
                    served = (uncovered[n],) if n < len(uncovered) else ()
                    extra = n + 1 - len(uncovered)
                    hires.append(
                        Hire(
                            name,
                            role,
                            title,
                            served,
                            managers.get(product_id),
                            _name(title, name, served, 1 if served else extra),
                        )
                    )
            else:
                served = tuple(s for _, s in squads)
                for n in range(count):
                    hires.append(
                        Hire(name, role, title, served, None, _name(title, name, (), n + 1))
                    )
    return hires


def _facts(facts: Any) -> Mapping[str, Any]:
    return facts if isinstance(facts, Mapping) else {}


def _structured(product: str, hires: list) -> list[Hire]:
    found = []
    for n, hire in enumerate(hires, start=1):
        if not isinstance(hire, Mapping) or hire.get("role") not in TITLE_OF_ROLE:
            continue
        title = str(hire.get("title") or TITLE_OF_ROLE[hire["role"]])
        squads = tuple(s for s in hire.get("squads") or () if isinstance(s, str))
        reports_to = hire.get("reports_to") if isinstance(hire.get("reports_to"), str) else None
        found.append(
            Hire(product, hire["role"], title, squads, reports_to, _name(title, product, squads, n))
        )
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
