"""Every staff workflow step of the staff workspace has its endpoint in the REST API, calling
the same service (issue 20). Derived from the code, so neither the docs nor this test can
drift from it:

- the services the admin calls are read from the source of every `<app>/*admin*.py` (calls
  of a function of a services module — `services.x(…)`, `court.x(…)`, `citations.x(…)`,
  `webhooks.x(…)`, or a name imported from one — that takes the keyword `actor`: a write);
- a step of a case's page (`complaints.admin.CASE_STEPS`) is covered by its own endpoint,
  `/api/v1/docket/{docket}/steps/{step}/` (complaints/api_steps.py runs the step itself);
- any other service the admin calls (a list's action, an add form) must be called by an API
  module (`<app>/api*.py`, `commission/webhook_api.py`), or be listed below with the reason
  it has no endpoint."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
APPS = ["commission", "criteria", "complaints", "investigations", "hearings", "sanctions"]
SERVICE_MODULES = {"services", "court", "citations", "webhooks"}

# Services the staff workspace calls that are not a workflow step of the API, and why.
NOT_WORKFLOW = {
    "api_token_issue": "issuing API tokens is account administration: staff issue them in the "
    "workspace (docs/api.md, Authentication), never with a token",
    "api_token_revoke": "account administration, as issuing",
    "commission_holiday_add": "the commission's calendar of holidays is reference data kept in "
    "the workspace, not a step of a case",
    "webhook_delivery_requeue": "sending failed webhook deliveries again is operations of the "
    "delivery queue, not a step of a case",
}
# Workflow steps of the workspace still without an endpoint: this list may only shrink (an
# entry that gains an endpoint fails the test until it is removed here and in docs/api.md).
PENDING: set[str] = set()


def _service_calls(tree: ast.AST, module) -> set[str]:
    """The write services a piece of code calls (see the module's docstring)."""
    imported: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            tail = node.module.rsplit(".", 1)[-1]
            if tail in SERVICE_MODULES:
                package = module.__package__ if node.level else None
                source = importlib.import_module(
                    ("." * node.level) + node.module if node.level else node.module, package
                )
                for alias in node.names:
                    imported[alias.asname or alias.name] = getattr(source, alias.name, None)
    found = set()
    for node in ast.walk(tree):
        target = None
        # A service named as `services.x` — called, or handed to a helper that calls it
        # (`_service(services.x, request)`).
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in SERVICE_MODULES
        ):
            target = getattr(getattr(module, node.value.id, None), node.attr, None)
            if callable(target) and _writes(target):
                found.add(target.__name__)
            continue
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            target = imported[func.id]
        if callable(target) and _writes(target):
            found.add(target.__name__)
    return found


def _writes(function) -> bool:
    try:
        return "actor" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _module_calls(pattern: str) -> dict[str, set[str]]:
    calls = {}
    for app in APPS:
        for path in sorted((ROOT / app).glob(pattern)):
            name = f"{app}.{path.stem}"
            module = importlib.import_module(name)
            calls[name] = _service_calls(ast.parse(path.read_text(encoding="utf-8")), module)
    return calls


def admin_services() -> set[str]:
    return set().union(*_module_calls("*admin*.py").values())


def step_services() -> dict[str, set[str]]:
    from complaints.admin import CASE_STEPS

    found = {}
    for slug, step in CASE_STEPS.items():
        module = importlib.import_module(step.run.__module__)
        source = textwrap.dedent(inspect.getsource(step.run))
        found[slug] = _service_calls(ast.parse(source), module)
    return found


def api_services() -> set[str]:
    calls = _module_calls("api*.py")
    calls.update(_module_calls("webhook_api.py"))
    return set().union(*calls.values())


def test_the_scan_finds_the_workspace_steps():
    """The scan itself works: it finds services we know the workspace calls."""
    found = admin_services()
    assert {"case_assign", "panel_select", "sanction_waive", "proposal_decide"} <= found
    assert "decision_problems" not in found  # a read, not a step
    steps = step_services()
    assert steps["panel-select"] == {"panel_select"}
    assert steps["court-order-record"] == {"court_order_record"}


def test_every_service_of_a_workspace_step_has_an_api_endpoint():
    steps = step_services()
    for slug, services in steps.items():
        assert services, f"step {slug} calls no service the scan can see"
        assert reverse(f"case-step-{slug}", kwargs={"docket_number": "C-1"})
    covered = set().union(*steps.values()) | api_services()
    missing = admin_services() - covered - set(NOT_WORKFLOW)
    assert missing == PENDING, (
        f"without an endpoint: {sorted(missing - PENDING)}; "
        f"now with one (remove from PENDING and docs/api.md): {sorted(PENDING - missing)}"
    )


def test_the_docs_table_names_every_pending_and_exempt_service():
    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in PENDING | set(NOT_WORKFLOW):
        assert f"`{name}`" in docs, name
