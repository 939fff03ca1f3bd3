from django.core.management.base import BaseCommand, CommandError

from payments.services.drift import find_drift, fix_drift


class Command(BaseCommand):
    help = "Recompute every cached total and balance from rows; report drift (exit 1) or --fix it."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair drifting totals")

    def handle(self, *args, fix: bool = False, **options):
        drifts = find_drift()
        if not drifts:
            self.stdout.write(self.style.SUCCESS("No drift: every total matches its rows."))
            return
        for drift in drifts:
            self.stdout.write(str(drift))
        if fix:
            fix_drift(drifts)
            remaining = find_drift()
            if remaining:
                raise CommandError(f"{len(remaining)} totals still drift after --fix")
            self.stdout.write(self.style.SUCCESS(f"Fixed {len(drifts)} drifting totals."))
            return
        raise CommandError(f"{len(drifts)} totals drift from their rows (run with --fix)")
