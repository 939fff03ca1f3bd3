from django.core.management.base import BaseCommand, CommandError

from billing.errors import SettleError
from billing.services import entity_create


class Command(BaseCommand):
    help = "Create an entity (a business that issues invoices) and print its id."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the business name shown on its documents")
        parser.add_argument(
            "--currency", default="EUR", help="default currency, ISO 4217 (default: EUR)"
        )

    def handle(self, *args, name: str, currency: str, **options):
        try:
            entity = entity_create(name=name, currency=currency)
        except SettleError as error:
            raise CommandError(error.message) from error
        # Only the id goes to stdout, so scripts can capture it: ENTITY=$(manage.py create_entity …)
        self.stdout.write(entity.pk)
