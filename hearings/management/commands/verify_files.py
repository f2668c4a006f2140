"""Check every stored opinion and evidence file against its registered SHA-256."""

from django.core.management.base import BaseCommand, CommandError

from hearings.services import stored_files_verify


class Command(BaseCommand):
    help = (
        "Check every stored opinion and evidence file against its registered SHA-256; name "
        "each mismatch and exit non-zero. Opinion mismatches are recorded and staff told."
    )

    def handle(self, *args, **options):
        checked, mismatches = stored_files_verify()
        for mismatch in mismatches:
            self.stderr.write(f"MISMATCH {mismatch}")
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {checked} stored files do not match")
        self.stdout.write(f"{checked} stored files match their registered SHA-256")
