"""The media storage is chosen by MEDIA_STORAGE: the filesystem (MEDIA_ROOT) by default, S3-
compatible object storage with `s3`; production refuses a bucket-less `s3` or an unknown kind
at start-up, and needs no MEDIA_ROOT when the media are in a bucket."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CODE = (
    "import django; django.setup(); from django.conf import settings; "
    "from django.core.files.storage import storages; "
    "s = storages['default']; print(settings.STORAGES['default']['BACKEND']); "
    "print(type(s).__name__, getattr(s, 'bucket_name', '-'))"
)


def _production(**variables: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in {"MEDIA_STORAGE", "MEDIA_ROOT"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "commission.example.org",
            "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "DATABASE_URL": "postgres://commission@db.example.org:5432/commission",
            "CELERY_BROKER_URL": "redis://localhost:6379/0",
            "EMAIL_URL": "smtp://localhost:25",
            "DEFAULT_FROM_EMAIL": "docket@commission.example.org",
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_keeps_media_on_the_filesystem_by_default(tmp_path):
    result = _production(MEDIA_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.files.storage.FileSystemStorage",
        "FileSystemStorage",
        "-",
    ]


def test_production_without_media_root_on_the_filesystem_refuses_to_start():
    result = _production()
    assert result.returncode != 0
    assert "MEDIA_ROOT" in result.stderr


@pytest.mark.s3
def test_production_puts_media_in_a_bucket_with_media_storage_s3():
    result = _production(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="commission-media",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "S3Storage",
        "commission-media",
    ]


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp", "MEDIA_ROOT": "/srv/media"}, "MEDIA_STORAGE"),
    ],
)
def test_production_refuses_an_incomplete_or_unknown_media_storage(variables, named):
    result = _production(**variables)
    assert result.returncode != 0
    assert named in result.stderr
