"""With DEBUG on, Django's traceback pages go only to a browser on this machine."""

import sys

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from config.debug import LocalOnlyExceptionReporter
from config.network import client_ip, is_local_request

SECRET_IN_A_LOCAL = "the-value-of-a-local-variable"


def failing_view(request: HttpRequest) -> HttpResponse:
    hidden = SECRET_IN_A_LOCAL  # noqa: F841 (shown by the debug page's local variables)
    raise RuntimeError("the view broke")


urlpatterns = [path("boom/", failing_view)]

PLAIN_500 = (
    '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n'
    "</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)


@pytest.fixture
def debug_client(settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


class TestTracebackPage:
    def test_is_shown_to_loopback(self, debug_client):
        response = debug_client.get("/boom/", REMOTE_ADDR="127.0.0.1")
        assert response.status_code == 500
        html = response.content.decode()
        assert "RuntimeError" in html
        assert SECRET_IN_A_LOCAL in html

    def test_is_shown_to_ipv6_loopback(self, debug_client):
        response = debug_client.get("/boom/", REMOTE_ADDR="::1")
        assert SECRET_IN_A_LOCAL in response.content.decode()

    @pytest.mark.parametrize(
        "meta",
        [
            {"REMOTE_ADDR": "203.0.113.9"},
            {"REMOTE_ADDR": "10.0.0.5"},
            # A proxy on this machine relays everyone from loopback.
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": "for=203.0.113.9"},
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
        ],
    )
    def test_anyone_else_gets_the_plain_500_page(self, debug_client, meta):
        response = debug_client.get("/boom/", **meta)
        assert response.status_code == 500
        assert response.content.decode() == PLAIN_500

    def test_behind_the_tls_proxy_nobody_is_local(self, debug_client, settings):
        settings.BEHIND_TLS_PROXY = True
        response = debug_client.get("/boom/", REMOTE_ADDR="127.0.0.1")
        assert response.content.decode() == PLAIN_500

    def test_a_plain_text_client_elsewhere_gets_one_line(self, debug_client):
        response = debug_client.get(
            "/boom/", REMOTE_ADDR="203.0.113.9", headers={"Accept": "text/plain"}
        )
        assert response.status_code == 500
        assert response.content.decode() == "Server Error (500)"

    def test_a_bad_host_elsewhere_gets_the_plain_400_page(self, debug_client):
        response = debug_client.get("/boom/", REMOTE_ADDR="203.0.113.9", HTTP_HOST="evil.example")
        assert response.status_code == 400
        html = response.content.decode()
        assert "<h1>Bad Request (400)</h1>" in html
        assert "ALLOWED_HOSTS" not in html

    def test_mail_to_the_admins_keeps_the_whole_report(self):
        request = RequestFactory().get("/boom/", REMOTE_ADDR="203.0.113.9")
        try:
            failing_view(request)
        except RuntimeError:
            reporter = LocalOnlyExceptionReporter(request, *sys.exc_info(), is_email=True)
        text = reporter.get_traceback_text()
        assert text.startswith("RuntimeError at /boom/\nthe view broke\n")
        assert "Traceback (most recent call last)" in text


class TestClientIp:
    def test_is_the_connecting_address(self, rf):
        request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
        assert client_ip(request) == "203.0.113.9"

    def test_behind_the_proxy_is_the_address_the_proxy_added(self, rf, settings):
        settings.BEHIND_TLS_PROXY = True
        request = rf.get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9"
        )
        assert client_ip(request) == "203.0.113.9"

    @pytest.mark.parametrize("forwarded", ["", "not-an-address", "203.0.113.9, "])
    def test_behind_the_proxy_without_a_usable_header_is_the_proxy(self, rf, settings, forwarded):
        settings.BEHIND_TLS_PROXY = True
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == "10.0.0.2"

    def test_an_ipv4_mapped_loopback_is_local(self, rf):
        assert is_local_request(rf.get("/", REMOTE_ADDR="::ffff:127.0.0.1"))
