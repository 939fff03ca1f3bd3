"""The brake on password guessing (django-axes): the client's address and the lockout page.

Axes counts wrong passwords per username and client address (settings: AXES_*); once
locked, even the right password is refused until the cool-off passes or an
administrator unlocks the account (admin: Axes → Access attempts, or
`manage.py axes_reset_username`).
"""

import ipaddress

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address a sign-in attempt came from.

    `REMOTE_ADDR`, unless `SETTLE_TRUSTED_PROXY_COUNT` says that many reverse proxies
    stand in front of the app, each appending its peer to `X-Forwarded-For`: then the
    entry the outermost proxy wrote (the N-th from the right). Entries to its left were
    sent by the client and prove nothing, so they are never used.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.SETTLE_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = header.split(",") if header else []
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote


def lockout_message(request, credentials=None) -> str:
    username = get_client_username(request, credentials) or "this account"
    cool_off = get_cool_off(request)
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        until = f"for {minutes} minute{'s' if minutes != 1 else ''}"
    else:
        until = "until an administrator unlocks it"
    return (
        f"Too many failed sign-in attempts for “{username}” from your address. "
        f"Signing in to this account from here is locked {until}."
    )


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a locked-out attempt: the door's own page, 429 Too Many Requests."""
    context = {"title": "Sign-in locked", "message": lockout_message(request, credentials)}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == admin.site.name:
        context.update(admin.site.each_context(request))
        template = "admin/settle/locked_out.html"
    else:
        template = "portal/locked_out.html"
    return render(request, template, context, status=settings.AXES_HTTP_RESPONSE_CODE)
