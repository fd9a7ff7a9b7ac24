"""Page links that keep the other lists of the page at their pages
(templates/includes/pagination.html)."""

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_querystring(context: template.Context, param: str, number: int) -> str:
    """`{% querystring %}` with a page parameter named by a variable: the other lists of the
    page keep their pages."""
    return querystring(context, **{param: number})
