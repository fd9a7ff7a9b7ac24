"""Small helpers for views that serve a whole page or, to htmx, one partial of it."""

from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def page_or_partial(
    request: HtmxHttpRequest,
    template_name: str,
    context: dict[str, Any],
    partial: str,
    **kwargs: Any,
) -> TemplateResponse:
    """The whole page for a plain request; only the page's named partial for htmx."""
    if request.htmx:
        template_name = f"{template_name}#{partial}"
    return TemplateResponse(request, template_name, context, **kwargs)
