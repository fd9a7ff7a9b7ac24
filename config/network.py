"""Who is asking: the client's address, and whether a request comes from this machine."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Headers a proxy adds; a request carrying one was relayed, whatever REMOTE_ADDR says.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _address(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The address of the client: the connecting one, or the one the TLS proxy saw.

    Behind the proxy (BEHIND_TLS_PROXY) every connection comes from the proxy, so the
    address is the last one of X-Forwarded-For: the one the proxy added. The entries
    before it are the client's to write and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _address(forwarded.rsplit(",", 1)[-1])
        if address is not None:
            return str(address)
    return remote


def is_local_request(request: HttpRequest) -> bool:
    """The request was made on this machine and not relayed by a proxy."""
    if settings.BEHIND_TLS_PROXY or any(name in request.META for name in FORWARDING_HEADERS):
        return False
    address = _address(request.META.get("REMOTE_ADDR", ""))
    return address is not None and address.is_loopback
