"""The offices of the closed loop over HTTP with real tokens (docs/workflow.md, docs/security.md):
community and street officers, the hotline centre (任诚办) and department officers each see
their scope (expectations from independent Cypher), act only on what they hold, and are refused
elsewhere with nothing written.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import Settings
from tests.graphql_http import body, data
from tests.tokens import bearer, hs256

DISTRICT = "370811"
STREET = "370811001"

RESULT = "caseCode status version replayed case { currentLevel assignee }"


def _mutation(field: str, arguments: str = "", variables: str = "") -> str:
    return (
        f"mutation M($code: String!, $v: Int, $key: String{variables}) {{\n"
        f"  {field}(code: $code, expectedVersion: $v, idempotencyKey: $key{arguments})"
        f" {{ {RESULT} }}\n}}"
    )


ACCEPT = _mutation("acceptCase")
ESCALATE = _mutation("escalateCase", ", reason: $reason", ", $reason: String!")
CALL_HOTLINE = _mutation("callHotline", ", reason: $reason", ", $reason: String!")
DISPATCH = _mutation("dispatchWorkOrder", ", department: $d", ", $d: String!")
SIGN = _mutation("signWorkOrder")
RETURN = _mutation("returnWorkOrder", ", reason: $reason", ", $reason: String!")
EXTEND = _mutation(
    "requestExtension", ", until: $until, reason: $reason", ", $until: DateTime!, $reason: String!"
)
RESOLVE = _mutation("resolveCase")
FOLLOW_UP = _mutation("recordFollowUp", ", satisfaction: $s", ", $s: Int!")
REPORT = """
mutation Report($input: ReportCaseInput!) {
  reportCase(input: $input) { caseCode status case { currentLevel assignee channel } }
}
"""
CASES = "query($p: String!) { cases(place: $p) { totalCount } }"
CASE = "query($c: String!) { case(code: $c) { code status currentLevel assignee version } }"
INBOX = """
query { myInbox(first: 100) { totalCount edges { duty dueAt node { code currentLevel } } } }
"""
SUPERVISED = """
query($p: String, $d: String) {
  inbox(place: $p, department: $d, first: 100) { totalCount edges { node { code } } }
}
"""


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    """A grid with its worker and a resident, the other community, and two departments: one
    whose professional members support the grid, and one whose members support none of the
    first community's grids."""
    [grid] = await tiny.read(
        "MATCH (w:Person)-[:WORKS_GRID]->(g:Grid)<-[:RESIDES_IN]-(p:Person) "
        "WITH g, w, p ORDER BY g.code, p.id "
        "RETURN g.code AS grid, w.id AS worker, collect(p.id)[0] AS resident LIMIT 1"
    )
    [other] = await tiny.read(
        "MATCH (c:Community) WHERE NOT $g STARTS WITH c.code RETURN c.code AS code "
        "ORDER BY code LIMIT 1",
        {"g": grid["grid"]},
    )
    [supporting] = await tiny.read(
        "MATCH (d:Department)<-[:MEMBER_OF]-(:Person)-[:SUPPORTS]->(:Grid {code: $g}) "
        "RETURN d.code AS code ORDER BY code LIMIT 1",
        {"g": grid["grid"]},
    )
    [stranger] = await tiny.read(
        "MATCH (d:Department) WHERE NOT EXISTS { (d)<-[:MEMBER_OF]-(:Person)-[:SUPPORTS]->"
        "(g:Grid) WHERE g.code STARTS WITH $c } "
        "AND NOT EXISTS { (d)<-[:HANDLED_BY]-(:Case)-[:OCCURRED_IN]->(g:Grid) "
        "WHERE g.code STARTS WITH $c } "
        "RETURN d.code AS code ORDER BY code LIMIT 1",
        {"c": grid["grid"][:12]},
    )
    return {
        **grid,
        "community": grid["grid"][:12],
        "other_community": other["code"],
        "department": supporting["code"],
        "other_department": stranger["code"],
    }


def _token(settings: Settings, role: str, scope: list[str] | None, **claims: Any) -> Any:
    return bearer(hs256(settings, role, scope, subject=f"office-{role}", **claims))


@pytest.fixture(scope="module")
def offices(settings: Settings, scene: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        "worker": _token(settings, "grid_worker", [scene["grid"]], person=scene["worker"]),
        "community": _token(settings, "community_officer", [scene["community"]]),
        "other_community": _token(settings, "community_officer", [scene["other_community"]]),
        "street": _token(settings, "street_officer", [STREET]),
        "hotline": _token(settings, "hotline_operator", [DISTRICT]),
        "department": _token(settings, "department_officer", None, department=scene["department"]),
        "other_department": _token(
            settings, "department_officer", None, department=scene["other_department"]
        ),
        "admin": _token(settings, "admin", None),
    }


def _report(scene: dict[str, Any], channel: str = "grid_patrol", **extra: Any) -> dict[str, Any]:
    return {
        "grid": scene["grid"],
        "kind": "appeal",
        "category": "property_management",
        "severity": "medium",
        "channel": channel,
        "title": "小区路灯损坏",
        "parties": [{"role": "APPLICANT", "personId": scene["resident"]}],
        **extra,
    }


def _ok(http: TestClient, who: dict[str, str], document: str, **variables: Any) -> Any:
    found = data(http, who, document, **variables)
    return next(iter(found.values()))


def _refused(http: TestClient, who: dict[str, str], document: str, **variables: Any) -> str:
    found = body(http, who, document, **variables)
    assert found.get("errors"), found
    code: str = found["errors"][0]["extensions"]["code"]
    return code


async def _stored(graph: GraphClient, code: str) -> dict[str, Any]:
    [row] = await graph.read(
        "MATCH (c:Case {code: $c}) RETURN c.version AS version, c.status AS status, "
        "c.currentLevel AS level, c.assignee AS assignee, "
        "COUNT { (c)-[:HAS_EVENT]->() } AS events",
        {"c": code},
    )
    return row


async def _cases_under(graph: GraphClient, prefixes: list[str]) -> int:
    [row] = await graph.read(
        "MATCH (k:Case)-[:OCCURRED_IN]->(g:Grid) "
        "WHERE any(p IN $prefixes WHERE g.code STARTS WITH p) RETURN count(k) AS n",
        {"prefixes": prefixes},
    )
    return int(row["n"])


async def test_each_office_counts_only_the_cases_of_its_scope(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    everything = await _cases_under(tiny, [DISTRICT])
    community = await _cases_under(tiny, [scene["community"]])
    assert 0 < community < everything
    assert _ok(http, offices["community"], CASES, p=STREET)["totalCount"] == community
    assert _ok(http, offices["street"], CASES, p=STREET)["totalCount"] == everything
    assert _ok(http, offices["hotline"], CASES, p=DISTRICT)["totalCount"] == everything
    # a department sees the grids its professional members support and those of its orders
    grids = await tiny.read(
        "MATCH (d:Department {code: $d}) "
        "OPTIONAL MATCH (d)<-[:MEMBER_OF]-(:Person)-[:SUPPORTS]->(g:Grid) "
        "OPTIONAL MATCH (d)<-[:HANDLED_BY {role: 'work_order'}]-(:Case)-[:OCCURRED_IN]->(o:Grid) "
        "RETURN collect(DISTINCT g.code) + collect(DISTINCT o.code) AS grids",
        {"d": scene["department"]},
    )
    expected = await _cases_under(tiny, sorted(set(grids[0]["grids"])))
    seen = _ok(http, offices["department"], CASES, p=STREET)["totalCount"]
    assert 0 < seen == expected < everything
    # and a case of the other community is unknown to the community officer
    [outside] = await tiny.read(
        "MATCH (k:Case)-[:OCCURRED_IN]->(g:Grid) WHERE g.code STARTS WITH $c "
        "RETURN k.code AS code LIMIT 1",
        {"c": scene["other_community"]},
    )
    assert _refused(http, offices["community"], CASE, c=outside["code"]) == "NOT_FOUND"


def test_office_tokens_must_name_places_of_their_level_or_a_department(
    http: TestClient, settings: Settings, scene: dict[str, Any]
) -> None:
    wrong = [
        _token(settings, "community_officer", [STREET]),
        _token(settings, "street_officer", [scene["community"]]),
        _token(settings, "hotline_operator", [STREET]),
        _token(settings, "department_officer", None),
        _token(settings, "department_officer", None, department="370811D99"),
    ]
    for headers in wrong:
        response = http.post("/graphql", json={"query": "{ districts { code } }"}, headers=headers)
        assert response.status_code == 401, response.text


async def test_offices_take_a_case_up_the_loop_each_acting_only_on_what_it_holds(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    o = offices
    # given a case the grid worker filed and escalated to the community
    code = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=code)
    held = _ok(http, o["worker"], ESCALATE, code=code, reason="网格调处未果")
    assert held["case"] == {"currentLevel": "COMMUNITY", "assignee": scene["community"]}
    # then the street may not accept it yet, nor the worker, and the other community does
    # not even find it: nothing is written
    before = await _stored(tiny, code)
    assert _refused(http, o["street"], ACCEPT, code=code) == "FORBIDDEN"
    assert _refused(http, o["worker"], ACCEPT, code=code) == "FORBIDDEN"
    assert _refused(http, o["other_community"], ACCEPT, code=code) == "NOT_FOUND"
    assert _refused(http, o["hotline"], DISPATCH, code=code, d=scene["department"]) == "FORBIDDEN"
    assert await _stored(tiny, code) == before
    # when the community accepts and escalates, the street accepts and escalates
    version = before["version"]
    for office, document, level in (
        ("community", ACCEPT, "COMMUNITY"),
        ("community", ESCALATE, "STREET"),
        ("street", ACCEPT, "STREET"),
        ("street", ESCALATE, "DISTRICT"),
    ):
        done = _ok(http, o[office], document, code=code, v=version, reason="上报")
        version += 1
        assert (done["version"], done["case"]["currentLevel"]) == (version, level)
    # and the hotline centre dispatches a work order to the department
    done = _ok(http, o["hotline"], DISPATCH, code=code, v=version, d=scene["department"])
    assert done["case"] == {"currentLevel": "DEPARTMENT", "assignee": scene["department"]}
    version += 1
    # then only that department signs for it: another department does not find it
    before = await _stored(tiny, code)
    assert _refused(http, o["other_department"], SIGN, code=code) == "NOT_FOUND"
    assert _refused(http, o["street"], SIGN, code=code) == "FORBIDDEN"
    assert await _stored(tiny, code) == before
    signed = _ok(http, o["department"], SIGN, code=code, v=version, key=f"sign-{code}")
    again = _ok(http, o["department"], SIGN, code=code, v=version, key=f"sign-{code}")
    assert (signed["replayed"], again["replayed"], again["version"]) == (False, True, version + 1)
    version += 1
    # (a stale version is a conflict)
    assert _refused(http, o["department"], RESOLVE, code=code, v=version - 1) == "CONFLICT"
    extended = _ok(
        http, o["department"], EXTEND, code=code, until="2099-01-05T09:00:00+08:00", reason="备料"
    )
    assert extended["status"] == "SIGNED"
    resolved = _ok(http, o["department"], RESOLVE, code=code)
    assert resolved["status"] == "RESOLVED"
    # and the grid worker visits back, which closes it
    closed = _ok(http, o["worker"], FOLLOW_UP, code=code, s=5)
    assert closed["status"] == "CLOSED"
    stored = await _stored(tiny, code)
    assert (stored["level"], stored["assignee"]) == ("department", scene["department"])


async def test_a_grid_call_goes_straight_to_the_hotline_centre_and_a_return_goes_back(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    o = offices
    code = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=code)
    # the community may not call the hotline on the grid's behalf
    assert _refused(http, o["community"], CALL_HOTLINE, code=code, reason="x") == "FORBIDDEN"
    called = _ok(http, o["worker"], CALL_HOTLINE, code=code, reason="网格难以解决")
    assert (called["status"], called["case"]) == (
        "ESCALATED",
        {"currentLevel": "DISTRICT", "assignee": DISTRICT},
    )
    [escalation] = await tiny.read(
        "MATCH (:Case {code: $c})-[e:ESCALATED_TO]->(t) RETURN t.code AS target, e.level AS level",
        {"c": code},
    )
    assert escalation == {"target": DISTRICT, "level": "district"}
    _ok(http, o["hotline"], DISPATCH, code=code, d=scene["department"])
    returned = _ok(http, o["department"], RETURN, code=code, reason="不属本部门职责")
    assert returned["case"] == {"currentLevel": "DISTRICT", "assignee": DISTRICT}
    assert _refused(http, o["department"], SIGN, code=code) == "FORBIDDEN"


async def test_the_hotline_centre_files_12345_calls_at_district_level(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    hotline = offices["hotline"]
    filed = _ok(
        http, hotline, REPORT, input=_report(scene, "hotline_12345", reporter=scene["resident"])
    )
    assert filed["case"] == {
        "currentLevel": "DISTRICT",
        "assignee": DISTRICT,
        "channel": "hotline_12345",
    }
    [before] = await tiny.read("MATCH (c:Case) RETURN count(c) AS n")
    other = _report(scene, "grid_patrol", reporter=scene["resident"])
    assert _refused(http, hotline, REPORT, input=other) == "BAD_USER_INPUT"
    for office in ("community", "street", "department"):
        assert _refused(http, offices[office], REPORT, input=_report(scene)) == "FORBIDDEN"
    assert await tiny.read("MATCH (c:Case) RETURN count(c) AS n") == [before]
    # the centre takes it on itself
    accepted = _ok(http, hotline, ACCEPT, code=filed["caseCode"])
    assert accepted["case"]["currentLevel"] == "DISTRICT"


async def test_each_office_sees_exactly_its_inbox_most_urgent_first(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    # given a case waiting at the community and one waiting as a work order
    o = offices
    at_community = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=at_community)
    _ok(http, o["worker"], ESCALATE, code=at_community, reason="上报")
    ordered = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=ordered)
    _ok(http, o["worker"], CALL_HOTLINE, code=ordered, reason="呼叫")
    _ok(http, o["hotline"], DISPATCH, code=ordered, d=scene["department"])
    # (independently: held at the office's level under its code and open, and for the grid
    # worker also the resolved cases of its grid; by deadline, nothing due last, then code)
    waiting = (
        "CALL () { MATCH (c:Case) WHERE c.currentLevel = $level AND c.assignee STARTS WITH $holder"
        "  AND NOT c.status IN ['resolved', 'closed'] RETURN c"
        " UNION MATCH (c:Case {status: 'resolved'})-[:OCCURRED_IN]->(:Grid {code: $grid})"
        "  WHERE $level = 'grid' RETURN c } "
        "RETURN c.code AS code ORDER BY c.dueAt, c.code"
    )
    for office, level, holder in (
        ("community", "community", scene["community"]),
        ("street", "street", STREET),
        ("hotline", "district", DISTRICT),
        ("department", "department", scene["department"]),
        ("worker", "grid", scene["grid"]),
    ):
        rows = await tiny.read(waiting, {"level": level, "holder": holder, "grid": scene["grid"]})
        expected = [row["code"] for row in rows]
        inbox = _ok(http, o[office], INBOX)
        seen = [edge["node"]["code"] for edge in inbox["edges"]]
        assert seen == expected, office
        assert inbox["totalCount"] == len(expected)
    community = [e["node"]["code"] for e in _ok(http, o["community"], INBOX)["edges"]]
    assert at_community in community and ordered not in community
    department = _ok(http, o["department"], INBOX)["edges"]
    assert ordered in [e["node"]["code"] for e in department]
    assert {e["duty"] for e in department if e["node"]["code"] == ordered} == {"SIGN"}
    # supervisors: a place's inbox holds what waits under it; a department's its work orders
    place = _ok(http, o["admin"], SUPERVISED, p=scene["community"])
    assert {at_community, ordered} - {e["node"]["code"] for e in place["edges"]} == {ordered}
    by_department = _ok(http, o["admin"], SUPERVISED, d=scene["department"])
    assert ordered in {e["node"]["code"] for e in by_department["edges"]}
    # and the other community's officer finds none of it
    other = _ok(http, o["other_community"], SUPERVISED, p=STREET)
    assert not {at_community, ordered} & {e["node"]["code"] for e in other["edges"]}


async def test_case_lists_filter_by_holder_and_deadline(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    query = "query($p: String!, $f: CaseFilter) { cases(place: $p, filter: $f) { totalCount } }"
    admin = offices["admin"]

    def count(**filter: Any) -> int:
        found: int = _ok(http, admin, query, p=DISTRICT, f=filter)["totalCount"]
        return found

    async def expected(where: str, **params: Any) -> int:
        [row] = await tiny.read(f"MATCH (c:Case) WHERE {where} RETURN count(c) AS n", params)
        return int(row["n"])

    assert count(currentLevel="GRID") == await expected("c.currentLevel = 'grid'") > 0
    assert count(assignee=scene["department"]) == await expected(
        "c.assignee = $a", a=scene["department"]
    )
    overdue = await expected("c.dueAt < datetime()")
    assert count(overdue=True) == overdue > 0
    assert count(overdue=False) == await expected("c.dueAt IS NULL OR c.dueAt >= datetime()")
    assert count(dueBefore="2025-01-01T00:00:00+08:00") == await expected(
        "c.dueAt < datetime('2025-01-01T00:00:00+08:00')"
    )
    assert _refused(http, admin, query, p=DISTRICT, f={"assignee": "x'"}) == "BAD_USER_INPUT"


WHISTLE = _mutation(
    "blowWhistle",
    ", members: $members, reason: $reason",
    ", $members: [String!]!, $reason: String!",
)
REPORT_IN = _mutation(
    "reportToWhistle", ", step: $step, note: $note", ", $step: WhistleStep!, $note: String"
)
WHISTLES = """
query($c: String!) {
  case(code: $c) {
    whistles {
      member { personId } calledAt acknowledgeDueAt acknowledgedAt arrivedAt recordedAt work
    }
    handlers { role key }
    timeline { action actorId }
  }
}
"""
RESPONSE = """
query($d: String!) {
  department(code: $d) { whistleResponse { called acknowledged acknowledgedOnTime recorded } }
}
"""


async def test_a_whistle_calls_in_supporting_members_who_report_in_order(
    http: TestClient,
    tiny: GraphClient,
    settings: Settings,
    scene: dict[str, Any],
    offices: dict[str, Any],
) -> None:
    o = offices
    # given the grid's professional members (包保) and a professional member of another grid
    members = await tiny.read(
        "MATCH (d:Department)<-[:MEMBER_OF]-(p:Person)-[:SUPPORTS]->(:Grid {code: $g}) "
        "RETURN p.id AS id, d.code AS department ORDER BY id",
        {"g": scene["grid"]},
    )
    [stranger] = await tiny.read(
        "MATCH (:Department)<-[:MEMBER_OF]-(p:Person)-[:SUPPORTS]->(g:Grid) "
        "WHERE g.code STARTS WITH $c AND NOT (p)-[:SUPPORTS]->(:Grid {code: $g}) "
        "RETURN p.id AS id ORDER BY id LIMIT 1",
        {"g": scene["grid"], "c": scene["community"]},
    )
    member = members[0]
    as_member = _token(
        settings,
        "department_officer",
        None,
        department=member["department"],
        person=member["id"],
    )
    code = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=code)
    before = await _stored(tiny, code)
    # when a resident (no professional member of the grid) is called, refused; a member of
    # another grid is out of the worker's scope, so unknown; and the community may not whistle
    resident = {"members": [scene["resident"]], "reason": "x"}
    assert _refused(http, o["worker"], WHISTLE, code=code, **resident) == "BAD_USER_INPUT"
    elsewhere = {"members": [stranger["id"]], "reason": "x"}
    assert _refused(http, o["worker"], WHISTLE, code=code, **elsewhere) == "NOT_FOUND"
    community = _refused(
        http, o["community"], WHISTLE, code=code, members=[member["id"]], reason="x"
    )
    assert community == "FORBIDDEN"
    # and the member cannot report before being called
    assert _refused(http, as_member, REPORT_IN, code=code, step="ACKNOWLEDGE") == "FORBIDDEN"
    assert await _stored(tiny, code) == before
    # when the grid worker blows the whistle for the grid's member
    called = _ok(http, o["worker"], WHISTLE, code=code, members=[member["id"]], reason="到场核查")
    assert called["status"] == "ACCEPTED"
    # then the member reports in order: on site before acknowledging is refused
    assert _refused(http, as_member, REPORT_IN, code=code, step="ARRIVE") == "BAD_USER_INPUT"
    for step in ("ACKNOWLEDGE", "ARRIVE"):
        assert _ok(http, as_member, REPORT_IN, code=code, step=step)["status"] == "ACCEPTED"
    assert _refused(http, as_member, REPORT_IN, code=code, step="RECORD_WORK") == "BAD_USER_INPUT"
    _ok(http, as_member, REPORT_IN, code=code, step="RECORD_WORK", note="已现场处置")
    found = _ok(http, o["admin"], WHISTLES, c=code)
    [whistle] = found["whistles"]
    assert whistle["member"] == {"personId": member["id"]} and whistle["work"] == "已现场处置"
    assert whistle["acknowledgedAt"] and whistle["arrivedAt"] and whistle["recordedAt"]
    assert {"role": "professional_member", "key": member["id"]} in found["handlers"]
    reports = [e for e in found["timeline"] if e["actorId"] == member["id"]]
    assert [e["action"] for e in reports] == ["acknowledge", "arrive", "record_work"]
    # and the department's response counts it, as independent Cypher does
    [expected] = await tiny.read(
        "MATCH (:Department {code: $d})<-[:MEMBER_OF]-(:Person)<-[w:WHISTLED]-(:Case) "
        "RETURN count(w) AS called, count(w.acknowledgedAt) AS acknowledged, "
        "count(CASE WHEN w.acknowledgedAt <= w.acknowledgeDueAt THEN 1 END) AS onTime, "
        "count(w.recordedAt) AS recorded",
        {"d": member["department"]},
    )
    response = _ok(http, o["admin"], RESPONSE, d=member["department"])["whistleResponse"]
    assert response == {
        "called": expected["called"],
        "acknowledged": expected["acknowledged"],
        "acknowledgedOnTime": expected["onTime"],
        "recorded": expected["recorded"],
    }
    assert response["called"] >= 1


WORK_ORDERS = """
query($d: String!, $s: CaseStatus, $after: String) {
  department(code: $d) {
    workOrders(status: $s, first: 3, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { code status } workOrder { number dispatchedAt signedAt current dueAt } }
    }
  }
}
"""


async def test_a_department_lists_its_work_orders_newest_dispatch_first(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    # given a fresh work order of the department, signed for
    o, department = offices, scene["department"]
    code = _ok(http, o["worker"], REPORT, input=_report(scene))["caseCode"]
    _ok(http, o["worker"], ACCEPT, code=code)
    _ok(http, o["worker"], CALL_HOTLINE, code=code, reason="呼叫")
    _ok(http, o["hotline"], DISPATCH, code=code, d=department)
    _ok(http, o["department"], SIGN, code=code)
    expected = await tiny.read(
        "MATCH (:Department {code: $d})<-[r:HANDLED_BY {role: 'work_order'}]-(c:Case) "
        "WHERE $s IS NULL OR c.status = $s RETURN c.code AS code ORDER BY r.at DESC, c.code",
        {"d": department, "s": None},
    )
    # when its officer pages through all of them
    seen: list[str] = []
    after = None
    while True:
        found = _ok(http, o["department"], WORK_ORDERS, d=department, after=after)["workOrders"]
        seen += [edge["node"]["code"] for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    # then they are exactly the department's, newest dispatch first, the fresh one signed
    assert seen == [row["code"] for row in expected] and seen[0] == code
    assert found["totalCount"] == len(expected)
    first = _ok(http, o["department"], WORK_ORDERS, d=department)["workOrders"]["edges"][0]
    order = first["workOrder"]
    assert order["number"] == f"{code}-{department[6:]}"
    assert order["signedAt"] and order["current"] and order["dueAt"]
    # and the status filter counts as Cypher does
    signed = await tiny.read(
        "MATCH (:Department {code: $d})<-[r:HANDLED_BY {role: 'work_order'}]-(c:Case) "
        "WHERE c.status = 'signed' RETURN count(c) AS n",
        {"d": department},
    )
    found = _ok(http, o["admin"], WORK_ORDERS, d=department, s="SIGNED")["workOrders"]
    assert found["totalCount"] == signed[0]["n"] >= 1


PATH = "query($c: String!) { escalationPath(case: $c) { levels { level placeCode } } }"
GRIDLESS_CASE = """
query($c: String!) { case(code: $c) { code currentLevel assignee grid { code } } }
"""


async def test_the_hotline_centre_files_a_12345_case_without_a_grid_and_runs_it_to_the_end(
    http: TestClient, tiny: GraphClient, scene: dict[str, Any], offices: dict[str, Any]
) -> None:
    o = offices
    gridless = {**_report(scene, "hotline_12345", reporter=scene["resident"]), "grid": None}
    [before] = await tiny.read("MATCH (c:Case) RETURN count(c) AS n")
    waiting = {
        name: _ok(http, o[name], INBOX)["totalCount"] for name in ("hotline", "street", "community")
    }
    # a grid worker may not file without a grid, nor the centre outside the 12345 channel,
    # nor name a district that is not one; nothing is written
    assert _refused(http, o["worker"], REPORT, input=gridless) == "BAD_USER_INPUT"
    other_channel = {**gridless, "channel": "grid_patrol"}
    assert _refused(http, o["hotline"], REPORT, input=other_channel) == "BAD_USER_INPUT"
    assert _refused(http, o["hotline"], REPORT, input={**gridless, "district": STREET}) == (
        "BAD_USER_INPUT"
    )
    assert await tiny.read("MATCH (c:Case) RETURN count(c) AS n") == [before]
    # when the centre files the call at its district without a grid
    filed = _ok(http, o["hotline"], REPORT, input=gridless)
    code = filed["caseCode"]
    try:
        [stored] = await tiny.read(
            "MATCH (c:Case {code: $c})-[:OCCURRED_IN]->(p) "
            "RETURN labels(p) AS labels, p.code AS place",
            {"c": code},
        )
        assert stored == {"labels": ["District"], "place": DISTRICT}
        seen = _ok(http, o["hotline"], GRIDLESS_CASE, c=code)
        assert seen == {
            "code": code,
            "currentLevel": "DISTRICT",
            "assignee": DISTRICT,
            "grid": None,
        }
        # then no street, community or grid office finds it, nor may escalate it anywhere
        for office in ("street", "community", "worker"):
            assert _refused(http, o[office], GRIDLESS_CASE, c=code) == "NOT_FOUND", office
        # it waits in the centre's inbox only
        for office, waits in (("hotline", 1), ("street", 0), ("community", 0)):
            total = _ok(http, o[office], INBOX)["totalCount"]
            assert total == waiting[office] + waits, office
        _ok(http, o["hotline"], ACCEPT, code=code)
        # (escalation is not the centre's; even an admin cannot take it below the district)
        assert _refused(http, o["hotline"], ESCALATE, code=code, reason="x") == "FORBIDDEN"
        assert _refused(http, o["admin"], ESCALATE, code=code, reason="x") == ("INVALID_TRANSITION")
        # the centre dispatches it; only that department finds it, signs and resolves it
        _ok(http, o["hotline"], DISPATCH, code=code, d=scene["department"])
        assert _refused(http, o["other_department"], SIGN, code=code) == "NOT_FOUND"
        department_inbox = _ok(http, o["department"], INBOX)["edges"]
        assert code in [edge["node"]["code"] for edge in department_inbox]
        _ok(http, o["department"], SIGN, code=code)
        assert _ok(http, o["department"], RESOLVE, code=code)["status"] == "RESOLVED"
        # and the centre visits back, which closes it
        closed = _ok(http, o["hotline"], FOLLOW_UP, code=code, s=5)
        assert closed["case"] == {"currentLevel": "DEPARTMENT", "assignee": scene["department"]}
        assert closed["status"] == "CLOSED"
        # its escalation path starts at the centre, not in a grid
        path = _ok(http, o["hotline"], PATH, c=code)
        assert [(lv["level"], lv["placeCode"]) for lv in path["levels"]] == [
            ("DISTRICT", DISTRICT),
            ("DEPARTMENT", scene["department"]),
        ]
        # the whole timeline went through the transition table
        actions = await tiny.read(
            "MATCH (:Case {code: $c})-[:HAS_EVENT]->(e) RETURN e.action AS a ORDER BY e.seq",
            {"c": code},
        )
        assert [row["a"] for row in actions] == [
            "report",
            "accept",
            "dispatch",
            "sign",
            "resolve",
            "follow_up",
            "close",
        ]
    finally:  # other tests count cases by their grids
        await tiny.write(
            "MATCH (c:Case {code: $c}) OPTIONAL MATCH (c)-[:HAS_EVENT]->(e) DETACH DELETE c, e",
            {"c": code},
        )
