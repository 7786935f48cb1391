"""Seeded patrols and home visits (梳篦式巡查、入户走访) of one grid, and the visits that found
the grid's hazards (隐患): every hazard case its grid worker reported while patrolling
(channel grid_patrol) was found on a patrol logged just before it.

Per month of the seeds' window the grid worker logs PATROLS patrols and HOME_VISITS home
visits to households drawn at random (local assumptions: the article gives no rates).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from graph.china_time import CHINA_TIME
from graph.visits import VisitKind
from seeds.casegen import GridContext
from seeds.chunk import Chunk, Row
from seeds.grid_content import GridPeople

PATROLS = 1  # a month, per grid
HOME_VISITS = 2  # a month, per grid
MONTHS: tuple[tuple[int, int], ...] = tuple(
    (2024 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(1, 16)
)  # 2024-01 .. 2025-03, the window of the seeded cases
PATROL_NOTES = ("巡查楼道消防通道", "巡查沿街商铺", "巡查小区电动车充电", "巡查背街小巷")
VISIT_NOTES = ("走访独居老人", "了解家庭近况", "宣传反诈知识", "收集社情民意")


def _moment(rng: random.Random, year: int, month: int) -> datetime:
    return datetime(
        year, month, rng.randint(1, 28), rng.randint(8, 17), rng.choice((0, 30)), tzinfo=CHINA_TIME
    )


def seed_visits(rng: random.Random, people: GridPeople, ctx: GridContext, chunk: Chunk) -> None:
    """The grid's visit log over the window, and the patrols that found its hazards."""
    grid = ctx.grid_code
    worker = ctx.grid_worker.id
    buildings = people.plan.buildings
    # The building each resident of the grid lives in, when the residence rows name one.
    home_of = {
        r["personId"]: r.get("buildingCode") for r in chunk.residences if r["gridCode"] == grid
    }
    rows: list[Row] = []

    def add(kind: VisitKind, at: datetime, minutes: int, **links: object) -> None:
        rows.append(
            {
                "id": f"VS-{grid}-{len(rows) + 1:04d}",
                "kind": kind.value,
                "at": at,
                "durationMinutes": minutes,
                "gridCode": grid,
                "visitorId": worker,
                "version": 1,
                "notes": None,
                "buildingCode": None,
                "visitedIds": [],
                "hazardCaseCode": None,
                **links,
            }
        )

    for year, month in MONTHS:
        for _ in range(PATROLS):
            building = f"{grid}{rng.randint(1, buildings):03d}" if buildings else None
            notes = rng.choice(PATROL_NOTES)
            add(
                VisitKind.PATROL,
                _moment(rng, year, month),
                rng.randint(40, 150),
                notes=notes,
                buildingCode=building,
            )
        for household in rng.sample(people.households, min(HOME_VISITS, len(people.households))):
            head = household.head.id
            add(
                VisitKind.HOME_VISIT,
                _moment(rng, year, month),
                rng.randint(15, 60),
                notes=rng.choice(VISIT_NOTES),
                visitedIds=[head],
                buildingCode=home_of.get(head),
            )
    for case in chunk.cases:
        if case["gridCode"] == grid and case["kind"] == "hazard" and case["reporterId"] == worker:
            minutes = rng.randint(30, 120)
            at = case["reportedAt"] - timedelta(minutes=minutes)
            add(VisitKind.PATROL, at, minutes, notes="巡查发现隐患", hazardCaseCode=case["code"])
    chunk.visits.extend(rows)
