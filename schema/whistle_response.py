"""Departments' response to whistles (吹哨报到), a scorecard column (graph/whistle_response.py)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from graph import whistle_response
from graph.china_time import start_of_day
from resolvers.context import RequestContext
from schema.departments import WhistleResponse

Context = Info[RequestContext, None]


@strawberry.type(
    description="One department's response to the whistles (吹哨报到) blown on a place's cases"
    " in a period: its professional members' calls, acknowledgements and response time."
)
class DepartmentWhistleResponse:
    department_code: str
    department_name: str
    response: WhistleResponse


async def place_whistle_response(
    info: Context, place_code: str, start: date, before: date
) -> list[DepartmentWhistleResponse]:
    """Per department, the calls made on the place's cases over the days [start, before)."""
    scope = info.context.principal.scope_codes
    rows = await whistle_response.by_department(
        info.context.graph, place_code, start_of_day(start), start_of_day(before), scope
    )
    return [
        DepartmentWhistleResponse(
            department_code=row["department"],
            department_name=row["name"],
            response=WhistleResponse.from_row(row),
        )
        for row in rows
    ]
