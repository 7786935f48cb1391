"""A compiled root field's value completed directly, without graphql-core's per-field walk.

Under a compiled root field (resolvers/compile.py) every relationship field finds its answer
prefetched, and what is left is completing Python objects into the response: for every
field graphql-core builds a path and a resolve info, looks up arguments, calls the resolver
through Strawberry's wrappers, checks for awaitables and walks `complete_value` down to the
type. On the demo seed a person's 50 cases with their parties took 3.9 ms of CPU per
request, and the same compiled query answered by a hand-written mapping from its rows 1.6 ms
(docs/benchmarks.md, session 8); that walk is one part of the difference, Strawberry's
per-request pipeline, the resolvers and builders and the compiler's walk the others.
Completing directly took 0.80-1.00 of the CPU per request on the demo lookups.

`DirectExecutionContext.complete_value` completes a query's root field value itself, with
the same field collection (`collect_subfields`), the same getters, resolvers and
`serialize`, in one tight recursion:

- a plain leaf (schema/plain_leaves.py) and `__typename` are answered at once;
- a field without a resolver (an edge's `node`, a membership's `person`) is read from the
  object and completed by its type;
- a relationship field declared `built` (resolvers/relations.py) is built from its
  prefetched answer and its converted arguments by `schema/builders.built_value`, the
  function its resolver's builder uses too, without calling the resolver;
- any other declared relationship field is resolved through its own Strawberry resolver,
  with a real resolve info and its arguments, exactly as graphql-core calls it, only when
  its answer is prefetched for its path, and must answer at once;
- an interface's or union's value (a search hit's `node`) is completed as the object type
  the abstract type's own `resolve_type` names, given the resolve info graphql-core gives it.

What an object's selection needs (its response keys, each field's kind and getter: a
"shape") is worked out once per request for each (type, selection), not once per object.

Anything else gives up: a null or an error anywhere, a resolver that would wait, a field of
another kind (computed fields, personal identifiers in clear), a runtime type that is not
one of the abstract type's, `@defer`/`@stream`, a mutation or subscription. Giving up is
never an answer: graphql-core then completes the same root value the ordinary way (the
relationship resolvers find the same prefetched answers, with no second query), so every
error, null and path is its own.
The compiled-against-loader differential suite (tests/schema/test_compiled_reads.py)
compares the two for every principal kind: the compiled side is completed here, the loader
side by graphql-core.

A root field's selection given up on once (a field of another kind, say) is remembered, by
its field node, and completed by graphql-core from then on.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, NamedTuple, cast

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema_converter import get_arguments

from resolvers import field_arguments
from resolvers.relations import DEFINITION, Registry, registry_of
from schema.builders import built_value
from schema.plain_leaves import LeafExecutionContext, PlainLeaves

# object type name -> field name -> how the field is answered
LEAF, ATTRIBUTE, RELATION, BUILT = "leaf", "attribute", "relation", "built"
TYPENAME = "__typename"  # a step of a shape (below), never a field's kind
Kinds = dict[str, dict[str, str]]
MAX_REMEMBERED = 10_000  # root field nodes given up on (their selections are not answered here)


class GiveUp(Exception):
    """The direct completion stops; graphql-core completes the root value instead.
    `for_good`: the selection itself cannot be answered here (not this value)."""

    def __init__(self, for_good: bool = False) -> None:
        super().__init__()
        self.for_good = for_good


class Step(NamedTuple):
    """How one response key of an object is answered: its kind, the field, the field's
    details, and for a leaf or an attribute its getter (and a leaf's type)."""

    key: str
    kind: str
    field: Any  # GraphQLField; None for __typename
    details: list[FieldDetails]
    get: Any  # Callable[[Any], Any] for a leaf or an attribute, else None
    leaf_type: Any
    nullable: bool  # the field's type may be null


def _attribute_getter(field: Any, resolve: Any) -> Callable[[Any], Any]:
    """`resolve(source, None)` for a field without a resolver of its own: Strawberry's default
    resolver calls `getattr(source, python_name)` through two wrappers, so when the field has
    no resolver, permission or extension and the default resolver is `getattr`, the getter is
    `attrgetter(python_name)`, one C call; otherwise the resolver itself."""
    definition = field.extensions.get(DEFINITION)
    if (
        definition is not None
        and definition.base_resolver is None
        and not definition.permission_classes
        and not definition.extensions
        and definition.default_resolver is getattr
    ):
        return attrgetter(definition.python_name)
    return lambda source: resolve(source, None)


def field_kinds(schema: GraphQLSchema, leaves: PlainLeaves) -> Kinds:
    """How each field of each object type may be answered directly (fields not listed may
    not: they have a resolver that is not a declared relationship read). `leaves`: the
    plain leaves the execution context answers (schema/plain_leaves.py), so that every
    field marked LEAF has its getter there."""
    registry = registry_of(schema)
    kinds: Kinds = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        found: dict[str, str] = {}
        for name, field in named.fields.items():
            resolve = field.resolve
            plain = _plain_resolver(field.extensions)
            if name in leaves.get(named.name, {}):
                found[name] = LEAF
            elif getattr(resolve, "_is_default", False) and not field.args and plain:
                found[name] = ATTRIBUTE
            elif (named.name, name) in registry and plain:
                found[name] = BUILT if registry[(named.name, name)].built else RELATION
        kinds[named.name] = found
    return kinds


def _plain_resolver(extensions: Any) -> bool:
    """A Strawberry field with no permission classes or field extensions of its own (its
    resolver, or its attribute, is then all there is to call)."""
    definition = extensions.get(DEFINITION)
    return (
        definition is not None and not definition.permission_classes and not definition.extensions
    )


class DirectExecutionContext(LeafExecutionContext):
    """The plain-leaf context, completing a query's root field values directly (`kinds` is
    set on the subclass `use_direct_answers` makes for one schema)."""

    kinds: ClassVar[Kinds] = {}
    registry: ClassVar[Registry] = {}  # the schema's declared relationship fields
    given_up: ClassVar[dict[int, Any]] = {}  # id(root field node) -> the node (kept alive)
    strawberry: ClassVar[Any] = None  # the Strawberry schema (config, scalars)
    _abstract_info: tuple[Path, Any] | None = None  # the last abstract field's path and info
    _shapes: dict[tuple[Any, int], tuple[Any, Any]] | None = None  # per request: see _shape

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: list[FieldDetails],
        info: Any,
        path: Path,
        result: Any,
        position_context: Any = None,
    ) -> Any:
        # A root field's value, once: graphql-core completes a non-null type's inner type by
        # calling this again with the same path, which must not try a second time.
        root = path.prev is None and return_type is info.return_type
        if root and self._may_answer(field_details_list):
            try:
                return self._complete(return_type, field_details_list, path, result)
            except GiveUp as stop:
                if stop.for_good:
                    self._remember(field_details_list)
            except Exception:  # noqa: S110 (graphql-core reports it, at its own path)
                pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _may_answer(self, field_details_list: list[FieldDetails]) -> bool:
        context = self.context_value
        middleware = self.middleware_manager
        return (
            self.operation.operation is OperationType.QUERY
            and getattr(context, "compiled_reads", False)
            and (middleware is None or middleware._middleware_resolvers is None)
            and id(field_details_list[0].node) not in self.given_up
        )

    def _remember(self, field_details_list: list[FieldDetails]) -> None:
        if len(self.given_up) >= MAX_REMEMBERED:
            self.given_up.clear()
        node = field_details_list[0].node
        self.given_up[id(node)] = node

    def _complete(self, type_: Any, details: list[FieldDetails], path: Path, value: Any) -> Any:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                raise GiveUp
            type_ = type_.of_type
        elif value is None:
            return None
        if isinstance(value, Exception):
            raise GiveUp
        if isinstance(type_, GraphQLObjectType):
            return self._object(type_, details, path, value)
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list | tuple):
                raise GiveUp  # graphql-core takes any iterable, or reports the error
            item_type = type_.of_type
            return [
                self._complete(item_type, details, path.add_key(index, None), item)
                for index, item in enumerate(value)
            ]
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            serialized = type_.serialize(value)
            if serialized is Undefined or serialized is None:
                raise GiveUp
            return serialized
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            runtime = self._runtime_type(type_, details, path, value)
            return self._object(runtime, details, path, value)
        raise GiveUp(for_good=True)

    def _runtime_type(
        self,
        type_: GraphQLInterfaceType | GraphQLUnionType,
        details: list[FieldDetails],
        path: Path,
        value: Any,
    ) -> GraphQLObjectType:
        """The object type an interface's or union's value is, by the type's own resolver (a
        search hit's node: Person, Grid, ...), with the resolve info graphql-core gives it."""
        resolve_type = type_.resolve_type
        if resolve_type is None:
            raise GiveUp(for_good=True)  # graphql-core's default resolver may wait
        field_path = path
        while field_path.typename is None and field_path.prev is not None:
            field_path = field_path.prev  # a list's item: the info is the field's
        parent, field, possible = self._abstract_field(type_, details, field_path)
        known = self._abstract_info
        if known is not None and known[0] is field_path:
            info = known[1]  # the list's other items: the same info, as graphql-core's
        else:
            info = self.build_resolve_info(field, [d.node for d in details], parent, field_path)
            self._abstract_info = (field_path, info)
        name = resolve_type(value, info, type_)
        if type(name) is types.CoroutineType:
            name.close()  # a resolver that would wait: graphql-core awaits its own call
        runtime = possible.get(name) if isinstance(name, str) else None
        if runtime is None:
            raise GiveUp  # not one of the type's objects: graphql-core reports it (or awaits it)
        return runtime

    def _abstract_field(
        self,
        type_: GraphQLInterfaceType | GraphQLUnionType,
        details: list[FieldDetails],
        field_path: Path,
    ) -> tuple[GraphQLObjectType, Any, dict[str, GraphQLObjectType]]:
        """The object type and field an abstract value (at `field_path`, the field's own path)
        is the answer of, and the object types that may be its runtime type (by name): once
        per request for each (type, selection)."""
        shapes = self._per_request()
        known = shapes.get((type_, id(details)))
        if known is not None:
            return cast(tuple[GraphQLObjectType, Any, dict[str, GraphQLObjectType]], known[1])
        parent = self.schema.get_type(str(field_path.typename))
        if not isinstance(parent, GraphQLObjectType):
            raise GiveUp(for_good=True)
        field = parent.fields[details[0].node.name.value]
        possible = {t.name: t for t in self.schema.get_possible_types(type_)}
        shapes[(type_, id(details))] = (details, (parent, field, possible))
        return parent, field, possible

    def _per_request(self) -> dict[tuple[Any, int], tuple[Any, Any]]:
        """This request's shapes and abstract fields, by (type, id of the selection's details);
        each entry keeps its details alive, so that the id cannot be reused meanwhile."""
        shapes = self._shapes
        if shapes is None:
            shapes = self._shapes = {}
        return shapes

    def _object(
        self, type_: GraphQLObjectType, details: list[FieldDetails], path: Path, source: Any
    ) -> dict[str, Any]:
        is_type_of = type_.is_type_of  # Strawberry's ignores the resolve info
        if is_type_of is not None and is_type_of(source, None) is not True:  # type: ignore[arg-type]
            raise GiveUp
        answer: dict[str, Any] = {}
        for step in self._shape(type_, details):
            kind = step.kind
            if kind is LEAF:
                value = step.get(source)
                if value is None and step.nullable:
                    answer[step.key] = None
                    continue
                serialized = None if value is None else step.leaf_type.serialize(value)
                if serialized is None or serialized is Undefined:
                    raise GiveUp  # a null on a non-null field, or a value the type refuses
                answer[step.key] = serialized
                continue
            if kind is TYPENAME:
                answer[step.key] = type_.name
                continue
            field_path = Path(path, step.key, type_.name)
            if kind is ATTRIBUTE:
                value = step.get(source)
            elif kind is BUILT:
                value = self._built(type_, step.field, step.details, field_path)
            else:
                value = self._relation(type_, step.field, step.details, field_path, source)
            answer[step.key] = self._complete(step.field.type, step.details, field_path, value)
        return answer

    def _shape(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> tuple[Step, ...]:
        """How each response key of `type_`'s objects under `details` is answered: worked out
        once per request for each (type, selection), as graphql-core collects subfields once
        (a list's items share it), instead of once per object."""
        shapes = self._per_request()
        known = shapes.get((type_, id(details)))
        if known is not None:
            return cast(tuple[Step, ...], known[1])
        collected = self.collect_subfields(type_, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise GiveUp(for_good=True)
        kinds = self.kinds.get(type_.name, {})
        leaves = self.plain_leaves.get(type_.name, {})
        steps = []
        for key, field_details in collected.grouped_field_set.items():
            name = field_details[0].node.name.value
            if name == "__typename":
                steps.append(Step(key, TYPENAME, None, field_details, None, None, False))
                continue
            kind = kinds.get(name)
            if kind is None:
                raise GiveUp(for_good=True)  # a field with a resolver of another kind
            field = type_.fields[name]
            getter = leaf_type = None
            if kind is LEAF:
                resolve, leaf_type = leaves[name]
                getter = _attribute_getter(field, resolve)
            elif kind is ATTRIBUTE:
                getter = _attribute_getter(field, field.resolve)
            nullable = not isinstance(field.type, GraphQLNonNull)
            steps.append(Step(key, kind, field, field_details, getter, leaf_type, nullable))
        shape = tuple(steps)
        shapes[(type_, id(details))] = (details, shape)
        return shape

    def _relation(
        self,
        type_: GraphQLObjectType,
        field: Any,
        details: list[FieldDetails],
        path: Path,
        source: Any,
    ) -> Any:
        """The field's resolver, called with the arguments and the resolve info graphql-core
        and Strawberry give it (Strawberry's own `get_arguments` converts them); only when the
        compiled query prefetched its answer, and only if it answers without waiting."""
        if tuple(path.as_list()) not in self.context_value.prefetched:
            raise GiveUp(for_good=True)  # the compiler left it to the loaders
        first = details[0]
        definition = field.extensions[DEFINITION]
        raw_info = self.build_resolve_info(field, [d.node for d in details], type_, path)
        info = self.strawberry.config.info_class(_raw_info=raw_info, _field=definition)
        coerced = (
            get_argument_values(
                field,
                first.node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
            if field.args or first.node.arguments
            else {}
        )
        args, kwargs = get_arguments(
            field=definition,
            source=source,
            info=info,
            kwargs=coerced,
            config=self.strawberry.config,
            scalar_registry=self.strawberry.schema_converter.scalar_registry,
        )
        running = definition.get_result(source, info=info, args=args, kwargs=kwargs)
        if type(running) is not types.CoroutineType:
            raise GiveUp(for_good=True)  # relationship resolvers are async
        try:
            running.send(None)
        except StopIteration as done:
            return done.value
        running.close()  # it waits for a loader: graphql-core resolves it again
        raise GiveUp(for_good=True)

    def _built(
        self, type_: GraphQLObjectType, field: Any, details: list[FieldDetails], path: Path
    ) -> Any:
        """A field declared `built`: its value built from the compiled query's answer and its
        arguments, as its resolver would build it (schema/builders.py), without calling it."""
        found = self.context_value.prefetched.get(tuple(path.as_list()))
        if found is None:
            raise GiveUp(for_good=True)  # the compiler left it to the loaders
        declared = self.registry[(type_.name, details[0].node.name.value)]
        return built_value(declared, self._arguments(field, details[0]), found)

    def _arguments(self, field: Any, first: FieldDetails) -> dict[str, Any]:
        """The field node's arguments as its resolver receives them (graphql-core's coercion,
        Strawberry's conversion), converted once (resolvers/field_arguments.py): the compiled
        query's plan converted them already."""
        if first.fragment_variable_values is not None:
            raise GiveUp(for_good=True)  # fragment arguments (experimental): not here
        return field_arguments.converted(
            field,
            first.node,
            self.variable_values,
            self.strawberry.schema_converter.scalar_registry,
            self.strawberry.config,
            getattr(self.context_value, "converted_arguments", None),
        )


def use_direct_answers(schema: strawberry.Schema) -> None:
    """Complete `schema`'s compiled root fields directly (after `use_plain_leaves`)."""
    leaf_context = schema.execution_context_class
    if not issubclass(leaf_context, LeafExecutionContext):
        raise TypeError("use_direct_answers needs use_plain_leaves first (its leaf getters)")
    # Exception handlers turn a resolver's errors into values; with any, fields are not
    # resolved here (Strawberry's resolver wrappers apply them).
    handled = bool(getattr(schema.schema_converter, "_exception_handler_specs", ()))
    leaves = cast(type[LeafExecutionContext], leaf_context).plain_leaves
    kinds = {} if handled else field_kinds(schema._schema, leaves)
    context_class = type(
        "SchemaDirectExecutionContext",
        (DirectExecutionContext, leaf_context),
        {
            "kinds": kinds,
            "registry": registry_of(schema._schema),
            "given_up": {},
            "strawberry": schema,
        },
    )
    schema.execution_context_class = context_class
