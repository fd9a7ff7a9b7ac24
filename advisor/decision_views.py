"""Deciding on advice in the browser: accept, dismiss or snooze a finding, reopen it, and read
its history. In place with htmx, with a plain POST that redirects back as the fallback.

The assessment page shows each finding's decision and a "Decide on this advice" link: a plain
GET of `decide` is a page with the form; to htmx it answers the form alone
(`decision.html#decide-form`), which replaces the link in place.

Deciding needs the editor role (a viewer gets 403); anyone in the organization reads the
history. The decision attaches to the finding's subject and heuristic (advisor.decisions).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from advisor import decisions
from advisor.engine.vocabulary import DecisionAction
from advisor.forms import DecisionForm
from advisor.models import AssessedFinding, Assessment
from advisor.presenters import finding_of
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization

ADVICE_TEMPLATE = "advisor/_advice.html"
DECISION_PAGE = "advisor/decision.html"
PLACEMENTS = ("card", "decided", "page")


def _back_to(request: HtmxHttpRequest, assessment: Assessment) -> str:
    """Where the plain form returns: the assessment page it was posted from (with its page
    numbers), else the assessment; never elsewhere. A GET of the form carries it in its query."""
    url = (request.POST if request.method == "POST" else request.GET).get("next", "")
    own = assessment.get_absolute_url()
    if url.startswith(own) and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return own


def _placement(request: HtmxHttpRequest) -> str:
    """Where the advice is shown (its element's id ends with it): a card, the Decided section,
    or a page of its own."""
    data = request.POST if request.method == "POST" else request.GET
    placement = data.get("placement")
    return placement if placement in PLACEMENTS else "page"


def _form(finding: AssessedFinding, placement: str, data=None) -> DecisionForm:
    """The decision form, its field ids the finding's and its place's own."""
    return DecisionForm(data, auto_id=f"decision-{finding.pk}-{placement}-%s")


def _finding(organization: Organization, pk: int, finding_pk: int) -> AssessedFinding:
    assessment = get_object_or_404(organization.assessments.defer("archive"), pk=pk)
    assessment.organization = organization
    finding = get_object_or_404(
        AssessedFinding.objects.select_related("subject"), assessment=assessment, pk=finding_pk
    )
    finding.assessment = assessment
    if finding.subject.subject_id is None:
        raise Http404("This finding's subject was assessed before ids were kept.")
    return finding


def advice_context(
    finding: AssessedFinding,
    membership: Membership,
    *,
    placement: str,
    next_url: str,
    form: DecisionForm | None = None,
) -> dict[str, Any]:
    subject = finding.subject
    view = decisions.decisions_for(
        finding.assessment.organization_id,
        [(finding.pk, subject.scope, subject.subject_id, finding.heuristic)],
    )[finding.pk]
    return {
        "organization": finding.assessment.organization,
        "membership": membership,
        "assessment": finding.assessment,
        "finding": finding_of(finding),
        "decision": view,
        "placement": placement,
        "show_subject": placement != "card",
        "next_url": next_url,
        "form": form,
    }


def _answer(
    request: HtmxHttpRequest,
    finding: AssessedFinding,
    membership: Membership,
    form: DecisionForm | None,
    message: str,
) -> HttpResponse:
    """The advice in place to htmx; to a plain form, back to the page, or the form again with
    its errors on a page of its own."""
    placement = _placement(request)
    back = _back_to(request, finding.assessment)
    invalid = form is not None and form.errors
    if request.htmx:
        context = advice_context(
            finding, membership, placement=placement, next_url=back, form=form if invalid else None
        )
        return TemplateResponse(request, ADVICE_TEMPLATE, context)
    if invalid:
        context = advice_context(finding, membership, placement="page", next_url=back, form=form)
        return TemplateResponse(request, DECISION_PAGE, context)
    messages.success(request, message)
    return redirect(f"{back.split('#')[0]}#advice-{finding.pk}-card")


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "HEAD", "POST"])
def decide(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    pk: int,
    finding_pk: int,
) -> HttpResponse:
    """Accept, dismiss (with a reason) or snooze (until a date after today) a finding. A GET
    is the form: on a page of its own, or to htmx the form alone, loaded in place."""
    finding = _finding(organization, pk, finding_pk)
    if request.method != "POST":
        return _decision_form(request, finding, membership)
    form = _form(finding, _placement(request), request.POST)
    if not form.is_valid():
        return _answer(request, finding, membership, form, "")
    data = form.cleaned_data
    decisions.decide(
        finding,
        action=data["action"],
        user=request.user,
        reason=data["reason"],
        note=data["note"],
        until=data["until"],
    )
    label = decisions.action_label(data["action"]).lower()
    return _answer(
        request, finding, membership, None, f"{finding.name or finding.heuristic}: {label}."
    )


def _decision_form(
    request: HtmxHttpRequest, finding: AssessedFinding, membership: Membership
) -> HttpResponse:
    """The empty form: alone to htmx, for the place the link was in; else on its own page."""
    back = _back_to(request, finding.assessment)
    if request.htmx:
        placement = _placement(request)
        context = advice_context(
            finding, membership, placement=placement, next_url=back, form=_form(finding, placement)
        )
        return TemplateResponse(request, f"{DECISION_PAGE}#decide-form", context)
    context = advice_context(
        finding, membership, placement="page", next_url=back, form=_form(finding, "page")
    )
    return TemplateResponse(request, DECISION_PAGE, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_POST
def reopen(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    pk: int,
    finding_pk: int,
) -> HttpResponse:
    """Take a decision back: the advice is open again, and the history says who reopened it."""
    finding = _finding(organization, pk, finding_pk)
    decisions.decide(finding, action=DecisionAction.REOPEN, user=request.user)
    return _answer(
        request, finding, membership, None, f"{finding.name or finding.heuristic}: reopened."
    )


@organization_view()
@require_safe
def decision_history(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> TemplateResponse:
    """Who decided what on one piece of advice, and when; what reopened it and why."""
    decision = get_object_or_404(organization.decisions.select_related("decided_by"), pk=pk)
    context = {
        "organization": organization,
        "membership": membership,
        "decision": decision,
        "view": decisions.decision_view(0, True, decision),
        "events": decisions.history(decision),
    }
    return TemplateResponse(request, "advisor/decision_history.html", context)
