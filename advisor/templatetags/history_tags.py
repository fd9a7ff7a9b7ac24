"""Labels of the history pages: the cause of a product's change in words."""

from django import template

from advisor.engine.vocabulary import CAUSE_LABELS, CAUSE_MEANINGS

register = template.Library()


@register.filter
def cause_label(cause: str) -> str:
    """`rules` → "The rules changed"."""
    return CAUSE_LABELS.get(cause, cause)


@register.filter
def cause_meaning(cause: str) -> str:
    return CAUSE_MEANINGS.get(cause, "")
