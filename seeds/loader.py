"""Write generated chunks through the graph/ batch functions, streaming, with a progress bar.

Generation of the next batch runs in a worker thread while the previous batch is written,
so Python and Neo4j work side by side. Every write is an idempotent UNWIND ... MERGE on
natural keys: seeding twice leaves one copy of everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from graph import (
    buildings,
    cases,
    deliberation,
    departments,
    evaluations,
    fengqiao,
    grid_elements,
    households,
    mediation,
    party,
    party_households,
    persons,
    places,
    residents,
    visits,
    volunteer_activities,
    volunteers,
)
from graph.cases import CaseLevel, HandlerKind
from graph.client import GraphClient
from graph.party import PartyLevel, PartyRole
from graph.personal_data import PersonalDataKey
from graph.places import PlaceLevel
from seeds.chunk import Chunk, Row
from seeds.generator import Generator
from seeds.plan import DEFAULT_SEED, Scale, scale_spec
from seeds.planted import Planted

BATCH_ROWS = 10_000  # rows per UNWIND transaction
FLUSH_PERSONS = 12_000  # communities are merged until a flush holds about this many persons


@dataclass(frozen=True)
class SeedReport:
    """What a seeding run did."""

    scale: Scale
    seed: int
    residents: int
    planted: Planted


def _batches(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


async def write_chunk(graph: GraphClient, chunk: Chunk) -> None:
    """Write every row of a chunk, parents before the relationships that need them."""

    async def each(
        function: Callable[..., Awaitable[None]], rows: Sequence[Row], *key: Any
    ) -> None:
        for batch in _batches(rows):
            await function(graph, *key, batch)

    for level in (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID):
        await each(places.upsert_places, chunk.places.get(level, []), level)
    await each(buildings.upsert_buildings, chunk.buildings)
    await each(departments.upsert_departments, chunk.departments)
    await each(mediation.upsert_mediation_committees, chunk.committees)
    await each(persons.upsert_persons, chunk.persons)
    await each(persons.upsert_residences, chunk.residences)
    await each(persons.upsert_family_ties, chunk.family)
    await each(persons.upsert_grid_workers, chunk.grid_workers)
    for party_level in PartyLevel:
        await each(
            party.upsert_party_organizations, chunk.party_orgs.get(party_level, []), party_level
        )
    for role in PartyRole:
        await each(party.upsert_party_links, chunk.party_links.get(role, []), role)
    await each(party.upsert_central_households, chunk.central_households)
    await each(departments.upsert_department_members, chunk.department_members)
    await each(departments.upsert_grid_support, chunk.grid_support)
    for level, rows in sorted(chunk.committee_coverage.items()):
        await each(mediation.upsert_committee_coverage, rows, level)
    await each(mediation.upsert_mediators, chunk.mediators)
    await each(mediation.upsert_mediation_studios, chunk.studios)
    await each(volunteers.upsert_volunteer_teams, chunk.volunteer_teams)
    await each(volunteers.upsert_volunteers, chunk.volunteers)
    await each(cases.upsert_cases, chunk.cases)
    await each(cases.upsert_case_parties, chunk.case_parties)
    for kind in HandlerKind:
        await each(cases.upsert_case_handlers, chunk.case_handlers.get(kind, []), kind)
    for case_level in CaseLevel:
        await each(cases.upsert_case_escalations, chunk.escalations.get(case_level, []), case_level)
    await each(cases.upsert_case_events, chunk.case_events)
    await each(cases.upsert_related_cases, chunk.related_cases)
    await each(cases.upsert_whistles, chunk.whistles)
    await each(evaluations.upsert_grid_worker_evaluations, chunk.evaluations)
    await each(fengqiao.upsert_decisions, chunk.fengqiao)
    await each(residents.upsert_building_residences, chunk.building_residences)
    await each(households.upsert_households, chunk.households)
    await each(households.upsert_members, chunk.household_members)
    await each(residents.set_key_grades, chunk.key_grades)
    await each(residents.upsert_label_changes, chunk.label_changes)
    await each(grid_elements.upsert_updates, chunk.element_updates)
    await each(grid_elements.upsert_states, chunk.element_states)
    await each(visits.upsert_visits, chunk.visits)
    await each(volunteer_activities.upsert_activities, chunk.volunteer_activities)
    await each(party_households.upsert_contacts, chunk.household_contacts)
    await each(deliberation.upsert_deliberations, chunk.deliberations)
    await each(evaluations.replace_workers, chunk.worker_replacements)


async def _write_and_count(graph: GraphClient, chunk: Chunk, bar: tqdm[Any], people: int) -> None:
    await write_chunk(graph, chunk)
    bar.update(people)


def _flushes(generator: Generator) -> Iterator[tuple[Chunk, int]]:
    """Merge consecutive chunks until a flush holds about FLUSH_PERSONS persons."""
    pending = Chunk()
    residents = 0
    for chunk, people in generator.chunks():
        pending.merge(chunk)
        residents += people
        if len(pending.persons) >= FLUSH_PERSONS:
            yield pending, residents
            pending, residents = Chunk(), 0
    yield pending, residents


async def seed_graph(
    graph: GraphClient,
    key: PersonalDataKey,
    scale: Scale = Scale.DEMO,
    seed: int = DEFAULT_SEED,
    residents: int | None = None,
    progress: bool = True,
    audit: list[str] | None = None,
) -> SeedReport:
    """Generate and write a whole scale; re-running it creates no duplicates."""
    spec = scale_spec(scale, residents)
    generator = Generator(spec, seed, key, audit=audit)
    flushes = _flushes(generator)
    bar: tqdm[Any] = tqdm(
        total=spec.residents, unit=" residents", disable=not progress, desc=f"seed {scale.value}"
    )
    writing: asyncio.Task[None] | None = None
    try:
        while True:
            produced = await asyncio.to_thread(next, flushes, None)
            if writing is not None:
                await writing
            if produced is None:
                break
            chunk, people = produced
            writing = asyncio.create_task(_write_and_count(graph, chunk, bar, people))
        writing = None
    finally:
        if writing is not None:
            writing.cancel()
        bar.close()
    return SeedReport(scale, seed, spec.residents, generator.planted)
