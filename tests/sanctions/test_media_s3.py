"""A lift determination's opinion on S3-compatible object storage (MEDIA_STORAGE=s3), against
moto's server on a local port: written to the bucket, served from it on its public page.
Nothing lands in MEDIA_ROOT (the `s3_media` fixture checks). Skipped with the reason where moto
is not installed."""

from __future__ import annotations

import pytest

from sanctions import services
from sanctions.models import LiftDetermination
from tests.sanctions.test_services import _step_ready

pytestmark = pytest.mark.s3


def test_a_determination_pdf_is_an_object_in_the_bucket_served_from_it(
    s3_media, issued, team, staff, member, at, client
):
    s3, bucket = s3_media
    order, benchmark = _step_ready(issued, team, staff, at)
    render = services.sanction_lift_step(
        order=order, benchmark=benchmark, reasoning="Verified and heard.", actor=member
    )
    services.lift_render_run(render_id=render.pk)  # the worker's part
    determination = LiftDetermination.objects.get(order=order, benchmark=benchmark)
    key = determination.pdf.name
    assert key.startswith("sanctions/determinations/")
    stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored.startswith(b"%PDF")
    response = client.get(f"/sanctions/determinations/{determination.public_id}.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
