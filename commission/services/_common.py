"""What the core's services share: their log (named for the package, as before it was split by
concern) and the queueing of notification emails after commit (the sweep's and
`notification_send`'s).
"""

from __future__ import annotations

import logging

logger = logging.getLogger("commission.services")


def _queue_emails(notification_ids: list[int]) -> None:
    from ..tasks import notifications_email

    notifications_email.delay(notification_ids)
