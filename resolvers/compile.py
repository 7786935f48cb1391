"""Compile a root field's selection into one Cypher query, from the relation registry.

Walking the selection (fragments, aliases, @skip/@include) from the root field's object
type, every selected field declared with `@relation` (resolvers/relations.py) becomes a
`graph.compiled_read.Read`, its arguments converted exactly as Strawberry converts them for
the resolver and turned into hop parameters by the same declaration. Reads nest where the
field's node objects have relationship fields selected in turn. The query's answer is then
filed under each field's response path (`RequestContext.prefetched`), where the field's
resolver finds it: one round trip for the root field, whatever the depth.

What the compiler cannot cover is left out, and its resolver reads through the per-level
loaders as before: fields without a declaration, fields under an interface or union typed
value (the object type is known only per row), and fields whose arguments the declaration
refuses (the resolver then raises the same error at the right path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.collect_fields import does_fragment_condition_match
from graphql.execution.values import VariableValues, get_argument_values

from graph.compiled_read import Read, compile_node_lookup, compile_read
from graph.traversal import Neighbour, NeighbourPage, NodeSpec, PartialRow, Row
from resolvers import field_arguments
from resolvers.pagination import hop_page_request
from resolvers.projection import projection_of
from resolvers.relations import (
    Context,
    Relation,
    Shape,
    registry_of,
    response_path,
)

NOT_COMPILED = object()  # the compiler left this field to the loaders
_PLUMBING = frozenset({"totalCount", "__typename"})
# Where a connection's cursors are: they need each item's sort keys (graph/keyset.py).
_CURSOR_FIELDS = {
    "edges": frozenset({"cursor"}),
    "pageInfo": frozenset({"startCursor", "endCursor"}),
}

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ConnectionSelection:
    """What a connection field's selection asks for."""

    with_items: bool
    with_total: bool
    with_cursors: bool = True  # an edge's cursor, or pageInfo's start or end cursor


@dataclass
class Planned:
    """A read of the compiled query, and where its nested reads' answers belong.

    `slots`: the name of a nested read in the query -> (the fields from one item of this
    read to the node object, the nested field's response key, its plan).
    """

    relation: Relation
    read: Read
    slots: dict[str, tuple[Path, str, Planned]] = field(default_factory=dict)


class _Walk:
    """One compilation: the schema, the document's fragments and the request's variables."""

    def __init__(
        self,
        raw: GraphQLResolveInfo[Any],
        schema_converter: Any,
        config: Any,
        memo: field_arguments.Memo | None = None,
    ) -> None:
        self.schema: GraphQLSchema = raw.schema
        self.fragments = raw.fragments
        # The request's coerced variable values, in the shape graphql-core's argument
        # coercion takes (resolvers are handed the plain dict of coerced values).
        given = raw.variable_values
        self.variables = (
            given if isinstance(given, VariableValues) else VariableValues({}, dict(given or {}))
        )
        self.registry = registry_of(raw.schema)
        self.scalars = schema_converter.scalar_registry
        self.config = config
        self.memo = memo  # this operation's converted arguments (resolvers/field_arguments.py)
        self.slot_count = 0

    def included(self, selection: SelectionNode) -> bool:
        """False when @skip(if: true) or @include(if: false) leaves the selection out."""
        if not selection.directives:
            return True
        for directive in selection.directives:
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            definition = GraphQLSkipDirective if name == "skip" else GraphQLIncludeDirective
            condition = get_argument_values(definition, directive, self.variables)["if"]
            if condition == (name == "skip"):
                return False
        return True

    def collect(
        self, object_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """The fields selected on `object_type`, by response key, fragments expanded."""
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(object_type, selection_set, fields, set())
        return fields

    def _collect(
        self,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if does_fragment_condition_match(self.schema, selection, object_type):
                    self._collect(object_type, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if does_fragment_condition_match(self.schema, fragment, object_type):
                    self._collect(object_type, fragment.selection_set, fields, visited)

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (Strawberry's conversion)."""
        return field_arguments.converted(
            definition, node, self.variables, self.scalars, self.config, self.memo
        )

    def nested_slots(
        self, node_type: GraphQLNamedType | None, sets: list[SelectionSetNode], suffix: Path
    ) -> Iterator[tuple[str, tuple[Path, str, Planned]]]:
        """The declared relationship fields selected on a node object, each planned."""
        if not isinstance(node_type, GraphQLObjectType) or not sets:
            return
        for key, nodes in self.collect(node_type, sets).items():
            name = nodes[0].name.value
            declared = self.registry.get((node_type.name, name))
            definition = node_type.fields.get(name)
            if declared is None or definition is None:
                continue
            planned = self.plan(declared, definition, nodes)
            if planned is not None:
                self.slot_count += 1
                yield f"n{self.slot_count}", (suffix, key, planned)

    def plan(
        self,
        declared: Relation,
        definition: GraphQLField,
        nodes: Sequence[FieldNode],
        arguments: dict[str, Any] | None = None,
    ) -> Planned | None:
        """The read of one relationship field and the reads nested under its nodes."""
        try:
            given = arguments if arguments is not None else self.arguments(definition, nodes[0])
            read = self._read(declared, given, nodes)
        except Exception:  # the resolver raises the same error at the field's own path
            return None
        planned = Planned(declared, read)
        value_type = get_named_type(definition.type)
        selections = list(self._node_selections(declared, value_type, nodes))
        for suffix, node_type, sets in selections:
            planned.slots.update(self.nested_slots(node_type, sets, suffix))
        nested = tuple((slot, nested.read) for slot, (_, _, nested) in planned.slots.items())
        properties = None
        if declared.node_path is not None:
            found = [(node_type, sets) for _, node_type, sets in selections]
            properties = self.properties_read(declared.hop.target, found)
            if properties is not None:
                properties |= frozenset(declared.item_reads)
        planned.read = _with_nested(read, nested, properties)
        return planned

    def properties_read(
        self,
        spec: NodeSpec,
        selections: Sequence[tuple[GraphQLNamedType | None, list[SelectionSetNode]]],
    ) -> frozenset[str] | None:
        """The node properties the selections on the node objects read (resolvers/
        projection.py); None (every property) unless each node type declares its reads, and
        when the node object is not selected at all (`mediationCommittees { kind }`): the
        field's builder still makes it, from whatever row it gets."""
        if not selections:
            return None
        wanted: set[str] = set()
        for node_type, sets in selections:
            if not isinstance(node_type, GraphQLObjectType):
                return None
            projection = projection_of(node_type.name)
            if projection is None or projection.spec != spec:
                return None
            names = {found[0].name.value for found in self.collect(node_type, sets).values()}
            relationships = {name for name in names if (node_type.name, name) in self.registry}
            properties = projection.properties_read(names, relationships)
            if properties is None:
                return None
            wanted |= properties
        return frozenset(wanted)

    def _read(self, declared: Relation, given: dict[str, Any], nodes: Sequence[FieldNode]) -> Read:
        if declared.shape is not Shape.PAGE:
            return Read(declared.hop, params=declared.params(**given))
        rest = {name: value for name, value in given.items() if name not in ("first", "after")}
        params, order = declared.params(**rest), declared.order(**rest)
        first, after = given.get("first"), given.get("after")
        request = hop_page_request(first, after, declared.hop, order, rest)
        wanted = self.connection_selection(nodes)
        return Read(
            declared.hop,
            paged=True,
            params=params,
            order=order,
            after=request.after,
            limit=request.limit if wanted.with_items else 0,
            with_items=wanted.with_items,
            with_total=wanted.with_total,
            with_keys=wanted.with_cursors,
        )

    def connection_selection(self, nodes: Sequence[FieldNode]) -> ConnectionSelection:
        """Items when anything but totalCount is selected; the total when it is; cursors
        when an edge's or pageInfo's cursor is."""
        names: set[str] = set()
        cursors: set[str] = set()
        for node in nodes:
            if node.selection_set is None:
                continue
            names |= self._names(node.selection_set, set())
            for field_node in self._fields(node.selection_set, set()):
                name, inner = field_node.name.value, field_node.selection_set
                if name in _CURSOR_FIELDS and inner is not None:
                    cursors |= self._names(inner, set()) & _CURSOR_FIELDS[name]
        return ConnectionSelection(bool(names - _PLUMBING), "totalCount" in names, bool(cursors))

    def _fields(self, selection_set: SelectionSetNode, visited: set[str]) -> Iterator[FieldNode]:
        """The included fields of a selection set, fragments expanded (any type condition)."""
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(selection.selection_set, visited)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in visited:
                    visited.add(selection.name.value)
                    yield from self._fields(fragment.selection_set, visited)

    def _names(self, selection_set: SelectionSetNode, visited: set[str]) -> set[str]:
        names: set[str] = set()
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                names |= self._names(selection.selection_set, visited)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in visited:
                    visited.add(selection.name.value)
                    names |= self._names(fragment.selection_set, visited)
        return names

    def _node_selections(
        self, declared: Relation, value_type: GraphQLNamedType, nodes: Sequence[FieldNode]
    ) -> Iterator[tuple[Path, GraphQLNamedType | None, list[SelectionSetNode]]]:
        """Per alias path to the node objects: (path after the item, node type, selections)."""
        if declared.node_path is None:
            return
        steps = (("edges", "node") if declared.shape is Shape.PAGE else ()) + declared.node_path
        yield from self.selections_under(value_type, nodes, steps)

    def selections_under(
        self, value_type: GraphQLNamedType, nodes: Sequence[FieldNode], steps: tuple[str, ...]
    ) -> Iterator[tuple[Path, GraphQLNamedType | None, list[SelectionSetNode]]]:
        """Per alias path, what the field `nodes` (of `value_type`) select under the fields
        `steps` of their value: (alias path, type there, selections)."""
        current: list[tuple[Path, GraphQLNamedType | None, list[SelectionSetNode]]] = [
            ((), value_type, [n.selection_set for n in nodes if n.selection_set])
        ]
        for step in steps:
            following: list[tuple[Path, GraphQLNamedType | None, list[SelectionSetNode]]] = []
            for path, owner, sets in current:
                if not isinstance(owner, GraphQLObjectType) or step not in owner.fields:
                    continue
                step_type = get_named_type(owner.fields[step].type)
                for key, found in self.collect(owner, sets).items():
                    if found[0].name.value == step:
                        chosen = [n.selection_set for n in found if n.selection_set]
                        following.append(((*path, key), step_type, chosen))
            current = following
        yield from current


def _with_nested(
    read: Read, nested: tuple[tuple[str, Read], ...], properties: frozenset[str] | None
) -> Read:
    return Read(
        read.hop,
        read.paged,
        read.params,
        read.order,
        read.after,
        read.limit,
        read.with_items,
        read.with_total,
        nested,
        properties,
        read.with_keys,
    )


def _walk(info: Context) -> _Walk:
    schema = info.schema
    memo = getattr(info.context, "converted_arguments", None)
    return _Walk(info._raw_info, schema.schema_converter, schema.config, memo)


def connection_selection(info: Context) -> ConnectionSelection:
    """What the connection field being resolved asks for (items, total)."""
    return _walk(info).connection_selection(info._raw_info.field_nodes)


def properties_read_under(
    info: Context, steps: tuple[str, ...], spec: NodeSpec, type_name: str
) -> frozenset[str] | None:
    """The properties of `spec` that the selection of the field being resolved reads on its
    objects of type `type_name`, found under the fields `steps` of its value (`("node",)` for
    a search hit); None (every property) where resolvers/projection.py cannot tell."""
    walk = _walk(info)
    raw = info._raw_info
    found = walk.selections_under(get_named_type(raw.return_type), raw.field_nodes, steps)
    sets = [selection_set for _, _, chosen in found for selection_set in chosen]
    node_type = walk.schema.get_type(type_name)
    if not sets or not isinstance(node_type, GraphQLObjectType):
        return None
    return walk.properties_read(spec, [(node_type, sets)])


def _file(prefetched: dict[Path, Any], path: Path, planned: Planned, value: Any) -> Any:
    """File a read's answer under `path` and its nested answers under theirs; returns what
    the field's resolver gets (a list of neighbours or a page)."""
    paged = planned.relation.shape is Shape.PAGE
    items = value["items"] if paged else value
    partial = planned.read.properties is not None
    found = [
        Neighbour(
            PartialRow(item["node"]) if partial else item["node"],
            item["edge"],
            tuple(item.get("keys", ())),
        )
        for item in items
    ]
    answer: Any = NeighbourPage(found, value["total"]) if paged else found
    prefetched[path] = answer
    for index, item in enumerate(items):
        if planned.relation.shape is Shape.ONE and index > 0:
            break
        for slot, (suffix, key, nested) in planned.slots.items():
            if paged:  # suffix is (edges alias, node alias, ...): the index goes after edges
                item_path: Path = (*path, suffix[0], index, *suffix[1:], key)
            elif planned.relation.shape is Shape.ONE:
                item_path = (*path, *suffix, key)
            else:
                item_path = (*path, index, *suffix, key)
            _file(prefetched, item_path, nested, item["c"][slot])
    return answer


async def run_root_read(
    info: Context, declared: Relation, key: str, arguments: dict[str, Any]
) -> Any:
    """A root list or page field and everything under it in one query (NOT_COMPILED when
    its arguments are refused: the loaders then raise the same error)."""
    walk = _walk(info)
    raw = info._raw_info
    definition = raw.parent_type.fields[raw.field_name]
    planned = walk.plan(declared, definition, raw.field_nodes, arguments)
    if planned is None:
        return NOT_COMPILED
    context = info.context
    text, params = compile_read(planned.read, context.principal.scoped)
    scope = context.principal.scope_codes
    rows = await context.graph.read(
        text, {**params, "key": key, **({} if scope is None else {"scope": scope})}
    )
    return _file(context.prefetched, response_path(info), planned, rows[0]["value"])


async def run_root_lookup(
    info: Context, spec: NodeSpec, key: str, type_name: str | None = None
) -> Row | object | None:
    """A root lookup by key and the relationship fields selected under it in one query;
    NOT_COMPILED when nothing under it is a declared relationship field."""
    walk = _walk(info)
    raw = info._raw_info
    node_type = walk.schema.get_type(type_name or spec.label)
    sets = [node.selection_set for node in raw.field_nodes if node.selection_set]
    slots = dict(walk.nested_slots(node_type, sets, ()))
    if not slots:
        return NOT_COMPILED
    context = info.context
    nested = tuple((slot, planned.read) for slot, (_, _, planned) in slots.items())
    properties = walk.properties_read(spec, [(node_type, sets)])
    text, params = compile_node_lookup(spec, nested, context.principal.scoped, properties)
    scope = context.principal.scope_codes
    rows = await context.graph.read(
        text, {**params, "key": key, **({} if scope is None else {"scope": scope})}
    )
    if not rows:
        return None
    base = response_path(info)
    for slot, (suffix, response_key, planned) in slots.items():
        _file(context.prefetched, (*base, *suffix, response_key), planned, rows[0]["c"][slot])
    node: Row = rows[0]["node"]
    return node if properties is None else PartialRow(node)
