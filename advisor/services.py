"""Running an assessment against the database and keeping it."""

import dataclasses
from datetime import date

from django.db import transaction
from django.utils import timezone

from advisor.decisions import carry_forward
from advisor.engine import Result, assess
from advisor.loading import load_snapshot
from advisor.models import Assessment
from advisor.recording import assessment_rows, record_assessment
from advisor.rulesets import current_ruleset, parsed_ruleset
from orgs.models import Organization


class NothingToAssess(Exception):
    """The organization has no products: there is nothing for the heuristics to judge."""

    def __init__(self, organization: Organization) -> None:
        super().__init__(
            f"{organization.name} has no products, so there is nothing to assess: "
            "add a product with its squads and people first."
        )


def is_projection(as_of: date, *, today: date | None = None) -> bool:
    """An as-of date after today makes the assessment a projection (DOMAIN.md)."""
    return as_of > (today or timezone.localdate())


def run_assessment(
    organization: Organization,
    *,
    as_of: date | None = None,
    save: bool = True,
    user=None,
    scheduled_on: date | None = None,
) -> tuple[Result, dict, Assessment | None]:
    """Assess the organization as of a date (today by default), by the latest published
    ruleset version, never the live rule rows.

    `scheduled_on` marks a scheduled run (advisor.scheduling): the database keeps one such
    assessment of an organization a day, and a second raises IntegrityError.

    Returns the engine's result, the assessment document (the command-line
    contract's JSON) and, when saved, the stored Assessment. An as-of date after today
    is a projection: the document says so and the assessment is stored marked as one.
    Raises NothingToAssess, storing nothing, when the organization has no products.
    """
    today = timezone.localdate()
    as_of = as_of or today
    projection = is_projection(as_of, today=today)
    version = current_ruleset()
    ruleset = parsed_ruleset(version)
    snapshot = load_snapshot(organization, title_rules=ruleset.title_rules)
    if not snapshot.products:
        raise NothingToAssess(organization)
    result = assess(snapshot, ruleset.heuristics, as_of=as_of, rules=ruleset.staffing)
    # What of the version the engine could not use is listed first, with the skipped heuristics.
    result = dataclasses.replace(result, errors=(*ruleset.notes, *result.errors))
    document = result.to_json(ruleset_version=version.label)
    document["projection"] = projection
    assessment = None
    if save:
        # Built before the transaction: SQLite takes its write lock at BEGIN.
        rows = assessment_rows(result, document)
        with transaction.atomic():
            assessment = record_assessment(
                organization,
                rows,
                version=version,
                as_of=as_of,
                user=user,
                is_projection=projection,
                scheduled_on=scheduled_on,
            )
            # Decisions on advice that got worse, or whose snooze ended, open again.
            carry_forward(assessment)
    return result, document, assessment
