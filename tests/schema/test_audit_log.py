"""auditLog for admins (filters, pages, FORBIDDEN), and the AuditTrail extension that feeds it.

The schema here is built in the test (Query + AuditQuery, with and without AuditTrail) and run
with the per-request context the HTTP app builds, as a constructed principal.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import strawberry
from starlette.testclient import TestClient
from strawberry.tools import merge_types

from graph.audit import AuditEntry, append_audit_entry, verify_audit_log
from graph.client import GraphClient, count_round_trips
from resolvers.principal import ANONYMOUS_DEVELOPER, Credential, Principal, Role
from resolvers.redaction import REDACTED, redact_variables
from schema.audit import AuditQuery
from schema.audit_trail import AuditTrail
from schema.error_codes import ErrorCodes
from schema.query import Query
from server.settings import Settings
from tests.principals import context_for
from tests.tokens import bearer, hs256

ROOT = merge_types("Query", (Query, AuditQuery))
READ_SCHEMA = strawberry.Schema(query=ROOT, extensions=[ErrorCodes])
AUDITED_SCHEMA = strawberry.Schema(query=ROOT, extensions=[ErrorCodes, AuditTrail])

ADMIN = Principal("alice", Role.ADMIN, credential=Credential.JWT)
INVESTIGATOR = Principal(
    "ivan", Role.INVESTIGATOR, purpose="C-2025-0001", credential=Credential.JWT
)
PARTNER = Principal(
    "public-security",
    Role.PARTNER,
    scope=frozenset({"370811"}),
    purpose="task 42",
    agreement="public_security",
    credential=Credential.API_KEY,
)

AUDIT_LOG = """
query AuditLog($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        seq at subject role credential purpose operationName documentHash variables
        records outcome prevHash hash
      }
    }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
AUDIT_SEQS = """
query AuditSeqs($filter: AuditLogFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) { totalCount edges { node { seq } } }
}
"""
AUDIT_COUNT = "query AuditCount { auditLog { totalCount } }"
RESIDENTS = """
query Residents($filter: PersonFilter, $first: Int) {
  persons(filter: $filter, first: $first) { edges { node { personId } } }
}
"""
DISTRICTS = "query Districts { districts { code name } }"

T0 = datetime(2025, 3, 1, tzinfo=UTC)
COUNT = 25


def logged(n: int) -> AuditEntry:
    """The n-th entry of the prepared log: at T0 + n hours, with varied who and outcome."""
    outcome = "ok"
    if n % 4 == 0:
        outcome = "error:FORBIDDEN"
    elif n % 7 == 0:
        outcome = "error:NOT_FOUND"
    elif n == COUNT:
        outcome = "refused:PURPOSE_REQUIRED"
    return AuditEntry(
        at=T0 + timedelta(hours=n),
        subject="alice" if n % 3 == 0 else "bob",
        role="admin" if n % 3 == 0 else "investigator",
        credential="jwt",
        purpose=None,
        operation_name="Residents" if n % 2 else "Cases",
        document_hash="0f" * 32,
        variables={"first": n},
        records=n,
        outcome=outcome,
    )


LOG = [logged(n) for n in range(1, COUNT + 1)]


def seqs_where(keep: Any) -> list[int]:
    """Seqs of the prepared log that `keep` accepts, newest first."""
    return [seq for seq, entry in reversed(list(enumerate(LOG, start=1))) if keep(entry)]


async def execute(
    schema: strawberry.Schema,
    graph: GraphClient,
    who: Principal,
    query: str,
    **variables: Any,
) -> tuple[Any, list[dict[str, Any]]]:
    """Run a document as `who`: (data, errors as the client sees them)."""
    result = await schema.execute(
        query, variable_values=variables, context_value=context_for(graph, who)
    )
    errors = [error.formatted for error in result.errors or []]
    return result.data, cast(list[dict[str, Any]], errors)


async def data_of(graph: GraphClient, who: Principal, query: str, **variables: Any) -> Any:
    data, errors = await execute(READ_SCHEMA, graph, who, query, **variables)
    assert not errors, errors
    return data


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [error["extensions"]["code"] for error in errors]


async def clear_log(graph: GraphClient) -> None:
    await graph.write("MATCH (n:AuditRecord|AuditHead) DETACH DELETE n")


@pytest.fixture
async def log(tiny: GraphClient) -> AsyncIterator[GraphClient]:
    """The tiny seed and an audit log holding exactly LOG (seqs 1..25)."""
    await clear_log(tiny)
    for entry in LOG:
        await append_audit_entry(tiny, entry)
    yield tiny
    await clear_log(tiny)


@pytest.fixture
async def no_log(tiny: GraphClient) -> AsyncIterator[GraphClient]:
    """The tiny seed and an empty audit log."""
    await clear_log(tiny)
    yield tiny
    await clear_log(tiny)


# -- auditLog -------------------------------------------------------------------------------


async def test_admin_pages_through_the_log_newest_first(log: GraphClient) -> None:
    # when an admin reads the log 10 at a time
    first = (await data_of(log, ADMIN, AUDIT_LOG, first=10))["auditLog"]
    second = (await data_of(log, ADMIN, AUDIT_LOG, first=10, after=first["pageInfo"]["endCursor"]))[
        "auditLog"
    ]
    third = (await data_of(log, ADMIN, AUDIT_LOG, first=10, after=second["pageInfo"]["endCursor"]))[
        "auditLog"
    ]
    # then the pages run newest first, without overlap, and say where they are
    pages = [[edge["node"]["seq"] for edge in page["edges"]] for page in (first, second, third)]
    assert pages == [list(range(25, 15, -1)), list(range(15, 5, -1)), list(range(5, 0, -1))]
    assert [page["pageInfo"]["hasNextPage"] for page in (first, second, third)] == [
        True,
        True,
        False,
    ]
    assert [page["pageInfo"]["hasPreviousPage"] for page in (first, second, third)] == [
        False,
        True,
        True,
    ]
    assert {page["totalCount"] for page in (first, second, third)} == {25}
    # and a record carries everything that was logged, and its chain link
    newest = first["edges"][0]["node"]
    assert newest == {
        "seq": 25,
        "at": "2025-03-02T01:00:00+00:00",
        "subject": "bob",
        "role": "investigator",
        "credential": "jwt",
        "purpose": None,
        "operationName": "Residents",
        "documentHash": "0f" * 32,
        "variables": {"first": 25},
        "records": 25,
        "outcome": "refused:PURPOSE_REQUIRED",
        "prevHash": first["edges"][1]["node"]["hash"],
        "hash": newest["hash"],
    }


FILTERS: dict[str, tuple[dict[str, Any], Any]] = {
    "subject": ({"subject": "alice"}, lambda e: e.subject == "alice"),
    "role": ({"role": "investigator"}, lambda e: e.role == "investigator"),
    "outcome prefix": ({"outcome": "error"}, lambda e: e.outcome.startswith("error")),
    "outcome code": ({"outcome": "error:FORBIDDEN"}, lambda e: e.outcome == "error:FORBIDDEN"),
    "refused": ({"outcome": "refused"}, lambda e: e.outcome.startswith("refused")),
    "operation name": ({"operationName": "Cases"}, lambda e: e.operation_name == "Cases"),
    "since and until (UTC)": (
        {"since": "2025-03-01T10:00:00+00:00", "until": "2025-03-01T15:00:00Z"},
        lambda e: T0 + timedelta(hours=10) <= e.at < T0 + timedelta(hours=15),
    ),
    "since without offset is China time": (
        {"since": "2025-03-02T08:00:00"},  # = 2025-03-02T00:00Z = T0 + 24 h
        lambda e: e.at >= T0 + timedelta(hours=24),
    ),
    "combined": (
        {"subject": "bob", "outcome": "ok", "operationName": "Residents"},
        lambda e: e.subject == "bob" and e.outcome == "ok" and e.operation_name == "Residents",
    ),
    "nothing matches": ({"subject": "nobody"}, lambda e: False),
}


@pytest.mark.parametrize(("given", "keep"), FILTERS.values(), ids=FILTERS.keys())
async def test_filters_select_in_cypher(log: GraphClient, given: dict[str, Any], keep: Any) -> None:
    data = await data_of(log, ADMIN, AUDIT_SEQS, filter=given, first=100)
    expected = seqs_where(keep)
    assert [edge["node"]["seq"] for edge in data["auditLog"]["edges"]] == expected
    assert data["auditLog"]["totalCount"] == len(expected)


async def test_filters_with_concrete_answers(log: GraphClient) -> None:
    forbidden = await data_of(log, ADMIN, AUDIT_SEQS, filter={"outcome": "error:FORBIDDEN"})
    assert [e["node"]["seq"] for e in forbidden["auditLog"]["edges"]] == [24, 20, 16, 12, 8, 4]
    window = await data_of(
        log,
        ADMIN,
        AUDIT_SEQS,
        filter={"since": "2025-03-01T18:00:00", "until": "2025-03-01T23:00:00"},  # China time
    )
    assert [e["node"]["seq"] for e in window["auditLog"]["edges"]] == [14, 13, 12, 11, 10]


async def test_total_count_alone_reads_no_records(log: GraphClient) -> None:
    assert (await data_of(log, ADMIN, AUDIT_COUNT))["auditLog"] == {"totalCount": 25}


@pytest.mark.parametrize("who", [INVESTIGATOR, PARTNER], ids=["investigator", "partner"])
async def test_only_admins_may_read_the_log(log: GraphClient, who: Principal) -> None:
    data, errors = await execute(READ_SCHEMA, log, who, AUDIT_LOG)
    assert data is None
    assert codes(errors) == ["FORBIDDEN"]
    assert errors[0]["path"] == ["auditLog"]


BAD_ARGUMENTS: dict[str, dict[str, Any]] = {
    "unknown role": {"filter": {"role": "wizard"}},
    "until before since": {
        "filter": {"since": "2025-03-02T00:00:00Z", "until": "2025-03-01T00:00:00Z"}
    },
    "page too large": {"first": 101},
    "malformed cursor": {"after": "not-a-cursor"},
}


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
async def test_bad_arguments_are_bad_user_input(
    log: GraphClient, arguments: dict[str, Any]
) -> None:
    _, errors = await execute(READ_SCHEMA, log, ADMIN, AUDIT_LOG, **arguments)
    assert codes(errors) == ["BAD_USER_INPUT"]


# -- the AuditTrail extension ---------------------------------------------------------------


async def read_log(graph: GraphClient) -> list[dict[str, Any]]:
    data = await data_of(graph, ADMIN, AUDIT_LOG, first=100)
    return [edge["node"] for edge in data["auditLog"]["edges"]]


async def test_an_authenticated_operation_is_recorded_after_it_ran(no_log: GraphClient) -> None:
    # given an investigator looking for residents by name
    variables = {"filter": {"namePrefix": "张", "colourLabel": None}, "first": 3}
    # when the operation runs (inside the per-request round-trip counter, as over HTTP)
    with count_round_trips() as trips:
        data, errors = await execute(AUDITED_SCHEMA, no_log, INVESTIGATOR, RESIDENTS, **variables)
    assert not errors and data["persons"]["edges"]
    # then one record says who, why, what (name redacted), how much and how it ended
    [record] = await read_log(no_log)
    assert trips.records > 0
    returned = len(data["persons"]["edges"])  # the persons returned (connection plumbing not)
    assert {key: value for key, value in record.items() if key not in ("at", "hash")} == {
        "seq": 1,
        "subject": "ivan",
        "role": "investigator",
        "credential": "jwt",
        "purpose": "C-2025-0001",
        "operationName": "Residents",
        "documentHash": hashlib.sha256(RESIDENTS.encode()).hexdigest(),
        "variables": {"filter": {"namePrefix": REDACTED, "colourLabel": None}, "first": 3},
        "records": returned,
        "outcome": "ok",
        "prevHash": "0" * 64,
    }
    assert datetime.fromisoformat(record["at"]) <= datetime.now(UTC)
    assert (await verify_audit_log(no_log)).intact


async def test_failed_and_refused_operations_are_recorded_with_their_codes(
    no_log: GraphClient,
) -> None:
    # when an investigator tries the audit log, then sends a document that does not parse
    await execute(AUDITED_SCHEMA, no_log, INVESTIGATOR, AUDIT_LOG)
    await execute(AUDITED_SCHEMA, no_log, PARTNER, "query Broken { districts ")
    await execute(AUDITED_SCHEMA, no_log, PARTNER, "query Unknown { nonsense }")
    # then each attempt is on record, newest first, with its outcome
    records = await read_log(no_log)
    assert [(r["subject"], r["operationName"], r["outcome"], r["records"]) for r in records] == [
        ("public-security", "Unknown", "error:GRAPHQL_VALIDATION_FAILED", 0),
        ("public-security", None, "error:GRAPHQL_PARSE_FAILED", 0),
        ("ivan", "AuditLog", "error:FORBIDDEN", 0),
    ]
    assert records[0]["credential"] == "api_key" and records[0]["purpose"] == "task 42"


async def test_the_anonymous_developer_is_not_audited(no_log: GraphClient) -> None:
    data, errors = await execute(AUDITED_SCHEMA, no_log, ANONYMOUS_DEVELOPER, DISTRICTS)
    assert not errors and data["districts"]
    assert await no_log.read("MATCH (r:AuditRecord) RETURN count(r) AS n") == [{"n": 0}]


async def test_an_operation_whose_audit_record_cannot_be_written_fails_closed(
    no_log: GraphClient,
) -> None:
    # given a log the next append cannot extend (a stray record 1 without a head: the
    # append's seq 1 then violates the uniqueness constraint)
    await no_log.write("CREATE (:AuditRecord {seq: 1})")
    # when an admin reads the districts
    data, errors = await execute(AUDITED_SCHEMA, no_log, ADMIN, DISTRICTS)
    # then no data leaves unaudited: the operation fails as SERVICE_UNAVAILABLE
    assert data is None
    assert codes(errors) == ["SERVICE_UNAVAILABLE"]
    assert errors[0]["extensions"]["reason"] == "AUDIT_UNAVAILABLE"
    assert await no_log.read("MATCH (r:AuditRecord) RETURN count(r) AS n") == [{"n": 1}]


async def test_concurrent_operations_share_a_commit_and_fail_closed_together(
    no_log: GraphClient,
) -> None:
    # when six admins read the districts at once, their records are committed together
    results = await asyncio.gather(
        *(execute(AUDITED_SCHEMA, no_log, ADMIN, DISTRICTS) for _ in range(6))
    )
    assert all(data and not errors for data, errors in results)
    report = await verify_audit_log(no_log)
    assert report.intact and report.records == 6
    # given a log no batch can extend (a stray record at seq 7, the next seq: the head stays)
    await no_log.write("CREATE (:AuditRecord {seq: 7})")
    # when six more run at once: each batch they form fails as one transaction
    results = await asyncio.gather(
        *(execute(AUDITED_SCHEMA, no_log, ADMIN, DISTRICTS) for _ in range(6))
    )
    # then every one of them fails closed, and none of them is half-logged
    for data, errors in results:
        assert data is None and codes(errors) == ["SERVICE_UNAVAILABLE"]
        assert errors[0]["extensions"]["reason"] == "AUDIT_UNAVAILABLE"
    assert await no_log.read("MATCH (r:AuditRecord) RETURN count(r) AS n") == [{"n": 7}]


# -- redaction ------------------------------------------------------------------------------


def test_redaction_hides_identifiers_phones_and_names_at_any_depth() -> None:
    variables = {
        "idCard": "110101199003071234",
        "first": 5,
        "open": True,
        "homeAddress": "任城区 1 号",
        "personName": None,
        "text": "张三",
        "q": "11010119900307123x",
        "filter": {
            "namePrefix": "张",
            "grid": "370811001001001",
            "building": "370811001001001001",
            "note": "联系 138-1234-5678 或 +8613912345678",
            "items": [
                {"phone_number": "13800138000"},
                {"code": "C-2024-000123"},
                "身份证 11010119900307123X 已核",
                ["13912345678", 42],
            ],
        },
    }
    assert redact_variables(variables) == {
        "idCard": REDACTED,
        "first": 5,
        "open": True,
        "homeAddress": REDACTED,
        "personName": None,
        "text": REDACTED,
        "q": REDACTED,
        "filter": {
            "namePrefix": REDACTED,
            "grid": "370811001001001",  # a 15-digit grid code is neither a phone nor an ID
            "building": "370811001001001001",  # 18 digits, but no birth date inside
            "note": REDACTED,
            "items": [
                {"phone_number": REDACTED},
                {"code": "C-2024-000123"},
                REDACTED,
                [REDACTED, 42],
            ],
        },
    }
    assert redact_variables(None) == {}


# -- objects returned -----------------------------------------------------------------------

PAGE_OF_PERSONS = """
query Page($first: Int) {
  persons(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { personId name grid { code } } }
  }
  districts { code }
}
"""


async def test_records_count_the_objects_returned_not_the_cypher_rows(
    no_log: GraphClient, http: TestClient, settings: Settings
) -> None:
    # given an admin asking over HTTP for a page of 100 persons, each with its grid
    token = hs256(settings, "admin", subject="page-reader")
    response = http.post(
        "/graphql",
        json={"query": PAGE_OF_PERSONS, "variables": {"first": 100}},
        headers=bearer(token),
    )
    body = response.json()
    assert "errors" not in body, body
    edges = body["data"]["persons"]["edges"]
    persons = len(edges)
    grids = sum(1 for edge in edges if edge["node"]["grid"] is not None)
    districts = len(body["data"]["districts"])
    assert persons == 100 and grids > 0  # the tiny seed has more residents than a page
    # then the record counts every person, grid and district object (connection, edges and
    # pageInfo are plumbing), where the Cypher rows read were a handful
    rows = await no_log.read(
        "MATCH (r:AuditRecord {subject: 'page-reader'}) RETURN r.records AS records"
    )
    assert rows == [{"records": persons + grids + districts}]
