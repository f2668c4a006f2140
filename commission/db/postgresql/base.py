"""Django's PostgreSQL backend with persistent connections health-checked at most once per
`CONN_HEALTH_CHECK_INTERVAL` seconds (docs/adr/0006).

Django checks a reused connection (`SELECT 1`) at the start of every request that touches the
database, which costs one round trip per request. A connection that was created or passed a
check less than the interval ago is taken as healthy without one, as connection pools do
(e.g. HikariCP's "alive bypass window"): a connection that dies within the interval fails one
request, after which Django closes it (an error marks it unusable) and the next request
connects afresh. An interval of 0 checks at every request, as Django does."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    healthy_at: float | None = None

    def connect(self):
        super().connect()
        self.healthy_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.healthy_at is not None
            and time.monotonic() - self.healthy_at < settings.CONN_HEALTH_CHECK_INTERVAL
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
        if self.connection is not None and self.health_check_done:
            self.healthy_at = time.monotonic()
