"""Row scope holds for writes (issue 12, items 1-3): over HTTP with real tokens, a grid worker
cannot pull a person, mediator, committee or case outside their scope into view through a
mutation, a retry re-checks the current scope, and out of scope answers exactly as unknown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.mediation import (
    upsert_committee_coverage,
    upsert_mediation_committees,
    upsert_mediators,
)
from graph.personal_data import Identifier, id_card_check_digit, person_id
from graph.places import PlaceLevel
from resolvers.case_mutations import case_row
from resolvers.errors import NotFound
from resolvers.principal import Role
from server.settings import Settings
from tests.graphql_http import data as _data
from tests.graphql_http import single_error as _error
from tests.principals import context_for, principal
from tests.schema.conftest import SEED_KEY
from tests.tokens import bearer, hs256

GRID = "370811001001001"  # the grid worker's grid
STRANGER_CARD = "37081119850612031" + id_card_check_digit("37081119850612031")
NEWCOMER_CARD = "37081119920214052" + id_card_check_digit("37081119920214052")
REPLAY_CARD = "37081120010930077" + id_card_check_digit("37081120010930077")
OUTSIDE_COMMITTEE = "370811M98"  # covers the other grid only (made by the fixture)
OUTSIDE_MEDIATOR = "P-test-mediator-other-grid"

PARTY = "role person { personId name idCardNumber phone }"
REPORT = f"""
mutation Report($input: ReportCaseInput!, $key: String) {{
  reportCase(input: $input, idempotencyKey: $key) {{
    caseCode replayed case {{ code parties {{ {PARTY} }} }}
  }}
}}
"""
ACCEPT = """
mutation Accept($code: String!, $key: String) {
  acceptCase(code: $code, idempotencyKey: $key) { caseCode status version replayed }
}
"""
MEDIATE = """
mutation Mediate($code: String!, $mediator: String, $committee: String) {
  startMediation(code: $code, mediator: $mediator, committee: $committee) {
    caseCode status case { handlers { role key } }
  }
}
"""
LINK = """
mutation Link($code: String!, $related: [String!]!) {
  linkRelatedCases(code: $code, related: $related, reason: SAME_MATTER) { caseCode }
}
"""
# Every kind of call on an existing case, with valid arguments besides the case.
ON_A_CASE: list[tuple[str, dict[str, Any]]] = [
    (ACCEPT, {}),
    (ACCEPT, {"key": "scope-probe"}),
    ("mutation U($code: String!) { urgeCase(code: $code, expectedVersion: 0) { version } }", {}),
    (
        'mutation E($code: String!) { escalateCase(code: $code, reason: "上报") { version } }',
        {},
    ),
    ("mutation R($code: String!) { resolveCase(code: $code) { version } }", {}),
    (MEDIATE, {"committee": "370811M01"}),
]
PERSON = "query P($id: String!) { person(personId: $id) { personId idCardNumber phone } }"
BY_CARD = "query C($card: String!) { personByIdCard(idCard: $card) { personId } }"


def _same_as_unknown(out_of_scope: Any, key: str, unknown: Any, unknown_key: str) -> None:
    """The two answers are identical once the key named is blanked out: code, message,
    extensions, path and locations."""
    assert out_of_scope["extensions"]["code"] == "NOT_FOUND", out_of_scope
    seen = json.dumps(out_of_scope, sort_keys=True).replace(key, "<key>")
    assert seen == json.dumps(unknown, sort_keys=True).replace(unknown_key, "<key>")


def _report(grid: str, parties: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return {
        "grid": grid,
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "title": "越权测试",
        "parties": parties,
        **changes,
    }


def _applicant(person: str) -> list[dict[str, Any]]:
    return [{"role": "APPLICANT", "personId": person}]


def _newcomer(card: str, name: str, phone: str | None = None) -> list[dict[str, Any]]:
    return [{"role": "APPLICANT", "newPerson": {"name": name, "idCard": card, "phone": phone}}]


@pytest.fixture(scope="module")
async def scene(tiny: GraphClient) -> dict[str, Any]:
    """Who and what the tests act with: the grid worker's grid and another grid, a resident
    of that other grid tied to nothing in the worker's, a mediator and a committee serving
    only the other grid, and a seeded case there."""
    [worker] = await tiny.read(
        "MATCH (w:GridWorker)-[:WORKS_GRID]->(:Grid {code: $grid}) RETURN w.id AS id",
        {"grid": GRID},
    )
    [resident] = await tiny.read(
        "MATCH (p:Resident)-[:RESIDES_IN]->(:Grid {code: $grid}) RETURN p.id AS id"
        " ORDER BY id LIMIT 1",
        {"grid": GRID},
    )
    [other] = await tiny.read(
        "MATCH (g:Grid) WHERE NOT g.code STARTS WITH $community RETURN g.code AS code"
        " ORDER BY code LIMIT 1",
        {"community": GRID[:12]},
    )
    [stranger] = await tiny.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid {code: $grid})"
        " WHERE NOT EXISTS { (p)--(:Case) }"
        " AND NOT EXISTS { (p)-[:MEMBER_OF|SECRETARY_OF|INSTRUCTS|WORKS_GRID|SUPPORTS]->() }"
        " RETURN p.id AS id ORDER BY id LIMIT 1",
        {"grid": other["code"]},
    )
    [case] = await tiny.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(:Grid {code: $grid}) RETURN c.code AS code"
        " ORDER BY code LIMIT 1",
        {"grid": other["code"]},
    )
    [mediator] = await tiny.read(
        "MATCH (m:Mediator)-[:MEMBER_OF]->(:MediationCommittee)-[:COVERS]->(:Grid {code: $g})"
        " RETURN m.id AS id ORDER BY id LIMIT 1",
        {"g": GRID},
    )
    await tiny.write(
        "MERGE (p:Person:Mediator {id: $id}) SET p.name = '外网格调解员'", {"id": OUTSIDE_MEDIATOR}
    )
    committee = {"code": OUTSIDE_COMMITTEE, "name": "外网格调委会", "level": "grid"}
    await upsert_mediation_committees(tiny, [committee])
    coverage = {"committeeCode": OUTSIDE_COMMITTEE, "placeCode": other["code"]}
    await upsert_committee_coverage(tiny, PlaceLevel.GRID, [coverage])
    member = {"personId": OUTSIDE_MEDIATOR, "committeeCode": OUTSIDE_COMMITTEE, "kind": "lawyer"}
    await upsert_mediators(tiny, [member])
    return {
        "worker": worker["id"],
        "resident": resident["id"],
        "other_grid": other["code"],
        "stranger": stranger["id"],
        "other_case": case["code"],
        "mediator": mediator["id"],
    }


def _worker(settings: Settings, scene: dict[str, Any], grid: str = GRID) -> dict[str, str]:
    token = hs256(settings, "grid_worker", [grid], person=scene["worker"], subject="scope-w")
    return bearer(token)


def _admin(settings: Settings) -> dict[str, str]:
    return bearer(hs256(settings, "admin", subject="scope-admin"))


async def _cases_in(graph: GraphClient, grid: str) -> int:
    rows = await graph.read(
        "MATCH (c:Case)-[:OCCURRED_IN]->(:Grid {code: $g}) RETURN count(c) AS n", {"g": grid}
    )
    return int(rows[0]["n"])


async def _parties_in_grid(graph: GraphClient, person: str, grid: str) -> int:
    rows = await graph.read(
        "MATCH (:Person {id: $p})--(:Case)-[:OCCURRED_IN]->(:Grid {code: $g}) RETURN count(*) AS n",
        {"p": person, "g": grid},
    )
    return int(rows[0]["n"])


async def test_item1_report_case_links_only_persons_the_worker_can_see(
    tiny: GraphClient, scene: dict[str, Any], http: TestClient, settings: Settings
) -> None:
    worker, admin, stranger = _worker(settings, scene), _admin(settings), scene["stranger"]
    # given a resident of another grid the worker cannot see
    unknown_person = _error(http, worker, PERSON, id="P-nobody-at-all")
    seen_person = _error(http, worker, PERSON, id=stranger)
    _same_as_unknown(seen_person, stranger, unknown_person, "P-nobody-at-all")
    before = await _cases_in(tiny, GRID)
    # when the worker names them as a party by id: as unknown as a person nobody is
    named = _error(http, worker, REPORT, input=_report(GRID, _applicant(stranger)))
    nobody = _error(http, worker, REPORT, input=_report(GRID, _applicant("P-nobody-at-all")))
    _same_as_unknown(named, stranger, nobody, "P-nobody-at-all")
    assert named["extensions"]["argument"] == "parties"
    # and a grid worker who is no person cannot name them as the reporter either
    anonymous = bearer(hs256(settings, "grid_worker", [GRID], subject="scope-w2"))
    as_reporter = _report(GRID, _applicant(scene["resident"]), reporter=stranger)
    reporter = _error(http, anonymous, REPORT, input=as_reporter)
    reporter_nobody = _error(
        http, anonymous, REPORT, input={**as_reporter, "reporter": "P-nobody-at-all"}
    )
    _same_as_unknown(reporter, stranger, reporter_nobody, "P-nobody-at-all")
    # given a person of the other grid whose ID-card number the worker knows
    filed = _data(
        http,
        admin,
        REPORT,
        input=_report(
            scene["other_grid"], _newcomer(STRANGER_CARD, "乙某", "13912345678"), reporter=stranger
        ),
    )
    [party] = filed["reportCase"]["case"]["parties"]
    known = party["person"]["personId"]
    assert known == person_id(SEED_KEY.blind_index(Identifier.ID_CARD, STRANGER_CARD))
    # when the worker files a case naming that number as a new person, under another name
    refused = _error(
        http, worker, REPORT, input=_report(GRID, _newcomer(STRANGER_CARD, "随便写", None))
    )
    # then it is refused, saying nothing about who or where that person is
    assert refused["extensions"] == {
        "code": "FORBIDDEN",
        "argument": "input.parties.0.newPerson.idCard",
    }
    for secret in (known, "乙某", "13912345678", scene["other_grid"], STRANGER_CARD):
        assert secret not in json.dumps(refused, ensure_ascii=False)
    # and nothing was written: neither person is party to anything in the worker's grid,
    # and both stay out of the worker's view
    assert await _parties_in_grid(tiny, stranger, GRID) == 0
    assert await _parties_in_grid(tiny, known, GRID) == 0
    assert await _cases_in(tiny, GRID) == before
    assert _error(http, worker, PERSON, id=known)["extensions"]["code"] == "NOT_FOUND"
    assert _error(http, worker, BY_CARD, card=STRANGER_CARD)["extensions"]["code"] == "NOT_FOUND"
    # but a genuinely new person is created, shown in clear to the worker who filed it,
    # and named again by number it is the same person (visible now)
    first = _data(http, worker, REPORT, input=_report(GRID, _newcomer(NEWCOMER_CARD, "丙某")))
    [new] = first["reportCase"]["case"]["parties"]
    assert (new["person"]["name"], new["person"]["idCardNumber"]) == ("丙某", NEWCOMER_CARD)
    again = _data(http, worker, REPORT, input=_report(GRID, _newcomer(NEWCOMER_CARD, "丙某")))
    [same] = again["reportCase"]["case"]["parties"]
    assert same["person"]["personId"] == new["person"]["personId"]
    # and a resident of the worker's own grid can be named by id
    own = _data(http, worker, REPORT, input=_report(GRID, _applicant(scene["resident"])))
    assert own["reportCase"]["case"]["parties"][0]["person"]["personId"] == scene["resident"]


async def test_item1_a_retry_rechecks_the_callers_current_scope(
    tiny: GraphClient, scene: dict[str, Any], http: TestClient, settings: Settings
) -> None:
    # given a case the worker filed and accepted with idempotency keys
    worker = _worker(settings, scene)
    report = _report(GRID, _newcomer(REPLAY_CARD, "丁某"))
    filed = _data(http, worker, REPORT, input=report, key="scope-report")["reportCase"]
    code = filed["caseCode"]
    accepted = _data(http, worker, ACCEPT, code=code, key="scope-accept")["acceptCase"]
    assert not accepted["replayed"]
    assert _data(http, worker, ACCEPT, code=code, key="scope-accept")["acceptCase"]["replayed"]
    # when the same subject, now scoped to another grid, retries both calls
    moved = _worker(settings, scene, grid=scene["other_grid"])
    retried = _error(http, moved, ACCEPT, code=code, key="scope-accept")
    unknown = _error(http, moved, ACCEPT, code="RC1999-000001", key="scope-accept-unknown")
    # then the stored result is not handed out: the case is as unknown as one that never was
    _same_as_unknown(retried, code, unknown, "RC1999-000001")
    refiled = _error(http, moved, REPORT, input=report, key="scope-report")
    assert refiled["extensions"] == {"code": "NOT_FOUND", "argument": "grid", "keys": [GRID]}
    # and the new person of that case stays out of the new scope's view
    assert _error(http, moved, BY_CARD, card=REPLAY_CARD)["extensions"]["code"] == "NOT_FOUND"


async def test_item2_mediators_and_committees_must_serve_the_case_and_be_in_scope(
    tiny: GraphClient, scene: dict[str, Any], http: TestClient, settings: Settings
) -> None:
    worker, admin = _worker(settings, scene), _admin(settings)
    # given an accepted case in the worker's grid
    input_ = _report(GRID, _applicant(scene["resident"]))
    code = _data(http, worker, REPORT, input=input_)["reportCase"]["caseCode"]
    _data(http, worker, ACCEPT, code=code)
    outsider = _error(http, worker, PERSON, id=OUTSIDE_MEDIATOR)
    assert outsider["extensions"]["code"] == "NOT_FOUND"
    # when the worker names a mediator or committee serving only another grid
    mediator = _error(http, worker, MEDIATE, code=code, mediator=OUTSIDE_MEDIATOR)
    nobody = _error(http, worker, MEDIATE, code=code, mediator="P-nobody-at-all")
    committee = _error(http, worker, MEDIATE, code=code, committee=OUTSIDE_COMMITTEE)
    no_committee = _error(http, worker, MEDIATE, code=code, committee="370811M97")
    # then each is as unknown as one that does not exist
    _same_as_unknown(mediator, OUTSIDE_MEDIATOR, nobody, "P-nobody-at-all")
    _same_as_unknown(committee, OUTSIDE_COMMITTEE, no_committee, "370811M97")
    # and an admin, who sees them, is refused too: they do not serve the case's place
    for argument, key in (("mediator", OUTSIDE_MEDIATOR), ("committee", OUTSIDE_COMMITTEE)):
        error = _error(http, admin, MEDIATE, code=code, **{argument: key})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    # and nothing changed: the mediator handles nothing here and stays out of view
    assert await _parties_in_grid(tiny, OUTSIDE_MEDIATOR, GRID) == 0
    assert _error(http, worker, PERSON, id=OUTSIDE_MEDIATOR)["extensions"]["code"] == "NOT_FOUND"
    # but a mediator and committee serving the grid are taken on
    started = _data(
        http, worker, MEDIATE, code=code, mediator=scene["mediator"], committee="370811M01"
    )["startMediation"]
    assert started["status"] == "MEDIATING"
    handlers = {(h["role"], h["key"]) for h in started["case"]["handlers"]}
    assert {("mediator", scene["mediator"]), ("mediation_committee", "370811M01")} <= handlers
    # and a case of another grid cannot be related either (as unknown as a missing one)
    linked = _error(http, worker, LINK, code=code, related=[scene["other_case"]])
    unknown = _error(http, worker, LINK, code=code, related=["RC1999-000001"])
    _same_as_unknown(linked, scene["other_case"], unknown, "RC1999-000001")


async def test_item3_out_of_scope_answers_exactly_as_unknown(
    tiny: GraphClient, scene: dict[str, Any], http: TestClient, settings: Settings
) -> None:
    worker, other_case = _worker(settings, scene), scene["other_case"]
    # every call on a case of another grid answers as for a case that does not exist,
    # whatever its version or status would have said
    for document, variables in ON_A_CASE:
        seen = _error(http, worker, document, code=other_case, **variables)
        unknown = _error(http, worker, document, code="RC1999-000001", **variables)
        _same_as_unknown(seen, other_case, unknown, "RC1999-000001")
    # and filing in another grid answers as for a grid that does not exist
    other, missing = scene["other_grid"], GRID[:-3] + "999"
    parties = _applicant(scene["resident"])
    elsewhere = _error(http, worker, REPORT, input=_report(other, parties))
    nowhere = _error(http, worker, REPORT, input=_report(missing, parties))
    _same_as_unknown(elsewhere, other, nowhere, missing)
    # and naming a person of another grid answers as for a person id nobody has
    stranger = scene["stranger"]
    named = _error(http, worker, REPORT, input=_report(GRID, _applicant(stranger)))
    nobody = _error(http, worker, REPORT, input=_report(GRID, _applicant("P-nobody-at-all")))
    _same_as_unknown(named, stranger, nobody, "P-nobody-at-all")


async def test_the_payload_case_is_read_with_the_callers_scope(
    tiny: GraphClient, scene: dict[str, Any]
) -> None:
    worker = principal(Role.GRID_WORKER, {GRID}, person_id=scene["worker"])
    with pytest.raises(NotFound):
        await case_row(context_for(tiny, worker), scene["other_case"])
    admin = principal(Role.ADMIN)
    assert (await case_row(context_for(tiny, admin), scene["other_case"]))["code"]
