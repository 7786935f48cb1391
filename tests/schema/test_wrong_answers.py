"""Wrong answers found by independent lookups (issue 12, items 21-23), over HTTP on the tiny
seed; expectations come from the tests' own Cypher over docs/model.md.

21. Every node a connection or a dispute network draws has its type's global ID (natural
    key), so `node(id:)` finds it.
22. A resolved or closed case is not open at any level of its escalation path.
23. Out-of-range dates, times, periods and cursors are BAD_USER_INPUT, not internal errors.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.investigations import NODE_SPECS, ConnectionType
from schema.relay import decode_global_id, global_id
from server.settings import Settings
from tests.schema.conftest import errors_of, run
from tests.tokens import bearer, hs256

KEY_OF = {spec.label: spec.key for spec in NODE_SPECS}
ENDS = ("Person", "Case", "Grid")  # what a connection may start and end at

# For one relationship type and one label in the middle: two ends joined through a node of
# that label by that type twice, and not directly.
TWO_STEPS = """
MATCH (a)-[r1]-(m)-[r2]-(b)
WHERE type(r1) = $type AND type(r2) = $type AND $label IN labels(m)
  AND elementId(a) < elementId(b)
  AND any(l IN labels(a) WHERE l IN $ends) AND any(l IN labels(b) WHERE l IN $ends)
  AND NOT EXISTS { MATCH (a)-[r3]-(b) WHERE type(r3) = $type }
WITH a, b, m ORDER BY elementId(a), elementId(b) LIMIT 1
RETURN [l IN labels(a) WHERE l IN $ends][0] AS fromType,
       coalesce(a.id, a.code) AS fromKey,
       [l IN labels(b) WHERE l IN $ends][0] AS toType,
       coalesce(b.id, b.code) AS toKey
"""

# Every (relationship type, node type) a connection can walk through in the seed: the
# labels at either end of each walkable relationship type.
WALKED_LABELS = """
MATCH (x)-[r]-()
WHERE type(r) IN $types
WITH DISTINCT type(r) AS type, [l IN labels(x) WHERE l IN $known] AS typed, labels(x) AS named
RETURN type, typed, named
"""

PATHS = """
query Paths($from: ID!, $to: ID!, $via: [ConnectionType!]) {
  connections(from: $from, to: $to, maxHops: 2, via: $via) {
    allShortest { nodes { id type label properties } }
  }
}
"""

NETWORK = """
query Network($center: ID!) {
  disputeNetwork(center: $center, hops: 3, maxNodes: 1000) { nodes { id type properties } }
}
"""

NODE = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def check_natural_keys(http: TestClient, nodes: list[dict[str, Any]]) -> None:
    """Each node's global ID is Type:naturalKey, and node(id:) gives it back."""
    for node in nodes:
        decoded = decode_global_id(node["id"])
        assert decoded.type_name == node["type"] in KEY_OF, node
        assert decoded.key == node["properties"][KEY_OF[node["type"]]], node
    ids = sorted({n["id"] for n in nodes})
    found = run(http, NODE, ids=ids)["nodes"]
    assert [(f["__typename"], f["id"]) for f in found] == [
        (decode_global_id(i).type_name, i) for i in ids
    ]


async def test_every_walkable_node_type_has_a_global_id(tiny: GraphClient) -> None:
    # every node at either end of a relationship type a connection walks has a GraphQL type
    rows = await tiny.read(
        WALKED_LABELS, {"types": [t.value for t in ConnectionType], "known": list(KEY_OF)}
    )
    assert rows
    untyped = [(row["type"], row["named"]) for row in rows if not row["typed"]]
    assert not untyped


async def walk_cases(graph: GraphClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(relationship type, middle label, ends) for every pair the seed holds."""
    found = []
    for connection_type in ConnectionType:
        for label in KEY_OF:
            rows = await graph.read(
                TWO_STEPS, {"type": connection_type.value, "label": label, "ends": list(ENDS)}
            )
            found += [(connection_type.value, label, row) for row in rows]
    return found


async def test_connections_give_every_node_type_its_natural_key(
    tiny: GraphClient, http: TestClient
) -> None:
    # given, for each relationship type and each node type, two ends joined through a node
    # of that type
    cases = await walk_cases(tiny)
    middles = {label for _, label, _ in cases}
    assert {"Person", "Case", "Grid", "PartyOrganization", "MediationCommittee"} <= middles
    assert "Department" in middles
    for connection_type, label, ends in cases:
        # when the paths between them over that type are drawn
        paths = run(
            http,
            PATHS,
            via=[connection_type],
            **{
                "from": global_id(ends["fromType"], ends["fromKey"]),
                "to": global_id(ends["toType"], ends["toKey"]),
            },
        )["connections"]["allShortest"]
        nodes = [n for p in paths for n in p["nodes"]]
        # then the middle type is drawn, and every node has its natural key and is found
        assert label in {n["type"] for n in nodes}, (connection_type, label)
        assert all(n["properties"] for n in nodes)
        check_natural_keys(http, nodes)


async def test_dispute_networks_give_every_node_its_natural_key(
    tiny: GraphClient, http: TestClient
) -> None:
    # given the case with the most handlers of different kinds
    [row] = await tiny.read(
        "MATCH (c:Case)-[:HANDLED_BY]->(h) WITH c, count(DISTINCT labels(h)) AS kinds "
        "RETURN c.code AS code ORDER BY kinds DESC, code LIMIT 1"
    )
    nodes = run(http, NETWORK, center=global_id("Case", row["code"]))["disputeNetwork"]["nodes"]
    assert {"Case", "Person", "Grid"} <= {n["type"] for n in nodes}
    check_natural_keys(http, nodes)


# -- item 22 -------------------------------------------------------------------------------

ESCALATION = """
query Escalation($case: String!) {
  escalationPath(case: $case) {
    case { code status reportedAt }
    levels { level enteredAt leftAt seconds current }
    totalSeconds
  }
}
"""

# Resolved cases with when they were (last) resolved, from their timeline.
RESOLVED = """
MATCH (c:Case {status: $status})-[:HAS_EVENT]->(e:CaseEvent)
WHERE e.status = 'resolved' AND NOT EXISTS {
  MATCH (c)-[:HAS_EVENT]->(later:CaseEvent)
  WHERE later.seq > e.seq AND NOT later.status IN ['resolved', 'closed'] }
WITH c, min(e.at) AS resolvedAt
RETURN c.code AS code, resolvedAt ORDER BY code LIMIT 3
"""


@pytest.mark.parametrize("status", ["resolved", "closed"])
async def test_escalation_path_of_a_finished_case_is_open_nowhere(
    tiny: GraphClient, http: TestClient, status: str
) -> None:
    # given resolved (or closed) cases and when they were resolved
    rows = await tiny.read(RESOLVED, {"status": status})
    assert rows
    for row in rows:
        # when their escalation paths are asked for
        path = run(http, ESCALATION, case=row["code"])["escalationPath"]
        levels = path["levels"]
        # then no level is current, the last was left at the resolution
        assert not any(level["current"] for level in levels)
        assert all(level["leftAt"] is not None for level in levels)
        resolved: datetime = row["resolvedAt"]
        assert datetime.fromisoformat(levels[-1]["leftAt"]) == resolved
        # and the time adds up to report -> resolution, not report -> now
        reported = datetime.fromisoformat(path["case"]["reportedAt"])
        assert path["totalSeconds"] == pytest.approx((resolved - reported).total_seconds())


# -- item 23 -------------------------------------------------------------------------------


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


OUT_OF_RANGE_DAYS = ["0001-01-01", "9999-12-31"]
CASES_FILTER = "query($f: CaseFilter) { cases(filter: $f) { totalCount } }"
CASES_FILTER_INLINE = 'query { cases(filter: {reportedFrom: "0001-01-01"}) { totalCount } }'


def assert_bad_input(errors: list[dict[str, Any]], argument: str) -> None:
    [error] = errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument, error


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
@pytest.mark.parametrize("field", ["reportedFrom", "reportedBefore"])
def test_case_filter_dates_out_of_range_are_bad_input(
    tiny: GraphClient, http: TestClient, field: str, day: str
) -> None:
    assert_bad_input(errors_of(http, CASES_FILTER, f={field: day}), f"filter.{field}")


def test_inline_case_filter_date_out_of_range_is_bad_input(
    tiny: GraphClient, http: TestClient
) -> None:
    assert_bad_input(errors_of(http, CASES_FILTER_INLINE), "filter.reportedFrom")


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
def test_date_arguments_out_of_range_are_bad_input(
    tiny: GraphClient, http: TestClient, day: str
) -> None:
    since = "query($d: Date) { repeatDisputants(since: $d) { personId } }"
    assert_bad_input(errors_of(http, since, d=day), "since")
    [person] = run(http, "{ persons(first: 1) { edges { node { id } } } }")["persons"]["edges"]
    network = (
        "query($c: ID!, $s: Date, $u: Date) { disputeNetwork(center: $c, since: $s, until: $u)"
        " { truncated } }"
    )
    center = person["node"]["id"]
    assert_bad_input(errors_of(http, network, c=center, s=day), "since")
    assert_bad_input(errors_of(http, network, c=center, u=day), "until")
    # in range, the same arguments are answered
    assert run(http, since, d="1900-01-01")["repeatDisputants"] is not None


@pytest.mark.parametrize("period", ["0001-02", "0002", "0001Q2", "2200", "2200Q1"])
def test_periods_out_of_range_are_bad_input(
    tiny: GraphClient, http: TestClient, period: str
) -> None:
    query = "query($p: String!) { districtScorecard(period: $p) { caseCount } }"
    assert_bad_input(errors_of(http, query, p=period), "period")
    hotspots = "query($p: String!) { hotspots(level: GRID, period: $p) { period } }"
    assert_bad_input(errors_of(http, hotspots, p=period), "period")


@pytest.mark.parametrize(
    "after",
    [
        cursor("offset:9223372036854775807"),
        cursor("offset:1000000001"),
        cursor("offset:-1"),
        cursor("offset:+5"),
        cursor("offset:\u0663"),  # an Arabic-Indic digit three: int() would take it
        "not-a-cursor",
    ],
)
def test_cursors_out_of_range_are_bad_input(
    tiny: GraphClient, http: TestClient, settings: Settings, after: str
) -> None:
    persons = "query($a: String) { persons(after: $a) { totalCount edges { cursor } } }"
    assert_bad_input(errors_of(http, persons, a=after), "after")
    cases = "query($a: String) { cases(after: $a) { totalCount } }"
    assert_bad_input(errors_of(http, cases, a=after), "after")
    admin = bearer(hs256(settings, "admin", subject="admin-cursor"))
    audit = "query($a: String) { auditLog(after: $a) { totalCount } }"
    body = http.post(
        "/graphql", json={"query": audit, "variables": {"a": after}}, headers=admin
    ).json()
    assert_bad_input(body["errors"], "after")


def test_offset_cursors_of_old_are_bad_input(tiny: GraphClient, http: TestClient) -> None:
    # Cursors are keyset cursors now (resolvers/pagination.py); the offsets of old are refused.
    query = "query($a: String) { persons(after: $a) { edges { cursor } pageInfo { hasNextPage } } }"
    assert_bad_input(errors_of(http, query, a=cursor("offset:10")), "after")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-08:00"])
def test_times_out_of_range_are_bad_input(tiny: GraphClient, http: TestClient, moment: str) -> None:
    query = "query($t: DateTime) { overdueCases(asOf: $t) { totalCount } }"
    assert_bad_input(errors_of(http, query, t=moment), "asOf")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-08:00"])
def test_audit_log_times_out_of_range_are_bad_input(
    tiny: GraphClient, http: TestClient, settings: Settings, moment: str
) -> None:
    admin = bearer(hs256(settings, "admin", subject="admin-times"))
    query = "query($f: AuditLogFilter) { auditLog(filter: $f) { totalCount } }"
    body = http.post(
        "/graphql", json={"query": query, "variables": {"f": {"since": moment}}}, headers=admin
    ).json()
    assert_bad_input(body["errors"], "filter.since")
