"""The admin home shows what is due — each count one query, linking to the list it counts —
and the case list and case page keep a constant number of queries however many cases and
events there are. Search, deadline filters and the CSV export."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaints import services as complaints_services
from complaints.models import Case, Complainant, Respondent
from tests.factories import hearings as f

from .test_case_steps import page_of


def more_cases(world, n: int, *, start: int = 0) -> list[Case]:
    """n further complaints against the same employer, filed now."""
    C, R = complaints_services.ComplainantInput, complaints_services.RespondentInput
    A = complaints_services.AllegationInput
    cases = []
    for i in range(start, start + n):
        filing = complaints_services.FilingInput(
            kind=Case.Kind.COMPLAINT,
            language="es",
            complainants=[
                C(kind=Complainant.Kind.ORGANIZATION, organization=world.parties.hro),
            ],
            respondents=[R(kind=Respondent.Kind.EMPLOYER, organization=world.parties.employer)],
            allegations=[
                A(
                    summary=f"Unpaid overtime {i}",
                    facts="Los trabajadores no cobran las horas extraordinarias.",
                    period_start=dt.date(2026, 1, 5),
                    place="Arequipa",
                    criteria=[world.criteria.recognition.criterion],
                )
            ],
            remedies_sought="Back pay.",
        )
        case, _code = complaints_services.case_file(
            actor=f.intake_clerk(),
            filing=filing,
            received_via=Case.Channel.PAPER,
            received_at=f.FILED_AT,
            intake_reference=f"paper-more-{i}",
        )
        cases.append(case)
    return cases


def dashboard_counts(client) -> dict[str, int]:
    html = client.get("/admin/").content.decode()
    rows = re.findall(
        r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*<td><a href="[^"]+" '
        r'class="dashboard-count">(\d+)</a>',
        html,
    )
    return {label: int(count) for _url, label, count in rows}


def queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_dashboard_counts_what_is_due_and_the_risk_clears_when_the_step_is_taken(
    world, case, at, staff
):
    at(f.day(2))
    counts = dashboard_counts(staff)
    assert counts["Panel to select"] == 1
    assert counts["At risk"] == 0
    at(f.day(46))  # past the risk day (45) of the hearing-by clock, nothing scheduled
    counts = dashboard_counts(staff)
    assert counts["At risk"] == 1
    listed = staff.get("/admin/complaints/case/?deadline=at_risk").content.decode()
    assert case.docket_number in listed
    clocks = staff.get("/admin/commission/clock/?deadline=at_risk").content.decode()
    assert "days left" in clocks
    f.panel_seat(world.members, case)
    assert dashboard_counts(staff)["Hearing to schedule"] == 1
    f.hearing_schedule(case, when=f.day(58, 9))
    counts = dashboard_counts(staff)
    assert counts["At risk"] == 0
    assert counts["Hearing to schedule"] == 0
    assert counts["Panel to select"] == 0
    assert (
        case.docket_number
        not in staff.get("/admin/complaints/case/?deadline=at_risk").content.decode()
    )


def test_each_count_links_to_the_list_it_counts(world, case, at, staff):
    at(f.day(2))
    html = staff.get("/admin/").content.decode()
    urls = re.findall(r'<th scope="row"><a href="([^"]+)">', html)
    assert len(urls) >= 12
    for url in urls:
        assert staff.get(url.replace("&amp;", "&")).status_code == 200, url


def test_query_counts_do_not_grow_with_cases_or_events(world, case, at):
    at(f.day(55))  # every hearing-by clock is due within the week
    staff = Client()  # signed in once: no session writes in the counts
    world.staff.is_staff = True
    world.staff.save()
    staff.force_login(world.staff)
    more_cases(world, 1)
    urls = {
        "dashboard": "/admin/",
        "list": "/admin/complaints/case/",
        "search": "/admin/complaints/case/?q=Arequipa&deadline=week",
        "clocks": "/admin/commission/clock/?deadline=week",
        "page": page_of(case),
    }
    few = {name: queries(staff, url) for name, url in urls.items()}
    more_cases(world, 6, start=1)
    for _round in range(3):  # more events on the case
        f.declare_all(world.members, case)
    many = {name: queries(staff, url) for name, url in urls.items()}
    assert many == few
    assert Case.objects.count() == 8
    assert many["list"] <= 15
    assert many["search"] <= 15
    listed = staff.get(urls["search"]).content.decode()
    assert listed.count("Unpaid overtime") == 0  # the list shows parties, not allegations
    assert len(re.findall(r'<th class="field-docket_number">', listed)) == 7


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Confecciones del Pac", True),  # a respondent's organization
        ("Centro de Derechos", True),  # a complainant organization
        ("prison", True),  # allegation summary / facts
        ("Ate, Lima", True),  # place
        ("C-2026-00001", True),  # docket
        ("Arequipa", False),
    ],
)
def test_search_by_docket_parties_allegations_and_place(world, case, staff, term, found):
    html = staff.get("/admin/complaints/case/", {"q": term}).content.decode()
    assert (case.docket_number in html) is found


def test_the_filtered_list_exports_as_csv(world, case, at, staff):
    at(f.day(2))
    others = more_cases(world, 2)
    response = staff.get("/admin/complaints/case/export.csv", {"q": "Arequipa"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("docket number,")
    assert len(lines) == 3
    assert {o.docket_number for o in others} <= {line.split(",")[0] for line in lines[1:]}
    assert case.docket_number not in body
    assert f.WORKER_NAME not in body
    listing = staff.get("/admin/complaints/case/?q=Arequipa").content.decode()
    assert "/admin/complaints/case/export.csv?q=Arequipa" in listing


@pytest.mark.postgres
def test_postgres_searches_allegations_in_full_text_through_the_gin_indexes(world, case, staff):
    from complaints.search import _allegations_matching

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'complaints_allegation' "
            "AND indexname LIKE 'allegation_fts_%%'"
        )
        assert {row[0] for row in cursor.fetchall()} == {"allegation_fts_sp", "allegation_fts_en"}
        cursor.execute("SET enable_seqscan = off")
        sql, params = _allegations_matching("despedidas").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "allegation_fts_sp" in plan, plan
    # Stemming: "dismissed" finds "Dismissal" (English), "despidos" finds "despedidas"? Only
    # what the configurations stem alike; the English one at least:
    html = staff.get("/admin/complaints/case/", {"q": "dismissals"}).content.decode()
    assert case.docket_number in html


def test_the_case_list_filters_by_panel_member(world, case, at, staff):
    at(f.day(2))
    other = more_cases(world, 1)[0]
    f.panel_seat(world.members, case)  # jurist_us, worker_pe, worker_us
    sitting = staff.get(
        "/admin/complaints/case/", {"panelist": world.members.jurist_us.pk}
    ).content.decode()
    assert case.docket_number in sitting
    assert other.docket_number not in sitting
    absent = staff.get(
        "/admin/complaints/case/", {"panelist": world.members.jurist_pe.pk}
    ).content.decode()
    assert case.docket_number not in absent
