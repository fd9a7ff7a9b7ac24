"""The organization page's two swappable sections, shared by the views that change them.

orgs/organization_detail.html has the partials `products` (one page of products
with their squads) and `people` (one page of people). A write made with htmx
answers with the section it changed, re-rendered at the page that shows what was
written, and triggers an event the other section listens to, because each shows
part of the other: squads list who serves them, people list the squads they serve.
Each section pages on its own query parameter, so both pages can be kept in one URL.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from orgs.htmx import HtmxHttpRequest
from orgs.models import Membership, Organization, Person, Product, Role, Squad, TitlePattern
from orgs.paging import page_of
from orgs.titles import role_from_title

DETAIL_TEMPLATE = "orgs/organization_detail.html"
PRODUCTS_PER_PAGE = 10
PEOPLE_PER_PAGE = 50
# The query parameter that holds each section's page number.
PAGE_PARAMS = {"products": "products_page", "people": "page"}
# The event each section's change triggers; the other section reloads on it.
CHANGED_EVENTS = {"products": "products-changed", "people": "people-changed"}


def products_context(organization: Organization, page_number: Any) -> dict[str, Any]:
    """One page of products with their squads and who serves each, and the organization's
    counts, in the same few queries whatever the size."""
    people = Person.objects.order_by("name", "id").only("id", "name")
    squads = Squad.objects.order_by("name", "id").prefetch_related(
        Prefetch("people", queryset=people)
    )
    # The page is a slice of this queryset, so the prefetches fetch the page's rows only.
    products = organization.products.order_by("name", "id").prefetch_related(
        Prefetch("squads", queryset=squads)
    )
    return {
        "products_page": page_of(products, page_number, per_page=PRODUCTS_PER_PAGE),
        "squad_count": organization.squads.count(),
    }


def people_context(organization: Organization, page_number: Any) -> dict[str, Any]:
    """One page of people with their manager, squads and the role their title gives."""
    people = (
        organization.people.order_by("name", "id")
        .select_related("reports_to")
        .prefetch_related(
            Prefetch("squads", queryset=Squad.objects.order_by("name", "id").only("id", "name"))
        )
    )
    page = page_of(people, page_number, per_page=PEOPLE_PER_PAGE)
    rules = TitlePattern.objects.rules()
    for person in page:
        person.title_role = Role(role_from_title(person.title, rules))
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
    if section == "products":
        context |= products_context(organization, page)
    else:
        context |= people_context(organization, page)
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
