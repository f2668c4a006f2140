from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "investigations"
    verbose_name = _("Investigations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commission.services import clock_missed
        from complaints.models import case_filed

        from . import receivers

        case_filed.connect(receivers.complaint_filed, dispatch_uid="investigations.case_filed")
        clock_missed.connect(receivers.clock_missed, dispatch_uid="investigations.clock_missed")
        # Every logged read of an interview also goes into the commission's one log of
        # confidential reads (commission.confidential), under its case.
        post_save.connect(
            receivers.interview_read_logged,
            sender="investigations.ConfidentialAccess",
            dispatch_uid="investigations.interview_read_logged",
        )
