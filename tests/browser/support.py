"""Helpers for the browser tests: finding fields, waiting for htmx, listening to the console."""

import re

from playwright.sync_api import Locator, Page


def field(scope: Page | Locator, label: str) -> Locator:
    """The control labelled exactly `label` (Django ends labels with a colon)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def wait_for_htmx(page: Page) -> None:
    """Wait until no htmx request is in flight and nothing is left to swap or settle.

    A write on the organization page reloads the other section too; opening an
    editor in that section before the reload lands would see it swapped away.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def watch_console(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page; Chromium reports CSP violations here."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
