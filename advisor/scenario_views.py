"""A what-if scenario's advice: against the live organization's, and the hires its plan asks
for added in one click. The scenario itself, its copy and its application are orgs'
(orgs.scenarios); these pages are where the advisor meets it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from advisor.comparison import compare_assessments, comparison_page
from advisor.models import Assessment
from advisor.scenario_hires import add_hires, planned_hires
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization
from orgs.paging import page_of, page_query
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


# The page's lists: the id of each one's section, which an htmx page link swaps, → its
# partial in the template and its page parameter (as on the compare page).
SCENARIO_SECTIONS = {
    "verdicts": ("products", "products_page"),
    "appeared": ("appeared", "appeared_page"),
    "disappeared": ("disappeared", "disappeared_page"),
    "changes": ("changes", "changes_page"),
}
CHANGES_PER_PAGE = 25


@organization_view()
@require_safe
def scenario_compare(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """The scenario's latest assessment against the live organization's (before: live, after:
    the scenario), and the changes made in the scenario since it was copied: a page of each
    list. An htmx request for one list works out that list only: the changes are the
    scenario exported again, the advice a comparison of two assessments."""
    scenario = _scenario(organization)
    live = scenario.scenario_of
    request.GET = page_query(request.GET, (param for _, param in SCENARIO_SECTIONS.values()))
    target = request.htmx.target if request.htmx else None
    section = SCENARIO_SECTIONS.get(target) if target else None
    context: dict = {"organization": scenario, "membership": membership, "live": live}
    if section is None or section[0] != "changes":
        before, after = _latest(live), _latest(scenario)
        comparison = compare_assessments(before, after) if before and after else None
        context.update(
            before=before,
            after=after,
            comparison=comparison,
            page=comparison_page(
                comparison,
                products_page=request.GET.get("products_page"),
                appeared_page=request.GET.get("appeared_page"),
                disappeared_page=request.GET.get("disappeared_page"),
            )
            if comparison
            else None,
        )
    if section is None or section[0] == "changes":
        context["changes"] = page_of(
            changes_made(scenario), request.GET.get("changes_page"), per_page=CHANGES_PER_PAGE
        )
    template = "advisor/scenario_compare.html"
    if section is not None and section[0] != "changes" and context["page"] is None:
        # A list of the advice asked for, and nothing to compare any more (an assessment
        # deleted meanwhile): the whole page again, not a page inside the list.
        return HttpResponseClientRefresh()
    if section is not None:
        response = TemplateResponse(request, f"{template}#{section[0]}", context)
    else:
        response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


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
