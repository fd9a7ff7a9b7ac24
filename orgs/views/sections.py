"""The organization page's two swappable sections, shared by the views that change them.

orgs/organization_detail.html has the partials `products` (one page of products
with their squads) and `people` (one page of people). A write made with htmx
answers with the section it changed, re-rendered at the page that shows what was
written, and triggers an event the other section listens to, because each shows
part of the other: squads list who serves them, people list the squads they serve.
Each section pages on its own query parameter, so both pages can be kept in one URL.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
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
    Squad,
    TitlePattern,
)
from orgs.paging import page_of
from orgs.titles import role_from_title

DETAIL_TEMPLATE = "orgs/organization_detail.html"
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


def products_context(
    organization: Organization, page_number: Any, *, can_edit: bool = False
) -> dict[str, Any]:
    """One page of products with their squads and who serves each, and the organization's
    counts: five queries whatever the size (two counts, then the page's products, their
    squads and the names of who serves those squads), read as rows rather than model
    instances, each row with what the template shows ready to print."""
    products = organization.products.order_by("name", "id").values(
        "id",
        "name",
        "markets",
        "personas",
        "roadmap_updated_on",
        "last_customer_interview_on",
        "roadmap_reviews_cancelled",
    )
    page = page_of(products, page_number, per_page=PRODUCTS_PER_PAGE)
    page.object_list = rows = list(page.object_list)
    squads = list(
        Squad.objects.filter(product_id__in=[p["id"] for p in rows])
        .order_by("name", "id")
        .values("id", "name", "product_id", "engineers", "methodology")
    )
    served_by: dict[int, list[str]] = defaultdict(list)
    for squad_id, name in (
        Person.squads.through.objects.filter(squad_id__in=[s["id"] for s in squads])
        .order_by("person__name", "person_id")
        .values_list("squad_id", "person__name")
    ):
        served_by[squad_id].append(name)
    squads_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for squad in squads:
        squad["people"] = ", ".join(served_by.get(squad["id"], ()))
        squad["methodology_label"] = METHODOLOGY_LABELS.get(squad["methodology"], "")
        squads_of[squad["product_id"]].append(squad)
    for product in rows:
        product["squads"] = squads_of.get(product["id"], [])
    if can_edit:
        slug = organization.slug
        add_row_actions(squads, slug, "squad", lambda s: f"#product-{s['product_id']}-editor")
        add_row_actions(rows, slug, "product", lambda p: f"#product-{p['id']}-editor")
    return {
        "products_page": page,
        "squad_count": organization.squads.count(),
        "organization_methodology": organization.get_methodology_display(),
    }


def people_context(
    organization: Organization, page_number: Any, *, can_edit: bool = False
) -> dict[str, Any]:
    """One page of people with their manager, squads and the role their title gives: four
    queries whatever the size (the count, the page's people with their manager's name,
    their squads' names, the title patterns), as rows ready to print."""
    people = organization.people.order_by("name", "id").values(
        "id", "name", "title", "role", "reports_to__name", *TIME_COLUMNS
    )
    page = page_of(people, page_number, per_page=PEOPLE_PER_PAGE)
    page.object_list = rows = list(page.object_list)
    squads_of: dict[int, list[str]] = defaultdict(list)
    for person_id, name in (
        Person.squads.through.objects.filter(person_id__in=[p["id"] for p in rows])
        .order_by("squad__name", "squad_id")
        .values_list("person_id", "squad__name")
    ):
        squads_of[person_id].append(name)
    rules = TitlePattern.objects.rules()
    for person in rows:
        person["squads"] = ", ".join(squads_of.get(person["id"], ()))
        person["time_total"] = sum(person[column] for column in TIME_COLUMNS)
        if person["role"]:
            person["role_label"] = ROLE_LABELS[person["role"]]
        else:
            person["title_role"] = ROLE_LABELS[role_from_title(person["title"], rules)]
    if can_edit:
        add_row_actions(rows, organization.slug, "person", lambda _: "#person-editor")
    return {"people_page": page}


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


def section_response(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    section: str,
    *,
    page: Any = None,
) -> TemplateResponse:
    """One section of the organization page, alone."""
    context: dict[str, Any] = {"organization": organization, "membership": membership}
    sections = {"products": products_context, "people": people_context}
    context |= sections[section](organization, page, can_edit=membership.can_edit)
    response = TemplateResponse(request, f"{DETAIL_TEMPLATE}#{section}", context)
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
