from django.core.management.base import BaseCommand, CommandError

from billing.actors import Actor
from billing.models import ApiKey
from billing.services import API_KEY_PREFIX, api_key_digest, api_key_revoke


def find_key(reference: str) -> ApiKey:
    """A key by its id (`key_…`), its whole secret, or the prefix shown in the admin."""
    reference = reference.strip()
    if not reference:
        raise CommandError("An empty key reference was given.")
    if reference.startswith("key_"):
        key = ApiKey.objects.filter(pk=reference).first()
    elif reference.startswith(API_KEY_PREFIX) and len(reference) > len(API_KEY_PREFIX) + 20:
        key = ApiKey.objects.filter(digest=api_key_digest(reference)).first()
    else:
        matches = list(ApiKey.objects.filter(prefix__startswith=reference).order_by("pk")[:2])
        if len(matches) > 1:
            raise CommandError(
                f"{reference!r} matches several keys; give the key id (key_…) instead."
            )
        key = matches[0] if matches else None
    if key is None:
        raise CommandError(f"No such API key: {reference[:40]!r}")
    return key


class Command(BaseCommand):
    help = (
        "Revoke REST API keys at once, by id (key_…) or by the prefix the admin shows "
        "(sk_settle_…). The keys are kept, marked revoked; they answer 401 from now on."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="+", metavar="KEY", help="a key id or prefix")
        parser.add_argument("--reason", default="", help="why, for the audit trail")

    def handle(self, *args, keys: list[str], reason: str, **options):
        # Every reference is resolved before anything is revoked: a typo revokes nothing.
        found = list({key.pk: key for key in map(find_key, keys)}.values())
        actor = Actor.system("manage.py revoke_api_key")
        for key in found:
            revoked, newly = api_key_revoke(key=key, actor=actor, reason=reason)
            entities = ", ".join(revoked.entities.order_by("pk").values_list("pk", flat=True))
            when = revoked.revoked_at.isoformat(timespec="seconds")
            state = "Revoked" if newly else "Already revoked"
            self.stdout.write(
                f"{state} API key {revoked.pk} ({revoked.name}, {revoked.prefix}…) "
                f"for {entities or 'no entity'} at {when}"
            )
