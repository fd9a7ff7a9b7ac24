"""The latest assessment on the organization page, in one query whatever the organization's size;
labels for the advice pages."""

from collections import Counter
from typing import Any

from django import template
from django.utils import timezone

from advisor.engine.vocabulary import Scope
from advisor.engine.vocabulary import outcome_label as outcome_label_of
from advisor.engine.vocabulary import verdict_label as verdict_label_of
from advisor.models import Assessment
from advisor.presenters import verdict_counts, verdict_summary
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
        .defer("report", "ruleset__content")
        .first()
    )


@register.inclusion_tag("advisor/_latest_assessment_summary.html")
def latest_assessment(organization: Organization, membership: Membership | None) -> dict[str, Any]:
    """Date, ruleset, verdicts and findings of the latest assessment; whether one is due."""
    assessment = latest_for(organization)
    age_days = None
    named: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    if assessment is not None:
        age_days = (timezone.localdate() - timezone.localdate(assessment.created_at)).days
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
        "age_days": age_days,
        "due": age_days is None or age_days > organization.reassess_every_days,
        "can_assess": membership is not None and membership.can_edit,
    }


register.filter("verdict_label", verdict_label_of)
register.filter("outcome_label", outcome_label_of)
