"""Organizations: the user's list, creating one, its page, its settings and deleting it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from orgs.access import organization_view
from orgs.forms import OrganizationForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization
from orgs.paging import page_from, page_query
from orgs.views.scenarios import scenario_context
from orgs.views.sections import (
    DETAIL_TEMPLATE,
    PAGE_PARAMS,
    people_context,
    products_context,
    render_section,
    section_response,
    title_rules_and_scenarios,
)

ORGANIZATIONS_PER_PAGE = 25


@login_required
@require_safe
def organization_list(request: HtmxHttpRequest) -> TemplateResponse:
    """The organizations the user belongs to, with their role in each, a page at a time (the
    advisor's tag adds each one's latest verdicts and schedule)."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name", "organization__id")
    )
    page = page_from(request, memberships, per_page=ORGANIZATIONS_PER_PAGE)
    return TemplateResponse(request, "orgs/organization_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HtmxHttpRequest) -> HttpResponse:
    """Create an organization; its creator becomes its owner."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organization = form.save()
            Membership.objects.create(
                organization=organization, user=request.user, role=MemberRole.OWNER
            )
        messages.success(request, f"{organization.name} created. Add its products and people.")
        return redirect(organization)
    return TemplateResponse(request, "orgs/organization_form.html", {"form": form})


@organization_view()
@require_safe
def organization_detail(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """The organization page: a page of products with their squads, a page of people, the
    latest assessment."""
    # Its sections are kept under their query (orgs.rendered): only the page numbers it
    # reads go into it, so a made-up parameter makes no other entry nor gets into links.
    request.GET = page_query(request.GET, PAGE_PARAMS.values())
    pages = {section: request.GET.get(param) for section, param in PAGE_PARAMS.items()}
    if request.htmx and request.htmx.target in pages:
        section = request.htmx.target
        return section_response(request, organization, membership, section, page=pages[section])
    rules, scenarios = title_rules_and_scenarios(organization)
    products = products_context(organization, pages["products"])
    people = people_context(organization, pages["people"], rules=rules)
    context = {
        "organization": organization,
        "membership": membership,
        "products_html": render_section(request, organization, membership, "products", products),
        "people_html": render_section(request, organization, membership, "people", people),
        **scenario_context(request, organization, membership, scenarios),
    }
    response = TemplateResponse(request, DETAIL_TEMPLATE, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def organization_settings(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Rename the organization, set its methodology and how often to re-assess."""
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect(organization)
    context = {"organization": organization, "membership": membership, "form": form}
    return TemplateResponse(request, "orgs/organization_form.html", context)


def deletion_summary(organization: Organization) -> list[str]:
    """What goes with the organization: a count per kind of row that points at it.

    Read from the model's relations, so rows other apps attach (assessments) are
    counted without this module knowing them.
    """
    lines = []
    for relation in Organization._meta.related_objects:
        if not relation.one_to_many or relation.on_delete is not models.CASCADE:
            continue
        count = getattr(organization, relation.get_accessor_name()).count()
        if count:
            meta = relation.related_model._meta
            noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
            if relation.related_model is Organization:
                noun = "what-if scenario" if count == 1 else "what-if scenarios"
            lines.append(f"{count} {noun}")
    return lines


@organization_view(min_role=MemberRole.OWNER, record_too=True)
@require_http_methods(["GET", "POST"])
def organization_delete(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Delete the organization and everything in it, after a confirmation."""
    if request.method == "POST":
        name, live = organization.name, organization.scenario_of
        organization.delete()
        messages.success(request, f"{name} deleted.")
        return redirect(live) if live else redirect("orgs:organization_list")
    context = {
        "organization": organization,
        "membership": membership,
        "summary": deletion_summary(organization),
    }
    return TemplateResponse(request, "orgs/organization_confirm_delete.html", context)
