"""Abuse limits of the GraphQL layer: depth, aliases, tokens, directives, argument bounds and
an estimated cost budget.

Each refusal carries a stable `extensions.code` (resolvers/errors.py): QUERY_TOO_DEEP,
TOO_MANY_ALIASES, TOO_MANY_TOKENS, TOO_MANY_DIRECTIVES, TOO_MANY_LOOKUPS, BAD_USER_INPUT,
COST_LIMIT_EXCEEDED. Tokens are counted by the parser itself (Strawberry's MaxTokensLimiter;
schema/error_codes.py gives its error the code); before the parser runs, TokenBounds
(schema/input_bounds.py) reads the tokens once with graphql-core's lexer and refuses
over-long names and number literals, which the parser and validation would quote or fail
on. Then, before the rest of validation, `EarlyValidation` runs the cheap document-wide
rules (directives, string literals' length): a document they refuse gets that one error and
is not validated further, so a probe repeating a directive gets one error, not one per
repetition. Depth, aliases and lookups by ID-card number (at most 3 `personByIdCard` per
operation, TOO_MANY_LOOKUPS: each tells whether one number is a person) are validation
rules. A document that passed all of these is kept per text and not checked again
(schema/prepared_documents.py).

Argument values (schema/input_bounds.py) and the cost budget (schema/cost.py, priced fields
in schema/prices.py) need the request's variables, which validation never sees, so they are
schema extensions that run after validation and before execution (`on_execute`): a refusal
sets the operation's result to the error, and Strawberry then skips execution.

Production mode adds DisableIntrospection and HideSuggestions. The other limits live where
they act: page size (`first` at most 100: BAD_USER_INPUT naming `first`, in the resolvers),
operations per batch (TOO_MANY_OPERATIONS, server/batching.py), the per-principal rate
limit (RATE_LIMITED, server/rate_limit.py) and the Neo4j transaction timeout (TIMEOUT,
graph/client.py and schema/error_codes.py). Defaults and settings: README, Configuration.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    Visitor,
    validate,
    visit,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)

from resolvers.errors import PREVIEW_LENGTH, ErrorCode
from schema.cost import UNBOUNDED_LIST_ESTIMATE, CostBudget, estimate_cost
from schema.error_codes import limit_error
from schema.input_bounds import InputBounds, LiteralBounds, TokenBounds

__all__ = [
    "DEFAULT_LIMITS",
    "UNBOUNDED_LIST_ESTIMATE",
    "Limits",
    "estimate_cost",
    "limit_error",
    "limit_extensions",
]


@dataclass(frozen=True)
class Limits:
    """The abuse limits of one schema (settings GRIDGRAPH_MAX_*, see README's configuration)."""

    max_depth: int = 12  # nested field levels: `{ districts { code } }` is 2
    max_aliases: int = 30  # aliased fields in the document, fragments expanded
    max_tokens: int = 5000  # lexical tokens of the document (comments included)
    max_cost: int = 50_000  # estimated cost (schema/cost.py, schema/prices.py)
    max_directives: int = 50  # directives in the document, none repeated on one location
    max_batch_operations: int = 10  # operations in one batched HTTP request
    max_identifier_lookups: int = 3  # lookups by a full identifier per operation


DEFAULT_LIMITS = Limits()


def _operation_label(operation: OperationDefinitionNode) -> str:
    return f"Operation '{operation.name.value}'" if operation.name else "The operation"


def _is_introspection(node: FieldNode) -> bool:
    return node.name.value.startswith("__")


@dataclass
class _DocumentWalk:
    """Depth and alias counts of selection sets, fragments expanded (each once, memoised)."""

    fragments: Mapping[str, FragmentDefinitionNode]
    _depths: dict[str, int] = field(default_factory=dict)
    _aliases: dict[str, int] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)  # fragments being walked (cycle guard)

    def _fragment(self, name: str, memo: dict[str, int], walk: Callable[..., int]) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:  # unknown or cyclic: validation reports it
            return 0
        if name not in memo:
            self._open.add(name)
            memo[name] = walk(fragment.selection_set)
            self._open.discard(name)
        return memo[name]

    def depth(self, selection_set: SelectionSetNode) -> int:
        """Nested field levels below this selection set (introspection not counted)."""
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if _is_introspection(selection):
                    continue
                below = self.depth(selection.selection_set) if selection.selection_set else 0
                deepest = max(deepest, 1 + below)
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(
                    deepest, self._fragment(selection.name.value, self._depths, self.depth)
                )
        return deepest

    def aliases(self, selection_set: SelectionSetNode) -> int:
        """Aliased fields in this selection set, fragments counted where they are spread."""
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1 if selection.alias else 0
                count += self.aliases(selection.selection_set) if selection.selection_set else 0
            elif isinstance(selection, InlineFragmentNode):
                count += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self._fragment(selection.name.value, self._aliases, self.aliases)
        return count


# Lookups by a full personal identifier: each answers whether one number is a person, so a
# document of many is a search over the few thousand numbers a masked form leaves open
# (docs/security.md). Counted per operation, fragments expanded where spread.
IDENTIFIER_LOOKUPS: frozenset[tuple[str, str]] = frozenset({("Query", "personByIdCard")})


@dataclass
class _LookupCount:
    """Identifier lookups of a selection set on the root type, fragments counted where spread
    (each lookup field is on Query, so only root-level selections can hold one)."""

    fragments: Mapping[str, FragmentDefinitionNode]
    root: str
    _open: set[str] = field(default_factory=set)

    def count(self, selection_set: SelectionSetNode) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += (self.root, selection.name.value) in IDENTIFIER_LOOKUPS
            elif isinstance(selection, InlineFragmentNode):
                total += self.count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in self._open:
                    self._open.add(name)
                    total += self.count(fragment.selection_set)
                    self._open.discard(name)
        return total


def identifier_lookups_rule(max_lookups: int) -> type[ValidationRule]:
    """A validation rule refusing an operation with more than `max_lookups` lookups by a full
    personal identifier (`personByIdCard`), whatever the principal."""

    class MaxIdentifierLookupsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            definitions = self.context.document.definitions
            fragments = {
                d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)
            }
            count = _LookupCount(fragments, root.name).count(node.selection_set)
            if count > max_lookups:
                self.report_error(
                    limit_error(
                        f"{_operation_label(node)} looks up {count} persons by ID-card number; "
                        f"at most {max_lookups} are allowed per operation.",
                        ErrorCode.TOO_MANY_LOOKUPS,
                        node,
                        field="Query.personByIdCard",
                        lookups=count,
                        maxLookups=max_lookups,
                    )
                )

    return MaxIdentifierLookupsRule


def _document_walk(rule: ValidationRule) -> _DocumentWalk:
    definitions = rule.context.document.definitions
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    return _DocumentWalk(fragments)


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule refusing operations nested deeper than `max_depth` fields."""

    class QueryDepthRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth = _document_walk(self).depth(node.selection_set)
            if depth > max_depth:
                self.report_error(
                    limit_error(
                        f"{_operation_label(node)} is {depth} levels deep; "
                        f"at most {max_depth} are allowed.",
                        ErrorCode.QUERY_TOO_DEEP,
                        node,
                        depth=depth,
                        maxDepth=max_depth,
                    )
                )

    return QueryDepthRule


def aliases_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing documents with more than `max_aliases` aliased fields."""

    class MaxAliasesRule(ValidationRule):
        def enter_document(self, *_: Any) -> None:
            walk = _document_walk(self)
            operations = [
                d
                for d in self.context.document.definitions
                if isinstance(d, OperationDefinitionNode)
            ]
            count = sum(walk.aliases(operation.selection_set) for operation in operations)
            if count > max_aliases:
                self.report_error(
                    limit_error(
                        f"The document uses {count} aliases; at most {max_aliases} are allowed.",
                        ErrorCode.TOO_MANY_ALIASES,
                        None,
                        aliases=count,
                        maxAliases=max_aliases,
                    )
                )

    return MaxAliasesRule


class _DirectiveUses(Visitor):
    """Collects the directives of every location (field, fragment, operation ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.locations: list[tuple[DirectiveNode, ...]] = []

    def enter(self, node: Node, *_: Any) -> None:
        directives = getattr(node, "directives", None)
        if directives:
            self.locations.append(tuple(directives))


def directives_rule(max_directives: int) -> type[ValidationRule]:
    """A validation rule refusing, with one error, a directive repeated on one location, more
    than one unknown directive, or more than `max_directives` directives in the document."""

    class MaxDirectivesRule(ValidationRule):
        def enter_document(self, node: Node, *_: Any) -> None:
            uses = _DirectiveUses()
            visit(node, uses)
            names = [d.name.value for location in uses.locations for d in location]
            unknown = [name for name in names if self.context.schema.get_directive(name) is None]
            repeated = next(
                (
                    (name, count)
                    for location in uses.locations
                    for name, count in Counter(d.name.value for d in location).items()
                    if count > 1
                ),
                None,
            )
            if repeated is not None:
                name, count = repeated
                message = (
                    f"The directive @{name[:PREVIEW_LENGTH]} is repeated {count} times on one "
                    "location; a directive may appear at most once per location."
                )
            elif len(unknown) > 1:
                message = f"The document uses {len(unknown)} unknown directives."
            elif len(names) > max_directives:
                message = (
                    f"The document uses {len(names)} directives; "
                    f"at most {max_directives} are allowed."
                )
            else:
                return
            self.report_error(
                limit_error(
                    message,
                    ErrorCode.TOO_MANY_DIRECTIVES,
                    None,
                    directives=len(names),
                    maxDirectives=max_directives,
                )
            )

    return MaxDirectivesRule


class EarlyValidation(SchemaExtension):
    """Runs cheap document-wide rules before the rest of validation: a document they refuse
    gets their first error only, and is not validated further."""

    def __init__(self, rules: list[type[ASTValidationRule]]) -> None:
        self.rules = rules

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            errors = validate(context.schema._schema, document, self.rules)
            if errors:
                context.pre_execution_errors = errors[:1]
        yield


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.S)


class HideSuggestions(SchemaExtension):
    """Production: no "Did you mean ...?" hints (fields, arguments, types, enum values)."""

    def on_operation(self) -> Iterator[None]:
        yield
        for error in getattr(self.execution_context.result, "errors", None) or ():
            error.message = _SUGGESTION.sub("", error.message)


ExtensionFactory = Callable[[], SchemaExtension]


def limit_extensions(limits: Limits, production: bool) -> list[ExtensionFactory]:
    """The schema extensions enforcing `limits` (one instance per request, via factories);
    Strawberry's own validation then runs their rules with the rest."""
    early: list[type[ASTValidationRule]] = [directives_rule(limits.max_directives), LiteralBounds]
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth),
        aliases_rule(limits.max_aliases),
        identifier_lookups_rule(limits.max_identifier_lookups),
    ]
    extensions: list[ExtensionFactory] = [
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(TokenBounds, limits.max_tokens),
        partial(EarlyValidation, early),
        partial(AddValidationRules, rules),
        InputBounds,
        partial(CostBudget, limits.max_cost),
    ]
    if production:
        extensions += [DisableIntrospection, HideSuggestions]
    return extensions
