"""The workflow's commands against the real Neo4j: one transaction each, concurrency-safe,
idempotent, and nothing written when refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from graph.case_commands import (
    Actor,
    CaseNotFound,
    CaseReport,
    Command,
    IdempotencyClaim,
    NewPerson,
    Outcome,
    PersonOutOfScope,
    TargetNotFound,
    VersionConflict,
    report_case,
    run_command,
)
from graph.case_commands.cypher import APPLY
from graph.case_workflow import CaseAction, TransitionNotAllowed
from graph.cases import CasePartyRole, upsert_cases
from graph.china_time import CHINA_TIME
from graph.client import GraphClient
from graph.maintenance import delete_everything
from graph.personal_data import (
    PersonalDataKey,
    id_card_check_digit,
    person_id,
    protect_person_identifiers,
)
from graph.policy import load_policy
from seeds.loader import seed_graph
from seeds.plan import Scale

A = CaseAction
RULES = load_policy().workflow
ACTOR = Actor(None, "test-commands")
GRID = "370811001001001"
TRIALS = 5

RESIDENT = "MATCH (p:Resident)-[:RESIDES_IN]->(:Grid {code: $grid}) RETURN p.id AS id LIMIT 1"
# Everything a command could touch, as comparable rows.
SNAPSHOT_NODES = "MATCH (n) RETURN labels(n) AS labels, count(*) AS n ORDER BY labels"
SNAPSHOT_EDGES = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
SNAPSHOT_CASE = """
MATCH (c:Case {code: $code})
RETURN properties(c) AS case,
       [(c)-[:HAS_EVENT]->(e) | properties(e)] AS events,
       [(c)-[r]-(x) | [type(r), properties(r), coalesce(x.code, x.id)]] AS edges
"""
COUNT_ESCALATIONS = """
MATCH (c:Case {code: $code})
RETURN COUNT { (c)-[:ESCALATED_TO]->() } AS escalations,
       COUNT { (c)-[:HAS_EVENT]->(:CaseEvent {action: $action}) } AS events,
       c.version AS version
"""


def _never_refuse(_: object) -> None:
    return None


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[GraphClient]:
    """The tiny seed, for this module alone."""
    await delete_everything(graph)
    await seed_graph(graph, PersonalDataKey(bytes(range(32))), Scale.TINY, progress=False)
    yield graph


async def _report(
    graph: GraphClient,
    at: datetime | None = None,
    new: tuple[NewPerson, ...] = (),
    scope: list[str] | None = None,
    grid: str = GRID,
) -> Outcome:
    [resident] = await graph.read(RESIDENT, {"grid": grid})
    report = CaseReport(
        place_code=grid,
        kind="dispute",
        category="neighbour",
        severity="medium",
        channel="grid_patrol",
        title="楼道堆放杂物引发争执",
        description=None,
        ten_no_item=None,
        reporter_id=resident["id"],
        parties=((resident["id"], CasePartyRole.APPLICANT),),
        new_parties=tuple((person, CasePartyRole.RESPONDENT) for person in new),
        actor=ACTOR,
        at=at or datetime.now(CHINA_TIME),
    )
    return await report_case(graph, report, RULES, scope=scope)


async def _do(
    graph: GraphClient,
    code: str,
    action: CaseAction,
    claim: IdempotencyClaim | None = None,
    **details: Any,
) -> Outcome:
    command = Command(code, action, ACTOR, datetime.now(CHINA_TIME), **details)
    return await run_command(graph, command, RULES, _never_refuse, claim)


async def _accepted_case(graph: GraphClient) -> str:
    code = (await _report(graph)).case_code
    await _do(graph, code, A.ACCEPT)
    return code


async def _snapshot(graph: GraphClient, code: str) -> list[Any]:
    return [
        await graph.read(SNAPSHOT_NODES),
        await graph.read(SNAPSHOT_EDGES),
        await graph.read(SNAPSHOT_CASE, {"code": code}),
    ]


async def test_two_concurrent_escalations_leave_exactly_one(seeded: GraphClient) -> None:
    for _ in range(TRIALS):
        # given an accepted case
        code = await _accepted_case(seeded)
        # when two escalations of it run at the same time
        results = await asyncio.gather(
            _do(seeded, code, A.ESCALATE, reason="网格内调处未果"),
            _do(seeded, code, A.ESCALATE, reason="网格内调处未果"),
            return_exceptions=True,
        )
        # then one wins, the other finds the case already escalated
        assert sorted(type(r).__name__ for r in results) == ["Outcome", "TransitionNotAllowed"]
        [refused] = [r for r in results if isinstance(r, TransitionNotAllowed)]
        assert refused.current is not None and refused.current.value == "escalated"
        # and the graph holds one escalation, one escalate event, one version step
        [row] = await seeded.read(COUNT_ESCALATIONS, {"code": code, "action": "escalate"})
        assert row == {"escalations": 1, "events": 1, "version": 3}


async def test_same_expected_version_lets_exactly_one_transition_win(
    seeded: GraphClient,
) -> None:
    for _ in range(TRIALS):
        # given an accepted case at version 2
        code = await _accepted_case(seeded)
        # when two callers who both saw version 2 urge it at the same time
        results = await asyncio.gather(
            _do(seeded, code, A.URGE, expected_version=2),
            _do(seeded, code, A.URGE, expected_version=2),
            return_exceptions=True,
        )
        # then one wins and the other gets a conflict naming the current version
        assert sorted(type(r).__name__ for r in results) == ["Outcome", "VersionConflict"]
        [conflict] = [r for r in results if isinstance(r, VersionConflict)]
        assert (conflict.expected, conflict.current) == (2, 3)
        [row] = await seeded.read(COUNT_ESCALATIONS, {"code": code, "action": "urge"})
        assert row == {"escalations": 0, "events": 1, "version": 3}


async def test_a_retried_command_with_the_same_key_changes_nothing(seeded: GraphClient) -> None:
    # given an accepted case escalated with an idempotency key
    code = await _accepted_case(seeded)
    claim = IdempotencyClaim("key-escalate-1", "escalate", "digest-1", ACTOR.subject)
    first = await _do(seeded, code, A.ESCALATE, claim, reason="上报社区")
    before = await _snapshot(seeded, code)
    # when the call is retried, twice at once
    retries = await asyncio.gather(
        _do(seeded, code, A.ESCALATE, claim, reason="上报社区"),
        _do(seeded, code, A.ESCALATE, claim, reason="上报社区"),
    )
    # then both get the first result and the graph is exactly as it was
    for retry in retries:
        assert retry.replayed and not first.replayed
        assert (retry.case_code, retry.status, retry.version) == (
            first.case_code,
            first.status,
            first.version,
        )
        assert retry.events == first.events
    assert await _snapshot(seeded, code) == before


async def test_concurrent_first_calls_with_one_key_run_once(seeded: GraphClient) -> None:
    # given an accepted case
    code = await _accepted_case(seeded)
    claim = IdempotencyClaim("key-urge-race", "urge", "digest-2", ACTOR.subject)
    # when the same call is sent twice at once, before either has finished
    results = await asyncio.gather(
        _do(seeded, code, A.URGE, claim), _do(seeded, code, A.URGE, claim)
    )
    # then it ran once: one result is the replay of the other
    assert sorted(r.replayed for r in results) == [False, True]
    [row] = await seeded.read(COUNT_ESCALATIONS, {"code": code, "action": "urge"})
    assert row["events"] == 1 and row["version"] == 3


async def test_a_refused_command_writes_nothing(seeded: GraphClient) -> None:
    # given a case waiting at the district hotline centre
    code = await _accepted_case(seeded)
    for _ in range(2):
        await _do(seeded, code, A.ESCALATE, reason="上报")
        await _do(seeded, code, A.ACCEPT)
    await _do(seeded, code, A.ESCALATE, reason="上报热线中心")
    before = await _snapshot(seeded, code)
    claim = IdempotencyClaim("key-refused", "dispatch", "digest-3", ACTOR.subject)
    # when a work order goes to a department that does not exist
    with pytest.raises(TargetNotFound):
        await _do(seeded, code, A.DISPATCH, claim, department="370811D99")
    # and a signature comes before any dispatch
    with pytest.raises(TransitionNotAllowed):
        await _do(seeded, code, A.SIGN)
    # then nothing changed: no event, no version step, no lock left, no key stored
    assert await _snapshot(seeded, code) == before
    assert not await seeded.read("MATCH (k:IdempotencyKey {key: 'key-refused'}) RETURN k")


async def test_case_codes_continue_after_the_highest_and_never_repeat(
    seeded: GraphClient,
) -> None:
    # given a case imported with the code RC2031-000041, before any case was filed in 2031
    [resident] = await seeded.read(RESIDENT, {"grid": GRID})
    at = datetime(2031, 3, 2, 10, 0, tzinfo=CHINA_TIME)
    imported = {
        "code": "RC2031-000041",
        "title": "导入的案件",
        "description": None,
        "kind": "appeal",
        "category": "environment",
        "severity": "low",
        "status": "reported",
        "channel": "hotline_12345",
        "reportedAt": at,
        "closedAt": None,
        "resolvedAtLevel": None,
        "satisfaction": None,
        "tenNoItem": None,
        "gridCode": GRID,
        "reporterId": resident["id"],
    }
    await upsert_cases(seeded, [imported])
    # when eight cases are filed in 2031 at once
    outcomes = await asyncio.gather(*(_report(seeded, at + timedelta(hours=1)) for _ in range(8)))
    # then they get the next eight codes, each once
    codes = sorted(outcome.case_code for outcome in outcomes)
    assert codes == [f"RC2031-{n:06d}" for n in range(42, 50)]
    # and a case imported later with the next code is skipped over
    await upsert_cases(seeded, [{**imported, "code": "RC2031-000050"}])
    assert (await _report(seeded, at + timedelta(hours=2))).case_code == "RC2031-000051"


async def test_the_status_moves_only_from_the_version_read(seeded: GraphClient) -> None:
    # given an accepted case at version 2
    code = await _accepted_case(seeded)
    before = await _snapshot(seeded, code)
    # when APPLY is sent as if the case were at another version
    stale = {
        "code": code,
        "status": "resolved",
        "version": 7,
        "dueAt": None,
        "dueFor": None,
        "workOrderDueAt": None,
        "closedAt": None,
        "resolvedAtLevel": "grid",
        "satisfaction": None,
        "mediationOutcome": None,
        "currentLevel": "grid",
        "assignee": GRID,
        "events": [],
    }
    # then its compare-and-set matches nothing and changes nothing
    assert await seeded.write(APPLY, stale) == []
    assert await _snapshot(seeded, code) == before


async def test_scoped_commands_neither_see_nor_link_what_is_out_of_scope(
    seeded: GraphClient,
) -> None:
    # given a case in the grid and a new person filed with it, by a caller scoped to the grid
    first17 = "37081119790101003"
    number = first17 + id_card_check_digit(first17)
    protected = protect_person_identifiers(PersonalDataKey(bytes(range(32))), number, None)
    pid = person_id(str(protected["idCardHash"]))
    newcomer = NewPerson(pid, "新人", "male", datetime(1979, 1, 1).date(), protected)
    code = (await _report(seeded, new=(newcomer,), scope=[GRID])).case_code
    # then the new person carries no marker of its creation
    assert await seeded.read("MATCH (p:Person) WHERE p._new IS NOT NULL RETURN p.id") == []
    before = await _snapshot(seeded, code)
    # when a caller scoped to another grid acts on the case, or names that person as new
    other = GRID[:-3] + "002"
    command = Command(code, A.ACCEPT, ACTOR, datetime.now(CHINA_TIME))
    with pytest.raises(CaseNotFound):
        await run_command(seeded, command, RULES, _never_refuse, scope=[other])
    with pytest.raises(PersonOutOfScope) as refused:
        await _report(seeded, new=(newcomer,), scope=[other], grid=other)
    # then the case is unknown to them, the person is refused, and nothing was written
    assert refused.value.person_ids == [pid]
    assert await _snapshot(seeded, code) == before
