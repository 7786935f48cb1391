"""Where the personal-data master key comes from.

Production: GRIDGRAPH_PERSONAL_DATA_KEY (32 bytes, base64) is required. Development: a
key is generated once into <data_dir>/personal-data.key (mode 0600, git-ignored) and reused.
Losing the key makes stored identifiers unreadable and unsearchable, so back it up.
"""

from __future__ import annotations

import base64
import binascii
import os

from graph.personal_data import KEY_BYTES, PersonalDataKey
from server.settings import Settings

KEY_FILE_NAME = "personal-data.key"


class PersonalDataKeyError(RuntimeError):
    """The personal-data key is missing or malformed."""


def _decode(text: str, source: str) -> PersonalDataKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise PersonalDataKeyError(f"{source} is not valid base64") from error
    if len(raw) != KEY_BYTES:
        raise PersonalDataKeyError(f"{source} must decode to {KEY_BYTES} bytes, got {len(raw)}")
    return PersonalDataKey(raw)


def load_personal_data_key(settings: Settings) -> PersonalDataKey:
    """The configured key; in development, the generated key file (created when missing)."""
    if settings.personal_data_key is not None:
        return _decode(settings.personal_data_key.get_secret_value(), "GRIDGRAPH_PERSONAL_DATA_KEY")
    if not settings.development:
        raise PersonalDataKeyError("GRIDGRAPH_PERSONAL_DATA_KEY must be set in production mode")
    path = settings.data_dir / KEY_FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(os.urandom(KEY_BYTES)).decode()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(encoded + "\n")
    return _decode(path.read_text(), str(path))
