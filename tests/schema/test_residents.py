"""Keeping residents current over HTTP with real tokens: register, move (history kept), depart,
correct, relabel; per role (grid worker in and out of their grid, street officer, admin,
partner), bad input with nothing written, idempotency and a race on expectedVersion."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.personal_data import id_card_check_digit, id_card_hash
from resolvers.principal import Role
from server.settings import Settings
from tests.graphql_http import body, data
from tests.principals import execute_as, principal
from tests.schema.conftest import SEED_KEY
from tests.tokens import bearer, hs256

REGISTER = """
mutation R($input: RegisterResidentInput!, $key: String) {
  registerResident(input: $input, idempotencyKey: $key) {
    personId version status replayed
    person { name phone idCardNumber grid { code } building { code } }
  }
}
"""
MOVE = """
mutation M($p: String!, $g: String!, $b: String, $a: String, $s: Date, $v: Int) {
  moveResident(personId: $p, grid: $g, building: $b, address: $a, since: $s,
               expectedVersion: $v) { personId version status }
}
"""
DEPART = """
mutation D($p: String!, $r: DepartureReason!) {
  recordDeparture(personId: $p, reason: $r, note: "迁出本区") { personId version status }
}
"""
CORRECT = """
mutation C($p: String!, $n: String, $phone: String, $v: Int) {
  correctResident(personId: $p, name: $n, phone: $phone, expectedVersion: $v) {
    personId version
  }
}
"""
LABEL = """
mutation L($p: String!, $c: String, $t: [String!], $g: String, $why: String!, $v: Int) {
  changePersonLabels(personId: $p, colourLabel: $c, tags: $t, grade: $g, reason: $why,
                     expectedVersion: $v) {
    personId version labelChangeIds
  }
}
"""
HISTORY = """
query H($p: String!) {
  person(personId: $p) {
    status version colourLabel tags keyPersonGrade address
    grid { code } building { code }
    residenceHistory { grid { code } since until address leftBecause }
    labelHistory { field before after reason bySubject }
  }
}
"""


def card(sequence: int, born: str = "19850314") -> str:
    """A valid ID-card number of Rencheng (370811) with this sequence number."""
    first17 = f"370811{born}{sequence:03d}"
    return first17 + id_card_check_digit(first17)


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    [row] = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)-[:PART_OF]->(:Community)-[:PART_OF]->(s:Street)"
        " MATCH (s)<-[:PART_OF]-(:Community)<-[:PART_OF]-(other:Grid) WHERE other <> g"
        " MATCH (g)<-[:RESIDES_IN]-(p:Person)"
        " WHERE NOT (p)-[:WORKS_GRID|SUPPORTS|MEMBER_OF|SECRETARY_OF|INSTRUCTS]->()"
        " AND NOT (p)-[:PARTY_TO|REPORTED_BY|HANDLED_BY]-()"
        " MATCH (b:Building)-[:PART_OF]->(g) MATCH (ob:Building)-[:PART_OF]->(other)"
        " WITH g, w, other, s, p, b, ob ORDER BY g.code, other.code, p.id, b.code, ob.code"
        " RETURN g.code AS grid, w.id AS worker, other.code AS other, s.code AS street,"
        " collect(DISTINCT p.id)[0..4] AS residents, collect(DISTINCT b.code)[0..2] AS buildings,"
        " collect(DISTINCT ob.code)[0] AS otherBuilding LIMIT 1"
    )
    return row


def tokens(settings: Settings, scene: dict[str, Any]) -> dict[str, dict[str, str]]:
    grid, other = scene["grid"], scene["other"]
    return {
        "worker": bearer(
            hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="res-w")
        ),
        "stranger": bearer(hs256(settings, "grid_worker", [other], subject="res-w2")),
        "street": bearer(hs256(settings, "street_officer", [scene["street"]], subject="res-s")),
        "admin": bearer(hs256(settings, "admin", subject="res-admin")),
        "investigator": bearer(hs256(settings, "investigator", [grid], subject="res-i")),
    }


def code_of(http: TestClient, who: dict[str, str], query: str, **variables: Any) -> str:
    found = body(http, who, query, **variables)
    assert found.get("errors"), found
    code: str = found["errors"][0]["extensions"]["code"]
    return code


async def _count(graph: GraphClient) -> dict[str, Any]:
    [row] = await graph.read(
        "MATCH (p:Person) OPTIONAL MATCH (p)-[r:RESIDES_IN|LIVES_AT]->() "
        "RETURN count(DISTINCT p) AS persons, count(r) AS homes, sum(p.version) AS versions"
    )
    return row


async def test_register_a_resident_per_role_and_bad_input(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = tokens(settings, scene)
    grid, building = scene["grid"], scene["buildings"][0]
    new = {"name": "王新民", "idCard": card(101), "phone": "13912345678", "grid": grid}
    before = await _count(tiny)
    # when the input is wrong, or the caller may not, nothing is written
    bad_card = {**new, "idCard": card(101)[:-1] + ("0" if card(101)[-1] != "0" else "1")}
    assert code_of(http, who["worker"], REGISTER, input=bad_card) == "BAD_USER_INPUT"
    assert code_of(http, who["worker"], REGISTER, input={**new, "phone": "12345"}) == (
        "BAD_USER_INPUT"
    )
    assert code_of(http, who["worker"], REGISTER, input={**new, "colourLabel": "pink"}) == (
        "BAD_USER_INPUT"
    )
    wrong_building = {**new, "building": scene["otherBuilding"]}
    assert code_of(http, who["worker"], REGISTER, input=wrong_building) == "BAD_USER_INPUT"
    assert code_of(http, who["stranger"], REGISTER, input=new) == "NOT_FOUND"
    assert code_of(http, who["investigator"], REGISTER, input=new) == "FORBIDDEN"
    assert await _count(tiny) == before
    # when the grid's worker registers the resident in a building of the grid
    done = data(http, who["worker"], REGISTER, input={**new, "building": building}, key="r1")
    payload = done["registerResident"]
    assert payload["status"] == "resident" and payload["replayed"] is False
    assert payload["person"] == {
        "name": "王新民",
        "phone": "13912345678",
        "idCardNumber": card(101),
        "grid": {"code": grid},
        "building": {"code": building},
    }
    # then only protected forms are stored, under the importer's blind index
    [stored] = await tiny.read(
        "MATCH (p:Person {id: $id}) RETURN p AS p", {"id": payload["personId"]}
    )
    assert stored["p"]["idCardHash"] == id_card_hash(SEED_KEY, card(101))
    assert stored["p"]["idCardMasked"] == card(101)[:6] + "********" + card(101)[-4:]
    assert card(101) not in str(stored) and "13912345678" not in str(stored)
    # and a retry replays; registering the same number again is refused
    again = data(http, who["worker"], REGISTER, input={**new, "building": building}, key="r1")
    assert again["registerResident"]["replayed"] is True
    assert code_of(http, who["street"], REGISTER, input=new) == "BAD_USER_INPUT"
    # the street officer and the admin register in any grid of their places
    other = {**new, "idCard": card(102), "grid": scene["other"]}
    assert data(http, who["street"], REGISTER, input=other)["registerResident"]["version"] == 2
    third = {**new, "idCard": card(103)}
    assert data(http, who["admin"], REGISTER, input=third)["registerResident"]["status"] == (
        "resident"
    )


async def test_moves_keep_history_and_scope_follows_the_resident(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = tokens(settings, scene)
    person = scene["residents"][0]
    grid, other = scene["grid"], scene["other"]
    [building, second] = scene["buildings"]
    # the grid worker moves their resident within the grid, into a building
    moved = data(http, who["worker"], MOVE, p=person, g=grid, b=building, a="1单元101室")
    version = moved["moveResident"]["version"]
    data(http, who["worker"], MOVE, p=person, g=grid, b=second, a="2单元202室", v=version)
    # a stale version, a grid out of scope, a stranger: refused, nothing written
    before = await _count(tiny)
    assert code_of(http, who["worker"], MOVE, p=person, g=grid, v=version) == "CONFLICT"
    assert code_of(http, who["worker"], MOVE, p=person, g=other) == "NOT_FOUND"
    assert code_of(http, who["stranger"], MOVE, p=person, g=other) == "NOT_FOUND"
    assert code_of(http, who["worker"], MOVE, p=person, g="37081100") == "BAD_USER_INPUT"
    assert code_of(http, who["worker"], MOVE, p=person, g=grid, s="1900-01-01") == (
        "BAD_USER_INPUT"
    )
    assert await _count(tiny) == before
    # the street officer moves the resident to another grid of the street
    data(http, who["street"], MOVE, p=person, g=other, b=scene["otherBuilding"], a="新址")
    found = data(http, who["admin"], HISTORY, p=person)["person"]
    assert found["grid"] == {"code": other} and found["building"] == {
        "code": scene["otherBuilding"]
    }
    periods = found["residenceHistory"]
    assert [p["grid"]["code"] for p in periods][:3] == [other, grid, grid]
    assert periods[0]["until"] is None and periods[0]["address"] == "新址"
    assert all(p["until"] is not None and p["leftBecause"] == "moved" for p in periods[1:])
    [lives] = await tiny.read(
        "MATCH (:Person {id: $p})-[r:LIVES_AT]->(b) "
        "RETURN count(r) AS all, count(CASE WHEN r.until IS NULL THEN 1 END) AS now",
        {"p": person},
    )
    assert lives == {"all": 4, "now": 1}  # the seeded building and three moves
    # then the former grid's worker no longer sees the resident; the new grid's does
    assert code_of(http, who["worker"], HISTORY, p=person) == "NOT_FOUND"
    assert data(http, who["stranger"], HISTORY, p=person)["person"]["grid"] == {"code": other}


async def test_departure_death_and_corrections(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = tokens(settings, scene)
    person = scene["residents"][1]
    # a correction of name and phone: the phone is stored protected, the version moves on
    fixed = data(http, who["worker"], CORRECT, p=person, n="李更正", phone="+86 139-0000-1111")
    version = fixed["correctResident"]["version"]
    shown = data(
        http,
        who["admin"],
        "query($p: String!) { person(personId: $p) { name phone phoneMasked version } }",
        p=person,
    )["person"]
    assert shown == {
        "name": "李更正",
        "phone": "13900001111",
        "phoneMasked": "139****1111",
        "version": version,
    }
    assert code_of(http, who["worker"], CORRECT, p=person) == "BAD_USER_INPUT"
    assert code_of(http, who["worker"], CORRECT, p=person, phone="0531-1234") == "BAD_USER_INPUT"
    assert code_of(http, who["stranger"], CORRECT, p=person, n="x") == "NOT_FOUND"
    # when the resident dies, residence ends; the person is history (admin still reads it)
    gone = data(http, who["worker"], DEPART, p=person, r="DECEASED")["recordDeparture"]
    assert gone["status"] == "deceased"
    assert code_of(http, who["worker"], DEPART, p=person, r="DECEASED") == "NOT_FOUND"
    found = data(http, who["admin"], HISTORY, p=person)["person"]
    assert found["status"] == "deceased" and found["grid"] is None
    assert found["residenceHistory"][0]["leftBecause"] == "deceased"


async def test_label_changes_are_kept_as_history(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = tokens(settings, scene)
    person = scene["residents"][2]
    [before] = await tiny.read(
        "MATCH (p:Person {id: $p}) RETURN p.colourLabel AS c, coalesce(p.tags, []) AS t",
        {"p": person},
    )
    # bad codes, a blank reason, a stranger: refused
    assert code_of(http, who["worker"], LABEL, p=person, c="pink", why="x") == "BAD_USER_INPUT"
    assert code_of(http, who["worker"], LABEL, p=person, g="Z", why="x") == "BAD_USER_INPUT"
    assert code_of(http, who["worker"], LABEL, p=person, c="red", why=" ") == "BAD_USER_INPUT"
    assert code_of(http, who["stranger"], LABEL, p=person, c="red", why="x") == "NOT_FOUND"
    # when the worker labels the resident red, a key person of grade A and type petitioner
    done = data(
        http,
        who["worker"],
        LABEL,
        p=person,
        c="red",
        t=["key_petitioner"],
        g="A",
        why="多次越级上访",
    )["changePersonLabels"]
    changed = 1 + (before["c"] != "red") + (sorted(before["t"]) != ["key_petitioner"])
    assert len(done["labelChangeIds"]) == changed
    # then the person carries the labels and the history says who, when and why
    found = data(http, who["admin"], HISTORY, p=person)["person"]
    assert (found["colourLabel"], found["tags"], found["keyPersonGrade"]) == (
        "red",
        ["key_petitioner"],
        "A",
    )
    history = {entry["field"]: entry for entry in found["labelHistory"]}
    assert history["keyPersonGrade"] == {
        "field": "keyPersonGrade",
        "before": [],
        "after": ["A"],
        "reason": "多次越级上访",
        "bySubject": "res-w",
    }
    # the same labels again change nothing
    same = data(http, who["worker"], LABEL, p=person, c="red", why="复核")["changePersonLabels"]
    assert same["labelChangeIds"] == []
    # and a partner may not read the history (no agreement lists it)
    partner = bearer(
        hs256(settings, "partner", agreement="justice-mediation", subject="res-p"),
        purpose="review 16-1",
    )
    query = "query($p: String!) { person(personId: $p) { labelHistory { reason } } }"
    assert code_of(http, partner, query, p=person) == "FORBIDDEN"
    # nor write anything
    assert code_of(http, partner, LABEL, p=person, c="green", why="x") == "FORBIDDEN"


async def test_two_concurrent_corrections_one_wins_the_other_conflicts(
    tiny: GraphClient, scene: dict[str, Any]
) -> None:
    person = scene["residents"][3]
    worker = principal(Role.GRID_WORKER, {scene["grid"]}, person_id=scene["worker"])
    [row] = await tiny.read(
        "MATCH (p:Person {id: $p}) RETURN coalesce(p.version, 0) AS v", {"p": person}
    )
    # when two editors who both saw version v correct the person at once
    results = await asyncio.gather(
        *(execute_as(tiny, worker, CORRECT, p=person, n=name, v=row["v"]) for name in "甲乙")
    )
    # then exactly one wins; the other gets CONFLICT with the current version
    codes = sorted(errors[0]["extensions"]["code"] if errors else "OK" for _, errors in results)
    assert codes == ["CONFLICT", "OK"]
    loser = next(errors[0] for _, errors in results if errors)
    assert loser["extensions"]["currentVersion"] == row["v"] + 1
    [after] = await tiny.read("MATCH (p:Person {id: $p}) RETURN p.version AS v", {"p": person})
    assert after["v"] == row["v"] + 1
