"""Loading one organization for the engine, in a fixed number of queries whatever its size."""

from advisor.engine.snapshot import OrgSnapshot, PersonIn, ProductIn, SquadIn
from orgs.models import TIME_BUCKETS, Organization, Person, Product, Squad
from orgs.titles import TitleRule


def load_snapshot(organization: Organization, *, title_rules: tuple[TitleRule, ...]) -> OrgSnapshot:
    """The organization as plain data: four queries (products, squads, people, squad
    memberships), however many rows there are. The title rules are the ruleset
    version's (advisor.rulesets), never the live patterns.

    Rows are read as tuples of named columns, not model instances: no field can
    be fetched lazily, one query a row, and a large organization loads in a
    fraction of the time instances would take (docs/performance.md).
    """
    products = tuple(
        ProductIn(
            id=id_,
            name=name,
            markets=None if markets is None else tuple(markets),
            personas=None if personas is None else tuple(personas),
            roadmap_updated_on=roadmap_updated_on,
            last_customer_interview_on=last_interview_on,
            roadmap_reviews_cancelled=reviews_cancelled,
        )
        for (
            id_,
            name,
            markets,
            personas,
            roadmap_updated_on,
            last_interview_on,
            reviews_cancelled,
        ) in Product.objects.filter(organization=organization)
        .order_by("name", "id")
        .values_list(
            "id",
            "name",
            "markets",
            "personas",
            "roadmap_updated_on",
            "last_customer_interview_on",
            "roadmap_reviews_cancelled",
        )
    )
    squads = tuple(
        SquadIn(
            id=id_, name=name, product_id=product_id, engineers=engineers, methodology=methodology
        )
        for id_, name, product_id, engineers, methodology in Squad.objects.filter(
            organization=organization
        )
        .order_by("name", "id")
        .values_list("id", "name", "product_id", "engineers", "methodology")
    )
    squads_of: dict[int, list[int]] = {}
    for person_id, squad_id in Person.squads.through.objects.filter(
        person__organization=organization
    ).values_list("person_id", "squad_id"):
        squads_of.setdefault(person_id, []).append(squad_id)
    people = tuple(
        PersonIn(
            id=row[0],
            name=row[1],
            title=row[2],
            role=row[3],
            reports_to_id=row[4],
            owns_roadmap=row[5],
            does_market_research=row[6],
            sets_pricing=row[7],
            squad_ids=tuple(sorted(squads_of.get(row[0], ()))),
            time=dict(zip(TIME_BUCKETS, row[8:], strict=True)),
        )
        for row in Person.objects.filter(organization=organization)
        .order_by("name", "id")
        .values_list(
            "id",
            "name",
            "title",
            "role",
            "reports_to_id",
            "owns_roadmap",
            "does_market_research",
            "sets_pricing",
            *(f"time_{b}" for b in TIME_BUCKETS),
        )
    )
    return OrgSnapshot(
        name=organization.name,
        slug=organization.slug,
        methodology=organization.methodology,
        products=products,
        squads=squads,
        people=people,
        title_rules=title_rules,
    )
