from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Criteria")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .selectors import forget_prepared

        connection_created.connect(forget_prepared, dispatch_uid="criteria.forget_prepared")
