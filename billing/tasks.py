"""The kernel's periodic tasks: pruning what every request adds (see billing.retention)."""

from django.tasks import task

from billing import retention


@task()
def prune_submissions() -> int:
    return retention.submissions_prune()


@task()
def prune_task_results() -> int:
    return retention.task_results_prune()


@task()
def prune_sign_in_logs() -> int:
    return retention.sign_in_logs_prune()
