"""Blocks that higher apps add to a case's public pages — the docket's case page and the
filer's status page — without this app importing them (the layers of docs/adr/0003).

An app registers a block in its `AppConfig.ready`:

    case_block_register(name="hearings", template="hearings/_case_block.html",
                        context=lambda case: {...}, order=10)

Reserved names and their places, in order: "hearings" (hearings, decision, opinion PDFs),
"sanctions" (sanctions and their progress — to be registered by the sanctions app). A page
renders every registered block; a name not registered shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Case

RESERVED = ("hearings", "sanctions")


@dataclass(frozen=True)
class CaseBlock:
    name: str
    template: str
    context: Callable[[Case], dict[str, Any]]
    order: int


@dataclass(frozen=True)
class RenderedBlock:
    name: str
    template: str
    context: dict[str, Any]


_blocks: dict[str, CaseBlock] = {}


def case_block_register(
    *, name: str, template: str, context: Callable[[Case], dict[str, Any]], order: int = 100
) -> None:
    """Add (or replace, by name) a block of a case's public pages."""
    _blocks[name] = CaseBlock(name=name, template=template, context=context, order=order)


def case_blocks(*, case: Case) -> list[RenderedBlock]:
    """The registered blocks of `case`, in order, each with its context."""
    return [
        RenderedBlock(name=b.name, template=b.template, context=b.context(case))
        for b in sorted(_blocks.values(), key=lambda b: (b.order, b.name))
    ]
