"""The root Query type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import places as resolve_place
from resolvers.context import RequestContext
from schema.places import District


@strawberry.type
class Query:
    @strawberry.field(description="Districts, all or by code; the root of the administrative tree.")
    async def districts(
        self, info: Info[RequestContext, None], codes: list[str] | None = None
    ) -> list[District]:
        rows = await resolve_place.districts(info.context, codes)
        return [District.from_row(row) for row in rows]
