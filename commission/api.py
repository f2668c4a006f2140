"""The one REST router. Each app contributes its viewsets through `register_api(router)`."""

from importlib import import_module

from django.conf import settings
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.routers import DefaultRouter

from .models import Organization, Sector, TradingPartner
from .selectors import organization_list


class TradingPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = TradingPartner
        fields = ["id", "code", "name", "region", "income_level", "labor_relations_system"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "isic_code", "title"]


class OrganizationSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="isic_code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "kind", "name", "country", "sector", "location", "parent", "website"]


class PublicReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reference data the public may read (parties are public; people are not)."""

    permission_classes = [permissions.AllowAny]


class TradingPartnerViewSet(PublicReadOnly):
    queryset = TradingPartner.objects.all()
    serializer_class = TradingPartnerSerializer
    filterset_fields = ["code", "region", "income_level"]


class SectorViewSet(PublicReadOnly):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_fields = ["isic_code"]


class OrganizationViewSet(PublicReadOnly):
    queryset = organization_list()
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "country__code", "sector__isic_code"]
    ordering_fields = ["name", "kind"]


class PublicAPIRootView(DefaultRouter.APIRootView):
    """The API's index is public; each endpoint sets its own permissions."""

    permission_classes = [permissions.AllowAny]


class CommissionRouter(DefaultRouter):
    APIRootView = PublicAPIRootView


def build_router() -> DefaultRouter:
    router = CommissionRouter()
    router.register("trading-partners", TradingPartnerViewSet)
    router.register("sectors", SectorViewSet)
    router.register("organizations", OrganizationViewSet)
    for app in settings.COMMISSION_APPS[1:]:
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        module.register_api(router)
    return router
