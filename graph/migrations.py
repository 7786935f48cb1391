"""Idempotent schema migrations: a uniqueness constraint on every natural key, full-text search
(a bigram index, and a one-character index for short texts).

Each item has a fixed name; `apply_migrations` creates the ones that are missing
(`IF NOT EXISTS`), so running it twice changes nothing. `pending_migrations` tells the
readiness probe which items are missing or not yet online.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from graph.client import GraphClient

# (label, property) pairs that identify a node: administrative codes for places, codes for
# organisations and cases, opaque ids for persons and events, and the blind index of the
# ID-card number so that one human is one :Person.
NATURAL_KEYS: tuple[tuple[str, str], ...] = (
    ("District", "code"),
    ("Street", "code"),
    ("Community", "code"),
    ("Grid", "code"),
    ("Building", "code"),
    ("Person", "id"),
    ("Person", "idCardHash"),
    ("Department", "code"),
    ("PartyOrganization", "code"),
    ("MediationCommittee", "code"),
    ("MediationStudio", "code"),
    ("VolunteerTeam", "code"),
    ("Case", "code"),
    ("CaseEvent", "id"),
    ("CaseCounter", "year"),  # allocates case codes (graph/case_commands): one per year
    ("IdempotencyKey", "key"),  # a retried mutation finds its first result (docs/workflow.md)
    ("GridWorkerEvaluation", "id"),
    ("FengqiaoDecision", "id"),  # 枫桥式网格 nominations and confirmations (graph/fengqiao.py)
    ("Visit", "id"),  # 巡查/入户走访 (graph/visits.py)
    ("VolunteerActivity", "id"),  # graph/volunteer_activities.py
    ("HouseholdContact", "id"),  # 党员中心户 contacts (graph/party_households.py)
    ("Deliberation", "id"),  # 网格议事 (graph/deliberation.py)
    ("Household", "id"),  # 户 (graph/households.py)
    ("LabelChange", "id"),  # 六色 / key-person label history (graph/residents.py)
    ("KeyPersonMeasure", "id"),  # 重点人员 measures (graph/key_persons.py)
    ("MeasureFollowUp", "id"),
    ("ElementUpdate", "id"),  # 六大要素 upkeep sessions (graph/grid_elements.py)
    ("GridElement", "id"),  # ... and each element's latest update
    ("Organization", "code"),
    ("ApiKey", "id"),
    ("AuditRecord", "seq"),  # the audit chain (graph/audit.py): one record per seq
    ("AuditHead", "id"),  # ... and one head, even when the first appends race
)

# Range indexes on the properties lists filter and sort on (a natural key's uniqueness
# constraint already brings an index, which also serves STARTS WITH on place codes).
RANGE_INDEXES: tuple[tuple[str, str], ...] = (
    ("Person", "name"),
    ("Person", "colourLabel"),
    ("Case", "reportedAt"),
    ("Case", "status"),
    ("Case", "category"),
    ("Case", "tenNoItem"),
    ("Case", "dueAt"),  # overdueCases: open cases past their workflow deadline
    ("Case", "currentLevel"),  # inboxes and CaseFilter.currentLevel: who holds a case now
    ("Case", "assignee"),  # ... by the code of the place or department holding it
    ("AuditRecord", "at"),  # auditLog(filter: {since, until})
    ("Visit", "at"),  # scorecards count visits in a period
    ("KeyPersonMeasure", "dueOn"),  # overdue measures (inboxes, overdueMeasures)
)

# Labels whose name/title/address the full-text index covers (cjk analyser: Chinese text is
# split into bigrams, so a two-character query finds a three-character name).
FULLTEXT_INDEX = "search_text"
FULLTEXT_LABELS: tuple[str, ...] = (
    "Person",
    "District",
    "Street",
    "Community",
    "Grid",
    "Building",
    "Department",
    "PartyOrganization",
    "MediationCommittee",
    "MediationStudio",
    "VolunteerTeam",
    "Case",
    "Organization",
)
FULLTEXT_PROPERTIES: tuple[str, ...] = ("name", "title", "address")
FULLTEXT_ANALYZER = "cjk"

# The cjk analyser keeps a lone Chinese character only where it stands alone, so a query of
# one character (a surname such as 王, a place or case word such as 村 or 水) matches nothing
# in FULLTEXT_INDEX. This second index holds every character of names and titles as its own
# term (standard analyser, no stop words); graph/search.py sends it the queries whose words
# are all one character long. Names and titles only: one character is noise in addresses
# (every one holds 济宁市任城区). Neo4j allows one full-text index per (labels, properties),
# hence a property list different from FULLTEXT_PROPERTIES. No stored property is needed:
# the index covers existing nodes as soon as it is created (populated in the background,
# awaited by `apply_migrations`).
SHORT_TEXT_INDEX = "search_chars"
SHORT_TEXT_PROPERTIES: tuple[str, ...] = ("name", "title")
SHORT_TEXT_ANALYZER = "standard-no-stop-words"


@dataclass(frozen=True)
class SchemaItem:
    """One named constraint or index and the Cypher that creates it."""

    name: str
    cypher: LiteralString
    is_constraint: bool


def _unique_constraint(label: str, prop: str) -> SchemaItem:
    name = f"{label.lower()}_{prop.lower()}_unique"
    text = f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    # Built only from the constants above, never from input.
    return SchemaItem(name, text, is_constraint=True)


def _range_index(label: str, prop: str) -> SchemaItem:
    name = f"{label.lower()}_{prop.lower()}_range"
    text = f"CREATE RANGE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
    return SchemaItem(name, text, is_constraint=False)


def _fulltext_index(name: str, properties: tuple[str, ...], analyzer: str) -> SchemaItem:
    labels = "|".join(FULLTEXT_LABELS)
    props = ", ".join(f"n.{p}" for p in properties)
    text = (
        f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{analyzer}'}}}}"
    )
    return SchemaItem(name, text, is_constraint=False)


SCHEMA: tuple[SchemaItem, ...] = (
    *(_unique_constraint(label, prop) for label, prop in NATURAL_KEYS),
    *(_range_index(label, prop) for label, prop in RANGE_INDEXES),
    _fulltext_index(FULLTEXT_INDEX, FULLTEXT_PROPERTIES, FULLTEXT_ANALYZER),
    _fulltext_index(SHORT_TEXT_INDEX, SHORT_TEXT_PROPERTIES, SHORT_TEXT_ANALYZER),
)

SHOW_INDEXES: LiteralString = "SHOW INDEXES YIELD name, state RETURN name, state"
SHOW_CONSTRAINTS: LiteralString = "SHOW CONSTRAINTS YIELD name RETURN name"

AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes(300)"


@dataclass(frozen=True)
class SchemaState:
    """What the database has: index states by name, and constraint names."""

    index_states: dict[str, str]
    constraints: set[str]

    def has(self, item: SchemaItem) -> bool:
        """True when the item exists (online or still populating)."""
        if item.is_constraint:
            return item.name in self.constraints
        return item.name in self.index_states

    def is_online(self, item: SchemaItem) -> bool:
        """True when the item exists and its (backing) index is online."""
        return self.has(item) and self.index_states.get(item.name) == "ONLINE"


async def _schema_state(graph: GraphClient) -> SchemaState:
    # A uniqueness constraint's backing index carries the constraint's name.
    index_states = {row["name"]: row["state"] for row in await graph.read(SHOW_INDEXES)}
    constraints = {row["name"] for row in await graph.read(SHOW_CONSTRAINTS)}
    return SchemaState(index_states, constraints)


async def apply_migrations(graph: GraphClient) -> list[str]:
    """Create every missing schema item, wait until all are online; return the created names."""
    state = await _schema_state(graph)
    created = []
    for item in SCHEMA:
        if not state.has(item):
            await graph.write(item.cypher)
            created.append(item.name)
    await graph.write(AWAIT_INDEXES)
    await graph.write(BACKFILL_CASE_HOLDERS)
    await graph.write(SPLIT_ENDED_RESIDENCES)
    return created


# Data: residence periods ended before they had their own type (a RESIDES_IN edge with `until`)
# become RESIDED_IN edges with the same properties (graph/residents.py), so that RESIDES_IN means
# "lives there now". Touches only such edges, so a second run changes nothing.
SPLIT_ENDED_RESIDENCES: LiteralString = """
MATCH (p:Person)-[old:RESIDES_IN]->(g:Grid)
WHERE old.until IS NOT NULL
CREATE (p)-[past:RESIDED_IN]->(g)
SET past = properties(old)
DELETE old
"""


# Data: cases written before Case.currentLevel and Case.assignee were stored get them from
# their timeline (CaseEvent.level is the level after the event; the grid without events) and
# from the place codes above their grid, or their latest work order's department. Runs in
# batches and only touches cases without them, so a second run changes nothing.
BACKFILL_CASE_HOLDERS: LiteralString = """
MATCH (c:Case) WHERE c.currentLevel IS NULL
CALL (c) {
  MATCH (c)-[:OCCURRED_IN]->(g:Grid)
  OPTIONAL MATCH (c)-[:HAS_EVENT]->(e:CaseEvent)
  WITH g, e ORDER BY e.seq DESC
  WITH g, collect(e.level)[0] AS last
  WITH g, coalesce(last, 'grid') AS level
  OPTIONAL MATCH (c)-[w:ESCALATED_TO]->(d:Department)
  WITH g, level, d ORDER BY w.at DESC
  WITH g, level, collect(d.code)[0] AS department
  SET c.currentLevel = level,
      c.assignee = CASE level
        WHEN 'grid' THEN g.code
        WHEN 'community' THEN substring(g.code, 0, 12)
        WHEN 'street' THEN substring(g.code, 0, 9)
        WHEN 'district' THEN substring(g.code, 0, 6)
        ELSE department END
}
"""


async def pending_migrations(graph: GraphClient) -> list[str]:
    """Names of schema items that are missing or not yet online."""
    state = await _schema_state(graph)
    return [item.name for item in SCHEMA if not state.is_online(item)]
