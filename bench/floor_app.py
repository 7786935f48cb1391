"""The floor target: hand-written Cypher through the Python neo4j driver behind Starlette.

`POST /op/{name}` with `{"params": {...}, "after": cursor | null}` runs bench/floor_queries.py's
query for `name` (one round trip) and answers `{"result": ..., "cursor": ...}`; the paginated
walk's cursor is the next offset. Run: `uvicorn bench.floor_app:create_app --factory`, with
NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD in the environment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from neo4j import AsyncGraphDatabase, RoutingControl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.catalog import BY_NAME
from bench.floor_queries import FLOOR_QUERIES
from bench.operations import WALK_PAGE
from server.round_trips import HEADER


async def run_operation(request: Request) -> JSONResponse:
    name = request.path_params["name"]
    query = FLOOR_QUERIES.get(name)
    if query is None:
        return JSONResponse({"error": f"unknown operation {name}"}, status_code=404)
    body = await request.json()
    params: dict[str, Any] = dict(body.get("params", {}))
    paginated = BY_NAME[name].pages > 1
    skip = int(body.get("after") or 0)
    if paginated:
        params |= {"skip": skip, "limit": WALK_PAGE}
    records, _, _ = await request.app.state.driver.execute_query(
        query, params, database_="neo4j", routing_=RoutingControl.READ
    )
    result = records[0]["result"]
    cursor = str(skip + WALK_PAGE) if paginated and result["hasNextPage"] else None
    return JSONResponse({"result": result, "cursor": cursor}, headers={HEADER: "1"})


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "alive"})


def create_app() -> Starlette:
    """The floor app; the driver opens at startup and closes at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        auth = (os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"])
        async with AsyncGraphDatabase.driver(os.environ["NEO4J_URI"], auth=auth) as driver:
            app.state.driver = driver
            yield

    routes = [
        Route("/op/{name}", run_operation, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
