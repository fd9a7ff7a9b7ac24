"""An organization's assessments over time in the browser: compare any two with the cause of
each change, delete one made by mistake, and the trends over all of them.

Every URL is guarded by `orgs.access.organization_view`: 404 to non-members; deleting
needs the owner role (403 to editors and viewers).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRefresh

from advisor.comparison import compare_assessments, comparison_page
from advisor.history import NothingToCompare, UnknownAssessment, choose_pair
from advisor.models import Assessment
from advisor.trends import trends_page
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization
from orgs.paging import id_from_text, page_query

# The assessments the compare page offers to choose from, latest first; any other is chosen
# from the history page, whose links name it.
CHOICES = 50
# The compare page's lists: the id of each one's section, which an htmx page link swaps,
# → its partial in the template and its page parameter.
COMPARE_SECTIONS = {
    "products": ("products", "products_page"),
    "people-changes": ("people", "people_page"),
    "appeared": ("appeared", "appeared_page"),
    "disappeared": ("disappeared", "disappeared_page"),
}


def _pk_param(request: HtmxHttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    pk = id_from_text(raw)
    if pk is None:
        raise Http404(f"{name} must be an assessment number.")
    return pk


# Given as 1, the products listed are only those with something that moved.
ONLY_MOVED = "moved"


def _compare_query(query: QueryDict, before: Assessment, after: Assessment) -> QueryDict:
    """What the page's links keep: the two assessments compared, named even when they were
    chosen by default (so that paging stays on them after another assessment is run), the
    products' filter, and the lists' page numbers (orgs.paging.page_query: no other
    parameter)."""
    kept = QueryDict(mutable=True)
    kept["a"], kept["b"] = str(before.pk), str(after.pk)
    if query.get(ONLY_MOVED) == "1":
        kept[ONLY_MOVED] = "1"
    kept.update(page_query(query, (param for _, param in COMPARE_SECTIONS.values())))
    return kept


def _choices(organization: Organization, *chosen: Assessment | None) -> list[Assessment]:
    """The latest assessments, and the chosen two wherever they are in the history."""
    latest = list(
        organization.assessments.latest_first()
        .select_related("ruleset")
        .only("pk", "as_of", "created_at", "ruleset__number")[:CHOICES]
    )
    shown = {a.pk for a in latest}
    extra = [a for a in chosen if a is not None and a.pk not in shown]
    return sorted([*latest, *extra], key=lambda a: (a.created_at, a.pk), reverse=True)


@organization_view()
@require_safe
def assessment_compare(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Two assessments side by side, per product: the verdict then and now, the cause, the
    findings, facts and staffing that moved; the people whose inputs moved; a page of each
    list. `a` and `b` choose them; by default the last two that are not projections."""
    a_pk, b_pk = _pk_param(request, "a"), _pk_param(request, "b")
    if (a_pk is None) != (b_pk is None):
        raise Http404("Give both assessments to compare, a and b.")
    before = after = comparison = page = None
    problem = ""
    try:
        before, after = choose_pair(organization, from_id=a_pk, to_id=b_pk)
    except UnknownAssessment as e:
        raise Http404("No such assessment in this organization.") from e
    except NothingToCompare:
        problem = (
            "Choose two different assessments to compare."
            if a_pk is not None
            else "There is nothing to compare yet: it takes two assessments."
        )
    else:
        request.GET = _compare_query(request.GET, before, after)
        comparison = compare_assessments(before, after)
        page = comparison_page(
            comparison,
            only_moved=ONLY_MOVED in request.GET,
            **{param: request.GET.get(param) for _, param in COMPARE_SECTIONS.values()},
        )
    context = {
        "organization": organization,
        "membership": membership,
        "before": before,
        "after": after,
        "comparison": comparison,
        "page": page,
        "problem": problem,
    }
    template = "advisor/assessment_compare.html"
    if not page and request.htmx and request.htmx.target in COMPARE_SECTIONS:
        # A list's page asked for, and nothing to compare any more (an assessment deleted
        # meanwhile): the whole page again, not a page inside the list.
        return HttpResponseClientRefresh()
    if page and request.htmx and request.htmx.target in COMPARE_SECTIONS:
        partial, _ = COMPARE_SECTIONS[request.htmx.target]
        response = TemplateResponse(request, f"{template}#{partial}", context)
    else:
        context["choices"] = _choices(organization, before, after)
        response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@organization_view(min_role=MemberRole.OWNER)
@require_http_methods(["GET", "POST"])
def assessment_delete(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Delete an assessment made by mistake, after a confirmation; owners only."""
    assessment = get_object_or_404(
        organization.assessments.select_related("ruleset").defer("archive", "ruleset__content"),
        pk=pk,
    )
    history = reverse("advisor:assessment_list", kwargs={"slug": organization.slug})
    described = (
        f"the assessment run {assessment.created_at:%d %b %Y, %H:%M} "
        f"(as of {assessment.as_of:%d %b %Y}, ruleset {assessment.ruleset.label})"
    )
    if request.method == "POST":
        assessment.delete()
        messages.success(request, f"Deleted {described}.")
        return redirect(history)
    context = {
        "organization": organization,
        "membership": membership,
        "title": f"Delete {described}?",
        "consequences": [
            f"Its verdicts, findings and evidence ({assessment.finding_count} "
            f"finding{'s' if assessment.finding_count != 1 else ''}) are deleted for good.",
            "The organization, the other assessments and the ruleset stay as they are.",
        ],
        "confirm_label": "Delete assessment",
        "cancel_url": assessment.get_absolute_url(),
    }
    return TemplateResponse(request, "orgs/confirm_delete.html", context)


@organization_view()
@require_safe
def assessment_trends(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """Charts over the organization's assessments, each with its table."""
    page = trends_page(
        organization,
        products_page=request.GET.get("products_page"),
        people_page=request.GET.get("people_page"),
    )
    context = {"organization": organization, "membership": membership, "page": page}
    return TemplateResponse(request, "advisor/trends.html", context)
