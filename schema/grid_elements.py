"""The grid worker's monthly six-element upkeep (六大要素) over GraphQL: the mutation, the
per-element state (Grid.elementsUpdatedAt) and the scorecards' stale-grid column
(graph/grid_elements.py)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph import grid_elements
from graph.grid_elements import Element, ElementUpkeep, UpkeepRecord
from resolvers import grid_elements as resolve
from resolvers.context import RequestContext
from schema.builders import builds
from schema.residents import IdempotencyKey

Context = Info[RequestContext, None]


@strawberry.enum(description="The six elements (六大要素) a grid worker updates every month.")
class SixElement(Enum):
    PEOPLE = Element.PEOPLE.value  # 人
    PLACES = Element.PLACES.value  # 地
    EVENTS = Element.EVENTS.value  # 事
    THINGS = Element.THINGS.value  # 物
    SENTIMENT = Element.SENTIMENT.value  # 情
    ORGANIZATIONS = Element.ORGANIZATIONS.value  # 组织


@builds(grid_elements.GRID_ELEMENT)
@strawberry.type(description="When one of a grid's six elements was last updated, and by whom.")
class GridElementState:
    element: SixElement
    updated_at: datetime | None
    updated_by: str | None = strawberry.field(description="The principal's subject.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GridElementState:
        return cls(
            element=SixElement(row["element"]),
            updated_at=row.get("updatedAt"),
            updated_by=row.get("bySubject"),
        )


@strawberry.type(description="Grids of a place and how many have an element over a month old.")
class ElementUpkeepCard:
    grid_count: int
    stale_grid_count: int = strawberry.field(
        description="Grids with one of the six elements not updated in the month before the"
        " period's end (or today): 网格员每月采集更新六大要素."
    )
    stale_grid_codes: list[str] = strawberry.field(description="The first 50 of them, by code.")

    @classmethod
    def of(cls, found: ElementUpkeep) -> ElementUpkeepCard:
        return cls(
            grid_count=found.grids,
            stale_grid_count=found.stale,
            stale_grid_codes=found.stale_codes,
        )


@strawberry.type(description="What updateGridElements recorded.")
class GridElementsPayload:
    grid_code: str
    update_id: str
    elements: list[SixElement]
    at: datetime
    replayed: bool

    @classmethod
    def of(cls, record: UpkeepRecord) -> GridElementsPayload:
        return cls(
            grid_code=record.grid,
            update_id=record.update_id,
            elements=[SixElement(e) for e in record.elements],
            at=datetime.fromisoformat(record.at),
            replayed=record.replayed,
        )


@strawberry.type
class GridElementMutation:
    @strawberry.mutation(
        description="Record the monthly collection and update (采集更新) of some of the grid's"
        " six elements (人、地、事、物、情、组织); Grid.elementsUpdatedAt shows the latest."
    )
    async def update_grid_elements(
        self,
        info: Context,
        grid: str,
        elements: list[SixElement],
        note: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> GridElementsPayload:
        chosen = [Element(element.value) for element in elements]
        record = await resolve.update(info.context, grid, chosen, note, idempotency_key)
        return GridElementsPayload.of(record)
