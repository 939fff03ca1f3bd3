"""The portal's background work: the password-reset e-mail.

The request that asks for a reset only queues this task, whatever the address: looking
the address up and rendering and sending the e-mail happen here, in the worker, so the
answer takes the same time for an address we know and one we do not.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task

SUBJECT_TEMPLATE = "portal/email/password_reset_subject.txt"
BODY_TEMPLATE = "portal/email/password_reset.txt"


@task()
def send_password_reset(email: str, domain: str, use_https: bool) -> int:
    """E-mail a reset link to each active member with this address; returns how many."""
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    if not users:
        return 0
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=BODY_TEMPLATE,
    )
    return len(users)
