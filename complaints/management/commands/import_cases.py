"""Import the commission's past cases from a JSON or CSV file (docs/import.md).

    manage.py import_cases cases.json --user staff
    manage.py import_cases cases.csv --user staff --no-progress

Each case is one transaction: a refused row is reported with its line number and nothing of
it is saved; a re-run skips what was imported before. Exit status 1 when any row was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from complaints.importing import FORMATS, ImportSummary, cases_import


class _Progress:
    """A progress bar on the terminal (rich, installed with the project), or a line every 500
    rows when the output is not a terminal."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None
        self.done = 0
        self.total = 0

    def start(self, total: int) -> None:
        self.total = total
        if not self.enabled:
            return
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )
            except ImportError:  # pragma: no cover - rich is in the lock file
                return
            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=getattr(self.stream, "_out", self.stream)),
            )
            self.bar.start()
            self.task = self.bar.add_task("importing cases", total=total)

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.advance(self.task, n)
        elif self.enabled and (self.done % 500 == 0 or self.done == self.total):
            self.stream.write(f"{self.done}/{self.total} rows\n")
            self.stream.flush()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


class Command(BaseCommand):
    help = "Import past cases (JSON or CSV, docs/import.md) through the filing services."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            required=True,
            help="The staff account the import is recorded as (may record paper filings "
            "and outcomes).",
        )
        parser.add_argument("--format", choices=FORMATS, help="Default: the file's suffix.")
        parser.add_argument("--no-progress", action="store_true", help="No progress output.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            actor = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active account “{options['user']}”") from None
        progress = _Progress(self.stderr, enabled=not options["no_progress"])
        try:
            summary = cases_import(
                path=path,
                actor=actor,
                fmt=options["format"],
                total=progress.start,
                progress=progress.advance,
            )
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not import cases: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        finally:
            progress.stop()
        self._summary(summary)
        if summary.refused:
            raise CommandError(f"{len(summary.refused)} row(s) refused; nothing of them saved")

    def _summary(self, summary: ImportSummary) -> None:
        write = self.stdout.write
        for refusal in summary.refused:
            write(self.style.ERROR(f"refused {refusal}"))
        rate = summary.rows / summary.seconds if summary.seconds else 0.0
        write(
            f"import #{summary.batch_id}: {summary.rows} rows in {summary.seconds:.1f} s "
            f"({rate:.0f} rows/s)"
        )
        write(f"  imported:          {summary.imported}")
        write(f"  imported before:   {summary.already_imported}")
        write(f"  refused:           {len(summary.refused)}")
        write(f"  deadlines missed:  {summary.clocks_missed} (recorded on the day missed)")
        write(f"  notices not sent:  {summary.notices_superseded} (fell due before the import)")
