"""The estimated cost of an operation, and the budget that refuses it before execution.

The estimate reads argument values as execution will see them: graphql-core coerces the
request's variables (a `first` sent as `100.0` is the Int 100) and fills in the operation's
and the schema's defaults, and the estimate reads those coerced values, never the raw JSON.

Cost: a field returning an object costs 1 per object; scalars and introspection cost 0. A
list field multiplies the cost of what it selects by its size: its `first` argument when it
has one (a literal, a variable or the declared default; null or absent: 20), or, for a list
directly inside a paged object (a connection's `edges` and `nodes`), the `first` of the paged
field above it, else 10 for an unbounded plain list. Fragments and inline fragments count
where they are spread. Fields whose work does not show in what they return are priced in
schema/prices.py (`nodes(ids:)` per id, the investigations by their hops and node bounds).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
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
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from resolvers.errors import ErrorCode
from resolvers.pagination import DEFAULT_PAGE_SIZE
from schema.error_codes import limit_error
from schema.prices import PRICES, Price

# Assumed size of a list field without `first` (persons of a case, family, timelines ...).
UNBOUNDED_LIST_ESTIMATE = 10

# Sizes of named lists below a priced field (schema/prices.py), as a hashable key.
Sizes = tuple[tuple[str, int], ...]


def coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> VariableValues | None:
    """The request's variables as execution coerces them (None when they are invalid:
    execution then refuses the request before any resolver runs)."""
    values = get_variable_values(schema, operation.variable_definitions or (), dict(variables))
    return None if isinstance(values, list) else values


def argument_values(
    definition: GraphQLField, node: FieldNode, variables: VariableValues | None
) -> dict[str, Any]:
    """The field's coerced arguments: literals, variables and defaults (empty if invalid:
    such a field fails at execution without running)."""
    try:
        return get_argument_values(definition, node, variables)
    except GraphQLError:
        return {}


@dataclass
class CostEstimate:
    """Estimates the cost of one operation of a document, given its coerced variables."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: VariableValues | None
    _memo: dict[tuple[str, int | None, Sizes], int] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        page: int | None,
        sizes: Sizes = (),
    ) -> int:
        """Cost of a selection set on `parent`; `page` sizes its list fields when paged,
        `sizes` the lists named by a priced field above."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page, sizes)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, on or parent, page, sizes)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page, sizes)
        return total

    def fragment(self, name: str, page: int | None, sizes: Sizes = ()) -> int:
        """Cost of a named fragment where it is spread (memoised; cycles count 0)."""
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:
            return 0
        on = self.schema.get_type(fragment.type_condition.name.value)
        if on is None:
            return 0
        key = (name, page, sizes)
        if key not in self._memo:
            self._open.add(name)
            self._memo[key] = self.selections(fragment.selection_set, on, page, sizes)
            self._open.discard(name)
        return self._memo[key]

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, page: int | None, sizes: Sizes = ()
    ) -> int:
        """1 per object the field returns, times its list size, plus what it selects, plus
        the work of a priced field."""
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
        arguments = argument_values(definition, node, self.variables)
        price = PRICES.get((parent.name, node.name.value), Price())
        work = price.work(arguments)
        named = dict(sizes)
        if price.below is not None:
            named = {**named, **price.below(arguments)}
        inner = tuple(sorted(named.items()))
        first = _first(arguments, definition)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            size = next(
                n
                for n in (
                    price.size(arguments) if price.size else None,
                    first,
                    named.get(node.name.value),
                    page,
                    UNBOUNDED_LIST_ESTIMATE,
                )
                if n is not None
            )
            return work + size * (1 + self.selections(node.selection_set, item, None, inner))
        # A paged object (a connection, a report with rows): its lists hold `first` items.
        return work + 1 + self.selections(node.selection_set, item, first, inner)


def _is_introspection(node: FieldNode) -> bool:
    return node.name.value.startswith("__")


def _first(arguments: Mapping[str, Any], definition: GraphQLField) -> int | None:
    """The page size a field asks for (coerced), or None when it has no `first` argument."""
    if "first" not in definition.args:
        return None
    value = arguments.get("first")
    if not isinstance(value, int) or isinstance(value, bool):
        return DEFAULT_PAGE_SIZE  # absent or null: the resolvers' default page
    return max(value, 0)


def estimate_cost(
    schema: GraphQLSchema,
    document: Any,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int | None:
    """The estimated cost of the document's operation (None when no operation is chosen or
    its variables are invalid: then nothing executes)."""
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return None
    coerced = coerced_variables(schema, operation, variables or {})
    if coerced is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return CostEstimate(schema, fragments, coerced).selections(operation.selection_set, root, None)


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
                    f"{self.max_cost}: ask for smaller pages (first), fewer nested lists, "
                    "fewer ids or smaller investigations (hops, maxNodes).",
                    ErrorCode.COST_LIMIT_EXCEEDED,
                    operation,
                    cost=cost,
                    maxCost=self.max_cost,
                )
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
