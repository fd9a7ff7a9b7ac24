"""What-if scenarios of an organization (orgs.scenarios): start one, and apply one.

Editors start a scenario from the live organization's page; it opens as an organization
page of its own, changed with the same forms. Only an owner applies one, after a page that
lists the changes it makes; a live organization changed since the copy refuses it, listing
what changed there.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from orgs.access import organization_view
from orgs.forms import ScenarioForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization, Scenario
from orgs.scenarios import ScenarioError, apply_scenario, changes_made, copy_organization
from orgs.sql import column, fetch, table


def scenario_context(organization: Organization) -> dict:
    """For the organization page: a live organization's scenarios, newest first, or a
    scenario's record (what it was copied from, whether applied). One query."""
    if organization.scenario_of_id is None:
        return {
            "scenarios": scenario_rows(organization),
            "scenario_form": ScenarioForm(organization=organization),
        }
    return {
        "scenario_record": Scenario.objects.select_related("created_by", "applied_by").get(
            pk=organization.pk
        )
    }


def scenario_rows(organization: Organization) -> list[dict]:
    """The live organization's scenarios, newest first: name, URL, when copied and applied.
    In SQL (orgs.sql), as the page's other fixed queries."""
    rows = fetch(
        f"""
        SELECT o.slug, o.name, s.created_at, s.applied_at
        FROM {table(Organization)} o
        LEFT JOIN {table(Scenario)} s ON s.organization_id = o.id
        WHERE o.scenario_of_id = %s
        ORDER BY s.created_at DESC, o.id DESC""",
        [organization.pk],
    )
    if not rows:
        return []
    created_at, applied_at = column(Scenario, "created_at"), column(Scenario, "applied_at")
    return [
        {
            "name": name,
            "url": reverse("orgs:organization_detail", kwargs={"slug": slug}),
            "created_at": created_at(created),
            "applied_at": applied_at(applied),
        }
        for slug, name, created, applied in rows
    ]


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def scenario_create(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Copy the organization into a new scenario and open it."""
    if organization.scenario_of_id is not None:
        raise Http404("A scenario is copied from its live organization.")
    form = ScenarioForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        scenario = copy_organization(
            organization, name=form.cleaned_data["name"], user=request.user
        )
        messages.success(
            request,
            f"Scenario “{scenario.name}” copied from {organization.name}. "
            f"Change it freely: {organization.name} stays as it is until an owner applies it.",
        )
        return redirect(scenario)
    context = {"organization": organization, "membership": membership, "form": form}
    return TemplateResponse(request, "orgs/scenario_form.html", context)


@organization_view(min_role=MemberRole.OWNER)
@require_http_methods(["GET", "POST"])
def scenario_apply(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """The changes the scenario makes, then, posted, make them to the live organization."""
    if organization.scenario_of_id is None:
        raise Http404("Only a scenario is applied.")
    record = Scenario.objects.get(pk=organization.pk)
    organization.scenario = record
    live = organization.scenario_of
    refused = None
    if request.method == "POST":
        try:
            applied = apply_scenario(organization, user=request.user)
        except ScenarioError as e:
            refused = e
        else:
            messages.success(
                request,
                f"Scenario “{organization.name}” applied to {live.name}: "
                f"{len(applied)} change{'s' if len(applied) != 1 else ''}.",
            )
            return redirect(live)
    context = {
        "organization": organization,
        "membership": membership,
        "live": live,
        "record": record,
        "changes": changes_made(organization),
        "refused": refused,
    }
    return TemplateResponse(
        request, "orgs/scenario_apply.html", context, status=409 if refused else 200
    )
