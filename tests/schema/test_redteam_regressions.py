"""What the outside red-team review of issue 12's fix found (F1-F7), over HTTP against the
real Neo4j: identifier oracles, probes through reportCase, out-of-range offsets, unbounded
literals, names and bodies, unbounded audit fields and identifier shapes the redaction
missed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.personal_data import id_card_check_digit
from resolvers.agreements import AgreementError
from resolvers.redaction import REDACTED
from server.app import create_app
from server.settings import Settings
from tests.graphql_http import data as _data
from tests.graphql_http import response as _post
from tests.graphql_http import single_error as _error
from tests.tokens import bearer, hs256

DISTRICT = "370811"
GRID = "370811001001001"  # the grid worker's grid
ID_NUMBER = "370811199611250015"


def card(first17: str) -> str:
    return first17 + id_card_check_digit(first17)


KNOWN_CARD = card("37081119800101011")  # a person of the worker's grid (filed by it)
OUTSIDE_CARD = card("37081119750303033")  # registered in another grid (by an admin)
UNREGISTERED_CARD = card("37081119990909099")  # nobody's

REPORT = """
mutation Report($input: ReportCaseInput!) {
  reportCase(input: $input) { caseCode case { parties { person { personId } } } }
}
"""
BY_CARD = "query C($card: String!) { personByIdCard(idCard: $card) { personId } }"


def _admin(settings: Settings, subject: str = "redteam-admin") -> dict[str, str]:
    return bearer(hs256(settings, "admin", subject=subject))


async def _stored(graph: GraphClient, subject: str) -> list[dict[str, Any]]:
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r {.*} AS r ORDER BY r.seq", {"s": subject}
    )
    return [row["r"] for row in rows]


# -- F1: a masked ID number plus personByIdCard gives back the whole number ------------------


def _agreement_file(tmp_path: Path, fields: dict[str, list[str]]) -> Path:
    lines = ["[agreements.oracle]", f'scope = ["{DISTRICT}"]', "[agreements.oracle.fields]"]
    lines += [f"{type_name} = {json.dumps(names)}" for type_name, names in fields.items()]
    path = tmp_path / "agreements.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("type_name", "field"),
    [("Person", "idCardMasked"), ("Person", "idCardNumber"), ("GraphNode", "properties")],
)
def test_f1_an_agreement_with_the_lookup_and_a_masked_identifier_does_not_start(
    settings: Settings, tmp_path: Path, type_name: str, field: str
) -> None:
    # given an agreement listing personByIdCard and a field showing the masked number
    fields = {"Query": ["personByIdCard", "person"], "Person": ["personId"]}
    fields[type_name] = sorted({*fields.get(type_name, []), field})
    path = _agreement_file(tmp_path, fields)
    # when the service starts with it, then it refuses, naming the agreement and both fields
    with pytest.raises(AgreementError) as refused:
        create_app(settings.model_copy(update={"agreements_file": path}))
    message = str(refused.value)
    assert "'oracle'" in message
    assert "Query.personByIdCard" in message and f"{type_name}.{field}" in message


def test_f1_the_lookup_alone_or_the_masked_form_alone_is_a_valid_agreement(
    settings: Settings, tmp_path: Path
) -> None:
    for fields in (
        {"Query": ["personByIdCard"], "Person": ["personId", "name"]},
        {"Query": ["person"], "Person": ["personId", "idCardMasked", "idCardNumber"]},
    ):
        path = _agreement_file(tmp_path, fields)
        create_app(settings.model_copy(update={"agreements_file": path}))


def _lookups(count: int) -> str:
    numbers = [card(f"370811{1990 + n % 10}0101{n:03d}") for n in range(count)]
    fields = " ".join(
        f'n{i}: personByIdCard(idCard: "{number}") {{ personId }}'
        for i, number in enumerate(numbers)
    )
    return f"query Guess {{ {fields} }}"


def test_f1_one_request_tests_at_most_three_id_numbers(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    admin = _admin(settings)
    # three lookups in one operation are served (nobody has these numbers)
    served = _post(http, admin, _lookups(3)).json()
    assert served["data"] == {"n0": None, "n1": None, "n2": None}
    assert {e["extensions"]["code"] for e in served["errors"]} == {"NOT_FOUND"}
    # four (or thirty: within the alias limit) are refused before anything runs
    for count in (4, 30):
        error = _error(http, admin, _lookups(count))
        assert error["extensions"] == {
            "code": "TOO_MANY_LOOKUPS",
            "field": "Query.personByIdCard",
            "lookups": count,
            "maxLookups": 3,
        }
    # fragments count where they are spread, aliases or not
    spread = (
        "query Spread { ...A ...B }"
        f' fragment A on Query {{ a: personByIdCard(idCard: "{card("37081119900101001")}")'
        f' {{ personId }} b: personByIdCard(idCard: "{card("37081119900101002")}")'
        " { personId } }"
        f' fragment B on Query {{ c: personByIdCard(idCard: "{card("37081119900101003")}")'
        f' {{ personId }} ... on Query {{ d: personByIdCard(idCard: "{ID_NUMBER}")'
        " { personId } } }"
    )
    assert _error(http, admin, spread)["extensions"]["lookups"] == 4


# -- F2: reportCase probes whether a number is registered ------------------------------------


@pytest.fixture(scope="module")
async def worker_scene(tiny: GraphClient) -> dict[str, Any]:
    [worker] = await tiny.read(
        "MATCH (w:GridWorker)-[:WORKS_GRID]->(:Grid {code: $grid}) RETURN w.id AS id",
        {"grid": GRID},
    )
    [other] = await tiny.read(
        "MATCH (g:Grid) WHERE NOT g.code STARTS WITH $community RETURN g.code AS code"
        " ORDER BY code LIMIT 1",
        {"community": GRID[:12]},
    )
    return {"worker": worker["id"], "other_grid": other["code"]}


def _report(grid: str, parties: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "grid": grid,
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "title": "探测测试",
        "parties": parties,
    }


def _new(number: str, role: str = "APPLICANT") -> dict[str, Any]:
    return {"role": role, "newPerson": {"name": "某人", "idCard": number}}


async def _person_count(graph: GraphClient) -> int:
    [row] = await graph.read("MATCH (p:Person) RETURN count(p) AS n")
    return int(row["n"])


async def _case_count(graph: GraphClient) -> int:
    [row] = await graph.read("MATCH (c:Case) RETURN count(c) AS n")
    return int(row["n"])


async def test_f2_a_duplicate_party_is_refused_before_any_number_is_looked_up(
    tiny: GraphClient, http: TestClient, settings: Settings, worker_scene: dict[str, Any]
) -> None:
    worker = bearer(
        hs256(settings, "grid_worker", [GRID], person=worker_scene["worker"], subject="probe-w")
    )
    admin = _admin(settings)
    # given a person of the worker's grid (so in its scope) and one registered elsewhere
    filed = _data(http, worker, REPORT, input=_report(GRID, [_new(KNOWN_CARD)]))
    [party] = filed["reportCase"]["case"]["parties"]
    known = party["person"]["personId"]
    elsewhere = _report(worker_scene["other_grid"], [_new(OUTSIDE_CARD)])
    _data(http, admin, REPORT, input={**elsewhere, "reporter": worker_scene["worker"]})
    persons, cases = await _person_count(tiny), await _case_count(tiny)

    # when the worker names the known person twice (by id and by number) next to a candidate
    def probe(candidate: str) -> Any:
        parties = [
            {"role": "APPLICANT", "personId": known},
            _new(KNOWN_CARD, "RESPONDENT"),
            _new(candidate, "RESPONDENT"),
        ]
        return _error(http, worker, REPORT, input=_report(GRID, parties))

    outside, unregistered = probe(OUTSIDE_CARD), probe(UNREGISTERED_CARD)
    # then both are the same refusal: the answer does not tell which number is registered
    assert outside == unregistered
    assert outside["extensions"] == {"code": "BAD_USER_INPUT", "argument": "input.parties"}
    assert "named twice" in outside["message"]
    # and nothing was written, not even for a moment
    assert (await _person_count(tiny), await _case_count(tiny)) == (persons, cases)
    nobody = _error(http, admin, BY_CARD, card=UNREGISTERED_CARD)
    assert nobody["extensions"]["code"] == "NOT_FOUND"
    # without the duplicate, a number registered outside the scope stays FORBIDDEN
    refused = _error(
        http, worker, REPORT, input=_report(GRID, [_new(KNOWN_CARD), _new(OUTSIDE_CARD)])
    )
    assert refused["extensions"] == {
        "code": "FORBIDDEN",
        "argument": "input.parties.1.newPerson.idCard",
    }


# -- F3: DateTime offsets beyond what Neo4j accepts ------------------------------------------

OFFSETS_BEYOND = ["+19:00", "-18:01", "+23:59"]


@pytest.mark.parametrize("offset", OFFSETS_BEYOND)
async def test_f3_offsets_beyond_18_hours_are_bad_user_input_everywhere(
    tiny: GraphClient, http: TestClient, settings: Settings, offset: str
) -> None:
    admin = _admin(settings)
    moment = f"2024-06-01T00:00:00{offset}"
    [case] = await tiny.read("MATCH (c:Case) RETURN c.code AS code ORDER BY code LIMIT 1")
    calls = [
        ("query($t: DateTime) { overdueCases(asOf: $t) { totalCount } }", {}, "asOf"),
        (
            "mutation($c: String!, $t: DateTime) {"
            ' dispatchWorkOrder(code: $c, department: "D01", deadline: $t) { version } }',
            {"c": case["code"]},
            "deadline",
        ),
        (
            "mutation($c: String!, $t: DateTime!) {"
            ' requestExtension(code: $c, until: $t, reason: "材料") { version } }',
            {"c": case["code"]},
            "until",
        ),
        (
            "query($t: DateTime) { auditLog(filter: {since: $t}) { totalCount } }",
            {},
            "filter.since",
        ),
    ]
    before = await tiny.read("MATCH (c:Case {code: $c}) RETURN c.version AS v", {"c": case["code"]})
    for query, variables, argument in calls:
        error = _error(http, admin, query, t=moment, **variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["argument"] == argument
    after = await tiny.read("MATCH (c:Case {code: $c}) RETURN c.version AS v", {"c": case["code"]})
    assert after == before


def test_f3_the_widest_offsets_neo4j_accepts_still_work(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    for offset in ("+18:00", "-18:00"):
        query = "query($t: DateTime) { overdueCases(asOf: $t) { totalCount } }"
        _data(http, _admin(settings), query, t=f"2024-06-01T00:00:00{offset}")


# -- F4: number literals beyond Python's int conversion -------------------------------------


@pytest.mark.parametrize(
    "literal", ["9" * 5000, "-" + "9" * 5000, "1." + "0" * 5000, "1e" + "9" * 5000, "9" * 101]
)
def test_f4_overlong_number_literals_are_bad_user_input_without_echo(
    tiny: GraphClient, http: TestClient, settings: Settings, literal: str
) -> None:
    response = _post(http, _admin(settings), f"{{ persons(first: {literal}) {{ totalCount }} }}")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["kind"] == "number" and error["extensions"]["maxLength"] == 100
    assert "9999" not in response.text and "0000" not in response.text
    assert len(response.content) < 1000


# -- F5: unbounded names are echoed; unbounded bodies are read whole -------------------------

LONG = "N" * 100_000  # well under the body limit, far over the name limit
NAMES_IN_EVERY_PLACE = {
    "alias": f"{{ {LONG}: __typename }}",
    "unknown field": f"{{ {LONG} }}",
    "unused variable": f"query(${LONG}: Int) {{ __typename }}",
    "fragment": f"{{ ...{LONG} }} fragment {LONG} on Query {{ __typename }}",
    "unknown fragment": f"{{ ...{LONG} }}",
    "directive": f"{{ __typename @{LONG} }}",
    "argument": f"{{ persons({LONG}: 1) {{ totalCount }} }}",
    "enum value": f"{{ cases(filter: {{status: {LONG}}}) {{ totalCount }} }}",
    "type name": f"query($a: {LONG}) {{ __typename }}",
    "operation name": f"query {LONG} {{ __typename }}",
    "syntax error": f"{{ a }} {LONG}",
}


@pytest.mark.parametrize("where", sorted(NAMES_IN_EVERY_PLACE))
def test_f5_no_name_over_100_characters_is_parsed_or_echoed(
    tiny: GraphClient, http: TestClient, settings: Settings, where: str
) -> None:
    response = _post(http, _admin(settings), NAMES_IN_EVERY_PLACE[where])
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "kind": "name",
        "length": len(LONG),
        "maxLength": 100,
    }
    assert "NNNN" not in response.text
    assert len(response.content) < 1000


def test_f5_names_of_100_characters_still_work(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    alias = "a" * 100
    assert _data(http, _admin(settings), f"{{ {alias}: __typename }}") == {alias: "Query"}
    error = _error(http, _admin(settings), f"{{ {alias}x: __typename }}")
    assert error["extensions"]["length"] == 101


def test_f5_a_long_string_in_a_broken_document_is_not_echoed(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    # a syntax error quotes the token it stops at: a string longer than any argument takes
    # is then refused without it (in a well-formed document its argument is named instead)
    response = _post(http, _admin(settings), '{ "' + "s" * 100_000 + '" }')
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["kind"] == "string"
    assert len(response.content) < 1000


async def test_f5_bodies_over_the_limit_are_413_before_they_are_read(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    admin = _admin(settings, "redteam-body")
    over = json.dumps({"query": "{ __typename }", "variables": {"v": "x" * 300_000}}).encode()
    headers = {**admin, "Content-Type": "application/json"}
    # with a Content-Length: refused on it
    response = http.post("/graphql", content=over, headers=headers)
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": 262_144}
    # streamed without one: refused while counting
    chunks = [over[i : i + 65_536] for i in range(0, len(over), 65_536)]
    streamed = http.post("/graphql", content=iter(chunks), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    # and audited as a refusal
    [record, *_] = await _stored(tiny, "redteam-body")
    assert record["outcome"] == "refused:PAYLOAD_TOO_LARGE"
    # a body under the limit is served
    assert http.post("/graphql", json={"query": "{ __typename }"}, headers=admin).status_code == 200


def test_f5_the_body_limit_is_a_setting(tiny: GraphClient, settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    body = {"query": "{ __typename }", "variables": {"v": "x" * 3000}}
    with TestClient(create_app(small)) as client:
        response = client.post("/graphql", json=body, headers=_admin(settings))
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["maxBytes"] == 2048


# -- F6: megabytes in the permanent audit chain ----------------------------------------------


async def test_f6_audit_records_keep_bounded_names_and_variables(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    headers = _admin(settings, "redteam-bounds")
    long_name = "Q" + "x" * 127  # the longest operationName the HTTP layer takes
    # a refused request (unknown operation) carrying a 200,000-character variable
    refused = http.post(
        "/graphql",
        json={
            "query": "{ __typename }",
            "operationName": long_name,
            "variables": {"v": "y" * 200_000},
        },
        headers=headers,
    )
    assert refused.status_code == 400
    # an executed one with a long typed value, and one whose variables are large as a whole
    _post(http, headers, "query G($g: String!) { grid(code: $g) { code } }", g="g" * 900)
    ids = [f"Person:{'P' * 150}{n:03d}" for n in range(40)]
    _post(http, headers, "query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    first, second, third = await _stored(tiny, "redteam-bounds")
    assert first["outcome"] == "refused:BAD_REQUEST"
    assert len(first["operationName"]) <= 100
    assert first["operationName"].startswith("Qxxx") and "128 characters" in first["operationName"]
    assert json.loads(first["variables"]) == {"v": "[200000 characters]"}
    assert json.loads(second["variables"]) == {"g": "[900 characters]"}
    [(key, summary)] = json.loads(third["variables"]).items()
    assert key == "[variables]" and summary.endswith(" characters]")
    assert int(summary[1:].split()[0]) > 4000
    for record in (first, second, third):
        assert len(json.dumps(record, ensure_ascii=False, default=str)) < 5000


# -- F7: identifier shapes the redaction missed ----------------------------------------------


async def test_f7_id_numbers_in_groups_full_width_glued_or_as_keys_are_redacted(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    token = hs256(settings, "investigator", [DISTRICT], subject="redteam-shapes")
    full_width = ID_NUMBER.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    requests = [
        # grouped with spaces or hyphens, in the purpose
        ("case 370811 19961125 0015", "{ __typename }", None, {}),
        ("case 370811-19961125-0015", "{ __typename }", None, {}),
        # glued to letters, in the operation name
        (None, f"query Q{ID_NUMBER} {{ __typename }}", None, {}),
        # full-width, in a value of no personal meaning
        (None, "query($g: String!) { grid(code: $g) { code } }", None, {"g": full_width}),
        # as a variable's name, and as a field name inside an input object
        (None, "{ __typename }", None, {ID_NUMBER: "y"}),
        (
            None,
            "query F($f: CaseFilter) { cases(filter: $f) { totalCount } }",
            None,
            {"f": {ID_NUMBER: "y"}},
        ),
    ]
    for purpose, query, name, variables in requests:
        body = {"query": query, "variables": variables, "operationName": name}
        response = http.post("/graphql", json=body, headers=bearer(token, purpose))
        assert response.status_code == 200, response.text
    records = await _stored(tiny, "redteam-shapes")
    assert len(records) == len(requests)
    everything = json.dumps(records, ensure_ascii=False, default=str)
    for secret in (ID_NUMBER, full_width, "19961125", "１９９６"):
        assert secret not in everything
    assert records[0]["purpose"] == f"case {REDACTED}"
    assert records[1]["purpose"] == f"case {REDACTED}"
    assert records[2]["operationName"] == f"Q{REDACTED}"
    assert json.loads(records[3]["variables"]) == {"g": REDACTED}
    assert json.loads(records[4]["variables"]) == {REDACTED: REDACTED}
    assert json.loads(records[5]["variables"]) == {"f": {REDACTED: REDACTED}}
