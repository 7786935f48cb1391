"""A minimal fixture: the district, its 15 real streets/towns, and a few communities and grids.

It stands in until the generated seeds exist, so that `gridgraph serve` has a tree to show.
"""

from __future__ import annotations

from typing import Any

from graph import places
from graph.client import GraphClient
from graph.places import PlaceLevel
from seeds.rencheng import DISTRICT_CODE, DISTRICT_NAME, street_rows

COMMUNITIES_PER_STREET = 2
GRIDS_PER_COMMUNITY = 3


def fixture_rows() -> dict[PlaceLevel, list[dict[str, Any]]]:
    """Rows per place level, parents before children."""
    streets = street_rows()
    communities = [
        {
            "code": f"{street['code']}{number:03d}",
            "name": f"{street['name'].removesuffix('街道').removesuffix('镇')}第{number}社区",
            "kind": "社区",
            "parentCode": street["code"],
        }
        for street in streets
        for number in range(1, COMMUNITIES_PER_STREET + 1)
    ]
    grids = [
        {
            "code": f"{community['code']}{number:03d}",
            "name": f"{community['name']}{number}号网格",
            "parentCode": community["code"],
        }
        for community in communities
        for number in range(1, GRIDS_PER_COMMUNITY + 1)
    ]
    return {
        PlaceLevel.DISTRICT: [{"code": DISTRICT_CODE, "name": DISTRICT_NAME}],
        PlaceLevel.STREET: streets,
        PlaceLevel.COMMUNITY: communities,
        PlaceLevel.GRID: grids,
    }


async def load_fixture(graph: GraphClient) -> None:
    """Write the fixture; idempotent (MERGE on codes)."""
    for level, rows in fixture_rows().items():
        await places.upsert_places(graph, level, rows)
