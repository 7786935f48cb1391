"""Totals read from the grids' degree (graph/traversal.py, Hop.degree) equal the walked count
of current residents, unscoped and scoped, on a graph with ended periods and several places."""

from __future__ import annotations

from typing import Any

from graph import persons
from graph.client import GraphClient
from graph.compiled_read import Read, compile_read

GRIDS = ("370811001001001", "370811001001002", "370811001002001")


async def _total(graph: GraphClient, key: str, scope: list[str] | None) -> Any:
    hop = persons.RESIDENTS_IN_PLACE
    params = {name: None for name, _ in hop.optional}
    read = Read(hop, paged=True, params=params, with_items=False, with_total=True)
    text, values = compile_read(read, scoped=scope is not None)
    assert "COUNT { (s)<-[:RESIDES_IN]-() }" in text  # the degree, not a walk
    [row] = await graph.read(text, {**values, "key": key, "scope": scope})
    return row["value"]["total"]


async def test_degree_totals_equal_the_walked_count(empty_graph: GraphClient) -> None:
    # given three grids in two communities, residents now and residents who moved away
    await empty_graph.write(
        "UNWIND $grids AS code CREATE (:Grid {code: code}) "
        "WITH count(*) AS made "
        "UNWIND range(0, 11) AS i "
        "MATCH (g:Grid {code: $grids[i % 3]}) "
        "CREATE (p:Person {id: 'p' + i, name: 'n' + i}) "
        "FOREACH (_ IN CASE WHEN i % 4 = 0 THEN [1] ELSE [] END | "
        "  CREATE (p)-[:RESIDED_IN {since: date('2020-01-01'), until: date('2021-01-01')}]->(g)) "
        "FOREACH (_ IN CASE WHEN i % 4 <> 0 THEN [1] ELSE [] END | "
        "  CREATE (p)-[:RESIDES_IN {since: date('2021-01-01')}]->(g))",
        {"grids": list(GRIDS)},
    )
    walked = {
        row["key"]: row["n"]
        for row in await empty_graph.read(
            "UNWIND $keys AS key "
            "OPTIONAL MATCH (g:Grid)<-[:RESIDES_IN]-(p:Person) WHERE g.code STARTS WITH key "
            "RETURN key, count(p) AS n",
            {"keys": [*GRIDS, "370811001001", "370811001"]},
        )
    }
    assert walked["370811001"] == 9  # 12 persons, 3 of them moved away
    for key, n in walked.items():
        # then the unscoped total, and a scope holding the place, read the degree
        assert await _total(empty_graph, key, None) == n
        assert await _total(empty_graph, key, ["370811001"]) == n
    # and a scope outside every grid sees none of them (the persons have no other tie)
    assert await _total(empty_graph, "370811001", ["370811002"]) == 0
    # and a scope holding one grid of the place sees that grid's residents only
    assert await _total(empty_graph, "370811001001", [GRIDS[0]]) == walked[GRIDS[0]]
