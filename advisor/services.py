"""Running an assessment against the database and keeping it."""

import dataclasses
from datetime import date

from django.utils import timezone

from advisor.engine import Result, assess
from advisor.loading import load_snapshot
from advisor.models import Assessment
from advisor.recording import record_assessment
from advisor.rulesets import current_ruleset, parsed_ruleset
from orgs.models import Organization


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
    contract's JSON) and, when saved, the stored Assessment.
    """
    as_of = as_of or timezone.localdate()
    version = current_ruleset()
    ruleset = parsed_ruleset(version)
    snapshot = load_snapshot(organization, title_rules=ruleset.title_rules)
    result = assess(snapshot, ruleset.heuristics, as_of=as_of, rules=ruleset.staffing)
    # What of the version the engine could not use is listed first, with the skipped heuristics.
    result = dataclasses.replace(result, errors=(*ruleset.notes, *result.errors))
    document = result.to_json(ruleset_version=version.label)
    assessment = None
    if save:
        assessment = record_assessment(
            organization,
            result,
            document,
            version=version,
            as_of=as_of,
            user=user,
            scheduled_on=scheduled_on,
        )
    return result, document, assessment
