"""Differential testing of compiled reads: the same request, compiled and per level, same JSON.

A root field's selection is compiled into one Cypher query (resolvers/compile.py); with
`compiled_reads` off every level reads through the loaders. `Differential` runs a document
over HTTP on two apps over the same database, one each way, as the same principal, and
fails with the first difference of the two JSON bodies (data and errors, in order).

`RandomDocuments` writes random but valid documents over the relation registry (root
lookups and lists nesting declared relationship fields, aliases, fragments, arguments,
cursors, @include/@skip), from keys and codes chosen in the seeded graph.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_non_null_type,
    parse,
    print_ast,
)
from starlette.testclient import TestClient

from resolvers.relations import Registry, Shape
from server.round_trips import HEADER

JSON = Any


@dataclass(frozen=True)
class Who:
    """A principal kind: its name (in test ids) and the headers that make a request its."""

    name: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, JSON body and Cypher round trips."""

    status: int
    body: JSON
    round_trips: int


def ask(client: TestClient, who: Who, query: str, variables: dict[str, Any]) -> Answer:
    """POST one GraphQL request as `who`."""
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=who.headers
    )
    return Answer(response.status_code, response.json(), int(response.headers.get(HEADER, -1)))


def first_difference(left: JSON, right: JSON, path: str = "$") -> str | None:
    """The JSON path of the first place `left` and `right` differ (keys in order), or None."""
    if isinstance(left, dict) and isinstance(right, dict):
        if list(left) != list(right):
            return f"{path} (keys {list(left)} vs {list(right)})"
        for key in left:
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found is not None:
                return found
        if len(left) != len(right):
            return f"{path} (length {len(left)} vs {len(right)})"
        return None
    if type(left) is not type(right) or left != right:
        return (
            f"{path} ({json.dumps(left, ensure_ascii=False)[:300]} vs "
            f"{json.dumps(right, ensure_ascii=False)[:300]})"
        )
    return None


def at_path(value: JSON, path: str) -> JSON:
    """The part of `value` at a path written by `first_difference` (for the report)."""
    current = value
    for step in path.split(" ")[0].lstrip("$").replace("[", ".[").split("."):
        if not step:
            continue
        if step.startswith("["):
            current = current[int(step[1:-1])] if isinstance(current, list) else None
        else:
            current = current.get(step) if isinstance(current, dict) else None
    return current


@dataclass
class Differential:
    """The compiled app and the per-level app, over the same database."""

    compiled: TestClient
    loaders: TestClient

    def both(self, who: Who, query: str, variables: dict[str, Any]) -> tuple[Answer, Answer]:
        """The answers of both paths (loaders first: the compiled path reads a warm graph
        no more than the loaders do). The compiled app is asked twice: first the document is
        new to it and runs through Strawberry's pipeline, then it is cached and the answer is
        direct (schema/direct_operations.py); the two must be the same, and the second is
        the one compared with the loaders' (run through the pipeline only)."""
        per_level = ask(self.loaders, who, query, variables)
        pipeline = ask(self.compiled, who, query, variables)
        direct = ask(self.compiled, who, query, variables)
        left = {"status": pipeline.status, "body": _root_errors_in_order(pipeline.body)}
        right = {"status": direct.status, "body": _root_errors_in_order(direct.body)}
        difference = first_difference(left, right)
        if difference is not None and not _raced(pipeline, direct):
            pytest.fail(
                "the pipeline's and the direct answer differ\n"
                f"principal: {who.name}\n"
                f"document:\n{query}\n"
                f"variables: {json.dumps(variables, ensure_ascii=False)}\n"
                f"first difference at {difference}\n"
                f"pipeline body: {_short(pipeline.body, 3000)}\n"
                f"direct body  : {_short(direct.body, 3000)}",
                pytrace=False,
            )
        return direct, per_level

    def check(self, who: Who, query: str, variables: dict[str, Any]) -> Answer:
        """Fail with a readable diff unless both paths answer exactly the same JSON."""
        compiled, per_level = self.both(who, query, variables)
        left = {"status": compiled.status, "body": _root_errors_in_order(compiled.body)}
        right = {"status": per_level.status, "body": _root_errors_in_order(per_level.body)}
        difference = first_difference(left, right)
        for _ in range(4 if difference is not None and _raced(compiled, per_level) else 0):
            # Two root fields failed and null `data`: graphql-core reports whichever error
            # came first and drops the other, on either path; ask again until they agree.
            compiled, per_level = self.both(who, query, variables)
            left = {"status": compiled.status, "body": _root_errors_in_order(compiled.body)}
            right = {"status": per_level.status, "body": _root_errors_in_order(per_level.body)}
            difference = first_difference(left, right)
            if difference is None:
                break
        if difference is not None and _raced(compiled, per_level):
            # Still raced: both answers are `data: null`, each naming another failing root
            # field. Both are right; compare every root field on its own instead.
            for single in single_root_documents(query):
                self.check(who, single, variables)
            return compiled
        if difference is not None:
            path = difference.split(" ")[0]
            pytest.fail(
                "compiled and per-level reads differ\n"
                f"principal: {who.name}\n"
                f"document:\n{query}\n"
                f"variables: {json.dumps(variables, ensure_ascii=False)}\n"
                f"first difference at {difference}\n"
                f"compiled  : {_short(at_path(left, path))}\n"
                f"per level : {_short(at_path(right, path))}\n"
                f"compiled body  : {_short(compiled.body, 3000)}\n"
                f"per-level body : {_short(per_level.body, 3000)}",
                pytrace=False,
            )
        return compiled


def single_root_documents(query: str) -> list[str]:
    """The operation split into one document per root field, each keeping only the
    fragments and variable definitions it uses (so each still validates)."""
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    singles: list[str] = []
    for selection in operation.selection_set.selections:
        used_fragments: dict[str, FragmentDefinitionNode] = {}
        used_variables: set[str] = set()
        pending: list[Node] = [selection]
        while pending:
            node = pending.pop()
            for child in _walk_nodes(node):
                if isinstance(child, VariableNode):
                    used_variables.add(child.name.value)
                elif isinstance(child, FragmentSpreadNode):
                    name = child.name.value
                    if name not in used_fragments and name in fragments:
                        used_fragments[name] = fragments[name]
                        pending.append(fragments[name])
        single = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            directives=operation.directives,
            variable_definitions=tuple(
                v
                for v in operation.variable_definitions or ()
                if v.variable.name.value in used_variables
            ),
            selection_set=SelectionSetNode(selections=(selection,)),
        )
        singles.append(print_ast(DocumentNode(definitions=(single, *used_fragments.values()))))
    return singles


def _walk_nodes(node: Node) -> Iterator[Node]:
    """`node` and every AST node under it."""
    yield node
    for key in node.keys:
        value = getattr(node, key, None)
        children = value if isinstance(value, (list, tuple)) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from _walk_nodes(child)


def _raced(compiled: Answer, per_level: Answer) -> bool:
    """True when both answers are `data: null` with root field errors of different roots."""

    def roots(answer: Answer) -> set[Any]:
        body = answer.body if isinstance(answer.body, dict) else {}
        return {str((e.get("path") or [""])[0]) for e in body.get("errors") or []}

    bodies = (compiled.body, per_level.body)
    nulls = all(isinstance(b, dict) and "data" in b and b["data"] is None for b in bodies)
    return nulls and roots(compiled) != roots(per_level)


def _root_errors_in_order(body: JSON) -> JSON:
    """The body with its errors grouped by root field (by response key, a stable sort).

    graphql-core runs a query's root fields concurrently and lists errors as they happen,
    so when two root fields fail, their errors come in either order from run to run, on
    either path (seen: "no grid ..." and "no case ..." swapped between runs). The errors
    of one root field keep their exact order; everything else is compared as it is.
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or len(errors) < 2:
        return body
    ordered = sorted(errors, key=lambda error: str((error.get("path") or [""])[0]))
    return {**body, "errors": ordered}


def _short(value: JSON, limit: int = 800) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + " ..."


# -- random documents -------------------------------------------------------------------------


@dataclass
class Pools:
    """Values chosen from the seeded graph: root keys, global IDs and filter codes."""

    keys: dict[str, list[str]]  # root lookup field -> keys (grid -> grid codes ...)
    node_ids: list[tuple[str, str]]  # (GraphQL type, global ID)
    places: list[str]  # place codes of every level
    case_filter: dict[str, list[Any]]  # CaseFilter field -> valid values
    person_filter: dict[str, list[Any]]  # PersonFilter field -> valid values
    quarters: list[str]


# Root lookups: field -> (argument, GraphQL type).
ROOT_LOOKUPS = {
    "grid": ("code", "Grid"),
    "street": ("code", "Street"),
    "community": ("code", "Community"),
    "district": ("code", "District"),
    "person": ("personId", "Person"),
    "case": ("code", "Case"),
    "mediationCommittee": ("code", "MediationCommittee"),
}
ROOT_LISTS = ("persons", "cases")
_BOOLEAN_VARIABLES = {"yes": True, "no": False}


@dataclass
class Document:
    """A generated operation: its name, variable types, body (selections, then fragments),
    variables, and the cursor variables to take from a first answer (response paths)."""

    name: str
    types: dict[str, str]
    body: str
    variables: dict[str, Any]
    cursors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def query(self) -> str:
        declared = ", ".join(f"${name}: {kind}" for name, kind in self.types.items())
        return (
            f"query {self.name}({declared}) {self.body}"
            if declared
            else (f"query {self.name} {self.body}")
        )

    @property
    def directive_variables(self) -> bool:
        """True when some @include/@skip takes its condition from a variable."""
        return "(if: $" in self.body

    def with_literal_conditions(self) -> Document:
        """The same document with every @include/@skip condition written literally."""
        body = self.body.replace("(if: $yes)", "(if: true)").replace("(if: $no)", "(if: false)")
        types = {k: v for k, v in self.types.items() if k not in _BOOLEAN_VARIABLES}
        values = {k: v for k, v in self.variables.items() if k not in _BOOLEAN_VARIABLES}
        return Document(self.name, types, body, values, dict(self.cursors))

    def with_cursors(self, first_answer: JSON) -> dict[str, Any]:
        """The variables, each cursor variable set from the first answer (null if absent)."""
        values = dict(self.variables)
        for name, path in self.cursors.items():
            values[name] = _find(first_answer, path)
        return values


def _find(value: JSON, path: Sequence[str]) -> JSON:
    """The value at a response path, taking the first list element where it exists."""
    if not path:
        return value
    if isinstance(value, list):
        for item in value:
            found = _find(item, path)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        return _find(value.get(path[0]), path[1:])
    return None


@dataclass
class _Item:
    """One selection: `head` (alias, name, arguments), then directives, then `body`."""

    head: str
    body: str = ""
    directive: str = ""

    def text(self) -> str:
        parts = [self.head]
        if self.directive:
            parts.append(self.directive)
        if self.body:
            parts.append(self.body)
        return " ".join(parts)


class RandomDocuments:
    """Random valid documents over the relation registry (one generator per seed)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        registry: Registry,
        pools: Pools,
        seed: int,
        allows: Callable[[str, str], bool] = lambda type_name, field_name: True,
    ) -> None:
        self.schema = schema
        self.registry = registry
        self.pools = pools
        self.rng = random.Random(seed)
        self.allows = allows
        # Relationship fields chosen so far, over all documents: a selection takes one not yet
        # chosen when its type has one, so the documents cover the registry as it grows.
        self.chosen: set[tuple[str, str]] = set()
        self._reset()

    def _reset(self) -> None:
        self.variables: dict[str, tuple[str, Any]] = {}  # name -> (GraphQL type, value)
        self.fragments: list[str] = []
        self.cursors: dict[str, list[str]] = {}
        self.aliases = 0
        self.names = 0

    def documents(self, count: int) -> Iterator[Document]:
        for number in range(count):
            yield self.document(f"Random{number}")

    # -- the document ----------------------------------------------------------------------

    def document(self, name: str) -> Document:
        """One operation of 1-2 root fields, nesting 1-4 levels of relationship fields."""
        self._reset()
        roots = [self._root(self.rng.randint(1, 4)) for _ in range(self.rng.choice((1, 1, 2)))]
        items = [
            _Item(f"r{i}: {root.head}", root.body, root.directive) for i, root in enumerate(roots)
        ]
        body = "{\n  " + "\n  ".join(item.text() for item in items) + "\n}"
        types = {n: t for n, (t, _) in self.variables.items()}
        values = {n: v for n, (_, v) in self.variables.items()}
        return Document(name, types, "\n".join([body, *self.fragments]), values, self.cursors)

    def _root(self, depth: int) -> _Item:
        lookups = [name for name in ROOT_LOOKUPS if self.allows("Query", name)]
        lists = [name for name in ROOT_LISTS if self.allows("Query", name)]
        node = ["node"] if self.allows("Query", "node") else []
        choice = self.rng.choice(lookups * 2 + lists * 2 + node)
        query_type = self.schema.query_type
        assert query_type is not None
        definition = query_type.fields[choice]
        path = [f"r{self._root_index()}"]
        if choice == "node":
            type_name, global_id = self.rng.choice(self._allowed_node_ids())
            node_type = self._object(type_name)
            inner = self._selection(node_type, depth, path)
            other = self.rng.choice(["Grid", "Case", "Person", "Street"])
            extra = ""
            if other != type_name and self.allows(other, "id") and self.rng.random() < 0.3:
                extra = f" ... on {other} {{ id }}"
            argument = self._value("ID!", global_id, literal=json.dumps(global_id))
            own_id = "id " if self.allows("Node", "id") else ""
            return _Item(
                f"node(id: {argument})",
                f"{{ {own_id}__typename ... on {type_name} {inner}{extra} }}",
            )
        if choice in ROOT_LOOKUPS:
            argument, type_name = ROOT_LOOKUPS[choice]
            key = self.rng.choice(self.pools.keys[choice])
            value = self._value("String!", key, literal=json.dumps(key))
            body = self._selection(self._object(type_name), depth, path)
            return _Item(f"{choice}({argument}: {value})", body)
        arguments = self._arguments(definition)
        if self.rng.random() < 0.8:
            place = self.rng.choice(self.pools.places)
            arguments.insert(0, f"place: {self._value('String', place, json.dumps(place))}")
        return _Item(
            f"{choice}{_args(arguments)}",
            self._connection(get_named_type(definition.type), depth - 1, path),
        )

    def _root_index(self) -> int:
        self.names += 1
        return self.names - 1

    def _allowed_node_ids(self) -> list[tuple[str, str]]:
        return [(t, i) for t, i in self.pools.node_ids if self.allows(t, "id")] or [
            self.pools.node_ids[0]
        ]

    def covering(self) -> Iterator[Document]:
        """One document per declared relationship field no document has chosen yet: the
        shortest walk from a root lookup to a type that has the field, the field at its end,
        so that every field of the registry is read on both paths at least once."""
        walks = self._walks()
        missing = sorted(
            (owner, name)
            for owner, name in self.registry
            if owner != "Query" and (owner, name) not in self.chosen and self.allows(owner, name)
        )
        for number, (owner, name) in enumerate(missing):
            if owner not in walks:
                continue
            self._reset()
            root, steps = walks[owner]
            argument, _ = ROOT_LOOKUPS[root]
            key = self.rng.choice(self.pools.keys[root])
            inner = self._covering_field(self._object(owner), name)
            for step_owner, step_name in reversed(steps):
                inner = self._wrapped(self._object(step_owner), step_name, f"{{ {inner} }}")
            head = f"r0: {root}({argument}: {json.dumps(key)})"
            types = {n: t for n, (t, _) in self.variables.items()}
            values = {n: v for n, (_, v) in self.variables.items()}
            self.chosen.add((owner, name))
            yield Document(f"Cover{number}", types, f"{{\n  {head} {{ {inner} }}\n}}", values)

    def _walks(self) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        """Per object type: a root lookup and the fewest relationship fields leading to it."""
        walks: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        queue: list[str] = []
        for root, (_, type_name) in ROOT_LOOKUPS.items():
            if self.allows("Query", root) and type_name not in walks:
                walks[type_name] = (root, [])
                queue.append(type_name)
        while queue:
            owner = queue.pop(0)
            for type_name, name in sorted(self.registry):
                if type_name != owner or not self.allows(owner, name):
                    continue
                reached = self._node_type(self._object(owner), name)
                if reached is not None and reached not in walks:
                    root, steps = walks[owner]
                    walks[reached] = (root, [*steps, (owner, name)])
                    queue.append(reached)
        return walks

    def _node_steps(self, owner: GraphQLObjectType, name: str) -> tuple[str, ...] | None:
        declared = self.registry[(owner.name, name)]
        if declared.node_path is None:
            return None
        paged = ("edges", "node") if declared.shape is Shape.PAGE else ()
        return paged + declared.node_path

    def _node_type(self, owner: GraphQLObjectType, name: str) -> str | None:
        """The object type of the nodes a relationship field reaches (None: no node)."""
        steps = self._node_steps(owner, name)
        current = get_named_type(owner.fields[name].type)
        for step in steps or ():
            if not isinstance(current, GraphQLObjectType) or step not in current.fields:
                return None
            current = get_named_type(current.fields[step].type)
        if steps is None or not isinstance(current, GraphQLObjectType):
            return None
        return current.name

    def _wrapped(self, owner: GraphQLObjectType, name: str, inner: str) -> str:
        """`name(args) { <steps to the node> { inner } }` for one step of a covering walk."""
        for step in reversed(self._node_steps(owner, name) or ()):
            inner = f"{{ {step} {inner} }}"
        arguments = _args(self._required_arguments(owner.fields[name]))
        return f"{name}{arguments} {inner}"

    def _covering_field(self, owner: GraphQLObjectType, name: str) -> str:
        """The field itself, with its value's type name (and a page's total)."""
        declared = self.registry[(owner.name, name)]
        arguments = _args(self._required_arguments(owner.fields[name]))
        if declared.shape is Shape.PAGE:
            return f"{name}{arguments} {{ totalCount edges {{ node {{ __typename }} }} }}"
        return f"{name}{arguments} {{ __typename }}"

    def _required_arguments(self, definition: GraphQLField) -> list[str]:
        """Random valid arguments, as `_arguments`, never a refused page size or cursor."""
        found = self._arguments(definition, with_first=False)
        if "first" in definition.args:
            found.append("first: 2")
        return found

    # -- selections ------------------------------------------------------------------------

    def _object(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        assert isinstance(found, GraphQLObjectType), name
        return found

    def _leaves(self, owner: GraphQLObjectType) -> list[str]:
        return [
            name
            for name, definition in owner.fields.items()
            if isinstance(get_named_type(definition.type), GraphQLScalarType | GraphQLEnumType)
            and not any(is_non_null_type(a.type) for a in definition.args.values())
            and self.allows(owner.name, name)
        ]

    def _relations(self, owner: GraphQLObjectType) -> list[str]:
        return [
            name
            for name in owner.fields
            if (owner.name, name) in self.registry and self.allows(owner.name, name)
        ]

    def _alias(self) -> str:
        self.aliases += 1
        return f"a{self.aliases}"

    def _selection(self, owner: GraphQLObjectType, depth: int, path: list[str]) -> str:
        """A selection set on `owner`: leaves, and relationship fields while depth lasts."""
        rng = self.rng
        items: list[_Item] = []
        leaves = self._leaves(owner)
        for name in rng.sample(leaves, min(len(leaves), rng.randint(1, 3))):
            items.append(_Item(f"{self._alias()}: {name}" if rng.random() < 0.2 else name))
        relations = self._relations(owner)
        unused = [name for name in relations if (owner.name, name) not in self.chosen]
        if depth <= 0:
            # Past the depth, a field no document has chosen yet still gets one more level
            # (half the time), so that fields of types reached only deep down are covered.
            relations = unused[:1] if unused and rng.random() < 0.5 else []
        if relations:
            chosen = rng.sample(relations, min(len(relations), rng.choice((1, 1, 2))))
            if unused and not set(chosen) & set(unused):
                chosen[0] = rng.choice(unused)
            self.chosen.update((owner.name, name) for name in chosen)
            for position, name in enumerate(chosen):
                if depth <= 0:
                    nested = 0
                else:
                    nested = depth - 1 if position == 0 else rng.randint(0, depth - 1)
                items.extend(self._relation(owner, name, nested, path))
        if rng.random() < 0.1 or not items:
            items.append(_Item("__typename"))
        rng.shuffle(items)
        self._directives(items)
        return "{ " + " ".join(self._fragments(owner, items)) + " }"

    def _directives(self, items: list[_Item]) -> None:
        """@include/@skip on some selections, keeping or dropping them."""
        for item in items:
            if self.rng.random() < 0.12:
                keep = self.rng.random() < 0.6
                directive = self.rng.choice(("include", "skip"))
                variable = "yes" if keep == (directive == "include") else "no"
                self._value("Boolean!", _BOOLEAN_VARIABLES[variable], variable=variable)
                item.directive = f"@{directive}(if: ${variable})"

    def _fragments(self, owner: GraphQLObjectType, items: list[_Item]) -> list[str]:
        """The selections, some moved into inline or named fragments."""
        texts = [item.text() for item in items]
        if len(texts) < 2 or self.rng.random() < 0.6:
            return texts
        cut = self.rng.randint(1, len(texts) - 1)
        kept, moved = texts[:cut], texts[cut:]
        style = self.rng.choice(("inline", "bare", "named"))
        if style == "named":
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on {owner.name} {{ {' '.join(moved)} }}")
            return [*kept, f"...{name}"]
        condition = f"on {owner.name} " if style == "inline" else ""
        return [*kept, f"... {condition}{{ {' '.join(moved)} }}"]

    def _relation(
        self, owner: GraphQLObjectType, name: str, depth: int, path: list[str]
    ) -> list[_Item]:
        """A relationship field, sometimes twice (aliases, other arguments), or a cursor pair."""
        definition = owner.fields[name]
        declared = self.registry[(owner.name, name)]
        target = get_named_type(definition.type)
        items: list[_Item] = []
        if declared.shape is Shape.PAGE and self.rng.random() < 0.2 and len(self.cursors) < 2:
            return self._cursor_pair(name, definition, target, depth, path)
        copies = 2 if definition.args and self.rng.random() < 0.25 else 1
        for copy in range(copies):
            alias = self._alias() if copy or self.rng.random() < 0.3 else None
            key = alias or name
            arguments = _args(self._arguments(definition))
            head = f"{alias}: {name}{arguments}" if alias else f"{name}{arguments}"
            if declared.shape is Shape.PAGE:
                body = self._connection(target, depth, [*path, key])
            else:
                body = self._value_selection(target, declared.node_path, depth, [*path, key])
            items.append(_Item(head, body))
        return items

    def _cursor_pair(
        self,
        name: str,
        definition: GraphQLField,
        target: GraphQLNamedType,
        depth: int,
        path: list[str],
    ) -> list[_Item]:
        """`aN: f(first: k) { pageInfo { endCursor } ... }` and `aM: f(first: k, after: $cN)`,
        the cursor taken from a first answer."""
        arguments = self._arguments(definition, with_first=False)
        first = f"first: {self.rng.randint(1, 3)}"
        source, target_alias = self._alias(), self._alias()
        variable = f"c{len(self.cursors)}"
        self.variables[variable] = ("String", None)
        self.cursors[variable] = [*path, source, "pageInfo", "endCursor"]
        source_body = self._connection(target, depth, [*path, source], cursor=True)
        next_body = self._connection(target, depth, [*path, target_alias])
        return [
            _Item(f"{source}: {name}{_args([*arguments, first])}", source_body),
            _Item(
                f"{target_alias}: {name}{_args([*arguments, first, f'after: ${variable}'])}",
                next_body,
            ),
        ]

    def _value_selection(
        self,
        target: GraphQLNamedType,
        node_path: tuple[str, ...] | None,
        depth: int,
        path: list[str],
    ) -> str:
        """The selection of a list or single relationship field's value."""
        if isinstance(target, GraphQLInterfaceType | GraphQLUnionType):
            possible = list(self.schema.get_possible_types(target))
            chosen = self.rng.sample(possible, min(len(possible), self.rng.randint(1, 3)))
            parts = [f"... on {t.name} {self._selection(t, depth, path)}" for t in chosen]
            return "{ __typename " + " ".join(parts) + " }"
        assert isinstance(target, GraphQLObjectType)
        if node_path is None or not node_path:
            return self._selection(target, depth if node_path is not None else 0, path)
        # a record holding the node (CaseParty.person ...): its own leaves, then the node
        step = node_path[0]
        leaves = self._leaves(target)
        items = [
            _Item(n) for n in self.rng.sample(leaves, min(len(leaves), self.rng.randint(0, 2)))
        ]
        node_type = get_named_type(target.fields[step].type)
        # now and then the record alone, without its node (`mediationCommittees { kind }`)
        wanted = not items or self.rng.random() < 0.85
        if wanted and self.allows(target.name, step) and isinstance(node_type, GraphQLObjectType):
            items.append(_Item(step, self._selection(node_type, depth, [*path, step])))
        if not items:
            items.append(_Item("__typename"))
        self.rng.shuffle(items)
        return "{ " + " ".join(self._fragments(target, items)) + " }"

    def _connection(
        self, connection: GraphQLNamedType, depth: int, path: list[str], cursor: bool = False
    ) -> str:
        """totalCount, edges { cursor node {...} <edge leaves> } and pageInfo, some of them."""
        assert isinstance(connection, GraphQLObjectType)
        rng = self.rng
        items: list[_Item] = []
        if rng.random() < 0.55:
            items.append(_Item("totalCount"))
        if rng.random() < 0.8 or not items:
            edge = get_named_type(connection.fields["edges"].type)
            assert isinstance(edge, GraphQLObjectType)
            node_type = get_named_type(edge.fields["node"].type)
            assert isinstance(node_type, GraphQLObjectType)
            edge_items = [
                _Item("node", self._selection(node_type, depth, [*path, "edges", "node"]))
            ]
            extras = [n for n in self._leaves(edge) if n != "cursor"]
            if rng.random() < 0.3:
                edge_items.append(_Item("cursor"))
            edge_items += [_Item(n) for n in extras if rng.random() < 0.6]
            rng.shuffle(edge_items)
            self._directives(edge_items)
            items.append(_Item("edges", "{ " + " ".join(self._fragments(edge, edge_items)) + " }"))
        if cursor:
            items.append(_Item("pageInfo", "{ endCursor hasNextPage }"))
        elif rng.random() < 0.3:
            info = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]
            chosen = rng.sample(info, rng.randint(1, 4))
            items.append(_Item("pageInfo", "{ " + " ".join(chosen) + " }"))
        rng.shuffle(items)
        if not cursor:
            self._directives(items)
        return "{ " + " ".join(self._fragments(connection, items)) + " }"

    # -- arguments -------------------------------------------------------------------------

    def _value(
        self, graphql_type: str, value: Any, literal: str | None = None, variable: str | None = None
    ) -> str:
        """`value` written literally, or (sometimes, or when named) as a variable."""
        if variable is None and literal is not None and self.rng.random() < 0.6:
            return literal
        name = variable or f"v{len(self.variables)}"
        self.variables[name] = (graphql_type, value)
        return f"${name}"

    def _arguments(self, definition: GraphQLField, with_first: bool = True) -> list[str]:
        """Random valid arguments of a relationship or root list field (rarely a bad one)."""
        rng = self.rng
        found: list[str] = []
        for name, argument in definition.args.items():
            named = get_named_type(argument.type)
            if name == "first" and with_first and rng.random() < 0.8:
                size = rng.choice((0, 1, 2, 2, 3, 5)) if rng.random() > 0.03 else 101
                found.append(f"first: {self._value('Int', size, str(size))}")
            elif name == "after" and with_first and rng.random() < 0.03:
                found.append('after: "not-a-cursor"')
            elif name == "filter" and rng.random() < 0.5:
                found.append(f"filter: {self._filter(named.name)}")
            elif name in ("role", "kind", "orderBy") and rng.random() < 0.4:
                assert isinstance(named, GraphQLEnumType)
                found.append(f"{name}: {rng.choice(list(named.values))}")
            elif name == "quarter" and rng.random() < 0.5:
                quarter = rng.choice(self.pools.quarters)
                found.append(f"quarter: {self._value('String', quarter, json.dumps(quarter))}")
        return found

    def _filter(self, type_name: str) -> str:
        rng = self.rng
        pool = self.pools.case_filter if type_name == "CaseFilter" else self.pools.person_filter
        filter_type = self.schema.get_type(type_name)
        assert filter_type is not None
        chosen = rng.sample(sorted(pool), rng.randint(1, 2))
        values: dict[str, Any] = {}
        for name in chosen:
            values[name] = rng.choice(pool[name])
        if rng.random() < 0.03:  # an unknown code: both paths must refuse it alike
            values["category" if type_name == "CaseFilter" else "tag"] = "no_such_code"
        if rng.random() < 0.35:
            name = f"v{len(self.variables)}"
            self.variables[name] = (type_name, values)
            return f"${name}"
        return "{" + ", ".join(f"{k}: {_literal(v, k)}" for k, v in values.items()) + "}"


ENUM_FILTERS = frozenset({"status", "resolvedAtLevel", "role"})


def _literal(value: Any, name: str) -> str:
    if name in ENUM_FILTERS:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _args(arguments: list[str]) -> str:
    return f"({', '.join(arguments)})" if arguments else ""
