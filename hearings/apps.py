from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Hearings and decisions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commission.clock_answers import milestone_source_register, recipients_source_register
        from complaints.case_blocks import case_block_register
        from complaints.models import panel_reader_query

        from . import case_block, receivers

        case_block_register(
            name="hearings",
            template="hearings/_case_block.html",
            context=case_block.context,
            order=10,
        )

        # The clock sweep's questions only this app answers (commission.clock_answers).
        for audience in ("panel", "chair"):
            recipients_source_register(audience=audience, source=receivers.panel_recipients)
        milestone_source_register(milestone="draft_decision", source=receivers.milestone_reached)
        panel_reader_query.connect(receivers.panel_reader, dispatch_uid="hearings.panel_reader")
