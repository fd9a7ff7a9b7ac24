"""Decisions on advice: accept a finding, dismiss it with a reason, or snooze it until a date;
later assessments keep the decision while the evidence is no worse, and reopen it, saying
why, when it gets worse or the snooze ends.

A decision is about a piece of advice, not one assessment: a heuristic's finding on one
subject, known by the subject's id (which survives renames; AssessedSubject keeps it) and
the heuristic's code. `Decision` holds where it stands; each `DecisionEvent` is a line of
its history (who, what, when; or which assessment reopened it and why).

"Worse" is read clause by clause from the finding's trace (the clauses the heuristic
compared), against the trace the member saw when deciding:

- a numeric clause `fact > t` or `fact >= t` that held: a larger value is worse;
- a numeric clause `fact < t` or `fact <= t` that held: a smaller value is worse;
- any clause that holds now and did not hold (or was not compared) then is worse: a fact
  newly firing (e.g. `squads >= 3` joins `pm_squads >= 3`);
- everything else (the same values, better values, clauses that stopped holding, a
  changed threshold) keeps the decision. The baseline stays the evidence the member
  decided on: it improving and coming back to where it was is not worse.

A snooze until a date is set aside before that date and open from it on. An assessment
that does not show the finding (the advice resolved) keeps the decision: if the finding
comes back, it is judged against the same baseline. Projections (an as-of date after
today) never reopen anything: they are not the organization's advice.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from advisor.engine.explanations import format_value
from advisor.engine.vocabulary import (
    DECISION_ACTION_LABELS,
    DECISION_STATUS_LABELS,
    DISMISS_REASON_LABELS,
    DecisionAction,
    DecisionStatus,
)
from advisor.models import AssessedFinding, Assessment, Decision, DecisionEvent

LARGER_IS_WORSE = (">", ">=")
SMALLER_IS_WORSE = ("<", "<=")
DECIDED_PER_PAGE = 20
STATUS_OF_ACTION = {
    DecisionAction.ACCEPT: DecisionStatus.ACCEPTED,
    DecisionAction.DISMISS: DecisionStatus.DISMISSED,
    DecisionAction.SNOOZE: DecisionStatus.SNOOZED,
    DecisionAction.REOPEN: DecisionStatus.OPEN,
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def fact_words(fact: str) -> str:
    """`pm_backlog_share` → "PM backlog share"."""
    words = fact.replace("_", " ")
    return "PM" + words[2:] if words.startswith("pm ") else words


def _clause_key(clause: Mapping[str, Any]) -> tuple:
    return (clause.get("fact"), clause.get("op"), clause.get("param"))


def worsened(
    baseline: Sequence[Mapping[str, Any]], trace: Sequence[Mapping[str, Any]]
) -> list[str]:
    """How the evidence got worse since the baseline, one sentence a clause ("PM backlog
    share rose from 45% to 60%"); empty when it is unchanged or better."""
    before = {_clause_key(c): c for c in baseline}
    reasons = []
    for clause in trace:
        if not clause.get("result"):
            continue
        fact, op = clause.get("fact", ""), clause.get("op", "")
        then = before.get(_clause_key(clause))
        now_value = format_value(fact, clause.get("value"))
        if then is None or not then.get("result"):
            threshold = clause.get("threshold")
            shown = f" {op} {format_value(fact, threshold)}" if threshold is not None else ""
            reasons.append(f"{fact_words(fact)} now fires ({now_value}{shown})")
            continue
        old, new = _number(then.get("value")), _number(clause.get("value"))
        if old is None or new is None:
            continue
        then_value = format_value(fact, then.get("value"))
        if op in LARGER_IS_WORSE and new > old:
            reasons.append(f"{fact_words(fact)} rose from {then_value} to {now_value}")
        elif op in SMALLER_IS_WORSE and new < old:
            reasons.append(f"{fact_words(fact)} fell from {then_value} to {now_value}")
    return reasons


def is_set_aside(decision: Decision | None, today: date) -> bool:
    """Dismissed, or snoozed and the snooze not over: shown apart, under Decided."""
    if decision is None:
        return False
    if decision.status == DecisionStatus.DISMISSED:
        return True
    return decision.status == DecisionStatus.SNOOZED and decision.until > today


@transaction.atomic
def decide(
    finding: AssessedFinding,
    *,
    action: str,
    user,
    reason: str = "",
    note: str = "",
    until: date | None = None,
) -> Decision:
    """Record a member's decision on the advice this finding gives (or reopen it), with a
    line of history. The finding's trace becomes the evidence later assessments are held to.
    """
    subject = finding.subject
    subject_id = subject.subject_id
    if subject_id is None:
        raise ValueError("This finding's subject was assessed before ids were kept.")
    action = DecisionAction(action)
    decision, _ = Decision.objects.select_for_update().get_or_create(
        organization_id=finding.assessment.organization_id,
        scope=subject.scope,
        subject_id=subject_id,
        heuristic=finding.heuristic,
        defaults={"subject_name": subject.name},
    )
    now = timezone.now()
    decision.subject_name = subject.name
    decision.status = STATUS_OF_ACTION[action].value
    decision.reason = reason if action == DecisionAction.DISMISS else ""
    decision.note = note if action != DecisionAction.REOPEN else ""
    decision.until = until if action == DecisionAction.SNOOZE else None
    decision.evidence = list(finding.trace or [])
    decision.decided_by = user
    decision.decided_at = now
    decision.reopened_because = ""
    decision.event_count += 1
    decision.save()
    DecisionEvent.objects.create(
        decision=decision,
        action=action.value,
        reason=decision.reason,
        note=note,
        until=decision.until,
        by=user,
        assessment=finding.assessment,
    )
    return decision


def carry_forward(assessment: Assessment) -> list[Decision]:
    """After an assessment is stored: reopen each decision of the organization whose finding
    got worse than the evidence it was decided on, or whose snooze ended by the as-of date,
    with a line of history saying why. Three queries and the writes, however many."""
    if assessment.is_projection:
        return []
    # Locked, as decide() locks the one it changes: a decision made meanwhile is not
    # overwritten with what was read before it. (Within run_assessment's transaction: no
    # savepoint of its own.)
    with transaction.atomic(savepoint=False):
        decisions = list(
            Decision.objects.select_for_update()
            .filter(organization_id=assessment.organization_id)
            .exclude(status=DecisionStatus.OPEN)
        )
        return _reopen_worse(assessment, decisions) if decisions else []


def _reopen_worse(assessment: Assessment, decisions: list[Decision]) -> list[Decision]:
    traces: dict[tuple[str, int, str], list] = {}
    rows = (
        AssessedFinding.objects.filter(
            assessment=assessment, heuristic__in={d.heuristic for d in decisions}
        )
        .annotate(live_id=_live_id("subject__"))
        .values_list("subject__scope", "live_id", "heuristic", "trace")
    )
    for scope, live_id, heuristic, trace in rows:
        if live_id is not None:
            traces[(scope, live_id, heuristic)] = trace or []
    reopened, events = [], []
    for decision in decisions:
        because = []
        if decision.status == DecisionStatus.SNOOZED and decision.until <= assessment.as_of:
            because.append(f"the snooze until {decision.until.day} {decision.until:%b %Y} ended")
        trace = traces.get((decision.scope, decision.subject_id, decision.heuristic))
        if trace is not None:
            because.extend(worsened(decision.evidence or [], trace))
        if not because:
            continue
        explanation = "; ".join(because)
        decision.status = DecisionStatus.OPEN.value
        decision.reopened_because = explanation[:1].upper() + explanation[1:] + "."
        decision.event_count += 1
        reopened.append(decision)
        events.append(
            DecisionEvent(
                decision=decision,
                action=DecisionAction.REOPEN.value,
                assessment=assessment,
                explanation=decision.reopened_because,
            )
        )
    if reopened:
        Decision.objects.bulk_update(reopened, ["status", "reopened_because", "event_count"])
        DecisionEvent.objects.bulk_create(events)
    return reopened


def _live_id(prefix: str = ""):
    """The live subject's id of an AssessedSubject row, as one expression."""
    return Coalesce(f"{prefix}product_id", f"{prefix}person_id", f"{prefix}squad_id")


@dataclass(frozen=True)
class DecisionView:
    """A finding's decision as the assessment page shows it."""

    finding_pk: int
    # Whether a decision can be taken (the subject's id is known).
    decidable: bool
    decision: Decision | None
    status: str
    status_label: str
    set_aside: bool
    snooze_ended: bool

    @property
    def reason_label(self) -> str:
        return DISMISS_REASON_LABELS.get(self.decision.reason, "") if self.decision else ""


def decision_view(finding_pk: int, decidable: bool, decision: Decision | None) -> DecisionView:
    today = timezone.localdate()
    status = decision.status if decision else DecisionStatus.OPEN.value
    ended = status == DecisionStatus.SNOOZED and decision.until <= today
    return DecisionView(
        finding_pk=finding_pk,
        decidable=decidable,
        decision=decision,
        status=DecisionStatus.OPEN.value if ended else status,
        status_label=DECISION_STATUS_LABELS[DecisionStatus.OPEN if ended else status],
        set_aside=is_set_aside(decision, today),
        snooze_ended=ended,
    )


def decisions_for(
    organization_id: int, findings: Iterable[tuple[int, str, int | None, str]]
) -> dict[int, DecisionView]:
    """Finding pk → its decision, for (pk, scope, live subject id, heuristic) rows: one query."""
    findings = list(findings)
    ids = {subject_id for _, _, subject_id, _ in findings if subject_id is not None}
    found: dict[tuple[str, int, str], Decision] = {}
    if ids:
        # By id alone, whatever the scope: a decision on another scope's subject of the same id
        # is read and never matched, which costs less than a condition per scope.
        for d in Decision.objects.filter(
            organization_id=organization_id, subject_id__in=ids
        ).select_related("decided_by"):
            found[(d.scope, d.subject_id, d.heuristic)] = d
    return {
        pk: decision_view(pk, subject_id is not None, found.get((scope, subject_id, heuristic)))
        for pk, scope, subject_id, heuristic in findings
    }


def _set_aside_decisions(assessment: Assessment, today: date) -> QuerySet:
    return Decision.objects.filter(
        _set_aside(today),
        organization_id=assessment.organization_id,
        scope=OuterRef("subject__scope"),
        subject_id=OuterRef("live_id"),
        heuristic=OuterRef("heuristic"),
    )


def _set_aside(today: date) -> Q:
    return Q(status=DecisionStatus.DISMISSED) | Q(status=DecisionStatus.SNOOZED, until__gt=today)


@dataclass(frozen=True)
class Standing:
    """Whether the organization has decisions at all, and any advice set aside now: the
    assessment page skips the queries whose answer would be empty."""

    decided: bool
    set_aside: bool


def standing(organization_id: int) -> Standing:
    """Whether the organization has decisions, and whether any is set aside now: one query
    (at most two rows: set aside or not)."""
    set_aside = ExpressionWrapper(_set_aside(timezone.localdate()), output_field=BooleanField())
    found = set(
        Decision.objects.filter(organization_id=organization_id)
        .order_by()
        .annotate(set_aside=set_aside)
        .values_list("set_aside", flat=True)
        .distinct()
    )
    return Standing(decided=bool(found), set_aside=any(found))


def decided_findings(
    assessment: Assessment, page_number: Any = None, *, set_aside: bool = True
) -> Page:
    """The page of the assessment's findings that are set aside (dismissed, or snoozed and
    the snooze not over), in the assessment's order, with their subjects: two queries, none
    when `set_aside` says nothing of the organization is set aside (standing())."""
    today = timezone.localdate()
    if not set_aside:
        return Paginator([], DECIDED_PER_PAGE).get_page(1)
    rows = (
        AssessedFinding.objects.filter(assessment=assessment)
        .annotate(live_id=_live_id("subject__"))
        .filter(Exists(_set_aside_decisions(assessment, today)))
        .select_related("subject")
        .defer("subject__facts", "subject__votes", "subject__missing_facts", "subject__actions")
        .order_by("subject__scope", "subject__position", "position")
    )
    page = Paginator(rows, DECIDED_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def action_label(action: str) -> str:
    return DECISION_ACTION_LABELS.get(action, action)


def history(decision: Decision) -> QuerySet:
    """Its lines, latest first, with who and which assessment: one query."""
    return (
        decision.events.select_related("by", "assessment__organization")
        .defer("assessment__archive")
        .order_by("-at", "-id")
    )
