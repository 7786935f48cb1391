"""The seeds' residents' upkeep (seeds/residents.py): every resident lives in a building of their
grid and belongs to one household with one head, family relations agree with the household's,
key persons have a grade, and labels carry their history; the same seed gives the same rows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graph.client import GraphClient
from graph.key_persons import grade_codes
from graph.maintenance import delete_everything
from graph.personal_data import PersonalDataKey
from seeds.generator import Generator
from seeds.loader import seed_graph
from seeds.plan import DEFAULT_SEED, Scale, scale_spec

KEY = PersonalDataKey(bytes(range(32)))


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[GraphClient]:
    await delete_everything(graph)
    await seed_graph(graph, KEY, Scale.TINY, progress=False)
    yield graph


async def test_every_resident_lives_in_a_building_of_their_grid(seeded: GraphClient) -> None:
    [row] = await seeded.read(
        "MATCH (p:Person)-[r:RESIDES_IN]->(g:Grid) "
        "OPTIONAL MATCH (p)-[:LIVES_AT]->(b:Building)-[:PART_OF]->(bg:Grid) "
        "RETURN count(p) AS residents, count(b) AS housed, "
        "count(CASE WHEN bg <> g THEN 1 END) AS elsewhere"
    )
    assert row["residents"] > 0
    assert row["housed"] == row["residents"] and row["elsewhere"] == 0


async def test_every_resident_is_in_one_household_with_one_head(seeded: GraphClient) -> None:
    rows = await seeded.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(:Grid) "
        "RETURN COUNT { (p)-[:MEMBER_OF_HOUSEHOLD]->() } AS households"
    )
    assert {row["households"] for row in rows} == {1}
    heads = await seeded.read(
        "MATCH (h:Household)-[:IN_GRID]->(:Grid) "
        "RETURN COUNT { (:Person)-[:MEMBER_OF_HOUSEHOLD {relation: 'head'}]->(h) } AS heads"
    )
    assert heads and {row["heads"] for row in heads} == {1}
    # a member's relation to the head is the family tie as seen from the head
    [wrong] = await seeded.read(
        "MATCH (head:Person)-[:MEMBER_OF_HOUSEHOLD {relation: 'head'}]->(h:Household)"
        "<-[m:MEMBER_OF_HOUSEHOLD]-(p:Person) WHERE p <> head "
        "OPTIONAL MATCH (head)-[f:FAMILY]-(p) "
        "WITH m, CASE WHEN f IS NULL THEN 'other' WHEN startNode(f) = head THEN f.relation "
        "ELSE {child: 'parent', parent: 'child', spouse: 'spouse', sibling: 'sibling'}"
        "[f.relation] END AS seen "
        "RETURN count(CASE WHEN seen <> m.relation THEN 1 END) AS n, count(*) AS all"
    )
    assert wrong["all"] > 0 and wrong["n"] == 0


async def test_key_persons_have_a_grade_and_labels_a_history(seeded: GraphClient) -> None:
    rows = await seeded.read(
        "MATCH (p:Person) WHERE size(coalesce(p.tags, [])) > 0 "
        "RETURN p.keyPersonGrade AS grade, "
        "[(p)-[:LABEL_CHANGED]->(c) | c.field] AS fields"
    )
    assert rows
    assert {row["grade"] for row in rows} <= set(grade_codes())
    assert all({"tags", "keyPersonGrade"} <= set(row["fields"]) for row in rows)
    # the last change of each field is what the person carries now
    [stale] = await seeded.read(
        "MATCH (p:Person)-[:LABEL_CHANGED]->(c:LabelChange {field: 'colourLabel'}) "
        "WITH p, c ORDER BY c.at DESC WITH p, collect(c)[0] AS last "
        "RETURN count(CASE WHEN last.after[0] <> p.colourLabel THEN 1 END) AS n"
    )
    assert stale["n"] == 0


def test_the_same_seed_gives_the_same_upkeep_rows() -> None:
    def rows() -> list[object]:
        generator = Generator(scale_spec(Scale.TINY), DEFAULT_SEED, KEY)
        found: list[object] = []
        for chunk, _ in generator.chunks():
            found += [chunk.households, chunk.household_members, chunk.label_changes]
            found += [chunk.building_residences, chunk.key_grades]
        return found

    assert rows() == rows()


async def test_every_grid_has_a_six_element_history_and_its_latest_state(
    seeded: GraphClient,
) -> None:
    rows = await seeded.read(
        "MATCH (g:Grid) "
        "OPTIONAL MATCH (g)<-[:OF_GRID]-(u:ElementUpdate) UNWIND u.elements AS element "
        "WITH g, element, max(u.at) AS last, count(u) AS sessions "
        "OPTIONAL MATCH (g)<-[:OF_GRID]-(e:GridElement {element: element}) "
        "RETURN g.code AS grid, element, last = e.updatedAt AS agrees, sessions"
    )
    assert rows and all(row["agrees"] for row in rows)
    assert {row["element"] for row in rows} == {
        "people",
        "places",
        "events",
        "things",
        "sentiment",
        "organizations",
    }
