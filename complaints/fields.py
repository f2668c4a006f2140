"""Model fields whose values are encrypted at rest with the commission's field keys.

`settings.FIELD_ENCRYPTION_KEYS` is a list of Fernet keys: the first encrypts, every key
decrypts (`MultiFernet`), so keys can be rotated by prepending a new one and re-saving rows
(`confidential_fields_reencrypt` in `complaints.services`). The database only ever holds the
Fernet token; a value read back is plain text again. Encrypted fields cannot be searched or
ordered by the database, which is intended: nothing should look worker identities up.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.lookups import Lookup

    # A generic base for the type checker only (Django's fields take no parameters at run
    # time). What a field reads and writes is its `_pyi_private_*` types: TextField's (text),
    # or EncryptedJSONField's own.
    _TextField = models.TextField[Any, Any]
else:
    _TextField = models.TextField


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: confidential fields need a key")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def field_fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return field_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return field_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field could not be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from exc


def reencrypt_token(token: str) -> str:
    """The same plain text under the first (current) key."""
    return field_fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(_TextField):
    """Text encrypted with Fernet before it reaches the database. Empty stays empty."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None or value == "":
            return value
        return self.from_plain(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        plain = self.to_plain(value)
        if plain == "":
            return ""
        return encrypt_text(plain)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name in {"isnull"}:
            return super().get_lookup(lookup_name)
        return None

    # Hooks for subclasses that store something other than a string.
    def to_plain(self, value: Any) -> str:
        return str(value)

    def from_plain(self, plain: str) -> Any:
        return plain

    def value_to_string(self, obj: models.Model) -> Any:
        # Serialisation (dumpdata) never writes the plain text.
        value = self.value_from_object(obj)
        return self.get_prep_value(value) if value not in (None, "") else value


class EncryptedJSONField(EncryptedTextField):
    """A JSON document encrypted at rest (e.g. a draft filing, which may name workers)."""

    description = "JSON encrypted at rest (Fernet)"

    # The value is any JSON document, not text (how django-stubs reads a field's types).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_plain(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def from_plain(self, plain: str) -> Any:
        return json.loads(plain)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(self.to_plain(value))
