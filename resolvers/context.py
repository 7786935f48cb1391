"""The per-request context: the graph client, the principal and fresh dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from graph import places
from graph.client import GraphClient
from graph.places import PlaceLevel
from resolvers.principal import Principal

Rows = list[dict[str, Any]]


def _children_loader(graph: GraphClient, level: PlaceLevel) -> DataLoader[str, Rows]:
    async def load(parent_codes: list[str]) -> list[Rows]:
        grouped = await places.children_of(graph, level, parent_codes)
        return [grouped[code] for code in parent_codes]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """Batching loaders, one set per request so that nothing is cached across requests."""

    graph: GraphClient
    children: dict[PlaceLevel, DataLoader[str, Rows]] = field(init=False)

    def __post_init__(self) -> None:
        self.children = {
            level: _children_loader(self.graph, level)
            for level in (PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
        }


@dataclass
class RequestContext:
    """What every resolver sees as `info.context`."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    graph: GraphClient
    principal: Principal
    loaders: Loaders
