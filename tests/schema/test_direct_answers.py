"""Compiled root fields completed directly (schema/direct_answers.py): the same answers as
graphql-core's completion, and on any null, error or field of another kind, graphql-core's
own answer. The whole schema's compiled documents are compared with graphql-core's per-level
answers in tests/schema/test_compiled_reads.py."""

from __future__ import annotations

import ast
import enum
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.schema import schema_converter

from graph.client import GraphClient
from resolvers.principal import Role
from resolvers.relations import DEFINITION, Shape, declaration_of, registry_of
from schema import build_schema
from schema.direct_answers import (
    ATTRIBUTE,
    BUILT,
    LEAF,
    RELATION,
    DirectExecutionContext,
    GiveUp,
    use_direct_answers,
)
from schema.plain_leaves import use_plain_leaves
from tests.principals import context_for, principal


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag(Named):
    pass


@strawberry.type
class Part:
    label: str
    size: int | None


Piece = Annotated[Tag | Part, strawberry.union("Piece")]


@strawberry.type
class Item:
    name: str
    count: int
    colour: Colour
    maybe: str | None
    part: Part | None
    parts: list[Part]
    tags: list[str]
    badge: Named | None = None  # an interface, read from the object
    pieces: list[Piece] = field(default_factory=list)  # a union

    @strawberry.field
    def shout(self) -> str:  # a resolver of another kind: not answered directly
        return self.name.upper()

    @strawberry.field
    def named(self) -> Named:  # an interface
        return Tag(name=self.name)


def _item(
    name: Any = "a",
    count: Any = 1,
    part: Any = None,
    parts: Any = (),
    badge: Any = None,
    pieces: Any = (),
) -> Item:
    return Item(
        badge=badge,
        pieces=list(pieces),
        name=name,
        count=count,
        colour=Colour.RED,
        maybe=None,
        part=part,
        parts=list(parts),
        tags=["x", "y"],
    )


GOOD = [_item(part=Part(label="p", size=None), parts=[Part(label="q", size=2)]), _item("b")]


@dataclass
class Holder:
    items: list[Item | None] = field(default_factory=list)


HOLDER = Holder()


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return HOLDER.items

    @strawberry.field
    def first(self) -> Item:
        return HOLDER.items[0]  # type: ignore[return-value]


@dataclass
class Context:  # what the direct completion reads of a RequestContext
    compiled_reads: bool = True
    prefetched: dict[Any, Any] = field(default_factory=dict)


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    ordinary = strawberry.Schema(query=Query)
    direct = strawberry.Schema(query=Query)
    use_plain_leaves(direct)
    use_direct_answers(direct)
    return ordinary, direct


def _run(schema: strawberry.Schema, query: str, context: Any = None) -> dict[str, Any]:
    result = schema.execute_sync(query, context_value=context or Context())
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each root value completion ended: 'direct', 'gave up', 'gave up for good' or
    'error' (graphql-core completes the value in all but the first)."""
    ended: list[str] = []
    original = DirectExecutionContext._complete

    def counting(self: Any, type_: Any, details: Any, path: Any, value: Any) -> Any:
        if path.prev is not None:
            return original(self, type_, details, path, value)
        try:
            answer = original(self, type_, details, path, value)
        except GiveUp as stop:
            ended.append("gave up for good" if stop.for_good else "gave up")
            raise
        except Exception:
            ended.append("error")
            raise
        ended.append("direct")
        return answer

    monkeypatch.setattr(DirectExecutionContext, "_complete", counting)
    return ended


PLAIN = (
    "{ items { name n: name count colour maybe tags __typename"
    " part { label size } parts { label } } }"
)


def test_a_plain_selection_is_answered_directly_and_alike(answers: list[str]) -> None:
    HOLDER.items = list(GOOD)
    ordinary, direct = _schemas()
    expected, answered = _run(ordinary, PLAIN), _run(direct, PLAIN)
    assert answered == expected and answered["errors"] == []
    assert answers == ["direct"]
    assert answered["data"]["items"][0]["part"] == {"label": "p", "size": None}
    # The response keeps the selection's order of keys.
    assert list(answered["data"]["items"][0]) == [
        "name",
        "n",
        "count",
        "colour",
        "maybe",
        "tags",
        "__typename",
        "part",
        "parts",
    ]


@pytest.mark.parametrize(
    ("items", "ended"),
    [
        ([_item(name=None)], "gave up"),  # a null on a non-null leaf
        ([_item(count="many")], "error"),  # a value the scalar refuses
        ([_item(parts=[None])], "gave up"),  # a null item of a non-null list
        ([None, _item()], "direct"),  # a null item of a nullable list
    ],
    ids=["null-leaf", "refused-scalar", "null-in-list", "nullable-item"],
)
def test_nulls_and_errors_answer_as_graphql_core_does(
    answers: list[str], items: list[Item | None], ended: str
) -> None:
    HOLDER.items = items
    ordinary, direct = _schemas()
    query = "{ items { name count parts { label } } }"
    expected = _run(ordinary, query)
    assert _run(direct, query) == expected
    assert bool(expected["errors"]) == (ended != "direct")
    assert answers == [ended]
    context_class = cast(type[DirectExecutionContext], direct.execution_context_class)
    assert issubclass(context_class, DirectExecutionContext)
    assert context_class.given_up == {}  # only this value: the next request tries again


def test_a_null_root_value_on_a_non_null_field_is_graphql_cores_error(
    answers: list[str],
) -> None:
    HOLDER.items = [None]
    ordinary, direct = _schemas()
    expected = _run(ordinary, "{ first { name } }")
    assert _run(direct, "{ first { name } }") == expected
    assert expected["data"] is None and expected["errors"]


@pytest.mark.parametrize("selection", ["shout", "named { name }"])
def test_fields_of_another_kind_are_left_to_graphql_core_for_good(
    answers: list[str], selection: str
) -> None:
    HOLDER.items = list(GOOD)
    ordinary, direct = _schemas()
    query = "{ items { name " + selection + " } }"
    assert _run(direct, query) == _run(ordinary, query)
    assert answers == ["gave up for good"]
    # Remembered by the root field's node: the app keeps each document parsed once
    # (schema/prepared_documents.py), so its next requests go straight to graphql-core.
    context_class = cast(type[DirectExecutionContext], direct.execution_context_class)
    [node] = context_class.given_up.values()
    assert node.name.value == "items"


ABSTRACT = (
    "{ items { name badge { __typename name ... on Tag { name } }"
    " pieces { __typename ... on Tag { name } ... on Part { label size } } } }"
)


def test_interfaces_and_unions_are_answered_directly_by_their_runtime_type(
    answers: list[str],
) -> None:
    HOLDER.items = [
        _item(badge=Tag(name="t"), pieces=[Part(label="p", size=1), Tag(name="u")]),
        _item("b"),
    ]
    ordinary, direct = _schemas()
    expected, answered = _run(ordinary, ABSTRACT), _run(direct, ABSTRACT)
    assert answered == expected and answered["errors"] == []
    assert answers == ["direct"]
    assert answered["data"]["items"][0]["pieces"] == [
        {"__typename": "Part", "label": "p", "size": 1},
        {"__typename": "Tag", "name": "u"},
    ]
    assert answered["data"]["items"][1]["badge"] is None


def test_a_value_of_no_possible_type_is_graphql_cores_error(answers: list[str]) -> None:
    HOLDER.items = [_item(badge=Part(label="not a Named", size=None))]
    ordinary, direct = _schemas()
    expected = _run(ordinary, ABSTRACT)
    assert _run(direct, ABSTRACT) == expected
    assert expected["errors"] and answers == ["gave up"]


SHAPES = """
query ($size: Boolean!) {
  items {
    name
    part { label size @include(if: $size) }
    first: parts { label }
    again: parts { label size @skip(if: $size) __typename }
  }
}"""


@pytest.mark.parametrize("size", [True, False])
def test_each_selection_of_a_type_has_its_own_shape(answers: list[str], size: bool) -> None:
    # `Part` under three selections (one of them its own alias of the same field), some of
    # their fields in or out by a variable: each is answered as graphql-core answers it.
    HOLDER.items = [
        _item(
            part=Part(label="p", size=1),
            parts=[Part(label="q", size=2), Part(label="r", size=None)],
        ),
        _item("b", parts=[Part(label="s", size=3)]),
    ]
    ordinary, direct = _schemas()
    variables = {"size": size}
    expected = ordinary.execute_sync(SHAPES, variable_values=variables, context_value=Context())
    answered = direct.execute_sync(SHAPES, variable_values=variables, context_value=Context())
    assert answered.errors is None and answered.data == expected.data
    assert answers == ["direct"]
    first = cast(dict[str, Any], answered.data)["items"][0]
    assert first["part"] == ({"label": "p", "size": 1} if size else {"label": "p"})
    assert first["again"][0] == (
        {"label": "q", "__typename": "Part"}
        if size
        else {"label": "q", "size": 2, "__typename": "Part"}
    )


def test_a_lists_items_share_the_work_of_their_selection(
    answers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fields of a (type, selection) are collected and sorted by kind once per request,
    # not once per object: three selections here, whatever the number of items.
    collected: list[str] = []
    original = DirectExecutionContext.collect_subfields

    def counting(self: Any, return_type: Any, details: Any) -> Any:
        collected.append(return_type.name)
        return original(self, return_type, details)

    monkeypatch.setattr(DirectExecutionContext, "collect_subfields", counting)
    part = Part(label="p", size=1)
    HOLDER.items = [_item(str(n), part=part, parts=[part, part]) for n in range(20)]
    ordinary, direct = _schemas()
    query = "{ items { name part { label } parts { label size } } }"
    expected = _run(ordinary, query)
    collected.clear()
    assert _run(direct, query) == expected and answers == ["direct"]
    assert sorted(collected) == ["Item", "Part", "Part"]


def test_without_compiled_reads_nothing_is_answered_directly(answers: list[str]) -> None:
    HOLDER.items = list(GOOD)
    ordinary, direct = _schemas()
    assert _run(direct, PLAIN, Context(compiled_reads=False)) == _run(ordinary, PLAIN)
    assert answers == []


def test_the_application_schema_answers_relationship_fields_directly() -> None:
    context_class = cast(type[DirectExecutionContext], build_schema().execution_context_class)
    assert issubclass(context_class, DirectExecutionContext)
    kinds = context_class.kinds
    assert kinds["Person"]["name"] == LEAF
    assert kinds["CaseParty"]["person"] == ATTRIBUTE
    assert kinds["Case"]["escalations"] == RELATION and kinds["Person"]["cases"] == BUILT
    assert kinds["Case"]["parties"] == BUILT
    assert kinds["Street"]["communities"] == BUILT and kinds["Grid"]["residents"] == BUILT
    assert "idCardNumber" not in kinds["Person"]  # decrypted by its own resolver
    # Exception handlers would make resolvers' errors values: none are configured, and the
    # attribute that says so is where use_direct_answers looks.
    assert hasattr(build_schema().schema_converter, "_exception_handler_specs")
    assert schema_converter.get_arguments is not None


CASE_PARTIES = """
query ($code: String!) {
  case(code: $code) { code status grid { code name } parties { role person { personId name } } }
}"""


async def test_a_compiled_lookup_is_answered_directly(
    tiny: GraphClient, answers: list[str]
) -> None:
    [row] = await tiny.read(
        "MATCH (c:Case)<-[:PARTY_TO]-() RETURN c.code AS code ORDER BY code LIMIT 1"
    )
    schema = build_schema()
    context = context_for(tiny, principal(Role.ADMIN))
    result = await schema.execute(
        CASE_PARTIES, variable_values={"code": row["code"]}, context_value=context
    )
    assert result.errors is None and result.data is not None
    assert result.data["case"]["parties"], result.data
    assert answers == ["direct"]
    # The same answer from graphql-core, reading per level.
    per_level = context_for(tiny, principal(Role.ADMIN))
    per_level.compiled_reads = False
    again = await schema.execute(
        CASE_PARTIES, variable_values={"code": row["code"]}, context_value=per_level
    )
    assert again.data == result.data and answers == ["direct"]


BUILT_SELECTION = """
query ($code: String!) {
  community(code: $code) {
    code
    grids {
      code gridWorker { name }
      residents(first: 2, filter: {role: RESIDENT}) {
        totalCount pageInfo { hasNextPage } edges { node { name } }
      }
      open: cases(filter: {open: true}) { totalCount }
    }
    street { communities { code } }
  }
}"""


async def test_built_fields_are_answered_without_their_resolvers(
    tiny: GraphClient, answers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    [row] = await tiny.read("MATCH (c:Community) RETURN c.code AS code ORDER BY code LIMIT 1")
    built: list[str] = []
    original = DirectExecutionContext._built

    def counting(self: Any, type_: Any, field: Any, details: Any, path: Any) -> Any:
        built.append(f"{type_.name}.{details[0].node.name.value}")
        return original(self, type_, field, details, path)

    monkeypatch.setattr(DirectExecutionContext, "_built", counting)
    schema = build_schema()
    context = context_for(tiny, principal(Role.ADMIN))
    result = await schema.execute(
        BUILT_SELECTION, variable_values={"code": row["code"]}, context_value=context
    )
    assert result.errors is None and result.data is not None
    assert answers == ["direct"]
    assert {"Community.grids", "Grid.gridWorker", "Grid.residents", "Grid.cases"} <= set(built)
    # graphql-core, calling every resolver and reading per level, answers the same. (Cursors
    # are computed fields: a selection with them is completed by graphql-core.)
    per_level = context_for(tiny, principal(Role.ADMIN))
    per_level.compiled_reads = False
    again = await schema.execute(
        BUILT_SELECTION, variable_values={"code": row["code"]}, context_value=per_level
    )
    assert again.data == result.data
    grids = result.data["community"]["grids"]
    assert grids and any(grid["residents"]["edges"] for grid in grids)


IDENTIFIERS = "query ($id: String!) { person(personId: $id) { name idCardNumber } }"


async def test_a_document_given_up_on_is_not_tried_again(
    tiny: GraphClient, answers: list[str]
) -> None:
    [row] = await tiny.read("MATCH (p:Person) RETURN p.id AS id ORDER BY id LIMIT 1")
    schema = build_schema()
    for _ in range(2):
        context = context_for(tiny, principal(Role.ADMIN))
        result = await schema.execute(
            IDENTIFIERS, variable_values={"id": row["id"]}, context_value=context
        )
        assert result.errors is None and result.data is not None
    # `idCardNumber` has a resolver of its own (decryption): graphql-core completes the
    # person, and the same document (parsed once) is not tried again.
    assert answers == ["gave up for good"]


# -- fields declared `built`: their resolvers are the builders, handed every argument -------

BUILDER_OF_SHAPE = {Shape.LIST: "related", Shape.ONE: "related_one", Shape.PAGE: "related_page"}


def _builder_call(resolver: Any) -> ast.Call:
    """The one `await related...(...)` of a resolver whose body returns it (directly or
    through one annotated name)."""
    [function] = ast.parse(textwrap.dedent(inspect.getsource(resolver))).body
    assert isinstance(function, ast.AsyncFunctionDef)
    *assigned, returned = function.body
    assert isinstance(returned, ast.Return) and returned.value is not None
    awaited = returned.value
    if assigned:
        [assignment] = assigned
        assert isinstance(assignment, ast.AnnAssign) and assignment.value is not None
        assert isinstance(awaited, ast.Name)
        assert isinstance(assignment.target, ast.Name) and assignment.target.id == awaited.id
        awaited = assignment.value
    assert isinstance(awaited, ast.Await) and isinstance(awaited.value, ast.Call)
    return awaited.value


def _built_fields() -> list[tuple[str, str, Any]]:
    schema = build_schema()._schema
    found = []
    for (type_name, field_name), declared in registry_of(schema).items():
        object_type = schema.type_map[type_name]
        if declared.built and isinstance(object_type, GraphQLObjectType):
            definition = object_type.fields[field_name].extensions[DEFINITION]
            found.append((type_name, field_name, definition))
    return found


BUILT_FIELDS = _built_fields()


def test_fields_are_declared_built() -> None:
    assert len(BUILT_FIELDS) >= 30, BUILT_FIELDS


@pytest.mark.parametrize(
    ("type_name", "field_name", "definition"),
    BUILT_FIELDS,
    ids=[f"{t}.{f}" for t, f, _ in BUILT_FIELDS],
)
def test_a_built_fields_resolver_is_its_builder_handed_every_argument(
    type_name: str, field_name: str, definition: Any
) -> None:
    """What direct answers build without the resolver (schema/builders.py `built_value`) is
    what the resolver returns only when the resolver is nothing but the builder of its shape,
    handed every argument of the field by name (a page's `first` and `after` in place), each
    with a default (an argument left out reaches the builder as its default both ways)."""
    declared = declaration_of(definition)
    assert declared is not None
    resolver = definition.base_resolver.wrapped_func
    call = _builder_call(resolver)
    assert isinstance(call.func, ast.Name)
    assert call.func.id == BUILDER_OF_SHAPE[declared.shape]
    parameters = [p for p in inspect.signature(resolver).parameters.values()][2:]  # self, info
    assert all(p.default is None for p in parameters), parameters
    names = [p.name for p in parameters]
    assert [a.python_name for a in definition.arguments] == names
    info, key, *positional = call.args
    assert isinstance(info, ast.Name) and info.id == "info"
    assert isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name)
    assert key.value.id == "self"
    if declared.shape is Shape.PAGE:
        assert [a.id for a in positional if isinstance(a, ast.Name)] == ["first", "after"]
        names = [name for name in names if name not in ("first", "after")]
    else:
        assert positional == []
    passed = {k.arg: k.value.id for k in call.keywords if isinstance(k.value, ast.Name)}
    assert len(passed) == len(call.keywords)
    assert passed == {name: name for name in names}
