"""`manage.py play_scenario` plays the Peru case against the demo data: every step runs, each
names a page that answers, and the case ends with its first sanction step lifted."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from complaints.models import Case
from sanctions.models import LiftDetermination, SanctionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OPINION_SIGNING_DEMO_DIR = str(tmp_path / "signing")
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    call_command("load_demo", stdout=StringIO())
    yield
    app.conf.task_always_eager = previous


def test_the_scenario_plays_every_step_and_each_page_answers(demo):
    before = set(Case.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("play_scenario", "--pause", "0", "--base-url", "", stdout=out)
    lines = out.getvalue().splitlines()
    steps = [line for line in lines if line.startswith("[")]
    assert len(steps) == 12, lines
    (case,) = Case.objects.exclude(pk__in=before)
    assert case.status == Case.Status.DECIDED
    order = SanctionOrder.objects.get(
        specification__decision__case=case, specification__target="firm"
    )
    assert LiftDetermination.objects.filter(order=order).count() == 1
    staff = Client()
    from django.contrib.auth import get_user_model

    staff.force_login(get_user_model().objects.filter(is_superuser=True).first())
    for path in (line.strip() for line in lines if line.startswith("        /")):
        assert staff.get(path).status_code == 200, path
