"""The heuristic admin's change form as the browser posts it, and its change page."""

import json

from django.urls import reverse

from advisor.models import Heuristic


def heuristic_form(heuristic: Heuristic, **changes) -> dict[str, str]:
    """The change form's fields as the browser posts them, with some changed."""
    data = {
        "code": heuristic.code,
        "name": heuristic.name,
        "description": heuristic.description,
        "position": str(heuristic.position),
        "enabled": "on" if heuristic.enabled else "",
        "scope": heuristic.scope,
        "condition": json.dumps(heuristic.condition),
        "outcome": heuristic.outcome,
        "severity": heuristic.severity,
        "message": heuristic.message,
        "sources": json.dumps(heuristic.sources),
        "examples": json.dumps(heuristic.examples),
        "_publish": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def change_page(admin_client, code: str) -> str:
    """The HTML of the heuristic's admin change page."""
    heuristic = Heuristic.objects.get(code=code)
    return admin_client.get(
        reverse("admin:advisor_heuristic_change", args=[heuristic.pk])
    ).content.decode()
