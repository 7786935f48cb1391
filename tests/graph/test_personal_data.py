"""Personal identifiers: validation, masking, blind index and authenticated encryption."""

from __future__ import annotations

from datetime import date
from typing import LiteralString

import pytest
from cryptography.exceptions import InvalidTag

from graph.client import GraphClient
from graph.identifier_migration import bind_identifiers_to_persons
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
    person = person_id(str(stored["idCardHash"]))
    assert key.decrypt(Identifier.ID_CARD, str(stored["idCardCipher"]), person) == VALID_ID
    assert key.decrypt(Identifier.PHONE, str(stored["phoneCipher"]), person) == "13800138000"
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
    stored = protect_person_identifiers(key, VALID_ID, None)
    token, person = str(stored["idCardCipher"]), person_id(str(stored["idCardHash"]))
    with pytest.raises(InvalidTag):
        key.decrypt(Identifier.PHONE, token, person)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidTag):
        key.decrypt(Identifier.ID_CARD, tampered, person)


# -- ciphertexts bound to their person (AEAD associated data) --------------------------------

OTHER_ID = ID_17 + id_card_check_digit(ID_17)

SWAP: LiteralString = """
MATCH (a:Person {id: $a}), (b:Person {id: $b})
WITH a, b, a.idCardCipher AS ai, a.phoneCipher AS ap, b.idCardCipher AS bi, b.phoneCipher AS bp
SET a.idCardCipher = bi, a.phoneCipher = bp, b.idCardCipher = ai, b.phoneCipher = ap
"""
READ: LiteralString = """
MATCH (p:Person) WHERE p.id IN $ids
RETURN p.id AS id, p.idCardCipher AS idCard, p.phoneCipher AS phone ORDER BY p.id
"""
WRITE: LiteralString = """
UNWIND $rows AS row
CREATE (p:Person {id: row.id, name: row.id, roles: ['resident']})
SET p.idCardCipher = row.idCard, p.phoneCipher = row.phone
"""


def bound_person(key: PersonalDataKey, number: str, phone: str) -> dict[str, str | None]:
    """A person's id and stored ciphertexts, as every writer protects them."""
    stored = protect_person_identifiers(key, number, phone)
    pid = person_id(str(stored["idCardHash"]))
    return {"id": pid, "idCard": stored["idCardCipher"], "phone": stored["phoneCipher"]}


async def test_ciphertexts_swapped_between_persons_no_longer_decrypt(
    empty_graph: GraphClient,
) -> None:
    # given two persons stored as the seeds, the importer and the mutations store them
    key = PersonalDataKey.generate()
    alice = bound_person(key, VALID_ID, "13800138000")
    bob = bound_person(key, OTHER_ID, "13900139000")
    await empty_graph.write(WRITE, {"rows": [alice, bob]})
    # when someone with database access swaps their ciphertexts
    await empty_graph.write(SWAP, {"a": alice["id"], "b": bob["id"]})
    # then reading either person's identifiers fails instead of showing the other's
    for row in await empty_graph.read(READ, {"ids": [alice["id"], bob["id"]]}):
        for kind, name in ((Identifier.ID_CARD, "idCard"), (Identifier.PHONE, "phone")):
            with pytest.raises(InvalidTag):
                key.decrypt(kind, row[name], row["id"])


async def test_v1_ciphertexts_still_read_and_are_migrated_once(empty_graph: GraphClient) -> None:
    # given persons stored before the binding (v1: bound to the kind only)
    key = PersonalDataKey.generate()
    people = []
    for number, phone in ((VALID_ID, "13800138000"), (OTHER_ID, None)):
        pid = person_id(id_card_hash(key, number))
        legacy_phone = key.legacy_encrypt(Identifier.PHONE, phone) if phone else None
        legacy = key.legacy_encrypt(Identifier.ID_CARD, number)
        people.append({"id": pid, "idCard": legacy, "phone": legacy_phone})
    await empty_graph.write(WRITE, {"rows": people})
    alice, bob = people
    # then during the transition they still decrypt, and a moved v1 ID number does not
    assert key.decrypt(Identifier.ID_CARD, str(alice["idCard"]), str(alice["id"])) == VALID_ID
    with pytest.raises(InvalidTag):
        key.decrypt(Identifier.ID_CARD, str(alice["idCard"]), str(bob["id"]))
    # when the migration runs (twice: the second finds nothing to do)
    first = await bind_identifiers_to_persons(empty_graph, key, batch=1)
    second = await bind_identifiers_to_persons(empty_graph, key)
    assert (first.rewritten, first.unreadable) == (2, [])
    assert (second.rewritten, second.unreadable) == (0, [])
    # then every value is v2, bound to its person, and reads back the same
    rows = {
        row["id"]: row for row in await empty_graph.read(READ, {"ids": [alice["id"], bob["id"]]})
    }
    assert all(str(row["idCard"]).startswith("v2:") for row in rows.values())
    assert rows[bob["id"]]["phone"] is None
    mine = rows[alice["id"]]
    assert key.decrypt(Identifier.ID_CARD, mine["idCard"], str(alice["id"])) == VALID_ID
    assert key.decrypt(Identifier.PHONE, mine["phone"], str(alice["id"])) == "13800138000"
    assert mine == bound_person(key, VALID_ID, "13800138000")  # as new writes store it
