"""GraphQL types of the administrative tree (行政区划): district → street → community → grid."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph.places import PlaceLevel
from resolvers import places as resolve
from resolvers.context import RequestContext


@strawberry.type(description="A grid (网格), the smallest unit of community governance.")
class Grid:
    code: str = strawberry.field(description="Community code + 3 digits (15 digits).")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Grid:
        return cls(code=row["code"], name=row["name"])


@strawberry.type(description="A village or residents' community (村/社区).")
class Community:
    code: str = strawberry.field(description="12-digit administrative code.")
    name: str
    kind: str | None = strawberry.field(description="社区 (urban) or 村 (village).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Community:
        return cls(code=row["code"], name=row["name"], kind=row.get("kind"))

    @strawberry.field(description="The grids of this community, by code.")
    async def grids(self, info: Info[RequestContext, None]) -> list[Grid]:
        rows = await resolve.children(info.context, PlaceLevel.GRID, self.code)
        return [Grid.from_row(row) for row in rows]


@strawberry.type(description="A sub-district street (街道) or town (镇).")
class Street:
    code: str = strawberry.field(description="9-digit administrative code.")
    name: str
    kind: str | None = strawberry.field(description="街道 (street) or 镇 (town).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Street:
        return cls(code=row["code"], name=row["name"], kind=row.get("kind"))

    @strawberry.field(description="The communities and villages of this street, by code.")
    async def communities(self, info: Info[RequestContext, None]) -> list[Community]:
        rows = await resolve.children(info.context, PlaceLevel.COMMUNITY, self.code)
        return [Community.from_row(row) for row in rows]


@strawberry.type(description="A county-level district (区), e.g. Rencheng 370811.")
class District:
    code: str = strawberry.field(description="6-digit administrative code.")
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> District:
        return cls(code=row["code"], name=row["name"])

    @strawberry.field(description="The streets and towns of this district, by code.")
    async def streets(self, info: Info[RequestContext, None]) -> list[Street]:
        rows = await resolve.children(info.context, PlaceLevel.STREET, self.code)
        return [Street.from_row(row) for row in rows]
