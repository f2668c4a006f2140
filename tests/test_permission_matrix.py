"""The API's access policy, generated from the documented matrix (docs/api-permissions.md):
one test per row, each calling the endpoint as every role. Editing the table changes the
test; a door that drifts from the table fails here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from commission import roles
from commission.models import CourtUser
from tests.factories.commission import PersonFactory, UserFactory

MATRIX = Path(__file__).resolve().parent.parent / "docs" / "api-permissions.md"
ROLES = ["anonymous", "filer", "other_filer", "team", "other_team", "member", "court", "staff"]


@dataclass(frozen=True)
class Row:
    method: str
    endpoint: str
    expected: dict[str, bool]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"


def matrix_rows() -> list[Row]:
    text = MATRIX.read_text(encoding="utf-8")
    table = text.split("<!-- permission-matrix:start -->")[1].split(
        "<!-- permission-matrix:end -->"
    )[0]
    lines = [line.strip() for line in table.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["method", "endpoint", *ROLES], header
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert set(cells[2:]) <= {"yes", "no"}, line
        rows.append(
            Row(cells[0], cells[1], dict(zip(ROLES, [c == "yes" for c in cells[2:]], strict=True)))
        )
    return rows


def test_the_matrix_covers_every_role_and_parses():
    rows = matrix_rows()
    assert len(rows) >= 15
    assert len({str(r) for r in rows}) == len(rows)


@pytest.fixture
def actors(db) -> dict[str, Any]:
    from tests.factories.complaints import file_case
    from tests.factories.investigations import build_team_world, open_agency_monitoring

    cache.clear()
    tw = build_team_world()
    court = UserFactory(username="court.clerk")
    court.groups.add(Group.objects.get(name=roles.COURT))
    CourtUser.objects.create(person=PersonFactory(user=court), court="Court of Appeal")
    investigation = open_agency_monitoring(tw)
    case = file_case(tw.base, received_days_ago=3)
    return {
        "users": {
            "anonymous": None,
            "filer": tw.base.delegate,
            "other_filer": tw.base.hro_delegate,
            "team": tw.rep,
            "other_team": tw.other_lead,
            "member": tw.base.member,
            "court": court,
            "staff": tw.base.staff,
        },
        "objects": {
            "investigation": investigation.pk,
            "sha256": "0" * 64,
            "docket": case.docket_number,
        },
    }


def _call(client: APIClient, row: Row, objects: dict[str, Any]):
    path = re.sub(r"\{(\w+)\}", lambda m: str(objects[m.group(1)]), row.endpoint)
    if row.method == "GET":
        return client.get(path)
    data = {"sha256": objects["sha256"]} if path.endswith("/verify/") else {}
    return client.generic(
        row.method,
        path,
        "{}" if not data else f'{{"sha256": "{data["sha256"]}"}}',
        content_type="application/json",
    )


def test_the_documented_matrix_holds(actors):
    """Every row of the matrix, as every role (one world for all: building it is the cost)."""
    wrong = []
    for row in matrix_rows():
        for role in ROLES:
            cache.clear()  # throttles
            client = APIClient()
            user = actors["users"][role]
            if user is not None:
                client.force_authenticate(user)
            response = _call(client, row, actors["objects"])
            allowed = response.status_code not in (401, 403, 404)
            expected = row.expected[role]
            if response.status_code >= 500:
                wrong.append(f"{row} as {role}: {response.status_code}")
            elif allowed != expected:
                wrong.append(
                    f"{row} as {role}: {response.status_code}, "
                    f"expected {'yes' if expected else 'no'}"
                )
            elif (
                not allowed
                and user is None
                and (response.status_code != 401 or "WWW-Authenticate" not in response)
            ):
                wrong.append(f"{row} as {role}: {response.status_code} without a challenge")
    assert not wrong, "\n".join(wrong)
