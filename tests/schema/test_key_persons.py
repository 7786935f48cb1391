"""Key persons (重点人员) over HTTP with real tokens: grade and type, responsible persons, measures
with due days and follow-ups, overdue measures in the grid worker's inbox; per role, bad input,
and a race on a measure's expectedVersion."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.key_persons import key_person_rules
from graph.personal_data import id_card_check_digit
from resolvers.principal import Role
from server.settings import Settings
from tests.graphql_http import data, error_code
from tests.principals import execute_as, principal
from tests.tokens import bearer, hs256

REGISTER = """
mutation R($input: RegisterResidentInput!) { registerResident(input: $input) { personId } }
"""
LABEL = """
mutation L($p: String!, $t: [String!], $g: String) {
  changePersonLabels(personId: $p, tags: $t, grade: $g, reason: "部门推送名单核实") { version }
}
"""
RESPONSIBLE = """
mutation A($p: String!, $r: String!, $release: Boolean) {
  assignKeyPersonResponsible(personId: $p, responsibleId: $r, duty: "包保", release: $release) {
    version
  }
}
"""
ADD = """
mutation M($p: String!, $kind: String!, $d: String!, $due: Date, $a: String, $key: String) {
  addKeyPersonMeasure(personId: $p, kind: $kind, description: $d, dueOn: $due, assigneeId: $a,
                      idempotencyKey: $key) {
    measureId version status dueOn replayed
  }
}
"""
FOLLOW = """
mutation F($m: String!, $note: String!, $done: Boolean, $v: Int) {
  recordMeasureFollowUp(measureId: $m, note: $note, done: $done, expectedVersion: $v) {
    measureId version status dueOn
  }
}
"""
PERSON = """
query P($p: String!) {
  person(personId: $p) {
    keyPersonGrade tags
    responsiblePersons { person { personId } duty }
    keyPersonMeasures { measureId kind status dueOn assignee { personId }
                        followUps { note bySubject } }
  }
}
"""
INBOX = """
{ myInbox { overdueMeasures { totalCount edges { node { measureId person { personId } } } } } }
"""
OVERDUE = """
query O($place: String, $asOf: Date) {
  overdueMeasures(place: $place, asOf: $asOf) { totalCount edges { node { measureId } } }
}
"""


def card(sequence: int) -> str:
    first17 = f"370811197704{sequence % 28 + 1:02d}{sequence:03d}"
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


def _who(settings: Settings, scene: dict[str, Any]) -> dict[str, dict[str, str]]:
    grid = scene["grid"]
    return {
        "worker": bearer(
            hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="kp-w")
        ),
        "stranger": bearer(hs256(settings, "grid_worker", [scene["other"]], subject="kp-w2")),
        "street": bearer(hs256(settings, "street_officer", [scene["street"]], subject="kp-s")),
        "admin": bearer(hs256(settings, "admin", subject="kp-a")),
        "investigator": bearer(hs256(settings, "investigator", [grid], subject="kp-i")),
    }


def _key_person(http: TestClient, who: dict[str, dict[str, str]], grid: str, n: int) -> str:
    new = {"name": f"赵{n}", "idCard": card(n), "grid": grid}
    person: str = data(http, who["admin"], REGISTER, input=new)["registerResident"]["personId"]
    data(http, who["worker"], LABEL, p=person, t=["released_prisoner"], g="A")
    return person


async def test_measures_responsible_persons_and_the_inbox(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _who(settings, scene)
    grid, worker = scene["grid"], scene["worker"]
    person = _key_person(http, who, grid, 401)
    plain = data(
        http, who["admin"], REGISTER, input={"name": "钱", "idCard": card(402), "grid": grid}
    )["registerResident"]["personId"]
    # refusals: no tag, unknown kind, blank description, past due day, stranger, other role
    assert error_code(http, who["worker"], ADD, p=plain, kind="help", d="走访") == "BAD_USER_INPUT"
    assert error_code(http, who["worker"], ADD, p=person, kind="x", d="走访") == "BAD_USER_INPUT"
    assert error_code(http, who["worker"], ADD, p=person, kind="help", d=" ") == "BAD_USER_INPUT"
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    assert error_code(http, who["worker"], ADD, p=person, kind="help", d="x", due=yesterday) == (
        "BAD_USER_INPUT"
    )
    assert error_code(http, who["stranger"], ADD, p=person, kind="help", d="走访") == "NOT_FOUND"
    assert (
        error_code(http, who["investigator"], ADD, p=person, kind="help", d="走访") == "FORBIDDEN"
    )
    assert error_code(http, who["stranger"], RESPONSIBLE, p=person, r=worker) == "NOT_FOUND"
    # the worker becomes responsible and adds a help measure; due after grade A's interval
    data(http, who["worker"], RESPONSIBLE, p=person, r=worker)
    added = data(
        http, who["worker"], ADD, p=person, kind="help", d="协助就业帮扶", a=worker, key="m1"
    )["addKeyPersonMeasure"]
    days = key_person_rules().grade("A").follow_up_days
    assert added["status"] == "open" and added["version"] == 1
    assert date.fromisoformat(added["dueOn"]) >= date.today() + timedelta(days=days - 1)
    again = data(
        http, who["worker"], ADD, p=person, kind="help", d="协助就业帮扶", a=worker, key="m1"
    )
    assert again["addKeyPersonMeasure"]["replayed"] is True
    stable = data(http, who["street"], ADD, p=person, kind="stability_control", d="稳控")
    measure = added["measureId"]
    found = data(http, who["admin"], PERSON, p=person)["person"]
    assert found["keyPersonGrade"] == "A" and found["tags"] == ["released_prisoner"]
    assert found["responsiblePersons"] == [{"person": {"personId": worker}, "duty": "包保"}]
    measures = {m["measureId"]: m for m in found["keyPersonMeasures"]}
    assert set(measures) == {measure, stable["addKeyPersonMeasure"]["measureId"]}
    assert measures[measure]["assignee"] == {"personId": worker}
    # nothing is overdue yet; given the due day passed, the measure waits in the worker's inbox
    assert data(http, who["worker"], INBOX)["myInbox"]["overdueMeasures"]["totalCount"] == 0
    await tiny.write(
        "MATCH (m:KeyPersonMeasure {id: $m}) SET m.dueOn = $due",
        {"m": measure, "due": date.today() - timedelta(days=1)},
    )
    inbox = data(http, who["worker"], INBOX)["myInbox"]["overdueMeasures"]
    assert inbox["totalCount"] == 1
    assert inbox["edges"][0]["node"] == {"measureId": measure, "person": {"personId": person}}
    assert data(http, who["stranger"], INBOX)["myInbox"]["overdueMeasures"]["totalCount"] == 0
    later = (date.today() + timedelta(days=60)).isoformat()
    street_view = data(http, who["street"], OVERDUE, place=scene["street"], asOf=later)
    assert street_view["overdueMeasures"]["totalCount"] >= 2
    # a follow-up moves the due day on; done closes; a closed measure takes no follow-up
    follow = data(http, who["worker"], FOLLOW, m=measure, note="已入户走访", v=1)
    assert follow["recordMeasureFollowUp"]["status"] == "open"
    assert date.fromisoformat(follow["recordMeasureFollowUp"]["dueOn"]) > date.today()
    assert data(http, who["worker"], INBOX)["myInbox"]["overdueMeasures"]["totalCount"] == 0
    assert error_code(http, who["worker"], FOLLOW, m=measure, note="x", v=1) == "CONFLICT"
    assert error_code(http, who["stranger"], FOLLOW, m=measure, note="x") == "NOT_FOUND"
    done = data(http, who["worker"], FOLLOW, m=measure, note="已就业", done=True, v=2)
    assert done["recordMeasureFollowUp"]["status"] == "done"
    assert error_code(http, who["worker"], FOLLOW, m=measure, note="x") == "BAD_USER_INPUT"
    shown = data(http, who["admin"], PERSON, p=person)["person"]["keyPersonMeasures"]
    notes = next(m for m in shown if m["measureId"] == measure)["followUps"]
    assert [n["note"] for n in notes] == ["已就业", "已入户走访"]
    assert {n["bySubject"] for n in notes} == {"kp-w"}


async def test_two_concurrent_follow_ups_one_conflicts(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    who = _who(settings, scene)
    person = _key_person(http, who, scene["grid"], 403)
    added = data(http, who["worker"], ADD, p=person, kind="education", d="法治教育")
    measure = added["addKeyPersonMeasure"]["measureId"]
    worker = principal(Role.GRID_WORKER, {scene["grid"]}, person_id=scene["worker"])
    results = await asyncio.gather(
        *(execute_as(tiny, worker, FOLLOW, m=measure, note=note, v=1) for note in ("甲", "乙"))
    )
    codes = sorted(errors[0]["extensions"]["code"] if errors else "OK" for _, errors in results)
    assert codes == ["CONFLICT", "OK"]
    [row] = await tiny.read(
        "MATCH (m:KeyPersonMeasure {id: $m}) RETURN m.version AS v, "
        "COUNT { (m)-[:HAS_FOLLOW_UP]->() } AS notes",
        {"m": measure},
    )
    assert row == {"v": 2, "notes": 1}
