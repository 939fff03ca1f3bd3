""" "Forgot your password?": the request only queues the e-mail; the worker looks the
address up and sends it, so a known and an unknown address cost the request the same."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

RESET = "/portal/password-reset/"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def ask_for_reset(client, email):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(RESET, {"email": email})
    # The statements with their values blanked: the address and the ids differ, nothing else.
    return response, [re.sub(r"'[^']*'", "?", q["sql"]) for q in queries.captured_queries]


def run_queued_tasks() -> list:
    """What the worker does with each queued row: call its task with the stored arguments."""
    return [
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        for row in DBTaskResult.objects.order_by("enqueued_at")
    ]


def test_the_request_queues_the_same_task_for_a_known_and_an_unknown_address(
    client, member, database_queue
):
    known, known_sql = ask_for_reset(client, "lena@example.com")
    unknown, unknown_sql = ask_for_reset(client, "nobody@example.com")

    assert known["Location"] == unknown["Location"] == "/portal/password-reset/sent/"
    assert mail.outbox == []  # nothing sent inside the request
    assert known_sql == unknown_sql  # the same statements, in the same order
    assert not [sql for sql in known_sql if "auth_user" in sql]  # no user looked up
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert [(row.task_path, row.args_kwargs["args"]) for row in queued] == [
        ("portal.tasks.send_password_reset", ["lena@example.com", "testserver", False]),
        ("portal.tasks.send_password_reset", ["nobody@example.com", "testserver", False]),
    ]


def test_the_worker_sends_one_mail_with_a_working_link_to_a_known_address(
    client, member, database_queue
):
    client.post(RESET, {"email": "lena@example.com"})

    assert run_queued_tasks() == [1]

    [message] = mail.outbox
    assert message.to == ["lena@example.com"]
    link = re.search(r"http://testserver(/portal/password-reset/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]
    changed = client.post(
        form_url, {"new_password1": "A fresh pass 2026", "new_password2": "A fresh pass 2026"}
    )
    assert changed["Location"] == reverse("portal:password-reset-complete")
    signed_in = client.post("/portal/login/", {"username": "lena", "password": "A fresh pass 2026"})
    assert signed_in["Location"] == reverse("portal:home")


def test_the_worker_sends_nothing_for_an_unknown_address(client, member, database_queue):
    client.post(RESET, {"email": "nobody@example.com"})

    assert run_queued_tasks() == [0]

    assert mail.outbox == []
