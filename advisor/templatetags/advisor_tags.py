"""The latest assessment on the organization page, in one query whatever the organization's size;
each organization's standing on the list of organizations; labels for the advice pages."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

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
from orgs.rendered import render_kept
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


class Latest(NamedTuple):
    """The latest assessment (None before the first), the first VERDICTS_NAMED + 1 of its
    products' (name, verdict) by name, and how many of its products got each verdict."""

    assessment: LatestAssessment | None
    named: list[tuple[str, str]]
    counts: dict[str, int]


def latest_with_verdicts(organization: Organization) -> Latest:
    """The latest assessment, as the few columns the page shows, with its products' verdicts
    named and counted: one query whatever the organization's size; a projection is never
    the organization's latest advice. In SQL (orgs.sql), as the page's other fixed queries:
    the ORM would take longer to compile it than the database to run it.

    The query's rows come in three parts (the first column): the assessment, its first
    products by name, the count of each verdict; each part fills its own columns."""
    user = get_user_model()
    username = connection.ops.quote_name(user._meta.get_field(user.USERNAME_FIELD).column)
    subjects = table(AssessedSubject)
    rows = fetch(
        f"""
        WITH latest AS (
            SELECT id, created_at, as_of, created_by_id, ruleset_id, finding_count
            FROM {table(Assessment)}
            WHERE organization_id = %s AND is_projection = %s
            ORDER BY created_at DESC, id DESC
            LIMIT 1
        )
        SELECT 0, l.id, l.created_at, l.as_of, u.{username}, r.number, l.finding_count,
            NULL, NULL, NULL, NULL
        FROM latest l
        JOIN {table(RulesetVersion)} r ON r.id = l.ruleset_id
        LEFT JOIN {table(user)} u ON u.id = l.created_by_id
        UNION ALL
        SELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, name, position, verdict, 0 FROM (
            SELECT s.name, s.position, s.verdict
            FROM {subjects} s JOIN latest l ON s.assessment_id = l.id
            WHERE s.scope = %s
            ORDER BY s.name, s.position
            LIMIT {VERDICTS_NAMED + 1}
        ) named
        UNION ALL
        SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.verdict, COUNT(*)
        FROM {subjects} s JOIN latest l ON s.assessment_id = l.id
        WHERE s.scope = %s
        GROUP BY s.verdict
        ORDER BY 1, 8, 9""",
        [organization.pk, False, Scope.PRODUCT.value, Scope.PRODUCT.value],
    )
    if not rows or rows[0][0] != 0:
        return Latest(None, [], {})
    _, pk, created_at, as_of, created_by, number, finding_count, *_ = rows[0]
    assessment = LatestAssessment(
        pk=pk,
        url=reverse("advisor:assessment_detail", kwargs={"slug": organization.slug, "pk": pk}),
        created_at=column(Assessment, "created_at")(created_at),
        as_of=column(Assessment, "as_of")(as_of),
        created_by=created_by,
        ruleset_label=RulesetVersion(number=number).label,
        finding_count=finding_count,
    )
    named = [(row[7], row[9]) for row in rows if row[0] == 1]
    counts = {row[9]: row[10] for row in rows if row[0] == 2}
    return Latest(assessment, named, counts)


LATEST_BODY = "advisor/_latest_assessment_body.html"
# Every template file the body's rendering reads.
LATEST_BODY_TEMPLATES = (LATEST_BODY, "advisor/_standing.html")


@register.inclusion_tag("advisor/_latest_assessment_summary.html", takes_context=True)
def latest_assessment(
    context: template.Context, organization: Organization, membership: Membership | None
) -> dict[str, Any]:
    """Date, ruleset, verdicts and findings of the latest assessment; whether one is due: one
    query whatever the organization's size. Below the heading and the editors' form (with
    its CSRF token), the summary is rendered from plain data and kept (orgs.rendered)."""
    assessment, named, counts = latest_with_verdicts(organization)
    # Every product's verdict, in a small organization; a large one's are counted.
    if len(named) > VERDICTS_NAMED:
        named = []
    can_assess = membership is not None and membership.can_edit
    now = standing(
        organization.pk,
        every_days=organization.reassess_every_days,
        changed_at=organization.changed_at,
        assessment_id=assessment.pk if assessment else None,
        assessed_at=assessment.created_at if assessment else None,
        today=timezone.localdate(),
    )
    shown = {
        "assessment": asdict(assessment) if assessment else None,
        "verdicts": named,
        "verdict_counts": verdict_summary(counts),
        "standing": {
            "due": str(now.due),
            "days": now.days,
            "due_on": now.due_on,
            "changed": now.changed,
        },
        "every": organization.reassess_every_days,
        "slug": organization.slug,
        "can_assess": can_assess,
    }
    return {
        "organization": organization,
        "can_assess": can_assess,
        # Without the request: nothing of it reads the query, so every page of the
        # organization's lists shares one entry.
        "body": render_kept(None, LATEST_BODY, shown, made_of=LATEST_BODY_TEMPLATES),
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


@register.filter
def staffing(counts: Mapping[str, int | None] | None) -> str:
    """A product's staffing as the comparisons print it, "PM / PO": "1 / 2"; a dash where
    the product is not on that side."""
    if not counts:
        return "—"
    return f"{counts['product_managers']} / {counts['product_owners']}"
