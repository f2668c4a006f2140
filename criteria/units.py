"""Real units for performance measures, so that thresholds from different sources are compared
correctly after conversion (200 µg/m³ = 0.2 mg/m³) or the comparison is refused (mg/m³ against
ppm, soles against dollars).

Currencies are units of their own dimension each: no exchange rate is ever assumed. The
reference period of a quantity (per week, per month, 8-hour average) is not part of the unit —
it is the version's `averaging_period` — because converting "per month" into "per hour" by
calendar time would silently compare a monthly wage with an hourly one. A unit with a time in
its denominator is therefore refused.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache, lru_cache

import pint
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# ISO 4217 codes of the trading partners' and comparators' currencies (extend as needed).
CURRENCIES = (
    "PEN USD EUR MXN COP CLP BRL ARS BOB UYU PYG GTQ HNL NIO CRC PAB DOP HTG CAD GBP BDT KHR VND INR "
    "CNY JOD MAD KES ZAR IDR PHP"
).split()


class IncomparableUnits(Exception):
    """Two quantities cannot be compared: different dimensions or currencies."""


@cache
def registry() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(non_int_type=Decimal, autoconvert_offset_to_baseunit=False)
    for code in CURRENCIES:
        reg.define(f"{code} = [currency_{code}]")
    return reg


@lru_cache(maxsize=1024)
def _parse(text: str) -> pint.Unit:
    text = (text or "").strip()
    if not text:
        return registry().dimensionless
    try:
        return registry().parse_units(text)
    except Exception as exc:  # noqa: BLE001 - pint's parser raises assorted errors on garbage
        raise ValidationError(
            _("“%(unit)s” is not a unit the register knows."), params={"unit": text}, code="unit"
        ) from exc


def unit_validate(text: str) -> str:
    """Check that `text` is a unit a measure may use; return it stripped."""
    unit = _parse(text)
    reg = registry()
    for name, exponent in unit._units.items():
        if exponent < 0 and reg.parse_units(name).dimensionality == reg.second.dimensionality:
            raise ValidationError(
                _(
                    "Put the reference period (per day, per week, per month…) in the averaging "
                    "period, not in the unit “%(unit)s”."
                ),
                params={"unit": text},
                code="unit_period",
            )
    return (text or "").strip()


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`value` in `from_unit` expressed in `to_unit`; IncomparableUnits if impossible."""
    if (from_unit or "").strip() == (to_unit or "").strip():
        return Decimal(value)
    factor = _factor(from_unit, to_unit)
    if factor is None:  # an offset unit (e.g. °C): convert the value itself
        reg = registry()
        return Decimal(
            reg.Quantity(Decimal(value), _parse(from_unit)).to(_parse(to_unit)).magnitude
        )
    return Decimal(value) * factor


@lru_cache(maxsize=4096)
def _factor(from_unit: str, to_unit: str) -> Decimal | None:
    """The multiplier from one unit to another (None for offset units); raises
    IncomparableUnits when they measure different things."""
    reg = registry()
    source, target = _parse(from_unit), _parse(to_unit)
    if source.dimensionality != target.dimensionality:
        raise IncomparableUnits(
            _("%(a)s and %(b)s measure different things and cannot be compared.")
            % {"a": from_unit or "—", "b": to_unit or "—"}
        )
    one = reg.Quantity(Decimal(1), source)
    if not one._ok_for_muldiv():
        return None
    try:
        return Decimal(one.to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise IncomparableUnits(str(exc)) from exc


def comparable(unit_a: str, unit_b: str) -> bool:
    try:
        convert(Decimal(1), unit_a, unit_b)
    except (IncomparableUnits, ValidationError):
        return False
    return True
