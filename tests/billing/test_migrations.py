"""Data migrations, run forward from the state before them on the test database."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_UNIQUE_GATEWAY_ID = ("billing", "0005_api_key_revoke_permission")
UNIQUE_GATEWAY_ID = ("billing", "0006_customer_gateway_id_unique")
BEFORE_SUBMISSIONS = [("billing", "0006_customer_gateway_id_unique"), ("portal", "0001_initial")]
SUBMISSIONS = [("portal", "0002_submissions")]  # after billing 0007


def migrate_to(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


@pytest.fixture
def back_to_latest():
    """Leave the test database as every other test expects it: fully migrated."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_a_shared_gateway_id_stays_only_on_the_customer_settle_linked():
    apps = migrate_to(BEFORE_UNIQUE_GATEWAY_ID)
    try:
        Entity = apps.get_model("billing", "Entity")
        Customer = apps.get_model("billing", "Customer")
        AuditEvent = apps.get_model("billing", "AuditEvent")
        ours, rival = Entity.objects.create(name="Ours"), Entity.objects.create(name="Rival")
        victim = Customer.objects.create(
            entity=ours, name="Victim", currency="EUR", gateway_customer_id="cus_V"
        )
        AuditEvent.objects.create(
            entity=ours,
            action="customer.gateway_linked",
            source="task",
            object_type="customer",
            object_id=victim.pk,
            customer_id=victim.pk,
            after={"gateway_customer_id": "cus_V"},
        )
        copier = Customer.objects.create(
            entity=rival, name="Aaron", currency="EUR", gateway_customer_id="cus_V"
        )
        typed_twice = [
            Customer.objects.create(
                entity=rival, name=f"Typed {n}", currency="EUR", gateway_customer_id="cus_T"
            )
            for n in range(2)
        ]
        alone = Customer.objects.create(
            entity=rival, name="Alone", currency="EUR", gateway_customer_id="cus_A"
        )
    finally:
        apps = migrate_to(UNIQUE_GATEWAY_ID)

    Customer = apps.get_model("billing", "Customer")
    AuditEvent = apps.get_model("billing", "AuditEvent")
    ids = dict(Customer.objects.values_list("pk", "gateway_customer_id"))
    assert ids == {
        victim.pk: "cus_V",
        copier.pk: "",
        typed_twice[0].pk: "",
        typed_twice[1].pk: "",
        alone.pk: "cus_A",
    }
    unlinked = AuditEvent.objects.filter(action="customer.gateway_unlinked")
    assert sorted(unlinked.values_list("object_id", "entity_id", "before")) == sorted(
        [
            (copier.pk, rival.pk, {"gateway_customer_id": "cus_V"}),
            (typed_twice[0].pk, rival.pk, {"gateway_customer_id": "cus_T"}),
            (typed_twice[1].pk, rival.pk, {"gateway_customer_id": "cus_T"}),
        ]
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_every_doors_one_time_keys_move_into_submissions_and_back():
    """Each key keeps its owner, state, age and answer, so a replay answers as before."""
    apps = migrate_to(*BEFORE_SUBMISSIONS)
    day_old = timezone.now() - timedelta(days=1)
    try:
        ApiKey = apps.get_model("billing", "ApiKey")
        IdempotencyKey = apps.get_model("billing", "IdempotencyKey")
        FormToken = apps.get_model("billing", "FormToken")
        PortalSubmission = apps.get_model("portal", "PortalSubmission")
        User = apps.get_model("auth", "User")
        api_key = ApiKey.objects.create(id="key_1", name="k", prefix="sk", digest="d")
        office = User.objects.create(username="office")
        member = User.objects.create(username="member")
        IdempotencyKey.objects.create(
            api_key=api_key,
            key="pay-1",
            fingerprint="f1",
            state="done",
            response_status=201,
            response_body=b'{"id": "pmt_1", "note": "caf\xc3\xa9"}',
            response_content_type="application/json",
        )
        IdempotencyKey.objects.create(api_key=api_key, key="pay-2", fingerprint="f2")
        FormToken.objects.create(
            user=office,
            token="form-done",
            purpose="payment.create inv_1",
            state="done",
            result_url="/admin/invoices/inv_1/change/#payments",
            result_message="Payment of 30.00 EUR recorded.",
        )
        FormToken.objects.create(user=office, token="form-running", purpose="refund pmt_1")
        PortalSubmission.objects.create(user=member, token="paid", payment_id="pmt_2")
        PortalSubmission.objects.create(user=member, token="saving-a-card")
        for model in (IdempotencyKey, FormToken, PortalSubmission):
            model.objects.update(created_at=day_old)
    finally:
        apps = migrate_to(*SUBMISSIONS)

    Submission = apps.get_model("billing", "Submission")
    rows = Submission.objects.order_by("door", "key")
    assert [
        (row.door, row.owner, row.key, row.fingerprint, row.state, row.result) for row in rows
    ] == [
        (
            "admin",
            str(office.pk),
            "form-done",
            "payment.create inv_1",
            "done",
            {
                "url": "/admin/invoices/inv_1/change/#payments",
                "message": "Payment of 30.00 EUR recorded.",
            },
        ),
        ("admin", str(office.pk), "form-running", "refund pmt_1", "in_progress", None),
        (
            "api",
            "key_1",
            "pay-1",
            "f1",
            "done",
            {
                "status": 201,
                "body": '{"id": "pmt_1", "note": "café"}',
                "content_type": "application/json",
            },
        ),
        ("api", "key_1", "pay-2", "f2", "in_progress", None),
        ("portal", str(member.pk), "paid", "", "done", {"payment_id": "pmt_2"}),
        ("portal", str(member.pk), "saving-a-card", "", "in_progress", None),
    ]
    assert {row.created_at for row in rows} == {day_old}

    apps = migrate_to(*BEFORE_SUBMISSIONS)

    IdempotencyKey = apps.get_model("billing", "IdempotencyKey")
    FormToken = apps.get_model("billing", "FormToken")
    PortalSubmission = apps.get_model("portal", "PortalSubmission")
    assert sorted(
        (row.key, row.state, row.response_status, row.response_body and bytes(row.response_body))
        for row in IdempotencyKey.objects.all()
    ) == [
        ("pay-1", "done", 201, b'{"id": "pmt_1", "note": "caf\xc3\xa9"}'),
        ("pay-2", "in_progress", None, None),
    ]
    assert sorted(
        FormToken.objects.values_list("token", "state", "result_url", "result_message")
    ) == [
        (
            "form-done",
            "done",
            "/admin/invoices/inv_1/change/#payments",
            "Payment of 30.00 EUR recorded.",
        ),
        ("form-running", "in_progress", "", ""),
    ]
    assert sorted(PortalSubmission.objects.values_list("user_id", "token", "payment_id")) == [
        (member.pk, "paid", "pmt_2"),
        (member.pk, "saving-a-card", ""),
    ]
    created = [IdempotencyKey, FormToken, PortalSubmission]
    assert {
        at for model in created for at in model.objects.values_list("created_at", flat=True)
    } == {day_old}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_keys_made_before_scopes_stay_unrestricted_and_never_expire():
    apps = migrate_to(("billing", "0010_entity_bank_auto_confirm"))
    try:
        ApiKey = apps.get_model("billing", "ApiKey")
        ApiKey.objects.create(id="key_old", name="Old", prefix="sk_settle_old", digest="d" * 64)
    finally:
        apps = migrate_to(("billing", "0011_api_key_scopes_roll_expiry"))

    key = apps.get_model("billing", "ApiKey").objects.get(pk="key_old")
    assert (key.scopes, key.expires_at, key.previous_digest) == ([], None, None)
