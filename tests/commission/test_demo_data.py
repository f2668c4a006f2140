"""The demo data loader: steps call services (nothing else), run at their date, skip what
exists, and record reference data by natural key."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from commission.demo_data import PERU, demo_data_load, party, peru
from commission.models import CommissionHoliday, Sector
from tests.factories.commission import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(username="loader.admin", is_staff=True, is_superuser=True)


def load(tmp_path: Path, text: str, **options) -> int:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return demo_data_load(path, **options)


HOLIDAY = """
shared:
  admin: &admin !get {model: auth.User, username: loader.admin}
steps:
  - call: commission.services.commission_holiday_add
    unless: !get {model: commission.CommissionHoliday, name: Founding day}
    at: !instant {days: -30, hour: 9, minute: 15}
    with: {date: !days 10, name: Founding day, actor: *admin}
"""


def test_a_step_runs_at_its_instant_and_is_skipped_once_its_row_exists(tmp_path, admin):
    assert load(tmp_path, HOLIDAY) == 1
    holiday = CommissionHoliday.objects.get()
    entered = timezone.localtime(holiday.created_at)
    # Inside `at:`, today is the step's day: the holiday is ten days after it.
    assert entered.date() == timezone.localdate() - dt.timedelta(days=30)
    assert (entered.hour, entered.minute) == (9, 15)
    assert holiday.date == entered.date() + dt.timedelta(days=10)
    assert load(tmp_path, HOLIDAY) == 0
    assert CommissionHoliday.objects.count() == 1


def test_if_and_after_hold_a_step_back(tmp_path, admin):
    text = """
steps:
  - call: commission.services.commission_holiday_add
    if: !get {model: commission.Sector, isic_code: '9999'}
    with: {date: !days 1, name: Held by if, actor: !get {model: auth.User, username: loader.admin}}
  - call: commission.services.commission_holiday_add
    after: !instant {days: 1}
    with: {date: !days 2, name: Held by after, actor: !get {model: auth.User, username: loader.admin}}
  - call: commission.services.commission_holiday_add
    after: !instant {days: -1}
    with: {date: !days 3, name: Due, actor: !get {model: auth.User, username: loader.admin}}
"""
    assert load(tmp_path, text) == 1
    assert list(CommissionHoliday.objects.values_list("name", flat=True)) == ["Due"]


def test_a_record_is_created_then_updated_by_its_key(tmp_path):
    text = """
steps:
  - record: commission.Sector
    key: {isic_code: '9999'}
    values: {title: !param title}
"""
    load(tmp_path, text, params={"title": "First"})
    load(tmp_path, text, params={"title": "Second"})
    assert list(Sector.objects.filter(isic_code="9999").values_list("title", flat=True)) == [
        "Second"
    ]


@pytest.mark.parametrize(
    "step",
    [
        "{call: commission.models.Sector.objects.create, with: {isic_code: '9999'}}",
        "{call: os.remove, with: {path: x}}",
        "{call: commission.services.commission_holiday_add, with: {date: !new {class: "
        "commission.models.Sector}, name: x}}",
    ],
)
def test_a_step_calls_services_and_builds_their_inputs_only(tmp_path, step):
    with pytest.raises(ValueError, match="service"):
        load(tmp_path, f"steps:\n  - {step}\n")
    assert not Sector.objects.filter(isic_code="9999").exists()


def test_every_party_of_the_description_is_loaded_by_the_core_demo():
    """The tests and the scenario player name the parties by the description; the core's demo
    file loads each of them, and each allegation of the story's complaint cites a register
    code the description gives."""
    demo_data_load(PERU)
    for key, described in peru()["parties"].items():
        organization = party(key)
        assert (organization.kind, organization.name) == (described["kind"], described["name"])
    allegations = peru()["complaint"]["allegations"]
    assert {a["register"] for a in allegations} == set(peru()["register"])
