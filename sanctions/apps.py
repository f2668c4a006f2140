from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = _("Sanctions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from commission import integrity
        from complaints.case_blocks import case_block_register
        from hearings import hooks

        from . import case_block, opinion, services

        # A case's public pages show its sanctions and their progress (complaints.case_blocks).
        case_block_register(
            name="sanctions",
            template="sanctions/_case_block.html",
            context=case_block.context,
            order=20,
        )

        # The decision asks for its sanctions through hearings.hooks (hearings never imports
        # sanctions): the issuing rule, what its opinion shows, and what its issue puts in force.
        hooks.issuing_check_register(services.decision_sanction_problems)
        hooks.opinion_sanctions_register(opinion.decision_sanction_rows)
        hooks.issued_handler_register(services._issued)
        # The two specification models were the hearings app's: its migrations that installed
        # their guards find them here.
        integrity.model_moved("hearings.SanctionSpecification", "sanctions.SanctionSpecification")
        integrity.model_moved("hearings.SanctionBenchmark", "sanctions.SanctionBenchmark")
        from investigations import workspace

        workspace.workspace_link_register(
            _("Verification reports on sanctions"), "sanctions:verify"
        )
