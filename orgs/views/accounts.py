"""Signing up and asking for a password-reset mail; logging in and out and the other
password views are Django's own."""

import hashlib
import unicodedata

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_safe

from orgs.forms import SignupForm, create_account
from orgs.htmx import HtmxHttpRequest
from orgs.tasks import send_password_reset_mail


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    """Create an account and log in with it."""
    if request.user.is_authenticated:
        return redirect("orgs:organization_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (user := create_account(form)):
        # Two backends are configured (axes first), so login() must be told which one vouched.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, f"Welcome, {user.get_username()}. Create your first organization."
        )
        return redirect("orgs:organization_list")
    return TemplateResponse(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request: HtmxHttpRequest) -> HttpResponse:
    """Ask for a reset link by email; the answer says nothing of whether an account uses it.

    The request never looks the address up: it counts the request against the limits
    and queues the mail task, which finds the accounts. Known and unknown addresses,
    and requests over a limit, all end on the same page.
    """
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if reset_mail_allowed(email=email, client=get_client_ip_address(request) or ""):
            send_password_reset_mail.enqueue(
                email=email, domain=request.get_host(), use_https=request.is_secure()
            )
        return redirect("password_reset_done")
    return TemplateResponse(request, "registration/password_reset_form.html", {"form": form})


@require_safe
def password_reset_done(request: HtmxHttpRequest) -> HttpResponse:
    """The same answer for every reset request, with the limit that may have held a mail back."""
    return TemplateResponse(
        request,
        "registration/password_reset_done.html",
        {"mails_per_address": settings.PASSWORD_RESET_MAILS_PER_ADDRESS},
    )


def reset_mail_allowed(*, email: str, client: str) -> bool:
    """Count one reset request against the client's and the address's hourly limit.

    A client over its limit does not use up the address's allowance.
    """
    return _take_slot(
        "reset-client", client, settings.PASSWORD_RESET_MAILS_PER_CLIENT
    ) and _take_slot("reset-address", _fold(email), settings.PASSWORD_RESET_MAILS_PER_ADDRESS)


def _fold(email: str) -> str:
    # The same folding as Django's lookup of the accounts of an address.
    return unicodedata.normalize("NFKC", email).casefold()


def _take_slot(kind: str, who: str, limit: int) -> bool:
    """Claim one of `limit` slots that each free themselves a window after being taken.

    At most `limit` claims succeed in any window, however they are spread over time,
    and cache.add is atomic in the database cache, so concurrent requests cannot
    share a slot. The cache key is a hash: the table never holds an address.
    """
    digest = hashlib.sha256(who.encode()).hexdigest()
    keys = [f"{kind}:{digest}:{slot}" for slot in range(limit)]
    taken = cache.get_many(keys)
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    return any(cache.add(key, 1, timeout=window) for key in keys if key not in taken)
