"""A what-if scenario's advice: against the live organization's, and the hires its plan asks
for added in one click. The scenario itself, its copy and its application are orgs'
(orgs.scenarios); these pages are where the advisor meets it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe

from advisor.comparison import compare_assessments
from advisor.models import Assessment
from advisor.scenario_hires import add_hires, planned_hires
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization
from orgs.scenarios import changes_made


def _scenario(organization: Organization) -> Organization:
    if organization.scenario_of_id is None:
        raise Http404("This is not a scenario.")
    return organization


def _latest(organization: Organization) -> Assessment | None:
    """The organization's latest assessment that is not a projection (Assessment.objects
    .advice(): a projection stays one after its date has passed)."""
    return (
        Assessment.objects.advice()
        .filter(organization=organization)
        .select_related("created_by", "ruleset", "organization")
        .defer("archive", "ruleset__content")
        .latest_first()
        .first()
    )


@organization_view()
@require_safe
def scenario_compare(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """The scenario's latest assessment against the live organization's (before: live, after:
    the scenario), and the changes made in the scenario since it was copied."""
    scenario = _scenario(organization)
    live = scenario.scenario_of
    before, after = _latest(live), _latest(scenario)
    comparison = compare_assessments(before, after) if before and after else None
    context = {
        "organization": scenario,
        "membership": membership,
        "live": live,
        "before": before,
        "after": after,
        "comparison": comparison,
        "products": comparison.products if comparison else [],
        "changes": changes_made(scenario),
    }
    return TemplateResponse(request, "advisor/scenario_compare.html", context)


@organization_view(min_role=MemberRole.EDITOR)
@require_POST
def scenario_add_hires(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Add to the scenario the people its latest plan asks to hire."""
    scenario = _scenario(organization)
    latest = _latest(scenario)
    if latest is None:
        messages.error(request, "Assess the scenario first: its plan says whom to hire.")
        return redirect(scenario)
    added = add_hires(scenario, planned_hires(latest))
    if added:
        names = ", ".join(p.name for p in added)
        messages.success(
            request,
            f"Added {len(added)} hire{'s' if len(added) != 1 else ''}: {names}. "
            "Assess the scenario again to see the advice with them.",
        )
    else:
        messages.info(request, "The latest plan asks for no hires that are not here already.")
    return redirect(scenario)
