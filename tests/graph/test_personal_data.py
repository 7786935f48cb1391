"""Personal identifiers: validation, masking, blind index and authenticated encryption."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from graph.personal_data import (
    Identifier,
    PersonalDataKey,
    id_card_check_digit,
    id_card_hash,
    id_card_problem,
    is_valid_phone,
    mask_id_card,
    mask_phone,
    person_id,
    protect_person_identifiers,
)

# A published sample number (GB 11643 examples use 11010519491231002X).
VALID_ID = "11010519491231002X"
ID_17 = "37081119900101123"


def test_check_digit_follows_gb_11643() -> None:
    assert id_card_check_digit(VALID_ID[:17]) == "X"
    number = ID_17 + id_card_check_digit(ID_17)
    assert id_card_problem(number) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1101051949123100", "must be 17 digits"),
        ("11010519491231002Y", "must be 17 digits"),
        ("110105194902300021", "impossible birth date"),
        ("110105210001010021", "out of range"),
        ("110105194912310021", "wrong check digit"),
    ],
)
def test_invalid_id_cards_say_why(value: str, problem: str) -> None:
    reason = id_card_problem(value, today=date(2026, 1, 1))
    assert reason is not None and problem in reason


def test_lower_case_x_is_accepted() -> None:
    assert id_card_problem(VALID_ID.lower()) is None


def test_masks_show_only_the_agreed_digits() -> None:
    assert mask_id_card(VALID_ID) == "110105********002X"
    assert mask_phone("+86 138-0013-8000") == "138****8000"
    assert is_valid_phone("13800138000") and not is_valid_phone("12800138000")


def test_protection_stores_no_clear_value_and_round_trips() -> None:
    key = PersonalDataKey.generate()
    stored = protect_person_identifiers(key, VALID_ID.lower(), "13800138000")
    assert all(VALID_ID not in str(v) and "13800138000" not in str(v) for v in stored.values())
    assert stored["idCardHash"] == id_card_hash(key, VALID_ID)
    assert key.decrypt(Identifier.ID_CARD, str(stored["idCardCipher"])) == VALID_ID
    assert key.decrypt(Identifier.PHONE, str(stored["phoneCipher"])) == "13800138000"
    assert stored["phoneMasked"] == "138****8000"


def test_same_input_same_stored_form_but_other_key_differs() -> None:
    key = PersonalDataKey(bytes(range(32)))
    again = PersonalDataKey(bytes(range(32)))
    other = PersonalDataKey(bytes(reversed(range(32))))
    first = protect_person_identifiers(key, VALID_ID, None)
    assert first == protect_person_identifiers(again, VALID_ID, None)
    assert first["idCardHash"] != protect_person_identifiers(other, VALID_ID, None)["idCardHash"]
    assert first["phoneHash"] is None
    assert person_id(str(first["idCardHash"])).startswith("P")


def test_altered_or_mislabelled_ciphertext_is_refused() -> None:
    key = PersonalDataKey.generate()
    token = str(protect_person_identifiers(key, VALID_ID, None)["idCardCipher"])
    with pytest.raises(InvalidTag):
        key.decrypt(Identifier.PHONE, token)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidTag):
        key.decrypt(Identifier.ID_CARD, tampered)
