"""Demo data as data: a scenario's inputs in YAML files, fed through the services.

A file is a mapping whose `steps` are run in order; each step calls one service with keyword
arguments, exactly as a door (admin, portal, API, command) would, so the demo obeys every rule
the services enforce. Other top-level keys hold anchors for inputs the steps share, or a list
of steps another caller runs by name (`demo_data_load(path, section=..., params=...)`):

    shared:
      admin: &admin !get {model: auth.User, username: admin}
    steps:
      - call: criteria.services.right_create      # a function of an app's `services`
        unless: !get {model: criteria.Right, code: FOA}   # skipped when this row exists
        with: {code: FOA, name_en: Freedom of association, actor: *admin}

A step is one of

* `call: <app>.services.<function>` with `with:` its keyword arguments;
* `record: app_label.Model` with `key:`, `values:`, `created_with:` and `add:` — reference data
  no service writes (countries, sectors, parties, accounts: what staff enter in the admin's
  tables): the row with `key` is created or updated with `values` (`created_with` only when
  it is created: a password), and the rows in `add` are added to its many-to-many fields;
* `steps: [...]` — a block of steps, run as one (`params:` sets the `!param` values inside).

and may carry

* `unless:` a row (or a list of rows): the step is skipped when one exists, so loading twice
  changes nothing;
* `if:` a row (or a list): the step runs only when they all exist;
* `after:` an instant: the step runs only once it has passed (a later load plays it);
* `at:` an instant: the step runs with the process's clock there (time-machine), so the case
  events, clocks and documents it writes carry the date of the story, and the services check
  their rules (a hearing by day 60, notice before a hearing) against that date.

Values are plain YAML (anchors and `<<:` merge keys share repeated inputs), plus these tags,
resolved when their step runs (so a step can use what an earlier one made; within `at:`, "now"
and "today" are the step's instant):

* `!get {model: app_label.Model, field: value, ...}` — the one row with those values;
* `!attr [value, name]` — an attribute of a value (`pk`, `received_at`, `person.user`);
* `!days N` — the date N days after today (`!days 0` is today);
* `!today "{:%Y}-1"` — today formatted into the text (`str.format`);
* `!instant {days: N, hours: H, hour: h, minute: m, from: value}` — the instant N days and H
  hours after `from` (default: now), at h:m local time when `hour` is given;
* `!date {...}` — the local date of the same instant;
* `!decimal "35"` — an exact number;
* `!setting NAME` — a setting's value;
* `!param name` — a value the caller passes (`params`);
* `!system` — the system actor (`commission.actors.SYSTEM`), for what no person does;
* `!party key` — an organization of the Peru scenario (`parties` of `commission/demo.yaml`);
* `!new {class: <app>.services.<Input>, ...}` — a service's input (a dataclass of its module);
* `!file {name: n.txt, content_type: text/plain, text: ...}` — an uploaded file.

`manage.py load_demo` loads the files of `DEMO_FILES` (commission/management/commands/) in
order, each in its own transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PERU = Path(__file__).with_name("demo.yaml")


@dataclasses.dataclass(frozen=True)
class _Tag:
    """A value resolved when its step runs, with the caller's params."""

    kind: str
    value: Any


class _Loader(yaml.SafeLoader):
    """Safe YAML (no arbitrary objects) with the tags above."""


def _construct(kind: str) -> Callable[[yaml.SafeLoader, yaml.Node], _Tag]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> _Tag:
        value: Any
        if isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)  # type: ignore[arg-type]
        return _Tag(kind, value)

    return construct


def _checked(path: str, kind: str) -> Any:
    """The object `path` names; only an app's `services` (or a module under it) qualify."""
    module, _dot, name = path.rpartition(".")
    parts = module.split(".")
    if parts[1:2] != ["services"] or parts[0] not in {c.name for c in apps.get_app_configs()}:
        raise ValueError(f"{path}: a demo {kind} is an app's service (<app>.services.<name>)")
    return getattr(import_module(module), name)


def _instant(spec: Mapping[str, Any]) -> dt.datetime:
    base = spec.get("from")
    local = timezone.localtime(base) if base is not None else timezone.localtime()
    local += dt.timedelta(days=int(spec.get("days", 0)), hours=int(spec.get("hours", 0)))
    if "hour" in spec:
        local = local.replace(
            hour=int(spec["hour"]), minute=int(spec.get("minute", 0)), second=0, microsecond=0
        )
    return local


def _new(fields: dict[str, Any]) -> Any:
    cls = _checked(fields.pop("class"), "input")
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"{cls}: a demo input is a service's dataclass")
    return cls(**fields)


def _row(lookup: dict[str, Any]) -> Any:
    return apps.get_model(lookup.pop("model")).objects.get(**lookup)


def _attr(obj: Any, name: str) -> Any:
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _system(_raw: Any) -> Any:
    from .actors import SYSTEM

    return SYSTEM


# Tags whose value is taken as written (the caller's params aside) ...
_AS_WRITTEN: dict[str, Callable[[Any], Any]] = {
    "party": lambda key: party(key),
    "days": lambda n: timezone.localdate() + dt.timedelta(days=int(n)),
    "today": lambda template: str(template).format(timezone.localdate()),
    "decimal": lambda number: Decimal(str(number)),
    "setting": lambda name: getattr(settings, name),
    "system": _system,
}
# ... and tags whose value is resolved first (it may hold other tags).
_RESOLVED: dict[str, Callable[[Any], Any]] = {
    "get": lambda lookup: _row(dict(lookup)),
    "attr": lambda pair: _attr(*pair),
    "instant": _instant,
    "date": lambda spec: _instant(spec).date(),
    "new": lambda fields: _new(dict(fields)),
    "file": lambda spec: SimpleUploadedFile(
        spec["name"], spec["text"].encode(), content_type=spec["content_type"]
    ),
}


for _kind in ("param", *_AS_WRITTEN, *_RESOLVED):
    _Loader.add_constructor(f"!{_kind}", _construct(_kind))


def _tag(tag: _Tag, params: Mapping[str, Any]) -> Any:
    if tag.kind == "param":
        return params[tag.value]
    if tag.kind in _AS_WRITTEN:
        return _AS_WRITTEN[tag.kind](tag.value)
    return _RESOLVED[tag.kind](_resolve(tag.value, params))


def _resolve(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, _Tag):
        return _tag(value, params)
    if isinstance(value, dict):
        return {key: _resolve(item, params) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, params) for item in value]
    return value


def _exists(rows: Any, params: Mapping[str, Any]) -> list[bool]:
    """For each `!get` row of `unless`/`if` (one or a list), whether it exists."""
    found = []
    for row in rows if isinstance(rows, list) else [rows]:
        if not (isinstance(row, _Tag) and row.kind == "get"):
            raise ValueError("`unless` and `if` name rows (!get)")
        lookup = dict(_resolve(row.value, params))
        model = apps.get_model(lookup.pop("model"))
        found.append(model.objects.filter(**lookup).exists())
    return found


def _record(step: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    model = apps.get_model(step["record"])
    key = _resolve(step.get("key") or {}, params)
    values = _resolve(step.get("values") or {}, params)
    row, created = model.objects.update_or_create(**key, defaults=values)
    if created and step.get("created_with"):
        for field, value in _resolve(step["created_with"], params).items():
            if field == "password":
                row.set_password(value)
            else:
                setattr(row, field, value)
        row.save()
    for field, rows in _resolve(step.get("add") or {}, params).items():
        getattr(row, field).add(*rows)


def _run(steps: list[Mapping[str, Any]], params: Mapping[str, Any]) -> int:
    ran = 0
    for step in steps:
        if "unless" in step and any(_exists(step["unless"], params)):
            continue
        if "if" in step and not all(_exists(step["if"], params)):
            continue
        if "after" in step and _resolve(step["after"], params) > timezone.now():
            continue  # not yet due in the story: a later load plays it
        if "at" in step:
            import time_machine

            with time_machine.travel(_resolve(step["at"], params), tick=False):
                ran += _step(step, params)
        else:
            ran += _step(step, params)
    return ran


def _step(step: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    if "steps" in step:
        inner = {**params, **_resolve(step.get("params") or {}, params)}
        return _run(step["steps"], inner)
    if "record" in step:
        _record(step, params)
    else:
        _checked(step["call"], "step")(**_resolve(step.get("with") or {}, params))
    return 1


def demo_data_read(path: Path) -> dict[str, Any]:
    """The parsed file (tags unresolved)."""
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader  # nosec B506
    return data


def demo_data_load(
    path: Path, *, section: str = "steps", params: Mapping[str, Any] | None = None
) -> int:
    """Run the steps of `section` of the YAML file at `path` in order, with `params` for its
    `!param` values; return how many ran (not skipped)."""
    return _run(demo_data_read(path)[section], params or {})


@cache
def peru() -> dict[str, Any]:
    """The Peru scenario's shared description (`commission/demo.yaml`): its parties,
    accounts, team, register codes and the union's complaint — read by the demo files, the
    scenario player and the acceptance tests alike."""
    return demo_data_read(PERU)


def party(key: str) -> Any:
    """The organization `key` of the Peru scenario (its kind and name in
    `commission/demo.yaml`)."""
    from .models import Organization

    described = peru()["parties"][key]
    return Organization.objects.get(kind=described["kind"], name=described["name"])
