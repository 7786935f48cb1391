"""Settings read from the environment (prefix GRIDGRAPH_) with development defaults."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from server.log_format import LogFormat

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The documented development password of Neo4j: production refuses to start with it.
DEFAULT_NEO4J_PASSWORD = "gridgraph-dev"  # noqa: S105 - the documented development default


class Mode(StrEnum):
    """Development turns on GraphiQL and friendly defaults; production turns them off."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of the service; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="GRIDGRAPH_", extra="ignore")

    # Production unless development is explicitly on (GRIDGRAPH_MODE=development; `make run`
    # sets it): only development accepts requests without credentials and HS256 tokens.
    mode: Mode = Mode.PRODUCTION

    # Neo4j connection. No URI means "use the local embedded Neo4j" (see local_neo4j.py).
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = Field(
        default=SecretStr(DEFAULT_NEO4J_PASSWORD), validate_default=True
    )
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

    # Authentication and data sharing (docs/security.md). Bearer JWTs must carry exp, iss,
    # aud and sub. HS256 with jwt_hs256_secret is accepted in development only (a secret is
    # generated into <data_dir>/jwt-hs256.secret when unset); production verifies RS256
    # with jwt_public_key_file (PEM) or jwt_jwks_file (a JWKS document, keys chosen by kid).
    jwt_hs256_secret: SecretStr | None = None
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_issuer: str = "gridgraph"
    jwt_audience: str = "gridgraph"
    # Longest a token may still be valid: exp - now, and exp - iat when iat is given.
    jwt_max_lifetime_s: int = Field(default=86_400, ge=60)
    # How long an API key lookup (found, unknown or revoked) is reused: a revoked key stops
    # working within this many seconds. 0 looks every key up in Neo4j.
    api_key_cache_s: float = Field(default=5.0, ge=0)
    # Failed authentications per client address: a token bucket (RATE_LIMITED, HTTP 429 +
    # Retry-After, before any credential is checked). 0 turns it off.
    auth_failure_rate_per_s: float = Field(default=1.0, ge=0)
    auth_failure_burst: int = Field(default=20, ge=1)
    agreements_file: Path = PROJECT_ROOT / "config" / "agreements.toml"

    # Abuse limits (README, Configuration; each refusal has its own error code). Sizes are those of
    # schema/limits.py's Limits; the defaults leave room above the heaviest documented query.
    query_timeout_s: float = Field(default=10.0, gt=0)  # Neo4j transaction timeout (TIMEOUT)
    # Whole /graphql request: Cypher, Python work, batching (504 TIMEOUT past it; every
    # transaction gets at most what is left as its Neo4j timeout). docs/operations.md.
    request_deadline_s: float = Field(default=10.0, gt=0)
    # CPU-bound work of requests (networkAnalysis): worker processes ("thread": threads,
    # which still take the event loop's CPU share), and each job's limit (TIMEOUT past it).
    analysis_workers: int = Field(default=2, ge=1)
    analysis_timeout_s: float = Field(default=5.0, gt=0)
    analysis_pool: Literal["process", "thread"] = "process"
    # One Cypher query per root field (resolvers/compile.py); false: one per level (loaders).
    compiled_reads: bool = True
    # Cached queries answered without Strawberry's per-request pipeline where it would not
    # act (schema/direct_operations.py); false: every request through the pipeline.
    direct_operations: bool = True
    max_depth: int = Field(default=12, ge=1)  # nested field levels (QUERY_TOO_DEEP)
    max_aliases: int = Field(default=30, ge=0)  # aliased fields per document (TOO_MANY_ALIASES)
    max_tokens: int = Field(default=5000, ge=1)  # lexical tokens per document (TOO_MANY_TOKENS)
    max_cost: int = Field(default=50_000, ge=1)  # estimated objects (COST_LIMIT_EXCEEDED)
    max_batch_operations: int = Field(default=10, ge=1)  # per batch (TOO_MANY_OPERATIONS)
    # Per principal: a token bucket refilled at rate_limit_per_s requests per second, holding
    # at most rate_limit_burst (RATE_LIMITED, HTTP 429 + Retry-After). 0 turns it off.
    rate_limit_per_s: float = Field(default=20.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Batched requests (a JSON list of operations, each one rate-limit token): on in
    # development, off in production unless GRIDGRAPH_BATCHING=true (BATCHING_DISABLED).
    batching: bool | None = None
    max_json_depth: int = Field(default=64, ge=2)  # nesting of the request's JSON (BAD_REQUEST)
    # Bytes of a POST body (HTTP 413 PAYLOAD_TOO_LARGE, refused before it is read whole).
    max_body_bytes: int = Field(default=262_144, ge=1024)
    # Repeated refusals of one principal with one code: the first is audited at once, the
    # rest as one record with their count per window (docs/audit.md).
    refusal_audit_window_s: float = Field(default=60.0, gt=0)

    # HTTP
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)

    # Logs (docs/operations.md, Logs): text lines or JSON lines, on stderr.
    log_format: LogFormat = LogFormat.TEXT
    log_level: str = Field(default="INFO", pattern=r"^(?i:debug|info|warning|error|critical)$")

    # Prometheus metrics (docs/operations.md, Metrics), never public in production: on a
    # port of their own (metrics_host, loopback by default), and/or at /metrics on the API
    # port for `Authorization: Bearer <metrics_token>`; development serves /metrics openly.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_token: SecretStr | None = None

    # What `gridgraph serve` loads into an empty database.
    seed_scale: str = "demo"

    @field_validator("neo4j_password")
    @classmethod
    def _no_default_password_in_production(
        cls, value: SecretStr, info: ValidationInfo
    ) -> SecretStr:
        """Production refuses the documented development password of Neo4j."""
        if info.data.get("mode") is Mode.PRODUCTION and (
            value.get_secret_value() == DEFAULT_NEO4J_PASSWORD
        ):
            raise ValueError(
                "GRIDGRAPH_NEO4J_PASSWORD is the documented development default: production "
                "mode refuses it, since anyone holding it can rewrite the audit log; set a "
                "strong password (or GRIDGRAPH_MODE=development on a developer machine)"
            )
        return value

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

    @property
    def batching_enabled(self) -> bool:
        """Batches are served: as configured, else in development only."""
        return self.development if self.batching is None else self.batching
