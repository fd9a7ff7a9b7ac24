"""The advice in the browser: run an assessment, read it with its evidence, chart. (History
and comparison: advisor.history_views.)

Every organization URL is guarded by `orgs.access.organization_view`: non-members
get 404, and running an assessment (a write) needs the editor role.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from advisor.assessment_cache import Shown, assessment_body, page_body
from advisor.decisions import decided_findings, decisions_for, standing
from advisor.forms import AssessForm
from advisor.heuristics_page import HISTORY_SHOWN, ruleset_history, ruleset_page
from advisor.models import RulesetVersion
from advisor.presenters import finding_of, verdict_counts, verdict_summary
from advisor.services import NothingToAssess, run_assessment
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest, page_or_partial
from orgs.models import MemberRole, Membership, Organization
from orgs.paging import page_from

ASSESSMENTS_PER_PAGE = 25


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def assess(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Run an assessment now, or as of a date, and show it."""
    form = AssessForm(request.POST if request.method == "POST" else None)
    nothing_to_assess = None
    if form.is_valid():
        try:
            _, _, assessment = run_assessment(
                organization, as_of=form.cleaned_data["as_of"], user=request.user
            )
        except NothingToAssess as e:
            if request.htmx and request.htmx.target != "assess-form":
                # From another page's button: the assess page says why, in full.
                return HttpResponseClientRedirect(request.path)
            nothing_to_assess = str(e)
        else:
            if request.htmx:
                return HttpResponseClientRedirect(assessment.get_absolute_url())
            return redirect(assessment)
    if nothing_to_assess is None and not organization.products.exists():
        nothing_to_assess = str(NothingToAssess(organization))
    context = {
        "organization": organization,
        "membership": membership,
        "form": form,
        "nothing_to_assess": nothing_to_assess,
    }
    return page_or_partial(request, "advisor/assess.html", context, "assess_form")


@organization_view()
@require_safe
def assessment_detail(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> TemplateResponse:
    """One stored assessment as it was: the verdicts counted, then a page of products, of
    people and of squads with their findings and evidence, and of missing facts. Reads the
    rows it shows, never the archived document; what shows the assessment is rendered once
    and kept (advisor.assessment_cache), the decisions on it are read on every request."""
    assessment = get_object_or_404(
        organization.assessments.select_related("created_by", "ruleset")
        .defer("archive", "ruleset__content")
        .with_previous_pk(),
        pk=pk,
    )
    assessment.organization = organization
    kept = assessment_body(request, assessment, organization, can_edit=membership.can_edit)
    context = {
        "organization": organization,
        "membership": membership,
        "assessment": assessment,
        "previous_pk": assessment.previous_pk,
        "missing_facts": kept.body.missing_facts,
        # The presenter, built only when asked for (a warm page never is).
        "page": SimpleLazyObject(kept.page),
        **decisions_context(request, assessment, kept.shown),
    }
    context["kept_sections"] = page_body(request, kept.body, context["decisions"], context)
    if request.user.is_staff:
        # Heuristics in shadow: shown to site admins, never counted (docs/rulesets.md).
        shadow = assessment.shadow_findings or []
        context["shadow_findings"] = shadow[:SHADOW_SHOWN]
        context["shadow_count"] = len(shadow)
    return TemplateResponse(request, "advisor/assessment_detail.html", context)


def decisions_context(request: HtmxHttpRequest, assessment, shown: Shown) -> dict:
    """The decision on each finding shown, and the page of findings set aside (dismissed or
    snoozed) that the Decided section shows apart: one query when the organization has no
    decisions, two when none is set aside, four at most."""
    now = standing(assessment.organization_id)
    decided = decided_findings(assessment, request.GET.get("decided_page"), set_aside=now.set_aside)
    keys = shown.decision_keys()
    keys += [(f.pk, f.subject.scope, f.subject.subject_id, f.heuristic) for f in decided]
    return {
        "decisions": decisions_for(assessment.organization_id, keys) if now.decided else {},
        "decided": decided,
        "decided_findings": [finding_of(f) for f in decided],
        "next_url": request.get_full_path(),
    }


# Shadow findings an admin sees on an assessment's page; the rest are counted.
SHADOW_SHOWN = 50


@organization_view()
@require_safe
def assessment_list(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """Every assessment of the organization, latest first, 25 a page."""
    assessments = (
        organization.assessments.latest_first()
        .select_related("created_by", "ruleset")
        .defer("archive", "ruleset__content")
    )
    page = page_from(request, assessments, per_page=ASSESSMENTS_PER_PAGE)
    counts = verdict_counts(a.pk for a in page)
    rows = [(a, verdict_summary(counts.get(a.pk, {}))) for a in page]
    # The pair the compare button starts from: the latest two that are not projections.
    latest_two = [a.pk for a in page if not a.is_projection][:2]
    context = {
        "organization": organization,
        "membership": membership,
        "page_obj": page,
        "rows": rows,
        "default_after": latest_two[0] if latest_two else None,
        "default_before": latest_two[1] if len(latest_two) == 2 else None,
    }
    return page_or_partial(request, "advisor/assessment_list.html", context, "history")


@login_required
@require_safe
def heuristic_list(request: HtmxHttpRequest) -> TemplateResponse:
    """The rules behind the advice, in words, as the ruleset version in force holds them."""
    # The versions shown in the history, and the one before the oldest, for its changes.
    versions = list(
        RulesetVersion.objects.select_related("published_by").order_by("-number")[
            : HISTORY_SHOWN + 1
        ]
    )
    version = versions[0] if versions else None
    context = {
        "version": version,
        "page": ruleset_page(version.content) if version else None,
        "history": ruleset_history(versions),
        "older_versions": max(0, RulesetVersion.objects.count() - HISTORY_SHOWN)
        if len(versions) > HISTORY_SHOWN
        else 0,
    }
    return TemplateResponse(request, "advisor/heuristic_list.html", context)
