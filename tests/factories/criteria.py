"""Factories for the criteria register.

`CriterionVersionFactory` writes a version row directly, for tests of other apps that only
need something to cite. Tests of the register's rules go through `criteria.services`."""

import datetime as dt
from decimal import Decimal

import factory

from criteria.models import (
    Criterion,
    CriterionVersion,
    DeliberationRound,
    Direction,
    Right,
    Source,
)


class RightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Right
        django_get_or_create = ["code"]

    code = "FOA"
    name_en = "Freedom of association"
    name_es = "Libertad sindical"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        django_get_or_create = ["code"]

    right = factory.SubFactory(RightFactory)
    code = factory.Sequence(lambda n: f"FOA-{n + 100:03d}")
    kind = Criterion.Kind.RULE
    governs = factory.Sequence(lambda n: f"matter-{n}")
    title_en = factory.Sequence(lambda n: f"Criterion {n}")
    title_es = factory.Sequence(lambda n: f"Criterio {n}")


class MeasureFactory(CriterionFactory):
    kind = Criterion.Kind.MEASURE
    code = factory.Sequence(lambda n: f"OSH-{n + 100:03d}")
    right = factory.SubFactory(
        RightFactory, code="OSH", name_en="Occupational safety and health", name_es="SST"
    )
    governs = "cotton-dust-exposure"


class CriterionVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionVersion

    criterion = factory.SubFactory(CriterionFactory)
    number = 1
    identifier = factory.LazyAttribute(lambda v: f"{v.criterion.code}/v{v.number}")
    effective_from = dt.date(2025, 1, 1)
    text_en = factory.Sequence(lambda n: f"Employers must do thing {n}.")
    text_es = factory.Sequence(lambda n: f"Los empleadores deben hacer la cosa {n}.")
    provenance = CriterionVersion.Provenance.HISTORICAL
    record_reference = "test record"


class MeasureVersionFactory(CriterionVersionFactory):
    criterion = factory.SubFactory(MeasureFactory)
    direction = Direction.AT_MOST
    threshold = Decimal("200")
    unit = "µg/m³"
    averaging_period = "twa_8h"
    text_en = "Exposure to cotton dust shall not exceed the threshold."


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    version = factory.SubFactory(CriterionVersionFactory)
    kind = Source.Kind.INTERNATIONAL_LAW
    instrument = "ILO Convention No. 87"
    article = "Article 2"


class DeliberationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliberationRound

    code = factory.Sequence(lambda n: f"R-{n + 1}")
    title_en = "Deliberation round"
    notice_en = "The commission convenes a deliberation round on the criteria."
    convened_on = dt.date(2026, 11, 1)
    submissions_open_on = dt.date(2026, 11, 1)
    submissions_close_on = dt.date(2026, 12, 31)
