"""Background work of bank statements (`manage.py db_worker`)."""

from django.tasks import task

from banking.models import BankStatement, LineStatus
from banking.services.importing import certain_lines_confirm
from billing.actors import Actor


@task()
def confirm_certain_lines(statement_id: str) -> int:
    """Confirm a large statement's certain matches after its import answered."""
    statement = BankStatement.objects.select_related("entity").filter(pk=statement_id).first()
    if statement is None or not statement.entity.bank_auto_confirm:
        return 0
    lines = statement.lines.filter(certain=True, status=LineStatus.SUGGESTED).order_by("position")
    return certain_lines_confirm(
        statement.entity, Actor.task("bank statement import"), lines.iterator(chunk_size=500)
    )
