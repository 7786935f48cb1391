"""`gridgraph import --kind visits`: per-row validation, checks against the graph per batch,
the rejects file, one transaction per batch, and an idempotent re-import."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from graph import buildings
from graph.client import GraphClient
from graph.personal_data import PersonalDataKey, id_card_check_digit
from seeds.fixture import load_fixture
from seeds.importer import ImportKind, import_file

KEY = PersonalDataKey(bytes(range(32)))
GRID = "370811001001001"  # a fixture grid
OTHER_GRID = "370811001001002"
BUILDING = GRID + "001"
VISITS = """
MATCH (v:Visit)-[:IN_GRID]->(g:Grid)
MATCH (v)-[:MADE_BY]->(w:Person)
OPTIONAL MATCH (v)-[:AT_BUILDING]->(b:Building)
OPTIONAL MATCH (v)-[:VISITED]->(p:Person)
OPTIONAL MATCH (v)-[:FOUND]->(c:Case)
RETURN v.id AS id, v.kind AS kind, v.durationMinutes AS minutes, g.code AS grid,
       w.name AS visitor, b.code AS building, collect(p.name) AS visited, c.code AS hazard
ORDER BY id
"""
SNAPSHOT = (
    "MATCH (n) OPTIONAL MATCH (n)-[r]->() "
    "RETURN count(DISTINCT n) AS nodes, count(r) AS relationships"
)


def id_card(serial: int) -> str:
    first17 = f"37081119800101{serial:03d}"
    return first17 + id_card_check_digit(first17)


def _rejects(path: Path) -> dict[int, tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {int(r["line"]): (r["field"], r["reason"]) for r in csv.DictReader(handle)}


@pytest.fixture
async def known(empty_graph: GraphClient, tmp_path: Path) -> GraphClient:
    """The fixture's places, a building, two residents and a case of GRID."""
    await load_fixture(empty_graph)
    await buildings.upsert_buildings(
        empty_graph, [{"code": BUILDING, "name": "1号楼", "address": None, "gridCode": GRID}]
    )
    residents = tmp_path / "residents.csv"
    with residents.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "idCard", "gridCode"])
        writer.writerows([["王网格", id_card(1), GRID], ["赵大爷", id_card(2), GRID]])
    await import_file(empty_graph, KEY, residents, ImportKind.RESIDENTS, tmp_path / "r1.csv")
    case = {
        "code": "RC2024-910001",
        "title": "楼道电动车充电",
        "kind": "hazard",
        "category": "safety_hazard",
        "severity": "medium",
        "channel": "grid_patrol",
        "status": "reported",
        "reportedAt": "2024-05-01T10:00:00",
        "gridCode": GRID,
        "reporterIdCard": id_card(1),
        "applicants": [id_card(1)],
    }
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    await import_file(empty_graph, KEY, cases, ImportKind.CASES, tmp_path / "r2.csv")
    return empty_graph


def _visit(**changes: Any) -> str:
    row = {
        "id": "PV-0001",
        "kind": "home_visit",
        "at": "2024-05-01T09:00:00",
        "durationMinutes": 40,
        "gridCode": GRID,
        "visitorIdCard": id_card(1),
        "visitedIdCards": [id_card(2)],
        "buildingCode": BUILDING,
        "notes": "走访独居老人",
        **changes,
    }
    return json.dumps(row, ensure_ascii=False)


async def test_visits_are_validated_checked_and_imported_once(
    known: GraphClient, tmp_path: Path
) -> None:
    # given good rows and rows wrong in every way a row or the graph can tell
    lines = [
        _visit(),
        _visit(id="PV-0002", kind="patrol", visitedIdCards=[], hazardCaseCode="RC2024-910001"),
        _visit(id="PV-0001"),  # repeats line 1's id
        _visit(id="PV-0004", kind="stroll"),
        _visit(id="PV-0005", at="2999-01-01T00:00:00"),
        _visit(id="PV-0006", durationMinutes=0),
        _visit(id="PV-0007", visitedIdCards=[id_card(9)]),  # nobody known
        _visit(id="PV-0008", buildingCode=OTHER_GRID + "001"),  # not of the grid
        _visit(id="PV-0009", buildingCode=GRID + "999"),  # no such building
        _visit(
            id="PV-0010", gridCode=OTHER_GRID, buildingCode=None, hazardCaseCode="RC2024-910001"
        ),
        _visit(id="PV-0011", visitedIdCards=[], buildingCode=None),  # a home visit of nobody
        "{not json",
    ]
    source = tmp_path / "visits.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # when imported
    summary = await import_file(known, KEY, source, ImportKind.VISITS, tmp_path / "rej.csv")
    # then the two good rows are written with their links, each other row is explained
    reasons = _rejects(tmp_path / "rej.csv")
    assert (summary.read, summary.imported, summary.rejected) == (12, 2, 10), set(
        range(3, 13)
    ) - set(reasons)
    assert reasons[3][0] == "id" and "repeats" in reasons[3][1]
    assert reasons[4][0] == "kind"
    assert "future" in reasons[5][1]
    assert reasons[6][0] == "durationMinutes"
    assert reasons[7][0] == "visitedIdCards" and "no known person" in reasons[7][1]
    assert "not a building of gridCode" in reasons[8][1]
    assert reasons[9][0] == "buildingCode"
    assert reasons[10][0] == "hazardCaseCode"
    assert "names the persons visited" in reasons[11][1]
    assert "not valid JSON" in reasons[12][1]
    expected = [
        {
            "id": "PV-0001",
            "kind": "home_visit",
            "minutes": 40,
            "grid": GRID,
            "visitor": "王网格",
            "building": BUILDING,
            "visited": ["赵大爷"],
            "hazard": None,
        },
        {
            "id": "PV-0002",
            "kind": "patrol",
            "minutes": 40,
            "grid": GRID,
            "visitor": "王网格",
            "building": BUILDING,
            "visited": [],
            "hazard": "RC2024-910001",
        },
    ]
    assert await known.read(VISITS) == expected
    # and importing the same file again changes nothing
    before = await known.read(SNAPSHOT)
    again = await import_file(known, KEY, source, ImportKind.VISITS, tmp_path / "rej2.csv")
    assert again.imported == 2
    assert await known.read(SNAPSHOT) == before
    assert await known.read(VISITS) == expected
