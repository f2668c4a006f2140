import datetime as dt

import pytest

from commission.actors import SYSTEM
from hearings import services
from hearings.models import Opinion
from tests.factories import hearings as f


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OPINION_SIGNING_DEMO_DIR = ""
    settings.OPINION_SIGNING_KEY_FILE = ""
    settings.OPINION_SIGNING_CERT_FILE = ""
    settings.HEARINGS_NOTICE_DAYS = 10
    settings.HEARINGS_WRITTEN_ARGUMENTS_DAYS = 14
    settings.HEARINGS_DECISION_ADOPTION = "panel"


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (a request in Spanish leaves Spanish active in the thread)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks queued on commit run in the test process (the real worker has its own test)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def at(time_machine):
    """Move the clock to a moment (aware datetime) and keep it still."""

    def move(moment: dt.datetime):
        time_machine.move_to(moment, tick=False)
        return moment

    return move


@pytest.fixture
def world(db, at):
    at(f.FILED_AT - dt.timedelta(days=1))
    parties = f.parties_create()
    return f.World(
        parties=parties,
        members=f.members_create(parties),
        criteria=f.criteria_create(),
        staff=f.staff_create(),
    )


@pytest.fixture
def case(world, at):
    at(f.FILED_AT + dt.timedelta(minutes=5))
    return f.complaint_file(world.parties, world.criteria)


@pytest.fixture
def seated(world, case, at):
    at(f.day(3))
    f.panel_seat(world.members, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def scheduled(world, seated, at):
    at(f.day(20))
    hearing = f.hearing_schedule(seated)
    seated.refresh_from_db()
    return hearing


@pytest.fixture
def heard(world, scheduled, at):
    """Hearing held on day 50; window of 14 days (closes day 64)."""
    from hearings import services

    at(f.day(50, 15))
    services.hearing_record_held(hearing=scheduled, held_at=f.day(50, 9), actor=SYSTEM)
    scheduled.refresh_from_db()
    return scheduled


@pytest.fixture
def signing_key(settings, tmp_path):
    """A test signing key and certificate (PEM) configured for opinions."""
    from hearings import signing

    settings.OPINION_SIGNING_DEMO_DIR = str(tmp_path / "signing")
    folder = signing.demo_signing_key_ensure(common_name="Test Commission")
    settings.OPINION_SIGNING_KEY_FILE = str(folder / "key.pem")
    settings.OPINION_SIGNING_CERT_FILE = str(folder / "cert.pem")
    signing._signer.cache_clear()
    yield folder
    signing._signer.cache_clear()


@pytest.fixture
def issued(world, heard, at, django_capture_on_commit_callbacks):
    at(f.day(70))
    decision = services.decision_open(case=heard.case, actor=SYSTEM)
    f.findings_complete(decision, world.criteria)
    f.sanctions_complete(decision, world.parties)
    at(f.day(85, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(decision=decision, actor=SYSTEM)
    return Opinion.objects.get(decision=decision)
