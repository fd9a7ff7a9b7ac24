"""Project-wide response headers."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


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
