"""Project-wide response headers, and query strings no page can use."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase


class NoStoreMiddleware:
    """Every response Django makes is `Cache-Control: private, no-store`.

    Signed-in pages show one organization's people to its members; the anonymous
    ones (log in, sign up, password reset) each carry a CSRF token bound to the
    visitor's cookie, or a reset token in the URL. None is worth a shared or disk
    cache, so no view has to remember to say so. Static files never get here:
    whitenoise answers them first, with its long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response["Cache-Control"] = "private, no-store"
        return response


class NulInQueryMiddleware:
    """A query string with a NUL character is refused (400), naming the parameter.

    No page reads one, and PostgreSQL refuses NUL in text: the admin's list filters and
    its autocomplete's search term passed it to the database and answered 500. Forms
    (POST) say it beside their field, as Django's form fields refuse NUL themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "\\0")[:40]
                return HttpResponseBadRequest(
                    f"The query parameter {shown!r} contains a NUL character.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
