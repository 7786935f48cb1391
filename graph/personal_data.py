"""Personal identifiers (ID-card number 身份证号, mobile phone): validate, protect, mask.

Neither value is ever stored in clear. Each is stored as
- a blind index (keyed HMAC-SHA256, hex) for exact lookup: `idCardHash`, `phoneHash`;
- authenticated ciphertext (AES-256-GCM-SIV, `v2:` + base64url) for roles allowed to read
  the value: `idCardCipher`, `phoneCipher`. The associated data binds it to its kind and to
  the person's id, so a ciphertext moved to another person (or field) no longer decrypts;
- the masked display form for everyone else: `idCardMasked` (first 6 + last 4),
  `phoneMasked` (first 3 + last 4).
The nonce is derived from the value (SIV mode stays safe with it), so the same input
always gives the same stored form: seeds are reproducible, and equality leaks no more than
the blind index already does. Blind-index, nonce and encryption keys are derived from one
32-byte master key with HKDF, each for its own purpose.

`v1:` ciphertexts (before person binding: associated data = the kind only) still decrypt,
checked where possible (an ID-card number must give back the person's id); the migration
in graph/identifier_migration.py rewrites them as `v2:`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import date
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
CIPHER_PREFIX = "v2:"  # bound to kind and person id
LEGACY_CIPHER_PREFIX = "v1:"  # bound to kind only (read until migrated)
PERSON_ID_PREFIX = "P"

# GB 11643-1999: weights of the 17 digits and the check character for each sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


class Identifier(StrEnum):
    """The kinds of protected identifier; the value separates their hashes and ciphertexts."""

    ID_CARD = "idCard"
    PHONE = "phone"


# -- validation -----------------------------------------------------------------------------


def normalize_id_card(value: str) -> str:
    """Trim and upper-case (a trailing x becomes X)."""
    return value.strip().upper()


def id_card_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID-card number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_card_problem(value: str, today: date | None = None) -> str | None:
    """Why this is not a valid 18-digit ID-card number, or None when it is."""
    number = normalize_id_card(value)
    if not _ID_PATTERN.match(number):
        return "must be 17 digits followed by a digit or X"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "contains an impossible birth date"
    if born > (today or date.today()) or born.year < 1900:
        return "contains a birth date out of range"
    if number[17] != id_card_check_digit(number[:17]):
        return "has a wrong check digit"
    return None


def is_valid_id_card(value: str) -> bool:
    """True for a well-formed ID-card number with a real birth date and correct check digit."""
    return id_card_problem(value) is None


def normalize_phone(value: str) -> str:
    """Digits only, with a leading +86 / 0086 country code dropped."""
    digits = re.sub(r"[\s\-()]", "", value.strip())
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    return digits


def is_valid_phone(value: str) -> bool:
    """True for an 11-digit mainland mobile number (1[3-9]xxxxxxxxx)."""
    return bool(_PHONE_PATTERN.match(normalize_phone(value)))


# -- identifier shapes in free text ---------------------------------------------------------

# A resident ID-card number (居民身份证号): 6-digit area, birth date YYYYMMDD, 3-digit
# sequence, check digit or X. Requiring a date keeps 18-digit building codes out. Like a
# phone, it may be written in groups: a space or a hyphen may stand between any two of its
# characters (`370811 19961125 0015`, `370811-19961125-0015`). It must not continue a run of
# digits, but letters may touch it (`Q370811199611250015`, an operation name).
_SEP = "[ -]?"


def _spaced(*parts: str) -> str:
    """The parts, each a one-character pattern, with an optional separator between them."""
    return _SEP.join(parts)


_D = "[0-9]"
_ID_AREA = _spaced(*[_D] * 6)
_ID_YEAR = f"(?:{_spaced('1', '9')}|{_spaced('2', '0')}){_SEP}{_spaced(_D, _D)}"
_ID_MONTH = f"(?:{_spaced('0', '[1-9]')}|{_spaced('1', '[0-2]')})"
_ID_DAY = f"(?:{_spaced('0', '[1-9]')}|{_spaced('[12]', _D)}|{_spaced('3', '[01]')})"
_ID_TAIL = _spaced(_D, _D, _D, "[0-9Xx]")
ID_CARD_SHAPE = re.compile(
    f"(?<![0-9]){_SEP.join((_ID_AREA, _ID_YEAR, _ID_MONTH, _ID_DAY, _ID_TAIL))}(?![0-9])"
)
# A mainland mobile number (1[3-9] and 9 digits), optionally +86, with - or spaces as 3-4-4.
# Digits around it must not continue, so 15-digit grid codes are not mistaken for one.
MOBILE_SHAPE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")


def normalized_text(text: str) -> str:
    """The text in NFKC (full-width digits, letters, hyphens and spaces become ASCII), with
    every other decimal digit (Arabic-Indic, Devanagari ...) as its ASCII digit."""
    if text.isascii():
        return text
    return re.sub(r"[^\x00-\x7f]", _non_ascii_digit, unicodedata.normalize("NFKC", text))


def _non_ascii_digit(match: re.Match[str]) -> str:
    char = match.group()
    value = unicodedata.decimal(char, None)
    return char if value is None else str(value)


def contains_identifier_shape(text: str) -> bool:
    """True when the text contains something shaped like an ID-card or mobile number."""
    normal = normalized_text(text)
    return bool(ID_CARD_SHAPE.search(normal) or MOBILE_SHAPE.search(normal))


def replace_identifier_shapes(text: str, replacement: str) -> str:
    """The text with every ID-card- or mobile-number-shaped part replaced (the text is
    NFKC-normalised first when it holds one, so full-width digits are found too)."""
    normal = normalized_text(text)
    if not (ID_CARD_SHAPE.search(normal) or MOBILE_SHAPE.search(normal)):
        return text
    return MOBILE_SHAPE.sub(replacement, ID_CARD_SHAPE.sub(replacement, normal))


# -- masking --------------------------------------------------------------------------------


def mask_id_card(value: str) -> str:
    """First 6 and last 4 characters, the 8 between hidden: 370811********123X."""
    number = normalize_id_card(value)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(value: str) -> str:
    """First 3 and last 4 digits: 138****5678."""
    number = normalize_phone(value)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# -- protection -----------------------------------------------------------------------------


class PersonalDataKey:
    """The master key for personal identifiers, and the keys derived from it."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError(f"the personal-data key must be {KEY_BYTES} bytes")
        self._index_key = _derive(raw, b"gridgraph blind index v1")
        self._nonce_key = _derive(raw, b"gridgraph nonce v1")
        self._cipher = AESGCMSIV(_derive(raw, b"gridgraph encryption v1"))

    @classmethod
    def generate(cls) -> PersonalDataKey:
        """A new random key."""
        return cls(secrets.token_bytes(KEY_BYTES))

    def blind_index(self, kind: Identifier, normalized: str) -> str:
        """Keyed hash for exact lookup of an already normalised value."""
        message = kind.value.encode() + b"\x00" + normalized.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def encrypt(self, kind: Identifier, normalized: str, person: str) -> str:
        """Authenticated ciphertext of the value, bound to its kind and to the person's id."""
        bound = _associated_data(kind, person)
        nonce = hmac.new(self._nonce_key, bound + b"\x00" + normalized.encode(), hashlib.sha256)
        iv = nonce.digest()[:12]
        sealed = self._cipher.encrypt(iv, normalized.encode(), bound)
        return CIPHER_PREFIX + base64.urlsafe_b64encode(iv + sealed).decode()

    def decrypt(self, kind: Identifier, token: str, person: str) -> str:
        """The clear value; raises cryptography's InvalidTag if altered, mislabelled or moved.

        A legacy `v1:` ciphertext (bound to its kind only) is still read; an ID-card number
        read from one must derive the person's id, so it cannot have been moved either.
        """
        if token.startswith(LEGACY_CIPHER_PREFIX):
            clear = self._open(token, kind.value.encode())
            if kind is Identifier.ID_CARD and person_id(self.blind_index(kind, clear)) != person:
                raise InvalidTag  # an ID-card ciphertext of another person
            return clear
        if not token.startswith(CIPHER_PREFIX):
            raise ValueError("unknown ciphertext format")
        return self._open(token, _associated_data(kind, person))

    def _open(self, token: str, associated: bytes) -> str:
        blob = base64.urlsafe_b64decode(token[len(CIPHER_PREFIX) :])
        return self._cipher.decrypt(blob[:12], blob[12:], associated).decode()

    def legacy_encrypt(self, kind: Identifier, normalized: str) -> str:
        """A `v1:` ciphertext (bound to the kind only), as written before person binding."""
        message = kind.value.encode() + b"\x00" + normalized.encode()
        nonce = hmac.new(self._nonce_key, message, hashlib.sha256).digest()[:12]
        sealed = self._cipher.encrypt(nonce, normalized.encode(), kind.value.encode())
        return LEGACY_CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def _associated_data(kind: Identifier, person: str) -> bytes:
    """What a v2 ciphertext is bound to: the identifier's kind and the person's id."""
    return CIPHER_PREFIX.encode() + kind.value.encode() + b"\x00" + person.encode()


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def id_card_hash(key: PersonalDataKey, id_card: str) -> str:
    """The blind index of an ID-card number, as stored in Person.idCardHash."""
    return key.blind_index(Identifier.ID_CARD, normalize_id_card(id_card))


def phone_hash(key: PersonalDataKey, phone: str) -> str:
    """The blind index of a phone number, as stored in Person.phoneHash."""
    return key.blind_index(Identifier.PHONE, normalize_phone(phone))


def person_id(id_card_hash_value: str) -> str:
    """The stable, opaque Person.id derived from the ID card's blind index."""
    return PERSON_ID_PREFIX + id_card_hash_value[:24]


def protect_person_identifiers(
    key: PersonalDataKey, id_card: str, phone: str | None
) -> dict[str, str | None]:
    """The stored properties of a person's identifiers: hashes, ciphertexts, masked forms."""
    number = normalize_id_card(id_card)
    index = key.blind_index(Identifier.ID_CARD, number)
    person = person_id(index)  # the ciphertexts are bound to it
    protected: dict[str, str | None] = {
        "idCardHash": index,
        "idCardCipher": key.encrypt(Identifier.ID_CARD, number, person),
        "idCardMasked": mask_id_card(number),
        "phoneHash": None,
        "phoneCipher": None,
        "phoneMasked": None,
    }
    if phone:
        mobile = normalize_phone(phone)
        protected["phoneHash"] = key.blind_index(Identifier.PHONE, mobile)
        protected["phoneCipher"] = key.encrypt(Identifier.PHONE, mobile, person)
        protected["phoneMasked"] = mask_phone(mobile)
    return protected
