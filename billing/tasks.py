"""The kernel's periodic tasks: pruning what every request adds (see billing.retention)."""

from django.tasks import task

from billing import retention


@task()
def prune_idempotency_keys() -> int:
    return retention.idempotency_keys_prune()


@task()
def prune_form_tokens() -> int:
    return retention.form_tokens_prune()


@task()
def prune_task_results() -> int:
    return retention.task_results_prune()


@task()
def prune_sign_in_logs() -> int:
    return retention.sign_in_logs_prune()
