"""Fill an empty commission with N generated cases for the benchmarks (hearings/scale.py)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hearings.scale import commission_generate


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic commission of N cases over ten years "
        "(parties, allegations, clocks in every state, hearings, issued decisions and their "
        "opinions' metadata, the audit chain), reproducibly from a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=2000, help="cases per transaction")

    def handle(self, *args, **options):
        def progress(done: int) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {done} cases", ending="\n")
                self.stdout.flush()

        try:
            report = commission_generate(
                cases=options["cases"],
                seed=options["seed"],
                batch=options["batch"],
                progress=progress,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"generated {report.cases} cases, {report.events} events, {report.clocks} clocks, "
            f"{report.hearings} hearings, {report.decisions} decisions, "
            f"{report.opinions} opinions in {report.seconds:.1f} s"
        )
        self.stdout.write(f"  cases by status: {dict(sorted(report.by_status.items()))}")
        self.stdout.write(f"  clocks by status: {dict(sorted(report.clocks_by_status.items()))}")
