"""The staff workspace for courts: record a court's order on a case (a step of the case's
page, calling `hearings.court.court_order_record`), the case's court orders and the link to
its log of confidential reads on the case page, and the orders' read-only register."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from commission.models import CourtUser
from complaints.admin import CaseStep, StepForm, case_section_register, case_step_register
from complaints.models import Case

from . import court
from .models import CourtOrder


class CourtOrderForm(StepForm):
    court_user = forms.ModelChoiceField(
        label=_("Court user addressed (reads what the order grants)"),
        queryset=CourtUser.objects.select_related("person").order_by("court", "pk"),
    )
    court_case_number = forms.CharField(label=_("Court case number"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind of order"), choices=CourtOrder.Kind.choices)
    order_date = forms.DateField(
        label=_("Order dated"), initial=timezone.localdate, widget=forms.DateInput({"type": "date"})
    )
    text = forms.CharField(
        label=_("What the court ordered"), widget=forms.Textarea(attrs={"rows": 4})
    )


def _run(form: StepForm) -> str:
    order = court.court_order_record(case=form.case, actor=form.user, **form.cleaned_data)
    return str(_("Court order recorded: %(order)s.") % {"order": order})


def _staff_records(user, case: Case, state: dict) -> bool:
    return user.has_perm(court.PERM_COURT_ORDER)


case_step_register(
    CaseStep(
        "court-order-record",
        cast(str, _("Record a court's order on the case")),
        CourtOrderForm,
        _run,
        _staff_records,
        stage=cast(str, _("Courts")),
    )
)


@case_section_register
def court_orders(case: Case, state: dict) -> str:
    """The case's court orders and its log of confidential reads."""
    rows = [
        (
            o.order_date.isoformat(),
            o.court,
            o.court_case_number,
            o.get_kind_display(),
            str(o.court_user.person),
            o.text,
        )
        for o in CourtOrder.objects.filter(case=case).select_related("court_user__person")
    ]
    log = (
        reverse("admin:commission_confidentialread_changelist")
        + "?"
        + urlencode({"docket_number": case.docket_number})
    )
    table = (
        format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Dated"),
            _("Court"),
            _("Court case number"),
            _("Kind"),
            _("Addressed to"),
            _("Order"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )
        if rows
        else format_html("<p>{}</p>", _("No court order is recorded on this case."))
    )
    return format_html(
        '<section class="module case-court-orders"><h2>{}</h2>{}<p><a href="{}">{}</a></p>'
        "</section>",
        _("Court orders"),
        table,
        log,
        _("Reads of this case's confidential data"),
    )


@admin.register(CourtOrder)
class CourtOrderAdmin(admin.ModelAdmin):
    """Read-only: an order is recorded from its case's page and never changes."""

    list_display = ["order_date", "case", "court", "court_case_number", "kind", "court_user"]
    list_filter = ["kind"]
    search_fields = ["case__docket_number", "court", "court_case_number"]
    list_select_related = ["case", "court_user__person"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
