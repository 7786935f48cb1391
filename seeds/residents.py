"""Residents' upkeep in the seeds: the building each resident lives in, households (户) with each
member's relation to the head, key-person grades, and the history of 六色 labels, tags and
grades as the grid worker recorded them.

Everything here is derived from the rows the generator already made, with a Random seeded by
the person's id (never the generator's own Random, so the rest of the seed is unchanged):
the same seed gives the same rows at every scale.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from graph.china_time import CHINA_TIME
from graph.households import HouseholdRelation
from graph.key_persons import grade_codes
from graph.residents import LabelField
from seeds.chunk import Chunk, Row
from seeds.grid_content import GridPeople
from seeds.people import AS_OF, PersonDraft

# Colours worth a recorded decision (green, 常态服务, is the default state of most residents).
RECORDED_COLOURS = frozenset({"red", "orange", "yellow"})
# Key-person types of risk (稳控) graded A or B; the others (care: 帮扶) are graded C.
RISK_TAGS = frozenset(
    {"mental_disorder", "community_correction", "released_prisoner", "drug_user", "key_petitioner"}
)
REASONS = {
    LabelField.COLOUR: ("入户走访后研判", "月度六要素更新", "家庭情况变化", "社区研判会确定"),
    LabelField.TAGS: ("部门推送名单核实", "入户走访核实", "月度六要素更新"),
    LabelField.KEY_GRADE: ("分级研判", "季度复核", "风险评估"),
}
HISTORY_START = datetime(2023, 1, 1, 9, 0, tzinfo=CHINA_TIME)
HISTORY_DAYS = (AS_OF - HISTORY_START.date()).days
SEED_SUBJECT = "seed:grid-worker"


def _relations(head: PersonDraft, ties: dict[str, list[Row]]) -> dict[str, str]:
    """What each relative is to the head, from the FAMILY rows (stored from the head or elder)."""
    found: dict[str, str] = {}
    inverse = {"child": "parent", "parent": "child", "spouse": "spouse", "sibling": "sibling"}
    for tie in ties.get(head.id, []):
        if tie["fromId"] == head.id:
            found[tie["toId"]] = tie["relation"]
        elif tie["toId"] == head.id:
            found[tie["fromId"]] = inverse.get(tie["relation"], HouseholdRelation.OTHER.value)
    return found


def _grade(rng: random.Random, tags: list[str]) -> str:
    grades = grade_codes()  # highest risk first
    if RISK_TAGS.intersection(tags):
        return grades[0] if rng.random() < 0.35 else grades[min(1, len(grades) - 1)]
    return grades[-1]


def _changes(person: PersonDraft, worker: str | None) -> tuple[list[Row], str | None]:
    """The label history of one resident (oldest first) and their key-person grade."""
    rng = random.Random(person.id)
    rows: list[Row] = []
    day = rng.randrange(HISTORY_DAYS)
    edits: list[tuple[LabelField, list[str], list[str]]] = []
    if person.colour in RECORDED_COLOURS:
        earlier = [] if rng.random() < 0.6 else ["green"]
        edits.append((LabelField.COLOUR, earlier, [person.colour]))
    grade = None
    if person.tags:
        edits.append((LabelField.TAGS, [], sorted(person.tags)))
        grade = _grade(rng, person.tags)
        edits.append((LabelField.KEY_GRADE, [], [grade]))
    for number, (field, before, after) in enumerate(edits):
        at = HISTORY_START + timedelta(days=day + number, hours=rng.randrange(9))
        rows.append(
            {
                "id": f"LC{person.id[1:17]}{number}",
                "personId": person.id,
                "at": at,
                "field": field.value,
                "before": before,
                "after": after,
                "reason": rng.choice(REASONS[field]),
                "bySubject": SEED_SUBJECT,
                "byPerson": worker,
            }
        )
    return rows, grade


def resident_upkeep(people: GridPeople, chunk: Chunk) -> None:
    """Add the grid's building links, households, grades and label history to the chunk."""
    grid = people.plan.code
    buildings = {
        row["personId"]: row["buildingCode"]
        for row in chunk.residences
        if row["gridCode"] == grid and row.get("buildingCode")
    }
    homes = {row["personId"]: row["since"] for row in chunk.residences if row["gridCode"] == grid}
    for person in people.residents:
        if person.id in buildings:
            row = {"personId": person.id, "buildingCode": buildings[person.id]}
            chunk.building_residences.append({**row, "since": homes[person.id]})
    worker = people.grid_worker.id if people.grid_worker else None
    ties: dict[str, list[Row]] = {}
    for tie in chunk.family:
        ties.setdefault(tie["fromId"], []).append(tie)
        ties.setdefault(tie["toId"], []).append(tie)
    for household in people.households:
        head = household.head
        household_id = f"H{head.id[1:]}"
        formed = datetime(household.since.year, household.since.month, household.since.day, 9, 0)
        chunk.households.append(
            {
                "id": household_id,
                "gridCode": grid,
                "address": household.address,
                "formedAt": formed.replace(tzinfo=CHINA_TIME),
            }
        )
        relations = _relations(head, ties)
        for member in household.members:
            relation = "head" if member is head else relations.get(member.id, "other")
            chunk.household_members.append(
                {
                    "personId": member.id,
                    "householdId": household_id,
                    "relation": relation,
                    "since": homes.get(member.id, household.since),
                }
            )
    for person in people.residents:
        if person.colour in RECORDED_COLOURS or person.tags:
            rows, grade = _changes(person, worker)
            chunk.label_changes.extend(rows)
            if grade is not None:
                chunk.key_grades.append({"personId": person.id, "grade": grade})
