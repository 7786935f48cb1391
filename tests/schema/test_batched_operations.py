"""The operations of a batch answer as they do alone (resolvers/context.RequestContext.
for_operation): they run at once, and a compiled root field files its answers by response
path, a path another operation of the batch may use for a field of its own."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from graph.client import GraphClient

# Not compiled (its edges carry a duty): each case's parties are read per level, at the
# path ("x", "edges", i, "node", "parties").
OVERDUE = """
{ x: overdueCases(asOf: "2100-01-01T00:00:00Z", first: 3) {
    edges { node { code parties { role person { name } } } } } }"""
# Compiled: the same path, filled by the root field's one query.
NEWEST = """
{ x: cases(first: 3) { edges { node { code parties { role person { name } } } } } }"""


def _codes(answer: dict[str, Any]) -> list[str]:
    return [edge["node"]["code"] for edge in answer["data"]["x"]["edges"]]


def test_operations_of_a_batch_answer_as_alone(tiny: GraphClient, http: TestClient) -> None:
    alone = [http.post("/graphql", json={"query": q}).json() for q in (OVERDUE, NEWEST)]
    assert all("errors" not in answer for answer in alone), alone
    overdue, newest = (_codes(answer) for answer in alone)
    assert overdue and newest and overdue != newest  # the same paths, other cases
    wrong = 0
    for attempt in range(24):
        order = (OVERDUE, NEWEST) if attempt % 2 == 0 else (NEWEST, OVERDUE)
        expected = alone if order[0] == OVERDUE else alone[::-1]
        batch = http.post("/graphql", json=[{"query": q} for q in order])
        assert batch.status_code == 200
        wrong += batch.json() != expected
    assert wrong == 0, f"{wrong} of 24 batches answered with another operation's parties"
