"""Loading one organization for the engine, in a fixed number of queries whatever its size."""

from django.db import models

from advisor.facts import OrgSnapshot, PersonIn, ProductIn, SquadIn
from orgs.models import TIME_BUCKETS, Organization, Person, Product, Squad, TitlePattern
from orgs.roles import TitleRule


def load_snapshot(organization: Organization) -> OrgSnapshot:
    """The organization as plain data: five queries (products, squads, people,
    squad memberships, title patterns), however many rows there are.

    Querysets run with FETCH_RAISE, so a field that would be fetched lazily, one
    row at a time, fails loudly in tests instead of quietly costing a query a row.
    """
    products = tuple(
        ProductIn(
            id=p.id,
            name=p.name,
            markets=tuple(p.markets) if p.markets is not None else None,
            personas=tuple(p.personas) if p.personas is not None else None,
            roadmap_updated_on=p.roadmap_updated_on,
            last_customer_interview_on=p.last_customer_interview_on,
            roadmap_reviews_cancelled=p.roadmap_reviews_cancelled,
        )
        for p in Product.objects.filter(organization=organization)
        .only(
            "id",
            "name",
            "markets",
            "personas",
            "roadmap_updated_on",
            "last_customer_interview_on",
            "roadmap_reviews_cancelled",
        )
        .order_by("name", "id")
        .fetch_mode(models.FETCH_RAISE)
    )
    squads = tuple(
        SquadIn(
            id=s.id,
            name=s.name,
            product_id=s.product_id,
            engineers=s.engineers,
            methodology=s.methodology,
        )
        for s in Squad.objects.filter(organization=organization)
        .only("id", "name", "product_id", "engineers", "methodology")
        .order_by("name", "id")
        .fetch_mode(models.FETCH_RAISE)
    )
    squads_of: dict[int, list[int]] = {}
    for person_id, squad_id in Person.squads.through.objects.filter(
        person__organization=organization
    ).values_list("person_id", "squad_id"):
        squads_of.setdefault(person_id, []).append(squad_id)
    time_fields = [f"time_{b}" for b in TIME_BUCKETS]
    people = tuple(
        PersonIn(
            id=p.id,
            name=p.name,
            title=p.title,
            role=p.role,
            reports_to_id=p.reports_to_id,
            squad_ids=tuple(sorted(squads_of.get(p.id, ()))),
            time={b: getattr(p, f"time_{b}") for b in TIME_BUCKETS},
            owns_roadmap=p.owns_roadmap,
            does_market_research=p.does_market_research,
            sets_pricing=p.sets_pricing,
        )
        for p in Person.objects.filter(organization=organization)
        .only(
            "id",
            "name",
            "title",
            "role",
            "reports_to_id",
            "owns_roadmap",
            "does_market_research",
            "sets_pricing",
            *time_fields,
        )
        .order_by("name", "id")
        .fetch_mode(models.FETCH_RAISE)
    )
    return OrgSnapshot(
        name=organization.name,
        slug=organization.slug,
        methodology=organization.methodology,
        products=products,
        squads=squads,
        people=people,
        title_rules=load_title_rules(),
    )


def load_title_rules() -> tuple[TitleRule, ...]:
    return tuple(
        TitleRule(pattern, role)
        for pattern, role in TitlePattern.objects.order_by("position", "id").values_list(
            "pattern", "role"
        )
    )
