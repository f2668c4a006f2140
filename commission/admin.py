from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    CaseEvent,
    CommissionMember,
    CourtUser,
    Heartbeat,
    InvestigativeTeam,
    Organization,
    OrganizationMembership,
    Person,
    Sector,
    StaffMember,
    SupplyRelationship,
    TeamMembership,
    TradingPartner,
)

admin.site.site_header = _("Labor Rights Commission — staff workspace")
admin.site.site_title = _("Commission staff")
admin.site.index_title = _("Workspace")


@admin.register(TradingPartner)
class TradingPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "income_level", "labor_relations_system"]
    search_fields = ["name", "code"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["isic_code", "title"]
    search_fields = ["isic_code", "title"]


class SupplierLinkInline(admin.TabularInline):
    model = SupplyRelationship
    fk_name = "corporation"
    extra = 0
    autocomplete_fields = ["supplier"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "sector", "location"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "location"]
    autocomplete_fields = ["sector", "parent"]
    list_select_related = ["country", "sector"]
    inlines = [SupplierLinkInline]


@admin.register(SupplyRelationship)
class SupplyRelationshipAdmin(admin.ModelAdmin):
    list_display = ["supplier", "corporation", "products", "started_on", "ended_on"]
    autocomplete_fields = ["corporation", "supplier"]
    list_select_related = ["supplier", "corporation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "country", "email", "user"]
    search_fields = ["full_name", "email"]
    list_select_related = ["country", "user"]


@admin.register(CommissionMember)
class CommissionMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "country", "is_chair", "seated_on", "left_on"]
    list_filter = ["kind", "country", "is_chair"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "country"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "title"]
    autocomplete_fields = ["person"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["person", "organization"]


@admin.register(InvestigativeTeam)
class InvestigativeTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    search_fields = ["name"]
    inlines = [TeamMembershipInline]


@admin.register(CourtUser)
class CourtUserAdmin(admin.ModelAdmin):
    list_display = ["person", "court"]
    autocomplete_fields = ["person"]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "role"]
    autocomplete_fields = ["person", "organization"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """Read-only: the audit record is append-only."""

    list_display = ["occurred_at", "docket_number", "verb", "from_status", "to_status", "actor"]
    list_filter = ["verb", "is_public"]
    search_fields = ["docket_number", "verb", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "subject_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "worker"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
