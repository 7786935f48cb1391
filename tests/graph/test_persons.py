"""Persons: one node per human, role labels, residence, family, grid workers; idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph import persons, places
from graph.client import GraphClient
from graph.personal_data import PersonalDataKey, person_id, protect_person_identifiers
from graph.places import PlaceLevel

KEY = PersonalDataKey(bytes(range(32)))
GRID = "370811001001001"

PERSON = "MATCH (p:Person {id: $id}) RETURN labels(p) AS labels, p AS props"
EDGES = """
MATCH (p:Person {id: $id})-[r]->(x)
RETURN type(r) AS type, properties(r) AS props, coalesce(x.code, x.id) AS target
ORDER BY type
"""


def person_row(id_card: str, phone: str | None, roles: list[str]) -> dict[str, Any]:
    protected = protect_person_identifiers(KEY, id_card, phone)
    return {
        "id": person_id(str(protected["idCardHash"])),
        "name": "王秀英",
        "gender": "female",
        "birthDate": date(1971, 3, 9),
        "address": "济宁市任城区李营街道东方社区3号楼1单元502室",
        "colourLabel": "green",
        "tags": ["veteran"],
        "roles": roles,
        **protected,
    }


async def _grid(graph: GraphClient) -> None:
    await places.upsert_places(graph, PlaceLevel.DISTRICT, [{"code": "370811", "name": "任城区"}])
    for level, code, parent in (
        (PlaceLevel.STREET, GRID[:9], GRID[:6]),
        (PlaceLevel.COMMUNITY, GRID[:12], GRID[:9]),
        (PlaceLevel.GRID, GRID, GRID[:12]),
    ):
        row = {"code": code, "name": code, "kind": None, "parentCode": parent}
        await places.upsert_places(graph, level, [row])


async def test_a_person_is_written_once_with_role_labels_and_protected_identifiers(
    empty_graph: GraphClient,
) -> None:
    # given a resident who is also the grid worker
    row = person_row("37081119710309002X", "13805371234", ["Resident", "GridWorker"])
    # when written twice
    await persons.upsert_persons(empty_graph, [row])
    await persons.upsert_persons(empty_graph, [row])
    # then there is one node with both role labels and only the protected identifiers
    (found,) = await empty_graph.read(PERSON, {"id": row["id"]})
    assert set(found["labels"]) == {"Person", "Resident", "GridWorker"}
    props = found["props"]
    assert props["idCardMasked"] == "370811********002X"
    assert props["phoneMasked"] == "138****1234"
    assert "37081119710309002X" not in str(props) and "13805371234" not in str(props)
    assert props["birthDate"] == date(1971, 3, 9)


async def test_an_unknown_role_is_refused_before_anything_is_written(
    empty_graph: GraphClient,
) -> None:
    row = person_row("370811197103090011", None, ["Resident", "Admin`) DETACH DELETE (x"])
    with pytest.raises(ValueError):
        await persons.upsert_persons(empty_graph, [row])
    assert await empty_graph.read(PERSON, {"id": row["id"]}) == []


async def test_residence_family_and_grid_work_are_idempotent(empty_graph: GraphClient) -> None:
    # given a grid and a married couple living in it, the wife its grid worker
    await _grid(empty_graph)
    wife = person_row("37081119710309002X", None, ["Resident", "GridWorker"])
    husband = person_row("370811196905120015", None, ["Resident"])
    await persons.upsert_persons(empty_graph, [wife, husband])
    # when their relationships are written twice
    for _ in range(2):
        await persons.upsert_residences(
            empty_graph,
            [
                {"personId": p["id"], "gridCode": GRID, "since": date(2001, 5, 1)}
                for p in (wife, husband)
            ],
        )
        await persons.upsert_family_ties(
            empty_graph, [{"fromId": husband["id"], "toId": wife["id"], "relation": "spouse"}]
        )
        await persons.upsert_grid_workers(
            empty_graph,
            [
                {
                    "personId": wife["id"],
                    "gridCode": GRID,
                    "since": date(2020, 1, 1),
                    "fullTime": True,
                }
            ],
        )
    # then each relationship exists once
    wife_edges = await empty_graph.read(EDGES, {"id": wife["id"]})
    assert [(e["type"], e["target"]) for e in wife_edges] == [
        ("RESIDES_IN", GRID),
        ("WORKS_GRID", GRID),
    ]
    husband_edges = await empty_graph.read(EDGES, {"id": husband["id"]})
    assert [(e["type"], e["props"].get("relation")) for e in husband_edges] == [
        ("FAMILY", "spouse"),
        ("RESIDES_IN", None),
    ]


async def test_an_unknown_family_relation_is_refused(empty_graph: GraphClient) -> None:
    with pytest.raises(ValueError):
        await persons.upsert_family_ties(
            empty_graph, [{"fromId": "a", "toId": "b", "relation": "boss"}]
        )
