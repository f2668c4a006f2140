"""Encrypted fields: Fernet tokens at rest, the first key encrypts, every key decrypts."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection

from complaints import services
from complaints.models import Complainant, FilingDraft
from tests.factories.complaints import WORKER_NAME, file_case

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_draft_answers_are_encrypted_json(world):
    draft = services.filing_draft_start()
    services.filing_draft_save(draft=draft, step="complainants", answers={"worker_name": ["Ana"]})
    raw = _raw("complaints_filingdraft", "data", draft.pk.hex)
    assert raw.startswith("gAAAA")
    assert "Ana" not in raw
    assert FilingDraft.objects.get(pk=draft.pk).data["complainants"] == {"worker_name": ["Ana"]}


def test_key_rotation_first_key_encrypts_all_keys_decrypt(world, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    case = file_case(world, received_days_ago=1)
    worker = Complainant.objects.get(case=case, kind="worker")
    before = _raw("complaints_complainant", "name", worker.pk)

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Complainant.objects.get(pk=worker.pk).name == WORKER_NAME  # old token, old key
    rewritten = services.confidential_fields_reencrypt()
    assert rewritten == 2  # the worker complainant and the case (its contact email)
    after = _raw("complaints_complainant", "name", worker.pk)
    assert after != before
    # Now only the new key is needed.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Complainant.objects.get(pk=worker.pk).name == WORKER_NAME
    # Without the key nothing can be read.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured):
        Complainant.objects.get(pk=worker.pk).name  # noqa: B018


def test_encrypted_fields_cannot_be_searched(world):
    with pytest.raises(FieldError):
        list(Complainant.objects.filter(name=WORKER_NAME))
    with pytest.raises(FieldError):
        list(Complainant.objects.filter(name__icontains="Rosa"))
