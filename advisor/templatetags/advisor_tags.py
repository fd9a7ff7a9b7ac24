"""The latest assessment on the organization page, in one query whatever the organization's size;
each organization's standing on the list of organizations; labels for the advice pages."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import template
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from advisor.engine.vocabulary import Scope
from advisor.engine.vocabulary import outcome_label as outcome_label_of
from advisor.engine.vocabulary import verdict_label as verdict_label_of
from advisor.models import AssessedSubject, Assessment, RulesetVersion
from advisor.presenters import verdict_counts, verdict_summary
from advisor.scheduling import Standing, standing, standings
from orgs.models import Membership, Organization
from orgs.sql import column, fetch, table

register = template.Library()

# Up to this many products, the organization page names each one's verdict; beyond, it
# counts them and the assessment page's summary names them.
VERDICTS_NAMED = 20


@dataclass(frozen=True)
class LatestAssessment:
    """What the organization page shows of its latest assessment."""

    pk: int
    url: str
    created_at: datetime
    as_of: date
    created_by: str | None  # the user name
    ruleset_label: str
    finding_count: int


def latest_for(organization: Organization) -> LatestAssessment | None:
    """The latest assessment, read as the few columns shown, in one query; a projection is
    never the organization's latest advice. In SQL (orgs.sql), as the page's other fixed
    queries: the ORM would take longer to compile it than the database to run it."""
    user = get_user_model()
    username = user._meta.get_field(user.USERNAME_FIELD).column
    rows = fetch(
        f"""
        SELECT a.id, a.created_at, a.as_of, u.{connection.ops.quote_name(username)},
            r.number, a.finding_count
        FROM {table(Assessment)} a
        JOIN {table(RulesetVersion)} r ON r.id = a.ruleset_id
        LEFT JOIN {table(user)} u ON u.id = a.created_by_id
        WHERE a.organization_id = %s AND a.is_projection = %s
        ORDER BY a.created_at DESC, a.id DESC
        LIMIT 1""",
        [organization.pk, False],
    )
    if not rows:
        return None
    pk, created_at, as_of, created_by, number, finding_count = rows[0]
    return LatestAssessment(
        pk=pk,
        url=reverse("advisor:assessment_detail", kwargs={"slug": organization.slug, "pk": pk}),
        created_at=column(Assessment, "created_at")(created_at),
        as_of=column(Assessment, "as_of")(as_of),
        created_by=created_by,
        ruleset_label=RulesetVersion(number=number).label,
        finding_count=finding_count,
    )


def product_verdicts(assessment_id: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The first VERDICTS_NAMED + 1 products' (name, verdict) by name, and how many products
    got each verdict, in one query whatever the organization's size."""
    subjects = table(AssessedSubject)
    rows = fetch(
        f"""
        SELECT 0, name, position, verdict, 0 FROM (
            SELECT name, position, verdict FROM {subjects}
            WHERE assessment_id = %s AND scope = %s
            ORDER BY name, position
            LIMIT {VERDICTS_NAMED + 1}
        ) named
        UNION ALL
        SELECT 1, NULL, 0, verdict, COUNT(*) FROM {subjects}
        WHERE assessment_id = %s AND scope = %s
        GROUP BY verdict
        ORDER BY 1, 2, 3""",
        [assessment_id, Scope.PRODUCT.value, assessment_id, Scope.PRODUCT.value],
    )
    named = [(name, verdict) for part, name, _, verdict, _ in rows if part == 0]
    counts = {verdict: n for part, _, _, verdict, n in rows if part == 1}
    return named, counts


@register.inclusion_tag("advisor/_latest_assessment_summary.html")
def latest_assessment(organization: Organization, membership: Membership | None) -> dict[str, Any]:
    """Date, ruleset, verdicts and findings of the latest assessment; whether one is due: two
    queries whatever the organization's size."""
    assessment = latest_for(organization)
    named: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    if assessment is not None:
        # Every product's verdict, in a small organization; a large one's are counted.
        named, counts = product_verdicts(assessment.pk)
        if len(named) > VERDICTS_NAMED:
            named = []
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
