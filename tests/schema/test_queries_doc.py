"""Every example of docs/queries.md runs against the tiny seed without errors."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph.client import GraphClient
from server.settings import PROJECT_ROOT
from tests.schema.conftest import run

DOC = PROJECT_ROOT / "docs" / "queries.md"
# A ```graphql block, optionally followed by a ```json block of its variables.
EXAMPLE = re.compile(r"```graphql\n(?P<query>.*?)```\s*(?:```json\n(?P<variables>.*?)```)?", re.S)
OPERATION = re.compile(r"^query (\w+)", re.M)

# Variables that differ per installation, taken from the tiny seed (the doc shows
# placeholders or demo values for them).
A_RESIDENT = """
MATCH (p:Resident)-[:FAMILY]-(:Person)
WHERE (p)-[:PARTY_TO]->(:Case)
RETURN p.id AS id ORDER BY p.id LIMIT 1
"""
A_NETWORKED_CASE = """
MATCH (c:Case)-[:RELATED_TO]-(:Case)
WHERE (c)-[:ESCALATED_TO]->()
RETURN c.code AS code ORDER BY c.code LIMIT 1
"""
# The masked number hides exactly the birth date (first 6 + last 4 are shown).
AN_ID_CARD = """
MATCH (p:Person)-[:RESIDES_IN]->(:Grid)
RETURN left(p.idCardMasked, 6) + toString(p.birthDate.year)
       + right('0' + toString(p.birthDate.month), 2) + right('0' + toString(p.birthDate.day), 2)
       + right(p.idCardMasked, 4) AS number
ORDER BY p.id LIMIT 1
"""


def examples() -> list[tuple[str, str, dict[str, Any]]]:
    """(operation name, document, variables) of every example in the doc."""
    found = []
    for match in EXAMPLE.finditer(DOC.read_text(encoding="utf-8")):
        query = match["query"]
        [name] = OPERATION.findall(query)
        found.append((name, query, json.loads(match["variables"] or "{}")))
    return found


@pytest.fixture(scope="module")
async def seed_values(tiny: GraphClient) -> dict[str, Any]:
    [resident] = await tiny.read(A_RESIDENT)
    [case] = await tiny.read(A_NETWORKED_CASE)
    [id_card] = await tiny.read(AN_ID_CARD)
    return {"personId": resident["id"], "caseCode": case["code"], "idCard": id_card["number"]}


def test_the_doc_has_an_example_per_question() -> None:
    names = [name for name, _, _ in examples()]
    assert len(names) == len(set(names)) >= 8


@pytest.mark.parametrize(
    ("query", "variables"),
    [pytest.param(query, values, id=name) for name, query, values in examples()],
)
def test_example_runs_on_the_tiny_seed(
    seed_values: dict[str, Any], http: TestClient, query: str, variables: dict[str, Any]
) -> None:
    # given the doc's variables, installation-specific ones taken from the tiny seed
    values = {key: seed_values.get(key, value) for key, value in variables.items()}
    # when the example runs; then it answers without errors, every root field non-null
    data = run(http, query, **values)
    assert data and all(value is not None for value in data.values())
