"""Play the Peru case step by step against the running system, for a person to watch."""

from __future__ import annotations

import shutil
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sanctions import scenario


class Command(BaseCommand):
    help = (
        "Play the Peru case (filing to a lifted sanction step) through the services, pausing "
        "after each step and naming the page where it shows; with --browser, open each page in "
        "Debian's chromium (a window when a display is available)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--pause", type=float, default=3.0, help="seconds between steps")
        parser.add_argument(
            "--step", action="store_true", help="wait for Enter after each step instead"
        )
        parser.add_argument("--browser", action="store_true", help="show each page in chromium")

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_url"].rstrip("/")
        page = self._page() if options["browser"] else None
        total = len(scenario.STEPS)

        def after_step(index: int, step: scenario.Step, path: str) -> None:
            self.stdout.write(self.style.SUCCESS(f"[{index}/{total}] day {step.day}: {step.title}"))
            self.stdout.write(f"        {base}{path}")
            if page is not None:
                page.goto(f"{base}{path}")
            if options["step"]:
                input("        Enter for the next step… ")
            else:
                time.sleep(options["pause"])

        state = scenario.play(after_step=after_step)
        if state.case is not None:
            self.stdout.write(f"Played: {state.case.docket_number}")

    def _page(self) -> Any:
        import os

        if not shutil.which("chromium"):
            self.stderr.write("chromium is not installed; showing the addresses only.")
            return None
        from playwright.sync_api import sync_playwright

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        headless = not os.environ.get("DISPLAY")
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), headless=headless, args=["--no-sandbox"]
        )
        return browser.new_page()
