from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: object, **kwargs: object) -> None:
    from .services import roles_sync

    roles_sync()


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = _("Commission (shared core)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After every migrate (all apps' permissions exist by then), align the role groups.
        post_migrate.connect(_sync_roles, dispatch_uid="commission.roles_sync")
        from .db.roles import grant_to_application_role, sqlite_recursive_triggers

        # INSERT OR REPLACE fires the DELETE guards (commission.integrity).
        connection_created.connect(
            sqlite_recursive_triggers, dispatch_uid="commission.sqlite_recursive_triggers"
        )
        # The application's PostgreSQL role gets its rights on what migrate created.
        post_migrate.connect(
            grant_to_application_role, dispatch_uid="commission.grant_to_application_role"
        )
        # Public case events fan out to webhook subscriptions (commission/webhooks.py).
        from . import webhooks

        webhooks.connect()
