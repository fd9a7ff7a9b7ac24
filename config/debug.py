"""Django's debug pages, for a browser on this machine only."""

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.views.debug import ExceptionReporter
from django.views.defaults import bad_request, server_error

from config.network import is_local_request


class LocalOnlyExceptionReporter(ExceptionReporter):
    """With DEBUG on, the traceback page (settings, local variables) goes only to loopback.

    Anyone else, including every client behind a proxy, gets the page DEBUG off would
    show. Mail to the admins keeps the whole report.
    """

    def _shown_to_this_client(self) -> bool:
        return self.request is None or self.is_email or is_local_request(self.request)

    def _is_bad_request(self) -> bool:
        # Django answers these 400, not 500 (a bad Host header is one).
        return self.exc_type is not None and issubclass(
            self.exc_type, BadRequest | SuspiciousOperation
        )

    def get_traceback_html(self) -> str:
        if self._shown_to_this_client():
            return super().get_traceback_html()
        if self._is_bad_request():
            return bad_request(self.request, self.exc_value).content.decode()
        return server_error(self.request).content.decode()

    def get_traceback_text(self) -> str:
        if self._shown_to_this_client():
            return super().get_traceback_text()
        return "Bad Request (400)" if self._is_bad_request() else "Server Error (500)"
