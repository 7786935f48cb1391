"""The seeds' grid activity (seeds/grid_activity.py): the same seed gives the same rows at
every scale, and the tiny seed keeps the model's invariants (visits find the hazards their
worker reported, stars follow policy.toml from points, contacts follow central households,
follow-up cases stay in their grid)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from graph.client import GraphClient
from graph.maintenance import delete_everything
from graph.personal_data import PersonalDataKey
from graph.volunteer_activities import load_credit_rules
from seeds.generator import Generator
from seeds.loader import seed_graph
from seeds.plan import DEFAULT_SEED, Scale, scale_spec

KEY = PersonalDataKey(bytes(range(32)))
ACTIVITY = ("visits", "volunteer_activities", "household_contacts", "deliberations")


def _activity_rows(seed: int) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {name: [] for name in ACTIVITY}
    for chunk, _ in Generator(scale_spec(Scale.TINY), seed, KEY).chunks():
        for name in ACTIVITY:
            found[name] += getattr(chunk, name)
    found["volunteers"] = [
        row
        for chunk, _ in Generator(scale_spec(Scale.TINY), seed, KEY).chunks()
        for row in chunk.volunteers
    ]
    return found


def test_the_same_seed_gives_the_same_activity_and_another_seed_does_not() -> None:
    first, again, other = (
        _activity_rows(DEFAULT_SEED),
        _activity_rows(DEFAULT_SEED),
        _activity_rows(7),
    )
    assert first == again
    assert first["visits"] != other["visits"]
    assert all(first[name] for name in ACTIVITY)


@pytest.fixture(scope="module")
async def seeded(graph: GraphClient) -> AsyncIterator[GraphClient]:
    await delete_everything(graph)
    await seed_graph(graph, KEY, Scale.TINY, progress=False)
    yield graph


async def test_each_hazard_a_grid_worker_reported_was_found_on_a_patrol_before_it(
    seeded: GraphClient,
) -> None:
    rows = await seeded.read(
        "MATCH (c:Case {kind: 'hazard'})-[:OCCURRED_IN]->(g:Grid)<-[:WORKS_GRID]-(w:Person) "
        "WHERE (c)-[:REPORTED_BY]->(w) "
        "OPTIONAL MATCH (v:Visit)-[:FOUND]->(c) "
        "OPTIONAL MATCH (v)-[:IN_GRID]->(vg:Grid) OPTIONAL MATCH (v)-[:MADE_BY]->(vw:Person) "
        "RETURN c.code AS code, v.kind AS kind, v.at < c.reportedAt AS before, "
        "vg = g AS sameGrid, vw = w AS byWorker"
    )
    assert rows, "the tiny seed has hazards its grid workers reported"
    assert {(r["kind"], r["before"], r["sameGrid"], r["byWorker"]) for r in rows} == {
        ("patrol", True, True, True)
    }


async def test_visits_are_made_by_the_grid_worker_in_their_grid(seeded: GraphClient) -> None:
    [row] = await seeded.read(
        "MATCH (v:Visit)-[:IN_GRID]->(g:Grid), (v)-[:MADE_BY]->(w:Person) "
        "OPTIONAL MATCH (v)-[:AT_BUILDING]->(b:Building) "
        "RETURN count(v) AS visits, count(CASE WHEN (w)-[:WORKS_GRID]->(g) THEN 1 END) AS own, "
        "count(CASE WHEN b IS NOT NULL AND NOT (b)-[:PART_OF]->(g) THEN 1 END) AS elsewhere"
    )
    assert row["visits"] > 0 and row["own"] == row["visits"] and row["elsewhere"] == 0


async def test_stars_follow_points_by_the_policy_rule(seeded: GraphClient) -> None:
    rules = load_credit_rules()
    rows = await seeded.read(
        "MATCH (:Person)-[r:VOLUNTEERS_IN]->(:VolunteerTeam) RETURN r.points AS p, r.stars AS s"
    )
    assert rows and all(row["s"] == rules.stars(row["p"]) for row in rows)
    [earned] = await seeded.read(
        "MATCH (p:Person)-[t:TOOK_PART]->(a:VolunteerActivity)-[:BY_TEAM]->(team) "
        "RETURN count(t) AS n, count(CASE WHEN NOT (p)-[:VOLUNTEERS_IN]->(team) THEN 1 END) AS odd"
    )
    assert earned["n"] > 0 and earned["odd"] == 0


async def test_contacts_and_deliberations_keep_to_their_grid(seeded: GraphClient) -> None:
    [contacts] = await seeded.read(
        "MATCH (c:HouseholdContact)-[:BY]->(m:Person), (c)-[:WITH_HOUSEHOLD]->(h:Person), "
        "(c)-[:IN_GRID]->(g:Grid) "
        "RETURN count(c) AS n, count(CASE WHEN (m)-[:CENTRAL_HOUSEHOLD_FOR]->(h) "
        "AND (h)-[:RESIDES_IN]->(g) THEN 1 END) AS kept"
    )
    assert contacts["n"] > 0 and contacts["kept"] == contacts["n"]
    [sessions] = await seeded.read(
        "MATCH (d:Deliberation)-[:IN_GRID]->(g:Grid) "
        "OPTIONAL MATCH (d)-[:FOLLOWED_UP_BY]->(c:Case) "
        "RETURN count(DISTINCT d) AS n, count(c) AS cases, "
        "count(CASE WHEN c IS NOT NULL AND NOT (c)-[:OCCURRED_IN]->(g) THEN 1 END) AS elsewhere, "
        "min(COUNT { (d)<-[:DELIBERATED_IN]-() }) AS fewest"
    )
    assert sessions["n"] > 0 and sessions["cases"] > 0
    assert sessions["elsewhere"] == 0 and sessions["fewest"] >= 2
