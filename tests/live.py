"""Real Celery processes for the live tests (marked `postgres`, `redis`, `celery_worker`).

`celery_processes()` starts workers and beats as `manage.py`'s deployment runs them — `celery
-A config worker|beat`, in their own processes — on the test's PostgreSQL database and Redis,
each logging to a file of its own, and stops them (and closes this process's connection, so
the test database can be flushed) when the test ends. The tests that start them:

- tests/commission/test_celery_worker.py (one worker and one beat: the heartbeat),
- tests/commission/test_clock_sweep_live.py (two of each: a reminder sent once),
- tests/sanctions/test_lift_render_live.py (one worker: a lift determination rendered),
- tests/test_scale_out_live.py (two of each: clocks, emails, renders and webhooks once).
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.policy
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database as the processes reach it: as the application role of DATABASE_URL
    (which owns nothing, as in production) when the test database was made by the owner role
    (DATABASE_OWNER_URL), and with the credentials of this process's connection otherwise."""
    s = connection.settings_dict
    user, password = s["USER"], s["PASSWORD"]
    if os.environ.get("DATABASE_OWNER_URL") and settings.DATABASE_APP_ROLE:
        import environ

        app = environ.Env.db_url_config(os.environ["DATABASE_URL"])
        user, password = app["USER"], app.get("PASSWORD") or ""
    auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker(queue: str, hostname: str) -> list[str]:
    """A worker's arguments: one task at a time (`solo`), on the test's own queue."""
    return ["worker", "--pool", "solo", "--queues", queue, "--hostname", f"{hostname}@%h"]


def beat(tmp_path: Path, name: str) -> list[str]:
    """A beat's arguments, with a schedule file and pid file of its own (two may run at once)."""
    return [
        "beat",
        "--schedule",
        str(tmp_path / f"{name}-schedule"),
        "--pidfile",
        str(tmp_path / f"{name}.pid"),
    ]


@dataclass
class Processes:
    logs: dict[str, IO[str]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        self.logs[name].seek(0)
        return self.logs[name].read()

    def dump(self, tail: int = 3000) -> str:
        """The end of every process's log, for an assertion's message."""
        return "\n".join(f"--- {name} ---\n{self.log(name)[-tail:]}" for name in self.logs)


@contextlib.contextmanager
def celery_processes(
    tmp_path: Path, commands: dict[str, list[str]], *, queue: str, env: dict[str, str] | None = None
) -> Iterator[Processes]:
    """Start `celery -A config <args>` for each named command, with the test's database and
    broker, `queue` as the default queue and the variables of `env` on top; stop them all at
    the end (terminate, then kill after 15 s)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **(env or {}),
    }
    # The owner's address names the development database: the processes only run tasks.
    environment.pop("DATABASE_OWNER_URL", None)
    processes = Processes()
    procs = []
    try:
        for name, args in commands.items():
            log = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 - closed below
            processes.logs[name] = log
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
                    cwd=ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        yield processes
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in processes.logs.values():
            log.close()
        connection.close()


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll `condition` every half second for up to `seconds`; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def mail_texts(mail_dir: Path) -> list[str]:
    """The messages the processes wrote with the `filemail://` backend (EMAIL_URL), as
    written."""
    texts = []
    for path in sorted(mail_dir.glob("*.log")):
        texts += [chunk for chunk in path.read_text().split("-" * 79) if "Subject:" in chunk]
    return texts


def emails(mail_dir: Path) -> list[email.message.EmailMessage]:
    """The same messages, parsed."""
    return [
        email.message_from_string(text.strip(), policy=email.policy.default)  # type: ignore[misc]
        for text in mail_texts(mail_dir)
    ]


def filemail_url(mail_dir: Path) -> str:
    # django-environ drops the first slash of the path: four slashes make it absolute.
    return f"filemail:///{mail_dir}"
