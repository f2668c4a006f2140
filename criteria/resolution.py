"""The most-protective rule, on plain values: no ORM, no database, no request.

The standards in force for one question (a country, a sector, a date) compete when they govern
the same thing:

* measures of the same quantity over the same averaging period: after unit conversion the most
  protective threshold binds, and every other is listed with the margin by which it lost (in
  the binding standard's unit, and as a percentage of its own converted value); a measure that
  cannot be compared with it (another direction, or a unit of another dimension or currency)
  binds as well;
* rules on the same matter: each binds — complying with all of them is never less protective
  than complying with one — unless the members recorded which of them binds (a `Choice`);
  then the others yield to it.

`resolve` decides; `reason` and `note` word the explanation of a decision. The register's
selectors (`criteria.selectors.binding`) build the `Standard`s from the versions in force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

from django.utils.translation import gettext as _

from . import units

RULE, MEASURE = "rule", "measure"
AT_MOST, AT_LEAST = "at_most", "at_least"


@dataclass(frozen=True)
class Standard:
    """A version in force, as the resolution sees it. `ref` is the caller's own handle (the
    register passes the version); it plays no part in the decision."""

    identifier: str
    criterion: str
    kind: str
    governs: str
    averaging_period: str = ""
    direction: str = ""
    threshold: Decimal | None = None
    unit: str = ""
    ref: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Choice:
    """The members' record that `criterion` is the rule that binds on the matter `governs`."""

    governs: str
    criterion: str
    ref: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Loss:
    """A competing standard that did not bind, and by how much it lost."""

    LESS_PROTECTIVE = "less_protective"
    EQUALLY_PROTECTIVE = "equally_protective"
    INCOMPARABLE = "incomparable"
    YIELDS = "yields"

    standard: Standard
    relation: str
    margin: Decimal | None = None
    margin_percent: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    """A standard that binds, why (one of the cases below) and the standards it beat."""

    ONLY_MEASURE = "only_measure"
    MOST_PROTECTIVE = "most_protective"
    ONLY_RULE = "only_rule"
    RULES_UNRESOLVED = "rules_unresolved"
    RESOLVED = "resolved"

    standard: Standard
    why: str
    losses: tuple[Loss, ...] = ()
    choice: Choice | None = None


def more_protective(direction: str, a: Decimal, b: Decimal) -> bool:
    """Whether threshold `a` is strictly more protective than `b` (same unit)."""
    return a < b if direction == AT_MOST else a > b


def _quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001")).normalize()


def _comparable_classes(measures: list[Standard]) -> list[list[Standard]]:
    """Classes of mutually comparable measures (same direction and dimension), each in the
    order of identifiers."""
    classes: list[list[Standard]] = []
    for standard in sorted(measures, key=lambda s: s.identifier):
        for group in classes:
            head = group[0]
            if head.direction == standard.direction and units.comparable(standard.unit, head.unit):
                group.append(standard)
                break
        else:
            classes.append([standard])
    return classes


def _threshold(standard: Standard) -> Decimal:
    """A measure's threshold (a measure without one is not compared: a programming error)."""
    if standard.threshold is None:
        raise ValueError(f"{standard.identifier} is a measure without a threshold")
    return standard.threshold


def _loss(standard: Standard, winner: Standard) -> Loss:
    value = units.convert(_threshold(standard), standard.unit, winner.unit)
    margin = abs(value - _threshold(winner))
    return Loss(
        standard=standard,
        relation=Loss.EQUALLY_PROTECTIVE if margin == 0 else Loss.LESS_PROTECTIVE,
        margin=_quantize(margin),
        margin_percent=_quantize(margin / abs(value) * 100) if value else None,
    )


def resolve_measures(measures: list[Standard]) -> list[Decision]:
    """The most protective of competing measures binds, per class of comparable measures."""
    classes = _comparable_classes(measures)
    decisions = []
    for group in classes:
        winner = group[0]
        for standard in group[1:]:
            value = units.convert(_threshold(standard), standard.unit, winner.unit)
            if more_protective(standard.direction, value, _threshold(winner)):
                winner = standard
        losses = [_loss(s, winner) for s in group if s is not winner]
        losses += [Loss(other[0], Loss.INCOMPARABLE) for other in classes if other is not group]
        alone = len(group) == 1 and len(classes) == 1
        why = Decision.ONLY_MEASURE if alone else Decision.MOST_PROTECTIVE
        decisions.append(Decision(standard=winner, why=why, losses=tuple(losses)))
    return decisions


def resolve_rules(rules: list[Standard], choice: Choice | None = None) -> list[Decision]:
    """Competing rules on one matter: the members' choice binds, or else every one does."""
    rules = sorted(rules, key=lambda s: s.identifier)
    if len(rules) == 1:
        return [Decision(standard=rules[0], why=Decision.ONLY_RULE)]
    chosen = next((r for r in rules if choice and r.criterion == choice.criterion), None)
    if chosen is None:
        return [
            Decision(
                standard=rule,
                why=Decision.RULES_UNRESOLVED,
                losses=tuple(Loss(o, Loss.INCOMPARABLE) for o in rules if o is not rule),
            )
            for rule in rules
        ]
    losses = tuple(Loss(o, Loss.YIELDS) for o in rules if o is not chosen)
    return [Decision(standard=chosen, why=Decision.RESOLVED, losses=losses, choice=choice)]


def contested(standards: Iterable[Standard]) -> set[str]:
    """The matters on which more than one rule is in force (only they need the members'
    choice)."""
    seen: dict[str, int] = defaultdict(int)
    for s in standards:
        if s.kind == RULE:
            seen[s.governs] += 1
    return {governs for governs, n in seen.items() if n > 1}


def resolve(
    standards: Iterable[Standard], choices: Mapping[str, Choice] | None = None
) -> list[Decision]:
    """Every decision for the standards in force for one question (`choices`: the members'
    choice in force per contested matter), group by group in the order of (kind, what they
    govern, averaging period)."""
    groups: dict[tuple[str, str, str], list[Standard]] = defaultdict(list)
    for s in standards:
        groups[(s.kind, s.governs, s.averaging_period or "")].append(s)
    decisions: list[Decision] = []
    for (kind, governs, _period), group in sorted(groups.items(), key=lambda item: item[0]):
        if kind == MEASURE:
            decisions += resolve_measures(group)
        else:
            decisions += resolve_rules(group, (choices or {}).get(governs))
    return decisions


# --------------------------------------------------------------------------- the explanation


@overload
def number(value: Decimal) -> str: ...
@overload
def number(value: None) -> None: ...
@overload
def number(value: Decimal | None) -> str | None: ...
def number(value: Decimal | None) -> str | None:
    """A decimal as the register writes it: no exponent, no trailing zeros."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def reason(
    why: str,
    *,
    identifier: str,
    sources: str,
    threshold: str = "",
    choice_date: str = "",
    choice_reason: str = "",
) -> str:
    """Why the standard `identifier` binds, in the active language."""
    values = {"id": identifier, "src": sources, "threshold": threshold}
    texts = {
        Decision.ONLY_MEASURE: _(
            "%(id)s is the only standard for this quantity: %(threshold)s (%(src)s)."
        ),
        Decision.MOST_PROTECTIVE: _(
            "%(id)s binds as the most worker-protective standard: %(threshold)s (%(src)s)."
        ),
        Decision.ONLY_RULE: _("%(id)s is the only rule on this matter (%(src)s)."),
        Decision.RULES_UNRESOLVED: _(
            "%(id)s binds (%(src)s). Members have not recorded which of the competing "
            "rules is most protective, so each of them binds."
        ),
    }
    if why in texts:
        return texts[why] % values
    return _(
        "%(id)s binds (%(src)s): the members recorded on %(date)s that it is the most "
        "worker-protective rule on this matter: %(why)s"
    ) % {**values, "date": choice_date, "why": choice_reason}


def note(
    loss: Loss,
    *,
    winner: Standard,
    sources: str,
    threshold: str = "",
) -> str:
    """How the competing standard of `loss` fared against `winner`, in the active language."""
    values = {"id": loss.standard.identifier, "sources": sources, "threshold": threshold}
    if loss.relation == Loss.EQUALLY_PROTECTIVE:
        return _(
            "%(id)s (%(sources)s, %(threshold)s) is equally protective; %(winner)s is cited."
        ) % {**values, "winner": winner.identifier}
    if loss.relation == Loss.LESS_PROTECTIVE:
        return _(
            "%(id)s (%(sources)s, %(threshold)s) is less protective by %(margin)s "
            "%(unit)s (%(percent)s%%)."
        ) % {
            **values,
            "margin": number(loss.margin),
            "unit": winner.unit,
            "percent": number(loss.margin_percent) if loss.margin_percent is not None else "—",
        }
    if loss.relation == Loss.YIELDS:
        return _("%(id)s (%(src)s) yields to %(winner)s by the members' resolution.") % {
            "id": loss.standard.identifier,
            "src": sources,
            "winner": winner.identifier,
        }
    if loss.standard.kind == RULE:
        return _("%(id)s also binds.") % values
    return (
        _(
            "%(id)s (%(threshold)s) cannot be compared with it (different unit or "
            "direction), so it binds as well."
        )
        % values
    )
