"""personByIdCard: partners look a person up by ID-card number through the blind index."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from graph.personal_data import Identifier, id_card_check_digit
from tests.schema.conftest import SEED_KEY, errors_of, run

BY_ID_CARD = """
query ByIdCard($idCard: String!) {
  personByIdCard(idCard: $idCard) { personId name idCardMasked grid { code } }
}
"""

# A person's masked number hides exactly the birth date (first 6 + last 4 are shown).
A_PERSON = """
MATCH (p:Person)-[:RESIDES_IN]->(g:Grid)
RETURN p.id AS id, p.name AS name, p.idCardMasked AS masked, p.birthDate AS born,
       p.idCardHash AS hash, g.code AS grid
ORDER BY p.id LIMIT 1
"""

HASH_TAKEN = "MATCH (p:Person {idCardHash: $hash}) RETURN count(p) AS n"


def _number(person: dict[str, Any]) -> str:
    masked = person["masked"]
    return f"{masked[:6]}{person['born']:%Y%m%d}{masked[-4:]}"


async def _a_person(graph: GraphClient) -> tuple[dict[str, Any], str]:
    [person] = await graph.read(A_PERSON)
    number = _number(person)
    assert SEED_KEY.blind_index(Identifier.ID_CARD, number) == person["hash"]
    return person, number


async def test_finds_the_person_with_this_number(tiny: GraphClient, http: TestClient) -> None:
    # given a seeded person's ID-card number (rebuilt from the masked form and birth date)
    person, number = await _a_person(tiny)
    # when a partner looks it up, with stray blanks and a lower-case check character
    found = run(http, BY_ID_CARD, idCard=f"  {number.lower()} ")["personByIdCard"]
    # then it is that person, identifiers masked
    assert found == {
        "personId": person["id"],
        "name": person["name"],
        "idCardMasked": person["masked"],
        "grid": {"code": person["grid"]},
    }


async def test_a_valid_number_nobody_has_is_not_found(tiny: GraphClient, http: TestClient) -> None:
    # given a valid number with the same birth date whose blind index no person holds
    _, number = await _a_person(tiny)
    for serial in range(999, 0, -1):
        first17 = f"{number[:14]}{serial:03d}"
        candidate = first17 + id_card_check_digit(first17)
        digest = SEED_KEY.blind_index(Identifier.ID_CARD, candidate)
        if (await tiny.read(HASH_TAKEN, {"hash": digest}))[0]["n"] == 0:
            break
    # when it is looked up
    body = http.post("/graphql", json={"query": BY_ID_CARD, "variables": {"idCard": candidate}})
    # then NOT_FOUND, the field is null, and the number is not echoed back
    [error] = body.json()["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert body.json()["data"] == {"personByIdCard": None}
    assert candidate not in body.text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda n: n[:17] + ("0" if n[17] != "0" else "1"), "wrong check digit"),
        (lambda n: n[:16], "17 digits"),
        (lambda n: n[:10] + "1399" + n[14:], "impossible birth date"),
    ],
)
async def test_malformed_numbers_are_bad_user_input_with_the_reason(
    tiny: GraphClient, http: TestClient, change: Any, reason: str
) -> None:
    # given a number made invalid
    _, number = await _a_person(tiny)
    wrong = change(number)
    # when it is looked up
    [error] = errors_of(http, BY_ID_CARD, idCard=wrong)
    # then BAD_USER_INPUT says why, without repeating the number
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "idCard"
    assert reason in error["message"]
    assert wrong not in str(error)
