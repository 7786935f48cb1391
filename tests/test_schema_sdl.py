"""The committed schema.graphql is the schema the code builds (clients and reviewers read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import SCHEMA_FILE, main, schema_sdl
from server.settings import PROJECT_ROOT

REFRESH = f"gridgraph schema --output {SCHEMA_FILE}"


def test_committed_schema_matches_the_code() -> None:
    # given the committed SDL; then it is exactly what the code builds
    committed = PROJECT_ROOT / SCHEMA_FILE
    assert committed.is_file(), f"{SCHEMA_FILE} is missing: run `{REFRESH}` at the repo root"
    assert committed.read_text(encoding="utf-8") == schema_sdl(), (
        f"{SCHEMA_FILE} is out of date with the code: run `{REFRESH}` at the repository root"
        " and commit the result"
    )


def test_schema_command_writes_the_sdl(tmp_path: Path) -> None:
    # when the command writes to a file; then the file holds the SDL
    target = tmp_path / "schema.graphql"
    assert main(["schema", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_sdl()
    assert "search(text: String!" in schema_sdl()


def test_schema_command_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema_sdl()


def test_schema_command_reports_an_unwritable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--output", str(tmp_path / "missing" / "schema.graphql")]) == 1
    assert "cannot write" in capsys.readouterr().err
