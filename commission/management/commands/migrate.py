"""`migrate` as the owner of the schema: where `DATABASE_OWNER_URL` is set (PostgreSQL), the
migrations run over a connection as the owner role, and the application role (the user of
`DATABASE_URL`) is granted its rights afterwards (`commission.db.roles`)."""

from __future__ import annotations

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from commission.db.roles import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        original = connection.settings_dict
        owner = as_owner(original)
        if owner is original or connection.vendor != "postgresql":
            return super().handle(*args, **options)
        connection.close()
        connection.settings_dict = owner
        try:
            return super().handle(*args, **options)
        finally:
            connection.close()
            connection.settings_dict = original
