"""Persons: one human is one :Person; roles are extra labels on the same node.

Identifiers are stored only in protected form (blind index, ciphertext, masked): the rows
must come from `graph.personal_data.protect_person_identifiers`, and the query below writes
no other identifier property, so a clear ID-card number or phone cannot reach the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, LiteralString

from graph import places
from graph import scope as row_scope
from graph.client import CypherWriter, GraphClient
from graph.traversal import Hop, NodeSpec, Scope, scope_params


class Role(StrEnum):
    """A role of a person; the value is the extra node label."""

    RESIDENT = "Resident"
    GRID_WORKER = "GridWorker"
    PROFESSIONAL_MEMBER = "ProfessionalMember"
    MEDIATOR = "Mediator"
    PARTY_MEMBER = "PartyMember"
    VOLUNTEER = "Volunteer"


class FamilyRelation(StrEnum):
    """What the end node of a FAMILY edge is to its start node (the household head or elder)."""

    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"


PROTECTED_PROPERTIES: tuple[str, ...] = (
    "idCardHash",
    "idCardCipher",
    "idCardMasked",
    "phoneHash",
    "phoneCipher",
    "phoneMasked",
)

# Dynamic labels (`SET p:$(...)`, Neo4j 5.26) take only values checked against Role first.
UPSERT_PERSONS: LiteralString = """
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p.name = row.name,
    p.gender = row.gender,
    p.birthDate = row.birthDate,
    p.address = row.address,
    p.colourLabel = row.colourLabel,
    p.tags = row.tags,
    p.idCardHash = row.idCardHash,
    p.idCardCipher = row.idCardCipher,
    p.idCardMasked = row.idCardMasked,
    p.phoneHash = row.phoneHash,
    p.phoneCipher = row.phoneCipher,
    p.phoneMasked = row.phoneMasked,
    p:$(row.roles)
"""

UPSERT_RESIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (g:Grid {code: row.gridCode})
MERGE (p)-[r:RESIDES_IN]->(g)
SET r.since = row.since
"""

UPSERT_FAMILY_TIES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Person {id: row.fromId})
MATCH (b:Person {id: row.toId})
MERGE (a)-[r:FAMILY]->(b)
SET r.relation = row.relation
"""

UPSERT_GRID_WORKERS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Person {id: row.personId})
MATCH (g:Grid {code: row.gridCode})
MERGE (p)-[r:WORKS_GRID]->(g)
SET r.since = row.since, r.fullTime = row.fullTime
"""


def _checked_person(row: Mapping[str, Any]) -> dict[str, Any]:
    roles = [Role(role).value for role in row["roles"]]
    checked = {key: row.get(key) for key in ("name", "gender", "birthDate", "address")}
    checked.update({key: row.get(key) for key in PROTECTED_PROPERTIES})
    checked.update(
        id=row["id"],
        colourLabel=row.get("colourLabel"),
        tags=list(row.get("tags") or []),
        roles=["Person", *roles],
    )
    return checked


async def upsert_persons(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or update persons with their role labels (rows: id, name, ..., roles) in one batch."""
    await graph.write(UPSERT_PERSONS, {"rows": [_checked_person(row) for row in rows]})


async def upsert_residences(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Link persons to the grid they live in (rows: personId, gridCode, since)."""
    await graph.write(UPSERT_RESIDENCES, {"rows": list(rows)})


async def upsert_family_ties(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Link family members (rows: fromId, toId, relation), one edge per pair."""
    checked = [{**row, "relation": FamilyRelation(row["relation"]).value} for row in rows]
    await graph.write(UPSERT_FAMILY_TIES, {"rows": checked})


async def upsert_grid_workers(graph: CypherWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Assign grid workers (网格员) to grids (rows: personId, gridCode, since, fullTime)."""
    await graph.write(UPSERT_GRID_WORKERS, {"rows": list(rows)})


# -- reads ----------------------------------------------------------------------------------

# What readers get of a person: never the blind indexes or the ciphertexts.
PERSON = NodeSpec(
    "Person",
    "id",
    (
        "name",
        "gender",
        "birthDate",
        "address",
        "colourLabel",
        "tags",
        "idCardMasked",
        "phoneMasked",
        "status",
        "version",
        "keyPersonGrade",
        "departedOn",
    ),
    with_roles=True,
)

# The protected identifiers, read only to decrypt them for roles that may see them in clear
# (schema/persons.py decides; every other reader gets PERSON's masked forms).
PERSON_IDENTIFIERS = NodeSpec("Person", "id", ("idCardCipher", "phoneCipher"))

# Filters of person lists: (parameter, condition), each applied only when its parameter is set.
PERSON_FILTERS: tuple[tuple[str, str], ...] = (
    ("role", "$role IN labels(t)"),
    ("colourLabel", "t.colourLabel = $colourLabel"),
    ("tag", "$tag IN t.tags"),
    ("name", "t.name STARTS WITH $name"),
)

# The relation as seen from `s`: the stored `relation` is what the end node is to the start.
_INVERSE_RELATION = (
    "{spouse: 'spouse', child: 'parent', parent: 'child', sibling: 'sibling',"
    " grandchild: 'grandparent'}"
)
FAMILY_AS_SEEN_FROM_S = (
    "{relation: CASE WHEN startNode(r) = s THEN r.relation"
    f" ELSE coalesce({_INVERSE_RELATION}[r.relation], r.relation) END}}"
)

# The grid a person lives in now (an ended period is a RESIDED_IN edge: graph/residents.py).
PERSON_GRID = Hop(
    PERSON,
    "(s:Person)-[r:RESIDES_IN]->(t:Grid)",
    places.GRID,
    edge=("since",),
)
PERSON_FAMILY = Hop(
    PERSON,
    "(s:Person)-[r:FAMILY]-(t:Person)",
    PERSON,
    edge_map=FAMILY_AS_SEEN_FROM_S,
    order="t.birthDate, t.id",
)
# The grids a worker works now and the grid's current worker: a replaced worker's WORKS_GRID
# keeps its `since` and gets an `until` (history), and is no longer current.
WORKER_GRIDS = Hop(
    PERSON,
    "(s:Person)-[r:WORKS_GRID]->(t:Grid)",
    places.GRID,
    edge=("since", "fullTime"),
    where="r.until IS NULL",
)
GRID_WORKERS = Hop(
    places.GRID,
    "(s:Grid)<-[r:WORKS_GRID]-(t:Person)",
    PERSON,
    edge=("since", "fullTime"),
    where="r.until IS NULL",
)
# Residents now of every grid whose code starts with the key: one grid, or a whole community,
# street or district (codes nest). Paginated, filtered with PERSON_FILTERS. Only persons have
# RESIDES_IN edges, and only while they live there (graph/residents.py), so an unfiltered count
# is the sum of the grids' degrees.
RESIDENTS_IN_PLACE = Hop(
    places.GRID,
    "(s:Grid)<-[r:RESIDES_IN]-(t:Person)",
    PERSON,
    edge=("since",),
    order="t.name, t.id",
    optional=PERSON_FILTERS,
    by_prefix=True,
    visible_from_source=True,  # a current resident of a grid inside the scope is visible
    degree="(s)<-[:RESIDES_IN]-()",
)


PERSON_IDS_BY_ID_CARD_HASH: LiteralString = """
UNWIND $hashes AS hash
MATCH (p:Person {idCardHash: hash})
RETURN hash, p.id AS id
"""
# Scoped: only persons visible within `$scope` (graph/scope.py); others are not found.
PERSON_IDS_BY_ID_CARD_HASH_SCOPED: LiteralString = f"""
UNWIND $hashes AS hash
MATCH (p:Person {{idCardHash: hash}})
WHERE {row_scope.visible("Person", "p")}
RETURN hash, p.id AS id
"""


async def person_ids_by_id_card_hash(
    graph: GraphClient, hashes: Iterable[str], scope: Scope = None
) -> dict[str, str]:
    """Person.id for each ID-card blind index that belongs to a known person (with a scope:
    a person visible within it)."""
    query = PERSON_IDS_BY_ID_CARD_HASH if scope is None else PERSON_IDS_BY_ID_CARD_HASH_SCOPED
    rows = await graph.read(query, {"hashes": sorted(set(hashes)), **scope_params(scope)})
    return {row["hash"]: row["id"] for row in rows}
