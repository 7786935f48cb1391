"""The case workflow over GraphQL: lifecycle, refusals, idempotency, concurrency, deadlines,
and the analytics that read mutated cases. Runs on its own tiny seed (module fixture)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.case_workflow import CaseAction, CaseStatus, Position, replay
from graph.china_time import CHINA_TIME
from graph.client import GraphClient
from graph.personal_data import id_card_check_digit
from resolvers.case_mutations import authorize
from resolvers.errors import ClientError, Forbidden, NotFound
from resolvers.principal import ANONYMOUS_DEVELOPER, Principal, Role
from tests.schema.conftest import errors_of, execute_as, run

A = CaseAction
GRID = "370811001001001"
NEW_ID_CARD = "11010119900307123" + id_card_check_digit("11010119900307123")

RESULT = "caseCode status version replayed events { seq action status level note actorId }"
REPORT = f"""
mutation Report($input: ReportCaseInput!, $key: String) {{
  reportCase(input: $input, idempotencyKey: $key) {{
    {RESULT}
    case {{
      code kind reporter {{ personId }} parties {{ role person {{ personId idCardMasked }} }}
    }}
  }}
}}
"""


def _mutation(field: str, arguments: str = "", variables: str = "") -> str:
    return (
        f"mutation M($code: String!, $v: Int, $key: String{variables}) {{\n"
        f"  {field}(code: $code, expectedVersion: $v, idempotencyKey: $key{arguments})"
        f" {{ {RESULT} }}\n}}"
    )


# One document per workflow action, and the variables that make a valid call of it.
MUTATIONS: dict[CaseAction, tuple[str, dict[str, Any]]] = {
    A.ACCEPT: (_mutation("acceptCase"), {}),
    A.START_MEDIATION: (
        _mutation("startMediation", ", committee: $committee", ", $committee: String"),
        {"committee": "370811M01"},
    ),
    A.RECORD_OUTCOME: (
        _mutation("recordMediationOutcome", ", outcome: $outcome", ", $outcome: MediationOutcome!"),
        {"outcome": "NO_AGREEMENT"},
    ),
    A.ESCALATE: (
        _mutation("escalateCase", ", reason: $reason", ", $reason: String!"),
        {"reason": "调处未果，上报上一级"},
    ),
    A.GRID_CALL: (
        _mutation("callHotline", ", reason: $reason", ", $reason: String!"),
        {"reason": "网格难以解决，呼叫热线中心"},
    ),
    A.WHISTLE: (
        _mutation(
            "blowWhistle",
            ", members: $members, reason: $reason",
            ", $members: [String!]!, $reason: String!",
        ),
        {"members": ["P-member"], "reason": "吹哨"},
    ),
    **{
        action: (
            _mutation(
                "reportToWhistle",
                f", step: {action.value.upper()}, member: $member, note: $note",
                ", $member: String, $note: String",
            ),
            {"member": "P-member", "note": "现场处置"},
        )
        for action in (A.ACKNOWLEDGE, A.ARRIVE, A.RECORD_WORK)
    },
    A.DISPATCH: (
        _mutation("dispatchWorkOrder", ", department: $department", ", $department: String!"),
        {"department": "370811D05"},
    ),
    A.SIGN: (_mutation("signWorkOrder"), {}),
    A.RETURN: (
        _mutation("returnWorkOrder", ", reason: $reason", ", $reason: String!"),
        {"reason": "非本部门职责"},
    ),
    A.REQUEST_EXTENSION: (
        _mutation(
            "requestExtension",
            ", until: $until, reason: $reason",
            ", $until: DateTime!, $reason: String!",
        ),
        {"until": "2099-01-01T09:00:00+08:00", "reason": "需协调多部门"},
    ),
    A.URGE: (_mutation("urgeCase"), {}),
    A.RESOLVE: (_mutation("resolveCase"), {}),
    A.FOLLOW_UP: (
        _mutation("recordFollowUp", ", satisfaction: $satisfaction", ", $satisfaction: Int!"),
        {"satisfaction": 5},
    ),
    A.CLOSE: (_mutation("closeCase"), {}),
    A.REOPEN: (
        _mutation("reopenCase", ", reason: $reason", ", $reason: String!"),
        {"reason": "群众不认可办理结果"},
    ),
    A.LINK: (
        _mutation(
            "linkRelatedCases",
            ", related: $related, reason: $relation",
            ", $related: [String!]!, $relation: RelatedCaseReason!",
        ),
        {"related": [], "relation": "SAME_MATTER"},
    ),
}

CASE_DETAIL = """
query Detail($code: String!) {
  case(code: $code) {
    code status closedAt resolvedAtLevel satisfaction
    timeline { seq action status level }
    escalations { level targetCode targetType }
    handlers { role handlerType key }
    relatedCases { reason case { code } }
  }
}
"""
ESCALATION_PATH = """
query Path($case: String!) {
  escalationPath(case: $case) { levels { level placeCode current } totalSeconds }
}
"""
SCORECARD = """
query Card($grid: String!, $period: String!) {
  gridScorecard(grid: $grid, period: $period) {
    caseCount resolvedCount resolvedInGridCount closedCount closedOnTimeCount ratedCount
    allTenPassed fengqiao tenNo { code passed breakingCases }
  }
}
"""
OVERDUE = """
query Overdue($place: String, $asOf: DateTime, $first: Int) {
  overdueCases(place: $place, asOf: $asOf, first: $first) {
    totalCount
    pageInfo { hasNextPage }
    edges { cursor dueAt dueFor node { code status } }
  }
}
"""
BY_ID_CARD = "query P($idCard: String!) { personByIdCard(idCard: $idCard) { personId name } }"


@pytest.fixture(scope="module")
async def world(tiny: GraphClient) -> dict[str, Any]:
    """Keys of the tiny seed the tests act with."""
    residents = await tiny.read(
        "MATCH (p:Resident)-[:RESIDES_IN]->(:Grid {code: $grid}) RETURN p.id AS id"
        " ORDER BY id LIMIT 2",
        {"grid": GRID},
    )
    [mediator] = await tiny.read(
        "MATCH (m:Mediator)-[:MEMBER_OF]->(mc:MediationCommittee)-[:COVERS]->(:Grid {code: $grid})"
        " RETURN m.id AS id, mc.code AS committee ORDER BY id LIMIT 1",
        {"grid": GRID},
    )
    [worker] = await tiny.read(
        "MATCH (w:GridWorker)-[:WORKS_GRID]->(:Grid {code: $grid}) RETURN w.id AS id",
        {"grid": GRID},
    )
    [seeded] = await tiny.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(:Grid {code: $grid}) RETURN c.code AS code"
        " ORDER BY code LIMIT 1",
        {"grid": GRID},
    )
    return {
        "applicant": residents[0]["id"],
        "respondent": residents[1]["id"],
        "mediator": mediator["id"],
        "committee": mediator["committee"],
        "worker": worker["id"],
        "seeded_case": seeded["code"],
    }


def _report_input(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "grid": GRID,
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "title": "邻居装修噪音扰民",
        "parties": [{"role": "APPLICANT", "personId": world["applicant"]}],
        "reporter": world["applicant"],
        **changes,
    }


def _new_case(http: TestClient, world: dict[str, Any], **changes: Any) -> str:
    payload = run(http, REPORT, input=_report_input(world, **changes))["reportCase"]
    code: str = payload["caseCode"]
    return code


def _do(http: TestClient, action: CaseAction, code: str, **variables: Any) -> dict[str, Any]:
    document, defaults = MUTATIONS[action]
    data = run(http, document, code=code, **{**defaults, **variables})
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


def _walk(http: TestClient, code: str, actions: list[CaseAction]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for action in actions:
        payload = _do(http, action, code)
    return payload


def _now() -> datetime:
    return datetime.now(CHINA_TIME)


async def _snapshot(graph: GraphClient) -> list[tuple[str, str]]:
    """Every node and relationship with its properties, in a stable order."""
    nodes = await graph.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    edges = await graph.read(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props,"
        " elementId(b) AS b"
    )
    return sorted(
        (repr(row["labels"]), repr(sorted(row["props"].items()))) for row in nodes
    ) + sorted(
        (row["type"], repr([row["a"], row["b"], sorted(row["props"].items())])) for row in edges
    )


CLIMB = [A.ACCEPT, A.ESCALATE, A.ACCEPT, A.ESCALATE, A.ACCEPT, A.ESCALATE]  # to the centre


async def test_a_case_walks_the_whole_lifecycle_with_a_return_and_a_reopening(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    # given a new dispute filed with an existing applicant and a new respondent
    parties = [
        {"role": "APPLICANT", "personId": world["applicant"]},
        {"role": "RESPONDENT", "newPerson": {"name": "新当事人", "idCard": NEW_ID_CARD}},
    ]
    reported = run(http, REPORT, input=_report_input(world, parties=parties))["reportCase"]
    code = reported["caseCode"]
    assert re.fullmatch(rf"RC{_now().year}-\d{{6}}", code)
    assert (reported["status"], reported["version"]) == ("REPORTED", 1)
    assert reported["case"]["reporter"]["personId"] == world["applicant"]
    masked = {p["person"]["idCardMasked"] for p in reported["case"]["parties"]}
    assert NEW_ID_CARD[:6] + "********" + NEW_ID_CARD[-4:] in masked
    # when it is mediated without agreement, escalated to the hotline centre, dispatched,
    # returned by the department, dispatched again, signed, extended, urged and resolved
    _do(http, A.ACCEPT, code)
    _do(http, A.START_MEDIATION, code, committee=world["committee"])
    _do(http, A.RECORD_OUTCOME, code, outcome="NO_AGREEMENT")
    _walk(http, code, CLIMB[1:])
    _do(http, A.DISPATCH, code, department="370811D05")
    returned = _do(http, A.RETURN, code)
    assert (returned["status"], returned["events"][0]["level"]) == ("ESCALATED", "district")
    _do(http, A.DISPATCH, code, department="370811D06")
    until = (_now() + timedelta(days=20)).isoformat()
    _walk(http, code, [A.SIGN])
    _do(http, A.REQUEST_EXTENSION, code, until=until)
    _walk(http, code, [A.URGE, A.RESOLVE])
    # and the applicant is unsatisfied at the follow-up, so it is reopened and redone
    unsatisfied = _do(http, A.FOLLOW_UP, code, satisfaction=2)
    assert unsatisfied["status"] == "REOPENED"
    assert [e["action"] for e in unsatisfied["events"]] == ["follow_up", "reopen"]
    _walk(http, code, [A.ACCEPT, A.RESOLVE])
    closed = _do(http, A.FOLLOW_UP, code, satisfaction=5)
    # then the case is closed, resolved by the department, with the last satisfaction
    assert closed["status"] == "CLOSED"
    case = run(http, CASE_DETAIL, code=code)["case"]
    assert case["closedAt"] and case["resolvedAtLevel"] == "DEPARTMENT"
    assert case["satisfaction"] == 5
    # and every step is on the timeline, which replays through the state machine
    actions = [CaseAction(event["action"]) for event in case["timeline"]]
    assert actions == [
        *[A.REPORT, A.ACCEPT, A.START_MEDIATION, A.RECORD_OUTCOME, *CLIMB[1:]],
        *[A.DISPATCH, A.RETURN, A.DISPATCH, A.SIGN, A.REQUEST_EXTENSION, A.URGE, A.RESOLVE],
        *[A.FOLLOW_UP, A.REOPEN, A.ACCEPT, A.RESOLVE, A.FOLLOW_UP, A.CLOSE],
    ]
    assert replay(actions).status is CaseStatus.CLOSED
    assert closed["version"] == len(actions) - 2  # one per mutation; follow-ups add two events
    # and the escalations climbed the case's own hierarchy, then went to two departments
    assert [e["level"] for e in case["escalations"]] == [
        *["COMMUNITY", "STREET", "DISTRICT", "DEPARTMENT", "DEPARTMENT"]
    ]
    assert [e["targetCode"] for e in case["escalations"][:3]] == [GRID[:12], GRID[:9], GRID[:6]]
    roles = {(h["role"], h["key"]) for h in case["handlers"]}
    assert {("work_order", "370811D05"), ("work_order", "370811D06")} <= roles
    assert ("mediation_committee", world["committee"]) in roles
    # and the escalation path shows the levels, with the return to the hotline centre
    path = run(http, ESCALATION_PATH, case=code)["escalationPath"]
    assert [level["level"] for level in path["levels"]] == [
        *["GRID", "COMMUNITY", "STREET", "DISTRICT", "DEPARTMENT", "DISTRICT", "DEPARTMENT"]
    ]
    assert not any(level["current"] for level in path["levels"])
    # and the new respondent is one person, found by the ID-card number's blind index
    assert run(http, BY_ID_CARD, idCard=NEW_ID_CARD)["personByIdCard"]["name"] == "新当事人"


async def test_every_invalid_transition_is_refused_with_the_allowed_actions(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    # given routes that visit every status (and the levels where level rules apply)
    # (an unsatisfied follow-up reopens; the second route stops at the district, which may
    # not escalate, then closes without a follow-up and reopens)
    routes = [
        [*CLIMB, A.DISPATCH, A.SIGN, A.RESOLVE, A.FOLLOW_UP, A.ACCEPT],
        [A.ACCEPT, A.START_MEDIATION, *CLIMB[1:], A.ACCEPT, A.RESOLVE, A.CLOSE, A.REOPEN],
    ]
    visited: set[CaseStatus] = set()
    for route in routes:
        code = _new_case(http, world)
        done: list[CaseAction] = [A.REPORT]
        for action in [*route, None]:
            position: Position = replay(done)
            assert position.status is not None
            visited.add(position.status)
            allowed = [a.value for a in position.allowed()]
            # when every action the state machine does not allow here is tried
            for refused in CaseAction:
                if refused is A.REPORT or refused.value in allowed:
                    continue
                document, variables = MUTATIONS[refused]
                [error] = errors_of(http, document, code=code, **variables)
                # then each is refused with the status and the actions allowed from it
                extensions = error["extensions"]
                assert extensions["code"] == "INVALID_TRANSITION", (position, refused, error)
                assert extensions["status"] == position.status.value
                assert extensions["action"] == refused.value
                assert extensions["allowedActions"] == allowed
            if action is None:
                break
            # and none of them wrote anything: the next step takes the very next version
            payload = _do(
                http, action, code, **({"satisfaction": 1} if action is A.FOLLOW_UP else {})
            )
            done += [CaseAction(event["action"]) for event in payload["events"]]
            assert payload["version"] == len(done) - done.count(A.FOLLOW_UP)
    assert visited == set(CaseStatus)


async def test_a_retried_mutation_with_the_same_key_is_a_no_op(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    # given a case filed with an idempotency key
    first = run(http, REPORT, input=_report_input(world), key="report-1")["reportCase"]
    before = await _snapshot(tiny)
    # when the same call is retried
    again = run(http, REPORT, input=_report_input(world), key="report-1")["reportCase"]
    # then it returns the first result and the graph is unchanged, node for node
    assert again["replayed"] and not first["replayed"]
    assert {**again, "replayed": False} == first
    assert await _snapshot(tiny) == before
    # and the same holds for a transition
    code = first["caseCode"]
    _do(http, A.ACCEPT, code, key="accept-1")
    before = await _snapshot(tiny)
    replayed = _do(http, A.ACCEPT, code, key="accept-1")
    assert replayed["replayed"] and replayed["version"] == 2
    assert await _snapshot(tiny) == before
    # but the key cannot be reused for another call
    document, _ = MUTATIONS[A.URGE]
    [error] = errors_of(http, document, code=code, key="accept-1")
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "idempotencyKey"}


async def test_two_concurrent_escalations_leave_exactly_one(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    escalate, variables = MUTATIONS[A.ESCALATE]
    for expected_version, loser in ((None, "INVALID_TRANSITION"), (2, "CONFLICT")):
        # given an accepted case at version 2
        code = _new_case(http, world)
        _do(http, A.ACCEPT, code)
        # when two escalations arrive at once (with or without the version they saw)
        results = await asyncio.gather(
            *(
                execute_as(
                    tiny, ANONYMOUS_DEVELOPER, escalate, code=code, v=expected_version, **variables
                )
                for _ in range(2)
            )
        )
        # then exactly one escalates; the other gets a stable code
        codes = sorted(r.errors[0].extensions["code"] if r.errors else "OK" for r in results)
        assert codes == sorted(["OK", loser])
        case = run(http, CASE_DETAIL, code=code)["case"]
        assert [e["level"] for e in case["escalations"]] == ["COMMUNITY"]
        assert [e["action"] for e in case["timeline"]].count("escalate") == 1


async def test_overdue_cases_lists_a_case_past_its_sign_deadline(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    # given a work order dispatched now, to be signed within an hour
    code = _new_case(http, world, kind="hazard", category="safety_hazard")
    _walk(http, code, [*CLIMB, A.DISPATCH])

    def overdue(as_of: datetime | None) -> dict[str, Any]:
        stamp = as_of.isoformat() if as_of else None
        found: dict[str, Any] = run(http, OVERDUE, place=GRID, asOf=stamp, first=100)
        return {edge["node"]["code"]: edge for edge in found["overdueCases"]["edges"]}

    # then it is not overdue now, but is two hours from now, waiting for the signature
    assert code not in overdue(None)
    late = overdue(_now() + timedelta(hours=2))[code]
    assert late["dueFor"] == "SIGN" and late["node"]["status"] == "DISPATCHED"
    # and once signed it is due on site within 3 working days (a hazard), not before
    _do(http, A.SIGN, code)
    assert code not in overdue(_now() + timedelta(hours=2))
    assert overdue(_now() + timedelta(days=6))[code]["dueFor"] == "RESOLVE"
    # and a resolved case is never overdue
    _do(http, A.RESOLVE, code)
    assert code not in overdue(_now() + timedelta(days=60))


async def test_scorecards_reflect_mutated_cases(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    now = _now()
    period = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    before = run(http, SCORECARD, grid=GRID, period=period)["gridScorecard"]
    # when a case is resolved in the grid and closed satisfied, and a fraud case is filed
    code = _new_case(http, world)
    _walk(http, code, [A.ACCEPT, A.RESOLVE])
    _do(http, A.FOLLOW_UP, code, satisfaction=4)
    fraud = _new_case(http, world, kind="incident", category="fraud", tenNoItem="TN07")
    # then the grid's scorecard for this quarter counts them
    after = run(http, SCORECARD, grid=GRID, period=period)["gridScorecard"]
    for field in ("resolvedCount", "resolvedInGridCount", "closedCount", "closedOnTimeCount"):
        assert after[field] == before[field] + 1, field
    assert after["caseCount"] == before["caseCount"] + 2
    assert after["ratedCount"] == before["ratedCount"] + 1
    [tn07] = [item for item in after["tenNo"] if item["code"] == "TN07"]
    assert fraud in tn07["breakingCases"] and not tn07["passed"]
    assert after["fengqiao"] == "NOT_QUALIFIED"


def test_only_admins_developers_and_grid_workers_in_their_grids_may_act() -> None:
    # (a role that may not act is FORBIDDEN; a grid out of scope is NOT_FOUND, as an unknown one)
    other_grid = GRID[:-3] + "002"
    allowed = [
        Principal("admin", Role.ADMIN),
        Principal("dev", Role.DEVELOPER),
        Principal("worker", Role.GRID_WORKER, scope=frozenset({GRID}), person_id="P1"),
        Principal("street-worker", Role.GRID_WORKER, scope=frozenset({GRID[:9]})),
    ]
    for who in allowed:
        authorize(who, GRID)
    refused: list[tuple[Principal, str, type[ClientError]]] = [
        (Principal("worker", Role.GRID_WORKER, scope=frozenset({other_grid})), GRID, NotFound),
        (Principal("investigator", Role.INVESTIGATOR), GRID, Forbidden),
        (Principal("partner", Role.PARTNER, purpose="audit"), GRID, Forbidden),
        (Principal("worker", Role.GRID_WORKER, scope=frozenset({GRID})), other_grid, NotFound),
    ]
    for who, grid, expected in refused:
        with pytest.raises(expected) as error:
            authorize(who, grid)
        if expected is NotFound:
            assert error.value.extensions == {
                "code": "NOT_FOUND",
                "argument": "grid",
                "keys": [grid],
            }


async def test_grid_workers_file_as_themselves_and_act_only_in_their_grid(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    worker = Principal("w", Role.GRID_WORKER, frozenset({GRID}), person_id=world["worker"])
    outsider = Principal("o", Role.GRID_WORKER, frozenset({GRID[:-3] + "002"}), person_id="P0")
    investigator = Principal("i", Role.INVESTIGATOR)
    report_input = _report_input(world, reporter=None)
    # when the grid worker files a case, they are its reporter and the actor
    filed = await execute_as(tiny, worker, REPORT, input=report_input)
    assert not filed.errors, filed.errors
    payload = filed.data["reportCase"]
    assert payload["case"]["reporter"]["personId"] == world["worker"]
    code = payload["caseCode"]
    accepted = await execute_as(tiny, worker, MUTATIONS[A.ACCEPT][0], code=code)
    assert accepted.data["acceptCase"]["events"][0]["actorId"] == world["worker"]
    # then a grid worker of another grid finds neither grid nor case (as if unknown), an
    # investigator may not act at all, and nothing changes
    for who, expected in ((outsider, "NOT_FOUND"), (investigator, "FORBIDDEN")):
        for document, variables in (
            (REPORT, {"input": report_input}),
            (MUTATIONS[A.URGE][0], {"code": code}),
        ):
            result = await execute_as(tiny, who, document, **variables)
            assert result.errors[0].extensions["code"] == expected
    assert len(run(http, CASE_DETAIL, code=code)["case"]["timeline"]) == 2


async def test_bad_input_is_refused_and_nothing_is_written(
    tiny: GraphClient, world: dict[str, Any], http: TestClient
) -> None:
    bad_card = NEW_ID_CARD[:-1] + ("0" if NEW_ID_CARD[-1] != "0" else "1")
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"parties": [{"role": "APPLICANT", "newPerson": {"name": "某", "idCard": bad_card}}]},
            "BAD_USER_INPUT",
        ),
        ({"category": "no-such-category"}, "BAD_USER_INPUT"),
        ({"reporter": None}, "BAD_USER_INPUT"),
        ({"parties": [{"role": "RESPONDENT", "personId": world["respondent"]}]}, "BAD_USER_INPUT"),
        ({"grid": GRID[:-3] + "999"}, "NOT_FOUND"),
        ({"parties": [{"role": "APPLICANT", "personId": "P-nobody"}]}, "NOT_FOUND"),
    ]
    count = "MATCH (c:Case) RETURN count(c) AS n"
    [before] = await tiny.read(count)
    for changes, expected in cases:
        [error] = errors_of(http, REPORT, input=_report_input(world, **changes))
        assert error["extensions"]["code"] == expected, (changes, error)
    assert await tiny.read(count) == [before]
    # and on a case: an unknown department, a stale version, an unknown case
    code = _new_case(http, world)
    _walk(http, code, CLIMB)
    [error] = errors_of(http, MUTATIONS[A.DISPATCH][0], code=code, department="370811D99")
    assert error["extensions"]["code"] == "NOT_FOUND"
    [error] = errors_of(http, MUTATIONS[A.URGE][0], code=code, v=1)
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["currentVersion"] == 1 + len(CLIMB)
    [error] = errors_of(http, MUTATIONS[A.URGE][0], code="RC1999-000001")
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert run(http, CASE_DETAIL, code=code)["case"]["status"] == "ESCALATED"
