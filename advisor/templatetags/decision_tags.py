"""The decision on each finding of the assessment page, and its form."""

from collections.abc import Mapping
from typing import Any

from django import template

from advisor.forms import DecisionForm

register = template.Library()


@register.filter
def decision_for(decisions: Mapping[int, Any] | None, finding_pk: int) -> Any:
    """The finding's DecisionView from the page's `decisions` (finding pk → view)."""
    return (decisions or {}).get(finding_pk)


@register.simple_tag
def decision_form(finding_pk: int, placement: str) -> DecisionForm:
    """An empty decision form whose field ids are the finding's and its place's own."""
    return DecisionForm(auto_id=f"decision-{finding_pk}-{placement}-%s")
