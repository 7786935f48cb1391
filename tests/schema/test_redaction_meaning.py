"""Audit redaction by what an argument means, not by what the client named its variable."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphql import parse, print_ast
from starlette.testclient import TestClient

from graph.audit import document_hash
from graph.client import GraphClient
from resolvers.redaction import REDACTED, redact_operation
from schema import build_schema
from server.settings import Settings
from tests.tokens import bearer, hs256

ID_NUMBER = "370811199001011234"
NAME = "张伟"

# `$q` and `$x` say nothing of what they hold; the schema does: search text, an ID number.
BY_VARIABLE = """
query Lookup($q: String!, $x: String!, $g: String!) {
  search(text: $q) { score }
  personByIdCard(idCard: $x) { personId }
  grid(code: $g) { code }
}
"""
# The same lookups with the values written into the document.
BY_LITERAL = (
    f'query Lookup2 {{ search(text: "{NAME}") {{ score }}'
    f' personByIdCard(idCard: "{ID_NUMBER}") {{ personId }} }}'
)


async def stored(graph: GraphClient, subject: str) -> list[dict[str, Any]]:
    rows = await graph.read(
        "MATCH (r:AuditRecord {subject: $s}) RETURN r {.*} AS r ORDER BY r.seq", {"s": subject}
    )
    return [row["r"] for row in rows]


async def test_personal_arguments_are_redacted_whatever_the_variable_is_called(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    # given an investigator stating a purpose that quotes an ID number and a phone
    await tiny.write("MATCH (n:AuditRecord|AuditHead) DETACH DELETE n")
    token = hs256(settings, "investigator", ["370811"], subject="meaning")
    purpose = f"check {ID_NUMBER} tel 138-1234-5678 case RC2025-000004"  # headers are ASCII
    headers = bearer(token, purpose)
    grid = "370811001001001"
    # when it searches by name and looks up an ID number, as variables and as literals
    variables = {"q": NAME, "x": ID_NUMBER[:17] + "5", "g": grid, "unused": NAME}
    first = http.post(
        "/graphql", json={"query": BY_VARIABLE, "variables": variables}, headers=headers
    )
    second = http.post("/graphql", json={"query": BY_LITERAL}, headers=headers)
    assert first.status_code == 200 and second.status_code == 200
    # then neither the name, nor the number, nor the phone is stored anywhere in the log
    by_variable, by_literal = await stored(tiny, "meaning")
    everything = json.dumps([by_variable, by_literal], ensure_ascii=False, default=str)
    for secret in (NAME, ID_NUMBER, ID_NUMBER[:17], "138-1234-5678"):
        assert secret not in everything
    assert json.loads(by_variable["variables"]) == {
        "q": REDACTED,  # search(text:) is free text
        "x": REDACTED,  # personByIdCard(idCard:) is an identifier
        "g": grid,  # a grid code means a place: kept
        "unused": REDACTED,  # used by no argument: no known meaning
    }
    assert by_variable["purpose"] == f"check {REDACTED} tel {REDACTED} case RC2025-000004"
    # and the hash of a document quoting them is taken over the document without them
    assert by_variable["documentHash"] == hashlib.sha256(BY_VARIABLE.encode()).hexdigest()
    redacted_text = print_ast(parse(BY_LITERAL)).replace(NAME, REDACTED)
    redacted_text = redacted_text.replace(ID_NUMBER, REDACTED)
    assert by_literal["documentHash"] == hashlib.sha256(redacted_text.encode()).hexdigest()
    assert by_literal["documentHash"] != hashlib.sha256(BY_LITERAL.encode()).hexdigest()


async def test_an_identifier_in_the_operation_name_is_redacted(
    tiny: GraphClient, http: TestClient, settings: Settings
) -> None:
    await tiny.write("MATCH (n:AuditRecord|AuditHead) DETACH DELETE n")
    token = hs256(settings, "admin", subject="named")
    query = f"query Q_{ID_NUMBER} {{ districts {{ code }} }}"
    response = http.post("/graphql", json={"query": query}, headers=bearer(token))
    assert response.status_code == 200
    [record] = await stored(tiny, "named")
    assert record["operationName"] == f"Q_{REDACTED}"
    assert ID_NUMBER not in json.dumps(record, ensure_ascii=False, default=str)


def test_a_document_seen_again_is_redacted_the_same_with_its_own_variables() -> None:
    # What a document's variables and literals mean is worked out once per parsed document
    # (resolvers/redaction.py); each request's values are still redacted by it.
    schema = build_schema()._schema
    document = parse(BY_VARIABLE)
    first = redact_operation(schema, document, BY_VARIABLE, {"q": NAME, "x": ID_NUMBER, "g": "1"})
    second = redact_operation(schema, document, BY_VARIABLE, {"q": "李", "x": None, "g": "2"})
    assert first.variables == {"q": REDACTED, "x": REDACTED, "g": "1"}
    assert second.variables == {"q": REDACTED, "x": None, "g": "2"}
    assert first.document_hash == second.document_hash
    literal = parse(BY_LITERAL)
    once = redact_operation(schema, literal, BY_LITERAL, None)
    again = redact_operation(schema, literal, BY_LITERAL, None)
    redacted = BY_LITERAL.replace(NAME, REDACTED).replace(ID_NUMBER, REDACTED)
    assert once == again
    assert once.document_hash == document_hash(print_ast(parse(redacted)))
