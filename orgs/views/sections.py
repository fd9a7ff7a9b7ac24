"""The organization page's two swappable sections, shared by the views that change them.

orgs/organization_detail.html has the partials `products` (one page of products
with their squads) and `people` (one page of people). A write made with htmx
answers with the section it changed, re-rendered at the page that shows what was
written, and triggers an event the other section listens to, because each shows
part of the other: squads list who serves them, people list the squads they serve.
Each section pages on its own query parameter, so both pages can be kept in one URL.

Both sections are rendered by `render_section`, from plain rows, and the HTML is kept in
the "pages" cache under a key made of those rows and everything else the section shows
(orgs.rendered): reading the rows costs a few queries, rendering them costs more, and the
same rows render the same. The whole page and the htmx answers share the kept HTML.
"""

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_htmx.http import reswap, retarget, trigger_client_event

from orgs.htmx import HtmxHttpRequest
from orgs.models import (
    TIME_BUCKETS,
    Membership,
    Methodology,
    Organization,
    Person,
    Product,
    Role,
    Scenario,
    Squad,
    TitlePattern,
)
from orgs.paging import page_fetched
from orgs.rendered import render_kept
from orgs.sql import column, fetch, table
from orgs.titles import TitleRule, role_from_title

DETAIL_TEMPLATE = "orgs/organization_detail.html"
# Every template file a section's rendering reads: its own, and the page links.
SECTION_TEMPLATES = (DETAIL_TEMPLATE, "includes/pagination.html")
PRODUCTS_PER_PAGE = 10
PEOPLE_PER_PAGE = 50
# The query parameter that holds each section's page number.
PAGE_PARAMS = {"products": "products_page", "people": "page"}
TIME_COLUMNS = tuple(f"time_{bucket}" for bucket in TIME_BUCKETS)
ROLE_LABELS: dict[str, str] = dict(Role.choices)
METHODOLOGY_LABELS: dict[str, str] = dict(Methodology.choices)
# The event each section's change triggers; the other section reloads on it.
CHANGED_EVENTS = {"products": "products-changed", "people": "people-changed"}


def pk_url(viewname: str, slug: str) -> Callable[[int], str]:
    """The URL of a view taking (slug, pk), for many pks: one reverse(), then a join per pk.
    A page of the organization lists about a hundred rows with two links each, and a
    reverse() costs tens of microseconds."""
    head, _, tail = reverse(viewname, args=[slug, 1]).rpartition("/1/")
    return lambda pk: f"{head}/{pk}/{tail}"


# Edit and Delete for one row: plain links that open their form in place with htmx.
ROW_ACTIONS = (
    '<a class="button small subtle" href="{edit}"\n'
    '  hx-get="{edit}"\n'
    '  hx-target="{target}" hx-swap="innerHTML show:top">'
    'Edit<span class="visually-hidden"> {name}</span></a>\n'
    '<a class="button small subtle danger" href="{delete}"\n'
    '  hx-get="{delete}"\n'
    '  hx-target="{target}" hx-swap="innerHTML show:top">'
    'Delete<span class="visually-hidden"> {name}</span></a>'
)


def add_row_actions(
    rows: list[dict[str, Any]], slug: str, kind: str, target: Callable[[dict[str, Any]], str]
) -> None:
    """Give each row (with its id and name) the Edit and Delete links of its kind."""
    edit, delete = pk_url(f"orgs:{kind}_edit", slug), pk_url(f"orgs:{kind}_delete", slug)
    for row in rows:
        row["actions"] = format_html(
            ROW_ACTIONS,
            edit=edit(row["id"]),
            delete=delete(row["id"]),
            target=target(row),
            name=row["name"],
        )


class Fetched(NamedTuple):
    """One page of a list as one query read it: its rows, and how many there are in all
    (None when the query found no row, and so could not count them)."""

    rows: list[dict[str, Any]]
    count: int | None


PRODUCT_FIELDS = (
    "id",
    "name",
    "markets",
    "personas",
    "roadmap_updated_on",
    "last_customer_interview_on",
    "roadmap_reviews_cancelled",
)


def product_rows(organization: Organization, offset: int, limit: int) -> tuple[Fetched, int | None]:
    """Products `offset` to `offset + limit` of the organization by name, each with its
    squads by name, each squad with who serves it (names joined); how many products and
    how many squads the organization has (None when there is no such product): one query."""
    names = [Product._meta.get_field(name).column for name in PRODUCT_FIELDS]
    columns = ", ".join(names)
    sql = f"""
        SELECT {", ".join(f"p.{name}" for name in names)}, p.total, p.squad_total,
            s.id, s.name, s.engineers, s.methodology, m.name
        FROM (
            SELECT {columns},
                (SELECT COUNT(*) FROM {table(Product)} WHERE organization_id = %s) AS total,
                (SELECT COUNT(*) FROM {table(Squad)} WHERE organization_id = %s) AS squad_total
            FROM {table(Product)} WHERE organization_id = %s
            ORDER BY name, id LIMIT %s OFFSET %s
        ) p
        LEFT JOIN {table(Squad)} s ON s.product_id = p.id
        LEFT JOIN {table(Person.squads.through)} ps ON ps.squad_id = s.id
        LEFT JOIN {table(Person)} m ON m.id = ps.person_id
        ORDER BY p.name, p.id, s.name, s.id, m.name, m.id"""
    rows = fetch(sql, [organization.pk] * 3 + [limit, offset])
    if not rows:
        return Fetched([], None), None
    converters = [column(Product, name) for name in PRODUCT_FIELDS]
    products: list[dict[str, Any]] = []
    # A row per product, squad and person serving it (NULLs for a product without squads
    # or a squad nobody serves), a product's rows together and in them a squad's.
    for *fields, _, _, squad_id, name, engineers, methodology, person in rows:
        if not products or products[-1]["id"] != fields[0]:
            products.append(
                {
                    **{
                        field: convert(value)
                        for field, convert, value in zip(
                            PRODUCT_FIELDS, converters, fields, strict=True
                        )
                    },
                    "squads": [],
                }
            )
        squads = products[-1]["squads"]
        if squad_id is not None and (not squads or squads[-1]["id"] != squad_id):
            squads.append(
                {
                    "id": squad_id,
                    "name": name,
                    "product_id": fields[0],
                    "engineers": engineers,
                    "methodology": methodology,
                    "methodology_label": METHODOLOGY_LABELS.get(methodology, ""),
                    "people": [],
                }
            )
        if person is not None:
            squads[-1]["people"].append(person)
    for product in products:
        for squad in product["squads"]:
            squad["people"] = ", ".join(squad["people"])
    total, squad_total = rows[0][len(PRODUCT_FIELDS) : len(PRODUCT_FIELDS) + 2]
    return Fetched(products, total), squad_total


PERSON_COLUMNS = ("id", "name", "title", "role", "reports_to__name", *TIME_COLUMNS)


def people_rows(organization: Organization, offset: int, limit: int) -> Fetched:
    """People `offset` to `offset + limit` of the organization by name, each with their
    manager's name and the names of their squads (by name, joined), and how many people
    the organization has: one query."""
    time_columns = ", ".join(TIME_COLUMNS)
    sql = f"""
        SELECT p.id, p.name, p.title, p.role, m.name,
            {", ".join(f"p.{column}" for column in TIME_COLUMNS)}, p.total, s.name
        FROM (
            SELECT id, name, title, role, reports_to_id, {time_columns},
                (SELECT COUNT(*) FROM {table(Person)} WHERE organization_id = %s) AS total
            FROM {table(Person)} WHERE organization_id = %s
            ORDER BY name, id LIMIT %s OFFSET %s
        ) p
        LEFT JOIN {table(Person)} m ON m.id = p.reports_to_id
        LEFT JOIN {table(Person.squads.through)} ps ON ps.person_id = p.id
        LEFT JOIN {table(Squad)} s ON s.id = ps.squad_id
        ORDER BY p.name, p.id, s.name, s.id"""
    # A row per person and squad they serve (one with NULL for someone serving none).
    rows = fetch(sql, [organization.pk, organization.pk, limit, offset])
    people: list[dict[str, Any]] = []
    for *columns, _, squad in rows:
        if not people or people[-1]["id"] != columns[0]:
            people.append({**dict(zip(PERSON_COLUMNS, columns, strict=True)), "squads": []})
        if squad is not None:
            people[-1]["squads"].append(squad)
    for person in people:
        person["squads"] = ", ".join(person["squads"])
    return Fetched(people, rows[0][-2] if rows else None)


def products_context(organization: Organization, page_number: Any) -> dict[str, Any]:
    """One page of products with their squads and who serves each, and the organization's
    counts of products and squads: one query whatever the size (three for a page past the
    end), read as rows rather than model instances, each row with what the template shows
    ready to print."""
    squad_total: int | None = None

    def fetch_products(offset: int, limit: int) -> Fetched:
        nonlocal squad_total
        fetched, squad_total = product_rows(organization, offset, limit)
        return fetched

    page = page_fetched(fetch_products, page_number, per_page=PRODUCTS_PER_PAGE)
    return {
        "products_page": page,
        # No product, no squad: a squad belongs to a product.
        "squad_count": squad_total or 0,
        "organization_methodology": organization.get_methodology_display(),
    }


def title_rules_and_scenarios(
    organization: Organization,
) -> tuple[tuple[TitleRule, ...], list[dict[str, Any]]]:
    """The title patterns, in the order they are tried, and a live organization's what-if
    scenarios, newest first (name, URL, when copied and when applied): the organization
    page's two short lists, read in one query, a round trip to the database fewer. The
    rows come in two parts (the first column), each filling its own columns."""
    rows = fetch(
        f"""
        SELECT 0, position, id, pattern, role, NULL, NULL
        FROM {table(TitlePattern)}
        UNION ALL
        SELECT 1, NULL, o.id, o.slug, o.name, s.created_at, s.applied_at
        FROM {table(Organization)} o
        LEFT JOIN {table(Scenario)} s ON s.organization_id = o.id
        WHERE o.scenario_of_id = %s""",
        [organization.pk],
    )
    patterns = sorted((row[1], row[2], row[3], row[4]) for row in rows if row[0] == 0)
    rules = tuple(TitleRule(pattern, role) for _, _, pattern, role in patterns)
    created_at, applied_at = column(Scenario, "created_at"), column(Scenario, "applied_at")
    scenarios = [
        {
            "id": pk,
            "name": name,
            "url": reverse("orgs:organization_detail", kwargs={"slug": slug}),
            "created_at": created_at(created),
            "applied_at": applied_at(applied),
        }
        for part, _, pk, slug, name, created, applied in rows
        if part == 1
    ]
    # Newest first; a scenario's record is written with it, so every one has its time.
    scenarios.sort(key=lambda s: (s["created_at"], s["id"]), reverse=True)
    return rules, scenarios


def people_context(
    organization: Organization,
    page_number: Any,
    *,
    rules: tuple[TitleRule, ...] | None = None,
) -> dict[str, Any]:
    """One page of people with their manager, squads and the role their title gives: two
    queries whatever the size (the page's people with their manager's and squads' names and
    how many people there are; the title patterns, unless given; two more for a page past
    the end), as rows ready to print."""
    page = page_fetched(
        lambda offset, limit: people_rows(organization, offset, limit),
        page_number,
        per_page=PEOPLE_PER_PAGE,
    )
    rows = page.object_list
    if rules is None:
        rules = TitlePattern.objects.rules()
    title_roles: dict[str, str] = {}  # titles repeat: each is matched once
    for person in rows:
        person["time_total"] = sum(person[column] for column in TIME_COLUMNS)
        if person["role"]:
            person["role_label"] = ROLE_LABELS[person["role"]]
        else:
            title = person["title"]
            if title not in title_roles:
                title_roles[title] = ROLE_LABELS[role_from_title(title, rules)]
            person["title_role"] = title_roles[title]
    return {"people_page": page}


def add_products_actions(slug: str, data: dict[str, Any]) -> None:
    """Edit and Delete links on each product and squad of products_context's page."""
    products = data["products_page"].object_list
    squads = [squad for product in products for squad in product["squads"]]
    add_row_actions(squads, slug, "squad", lambda s: f"#product-{s['product_id']}-editor")
    add_row_actions(products, slug, "product", lambda p: f"#product-{p['id']}-editor")


def add_people_actions(slug: str, data: dict[str, Any]) -> None:
    """Edit and Delete links on each person of people_context's page."""
    add_row_actions(data["people_page"].object_list, slug, "person", lambda _: "#person-editor")


ADD_ACTIONS = {"products": add_products_actions, "people": add_people_actions}


def products_page_of(product: Product) -> int:
    """The page of the products section that shows this product."""
    before = Product.objects.filter(organization_id=product.organization_id).filter(
        Q(name__lt=product.name) | Q(name=product.name, pk__lt=product.pk)
    )
    return before.count() // PRODUCTS_PER_PAGE + 1


def product_pages(organization: Organization, ids: Iterable[int]) -> dict[int, int]:
    """Id → page of the products section, of those of the products that exist, in one query."""
    before = (
        Product.objects.filter(organization=OuterRef("organization"))
        .filter(Q(name__lt=OuterRef("name")) | Q(name=OuterRef("name"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("organization")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        organization.products.filter(pk__in=list(ids))
        .annotate(before=Coalesce(Subquery(before), 0))
        .values_list("id", "before")
    )
    return {pk: before // PRODUCTS_PER_PAGE + 1 for pk, before in rows}


def people_page_of(person: Person) -> int:
    """The page of the people list that shows this person."""
    before = Person.objects.filter(organization_id=person.organization_id).filter(
        Q(name__lt=person.name) | Q(name=person.name, pk__lt=person.pk)
    )
    return before.count() // PEOPLE_PER_PAGE + 1


def shown_context(
    organization: Organization, membership: Membership, data: dict[str, Any]
) -> dict[str, Any]:
    """What a section's partial is rendered from: its data, and of the organization and the
    membership only what the partials show (as plain data, so that it makes the key)."""
    return {
        "organization": {
            "name": organization.name,
            "slug": organization.slug,
            "get_absolute_url": organization.get_absolute_url(),
        },
        "membership": {"can_edit": membership.can_edit},
        **data,
    }


def render_section(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    section: str,
    data: dict[str, Any],
) -> SafeString:
    """A section's HTML from its data (products_context or people_context), rendered or kept.

    An editor's rows get their Edit and Delete links only when the HTML is rendered: the
    links are made of what the key holds already (the slug, each row's id and name, and
    that the viewer can edit)."""

    def add_actions(context: dict[str, Any]) -> None:
        if membership.can_edit:
            ADD_ACTIONS[section](organization.slug, context)

    return render_kept(
        request,
        f"{DETAIL_TEMPLATE}#{section}",
        shown_context(organization, membership, data),
        made_of=SECTION_TEMPLATES,
        finish=add_actions,
    )


class SectionResponse(TemplateResponse):
    """One section of the organization page alone: its partial, through render_section."""

    def __init__(
        self,
        request: HtmxHttpRequest,
        organization: Organization,
        membership: Membership,
        section: str,
        data: dict[str, Any],
    ) -> None:
        super().__init__(request, f"{DETAIL_TEMPLATE}#{section}", data)
        self.shown = (organization, membership, section)

    @property
    def rendered_content(self) -> str:
        organization, membership, section = self.shown
        return render_section(self._request, organization, membership, section, self.context_data)


def section_response(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    section: str,
    *,
    page: Any = None,
) -> TemplateResponse:
    """One section of the organization page, alone."""
    sections = {"products": products_context, "people": people_context}
    data = sections[section](organization, page)
    response = SectionResponse(request, organization, membership, section, data)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def section_url(
    organization: Organization, section: str, page: int = 1, *, anchor: str = ""
) -> str:
    """The organization page at a page of a section, scrolled to the section (or an anchor)."""
    query = f"?{PAGE_PARAMS[section]}={page}" if page > 1 else ""
    return f"{organization.get_absolute_url()}{query}#{anchor or section}"


def saved(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    *,
    section: str,
    message: str,
    page: int = 1,
) -> HttpResponse:
    """After a write: a plain POST goes back to the page; htmx gets the section in place."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(section_url(organization, section, page))
    response = section_response(request, organization, membership, section, page=page)
    # The form asked to be replaced itself; on success the whole section is.
    retarget(response, f"#{section}")
    reswap(response, "outerHTML")
    trigger_client_event(response, CHANGED_EVENTS[section])
    return response
