"""Seeded activities of one grid's volunteer team (义诊、帮扶、文体活动 ...), with the credit
points they granted added to the volunteers' totals and stars derived from the totals by
policy.toml's [volunteer_credit] rule, as recordVolunteerActivity does.

PER_QUARTER activities a quarter per team, each with 3 to 6 of its volunteers for 1 to 4
hours (local assumptions).
"""

from __future__ import annotations

import random
from datetime import datetime

from graph.china_time import CHINA_TIME
from graph.volunteer_activities import load_credit_rules
from seeds.casegen import GridContext
from seeds.chunk import Chunk, Row

PER_QUARTER = 2
QUARTER_STARTS: tuple[tuple[int, int], ...] = (
    (2024, 1),
    (2024, 4),
    (2024, 7),
    (2024, 10),
    (2025, 1),
)
TITLES = {
    "free_clinic": "社区义诊进网格",
    "assistance": "结对帮扶困难家庭",
    "culture_sports": "邻里文体活动",
    "safety_patrol": "平安志愿巡逻",
    "environment": "环境卫生大扫除",
}


def seed_volunteer_activities(rng: random.Random, ctx: GridContext, chunk: Chunk) -> None:
    """The team's activities over the window; its volunteers' points and stars follow them."""
    rules = load_credit_rules()
    team = f"VT{ctx.grid_code}"
    members = [row for row in chunk.volunteers if row["teamCode"] == team]
    if not members:
        return
    number = 0
    for year, month in QUARTER_STARTS:
        for _ in range(PER_QUARTER):
            number += 1
            kind = rng.choice(rules.kinds)
            at = datetime(
                year,
                month + rng.randint(0, 2),
                rng.randint(1, 28),
                rng.choice((9, 14, 19)),
                0,
                tzinfo=CHINA_TIME,
            )
            taking = rng.sample(members, min(len(members), rng.randint(3, 6)))
            participants: list[Row] = []
            for member in taking:
                hours = float(rng.randint(1, 4))
                points = rules.points(kind, hours)
                member["points"] += points
                participants.append(
                    {"personId": member["personId"], "hours": hours, "points": points}
                )
            chunk.volunteer_activities.append(
                {
                    "id": f"VA-{ctx.grid_code}-{number:03d}",
                    "teamCode": team,
                    "kind": kind.code,
                    "title": TITLES.get(kind.code, kind.name),
                    "at": at,
                    "hours": sum(p["hours"] for p in participants),
                    "participants": participants,
                }
            )
    for member in members:
        member["stars"] = rules.stars(member["points"])
