"""The latest assessment on the organization page, in one query whatever the organization's size;
each organization's standing on the list of organizations; labels for the advice pages."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from advisor.engine.vocabulary import Scope
from advisor.engine.vocabulary import outcome_label as outcome_label_of
from advisor.engine.vocabulary import verdict_label as verdict_label_of
from advisor.models import AssessedSubject, Assessment
from advisor.presenters import verdict_counts, verdict_summary
from advisor.scheduling import Standing, standing, standings
from orgs.models import Membership, Organization

register = template.Library()

# Up to this many products, the organization page names each one's verdict; beyond, it
# counts them and the assessment page's summary names them.
VERDICTS_NAMED = 20


def latest_for(organization: Organization) -> Assessment | None:
    """The latest assessment without its (large) documents; a projection is never the
    organization's latest advice."""
    return (
        organization.assessments.advice()
        .latest_first()
        .select_related("created_by", "ruleset")
        .defer("archive", "ruleset__content")
        .first()
    )


@register.inclusion_tag("advisor/_latest_assessment_summary.html")
def latest_assessment(organization: Organization, membership: Membership | None) -> dict[str, Any]:
    """Date, ruleset, verdicts and findings of the latest assessment; whether one is due."""
    assessment = latest_for(organization)
    named: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    if assessment is not None:
        # The first few products' verdicts: all of them, in a small organization (one query);
        # a large one's are counted in a second.
        named = list(
            assessment.subjects.filter(scope=Scope.PRODUCT)
            .order_by("name", "position")
            .values_list("name", "verdict")[: VERDICTS_NAMED + 1]
        )
        if len(named) > VERDICTS_NAMED:
            named = []
            counts = verdict_counts([assessment.pk]).get(assessment.pk, {})
        else:
            counts = dict(Counter(verdict for _, verdict in named))
    return {
        "organization": organization,
        "membership": membership,
        "assessment": assessment,
        "verdicts": named,
        "verdict_counts": verdict_summary(counts),
        "standing": standing(
            organization.pk,
            every_days=organization.reassess_every_days,
            changed_at=organization.changed_at,
            assessment_id=assessment.pk if assessment else None,
            assessed_at=assessment.created_at if assessment else None,
            today=timezone.localdate(),
        ),
        "can_assess": membership is not None and membership.can_edit,
    }


# On the list of organizations, up to this many products' verdicts are named; beyond, counted.
VERDICTS_LISTED = 4


@dataclass(frozen=True)
class ListedOrganization:
    """An organization's line on the list: the latest assessment's verdicts, when it was made,
    and whether the organization is due, overdue or changed since."""

    membership: Membership
    standing: Standing | None
    verdicts: list[tuple[str, str]]
    verdict_counts: list[tuple[str, str, int]]


@register.simple_tag
def organization_standings(memberships: Iterable[Membership]) -> list[ListedOrganization]:
    """The standing of each listed organization: three queries however many are listed and
    however large they are (the latest assessments, their verdicts counted, the names of the
    verdicts of the small ones)."""
    memberships = list(memberships)
    found = standings(m.organization_id for m in memberships)
    latest = [s.assessment_id for s in found.values() if s.assessment_id]
    counts = verdict_counts(latest)
    small = [pk for pk in latest if sum(counts.get(pk, {}).values()) <= VERDICTS_LISTED]
    named: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if small:
        rows = (
            AssessedSubject.objects.filter(assessment_id__in=small, scope=Scope.PRODUCT)
            .order_by("assessment_id", "name", "position")
            .values_list("assessment_id", "name", "verdict")
        )
        for assessment_id, name, verdict in rows:
            named[assessment_id].append((name, verdict))
    listed = []
    for membership in memberships:
        standing = found.get(membership.organization_id)
        pk = standing.assessment_id if standing else None
        listed.append(
            ListedOrganization(
                membership,
                standing,
                named.get(pk, []) if pk else [],
                verdict_summary(counts.get(pk, {})) if pk else [],
            )
        )
    return listed


register.filter("verdict_label", verdict_label_of)
register.filter("outcome_label", outcome_label_of)
