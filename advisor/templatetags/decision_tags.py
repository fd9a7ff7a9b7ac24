"""The decision on each finding of the assessment page."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def decision_for(decisions: Mapping[int, Any] | None, finding_pk: int) -> Any:
    """The finding's DecisionView from the page's `decisions` (finding pk → view)."""
    return (decisions or {}).get(finding_pk)
