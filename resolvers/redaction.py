"""Personal data out of the audit log: GraphQL variables with names, IDs and phones redacted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Variable names holding personal data: a key matches when, lower-cased and without _ or -,
# it contains one of these (idCard, id_card_number, phoneNumber, namePrefix, homeAddress ...).
# Free-text search arguments are included: investigators search for people by name.
PERSONAL_KEY_PARTS: tuple[str, ...] = (
    "idcard",
    "idnumber",
    "identity",
    "passport",
    "phone",
    "mobile",
    "name",
    "address",
    "email",
    "birth",
    "text",
    "search",
)

# A resident ID-card number (居民身份证号): 6-digit area, birth date YYYYMMDD, 3-digit
# sequence, check digit or X. Requiring a date keeps 18-digit building codes out.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)
# A mainland mobile number (1[3-9] and 9 digits), optionally +86, with - or spaces as 3-4-4.
# Digits around it must not continue, so 15-digit grid codes are not mistaken for one.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")


def is_personal_key(key: str) -> bool:
    """True when a variable (or input field) of this name holds personal data."""
    flat = key.lower().replace("_", "").replace("-", "")
    return any(part in flat for part in PERSONAL_KEY_PARTS)


def contains_identifier(text: str) -> bool:
    """True when the text contains an ID-card number or a mobile phone number."""
    return bool(_ID_CARD.search(text) or _MOBILE.search(text))


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED if is_personal_key(str(key)) and item is not None else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    if isinstance(value, str):
        return REDACTED if contains_identifier(value) else value
    if value is None or isinstance(value, bool | int | float):
        return value
    return _redact(str(value))  # anything else (dates, enums) as its text


def redact_variables(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """The variables with personal data replaced by "[redacted]", at any depth.

    The values of personal keys (PERSONAL_KEY_PARTS), and every string containing an ID-card
    number or a mobile phone number, are replaced whole; the rest stays as JSON values.
    """
    redacted: dict[str, Any] = _redact(variables or {})
    return redacted
