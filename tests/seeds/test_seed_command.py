"""`gridgraph seed` migrates, seeds with the configured key, and reports what it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import build_parser, main
from server.keys import KEY_FILE_NAME
from server.settings import Settings


def test_the_seed_command_takes_a_scale_residents_and_a_seed() -> None:
    args = build_parser().parse_args(["seed", "--scale", "district", "--residents", "50000"])
    assert (args.scale, args.residents) == ("district", 50000)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["seed", "--scale", "galaxy"])


def test_seeding_tiny_from_the_command_line(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given the environment pointing at the session's Neo4j and a fresh data dir
    monkeypatch.setenv("GRIDGRAPH_NEO4J_URI", settings.effective_neo4j_uri)
    monkeypatch.setenv("GRIDGRAPH_NEO4J_PASSWORD", settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("GRIDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")  # the key is generated into tmp_path
    # when `gridgraph seed --scale tiny` runs
    code = main(["seed", "--scale", "tiny", "--seed", "5"])
    # then it succeeds, says what it seeded, and the development key file now exists
    assert code == 0
    assert "seeded tiny (seed 5, 360 residents)" in capsys.readouterr().out
    assert (tmp_path / KEY_FILE_NAME).exists()


def test_too_few_residents_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDGRAPH_MODE", "development")  # production refuses the default password
    assert main(["seed", "--scale", "district", "--residents", "100"]) == 1
    assert "20 per grid" in capsys.readouterr().err
