"""When an organization is due for re-assessment, whether it changed since, and the scheduled
runs of `manage.py reassess_due` (docs/scheduling.md).

An organization is *due* when it was never assessed, or when `reassess_every_days` have
passed since its latest assessment: it falls due on that day and is *overdue* every day
after. It has *changed* when what the advice reads of it (its methodology, a product,
squad or person, whom a person serves) was edited, added or removed after its latest
assessment was made: `Organization.changed_at` is later than the assessment's
`created_at`. A new ruleset version does not make an organization changed.

A projection (an assessment as of a day after the one it was made) never counts as the
latest assessment: `Assessment.objects.advice()` says which do, in one place.

A scheduled run stores an assessment marked with its day (`Assessment.scheduled_on`); the
database keeps one a day per organization, so two runs at once store one and the other
says so. The owners get a mail when an organization falls due (once for each latest
assessment) and when a scheduled run changed a product's verdict.
"""

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError
from django.db.models import OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advisor.engine.vocabulary import Scope, verdict_label
from advisor.models import AssessedSubject, Assessment
from advisor.services import NothingToAssess, run_assessment
from orgs.models import MemberRole, Organization


class Due(enum.StrEnum):
    NEVER = "never"  # never assessed: due
    NOT_YET = "not_yet"
    DUE = "due"  # falls due today
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Standing:
    """Where an organization stands against its schedule on a day."""

    organization_id: int
    assessment_id: int | None
    assessed_at: datetime | None
    due_on: date | None
    due: Due
    # Days until due (not yet), or since it fell due (overdue); 0 otherwise.
    days: int
    changed: bool

    @property
    def is_due(self) -> bool:
        """Never assessed, or its interval since the latest assessment has passed."""
        return self.due in (Due.NEVER, Due.DUE, Due.OVERDUE)


def standing(
    organization_id: int,
    *,
    every_days: int,
    changed_at: datetime | None,
    assessment_id: int | None,
    assessed_at: datetime | None,
    today: date,
) -> Standing:
    if assessed_at is None:
        return Standing(organization_id, None, None, None, Due.NEVER, 0, changed=False)
    due_on = due_date(assessed_at, every_days)
    if today < due_on:
        due, days = Due.NOT_YET, (due_on - today).days
    elif today == due_on:
        due, days = Due.DUE, 0
    else:
        due, days = Due.OVERDUE, (today - due_on).days
    changed = changed_at is not None and changed_at > assessed_at
    return Standing(organization_id, assessment_id, assessed_at, due_on, due, days, changed)


def due_date(assessed_at: datetime, every_days: int) -> date:
    """The day a re-assessment falls due: the interval after the day of the last one."""
    return timezone.localdate(assessed_at) + timedelta(days=every_days)


def with_latest(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    """The organizations with the id and time of their latest counted assessment
    (`latest_id`, `latest_at`): two subqueries on the (organization, -created_at) index."""
    latest = Assessment.objects.advice().filter(organization=OuterRef("pk")).latest_first()
    return organizations.annotate(
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_at=Subquery(latest.values("created_at")[:1]),
    )


def standings(organization_ids: Iterable[int], *, today: date | None = None) -> dict[int, Standing]:
    """Organization id → its standing, for any number of organizations in one query."""
    today = today or timezone.localdate()
    rows = with_latest(Organization.objects.filter(pk__in=list(organization_ids))).values_list(
        "pk", "reassess_every_days", "changed_at", "latest_id", "latest_at"
    )
    return {
        pk: standing(
            pk,
            every_days=every_days,
            changed_at=changed_at,
            assessment_id=latest_id,
            assessed_at=latest_at,
            today=today,
        )
        for pk, every_days, changed_at, latest_id, latest_at in rows
    }


@dataclass(frozen=True)
class Candidate:
    """An organization `reassess_due` assesses, and why."""

    organization_id: int
    slug: str
    reason: str  # "never assessed", "due", "overdue", "changed"


def candidates(*, today: date | None = None) -> Iterator[Candidate]:
    """Every organization that is due or changed, by name: one query, read as it goes."""
    today = today or timezone.localdate()
    rows = (
        with_latest(Organization.objects.live())
        .order_by("name", "pk")
        .values_list("pk", "slug", "reassess_every_days", "changed_at", "latest_id", "latest_at")
    )
    for pk, slug, every_days, changed_at, latest_id, latest_at in rows.iterator():
        found = standing(
            pk,
            every_days=every_days,
            changed_at=changed_at,
            assessment_id=latest_id,
            assessed_at=latest_at,
            today=today,
        )
        if found.is_due or found.changed:
            yield Candidate(pk, slug, reason_of(found))


def reason_of(found: Standing) -> str:
    if found.due == Due.NEVER:
        return "never assessed"
    if found.is_due:
        return str(found.due)
    return "changed"


@dataclass(frozen=True)
class VerdictChange:
    product: str
    before: str
    after: str


def verdict_changes(before: Assessment | None, after: Assessment) -> list[VerdictChange]:
    """The products assessed both times whose verdict differs, matched on the product's id
    (its name when an assessment kept none), in the later assessment's order. One query."""
    if before is None:
        return []
    rows = AssessedSubject.objects.filter(
        assessment__in=[before.pk, after.pk], scope=Scope.PRODUCT
    ).values_list("assessment_id", "product_id", "name", "verdict", "position")
    then: dict[Any, str] = {}
    now: list[tuple[int, Any, str, str]] = []
    for assessment_id, product_id, name, verdict, position in rows:
        key = product_id if product_id is not None else ("name", name)
        if assessment_id == before.pk:
            then[key] = verdict
        else:
            now.append((position, key, name, verdict))
    return [
        VerdictChange(name, then[key], verdict)
        for _, key, name, verdict in sorted(now, key=lambda row: row[0])
        if key in then and then[key] != verdict
    ]


@dataclass(frozen=True)
class Outcome:
    """What a scheduled run did with one organization: the line `reassess_due` prints."""

    slug: str
    assessed: bool
    line: str
    assessment_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "assessed": self.assessed,
            "line": self.line,
            "assessment_id": self.assessment_id,
        }


def reassess(organization_id: int, day: date, reason: str) -> Outcome:
    """One organization's scheduled run for `day`: tell the owners when it fell due, assess
    it unless a scheduled run already did today (or it has no products), and tell them
    which verdicts changed."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return Outcome(str(organization_id), False, f"{organization_id}: no longer exists")
    slug = organization.slug
    previous = Assessment.objects.advice().filter(organization=organization).latest_first().first()
    if reason in (Due.DUE, Due.OVERDUE) and previous is not None:
        notify_due(organization, previous, day)
    already = f"{slug}: not assessed ({reason}): a scheduled run assessed it on {day} already"
    if organization.assessments.filter(scheduled_on=day).exists():
        return Outcome(slug, False, already)
    try:
        # run_assessment stores it and carries decisions forward in one transaction.
        _, _, assessment = run_assessment(organization, as_of=day, scheduled_on=day)
    except NothingToAssess:
        return Outcome(slug, False, f"{slug}: not assessed ({reason}): it has no products")
    except IntegrityError:
        # Another run stored its assessment of the day between the check and the insert.
        if organization.assessments.filter(scheduled_on=day).exists():
            return Outcome(slug, False, already)
        raise
    changes = verdict_changes(previous, assessment)
    if changes:
        notify_verdicts(organization, previous, assessment, changes)
    changed = (
        f"{len(changes)} verdict{'s' if len(changes) != 1 else ''} changed"
        if previous
        else "first assessment"
    )
    return Outcome(
        slug,
        True,
        f"{slug}: assessed as of {day} ({reason}): assessment {assessment.pk}, {changed}",
        assessment.pk,
    )


def owner_addresses(organization: Organization) -> list[str]:
    """The e-mail addresses of the organization's owners, each once."""
    return list(
        get_user_model()
        .objects.filter(
            memberships__organization=organization,
            memberships__role=MemberRole.OWNER,
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def site_url(path: str) -> str:
    return settings.ADVISOR_SITE_URL.rstrip("/") + path


def _mail(organization: Organization, subject: str, template: str, context: dict) -> int:
    """One message to each owner (they do not see each other's address)."""
    addresses = owner_addresses(organization)
    body = render_to_string(template, {"organization": organization, **context})
    # One connection for them all.
    mailers.default.send_messages(
        [EmailMessage(subject, body, None, [address]) for address in addresses]
    )
    return len(addresses)


def notify_due(organization: Organization, latest: Assessment, day: date) -> bool:
    """Tell the owners the organization is due, once for its latest assessment whatever
    the number of runs that see it due: the first to mark the assessment sends the mail."""
    claimed = Assessment.objects.filter(pk=latest.pk, due_notified_at__isnull=True).update(
        due_notified_at=timezone.now()
    )
    if not claimed:
        return False
    due_on = due_date(latest.created_at, organization.reassess_every_days)
    _mail(
        organization,
        f"{organization.name} is due for re-assessment",
        "advisor/mail/due.txt",
        {
            "latest": latest,
            "due_on": due_on,
            "day": day,
            "organization_url": site_url(organization.get_absolute_url()),
            "assessment_url": site_url(latest.get_absolute_url()),
        },
    )
    return True


def notify_verdicts(
    organization: Organization,
    before: Assessment,
    after: Assessment,
    changes: Sequence[VerdictChange],
) -> None:
    compare = reverse("advisor:assessment_compare", kwargs={"slug": organization.slug})
    _mail(
        organization,
        f"{organization.name}: the scheduled re-assessment changed "
        f"{len(changes)} verdict{'s' if len(changes) != 1 else ''}",
        "advisor/mail/verdicts_changed.txt",
        {
            "after": after,
            "changes": [
                (c.product, verdict_label(c.before), verdict_label(c.after)) for c in changes
            ],
            "assessment_url": site_url(after.get_absolute_url()),
            "compare_url": site_url(f"{compare}?a={before.pk}&b={after.pk}"),
        },
    )
