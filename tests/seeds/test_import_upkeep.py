"""Import of buildings, residence moves and key-person measures: per-row validation, rejects,
history kept, and a re-import that changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.client import GraphClient
from graph.personal_data import PersonalDataKey, id_card_check_digit
from seeds.fixture import load_fixture
from seeds.importer import ImportKind, import_file

KEY = PersonalDataKey(bytes(range(32)))
GRID = "370811001001001"  # a fixture grid
OTHER_GRID = "370811001001002"
SNAPSHOT = """
MATCH (n) OPTIONAL MATCH (n)-[r]->(m)
RETURN count(DISTINCT n) AS nodes, count(r) AS relationships,
       collect(DISTINCT properties(r)) AS relationshipProperties
"""


def id_card(serial: int) -> str:
    first17 = f"370811198001{serial % 28 + 1:02d}{serial:03d}"
    return first17 + id_card_check_digit(first17)


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def rejects_of(path: Path) -> dict[tuple[int, str], str]:
    with path.open(encoding="utf-8") as handle:
        return {(int(r["line"]), r["field"]): r["reason"] for r in csv.DictReader(handle)}


@pytest.fixture
async def places(empty_graph: GraphClient) -> GraphClient:
    await load_fixture(empty_graph)
    return empty_graph


async def test_buildings_moves_and_measures(places: GraphClient, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    # given residents, and buildings of which some rows are wrong
    people = write_csv(
        tmp_path / "residents.csv",
        ["name", "idCard", "gridCode", "since"],
        [["张一", id_card(1), GRID, "2020-01-01"], ["张二", id_card(2), GRID, "2020-01-01"]],
    )
    await import_file(places, KEY, people, ImportKind.RESIDENTS, rejects)
    houses = write_csv(
        tmp_path / "buildings.csv",
        ["code", "name", "address", "gridCode"],
        [
            [f"{GRID}001", "1号楼", "幸福小区1号楼", GRID],
            [f"{OTHER_GRID}001", "1号楼", "", OTHER_GRID],
            [f"{OTHER_GRID}002", "2号楼", "", GRID],  # not a building of that grid
            ["370811999999999001", "1号楼", "", "370811999999999"],  # unknown grid
        ],
    )
    summary = await import_file(places, KEY, houses, ImportKind.BUILDINGS, rejects)
    assert (summary.imported, summary.rejected) == (2, 2)
    reasons = rejects_of(rejects)
    assert "must start with the gridCode" in reasons[(4, "row")]
    assert "unknown grid" in reasons[(5, "gridCode")]
    # when moves are imported: one within the grid into a building, one to another grid
    moves = write_csv(
        tmp_path / "moves.csv",
        ["idCard", "gridCode", "buildingCode", "address", "since"],
        [
            [id_card(1), GRID, f"{GRID}001", "幸福小区1号楼101", "2024-03-01"],
            [id_card(2), OTHER_GRID, f"{OTHER_GRID}001", "", "2024-05-01"],
            [id_card(3), GRID, "", "", "2024-05-01"],  # nobody known
            [id_card(1), GRID, f"{OTHER_GRID}001", "", "2024-06-01"],  # building elsewhere
            [id_card(2), OTHER_GRID, "", "", "2999-01-01"],  # in the future
            [id_card(1), GRID, f"{GRID}001", "幸福小区1号楼101", "2024-03-01"],  # a repeat
        ],
    )
    summary = await import_file(places, KEY, moves, ImportKind.MOVES, rejects)
    assert (summary.imported, summary.rejected) == (2, 4)
    reasons = rejects_of(rejects)
    assert "no known person" in reasons[(4, "idCard")]
    assert "repeats the key" in reasons[(7, "key")]
    # then each history is kept: the earlier period ends when the move begins (RESIDED_IN),
    # the new one is the current residence (RESIDES_IN)
    periods = await places.read(
        "MATCH (p:Person)-[r:RESIDES_IN|RESIDED_IN]->(g:Grid) "
        "RETURN type(r) AS type, g.code AS grid, toString(r.since) AS since, "
        "toString(r.until) AS until, r.leftBecause AS why ORDER BY p.name, r.since"
    )
    ended, now = "RESIDED_IN", "RESIDES_IN"
    assert periods == [
        {"type": ended, "grid": GRID, "since": "2020-01-01", "until": "2024-03-01", "why": "moved"},
        {"type": now, "grid": GRID, "since": "2024-03-01", "until": None, "why": None},
        {"type": ended, "grid": GRID, "since": "2020-01-01", "until": "2024-05-01", "why": "moved"},
        {"type": now, "grid": OTHER_GRID, "since": "2024-05-01", "until": None, "why": None},
    ]
    # the same moves imported again change nothing
    again = await import_file(places, KEY, moves, ImportKind.MOVES, rejects)
    assert again.imported == 2
    assert (
        await places.read(
            "MATCH (p:Person)-[r:RESIDES_IN|RESIDED_IN]->(g:Grid) "
            "RETURN type(r) AS type, g.code AS grid, toString(r.since) AS since, "
            "toString(r.until) AS until, r.leftBecause AS why ORDER BY p.name, r.since"
        )
        == periods
    )
    [home] = await places.read(
        "MATCH (p:Person)-[r:LIVES_AT]->(b:Building) WHERE r.until IS NULL "
        "RETURN count(*) AS n, collect(b.code) AS codes"
    )
    assert home["n"] == 2
    # and measures of known persons with a known kind are imported
    measures = write_csv(
        tmp_path / "measures.csv",
        ["id", "idCard", "kind", "description", "dueOn", "status"],
        [
            ["KM-2025-0001", id_card(1), "help", "就业帮扶", "2025-05-01", "open"],
            ["KM-2025-0002", id_card(2), "stability_control", "稳控", "2025-04-01", "done"],
            ["KM-2025-0003", id_card(1), "tea", "x", "2025-05-01", "open"],
            ["KM-2025-0004", id_card(9), "help", "x", "2025-05-01", "open"],
        ],
    )
    summary = await import_file(places, KEY, measures, ImportKind.MEASURES, rejects)
    assert (summary.imported, summary.rejected) == (2, 2)
    assert "unknown measure kind" in rejects_of(rejects)[(4, "kind")]
    # a second import of every file changes nothing
    before = await places.read(SNAPSHOT)
    for source, kind in (
        (houses, ImportKind.BUILDINGS),
        (moves, ImportKind.MOVES),
        (measures, ImportKind.MEASURES),
    ):
        await import_file(places, KEY, source, kind, rejects)
    assert await places.read(SNAPSHOT) == before
