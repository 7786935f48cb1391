"""Settings read from the environment (prefix GRIDGRAPH_) with development defaults."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Mode(StrEnum):
    """Development turns on GraphiQL and friendly defaults; production turns them off."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of the service; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="GRIDGRAPH_", extra="ignore")

    mode: Mode = Mode.DEVELOPMENT

    # Neo4j connection. No URI means "use the local embedded Neo4j" (see local_neo4j.py).
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("gridgraph-dev")
    neo4j_database: str = "neo4j"

    # The local embedded Neo4j (only used when neo4j_uri is unset).
    data_dir: Path = PROJECT_ROOT / ".data"
    local_neo4j_host: str = "127.0.0.1"
    local_neo4j_port: int = Field(default=7687, ge=1, le=65535)
    local_neo4j_heap_mb: int = Field(default=1024, ge=256)
    local_neo4j_pagecache_mb: int = Field(default=512, ge=32)
    local_neo4j_auth: bool = True
    local_neo4j_start_timeout_s: float = Field(default=180.0, gt=0)

    # Master key for personal identifiers (32 bytes, base64). Required in production; in
    # development a key is generated into <data_dir>/personal-data.key (see server/keys.py).
    personal_data_key: SecretStr | None = None

    # HTTP
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)

    # What `gridgraph serve` loads into an empty database.
    seed_scale: str = "demo"

    @property
    def uses_local_neo4j(self) -> bool:
        """True when no external Neo4j is configured and the embedded one is used."""
        return not self.neo4j_uri

    @property
    def effective_neo4j_uri(self) -> str:
        """The URI the driver connects to: the configured one or the local Bolt address."""
        if self.neo4j_uri:
            return self.neo4j_uri
        return f"bolt://{self.local_neo4j_host}:{self.local_neo4j_port}"

    @property
    def development(self) -> bool:
        """True in development mode."""
        return self.mode is Mode.DEVELOPMENT
