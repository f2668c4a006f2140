"""A failed render of a lifting determination is queued again through the API (`POST
/sanctions/{id}/render-retry/`): the same service as the staff workspace's action on Lift
renders (`lift_render_retry`), open to whoever may determine lifting — not to staff without
that permission."""

from decimal import Decimal

from rest_framework.test import APIClient

from commission.models import CaseEvent
from sanctions import opinion, selectors, services
from sanctions.models import LiftRender

from .test_lift_render import _boom
from .test_services import _step_ready


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_failed_render_is_retried_through_the_api(
    issued, team, staff, member, at, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OPINION_RENDER_MAX_ATTEMPTS = 1
    order, benchmark = _step_ready(issued, team, staff, at)
    monkeypatch.setattr(opinion, "determination_pdf", _boom)
    with django_capture_on_commit_callbacks(execute=True):
        render = services.sanction_lift_step(
            order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
        )
    render.refresh_from_db()
    assert render.status == LiftRender.Status.FAILED
    monkeypatch.undo()
    url = f"/api/v1/sanctions/{order.public_id}/render-retry/"
    refused = _client(staff).post(url, {"render": render.pk}, format="json")
    assert refused.status_code == 403
    render.refresh_from_db()
    assert render.status == LiftRender.Status.FAILED
    unknown = _client(member).post(url, {"render": render.pk + 1000}, format="json")
    assert unknown.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(member).post(url, {"render": render.pk}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["result"] == str(render.pk)
    render.refresh_from_db()
    assert render.status == LiftRender.Status.DONE
    assert selectors.magnitude_in_force(order=order) == Decimal("14.00")
    assert CaseEvent.objects.filter(verb="sanction_step_lifted").count() == 1
    again = _client(member).post(url, {"render": render.pk}, format="json")
    assert again.status_code == 400
    assert "Only a failed render" in again.json()["detail"]
