"""What-if scenarios of an organization (orgs.scenarios): start one, and apply one.

Editors start a scenario from the live organization's page; it opens as an organization
page of its own, changed with the same forms. Only an owner applies one, after a page that
lists the changes it makes; a live organization changed since the copy refuses it, listing
what changed there.
"""

from django import VERSION
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from orgs.access import organization_view
from orgs.forms import ScenarioForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization, Scenario
from orgs.rendered import render_kept
from orgs.scenarios import ScenarioError, apply_scenario, changes_made, copy_organization

SCENARIO_FORM_FIELDS = "orgs/_scenario_form_fields.html"
# Every template of the project its rendering reads (Django's own form templates come with
# the release, which the key names).
SCENARIO_FORM_TEMPLATES = (SCENARIO_FORM_FIELDS, "includes/field.html")


def scenario_form_fields(organization: Organization) -> SafeString:
    """The fields of the empty form that starts a scenario, rendered once and kept
    (orgs.rendered): an empty form's HTML follows from its class and the templates alone,
    so the key names the class, the Django release whose form templates render the
    widgets, and the project's templates through `made_of`. The form is made only to
    render it; the CSRF token stays outside, in orgs/_scenarios.html. Rendered without the
    request: nothing of it reads the query, so every page of the lists shares one entry."""
    return render_kept(
        None,
        SCENARIO_FORM_FIELDS,
        {"form": f"{ScenarioForm.__module__}.{ScenarioForm.__qualname__}", "django": VERSION},
        made_of=SCENARIO_FORM_TEMPLATES,
        finish=lambda context: context.update(form=ScenarioForm(organization=organization)),
    )


def scenario_context(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    scenarios: list[dict],
) -> dict:
    """For the organization page: a live organization's scenarios (as read by
    orgs.views.sections.title_rules_and_scenarios) and, for an editor, the form to start
    one; or a scenario's record (what it was copied from, whether applied: one query)."""
    if organization.scenario_of_id is None:
        context: dict = {"scenarios": scenarios}
        if membership.can_edit:
            context["scenario_form_fields"] = scenario_form_fields(organization)
        return context
    return {
        "scenario_record": Scenario.objects.select_related("created_by", "applied_by").get(
            pk=organization.pk
        )
    }


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


@organization_view(min_role=MemberRole.OWNER, record_too=True)
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
