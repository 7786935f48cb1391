"""Bulk import of partners' records (`gridgraph import FILE --kind residents|cases|visits`).

Every row is validated (import_rows.py); rows that fail, that name an unknown grid or
person, or that repeat an earlier row's key are written to a rejects file (line, field,
reason; never the row's personal data). Valid rows are upserted in batches, each batch in
ONE write transaction through the same graph/ write functions as the seeds, so a failing
batch leaves nothing half-written and re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from neo4j.exceptions import Neo4jError
from pydantic import ValidationError

from graph import cases, persons
from graph.client import CypherWriter, GraphClient
from graph.personal_data import PersonalDataKey, id_card_hash, person_id, protect_person_identifiers
from graph.places import PlaceLevel, existing_codes
from seeds import import_upkeep, import_visits
from seeds.import_files import read_rows
from seeds.import_rows import CaseRow, ImportRow, ResidentRow
from seeds.import_upkeep import BuildingRow, MeasureRow, MoveRow
from seeds.import_visits import VisitRow

DEFAULT_BATCH_SIZE = 1000


class ImportKind(StrEnum):
    """What a file holds."""

    RESIDENTS = "residents"
    CASES = "cases"
    BUILDINGS = "buildings"  # 楼栋 (seeds/import_upkeep.py)
    MOVES = "moves"  # residence moves, history kept
    MEASURES = "measures"  # key-person measures (重点人员措施)
    VISITS = "visits"  # patrols and home visits (seeds/import_visits.py)


@dataclass(frozen=True)
class Rejection:
    """Why one row was not imported."""

    line: int
    field: str
    reason: str


@dataclass
class ImportSummary:
    """What an import did."""

    kind: ImportKind
    read: int = 0
    imported: int = 0
    rejected: int = 0
    batches: int = 0
    rejects_file: Path | None = None

    def describe(self) -> str:
        """One line for the terminal."""
        text = (
            f"{self.kind}: {self.read} rows read, {self.imported} imported, "
            f"{self.rejected} rejected, {self.batches} batches"
        )
        if self.rejected and self.rejects_file:
            text += f"; rejects in {self.rejects_file}"
        return text


Numbered = list[tuple[int, Any]]


@dataclass
class _Batch:
    """Validated rows waiting to be written, and the rejects the database checks found."""

    rows: Numbered = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


# -- per-kind database checks and writes ----------------------------------------------------


async def _write_residents(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered, batch: _Batch
) -> Numbered:
    known_grids = await existing_codes(graph, PlaceLevel.GRID, (r.gridCode for _, r in rows))
    accepted = []
    for line, row in rows:
        if row.gridCode in known_grids:
            accepted.append((line, row))
        else:
            batch.rejections.append(Rejection(line, "gridCode", f"unknown grid {row.gridCode}"))
    people, homes = [], []
    for _, row in accepted:
        protected = protect_person_identifiers(key, row.idCard, row.phone)
        pid = person_id(str(protected["idCardHash"]))
        people.append(
            {
                **protected,
                "id": pid,
                "name": row.name,
                "gender": row.gender,
                "birthDate": row.birth_date,
                "address": row.address,
                "colourLabel": row.colourLabel,
                "tags": row.tags,
                "roles": [persons.Role.RESIDENT],
            }
        )
        homes.append({"personId": pid, "gridCode": row.gridCode, "since": row.since})

    async def write(tx: CypherWriter) -> None:
        await persons.upsert_persons(tx, people)
        await persons.upsert_residences(tx, homes)

    if accepted:
        await graph.in_one_transaction(write)
    return accepted


async def _write_cases(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered, batch: _Batch
) -> Numbered:
    known_grids = await existing_codes(graph, PlaceLevel.GRID, (r.gridCode for _, r in rows))
    cards = {card for _, r in rows for card in [r.reporterIdCard, *r.applicants, *r.respondents]}
    cards |= {card for _, r in rows for card in r.thirdParties}
    hashes = {card: id_card_hash(key, card) for card in cards}
    known_people = await persons.person_ids_by_id_card_hash(graph, hashes.values())
    accepted, case_rows, party_rows = [], [], []
    for line, row in rows:
        if row.gridCode not in known_grids:
            batch.rejections.append(Rejection(line, "gridCode", f"unknown grid {row.gridCode}"))
            continue
        unknown = [
            name
            for name, card in [("reporterIdCard", row.reporterIdCard)]
            + [(role.value, card) for card, role in row.parties()]
            if hashes[card] not in known_people
        ]
        if unknown:
            reason = "no known person with this ID-card number (import the residents first)"
            batch.rejections.append(Rejection(line, unknown[0], reason))
            continue
        accepted.append((line, row))
        case_rows.append(
            {
                **row.model_dump(
                    exclude={"reporterIdCard", "applicants", "respondents", "thirdParties"}
                ),
                "reporterId": known_people[hashes[row.reporterIdCard]],
            }
        )
        party_rows += [
            {"caseCode": row.code, "personId": known_people[hashes[card]], "role": role}
            for card, role in row.parties()
        ]

    async def write(tx: CypherWriter) -> None:
        await cases.upsert_cases(tx, case_rows)
        await cases.upsert_case_parties(tx, party_rows)

    if accepted:
        await graph.in_one_transaction(write)
    return accepted


async def _write_visits(
    graph: GraphClient, key: PersonalDataKey, rows: Numbered, batch: _Batch
) -> Numbered:
    accepted, rejected = await import_visits.write_visits(graph, key, rows)
    batch.rejections += [Rejection(line, where, reason) for line, where, reason in rejected]
    return list(accepted)


def _upkeep(write: import_upkeep.Writer) -> import_upkeep.BatchWriter:
    """An import_upkeep writer as a kind's batch writer (its rejects go to the batch)."""

    async def run(
        graph: GraphClient, key: PersonalDataKey, rows: Numbered, batch: _Batch
    ) -> Numbered:
        accepted, rejected = await write(graph, key, rows)
        batch.rejections += [Rejection(line, where, reason) for line, where, reason in rejected]
        return accepted

    return run


@dataclass(frozen=True)
class _KindRules:
    model: type[ImportRow]
    key_field: str
    write: Callable[[GraphClient, PersonalDataKey, Numbered, _Batch], Awaitable[Numbered]]


RULES: dict[ImportKind, _KindRules] = {
    ImportKind.RESIDENTS: _KindRules(ResidentRow, "idCard", _write_residents),
    ImportKind.CASES: _KindRules(CaseRow, "code", _write_cases),
    ImportKind.BUILDINGS: _KindRules(BuildingRow, "code", _upkeep(import_upkeep.write_buildings)),
    ImportKind.MOVES: _KindRules(MoveRow, "key", _upkeep(import_upkeep.write_moves)),
    ImportKind.MEASURES: _KindRules(MeasureRow, "id", _upkeep(import_upkeep.write_measures)),
    ImportKind.VISITS: _KindRules(VisitRow, "id", _write_visits),
}


# -- the import loop ------------------------------------------------------------------------


def _validation_rejections(line: int, error: ValidationError) -> list[Rejection]:
    found = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "row"
        found.append(Rejection(line, where, problem["msg"].removeprefix("Value error, ")))
    return found


class _RejectsWriter:
    def __init__(self, handle: TextIO) -> None:
        self._csv = csv.writer(handle)
        self._csv.writerow(["line", "field", "reason"])

    def write(self, rejections: Sequence[Rejection]) -> None:
        for rejection in rejections:
            self._csv.writerow([rejection.line, rejection.field, rejection.reason])


async def import_file(
    graph: GraphClient,
    key: PersonalDataKey,
    path: Path,
    kind: ImportKind,
    rejects_path: Path,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportSummary:
    """Validate and upsert every row of the file; write the rejects; return the summary."""
    rules = RULES[kind]
    summary = ImportSummary(kind=kind, rejects_file=rejects_path)
    first_line_of: dict[str, int] = {}
    with rejects_path.open("w", newline="", encoding="utf-8") as handle:
        rejects = _RejectsWriter(handle)
        pending = _Batch()

        async def flush() -> None:
            if not pending.rows:
                return
            summary.batches += 1
            try:
                accepted = await rules.write(graph, key, pending.rows, pending)
            except Neo4jError as error:
                accepted = []
                reason = f"batch not written, nothing of it saved: {error.message or error}"
                pending.rejections += [Rejection(line, "row", reason) for line, _ in pending.rows]
            summary.imported += len(accepted)
            summary.rejected += len({rejection.line for rejection in pending.rejections})
            rejects.write(pending.rejections)
            pending.rows.clear()
            pending.rejections.clear()

        for source in read_rows(path):
            summary.read += 1
            if source.unreadable:
                pending.rejections.append(Rejection(source.line, "row", source.unreadable))
                continue
            try:
                row = rules.model.model_validate(source.fields)
            except ValidationError as error:
                pending.rejections += _validation_rejections(source.line, error)
                continue
            row_key = str(getattr(row, rules.key_field))
            if row_key in first_line_of:
                reason = f"repeats the {rules.key_field} of line {first_line_of[row_key]}"
                pending.rejections.append(Rejection(source.line, rules.key_field, reason))
                continue
            first_line_of[row_key] = source.line
            pending.rows.append((source.line, row))
            if len(pending.rows) >= batch_size:
                await flush()
        await flush()
    return summary
