"""Cases: parties, handlers, upward escalations, events and related cases, written idempotently."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from graph import cases, departments, persons
from graph.cases import CaseLevel, HandlerKind
from graph.client import GraphClient
from seeds.fixture import load_fixture

CST = timezone(timedelta(hours=8))
AT = datetime(2024, 6, 3, 9, 30, tzinfo=CST)
GRID = "370811001001001"  # a fixture grid
DEPARTMENT = "370811D05"

CASE_SHAPE = """
MATCH (c:Case {code: $code})
RETURN c.status AS status, c.reportedAt AS reportedAt,
       [(c)-[:OCCURRED_IN]->(g) | g.code] AS grids,
       [(c)-[:REPORTED_BY]->(p) | p.id] AS reporters,
       [(p)-[r:PARTY_TO]->(c) | r.role] AS parties,
       [(c)-[h:HANDLED_BY]->(x) | h.role] AS handlers,
       [(c)-[e:ESCALATED_TO]->(x) | [e.level, coalesce(x.code, '')]] AS escalations,
       [(c)-[:HAS_EVENT]->(e) | e.action] AS events,
       [(c)-[r:RELATED_TO]->(x) | [r.reason, x.code]] AS related
"""


def case_row(code: str, reporter: str) -> dict[str, Any]:
    return {
        "code": code,
        "title": "邻居装修噪音扰民",
        "description": "王某反映：装修噪音",
        "kind": "dispute",
        "category": "neighbour",
        "severity": "low",
        "status": "dispatched",
        "channel": "grid_patrol",
        "reportedAt": AT,
        "closedAt": None,
        "resolvedAtLevel": None,
        "satisfaction": None,
        "tenNoItem": None,
        "gridCode": GRID,
        "reporterId": reporter,
    }


async def _world(graph: GraphClient) -> None:
    await load_fixture(graph)
    await departments.upsert_departments(
        graph, [{"code": DEPARTMENT, "name": "任城区住房和城乡建设局", "kind": "functional"}]
    )
    await persons.upsert_persons(
        graph,
        [{"id": pid, "name": pid, "roles": ["Resident"]} for pid in ("P-a", "P-b", "P-worker")],
    )


async def _write_case(graph: GraphClient) -> None:
    await cases.upsert_cases(
        graph, [case_row("RC2024-000001", "P-worker"), case_row("RC2024-000002", "P-a")]
    )
    await cases.upsert_case_parties(
        graph,
        [
            {"caseCode": "RC2024-000001", "personId": "P-a", "role": "applicant"},
            {"caseCode": "RC2024-000001", "personId": "P-b", "role": "respondent"},
        ],
    )
    await cases.upsert_case_handlers(
        graph,
        HandlerKind.PERSON,
        [{"caseCode": "RC2024-000001", "handlerKey": "P-worker", "role": "grid_worker", "at": AT}],
    )
    await cases.upsert_case_handlers(
        graph,
        HandlerKind.DEPARTMENT,
        [{"caseCode": "RC2024-000001", "handlerKey": DEPARTMENT, "role": "work_order", "at": AT}],
    )
    for level, target in ((CaseLevel.COMMUNITY, GRID[:12]), (CaseLevel.DEPARTMENT, DEPARTMENT)):
        await cases.upsert_case_escalations(
            graph,
            level,
            [{"caseCode": "RC2024-000001", "targetCode": target, "at": AT, "reason": "上报"}],
        )
    await cases.upsert_case_events(
        graph,
        [
            {
                "caseCode": "RC2024-000001",
                "id": f"RC2024-000001-0{i}",
                "seq": i,
                "at": AT,
                "action": action,
                "status": status,
                "level": "grid",
                "note": "",
                "actorId": "P-worker",
            }
            for i, (action, status) in enumerate(
                [("report", "reported"), ("accept", "accepted")], 1
            )
        ],
    )
    await cases.upsert_related_cases(
        graph,
        [{"fromCode": "RC2024-000002", "toCode": "RC2024-000001", "reason": "repeat_disputant"}],
    )


async def test_a_case_and_everything_around_it_is_written_once(empty_graph: GraphClient) -> None:
    # given a grid, a department and three persons
    await _world(empty_graph)
    # when a case with parties, handlers, escalations, events and a relation is written twice
    await _write_case(empty_graph)
    await _write_case(empty_graph)
    # then every relationship exists once
    (case,) = await empty_graph.read(CASE_SHAPE, {"code": "RC2024-000001"})
    assert case["grids"] == [GRID]
    assert case["reporters"] == ["P-worker"]
    assert sorted(case["parties"]) == ["applicant", "respondent"]
    assert sorted(case["handlers"]) == ["grid_worker", "work_order"]
    assert sorted(case["escalations"]) == [["community", GRID[:12]], ["department", DEPARTMENT]]
    assert sorted(case["events"]) == ["accept", "report"]
    assert case["reportedAt"] == AT
    (later,) = await empty_graph.read(CASE_SHAPE, {"code": "RC2024-000002"})
    assert later["related"] == [["repeat_disputant", "RC2024-000001"]]


async def test_an_escalation_only_reaches_a_place_of_its_level(empty_graph: GraphClient) -> None:
    # given a case
    await _world(empty_graph)
    await cases.upsert_cases(empty_graph, [case_row("RC2024-000001", "P-a")])
    # when an escalation to "street" names a community code
    await cases.upsert_case_escalations(
        empty_graph,
        CaseLevel.STREET,
        [{"caseCode": "RC2024-000001", "targetCode": GRID[:12], "at": AT, "reason": "上报"}],
    )
    # then nothing is linked: the target label comes from the level
    (case,) = await empty_graph.read(CASE_SHAPE, {"code": "RC2024-000001"})
    assert case["escalations"] == []


def test_levels_rank_from_grid_to_department() -> None:
    assert [level.rank for level in CaseLevel] == [0, 1, 2, 3, 4]
    assert CaseLevel.DEPARTMENT.rank > CaseLevel.DISTRICT.rank


async def test_an_unknown_party_role_is_refused(graph: GraphClient) -> None:
    with pytest.raises(ValueError):
        await cases.upsert_case_parties(
            graph, [{"caseCode": "x", "personId": "y", "role": "judge"}]
        )
