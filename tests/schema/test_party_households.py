"""Central households' contacts (党员中心户) over HTTP with real tokens: who may record where,
bad input and nothing written, and the read fields with row scope and agreements."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import body, data, error_code
from tests.tokens import bearer, hs256

RECORD = """
mutation H($input: RecordHouseholdContactInput!, $key: String) {
  recordHouseholdContact(input: $input, idempotencyKey: $key) { contactId gridCode replayed }
}
"""
CONTACTS = """
query C($g: String!) {
  grid(code: $g) {
    householdContacts(first: 2) {
      totalCount
      edges { node {
        contactId kind notes concern member { personId } householdHead { personId } grid { code }
      } }
    }
  }
}
"""
COUNT = "MATCH (c:HouseholdContact) RETURN count(c) AS n"


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    rows = await tiny.read(
        "MATCH (m:Person)-[:CENTRAL_HOUSEHOLD_FOR]->(h:Person)-[:RESIDES_IN]->(g:Grid) "
        "MATCH (w:Person)-[:WORKS_GRID]->(g) "
        "WITH g, w, m, h ORDER BY g.code, m.id, h.id "
        "WITH g, w, collect([m.id, h.id]) AS pairs "
        "RETURN g.code AS grid, w.id AS worker, pairs[0][0] AS member, pairs[0][1] AS head "
        "ORDER BY grid LIMIT 2"
    )
    own, other = rows
    [stranger] = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid {code: $g}) "
        "WHERE NOT (:Person {id: $m})-[:CENTRAL_HOUSEHOLD_FOR]->(p) AND p.id <> $m "
        "RETURN p.id AS id ORDER BY id LIMIT 1",
        {"g": own["grid"], "m": own["member"]},
    )
    return {
        **own,
        "stranger": stranger["id"],
        "other_grid": other["grid"],
        "other_member": other["member"],
        "other_head": other["head"],
    }


def _input(scene: dict[str, Any], **changes: Any) -> dict[str, Any]:
    base = {"member": scene["member"], "household": scene["head"], "kind": "HOME_VISIT"}
    return {**base, "notes": "了解老人近况", "concern": "楼道灯坏了", **changes}


async def test_contacts_are_recorded_per_role_and_read_back(
    http: TestClient, tiny: GraphClient, settings: Settings, scene: dict[str, Any]
) -> None:
    grid = scene["grid"]
    worker = bearer(hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="gw"))
    street = bearer(hs256(settings, "street_officer", [grid[:9]], subject="st-hc"))
    admin = bearer(hs256(settings, "admin", subject="admin-hc"))
    partner = bearer(
        hs256(settings, "partner", ["370811"], agreement="hotline-12345", subject="pt-hc"),
        purpose="check",
    )
    [before] = await tiny.read(COUNT)
    seeded = data(http, worker, CONTACTS, g=grid)["grid"]["householdContacts"]["totalCount"]
    # refused: another grid's household for a grid worker (as unknown), a household the member
    # does not look after, bad input; partners never write; nothing is written
    elsewhere = _input(scene, member=scene["other_member"], household=scene["other_head"])
    assert error_code(http, worker, RECORD, input=elsewhere) == "NOT_FOUND"
    assert error_code(http, worker, RECORD, input=_input(scene, household=scene["stranger"])) == (
        "BAD_USER_INPUT"
    )
    assert error_code(http, worker, RECORD, input=_input(scene, household=scene["member"])) == (
        "BAD_USER_INPUT"
    )
    assert (
        error_code(http, worker, RECORD, input=_input(scene, notes="长" * 2001)) == "BAD_USER_INPUT"
    )
    late = "2099-01-01T00:00:00+08:00"
    assert error_code(http, worker, RECORD, input=_input(scene, at=late)) == "BAD_USER_INPUT"
    assert error_code(http, worker, RECORD, input=_input(scene, member="P-nobody")) == "NOT_FOUND"
    assert error_code(http, partner, RECORD, input=_input(scene)) == "FORBIDDEN"
    assert await tiny.read(COUNT) == [before]
    # recorded by the grid worker (retried with its key), the street officer and an admin
    done = data(http, worker, RECORD, input=_input(scene), key="hc-1")["recordHouseholdContact"]
    again = data(http, worker, RECORD, input=_input(scene), key="hc-1")["recordHouseholdContact"]
    assert again == {**done, "replayed": True} and done["gridCode"] == grid
    assert error_code(http, street, RECORD, input=elsewhere) == "OK"
    assert error_code(http, admin, RECORD, input=_input(scene, kind="PHONE")) == "OK"
    assert await tiny.read(COUNT) == [{"n": before["n"] + 3}]
    # read back, latest first, with member, household and grid
    page = data(http, worker, CONTACTS, g=grid)["grid"]["householdContacts"]
    assert page["totalCount"] == seeded + 2
    kinds = [edge["node"]["kind"] for edge in page["edges"]]
    assert sorted(kinds) == ["HOME_VISIT", "PHONE"]
    node = next(e["node"] for e in page["edges"] if e["node"]["contactId"] == done["contactId"])
    assert node == {
        "contactId": done["contactId"],
        "kind": "HOME_VISIT",
        "notes": "了解老人近况",
        "concern": "楼道灯坏了",
        "member": {"personId": scene["member"]},
        "householdHead": {"personId": scene["head"]},
        "grid": {"code": grid},
    }
    # another grid's worker does not see them; partners are refused by field
    outsider = bearer(hs256(settings, "grid_worker", [scene["other_grid"]], subject="gw-o"))
    assert error_code(http, outsider, CONTACTS, g=grid) in {"NOT_FOUND", "OK"}
    seen = body(http, outsider, CONTACTS, g=grid)
    assert not (seen.get("data") or {}).get("grid")
    assert error_code(http, partner, CONTACTS, g=grid) == "FORBIDDEN"
