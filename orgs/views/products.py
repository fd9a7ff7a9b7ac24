"""Adding, editing and deleting products and squads, in place on the organization page."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from orgs.access import organization_view
from orgs.forms import ProductForm, SquadForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization, Person
from orgs.paging import id_from_text
from orgs.views.editing import confirm_response, count_noun, form_response, save_form
from orgs.views.sections import products_page_of, saved, section_url

PRODUCT_FORM = "orgs/product_form.html"
SQUAD_FORM = "orgs/squad_form.html"


def page_context(
    organization: Organization, membership: Membership, page: int = 1, **extra
) -> dict:
    return {
        "organization": organization,
        "membership": membership,
        "section": "products",
        "cancel_url": section_url(organization, "products", page),
        **extra,
    }


def product_page(organization: Organization, pk: str) -> int:
    """The page of the products section that shows the product with this id (1 if none)."""
    product_id = id_from_text(pk)
    product = organization.products.filter(pk=product_id).first() if product_id else None
    return products_page_of(product) if product else 1


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def product_create(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Add a product."""
    form = ProductForm(request.POST or None, organization=organization, auto_id="product-new-%s")
    if request.method == "POST" and form.is_valid() and (product := save_form(form)):
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{product} added.",
            page=products_page_of(product),
        )
    return form_response(request, PRODUCT_FORM, form, page_context(organization, membership))


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def product_edit(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Change a product's name, markets, personas and strategy dates."""
    product = get_object_or_404(organization.products, pk=pk)
    form = ProductForm(
        request.POST or None,
        instance=product,
        organization=organization,
        auto_id=f"product-{product.pk}-%s",
    )
    if request.method == "POST" and form.is_valid() and save_form(form):
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{product} saved.",
            page=products_page_of(product),
        )
    context = page_context(organization, membership, products_page_of(product), product=product)
    return form_response(request, PRODUCT_FORM, form, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def product_delete(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Delete a product and its squads, after saying what goes with it."""
    product = get_object_or_404(organization.products, pk=pk)
    page = products_page_of(product)
    if request.method == "POST":
        product.delete()
        # The page it was on; the section shows the last page if that one is now gone.
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{product} deleted.",
            page=page,
        )
    squads = list(product.squads.order_by("name").values_list("name", flat=True))
    people = Person.objects.filter(squads__product=product).distinct().count()
    consequences = []
    if squads:
        consequences.append(
            f"Its {count_noun(len(squads), 'squad is', 'squads are')} deleted too: "
            f"{', '.join(squads)}."
        )
    if people:
        consequences.append(
            f"{count_noun(people, 'person no longer serves', 'people no longer serve')} "
            "any squad of it; they stay in the organization."
        )
    context = page_context(
        organization,
        membership,
        page,
        title=f"Delete the product {product}?",
        consequences=consequences or ["It has no squads; nothing else goes with it."],
        confirm_label="Delete product",
    )
    return confirm_response(request, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def squad_create(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Add a squad to one of the organization's products."""
    form = SquadForm(
        request.POST or None,
        organization=organization,
        initial={"product": request.GET.get("product")},
        auto_id="squad-new-%s",
    )
    if request.method == "POST" and form.is_valid() and (squad := save_form(form)):
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{squad} added.",
            page=products_page_of(squad.product),
        )
    page = product_page(organization, request.GET.get("product", ""))
    return form_response(request, SQUAD_FORM, form, page_context(organization, membership, page))


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def squad_edit(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Change a squad's product, name, engineers or methodology."""
    squad = get_object_or_404(organization.squads.select_related("product"), pk=pk)
    form = SquadForm(
        request.POST or None,
        instance=squad,
        organization=organization,
        auto_id=f"squad-{squad.pk}-%s",
    )
    if request.method == "POST" and form.is_valid() and save_form(form):
        # The page of the product it belongs to now, if it moved.
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{squad} saved.",
            page=products_page_of(squad.product),
        )
    context = page_context(organization, membership, products_page_of(squad.product), squad=squad)
    return form_response(request, SQUAD_FORM, form, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def squad_delete(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Delete a squad, after saying who no longer serves it."""
    squad = get_object_or_404(organization.squads.select_related("product"), pk=pk)
    page = products_page_of(squad.product)
    if request.method == "POST":
        squad.delete()
        return saved(
            request,
            organization,
            membership,
            section="products",
            message=f"{squad} deleted.",
            page=page,
        )
    people = squad.people.count()
    context = page_context(
        organization,
        membership,
        page,
        title=f"Delete the squad {squad}?",
        consequences=[
            f"{count_noun(people, 'person no longer serves', 'people no longer serve')} it; "
            "they stay in the organization."
            if people
            else "Nobody serves it; nothing else goes with it."
        ],
        confirm_label="Delete squad",
    )
    return confirm_response(request, context)
