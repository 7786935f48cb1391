"""People's mediation (人民调解): committees, their mediators, and featured studios (调解工作室)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import persons, places
from graph.client import CypherWriter
from graph.places import PlaceLevel
from graph.traversal import Hop, NodeSpec


class CommitteeLevel(StrEnum):
    """The level a mediation committee works at."""

    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"


class MediatorKind(StrEnum):
    """三官二师一首席 (police, prosecutor, judge, lawyer, counsellor, chief legal consultant)
    sink into grids as mediators, beside community mediators."""

    POLICE = "police"
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"
    LAWYER = "lawyer"
    COUNSELLOR = "counsellor"
    LEGAL_CONSULTANT = "legal_consultant"
    COMMUNITY = "community"


UPSERT_COMMITTEES: LiteralString = """
UNWIND $rows AS row
MERGE (m:MediationCommittee {code: row.code})
SET m.name = row.name, m.level = row.level
"""


def _upsert_coverage(label: LiteralString) -> LiteralString:
    # Built only from PlaceLevel values, never from input.
    return (
        """
UNWIND $rows AS row
MATCH (m:MediationCommittee {code: row.committeeCode})
MATCH (place:"""
        + label
        + """ {code: row.placeCode})
MERGE (m)-[:COVERS]->(place)
"""
    )


UPSERT_COVERAGE_BY_LEVEL: Mapping[PlaceLevel, LiteralString] = {
    PlaceLevel.DISTRICT: _upsert_coverage("District"),
    PlaceLevel.STREET: _upsert_coverage("Street"),
    PlaceLevel.COMMUNITY: _upsert_coverage("Community"),
    PlaceLevel.GRID: _upsert_coverage("Grid"),
}

UPSERT_MEDIATORS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (m:MediationCommittee {code: row.committeeCode})
MERGE (p)-[r:MEMBER_OF]->(m)
SET r.kind = row.kind
"""

UPSERT_STUDIOS: LiteralString = """
UNWIND $rows AS row
MATCH (m:MediationCommittee {code: row.committeeCode})
MERGE (s:MediationStudio {code: row.code})
SET s.name = row.name
MERGE (s)-[:UNDER]->(m)
"""


async def upsert_mediation_committees(
    graph: CypherWriter, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create or update mediation committees (rows: code, name, level)."""
    checked = [{**row, "level": CommitteeLevel(row["level"]).value} for row in rows]
    await graph.write(UPSERT_COMMITTEES, {"rows": checked})


async def upsert_committee_coverage(
    graph: CypherWriter, level: PlaceLevel, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Record which places of one level a committee covers (rows: committeeCode, placeCode)."""
    await graph.write(UPSERT_COVERAGE_BY_LEVEL[level], {"rows": list(rows)})


async def upsert_mediators(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Make persons mediators of committees (rows: personId, committeeCode, kind)."""
    checked = [{**row, "kind": MediatorKind(row["kind"]).value} for row in rows]
    await graph.write(UPSERT_MEDIATORS, {"rows": checked})


async def upsert_mediation_studios(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update featured mediation studios under committees (code, name, committeeCode)."""
    await graph.write(UPSERT_STUDIOS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

MEDIATION_COMMITTEE = NodeSpec("MediationCommittee", "code", ("name", "level"))
MEDIATION_STUDIO = NodeSpec("MediationStudio", "code", ("name",))
COVERED_PLACE = NodeSpec("Place", "code", ("name", "kind"), with_label=True)

# Mediators of a committee with their kind, by name; `$kind` (null: all) filters; paginated.
COMMITTEE_MEMBERS = Hop(
    MEDIATION_COMMITTEE,
    "(s:MediationCommittee)<-[r:MEMBER_OF]-(t:Person)",
    persons.PERSON,
    edge=("kind",),
    order="t.name, t.id",
    optional=(("kind", "r.kind = $kind"),),
)
PERSON_COMMITTEES = Hop(
    persons.PERSON,
    "(s:Person)-[r:MEMBER_OF]->(t:MediationCommittee)",
    MEDIATION_COMMITTEE,
    edge=("kind",),
)
COMMITTEE_PLACES = Hop(MEDIATION_COMMITTEE, "(s:MediationCommittee)-[r:COVERS]->(t)", COVERED_PLACE)
COMMITTEE_STUDIOS = Hop(
    MEDIATION_COMMITTEE,
    "(s:MediationCommittee)<-[r:UNDER]-(t:MediationStudio)",
    MEDIATION_STUDIO,
)
STUDIO_COMMITTEE = Hop(
    MEDIATION_STUDIO,
    "(s:MediationStudio)-[r:UNDER]->(t:MediationCommittee)",
    MEDIATION_COMMITTEE,
)
# Committees covering a grid or any place above it (its community, street, district), each
# once: the coverage test is an existential subquery, so a committee covering two levels
# is not returned twice.
GRID_COMMITTEES = Hop(
    places.GRID,
    "(s:Grid), (t:MediationCommittee)",
    MEDIATION_COMMITTEE,
    where="EXISTS { (s)-[:PART_OF*0..3]->(:Grid|Community|Street|District)<-[:COVERS]-(t) }",
)
