"""Partners' data-sharing agreements: which types and fields they may read, and where.

Agreements are configuration (config/agreements.toml, GRIDGRAPH_AGREEMENTS_FILE), not code:
each names its place scope and, per GraphQL type, the fields a partner may select. The
check itself runs on the parsed document before execution (schema/agreement_check.py), so a
field outside the agreement is refused by name and nothing is read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLObjectType, GraphQLSchema

# Pagination plumbing every agreement allows, carrying no data of its own: these fields of
# connection and edge types, and all of PageInfo. Anything else an edge or connection type
# has (MediatorEdge.kind, VolunteerEdge.points, GraphEdge.properties ...) must be listed.
_CONNECTION_PLUMBING = frozenset({"edges", "pageInfo", "totalCount"})
_EDGE_PLUMBING = frozenset({"node", "cursor"})
_FREE_TYPES = frozenset({"PageInfo"})

# Lookups by a full personal identifier, and the fields that show a masked form of that
# identifier (a person node's `properties` in an investigation graph carry idCardMasked). The
# hidden digits of a masked ID-card number are a birth date, so the masked form narrows a
# number to a few thousand candidates at most, and a lookup tells which one is right: no
# agreement may list both (the service refuses to start, naming the agreement).
IDENTIFIER_LOOKUPS: Mapping[str, tuple[str, ...]] = {
    "Query.personByIdCard": ("Person.idCardMasked", "Person.idCardNumber", "GraphNode.properties"),
}


def is_plumbing(type_name: str, field_name: str) -> bool:
    """True for `__typename` and the pagination fields no agreement needs to list."""
    if field_name == "__typename" or type_name in _FREE_TYPES:
        return True
    if type_name.endswith("Connection"):
        return field_name in _CONNECTION_PLUMBING
    return type_name.endswith("Edge") and field_name in _EDGE_PLUMBING


@dataclass(frozen=True)
class Agreement:
    """One partner agreement: its name, its place scope and the readable fields per type."""

    name: str
    description: str
    scope: frozenset[str]
    fields: Mapping[str, frozenset[str]]

    def allows(self, type_name: str, field_name: str) -> bool:
        """True when a partner under this agreement may select `type_name.field_name`."""
        listed = self.fields.get(type_name, frozenset())
        return is_plumbing(type_name, field_name) or field_name in listed


class AgreementError(ValueError):
    """The agreements file is malformed or names what the schema lacks."""


def _parse_one(name: str, entry: Mapping[str, object]) -> Agreement:
    scope = entry.get("scope")
    fields = entry.get("fields")
    if not isinstance(scope, list) or not scope or not all(str(c).isdigit() for c in scope):
        raise AgreementError(f"agreement {name!r}: scope must be a non-empty list of place codes")
    if not isinstance(fields, dict) or not fields:
        raise AgreementError(f"agreement {name!r}: fields must map type names to field lists")
    readable: dict[str, frozenset[str]] = {}
    for type_name, names in fields.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise AgreementError(f"agreement {name!r}: fields of {type_name} must be a list")
        readable[type_name] = frozenset(names)
    _refuse_identifier_oracle(name, readable)
    return Agreement(
        name=name,
        description=str(entry.get("description", "")),
        scope=frozenset(str(code) for code in scope),
        fields=readable,
    )


def _refuse_identifier_oracle(name: str, readable: Mapping[str, frozenset[str]]) -> None:
    """AgreementError when the agreement lists a lookup by identifier together with a field
    showing that identifier masked (IDENTIFIER_LOOKUPS)."""
    listed = {f"{t}.{f}" for t, names in readable.items() for f in names}
    for lookup, masked in IDENTIFIER_LOOKUPS.items():
        both = [field for field in masked if field in listed]
        if lookup in listed and both:
            raise AgreementError(
                f"agreement {name!r} lists {lookup} together with {', '.join(both)}: a masked "
                "ID-card number hides only a birth date, so with the lookup a partner could "
                f"recover the whole number by trying the candidates; list {lookup} or the "
                "masked identifier, not both"
            )


def load_agreements(path: Path) -> dict[str, Agreement]:
    """Every agreement of the file by name (a missing file means no partners)."""
    if not path.exists():
        return {}
    with path.open("rb") as file:
        document = tomllib.load(file)
    entries = document.get("agreements", {})
    if not isinstance(entries, dict):
        raise AgreementError(f"{path}: [agreements] must be a table")
    return {name: _parse_one(name, entry) for name, entry in entries.items()}


def problems_against(agreements: Mapping[str, Agreement], schema: GraphQLSchema) -> list[str]:
    """Types and fields the agreements name but the schema lacks (empty when all exist)."""
    problems = []
    for agreement in agreements.values():
        for type_name, names in agreement.fields.items():
            graphql_type = schema.type_map.get(type_name)
            if not isinstance(graphql_type, GraphQLObjectType):
                problems.append(f"{agreement.name}: no object type {type_name}")
                continue
            for field_name in sorted(names - set(graphql_type.fields)):
                problems.append(f"{agreement.name}: no field {type_name}.{field_name}")
    return problems
