"""Demo data as data: a scenario's inputs in a YAML file, fed through the services.

A file is a mapping whose `steps` are run in order; each step calls one service with keyword
arguments, exactly as a door (admin, portal, API, command) would, so the demo obeys every rule
the services enforce. Other top-level keys only hold anchors for inputs the steps share:

    shared:
      admin: &admin !get {model: auth.User, username: admin}
    steps:
      - call: criteria.services.right_create      # a function of an app's `services`
        unless: !get {model: criteria.Right, code: FOA}   # skipped when this row exists
        with: {code: FOA, name_en: Freedom of association, actor: *admin}

`unless` makes loading idempotent: a step whose row already exists is skipped, so loading twice
changes nothing. Values are plain YAML (anchors and `<<:` merge keys share repeated inputs),
plus three tags, resolved when their step runs (so a step can use what an earlier one made):

* `!get {model: app_label.Model, field: value, ...}` — the one row with those values;
* `!days N` — the date N days after today (`!days 0` is today), for scenarios that play now;
* `!today "{:%Y}-1"` — today formatted into the text (`str.format`).

An app's `demo.load()` calls `demo_data_load(path)` on its file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.utils import timezone


@dataclass(frozen=True)
class _Get:
    lookup: dict[str, Any]

    def resolve(self) -> Any:
        lookup = dict(self.lookup)
        model = apps.get_model(lookup.pop("model"))
        return model.objects.get(**_resolve(lookup))

    def exists(self) -> bool:
        lookup = dict(self.lookup)
        model = apps.get_model(lookup.pop("model"))
        return model.objects.filter(**_resolve(lookup)).exists()


@dataclass(frozen=True)
class _Days:
    days: int

    def resolve(self) -> dt.date:
        return timezone.localdate() + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class _Today:
    template: str

    def resolve(self) -> str:
        return self.template.format(timezone.localdate())


class _Loader(yaml.SafeLoader):
    """Safe YAML (no arbitrary objects) with the three tags above."""


def _get(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Get:
    return _Get({str(key): value for key, value in loader.construct_mapping(node).items()})


def _days(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> _Days:
    return _Days(int(loader.construct_scalar(node)))


def _today(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> _Today:
    return _Today(str(loader.construct_scalar(node)))


_Loader.add_constructor("!get", _get)
_Loader.add_constructor("!days", _days)
_Loader.add_constructor("!today", _today)


def _resolve(value: Any) -> Any:
    if isinstance(value, _Get | _Days | _Today):
        return value.resolve()
    if isinstance(value, dict):
        return {key: _resolve(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item) for item in value]
    return value


def _service(path: str):
    """The service `path` names; only functions of an app's `services` are callable."""
    module, _dot, name = path.rpartition(".")
    if module.split(".")[1:2] != ["services"] or module.split(".")[0] not in {
        config.name for config in apps.get_app_configs()
    }:
        raise ValueError(f"{path}: a demo step calls a service (<app>.services.<name>)")
    return getattr(import_module(module), name)


def demo_data_load(path: Path) -> int:
    """Run the steps of the YAML file at `path` in order; return how many ran (not skipped)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader  # nosec B506
    ran = 0
    for step in data["steps"]:
        unless = step.get("unless")
        if unless is not None and unless.exists():
            continue
        _service(step["call"])(**_resolve(step.get("with") or {}))
        ran += 1
    return ran
