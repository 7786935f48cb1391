"""Abuse limits of the GraphQL layer: depth, aliases, tokens and an estimated cost budget.

Each refusal carries a stable `extensions.code` (resolvers/errors.py): QUERY_TOO_DEEP,
TOO_MANY_ALIASES, TOO_MANY_TOKENS, COST_LIMIT_EXCEEDED. Depth and aliases are validation
rules (cached with the rest of validation per document). Tokens are counted by the parser
itself (Strawberry's MaxTokensLimiter; schema/error_codes.py gives its error the code).

The cost budget needs the request's variables (`first: $first`), which validation never
sees, so it is a schema extension that runs after parsing and validation and before
execution (`on_execute`): when the estimate is over budget it sets the operation's result
to the error, and Strawberry then skips execution. Cost estimate: a field returning an
object costs 1 per object; scalars and introspection cost 0. A list field multiplies the
cost of what it selects by its size: its `first` argument when it has one (a literal, the
variable's value, the declared default, else 20), or, for a list directly inside a paged
object (a connection's `edges` and `nodes`), the `first` of the paged field above it, else
10 for an unbounded plain list. Fragments and inline fragments count where they are spread.

Production mode adds DisableIntrospection and HideSuggestions. The other limits live where
they act: page size (`first` at most 100: BAD_USER_INPUT naming `first`, in the resolvers),
operations per batch (TOO_MANY_OPERATIONS, server/batching.py), the per-principal rate
limit (RATE_LIMITED, server/rate_limit.py) and the Neo4j transaction timeout (TIMEOUT,
graph/client.py and schema/error_codes.py). Defaults and settings: README, Configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.pyutils import Undefined
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)

from resolvers.errors import ErrorCode
from resolvers.pagination import DEFAULT_PAGE_SIZE

# Assumed size of a list field without `first` (persons of a case, family, timelines ...).
UNBOUNDED_LIST_ESTIMATE = 10


@dataclass(frozen=True)
class Limits:
    """The abuse limits of one schema (settings GRIDGRAPH_MAX_*, see README's configuration)."""

    max_depth: int = 12  # nested field levels: `{ districts { code } }` is 2
    max_aliases: int = 30  # aliased fields in the document, fragments expanded
    max_tokens: int = 5000  # lexical tokens of the document (comments included)
    max_cost: int = 50_000  # estimated objects resolved (see the module docstring)
    max_batch_operations: int = 10  # operations in one batched HTTP request


DEFAULT_LIMITS = Limits()


def limit_error(
    message: str, code: ErrorCode, node: OperationDefinitionNode | None, **details: Any
) -> GraphQLError:
    """A refusal with its stable code and the numbers behind it."""
    return GraphQLError(
        message, nodes=[node] if node else None, extensions={"code": code.value, **details}
    )


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


@dataclass
class CostEstimate:
    """Estimates the cost of one operation of a document, given the request's variables."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    _memo: dict[tuple[str, int | None], int] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, page: int | None
    ) -> int:
        """Cost of a selection set on `parent`; `page` sizes its list fields when paged."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, on or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def fragment(self, name: str, page: int | None) -> int:
        """Cost of a named fragment where it is spread (memoised; cycles count 0)."""
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:
            return 0
        on = self.schema.get_type(fragment.type_condition.name.value)
        if on is None:
            return 0
        key = (name, page)
        if key not in self._memo:
            self._open.add(name)
            self._memo[key] = self.selections(fragment.selection_set, on, page)
            self._open.discard(name)
        return self._memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> int:
        """1 per object the field returns, times its list size, plus what it selects."""
        if _is_introspection(node) or node.selection_set is None:
            return 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        item = get_named_type(definition.type)
        if not is_composite_type(item):
            return 0
        first = self.first(node, definition)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            size = next(n for n in (first, page, UNBOUNDED_LIST_ESTIMATE) if n is not None)
            return size * (1 + self.selections(node.selection_set, item, None))
        # A paged object (a connection, a report with rows): its lists hold `first` items.
        return 1 + self.selections(node.selection_set, item, first)

    def first(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page size a field asks for, or None when it has no `first` argument."""
        declared = definition.args.get("first")
        if declared is None:
            return None
        value: Any = declared.default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, value)
            else:
                value = None
        if value is Undefined or not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE_SIZE  # absent or null: the resolvers' default page
        return max(value, 0)


def _variable_values(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    """The request's variables, with the operation's declared defaults for missing ones."""
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in variables:
            values[name] = variables[name]
        elif isinstance(definition.default_value, IntValueNode):
            values[name] = int(definition.default_value.value)
    return values


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int | None:
    """The estimated cost of the document's operation (None when no operation is chosen)."""
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    estimate = CostEstimate(schema, fragments, _variable_values(operation, variables or {}))
    return estimate.selections(operation.selection_set, root, None)


class CostBudget(SchemaExtension):
    """Refuses, before execution, an operation whose estimated cost is over the budget."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            cost = estimate_cost(
                context.schema._schema, document, context.variables, context.operation_name
            )
            if cost is not None and cost > self.max_cost:
                operation = get_operation_ast(document, context.operation_name)
                error = limit_error(
                    f"The query's estimated cost is {cost}, over the budget of "
                    f"{self.max_cost}: ask for smaller pages (first) or fewer nested lists.",
                    ErrorCode.COST_LIMIT_EXCEEDED,
                    operation,
                    cost=cost,
                    maxCost=self.max_cost,
                )
                context.result = GraphQLExecutionResult(data=None, errors=[error])
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
    """The schema extensions enforcing `limits` (one instance per request, via factories)."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth),
        aliases_rule(limits.max_aliases),
    ]
    extensions: list[ExtensionFactory] = [
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(AddValidationRules, rules),
        partial(CostBudget, limits.max_cost),
    ]
    if production:
        extensions += [DisableIntrospection, HideSuggestions]
    return extensions
