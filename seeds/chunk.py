"""A chunk of generated rows, grouped by the graph write function that takes them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any

from graph.cases import CaseLevel, HandlerKind
from graph.party import PartyLevel, PartyRole
from graph.places import PlaceLevel

Row = dict[str, Any]


@dataclass
class Chunk:
    """Rows for one unit of work (the frame, a street, a community); merged before writing."""

    places: defaultdict[PlaceLevel, list[Row]] = field(default_factory=lambda: defaultdict(list))
    buildings: list[Row] = field(default_factory=list)
    departments: list[Row] = field(default_factory=list)
    committees: list[Row] = field(default_factory=list)
    persons: list[Row] = field(default_factory=list)
    residences: list[Row] = field(default_factory=list)
    family: list[Row] = field(default_factory=list)
    grid_workers: list[Row] = field(default_factory=list)
    party_orgs: defaultdict[PartyLevel, list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    party_links: defaultdict[PartyRole, list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    central_households: list[Row] = field(default_factory=list)
    department_members: list[Row] = field(default_factory=list)
    grid_support: list[Row] = field(default_factory=list)
    committee_coverage: defaultdict[PlaceLevel, list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    mediators: list[Row] = field(default_factory=list)
    studios: list[Row] = field(default_factory=list)
    volunteer_teams: list[Row] = field(default_factory=list)
    volunteers: list[Row] = field(default_factory=list)
    cases: list[Row] = field(default_factory=list)
    case_parties: list[Row] = field(default_factory=list)
    case_handlers: defaultdict[HandlerKind, list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    escalations: defaultdict[CaseLevel, list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    case_events: list[Row] = field(default_factory=list)
    related_cases: list[Row] = field(default_factory=list)
    whistles: list[Row] = field(default_factory=list)  # 吹哨报到 (WHISTLED)
    evaluations: list[Row] = field(default_factory=list)
    fengqiao: list[Row] = field(default_factory=list)  # 枫桥式网格 decisions
    # Residents' upkeep (seeds/residents.py): buildings, households, grades, label history.
    building_residences: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)
    household_members: list[Row] = field(default_factory=list)
    key_grades: list[Row] = field(default_factory=list)
    label_changes: list[Row] = field(default_factory=list)
    # The six-element upkeep (seeds/grid_elements.py).
    element_updates: list[Row] = field(default_factory=list)
    element_states: list[Row] = field(default_factory=list)
    # Grid activity (seeds/grid_activity.py): visits, volunteer activities, central
    # households' contacts, deliberation sessions.
    visits: list[Row] = field(default_factory=list)
    volunteer_activities: list[Row] = field(default_factory=list)
    household_contacts: list[Row] = field(default_factory=list)
    deliberations: list[Row] = field(default_factory=list)
    worker_replacements: list[Row] = field(default_factory=list)  # 末位淘汰 (worker_turnover)

    def merge(self, other: Chunk) -> None:
        """Append every row of `other` (kept in order, so parents still come first)."""
        for f in fields(self):
            mine = getattr(self, f.name)
            theirs = getattr(other, f.name)
            if isinstance(mine, dict):
                for key, rows in theirs.items():
                    mine[key].extend(rows)
            else:
                mine.extend(theirs)

    def size(self) -> int:
        """How many rows the chunk holds in all."""
        total = 0
        for f in fields(self):
            value = getattr(self, f.name)
            total += sum(map(len, value.values())) if isinstance(value, dict) else len(value)
        return total
