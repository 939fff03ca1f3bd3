from django.core.management.base import BaseCommand, CommandError

from billing.errors import SettleError
from billing.models import Entity
from billing.services import api_key_create


class Command(BaseCommand):
    help = "Create a REST API key bound to one or more entities and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--entity",
            dest="entities",
            action="append",
            required=True,
            metavar="ENTITY_ID",
            help="an entity the key may act on (ent_…); repeat for several",
        )
        parser.add_argument("--name", default="Command-line key", help="a label for the key")

    def handle(self, *args, entities: list[str], name: str, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters.")
        wanted = list(dict.fromkeys(entities))
        found = {entity.pk: entity for entity in Entity.objects.filter(pk__in=wanted)}
        missing = [entity_id for entity_id in wanted if entity_id not in found]
        if missing:
            raise CommandError(f"No such entity: {', '.join(missing)}")
        try:
            key, raw = api_key_create(name=name, entities=[found[pk] for pk in wanted])
        except SettleError as error:
            raise CommandError(error.message) from error
        self.stderr.write(
            f"Created API key {key.pk} ({key.name}) for {', '.join(wanted)}. "
            "Store it now: it is not shown again."
        )
        # Only the key goes to stdout, so scripts can capture it.
        self.stdout.write(raw)
