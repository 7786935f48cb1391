"""Seeded contacts of the grid's party-member central households (党员中心户) with the
households they look after: each pair has one contact in the window with probability
CONTACT_SHARE (a local assumption), by a kind drawn at random."""

from __future__ import annotations

import random
from datetime import datetime

from graph.china_time import CHINA_TIME
from graph.party_households import ContactKind
from seeds.casegen import GridContext
from seeds.chunk import Chunk
from seeds.grid_content import GridPeople

CONTACT_SHARE = 0.6
NOTES = ("了解家庭近况", "转达社区通知", "宣传政策", "邀请参加网格议事")
CONCERNS = ("楼道灯不亮", "希望增设健身器材", "下水道堵塞", None, None, None)


def seed_household_contacts(
    rng: random.Random, people: GridPeople, ctx: GridContext, chunk: Chunk
) -> None:
    """One contact (or none) per central household and household of the grid."""
    heads = {household.head.id for household in people.households}
    pairs = [row for row in chunk.central_households if row["headId"] in heads]
    for number, pair in enumerate(pairs, start=1):
        if rng.random() >= CONTACT_SHARE:
            continue
        at = datetime(
            2024, rng.randint(1, 12), rng.randint(1, 28), rng.randint(9, 20), 0, tzinfo=CHINA_TIME
        )
        chunk.household_contacts.append(
            {
                "id": f"HC-{ctx.grid_code}-{number:04d}",
                "memberId": pair["memberId"],
                "headId": pair["headId"],
                "gridCode": ctx.grid_code,
                "kind": rng.choice(list(ContactKind)).value,
                "at": at,
                "notes": rng.choice(NOTES),
                "concern": rng.choice(CONCERNS),
            }
        )
