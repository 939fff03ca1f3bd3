"""How an admin money form runs: once per form token, through a service, errors on the form.

Every money form renders a one-time token (`OneTimeForm`). On submission the
token is claimed (`billing.once`, a unique row): a double click or a
resubmitted page cannot claim it again and is answered at once, with the
first submission's result if it is done, or else "still being processed,
reload in a moment" (no request sleeps waiting for another), so the service
runs exactly once. Old tokens are pruned on a schedule (`billing.retention`).
A `SettleError` from the service releases the claim and is shown next to the
field its `param` names; nothing was written, so the corrected form can be sent.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.shortcuts import redirect

from billing import once
from billing.errors import SettleError
from billing.models import Submission

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def form_token_new() -> str:
    return secrets.token_urlsafe(24)


class OneTimeForm(forms.Form):
    """A form carrying a one-time token; a fresh token is rendered for every unbound form."""

    form_token = forms.RegexField(regex=TOKEN_PATTERN, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", form_token_new())


@dataclass
class Outcome:
    """Where to go after a money action and what to tell the user."""

    url: str
    message: str
    level: int = messages.SUCCESS


def add_service_error(form: forms.Form, error: SettleError, params=None) -> None:
    """Show a service error next to the field named by its `param` (or above the form).

    `params` maps a service parameter to a form field: a dict (unlisted params
    keep their name) or a function of the param.
    """
    param = error.param or ""
    field = params(param) if callable(params) else (params or {}).get(param, param)
    if field not in form.fields:
        field = None
    form.add_error(field, error.message)


def run_once(
    request,
    form: forms.Form,
    *,
    purpose: str,
    action: Callable[[], Outcome],
    back_url: str,
    params=None,
):
    """Run `action` once per form token. Returns a redirect, or None to re-render the form.

    `back_url` is where a duplicate goes while the first submission is still running.
    """
    claim = once.claim(
        door=Submission.Door.ADMIN,
        owner=request.user.pk,
        key=form.cleaned_data["form_token"],
        fingerprint=purpose[:200],
    )
    if not claim.ours:
        if claim.replay is not None:
            messages.info(
                request,
                "This form was already submitted; it was not sent again. "
                + claim.replay["message"],
            )
            return redirect(claim.replay["url"] or back_url)
        messages.warning(
            request,
            "This form was already submitted and is still being processed; "
            "it was not sent again. Reload the page in a moment to see the result.",
        )
        return redirect(back_url)
    try:
        outcome = action()
    except SettleError as error:
        once.release(claim.submission)
        add_service_error(form, error, params)
        return None
    except BaseException:
        once.release(claim.submission)
        raise
    once.complete(claim.submission, result={"url": outcome.url, "message": outcome.message})
    messages.add_message(request, outcome.level, outcome.message)
    return redirect(outcome.url)
