"""The root Query type: lookups by key, Relay node(id:), filtered lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from graph import cases, persons, places
from graph.places import PlaceLevel
from graph.traversal import NodeSpec
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import NotFound
from schema.cases import Case, CaseConnection, CaseFilter, CaseOrder, cases_anywhere
from schema.persons import Person, PersonConnection, PersonFilter, residents_anywhere
from schema.places import Community, District, Grid, Street
from schema.relay import Node, decode_global_id

Context = Info[RequestContext, None]

# Global ID type name -> (how to read it, how to build it).
NODE_TYPES: dict[str, tuple[NodeSpec, Callable[[dict[str, Any]], Node]]] = {
    "District": (places.DISTRICT, District.from_row),
    "Street": (places.STREET, Street.from_row),
    "Community": (places.COMMUNITY, Community.from_row),
    "Grid": (places.GRID, Grid.from_row),
    "Person": (persons.PERSON, Person.from_row),
    "Case": (cases.CASE, Case.from_row),
}


async def _node(context: RequestContext, id: str) -> Node | None:
    decoded = decode_global_id(id)
    known = NODE_TYPES.get(decoded.type_name)
    if known is None:
        return None
    spec, build = known
    row = await context.loaders.node(spec, decoded.key)
    return build(row) if row else None


async def _required(context: RequestContext, spec: NodeSpec, key: str, what: str) -> dict[str, Any]:
    row = await context.loaders.node(spec, key)
    if row is None:
        raise NotFound(f"no {what} {key}", key=key)
    return row


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Context, id: strawberry.ID) -> Node | None:
        return await _node(info.context, id)

    @strawberry.field(description="Objects by global IDs, in the same order (null if missing).")
    async def nodes(self, info: Context, ids: list[strawberry.ID]) -> list[Node | None]:
        return [await _node(info.context, id) for id in ids]

    @strawberry.field(description="All districts: the root of the administrative tree.")
    async def districts(self, info: Context) -> list[District]:
        rows = await resolve_places.all_districts(info.context)
        return [District.from_row(row) for row in rows]

    @strawberry.field(description="A district by its 6-digit code.")
    async def district(self, info: Context, code: str) -> District:
        return District.from_row(
            await resolve_places.place(info.context, PlaceLevel.DISTRICT, code)
        )

    @strawberry.field(description="A street or town by its 9-digit code.")
    async def street(self, info: Context, code: str) -> Street:
        return Street.from_row(await resolve_places.place(info.context, PlaceLevel.STREET, code))

    @strawberry.field(description="A community or village by its 12-digit code.")
    async def community(self, info: Context, code: str) -> Community:
        return Community.from_row(
            await resolve_places.place(info.context, PlaceLevel.COMMUNITY, code)
        )

    @strawberry.field(description="A grid by its 15-digit code.")
    async def grid(self, info: Context, code: str) -> Grid:
        return Grid.from_row(await resolve_places.place(info.context, PlaceLevel.GRID, code))

    @strawberry.field(description="A person by their person id.")
    async def person(self, info: Context, person_id: str) -> Person:
        return Person.from_row(await _required(info.context, persons.PERSON, person_id, "person"))

    @strawberry.field(description="A case by its code.")
    async def case(self, info: Context, code: str) -> Case:
        return Case.from_row(await _required(info.context, cases.CASE, code, "case"))

    @strawberry.field(description="Residents, filtered; `place` is a code of any level.")
    async def persons(
        self,
        info: Context,
        place: str | None = None,
        filter: PersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PersonConnection:
        return await residents_anywhere(info, place, filter, first, after)

    @strawberry.field(description="Cases, filtered and sorted; `place` is a code of any level.")
    async def cases(
        self,
        info: Context,
        place: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder = CaseOrder.REPORTED_AT_DESC,
        first: int | None = None,
        after: str | None = None,
    ) -> CaseConnection:
        return await cases_anywhere(info, place, filter, first, after, order_by)
