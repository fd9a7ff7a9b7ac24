"""What the product, squad and person views share: saving a form, answering with it, confirming."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.forms import ModelForm
from django.template.response import TemplateResponse

from orgs.htmx import HtmxHttpRequest, page_or_partial

CONFIRM_TEMPLATE = "orgs/confirm_delete.html"


def save_form(form: ModelForm) -> Model | None:
    """Save the form and its many-to-many rows in one transaction.

    The form has checked that the name is free; a name taken by someone else in
    the meantime becomes an error on the name field rather than a server error.
    """
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("name", "Someone has just used that name: choose another.")
        return None


def form_response(
    request: HtmxHttpRequest, template_name: str, form: ModelForm, context: dict[str, Any]
) -> TemplateResponse:
    """The form's page, or to htmx its `form` partial, to open in place on the organization page."""
    if request.htmx and request.method == "GET":
        next(iter(form.fields.values())).widget.attrs["autofocus"] = True
    return page_or_partial(request, template_name, {"form": form, **context}, "form")


def confirm_response(request: HtmxHttpRequest, context: dict[str, Any]) -> TemplateResponse:
    """The confirmation of a deletion: `title`, `consequences`, `confirm_label`, `cancel_url`."""
    return page_or_partial(request, CONFIRM_TEMPLATE, context, "confirm")


def count_noun(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"
