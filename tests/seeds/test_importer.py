"""Partners' bulk import: per-row validation, rejects, atomic batches, idempotent re-import."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from graph.client import GraphClient
from graph.personal_data import PersonalDataKey, id_card_check_digit, id_card_hash, person_id
from seeds.fixture import load_fixture
from seeds.importer import ImportKind, import_file
from server.cli import main
from server.settings import Settings

KEY = PersonalDataKey(bytes(range(32)))
GRID = "370811001001001"  # a fixture grid
OTHER_GRID = "370811001001002"

RESIDENT_COLUMNS = ["name", "idCard", "phone", "gridCode", "address", "tags"]

SNAPSHOT = """
MATCH (n)
OPTIONAL MATCH (n)-[r]->(m)
RETURN count(DISTINCT n) AS nodes, count(r) AS relationships,
       collect(DISTINCT properties(n)) AS nodeProperties
"""


def id_card(serial: int, born: str = "19800101") -> str:
    """A valid Rencheng ID-card number for a test person."""
    first17 = f"370811{born}{serial:03d}"
    return first17 + id_card_check_digit(first17)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESIDENT_COLUMNS)
        writer.writerows(rows)
    return path


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
async def places(empty_graph: GraphClient) -> GraphClient:
    await load_fixture(empty_graph)
    return empty_graph


async def test_good_bad_and_duplicate_residents(places: GraphClient, tmp_path: Path) -> None:
    # given a CSV with 2 good rows, 4 bad ones and a repeat of the first
    bad_check_digit = id_card(3)[:-1] + ("0" if id_card(3)[-1] != "0" else "1")
    source = write_csv(
        tmp_path / "residents.csv",
        [
            ["张伟", id_card(1), "13800138000", GRID, "幸福小区1号楼", "elderly_alone"],
            ["李娜", id_card(2).lower(), "", OTHER_GRID, "", ""],
            ["王五", bad_check_digit, "", GRID, "", ""],
            ["赵六", id_card(4), "12345", GRID, "", ""],
            ["钱七", id_card(5), "", "370811999999999", "", ""],
            ["孙八", id_card(6), "", GRID, "", "no_such_tag"],
            ["张伟", id_card(1), "13800138000", GRID, "幸福小区1号楼", "elderly_alone"],
        ],
    )
    rejects = tmp_path / "rejects.csv"
    # when it is imported
    summary = await import_file(places, KEY, source, ImportKind.RESIDENTS, rejects)
    # then the good rows are in, every bad row is explained with its line and field
    assert (summary.read, summary.imported, summary.rejected) == (7, 2, 5)
    reasons = {(int(r["line"]), r["field"]): r["reason"] for r in read_rejects(rejects)}
    assert "wrong check digit" in reasons[(4, "idCard")]
    assert "11-digit" in reasons[(5, "phone")]
    assert "unknown grid 370811999999999" in reasons[(6, "gridCode")]
    assert "unknown key-person tag" in reasons[(7, "tags")]
    assert "repeats the idCard of line 2" in reasons[(8, "idCard")]
    assert all(id_card(n) not in " ".join(reasons.values()) for n in range(1, 7))
    rows = await places.read(
        "MATCH (p:Person:Resident)-[:RESIDES_IN]->(g:Grid) "
        "RETURN p.id AS id, p.name AS name, p.gender AS gender, p.idCardMasked AS masked, "
        "p.tags AS tags, g.code AS grid ORDER BY p.name"
    )
    assert rows == [
        {
            "id": person_id(id_card_hash(KEY, id_card(1))),
            "name": "张伟",
            "gender": "male",
            "masked": id_card(1)[:6] + "********" + id_card(1)[-4:],
            "tags": ["elderly_alone"],
            "grid": GRID,
        },
        {
            "id": person_id(id_card_hash(KEY, id_card(2))),
            "name": "李娜",
            "gender": "female",
            "masked": id_card(2)[:6] + "********" + id_card(2)[-4:],
            "tags": [],
            "grid": OTHER_GRID,
        },
    ]


async def test_reimporting_the_same_file_changes_nothing(
    places: GraphClient, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "residents.csv",
        [
            ["张伟", id_card(1), "13800138000", GRID, "1号楼", ""],
            ["李娜", id_card(2), "", GRID, "", ""],
        ],
    )
    await import_file(places, KEY, source, ImportKind.RESIDENTS, tmp_path / "r1.csv")
    before = await places.read(SNAPSHOT)
    summary = await import_file(places, KEY, source, ImportKind.RESIDENTS, tmp_path / "r2.csv")
    assert summary.imported == 2
    assert await places.read(SNAPSHOT) == before


async def test_a_failing_batch_leaves_nothing_half_written(
    places: GraphClient, tmp_path: Path
) -> None:
    # given a person already holding the second row's ID-card blind index under another id,
    # so that writing that row breaks the idCardHash uniqueness constraint
    await places.write(
        "CREATE (:Person {id: 'P-legacy', idCardHash: $hash})",
        {"hash": id_card_hash(KEY, id_card(2))},
    )
    source = write_csv(
        tmp_path / "residents.csv",
        [["张伟", id_card(1), "", GRID, "", ""], ["李娜", id_card(2), "", GRID, "", ""]],
    )
    # when both rows go in one batch
    summary = await import_file(places, KEY, source, ImportKind.RESIDENTS, tmp_path / "rej.csv")
    # then neither row is written, and both are reported
    assert (summary.imported, summary.rejected) == (0, 2)
    count = await places.read("MATCH (p:Person) RETURN count(p) AS n")
    assert count == [{"n": 1}]
    assert all("batch not written" in r["reason"] for r in read_rejects(tmp_path / "rej.csv"))


async def test_cases_from_json_lines_link_known_parties(
    places: GraphClient, tmp_path: Path
) -> None:
    # given two known residents
    residents = write_csv(
        tmp_path / "residents.csv",
        [["张伟", id_card(1), "", GRID, "", ""], ["李娜", id_card(2), "", GRID, "", ""]],
    )
    await import_file(places, KEY, residents, ImportKind.RESIDENTS, tmp_path / "r.csv")
    case = {
        "code": "RC2024-900001",
        "title": "邻里噪音纠纷",
        "kind": "dispute",
        "category": "neighbour",
        "severity": "medium",
        "channel": "grid_patrol",
        "status": "closed",
        "reportedAt": "2024-05-01T09:30:00",
        "closedAt": "2024-05-03T16:00:00+08:00",
        "resolvedAtLevel": "grid",
        "satisfaction": 5,
        "gridCode": GRID,
        "reporterIdCard": id_card(1),
        "applicants": [id_card(1)],
        "respondents": [id_card(2)],
    }
    lines = [
        json.dumps(case, ensure_ascii=False),
        "{not json",
        json.dumps({**case, "code": "RC2024-900002", "respondents": [id_card(9)]}),
        json.dumps({**case, "code": "RC2024-900003", "closedAt": "2024-04-01T00:00:00"}),
        json.dumps({**case, "code": "RC2024-900004", "category": "astrology"}),
    ]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # when the cases are imported
    summary = await import_file(places, KEY, source, ImportKind.CASES, tmp_path / "rej.csv")
    # then the valid case links both parties with their roles; the others are explained
    assert (summary.imported, summary.rejected) == (1, 4)
    reasons = {
        int(r["line"]): (r["field"], r["reason"]) for r in read_rejects(tmp_path / "rej.csv")
    }
    assert "not valid JSON" in reasons[2][1]
    assert reasons[3][0] == "respondent" and "no known person" in reasons[3][1]
    assert "closedAt is before reportedAt" in reasons[4][1]
    assert reasons[5][0] == "category"
    parties = await places.read(
        "MATCH (p:Person)-[r:PARTY_TO]->(c:Case {code: 'RC2024-900001'})-[:OCCURRED_IN]->(g) "
        "RETURN p.name AS name, r.role AS role, g.code AS grid ORDER BY name"
    )
    assert parties == [
        {"name": "张伟", "role": "applicant", "grid": GRID},
        {"name": "李娜", "role": "respondent", "grid": GRID},
    ]


async def test_the_import_command_exits_non_zero_when_rows_are_rejected(
    places: GraphClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given the environment pointing at the session's Neo4j and a file with one bad row
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", settings.effective_neo4j_uri)
    monkeypatch.setenv("GRIDGRAPH_NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")  # the key is generated into tmp_path
    good = write_csv(tmp_path / "good.csv", [["张伟", id_card(1), "", GRID, "", ""]])
    bad = write_csv(tmp_path / "bad.csv", [["张伟", id_card(1), "", "370811999999999", "", ""]])
    # when each is imported from the command line (in a worker thread: main runs its own loop)
    good_code = await asyncio.to_thread(main, ["import", str(good), "--kind", "residents"])
    bad_code = await asyncio.to_thread(main, ["import", str(bad), "--kind", "residents"])
    # then the clean file succeeds and the other fails, naming its rejects file
    assert (good_code, bad_code) == (0, 1)
    out = capsys.readouterr().out
    assert "residents: 1 rows read, 1 imported, 0 rejected" in out
    assert f"1 rejected, 1 batches; rejects in {bad}.rejects.csv" in out
    assert read_rejects(Path(f"{bad}.rejects.csv"))[0]["field"] == "gridCode"
