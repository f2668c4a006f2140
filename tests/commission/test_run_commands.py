import threading
from io import StringIO

import pytest
from django.core.management import call_command

from commission.services import heartbeat_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_wait_for_worker_returns_once_a_heartbeat_is_recorded():
    out = StringIO()
    timer = threading.Timer(0.3, lambda: heartbeat_record(worker="worker@test"))
    timer.start()
    call_command("wait_for_worker", timeout=20, stdout=out)
    timer.join()
    assert "heartbeat recorded" in out.getvalue()


def test_wait_for_worker_gives_up_after_its_timeout_and_says_so():
    err = StringIO()
    call_command("wait_for_worker", timeout=0.5, stderr=err)
    assert "no heartbeat within" in err.getvalue()
