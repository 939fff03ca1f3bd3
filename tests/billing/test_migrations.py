"""Data migrations, run forward from the state before them on the test database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_UNIQUE_GATEWAY_ID = ("billing", "0005_api_key_revoke_permission")
UNIQUE_GATEWAY_ID = ("billing", "0006_customer_gateway_id_unique")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
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
