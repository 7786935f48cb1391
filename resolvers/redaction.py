"""Personal data out of the audit log: redaction by what an argument means, and by shape.

Variable names are the client's choice (`search(text: $q)`), so the schema decides: a value
passed to an argument or input field that carries personal data (PERSONAL_ARGUMENTS: ID-card
numbers, phones, names, addresses, free text) is replaced, whether it comes as a variable or
as a literal in the document (the document is stored only as a hash, taken over a copy with
those literals replaced). Variables the operation does not use have no meaning and are
replaced too. On top, any string shaped like an ID-card or mobile number is replaced
wherever it appears, and variables are also redacted by name (the only rule left when the
document did not parse).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FloatValueNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    Visitor,
    print_ast,
    visit,
)
from graphql.language import ArgumentNode, ObjectFieldNode, VariableNode

from graph.audit import REDACTED as REDACTED
from graph.audit import document_hash
from graph.personal_data import contains_identifier_shape, replace_identifier_shapes

# Bounds of what the permanent audit log keeps of a request's variables: strings and keys
# longer than this are replaced by their length, and variables whose JSON is still longer
# than MAX_AUDIT_VARIABLES by a summary.
MAX_AUDIT_STRING = 200
MAX_AUDIT_VARIABLES = 4000
TOO_LARGE_KEY = "[variables]"

# Arguments and input fields (by their schema name, wherever they appear) that carry
# personal data: identifiers, names, addresses, and free text, which holds all of these
# (search text, notes, reasons, case titles and descriptions, duties, topics, outcomes).
PERSONAL_ARGUMENTS: frozenset[str] = frozenset(
    {
        "idCard",
        "phone",
        "name",
        "namePrefix",
        "address",
        "text",
        "note",
        "notes",
        "reason",
        "description",
        "title",
        # free text of the upkeep mutations: a measure's duty, a key person's concern, a
        # deliberation's topic and outcome
        "duty",
        "concern",
        "topic",
        "outcome",
    }
)

# Variable names holding personal data: a key matches when, lower-cased and without _ or -,
# it contains one of these (idCard, id_card_number, phoneNumber, namePrefix, homeAddress ...).
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


def is_personal_key(key: str) -> bool:
    """True when a variable (or input field) of this name holds personal data."""
    flat = key.lower().replace("_", "").replace("-", "")
    return any(part in flat for part in PERSONAL_KEY_PARTS)


def contains_identifier(text: str) -> bool:
    """True when the text contains an ID-card number or a mobile phone number."""
    return contains_identifier_shape(text)


def _clean_key(key: str, taken: set[str]) -> str:
    """A variable (or input field) name as the log may keep it: identifier-shaped parts
    replaced, a name over MAX_AUDIT_STRING characters replaced by its length (numbered when
    that makes two names alike)."""
    clean = replace_identifier_shapes(key, REDACTED)
    if len(clean) > MAX_AUDIT_STRING:
        clean = length_marker(clean)
    unique, n = clean, 1
    while unique in taken:
        n += 1
        unique = f"{clean}#{n}"
    taken.add(unique)
    return unique


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        taken: set[str] = set()
        return {
            _clean_key(str(key), taken): REDACTED
            if is_personal_key(str(key)) and item is not None
            else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    if isinstance(value, str):
        if contains_identifier(value):
            return REDACTED
        return length_marker(value) if len(value) > MAX_AUDIT_STRING else value
    if value is None or isinstance(value, bool | int | float):
        return value
    return _redact(str(value))  # anything else (dates, enums) as its text


def length_marker(text: str) -> str:
    """What stands in the log for a text too long to keep: "[1000000 characters]"."""
    return f"[{len(text)} characters]"


def redact_variables(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """The variables with personal data replaced by "[redacted]", at any depth, by name and shape,
    and bounded for the permanent log.

    The values of personal keys (PERSONAL_KEY_PARTS), and every string containing an ID-card
    number or a mobile phone number, are replaced whole, keys included; the rest stays as JSON
    values, except that a string (or key) over MAX_AUDIT_STRING characters is replaced by
    its length ("[1000000 characters]"), and variables whose JSON would still be over
    MAX_AUDIT_VARIABLES characters are replaced by a summary (`{"[variables]": "[N
    characters]"}`, N the length of their redacted JSON).
    """
    redacted: dict[str, Any] = _redact(variables or {})
    size = len(json.dumps(redacted, ensure_ascii=False, separators=(",", ":"), default=str))
    if size > MAX_AUDIT_VARIABLES:
        return {TOO_LARGE_KEY: f"[{size} characters]"}
    return redacted


# -- by meaning -----------------------------------------------------------------------------


@dataclass
class _Uses:
    """Where an operation's variables and literals go, as the schema sees it."""

    personal: set[str] = field(default_factory=set)  # variables passed to a personal argument
    typed: dict[str, list[GraphQLInputType]] = field(default_factory=dict)  # the others
    literals: set[int] = field(default_factory=set)  # ids of personal literal value nodes


class _MeaningVisitor(Visitor):
    """Follows arguments and input fields, noting which values land in personal ones."""

    def __init__(self, type_info: TypeInfo, uses: _Uses) -> None:
        super().__init__()
        self.type_info = type_info
        self.uses = uses
        self.personal: list[bool] = []  # per enclosing argument / input field

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.personal.append(node.name.value in PERSONAL_ARGUMENTS)

    def leave_argument(self, *_: Any) -> None:
        self.personal.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        inside = bool(self.personal and self.personal[-1])
        self.personal.append(inside or node.name.value in PERSONAL_ARGUMENTS)

    def leave_object_field(self, *_: Any) -> None:
        self.personal.pop()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        if not self.personal:
            return  # a variable definition, not a use
        name = node.name.value
        input_type = self.type_info.get_input_type()
        if self.personal[-1] or input_type is None:
            self.uses.personal.add(name)
        else:
            self.uses.typed.setdefault(name, []).append(input_type)

    def _literal(self, node: ValueNode) -> None:
        if self.personal and self.personal[-1]:
            self.uses.literals.add(id(node))

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self._literal(node)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> None:
        self._literal(node)

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> None:
        self._literal(node)


class _LiteralReplacer(Visitor):
    """Replaces the noted literal nodes with "[redacted]" (visit returns the edited copy)."""

    def __init__(self, literals: set[int]) -> None:
        super().__init__()
        self.literals = literals

    def _replace(self, node: ValueNode) -> StringValueNode | None:
        return StringValueNode(value=REDACTED) if id(node) in self.literals else None

    def enter_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode | None:
        return self._replace(node)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> StringValueNode | None:
        return self._replace(node)

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> StringValueNode | None:
        return self._replace(node)


def _by_type(value: Any, input_type: GraphQLInputType) -> Any:
    """The value with the fields of personal meaning in its input type replaced."""
    if value is None:
        return None
    if isinstance(input_type, GraphQLNonNull):
        return _by_type(value, input_type.of_type)
    if isinstance(input_type, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return [_by_type(item, input_type.of_type) for item in items]
    if isinstance(input_type, GraphQLInputObjectType):
        if not isinstance(value, Mapping):
            return REDACTED  # not what the schema expects: its meaning is unknown
        fields = input_type.fields
        return {
            str(key): REDACTED
            if key in PERSONAL_ARGUMENTS and item is not None
            else (_by_type(item, fields[key].type) if key in fields else REDACTED)
            for key, item in value.items()
        }
    return value


@dataclass(frozen=True)
class RedactedOperation:
    """What the audit record keeps of an operation: its variables and its document's hash."""

    variables: dict[str, Any]
    document_hash: str | None


def redact_operation(
    schema: GraphQLSchema,
    document: DocumentNode | None,
    query: str | None,
    variables: Mapping[str, Any] | None,
) -> RedactedOperation:
    """The operation's variables and document hash with personal data out, by meaning.

    Without a parsed document only names and shapes can tell (redact_variables).
    """
    if document is None:
        return RedactedOperation(redact_variables(variables), document_hash(query))
    uses, redacted_hash = _DOCUMENTS.meaning(schema, document, query)
    kept: dict[str, Any] = {}
    for name, value in (variables or {}).items():
        if value is None:
            kept[name] = None
        elif name in uses.personal or name not in uses.typed:
            kept[name] = REDACTED
        else:
            for input_type in uses.typed[name]:
                value = _by_type(value, input_type)
            kept[name] = value
    return RedactedOperation(redact_variables(kept), redacted_hash)


@dataclass(frozen=True)
class _Meaning:
    schema: GraphQLSchema
    document: DocumentNode
    query: str | None
    uses: _Uses
    document_hash: str | None


class _DocumentMeanings:
    """Where each document's variables and literals go, and its redacted hash, worked out
    once per document: they depend on the document alone, not on the variables' values, and
    walking a document with the schema's type information cost about a millisecond a
    request. Documents are the parsed ones the schema keeps per text
    (schema/prepared_documents.py), so the same object comes back for the same text; the
    entry is used only for that very object, schema and text. The last MAX_DOCUMENTS kept."""

    MAX_DOCUMENTS = 512

    def __init__(self) -> None:
        self._known: dict[int, _Meaning] = {}

    def meaning(
        self, schema: GraphQLSchema, document: DocumentNode, query: str | None
    ) -> tuple[_Uses, str | None]:
        known = self._known.get(id(document))
        if (
            known is not None
            and known.document is document
            and known.schema is schema
            and known.query == query
        ):
            return known.uses, known.document_hash
        uses = _Uses()
        type_info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(type_info, _MeaningVisitor(type_info, uses)))
        text = query
        if uses.literals:
            text = print_ast(visit(document, _LiteralReplacer(uses.literals)))
        redacted_hash = document_hash(text)
        if len(self._known) >= self.MAX_DOCUMENTS:
            del self._known[next(iter(self._known))]  # the oldest
        self._known[id(document)] = _Meaning(schema, document, query, uses, redacted_hash)
        return uses, redacted_hash


_DOCUMENTS = _DocumentMeanings()
