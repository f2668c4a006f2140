"""Run the web server, a Celery worker and Celery beat together in the foreground.

Ctrl-C (or SIGTERM) stops all three: honcho signals each process group, waits, then kills
whatever is left, so nothing keeps running after this command returns."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from honcho.manager import Manager


class Command(BaseCommand):
    help = "Run web, worker and beat in the foreground; Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        from commission.demo_data import peru

        accounts = peru()["accounts"]

        python = sys.executable
        base = f"http://{host}:{port}"
        db = settings.DATABASES["default"]
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"{settings.COMMISSION_NAME} is starting:",
                    f"  portal       {base}/",
                    # `/<code>/` answers for every configured language (config.urls).
                    *[
                        f"  portal ({code})  {base}/{code}/"
                        for code, _name in settings.LANGUAGES
                        if code != settings.LANGUAGE_CODE
                    ],
                    f"  staff admin  {base}/admin/",
                    f"  REST API     {base}/api/   (OpenAPI docs: {base}/api/docs/)",
                    f"  health       {base}/healthz",
                    f"  database     {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}",
                    f"  broker       {settings.CELERY_BROKER_URL}",
                    f"Demo logins (password for all: {accounts['password']}):",
                    *[f"  {username:<11} {name}" for username, name in accounts["names"].items()],
                    "Press Ctrl-C to stop web, worker and beat.",
                    "",
                ]
            )
        )
        self.stdout.flush()
        manager = Manager()
        # The web server starts once beat and a worker have recorded their first heartbeat
        # (or after 120 s), so the portal never answers while /healthz would still be red.
        manager.add_process(
            "web",
            f"{python} manage.py wait_for_worker --timeout 120 && "
            f"exec {python} manage.py runserver --noreload {host}:{port}",
        )
        manager.add_process(
            "worker",
            f"{python} -m celery -A config worker --loglevel INFO --concurrency 2 "
            "--hostname worker@%h",
        )
        manager.add_process(
            "beat",
            f"{python} -m celery -A config beat --loglevel INFO --pidfile .local/celerybeat.pid",
        )
        manager.loop()
        sys.exit(manager.returncode)
