"""The portal's periodic task: pruning its one-time pay-form tokens."""

from django.tasks import task

from portal.retention import portal_submissions_prune


@task()
def prune_portal_submissions() -> int:
    return portal_submissions_prune()
