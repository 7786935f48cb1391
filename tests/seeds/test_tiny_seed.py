"""The tiny scale, seeded into the real Neo4j, keeps every invariant of the model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from graph.case_commands import OVERDUE_IN_PLACE, Actor, CaseState, Command, run_command
from graph.case_workflow import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    level_after,
    next_status,
    replay,
)
from graph.cases import CaseLevel
from graph.china_time import CHINA_TIME
from graph.client import GraphClient
from graph.maintenance import delete_everything
from graph.personal_data import PersonalDataKey, is_valid_id_card
from graph.policy import load_policy
from graph.traversal import neighbours
from seeds.loader import SeedReport, seed_graph
from seeds.plan import Scale, ScaleSpec, scale_spec
from seeds.rencheng import DISTRICT_CODE as DISTRICT

KEY = PersonalDataKey(bytes(range(32)))

COUNT_LABEL = {
    label: f"MATCH (n:{label}) RETURN count(n) AS n"
    for label in ("District", "Street", "Community", "Grid", "Resident", "Case")
}
NESTED_CODES = """
MATCH (child)-[:PART_OF]->(parent)
RETURN labels(child)[0] AS child, child.code AS code, parent.code AS parentCode
"""
WORKERS_PER_GRID = """
MATCH (g:Grid)
RETURN g.code AS grid, COUNT { (:GridWorker)-[:WORKS_GRID]->(g) } AS workers
"""
GRIDS_PER_WORKER = "MATCH (w:GridWorker) RETURN COUNT { (w)-[:WORKS_GRID]->(:Grid) } AS grids"
CASE_GRIDS = "MATCH (c:Case) RETURN c.code AS code, COUNT { (c)-[:OCCURRED_IN]->(:Grid) } AS grids"
ESCALATIONS = """
MATCH (c:Case)-[:OCCURRED_IN]->(g:Grid)-[:PART_OF]->(cm:Community)-[:PART_OF]->(s:Street)
      -[:PART_OF]->(d:District)
OPTIONAL MATCH (c)-[e:ESCALATED_TO]->(t)
WITH c, cm, s, d, e, t ORDER BY e.at
RETURN c.code AS code, cm.code AS community, s.code AS street, d.code AS district,
       [x IN collect({level: e.level, code: t.code, label: labels(t)[0]}) WHERE x.level IS NOT NULL]
         AS steps
"""
TIMELINES = """
MATCH (c:Case)-[:HAS_EVENT]->(e:CaseEvent)
WITH c, e ORDER BY e.seq
RETURN c.code AS code, c.status AS status, collect(e.action) AS actions, collect(e.at) AS ats
"""
PARTY_CASES = "MATCH (p:Person {id: $id})-[:PARTY_TO]->(c:Case) RETURN count(c) AS n"
FEUD = """
UNWIND $codes AS code
MATCH (c:Case {code: code})-[:OCCURRED_IN]->(g:Grid)
OPTIONAL MATCH (c)-[r:RELATED_TO {reason: 'family_feud'}]->(:Case)
RETURN code, g.code AS grid, count(r) AS related
"""
MEDIATOR_PARTY = """
MATCH (m:Person:Mediator {id: $mediator})
RETURN EXISTS { (:Case {code: $handled})-[:HANDLED_BY {role: 'mediator'}]->(m) } AS mediated,
       EXISTS { (m)-[:PARTY_TO]->(:Case {code: $party}) } AS party
"""
ALL_STRINGS = """
MATCH (n)
RETURN [k IN keys(n) WHERE n[k] IS :: STRING | n[k]] AS values
UNION ALL
MATCH ()-[r]->()
RETURN [k IN keys(r) WHERE r[k] IS :: STRING | r[k]] AS values
"""
PERSON_KEYS = "MATCH (p:Person) UNWIND keys(p) AS k RETURN DISTINCT k"
BREACHES = """
MATCH (g:Grid)
RETURN g.code AS grid,
       COUNT { (c:Case)-[:OCCURRED_IN]->(g) WHERE c.tenNoItem IS NOT NULL } AS breaches
"""
RESOLVED_LEVELS = """
MATCH (c:Case) WHERE c.status IN ['resolved', 'closed']
RETURN c.resolvedAtLevel AS level, count(*) AS n
"""
FAMILY_HOMES = """
MATCH (a:Person)-[:FAMILY]->(b:Person)
MATCH (a)-[:RESIDES_IN]->(ga:Grid), (b)-[:RESIDES_IN]->(gb:Grid)
RETURN count(*) AS pairs, count(CASE WHEN ga = gb AND a.address = b.address THEN 1 END) AS home
"""
VOLUNTEERS = """
MATCH (g:Grid)<-[:SERVES]-(t:VolunteerTeam)
RETURN g.code AS grid, COUNT { (:Volunteer)-[:VOLUNTEERS_IN]->(t) } AS volunteers
"""
BOTTOM5 = """
MATCH (e:GridWorkerEvaluation)
RETURN e.quarter AS quarter, count(*) AS n, sum(CASE WHEN e.bottom5 THEN 1 ELSE 0 END) AS flagged
"""
WORKFLOW_STATE = """
MATCH (c:Case)
RETURN c.code AS code, c.status AS status, c.version AS version, c.dueAt AS dueAt,
       c.dueFor AS dueFor,
       COUNT { (c)-[:HAS_EVENT]->(e:CaseEvent) WHERE e.subject IS NULL } AS unattributed,
       COUNT { (c)-[:HAS_EVENT]->(e:CaseEvent) WHERE e.outcome IS NOT NULL } AS outcomes,
       c.mediationOutcome AS mediationOutcome
"""
OPEN_CASES = """
MATCH (c:Case)-[:HAS_EVENT]->(e:CaseEvent) WHERE NOT c.status IN ['resolved', 'closed']
WITH c, e ORDER BY e.seq
RETURN c.code AS code, c.version AS version, collect(e.action) AS actions, max(e.seq) AS last
ORDER BY code
"""
LABEL_COUNTS = "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n ORDER BY l"
TYPE_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t"


@dataclass
class Seeded:
    """The tiny scale as seeded, with the clear identifiers the generator issued."""

    graph: GraphClient
    report: SeedReport
    spec: ScaleSpec
    issued: list[str]


@pytest.fixture(scope="module")
async def tiny(graph: GraphClient) -> AsyncIterator[Seeded]:
    """An empty database seeded once with the tiny scale."""
    await delete_everything(graph)
    issued: list[str] = []
    report = await seed_graph(graph, KEY, Scale.TINY, progress=False, audit=issued)
    yield Seeded(graph, report, scale_spec(Scale.TINY), issued)


async def _count(graph: GraphClient, label: str) -> int:
    return int((await graph.read(COUNT_LABEL[label]))[0]["n"])


async def test_counts_per_level_match_the_scale(tiny: Seeded) -> None:
    # given the tiny scale seeded; then each level holds what the scale says
    assert await _count(tiny.graph, "District") == 1
    assert await _count(tiny.graph, "Street") == tiny.spec.streets
    assert await _count(tiny.graph, "Community") == tiny.spec.communities
    assert await _count(tiny.graph, "Grid") == tiny.spec.grids
    assert await _count(tiny.graph, "Resident") == tiny.spec.residents
    assert await _count(tiny.graph, "Case") >= tiny.spec.cases


async def test_codes_nest_inside_their_parents(tiny: Seeded) -> None:
    rows = await tiny.graph.read(NESTED_CODES)
    lengths = {"Street": 9, "Community": 12, "Grid": 15, "Building": 18}
    assert {row["child"] for row in rows} == set(lengths)
    for row in rows:
        assert row["code"].startswith(row["parentCode"])
        assert len(row["code"]) == lengths[row["child"]] == len(row["parentCode"]) + 3


async def test_exactly_one_grid_worker_per_grid(tiny: Seeded) -> None:
    per_grid = await tiny.graph.read(WORKERS_PER_GRID)
    assert len(per_grid) == tiny.spec.grids
    assert {row["workers"] for row in per_grid} == {1}
    assert {row["grids"] for row in await tiny.graph.read(GRIDS_PER_WORKER)} == {1}


async def test_every_case_occurred_in_exactly_one_existing_grid(tiny: Seeded) -> None:
    rows = await tiny.graph.read(CASE_GRIDS)
    assert rows
    assert {row["grids"] for row in rows} == {1}


async def test_escalations_only_go_up_the_cases_own_hierarchy(tiny: Seeded) -> None:
    rows = await tiny.graph.read(ESCALATIONS)
    escalated = [row for row in rows if row["steps"]]
    assert escalated
    for row in escalated:
        ranks = [CaseLevel(step["level"]).rank for step in row["steps"]]
        assert ranks == sorted(set(ranks)), row  # strictly upward, in time order
        own = {"community": row["community"], "street": row["street"], "district": row["district"]}
        for step in row["steps"]:
            if step["level"] == CaseLevel.DEPARTMENT:
                assert step["label"] == "Department"
            else:
                assert step["code"] == own[step["level"]]


async def test_timelines_replay_through_the_workflow_table(tiny: Seeded) -> None:
    rows = await tiny.graph.read(TIMELINES)
    assert len(rows) == await _count(tiny.graph, "Case")
    for row in rows:
        status: CaseStatus | None = None
        for action in row["actions"]:
            status = next_status(status, CaseAction(action))
        assert status == CaseStatus(row["status"])
        assert row["ats"] == sorted(row["ats"])


async def test_planted_structures_are_present(tiny: Seeded) -> None:
    planted = tiny.report.planted
    # repeat disputants turn up in several cases
    assert planted.repeat_disputants
    for person in planted.repeat_disputants:
        rows = await tiny.graph.read(PARTY_CASES, {"id": person})
        assert rows[0]["n"] >= 5
    # the family feud is a chain of related cases across two grids
    (codes,) = planted.family_feuds
    rows = await tiny.graph.read(FEUD, {"codes": codes})
    assert len({row["grid"] for row in rows}) == 2
    assert sum(row["related"] for row in rows) == len(codes) - 1
    # a mediator of one case is a party to another
    (link,) = planted.mediator_parties
    rows = await tiny.graph.read(
        MEDIATOR_PARTY,
        {"mediator": link.mediator_id, "handled": link.handled_case, "party": link.party_case},
    )
    assert rows == [{"mediated": True, "party": True}]


async def test_seeded_cases_carry_versions_and_deadlines_and_late_ones_are_overdue(
    tiny: Seeded,
) -> None:
    # given the seeded cases as stored
    rows = await tiny.graph.read(WORKFLOW_STATE)
    # then each has a version and attributed events, and waits for something while open
    for row in rows:
        assert row["version"] >= 1 and row["unattributed"] == 0, row["code"]
        is_open = CaseStatus(row["status"]) in OPEN_STATUSES
        assert (row["dueAt"] is not None) == (row["dueFor"] is not None) == is_open, row["code"]
        assert (row["mediationOutcome"] is not None) == (row["outcomes"] > 0), row["code"]
    late = {row["code"] for row in rows if row["dueAt"] is not None}
    assert late
    # when the overdue cases of the district are listed as of now
    now = datetime.now(CHINA_TIME)
    found = await neighbours(tiny.graph, OVERDUE_IN_PLACE, [DISTRICT], {"asOf": now})
    # then they are the open seeded cases, whose deadlines all lie in the seeded past
    assert {item.node["code"] for item in found[DISTRICT]} == late


async def test_no_clear_id_number_or_phone_is_stored(tiny: Seeded) -> None:
    # given the clear values the generator issued (valid ID numbers under 370811)
    ids = [value for value in tiny.issued if len(value) == 18]
    assert ids and all(is_valid_id_card(v) and v.startswith("370811") for v in ids)
    assert len(set(ids)) == len(ids)
    # when every string property of every node and relationship is read
    stored = [value for row in await tiny.graph.read(ALL_STRINGS) for value in row["values"]]
    # then none of them contains a clear value, and persons carry only protected forms
    text = "\n".join(stored)
    assert not [value for value in tiny.issued if value in text]
    keys = {row["k"] for row in await tiny.graph.read(PERSON_KEYS)}
    assert {"idCardHash", "idCardCipher", "idCardMasked", "phoneMasked"} <= keys
    assert not keys & {"idCard", "idCardNumber", "phone"}


async def test_some_grids_qualify_for_fengqiao_style_and_some_do_not(tiny: Seeded) -> None:
    rows = await tiny.graph.read(BREACHES)
    breached = {row["grid"] for row in rows if row["breaches"]}
    assert breached == set(tiny.report.planted.breach_grids)
    assert 0 < len(breached) < len(rows)


async def test_most_resolved_cases_are_resolved_inside_the_grid(tiny: Seeded) -> None:
    levels = {row["level"]: row["n"] for row in await tiny.graph.read(RESOLVED_LEVELS)}
    share = levels.get("grid", 0) / sum(levels.values())
    assert 0.45 <= share <= 0.75
    assert set(levels) <= {level.value for level in CaseLevel}
    assert len(levels) >= 3


async def test_families_live_together(tiny: Seeded) -> None:
    (row,) = await tiny.graph.read(FAMILY_HOMES)
    assert row["pairs"] > 0
    assert row["home"] == row["pairs"]


async def test_volunteers_and_evaluations(tiny: Seeded) -> None:
    assert {row["volunteers"] >= 10 for row in await tiny.graph.read(VOLUNTEERS)} == {True}
    for row in await tiny.graph.read(BOTTOM5):
        assert row["n"] == tiny.spec.grids
        assert row["flagged"] >= 1


async def test_seeding_again_creates_no_duplicates(tiny: Seeded) -> None:
    # given the seeded counts
    labels = await tiny.graph.read(LABEL_COUNTS)
    types = await tiny.graph.read(TYPE_COUNTS)
    # when the same scale and seed is seeded again
    await seed_graph(tiny.graph, KEY, Scale.TINY, progress=False)
    # then nothing was added
    assert await tiny.graph.read(LABEL_COUNTS) == labels
    assert await tiny.graph.read(TYPE_COUNTS) == types


async def test_a_mutation_carries_on_where_a_seeded_timeline_stops(tiny: Seeded) -> None:
    # given an open seeded case, its version and where its timeline left it
    row = (await tiny.graph.read(OPEN_CASES))[0]
    position = replay(CaseAction(action) for action in row["actions"])
    steps = (CaseAction.URGE, CaseAction.SIGN, CaseAction.ACCEPT, CaseAction.RESOLVE)
    action = next(step for step in steps if step in position.allowed())
    # when a mutation takes a next step, expecting the seeded version
    actor, at = Actor(None, "tester"), datetime.now(CHINA_TIME)
    command = Command(row["code"], action, actor, at, expected_version=row["version"])
    outcome = await run_command(tiny.graph, command, load_policy().workflow, _anyone)
    # then it is the case's next version and its timeline's next event, at the level it reached
    assert outcome.version == row["version"] + 1
    [event] = outcome.events
    assert event.seq == row["last"] + 1
    assert event.level is level_after(action, position.level)


def _anyone(state: CaseState) -> None:
    """A check that lets every caller act (authorization is not what is tested here)."""
