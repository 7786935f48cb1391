"""The personal-data key: generated once in development, required in production."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from graph.personal_data import Identifier
from server.app import create_app
from server.keys import KEY_FILE_NAME, PersonalDataKeyError, load_personal_data_key
from server.settings import Mode, Settings
from tests.schema.conftest import SEED_KEY

# Production refuses the documented development password (server/settings.py).
NOT_DEFAULT = SecretStr("not-the-default-password")


def test_development_generates_a_private_key_file_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, mode=Mode.DEVELOPMENT)
    first = load_personal_data_key(settings)
    key_file = tmp_path / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = load_personal_data_key(settings)
    assert first.blind_index(Identifier.PHONE, "13800138000") == second.blind_index(
        Identifier.PHONE, "13800138000"
    )


def test_production_requires_a_configured_key(tmp_path: Path) -> None:
    with pytest.raises(PersonalDataKeyError, match="must be set in production"):
        load_personal_data_key(
            Settings(data_dir=tmp_path, mode=Mode.PRODUCTION, neo4j_password=NOT_DEFAULT)
        )


def test_configured_key_must_be_32_bytes_of_base64(tmp_path: Path) -> None:
    short = SecretStr(base64.b64encode(b"x" * 16).decode())
    with pytest.raises(PersonalDataKeyError, match="32 bytes"):
        load_personal_data_key(
            Settings(data_dir=tmp_path, personal_data_key=short, neo4j_password=NOT_DEFAULT)
        )
    good = SecretStr(base64.b64encode(b"k" * 32).decode())
    key = load_personal_data_key(
        Settings(data_dir=tmp_path, personal_data_key=good, neo4j_password=NOT_DEFAULT)
    )
    assert not (tmp_path / KEY_FILE_NAME).exists()
    assert len(key.blind_index(Identifier.ID_CARD, "x")) == 64


def test_the_app_loads_its_key_once_at_startup(settings: Settings) -> None:
    # given a production app without a configured key; then it refuses to start
    keyless = settings.model_copy(update={"mode": Mode.PRODUCTION, "personal_data_key": None})
    with pytest.raises(PersonalDataKeyError), TestClient(create_app(keyless)):
        pass
    # and a configured app holds the one key every request's context uses
    app = create_app(settings)
    with TestClient(app):
        key = app.state.personal_data_key
        assert key.blind_index(Identifier.ID_CARD, "x") == SEED_KEY.blind_index(
            Identifier.ID_CARD, "x"
        )
