"""Pages of higher apps that team members reach from their workspace (investigations never
imports them): each registers a link here in its `AppConfig.ready`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

_LINKS: list[tuple[Any, str]] = []


def workspace_link_register(label: Any, url_name: str) -> None:
    if (label, url_name) not in _LINKS:
        _LINKS.append((label, url_name))


def workspace_links() -> list[tuple[str, str]]:
    return [(str(label), reverse(name)) for label, name in _LINKS]
