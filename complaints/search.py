"""The staff's search of cases: by docket number or intake reference, by the names of the
parties' organizations (and respondents as named by the filer), and by the allegations'
summary, facts and place — full-text on PostgreSQL (Spanish and English configurations,
GIN-indexed), a plain `icontains` elsewhere. Workers' names are encrypted and never
searched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet

from .models import Allegation, Case

if TYPE_CHECKING:
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

CONFIGS = ("spanish", "english")


def allegation_vector(config: str) -> SearchVector:
    from django.contrib.postgres.search import SearchVector

    return SearchVector("summary", "facts", "place", config=config)


def fts_indexes() -> list[GinIndex]:
    from django.contrib.postgres.indexes import GinIndex

    return [
        GinIndex(allegation_vector(config), name=f"allegation_fts_{config[:2]}")
        for config in CONFIGS
    ]


def _allegations_matching(term: str) -> QuerySet[Allegation, Any]:  # rows of case_id
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        q = Q(pk__in=[])
        for config in CONFIGS:
            q |= Q(
                pk__in=Allegation.objects.annotate(v=allegation_vector(config))
                .filter(v=SearchQuery(term, config=config, search_type="websearch"))
                .values("pk")
            )
        return Allegation.objects.filter(q).values("case_id")
    return Allegation.objects.filter(
        Q(summary__icontains=term) | Q(facts__icontains=term) | Q(place__icontains=term)
    ).values("case_id")


def case_search(queryset: QuerySet[Case], term: str) -> QuerySet[Case]:
    term = (term or "").strip()
    if not term:
        return queryset
    from .models import Complainant, Respondent

    parties = Complainant.objects.filter(organization__name__icontains=term).values("case_id")
    respondents = Respondent.objects.filter(
        Q(organization__name__icontains=term) | Q(name_given__icontains=term)
    ).values("case_id")
    return queryset.filter(
        Q(docket_number__icontains=term)
        | Q(intake_reference__icontains=term)
        | Q(pk__in=parties)
        | Q(pk__in=respondents)
        | Q(pk__in=_allegations_matching(term))
    )
