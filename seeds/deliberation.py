"""Seeded grid deliberation sessions (网格议事): SESSIONS a grid over the window, held at one
of the article's kinds of places, with the grid worker, party members and residents; about
half are followed up by a case of the grid reported after them (local assumptions)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from graph.china_time import CHINA_TIME
from graph.deliberation import DeliberationRole
from seeds.casegen import GridContext
from seeds.chunk import Chunk, Row
from seeds.grid_content import GridPeople

SESSIONS = 2
TOPICS = (
    ("小区停车难", "划定临时停车位，错峰停车"),
    ("老旧小区加装电梯", "征求一楼住户意见后分摊费用"),
    ("楼道堆物清理", "约定周六集中清理"),
    ("垃圾分类投放点设置", "调整投放点位置"),
    ("物业服务提升", "物业公司限期整改"),
)
PLACES = ("网格议事厅", "凉亭议事点", "和为贵仙商量议事点", "楼院议事点")


def seed_deliberations(
    rng: random.Random, people: GridPeople, ctx: GridContext, chunk: Chunk
) -> None:
    """The grid's sessions and their follow-up cases."""
    grid = ctx.grid_code
    cases = sorted(
        (row for row in chunk.cases if row["gridCode"] == grid), key=lambda row: row["code"]
    )
    members = {p.id for p in ctx.party_members}
    others = [p for p in ctx.adults if p.id not in members and p.id != ctx.grid_worker.id]
    for number in range(1, SESSIONS + 1):
        topic, outcome = rng.choice(TOPICS)
        at = datetime(2024, rng.randint(1, 10), rng.randint(1, 28), 19, 0, tzinfo=CHINA_TIME)
        taking: list[Row] = [
            {"personId": ctx.grid_worker.id, "role": DeliberationRole.GRID_WORKER.value}
        ]
        for person in rng.sample(ctx.party_members, min(2, len(ctx.party_members))):
            taking.append({"personId": person.id, "role": DeliberationRole.PARTY_MEMBER.value})
        for person in rng.sample(others, min(rng.randint(3, 6), len(others))):
            taking.append({"personId": person.id, "role": DeliberationRole.RESIDENT.value})
        later = [row for row in cases if at < row["reportedAt"] < at + timedelta(days=90)]
        follow = [rng.choice(later)["code"]] if later and rng.random() < 0.5 else []
        chunk.deliberations.append(
            {
                "id": f"DL-{grid}-{number:02d}",
                "gridCode": grid,
                "topic": topic,
                "place": rng.choice(PLACES),
                "at": at,
                "outcome": outcome,
                "participants": taking,
                "caseCodes": follow,
                "version": 1,
            }
        )
