"""Keyset cursors (resolvers/pagination.py, graph/keyset.py): opaque, bound to their list and
order, stable when rows are inserted before them, and refused (never a 500) when forged."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import data
from tests.schema.conftest import errors_of, run
from tests.tokens import bearer, hs256

RESIDENTS = """
query($grid: String!, $first: Int, $after: String) {
  grid(code: $grid) { residents(first: $first, after: $after) {
    totalCount edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage endCursor }
  } }
}
"""
CASES = """
query($order: CaseOrder!, $first: Int, $after: String, $filter: CaseFilter) {
  cases(orderBy: $order, first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { code } } pageInfo { hasNextPage endCursor }
  }
}
"""
VOLUNTEERS = """
query($team: String!, $first: Int, $after: String) {
  volunteerTeam(code: $team) { volunteers(first: $first, after: $after) {
    edges { points node { id } } pageInfo { hasNextPage endCursor }
  } }
}
"""
AUDIT = """
query($subject: String, $first: Int, $after: String) {
  auditLog(filter: {subject: $subject}, first: $first, after: $after) {
    edges { node { seq } } pageInfo { hasNextPage endCursor }
  }
}
"""


def pages(
    http: TestClient, query: str, path: list[str], size: int, **variables: Any
) -> Iterator[Any]:
    """Every page of a connection, following endCursor."""
    after = None
    while True:
        found: Any = run(http, query, first=size, after=after, **variables)
        for step in path:
            found = found[step]
        yield found
        if not found["pageInfo"]["hasNextPage"]:
            return
        after = found["pageInfo"]["endCursor"]


def forged(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def bad_after(errors: list[dict[str, Any]]) -> None:
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], errors
    assert errors[0]["extensions"]["argument"] == "after"


@pytest.fixture(scope="module")
async def busiest_grid(tiny: GraphClient) -> str:
    [row] = await tiny.read(
        "MATCH (g:Grid)<-[:RESIDES_IN]-(p:Person) RETURN g.code AS code, count(p) AS n"
        " ORDER BY n DESC, code LIMIT 1"
    )
    code: str = row["code"]
    return code


async def test_pages_follow_each_other_without_gap_or_repeat(
    tiny: GraphClient, http: TestClient, busiest_grid: str
) -> None:
    whole = run(http, RESIDENTS, grid=busiest_grid, first=100)["grid"]["residents"]
    ids = [e["node"]["id"] for e in whole["edges"]]
    assert len(ids) == whole["totalCount"] > 3
    paged = list(pages(http, RESIDENTS, ["grid", "residents"], 2, grid=busiest_grid))
    assert [e["node"]["id"] for p in paged for e in p["edges"]] == ids
    assert [p["pageInfo"]["hasPreviousPage"] for p in paged] == [False] + [True] * (len(paged) - 1)


async def test_datetime_and_descending_keys_page_through_everything(
    tiny: GraphClient, http: TestClient
) -> None:
    for order in ("REPORTED_AT_DESC", "REPORTED_AT_ASC", "CODE"):
        whole = run(http, CASES, order=order, first=100)["cases"]
        paged = list(pages(http, CASES, ["cases"], 7, order=order))
        codes = [e["node"]["code"] for p in paged for e in p["edges"]]
        assert len(codes) == len(set(codes)) == whole["totalCount"]
        assert codes[:100] == [e["node"]["code"] for e in whole["edges"]]
    [team] = await tiny.read(
        "MATCH (t:VolunteerTeam)<-[:VOLUNTEERS_IN]-() RETURN t.code AS code, count(*) AS n"
        " ORDER BY n DESC LIMIT 1"
    )
    whole_team = run(http, VOLUNTEERS, team=team["code"], first=100)["volunteerTeam"]
    paged_team = list(
        pages(http, VOLUNTEERS, ["volunteerTeam", "volunteers"], 3, team=team["code"])
    )
    assert [e for p in paged_team for e in p["edges"]] == whole_team["volunteers"]["edges"]


async def test_a_row_inserted_before_the_cursor_moves_nothing_after_it(
    tiny: GraphClient, http: TestClient, busiest_grid: str
) -> None:
    whole = run(http, RESIDENTS, grid=busiest_grid, first=100)["grid"]["residents"]["edges"]
    first = run(http, RESIDENTS, grid=busiest_grid, first=2)["grid"]["residents"]
    cursor = first["pageInfo"]["endCursor"]
    # A new resident whose name sorts before every other (code point order).
    await tiny.write(
        "MATCH (g:Grid {code: $grid}) CREATE (:Person {id: 'P-keyset-test', name: ' 阿'})"
        "-[:RESIDES_IN]->(g)",
        {"grid": busiest_grid},
    )
    try:
        moved = run(http, RESIDENTS, grid=busiest_grid, first=2)["grid"]["residents"]
        assert moved["edges"][0]["node"]["name"] == " 阿"  # it is really before
        second = run(http, RESIDENTS, grid=busiest_grid, first=2, after=cursor)
        assert second["grid"]["residents"]["edges"] == whole[2:4]
    finally:
        await tiny.write("MATCH (p:Person {id: 'P-keyset-test'}) DETACH DELETE p")


async def test_a_cursor_belongs_to_its_list_order_and_filter(
    tiny: GraphClient, http: TestClient, busiest_grid: str
) -> None:
    residents = run(http, RESIDENTS, grid=busiest_grid, first=1)["grid"]["residents"]
    cursor = residents["pageInfo"]["endCursor"]
    bad_after(errors_of(http, CASES, order="CODE", first=1, after=cursor))
    newest = run(http, CASES, order="REPORTED_AT_DESC", first=1)["cases"]["pageInfo"]["endCursor"]
    bad_after(errors_of(http, CASES, order="REPORTED_AT_ASC", first=1, after=newest))
    bad_after(
        errors_of(http, CASES, order="REPORTED_AT_DESC", after=newest, filter={"kind": "dispute"})
    )
    # ... and the same list takes it, under any parent (here: another grid's residents).
    assert run(http, CASES, order="REPORTED_AT_DESC", first=1, after=newest)["cases"]["edges"]


@pytest.mark.parametrize(
    "values",
    [
        [2**70, "P1"],  # beyond Neo4j's 64-bit integers
        [{"datetime": "2024-01-01T00:00:00+19:00"}, "P1"],  # an offset Neo4j refuses
        [{"datetime": "not a time"}, "P1"],
        [{"date": "2024-13-01"}, "P1"],
        [["nested"], "P1"],
        ["only one key"],
        [],
        [float("nan"), "P1"],
    ],
)
async def test_forged_cursors_are_bad_input_never_an_error_inside(
    tiny: GraphClient, http: TestClient, busiest_grid: str, values: list[Any]
) -> None:
    real = run(http, RESIDENTS, grid=busiest_grid, first=1)["grid"]["residents"]
    [version, owner, _] = json.loads(
        base64.urlsafe_b64decode(real["pageInfo"]["endCursor"] + "==").decode()
    )
    after = forged([version, owner, values])
    bad_after(errors_of(http, RESIDENTS, grid=busiest_grid, after=after))
    bad_after(errors_of(http, RESIDENTS, grid=busiest_grid, after="x" * 2000))


async def test_the_audit_log_pages_stay_put_while_records_are_appended(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    admin = bearer(hs256(settings, "admin", subject="keyset-auditor"))

    def audit(**variables: Any) -> Any:
        return data(http, admin, AUDIT, **variables)["auditLog"]

    for _ in range(5):  # five records of this subject (each request is audited)
        audit(subject="keyset-auditor", first=1)
    first = audit(subject="keyset-auditor", first=2)
    seqs = [e["node"]["seq"] for e in first["edges"]]
    for _ in range(3):  # newer records arrive: with offsets, page two would repeat page one
        audit(subject="keyset-auditor", first=1)
    second = audit(subject="keyset-auditor", first=2, after=first["pageInfo"]["endCursor"])
    following = [e["node"]["seq"] for e in second["edges"]]
    assert following and max(following) < min(seqs)


INBOX = """
query($first: Int, $after: String) {
  inbox(place: "370811", first: $first, after: $after) {
    totalCount edges { cursor node { code } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_an_inbox_pages_by_deadline_without_gap_or_repeat(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    admin = bearer(hs256(settings, "admin", subject="keyset-inbox"))

    def inbox(**variables: Any) -> Any:
        return data(http, admin, INBOX, **variables)["inbox"]

    whole = inbox(first=100)
    codes, after = [], None
    while True:
        page = inbox(first=3, after=after)
        codes += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(codes) == len(set(codes)) == whole["totalCount"] > 3
    assert codes[:100] == [e["node"]["code"] for e in whole["edges"]]


async def test_a_filter_holding_the_requests_now_still_pages(
    tiny: GraphClient, http: TestClient
) -> None:
    # `overdue` compares with the time of each request; the cursor belongs to the filter as
    # given, so the next request (a later "now") still takes it.
    overdue = {"overdue": False}
    first = run(http, CASES, order="CODE", first=2, filter=overdue)["cases"]
    assert first["pageInfo"]["hasNextPage"]
    after = first["pageInfo"]["endCursor"]
    second = run(http, CASES, order="CODE", first=2, filter=overdue, after=after)["cases"]
    whole = run(http, CASES, order="CODE", first=4, filter=overdue)["cases"]["edges"]
    assert second["edges"] == whole[2:4]
