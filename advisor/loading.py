"""Loading one organization for the engine, in a fixed number of queries whatever its size."""

from advisor.engine.collector import collector_paused
from advisor.engine.snapshot import OrgSnapshot, PersonIn, ProductIn, SquadIn
from orgs.models import TIME_BUCKETS, Organization, Person, Product, Squad
from orgs.titles import TitleRule

_TIME_COLUMNS = tuple(f"time_{b}" for b in TIME_BUCKETS)


def load_snapshot(organization: Organization, *, title_rules: tuple[TitleRule, ...]) -> OrgSnapshot:
    """The organization as plain data: four queries (products, squads, people, squad
    memberships), however many rows there are. The title rules are the ruleset
    version's (advisor.rulesets), never the live patterns.

    Rows are read as tuples of columns, not model instances (no field can be fetched
    lazily, one query a row), in the order of the snapshot's named tuples so that
    most become one without a keyword argument; a large organization loads in about
    the time of the benchmark's floor, which reads the same rows (docs/performance.md).
    The collector is paused while the rows are read (advisor.engine.collector).
    """
    with collector_paused():
        return _load(organization, title_rules)


def _load(organization: Organization, title_rules: tuple[TitleRule, ...]) -> OrgSnapshot:
    products = tuple(
        ProductIn(
            id_,
            name,
            None if markets is None else tuple(markets),
            None if personas is None else tuple(personas),
            roadmap_updated_on,
            last_interview_on,
            reviews_cancelled,
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
        map(
            SquadIn._make,
            Squad.objects.filter(organization=organization)
            .order_by("name", "id")
            .values_list("id", "name", "product_id", "engineers", "methodology"),
        )
    )
    squads_of: dict[int, list[int]] = {}
    for person_id, squad_id in Person.squads.through.objects.filter(
        person__organization=organization
    ).values_list("person_id", "squad_id"):
        if person_id in squads_of:
            squads_of[person_id].append(squad_id)
        else:
            squads_of[person_id] = [squad_id]
    no_squads: list[int] = []
    people = tuple(
        PersonIn(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            tuple(sorted(squads_of.get(row[0], no_squads))),
            dict(zip(TIME_BUCKETS, row[8:], strict=True)),
            row[5],
            row[6],
            row[7],
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
            *_TIME_COLUMNS,
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
