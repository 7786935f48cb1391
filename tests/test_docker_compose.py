"""docker-compose.yml (for production users) is wired correctly and matches the launcher."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def launcher_neo4j_version() -> str:
    pom = (ROOT / "launcher" / "pom.xml").read_text()
    match = re.search(r"<neo4j.version>([\d.]+)</neo4j.version>", pom)
    assert match, "launcher/pom.xml names no neo4j.version"
    return match.group(1)


def test_neo4j_image_matches_the_local_launcher_version() -> None:
    image = compose()["services"]["neo4j"]["image"]
    assert image == f"neo4j:{launcher_neo4j_version()}-community"


def test_neo4j_has_apoc_a_volume_and_a_healthcheck() -> None:
    neo4j = compose()["services"]["neo4j"]
    assert "apoc" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert any(volume.endswith(":/data") for volume in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert neo4j["volumes"][0].split(":")[0] in compose()["volumes"]


def test_api_waits_for_a_healthy_neo4j_and_points_at_it() -> None:
    api = compose()["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["GRIDGRAPH_NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["environment"]["GRIDGRAPH_MODE"] == "production"
    assert api["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_api_gets_its_secrets_agreements_and_token_key_in_production() -> None:
    api = compose()["services"]["api"]
    environment = api["environment"]
    assert "GRIDGRAPH_PERSONAL_DATA_KEY" in environment
    mount = next(volume for volume in api["volumes"] if volume.startswith("./config:"))
    folder = mount.split(":")[1]
    assert environment["GRIDGRAPH_AGREEMENTS_FILE"] == f"{folder}/agreements.toml"
    assert environment["GRIDGRAPH_JWT_PUBLIC_KEY_FILE"].startswith(folder + "/")
