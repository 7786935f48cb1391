"""Households over HTTP with real tokens: form, join, leave; family relations validated and
seen correctly from both ends; per role; a race on expectedVersion."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.personal_data import id_card_check_digit
from resolvers.principal import Role
from server.settings import Settings
from tests.graphql_http import data, error_code
from tests.principals import execute_as, principal
from tests.tokens import bearer, hs256

REGISTER = """
mutation R($input: RegisterResidentInput!) { registerResident(input: $input) { personId } }
"""
FORM = """
mutation F($head: String!) { formHousehold(head: $head) { householdId version replayed } }
"""
JOIN = """
mutation J($h: String!, $p: String!, $r: JoiningRelation!, $v: Int) {
  joinHousehold(householdId: $h, personId: $p, relation: $r, expectedVersion: $v) {
    householdId version
  }
}
"""
LEAVE = """
mutation L($h: String!, $p: String!) {
  leaveHousehold(householdId: $h, personId: $p, reason: "分户") { version dissolved }
}
"""
HOUSEHOLD = """
query($p: String!) {
  person(personId: $p) {
    household { householdId grid { code } members { relation person { personId } } }
    family { relation person { personId } }
  }
}
"""


def card(sequence: int, born: str) -> str:
    first17 = f"370811{born}{sequence:03d}"
    return first17 + id_card_check_digit(first17)


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)-[:PART_OF]->(:Community)-[:PART_OF]->(s:Street)"
        " MATCH (s)<-[:PART_OF]-(:Community)<-[:PART_OF]-(other:Grid) WHERE other <> g"
        " WITH g, w, s, other ORDER BY g.code, other.code"
        " RETURN g.code AS grid, w.id AS worker, s.code AS street, other.code AS other LIMIT 1"
    )
    return row


def _register(http: TestClient, who: dict[str, str], grid: str, number: str) -> str:
    new = {"name": "张" + number[-3:], "idCard": number, "grid": grid}
    person: str = data(http, who, REGISTER, input=new)["registerResident"]["personId"]
    return person


async def test_form_join_leave_with_relations_seen_from_both_ends(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker = bearer(hs256(settings, "grid_worker", [grid], subject="hh-w"))
    stranger = bearer(hs256(settings, "grid_worker", [scene["other"]], subject="hh-w2"))
    street = bearer(hs256(settings, "street_officer", [scene["street"]], subject="hh-s"))
    admin = bearer(hs256(settings, "admin", subject="hh-a"))
    head = _register(http, worker, grid, card(201, "19700101"))
    spouse = _register(http, worker, grid, card(202, "19720101"))
    child = _register(http, street, grid, card(203, "19990101"))
    elder = _register(http, admin, grid, card(204, "19450101"))
    away = _register(http, admin, scene["other"], card(205, "19990101"))
    # the worker forms a household; a stranger may not
    assert error_code(http, stranger, FORM, head=head) == "NOT_FOUND"
    formed = data(http, worker, FORM, head=head)["formHousehold"]
    household = formed["householdId"]
    assert error_code(http, worker, FORM, head=head) == "BAD_USER_INPUT"  # already in one
    # members join with their relation to the head; impossible relations are refused
    assert error_code(http, worker, JOIN, h=household, p=elder, r="CHILD") == "BAD_USER_INPUT"
    assert error_code(http, worker, JOIN, h=household, p=child, r="PARENT") == "BAD_USER_INPUT"
    assert error_code(http, worker, JOIN, h=household, p=away, r="CHILD") == "NOT_FOUND"
    assert error_code(http, admin, JOIN, h=household, p=away, r="CHILD") == "BAD_USER_INPUT"
    assert error_code(http, stranger, JOIN, h=household, p=child, r="CHILD") == "NOT_FOUND"
    data(http, worker, JOIN, h=household, p=spouse, r="SPOUSE")
    data(http, street, JOIN, h=household, p=child, r="CHILD")
    data(http, admin, JOIN, h=household, p=elder, r="PARENT")
    assert error_code(http, worker, JOIN, h=household, p=child, r="CHILD") == "BAD_USER_INPUT"
    # then the household lists them, and each end sees the tie the right way round
    seen = data(http, worker, HOUSEHOLD, p=child)["person"]
    members = {m["person"]["personId"]: m["relation"] for m in seen["household"]["members"]}
    assert members == {head: "HEAD", spouse: "SPOUSE", child: "CHILD", elder: "PARENT"}
    assert seen["household"]["grid"] == {"code": grid}
    assert {f["person"]["personId"]: f["relation"] for f in seen["family"]} == {head: "parent"}
    from_head = data(http, worker, HOUSEHOLD, p=head)["person"]["family"]
    assert {f["person"]["personId"]: f["relation"] for f in from_head} == {
        spouse: "spouse",
        child: "child",
        elder: "parent",
    }
    from_elder = data(http, worker, HOUSEHOLD, p=elder)["person"]["family"]
    assert {f["person"]["personId"]: f["relation"] for f in from_elder} == {head: "child"}
    # the head leaves last; members leave with history kept
    assert error_code(http, worker, LEAVE, h=household, p=head) == "BAD_USER_INPUT"
    for member in (spouse, child, elder):
        assert data(http, worker, LEAVE, h=household, p=member)["leaveHousehold"]["dissolved"] is (
            False
        )
    assert data(http, worker, LEAVE, h=household, p=head)["leaveHousehold"]["dissolved"] is True
    [kept] = await tiny.read(
        "MATCH (:Person)-[r:MEMBER_OF_HOUSEHOLD]->(:Household {id: $h}) "
        "RETURN count(r) AS all, count(r.until) AS ended",
        {"h": household},
    )
    assert kept == {"all": 4, "ended": 4}
    assert data(http, worker, HOUSEHOLD, p=child)["person"]["household"] is None


async def test_two_concurrent_joins_at_one_version_one_conflicts(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker = bearer(hs256(settings, "grid_worker", [grid], subject="hh-race"))
    head = _register(http, worker, grid, card(301, "19700101"))
    one = _register(http, worker, grid, card(302, "19980101"))
    two = _register(http, worker, grid, card(303, "19990101"))
    formed = data(http, worker, FORM, head=head)["formHousehold"]
    who = principal(Role.GRID_WORKER, {grid})
    results = await asyncio.gather(
        *(
            execute_as(
                tiny, who, JOIN, h=formed["householdId"], p=p, r="CHILD", v=formed["version"]
            )
            for p in (one, two)
        )
    )
    codes = sorted(errors[0]["extensions"]["code"] if errors else "OK" for _, errors in results)
    assert codes == ["CONFLICT", "OK"]
