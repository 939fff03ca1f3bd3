from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from billing.actors import Actor
from billing.api_key_scopes import RESOURCES, describe_scopes
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
        parser.add_argument(
            "--scopes",
            default=None,
            metavar="SCOPES",
            help="restrict the key, e.g. payments:read,invoices:write (write implies read); "
            f"resources: {', '.join(RESOURCES)}. Without it the key is unrestricted.",
        )
        parser.add_argument(
            "--expires-at",
            default=None,
            metavar="WHEN",
            help="when the key stops working: YYYY-MM-DD (midnight UTC) or an ISO 8601 time",
        )

    def handle(self, *args, entities: list[str], name: str, scopes, expires_at, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters.")
        wanted = list(dict.fromkeys(entities))
        found = {entity.pk: entity for entity in Entity.objects.filter(pk__in=wanted)}
        missing = [entity_id for entity_id in wanted if entity_id not in found]
        if missing:
            raise CommandError(f"No such entity: {', '.join(missing)}")
        if scopes is not None and not scopes.replace(",", "").strip():
            raise CommandError("--scopes is empty; leave it out for an unrestricted key.")
        try:
            key, raw = api_key_create(
                name=name,
                entities=[found[pk] for pk in wanted],
                scopes=scopes,
                expires_at=_parse_when(expires_at),
                actor=Actor.system("manage.py create_api_key"),
            )
        except SettleError as error:
            raise CommandError(error.message) from error
        expiry = f", expires {key.expires_at.isoformat()}" if key.expires_at else ""
        self.stderr.write(
            f"Created API key {key.pk} ({key.name}) for {', '.join(wanted)}, "
            f"scopes: {describe_scopes(key.scopes)}{expiry}. "
            "Store it now: it is not shown again."
        )
        # Only the key goes to stdout, so scripts can capture it.
        self.stdout.write(raw)


def _parse_when(text: str | None) -> datetime | None:
    if text is None:
        return None
    text = text.strip()
    try:
        when = parse_datetime(text)
        if when is None and (day := parse_date(text)) is not None:
            when = datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError:
        when = None
    if when is None:
        raise CommandError(f"--expires-at {text!r} is not a date (YYYY-MM-DD) nor an ISO time.")
    return when if when.tzinfo else when.replace(tzinfo=UTC)
