from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Hearings and decisions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from complaints.case_blocks import case_block_register
        from complaints.models import milestone_query, panel_query, panel_reader_query

        from . import case_block, receivers

        case_block_register(
            name="hearings",
            template="hearings/_case_block.html",
            context=case_block.context,
            order=10,
        )

        panel_query.connect(receivers.panel_recipients, dispatch_uid="hearings.panel_query")
        milestone_query.connect(receivers.milestone_reached, dispatch_uid="hearings.milestone")
        panel_reader_query.connect(receivers.panel_reader, dispatch_uid="hearings.panel_reader")
