"""Bounds on argument values, checked before any resolver runs: BAD_USER_INPUT naming the
argument (or variable), never quoting its value.

Every String or ID value a client sends, as a literal or a variable, at any depth of input
objects and lists, is at most 1,000 characters (`LONGER_TEXT` names the few inputs allowed
more) and contains no NUL character and no unpaired surrogate (neither can be stored or
compared reliably). Every list argument holds at most 100 items (`nodes(ids:)` included).

Four checks, cheapest first:
- `TokenBounds`, before the document is parsed: the lexer reads the query text (at most
  `max_tokens` tokens) and every name (field, alias, argument, variable, fragment,
  directive, type, enum value, operation) must be at most MAX_NAME_LENGTH characters and
  every number literal (Int or Float) at most MAX_NUMBER_LENGTH: BAD_USER_INPUT naming the
  kind of token and its length, never the token (graphql-core's errors quote names and
  literals, and an Int of more than 4,300 digits is beyond Python's int conversion). A
  string literal longer than any argument takes is refused here only when the document does
  not parse (a syntax error would quote it); otherwise `LiteralBounds` names its argument;
- `LiteralBounds`, a validation rule run before the others (schema/limits.py): no string
  literal of the document is longer than any argument may be, so validation errors, which
  print literals, stay short;
- `InputBounds.on_execute`: the raw variables (what JSON gave) have no string longer than
  any argument may be, no nesting deeper than 20 levels and only clean object keys (which
  graphql-core would quote in its errors);
- then every argument of every field the operation selects, coerced as execution will see it
  (literals, variables and defaults), is walked along its declared type with the exact limit
  of each argument and input field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    SelectionSetNode,
    Source,
    StringValueNode,
    TokenKind,
    ValidationRule,
    VariableDefinitionNode,
    get_named_type,
    get_operation_ast,
    parse,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.language import DocumentNode, Lexer
from strawberry.extensions import SchemaExtension

from resolvers.errors import ErrorCode
from schema.cost import argument_values, coerced_variables
from schema.error_codes import PARSER_LIMIT_MESSAGE, limit_error

MAX_TEXT_LENGTH = 1000  # characters of any String or ID value
# Inputs documented as longer (InputType.field or Type.field.argument): characters.
LONGER_TEXT: dict[str, int] = {"ReportCaseInput.description": 4000}
LONGEST_TEXT = max(MAX_TEXT_LENGTH, *LONGER_TEXT.values())
MAX_LIST_ITEMS = 100  # items of any list argument
MAX_INPUT_DEPTH = 20  # nesting of lists and objects in a variable's value
MAX_NAME_LENGTH = 100  # characters of any name of a document
MAX_NUMBER_LENGTH = 100  # characters of an Int or Float literal

# Tokens whose length is bounded before parsing: (what they are called, their bound).
_BOUNDED_TOKENS: dict[TokenKind, tuple[str, int]] = {
    TokenKind.NAME: ("name", MAX_NAME_LENGTH),
    TokenKind.INT: ("number", MAX_NUMBER_LENGTH),
    TokenKind.FLOAT: ("number", MAX_NUMBER_LENGTH),
}
_STRINGS = (TokenKind.STRING, TokenKind.BLOCK_STRING)
_NAME = re.compile("[_A-Za-z][_0-9A-Za-z]*")  # a GraphQL name (HTTP bounds its length)


def forbidden_character(text: str) -> str | None:
    """What makes `text` unacceptable (a NUL, an unpaired surrogate), or None."""
    if "\x00" in text:
        return "a NUL character"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "an unpaired surrogate (invalid Unicode)"
    return None


def _refusal(message: str, node: Any = None, **details: Any) -> GraphQLError:
    return limit_error(message, ErrorCode.BAD_USER_INPUT, node, **details)


def _text_refusal(text: str, what: str, limit: int, **names: str) -> GraphQLError | None:
    if len(text) > limit:
        bound = (
            f"no argument takes more than {limit}"
            if limit == LONGEST_TEXT
            else f"at most {limit} are allowed"
        )
        return _refusal(
            f"{what} is {len(text)} characters long; {bound}.",
            maxLength=limit,
            **names,
        )
    bad = forbidden_character(text)
    if bad is not None:
        return _refusal(f"{what} contains {bad}.", **names)
    return None


def _token_error(source: Source, start: int, message: str, **details: Any) -> GraphQLError:
    return GraphQLError(
        message,
        source=source,
        positions=[start],
        extensions={"code": ErrorCode.BAD_USER_INPUT.value, **details},
    )


def document_tokens_refusal(
    query: str, max_tokens: int, parse_options: Mapping[str, Any] | None = None
) -> GraphQLError | DocumentNode | None:
    """Reads the document's tokens (at most `max_tokens`) before it is parsed: a refusal
    for an over-long name or number literal (or for an over-long string in a document that
    does not parse), the parsed document when over-long strings made it parse the document
    to know, else None. Lexical errors are left to the parser (they quote no token)."""
    source = Source(query)
    lexer = Lexer(source)
    long_string = None
    try:
        for _ in range(max_tokens + 1):
            token = lexer.advance()
            if token.kind is TokenKind.EOF:
                break
            length = len(token.value or "")
            bound = _BOUNDED_TOKENS.get(token.kind)
            if bound is not None and length > bound[1]:
                what, limit = bound
                return _token_error(
                    source,
                    token.start,
                    f"A {what} of the document is {length} characters long; "
                    f"at most {limit} are allowed.",
                    kind=what,
                    length=length,
                    maxLength=limit,
                )
            if token.kind in _STRINGS and length > LONGEST_TEXT and long_string is None:
                long_string = (token.start, length)
    except GraphQLSyntaxError:
        pass  # the parser stops at the same place, with the same message
    if long_string is None:
        return None
    try:
        return parse(source, **(parse_options or {}))
    except GraphQLSyntaxError as error:
        if error.message.startswith(PARSER_LIMIT_MESSAGE):  # TOO_MANY_TOKENS
            return error
        start, length = long_string
        return _token_error(
            source,
            start,
            f"A string of the document is {length} characters long; "
            f"no argument takes more than {LONGEST_TEXT}.",
            kind="string",
            length=length,
            maxLength=LONGEST_TEXT,
        )


class TokenBounds(SchemaExtension):
    """Refuses, before parsing, a document with an over-long name or number (see
    `document_tokens_refusal`).

    A refusal leaves the request with a stub document (`query <operationName> {
    __typename }`) and the error as its pre-execution error: validation and execution are
    skipped, and the operation goes on to ErrorCodes and the audit trail like any other
    refused operation (raising here would skip both)."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            outcome = document_tokens_refusal(context.query, self.max_tokens, context.parse_options)
            if isinstance(outcome, DocumentNode):
                context.graphql_document = outcome
            elif outcome is not None:
                name = context.operation_name or ""  # the request's (no document yet)
                if not _NAME.fullmatch(name):
                    name = ""
                context.graphql_document = parse(f"query {name} {{ __typename }}")
                context.pre_execution_errors = [outcome]
        yield


class LiteralBounds(ValidationRule):
    """No string literal longer than any argument may be (checked before other validation)."""

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> None:
        if len(node.value) <= LONGEST_TEXT:
            return
        where = next(
            (
                a
                for a in reversed([*ancestors, parent])
                if isinstance(a, ArgumentNode | VariableDefinitionNode)
            ),
            None,
        )
        if isinstance(where, ArgumentNode):
            what, names = f"Argument {where.name.value}", {"argument": where.name.value}
        elif isinstance(where, VariableDefinitionNode):
            name = where.variable.name.value
            what, names = f"The default of ${name}", {"variable": name}
        else:
            what, names = "A string of the document", {}
        self.report_error(
            _refusal(
                f"{what} is {len(node.value)} characters long; "
                f"no argument takes more than {LONGEST_TEXT}.",
                node,
                maxLength=LONGEST_TEXT,
                **names,
            )
        )


def raw_variable_refusal(variables: Mapping[str, Any]) -> GraphQLError | None:
    """The first variable whose raw value breaks the bounds, as a refusal (or None): too
    deep, a string longer than any argument takes, or an object key that is not clean text
    (graphql-core would quote it). Characters of values are checked along their types."""
    for name, value in variables.items():
        what = f"Variable ${name}"
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            item, depth = stack.pop()
            refusal = None
            if depth > MAX_INPUT_DEPTH:
                message = f"{what} is nested deeper than {MAX_INPUT_DEPTH} levels."
                refusal = _refusal(message, variable=name, maxDepth=MAX_INPUT_DEPTH)
            elif isinstance(item, str) and len(item) > LONGEST_TEXT:
                refusal = _text_refusal(item, what, LONGEST_TEXT, variable=name)
            elif isinstance(item, list):
                stack.extend((child, depth + 1) for child in item)
            elif isinstance(item, dict):
                for key in item:
                    refusal = refusal or _text_refusal(
                        str(key), f"A field name of ${name}", MAX_TEXT_LENGTH, variable=name
                    )
                stack.extend((child, depth + 1) for child in item.values())
            if refusal is not None:
                return refusal
    return None


@dataclass
class _ArgumentWalk:
    """Checks the coerced arguments of every field an operation selects."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Any
    _seen: set[str]

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> None:
        """Raises the refusal of the first argument out of bounds below `selection_set`."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(selection.selection_set, on or parent)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self._seen:
                    continue
                self._seen.add(name)
                on = self.schema.get_type(fragment.type_condition.name.value)
                if on is not None:
                    self.selections(fragment.selection_set, on)

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> None:
        """Checks the field's arguments, then its selections."""
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return
        values = argument_values(definition, node, self.variables)
        for name, argument in definition.args.items():
            if name in values:
                coordinate = f"{parent.name}.{node.name.value}.{name}"
                self.value(values[name], argument.type, name, coordinate, node)
        if node.selection_set is not None:
            self.selections(node.selection_set, get_named_type(definition.type))

    def value(
        self, value: Any, type_: GraphQLInputType, path: str, coordinate: str, node: FieldNode
    ) -> None:
        """Checks one coerced value along its declared type (lists, input objects, text)."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            items = value if isinstance(value, list | tuple) else [value]
            if len(items) > MAX_LIST_ITEMS:
                raise _refusal(
                    f"Argument {path} holds {len(items)} items; at most {MAX_LIST_ITEMS} are"
                    " allowed.",
                    node,
                    argument=path,
                    maxItems=MAX_LIST_ITEMS,
                )
            for index, item in enumerate(items):
                self.value(item, type_.of_type, f"{path}[{index}]", coordinate, node)
        elif isinstance(type_, GraphQLInputObjectType) and isinstance(value, Mapping):
            for name, field in type_.fields.items():
                if name in value:
                    inner = f"{type_.name}.{name}"
                    self.value(value[name], field.type, f"{path}.{name}", inner, node)
        elif isinstance(value, str):
            limit = LONGER_TEXT.get(coordinate, MAX_TEXT_LENGTH)
            refusal = _text_refusal(value, f"Argument {path}", limit, argument=path)
            if refusal is not None:
                refusal.nodes = [node]
                raise refusal


def argument_refusal(
    schema: GraphQLSchema,
    document: Any,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> GraphQLError | None:
    """The first refusal of the operation's variables or arguments, or None."""
    refusal = raw_variable_refusal(variables or {})
    if refusal is not None:
        return refusal
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return None
    coerced = coerced_variables(schema, operation, variables or {})
    if coerced is None:
        return None  # invalid variables: execution refuses them (graphql-core's message)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    try:
        _ArgumentWalk(schema, fragments, coerced, set()).selections(operation.selection_set, root)
    except GraphQLError as refusal:
        return refusal
    return None


class InputBounds(SchemaExtension):
    """Refuses, before execution (and before the cost estimate), arguments out of bounds."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            refusal = argument_refusal(
                context.schema._schema, document, context.variables, context.operation_name
            )
            if refusal is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[refusal])
        yield
