"""Party organisations (党组织) in five levels, and the persons who belong to, lead or guide them.

street committee (镇街党(工)委) → community committee (村/社区党委) → grid branch (网格党支部)
or grid party group (网格党小组) → building group (楼院党小组) → central household (党员中心户).
Each organisation is `UNDER` its parent and `COVERS` the place it serves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import buildings, persons, places
from graph.client import CypherWriter
from graph.traversal import Hop, NodeSpec


class PartyLevel(StrEnum):
    """The level of a party organisation (stored in `level`)."""

    STREET_COMMITTEE = "street_committee"
    COMMUNITY_COMMITTEE = "community_committee"
    GRID_BRANCH = "grid_branch"
    GRID_PARTY_GROUP = "grid_party_group"
    BUILDING_GROUP = "building_group"


class PartyRole(StrEnum):
    """How a person relates to an organisation; the value is the relationship type."""

    MEMBER = "MEMBER_OF"
    SECRETARY = "SECRETARY_OF"
    INSTRUCTOR = "INSTRUCTS"  # 网格党建工作指导员


# The place label each level covers.
COVERED_LABEL: Mapping[PartyLevel, LiteralString] = {
    PartyLevel.STREET_COMMITTEE: "Street",
    PartyLevel.COMMUNITY_COMMITTEE: "Community",
    PartyLevel.GRID_BRANCH: "Grid",
    PartyLevel.GRID_PARTY_GROUP: "Grid",
    PartyLevel.BUILDING_GROUP: "Building",
}


def _upsert_organizations(label: LiteralString) -> LiteralString:
    # Built only from the constant labels above, never from input.
    return (
        """
UNWIND $rows AS row
MATCH (place:"""
        + label
        + """ {code: row.placeCode})
MERGE (o:PartyOrganization {code: row.code})
SET o.name = row.name, o.level = row.level
MERGE (o)-[:COVERS]->(place)
WITH o, row
OPTIONAL MATCH (parent:PartyOrganization {code: row.parentCode})
FOREACH (_ IN CASE WHEN parent IS NULL THEN [] ELSE [1] END | MERGE (o)-[:UNDER]->(parent))
"""
    )


UPSERT_ORGANIZATIONS_BY_LEVEL: Mapping[PartyLevel, LiteralString] = {
    level: _upsert_organizations(label) for level, label in COVERED_LABEL.items()
}


def _upsert_links(rel_type: LiteralString) -> LiteralString:
    return (
        """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (o:PartyOrganization {code: row.orgCode})
MERGE (p)-[r:"""
        + rel_type
        + """]->(o)
SET r.since = row.since
"""
    )


UPSERT_LINKS_BY_ROLE: Mapping[PartyRole, LiteralString] = {
    PartyRole.MEMBER: _upsert_links("MEMBER_OF"),
    PartyRole.SECRETARY: _upsert_links("SECRETARY_OF"),
    PartyRole.INSTRUCTOR: _upsert_links("INSTRUCTS"),
}

UPSERT_CENTRAL_HOUSEHOLDS: LiteralString = """
UNWIND $rows AS row
MATCH (m:Person {id: row.memberId})
MATCH (h:Person {id: row.headId})
MERGE (m)-[:CENTRAL_HOUSEHOLD_FOR]->(h)
"""


async def upsert_party_organizations(
    graph: CypherWriter, level: PartyLevel, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create or update organisations of one level (rows: code, name, placeCode, parentCode)."""
    checked = [{**row, "level": level.value} for row in rows]
    await graph.write(UPSERT_ORGANIZATIONS_BY_LEVEL[level], {"rows": checked})


async def upsert_party_links(
    graph: CypherWriter, role: PartyRole, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Link persons to organisations as members, secretaries or instructors (personId, orgCode)."""
    await graph.write(UPSERT_LINKS_BY_ROLE[role], {"rows": list(rows)})


async def upsert_central_households(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Make party members central households (党员中心户) for household heads (memberId, headId)."""
    await graph.write(UPSERT_CENTRAL_HOUSEHOLDS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

PARTY_ORGANIZATION = NodeSpec("PartyOrganization", "code", ("name", "level"))
# What an organisation covers has one of several labels: return the label too.
COVERED_PLACE = NodeSpec("Place", "code", ("name", "kind", "address"), with_label=True)

PARTY_PARENT = Hop(
    PARTY_ORGANIZATION, "(s:PartyOrganization)-[r:UNDER]->(t:PartyOrganization)", PARTY_ORGANIZATION
)
PARTY_CHILDREN = Hop(
    PARTY_ORGANIZATION,
    "(s:PartyOrganization)<-[r:UNDER]-(t:PartyOrganization)",
    PARTY_ORGANIZATION,
)
PARTY_COVERS = Hop(PARTY_ORGANIZATION, "(s:PartyOrganization)-[r:COVERS]->(t)", COVERED_PLACE)
# The direct members of an organisation (not those of the organisations under it); paginated.
PARTY_MEMBERS = Hop(
    PARTY_ORGANIZATION,
    "(s:PartyOrganization)<-[r:MEMBER_OF]-(t:Person)",
    persons.PERSON,
    edge=("since",),
    order="t.name, t.id",
)
PARTY_SECRETARIES = Hop(
    PARTY_ORGANIZATION,
    "(s:PartyOrganization)<-[r:SECRETARY_OF]-(t:Person)",
    persons.PERSON,
    edge=("since",),
    order="t.name, t.id",
)
PARTY_INSTRUCTORS = Hop(
    PARTY_ORGANIZATION,
    "(s:PartyOrganization)<-[r:INSTRUCTS]-(t:Person)",
    persons.PERSON,
    edge=("since",),
    order="t.name, t.id",
)
# A person's links to organisations; `role` is the relationship type (a PartyRole value).
PERSON_PARTY_LINKS = Hop(
    persons.PERSON,
    "(s:Person)-[r:MEMBER_OF|SECRETARY_OF|INSTRUCTS]->(t:PartyOrganization)",
    PARTY_ORGANIZATION,
    edge_map="{role: type(r), since: r.since}",
    order="t.code, type(r)",
)
# 党员中心户: the household heads a party member looks after, and who looks after a head.
CENTRAL_HOUSEHOLD_FOR = Hop(
    persons.PERSON,
    "(s:Person)-[r:CENTRAL_HOUSEHOLD_FOR]->(t:Person)",
    persons.PERSON,
    order="t.name, t.id",
)
CENTRAL_HOUSEHOLDS_OF = Hop(
    persons.PERSON,
    "(s:Person)<-[r:CENTRAL_HOUSEHOLD_FOR]-(t:Person)",
    persons.PERSON,
    order="t.name, t.id",
)
# The organisation covering a grid (its branch or group) or a building (its building group).
GRID_PARTY_ORGANIZATIONS = Hop(
    places.GRID, "(s:Grid)<-[r:COVERS]-(t:PartyOrganization)", PARTY_ORGANIZATION
)
BUILDING_PARTY_ORGANIZATIONS = Hop(
    buildings.BUILDING, "(s:Building)<-[r:COVERS]-(t:PartyOrganization)", PARTY_ORGANIZATION
)
