"""Structures planted for investigators to find (one set per street).

Related cases are linked as linkRelatedCases does it (`RELATED_TO` from the later case to the
earlier, a `link` event on both timelines).

- repeat disputants (反复涉诉人员): residents who are party to several related disputes;
- a family feud spanning two grids: two households in neighbouring grids in a chain of
  escalating disputes;
- a mediator who is also a party: a community mediator who mediates in one grid and is the
  respondent of a dispute in the next.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from graph.case_commands.model import RelatedReason
from graph.cases import CaseLevel
from graph.policy import CaseCategory
from seeds.casegen import CST, CaseMaker, CaseSummary, GridContext
from seeds.chunk import Chunk
from seeds.grid_content import GridPeople
from seeds.people import PersonDraft

REPEAT_CASES = 5
FEUD_REACH = (CaseLevel.GRID, CaseLevel.COMMUNITY, CaseLevel.COMMUNITY, CaseLevel.STREET)


@dataclass(frozen=True)
class MediatorParty:
    """A mediator, a case they mediated, and a case they are a party to."""

    mediator_id: str
    handled_case: str
    party_case: str


@dataclass
class Planted:
    """What was planted where (for tests and demos; nothing in the graph marks it)."""

    repeat_disputants: list[str] = field(default_factory=list)
    family_feuds: list[list[str]] = field(default_factory=list)
    feud_grids: list[tuple[str, str]] = field(default_factory=list)
    mediator_parties: list[MediatorParty] = field(default_factory=list)
    breach_grids: list[str] = field(default_factory=list)
    clean_grids: list[str] = field(default_factory=list)


def _times(rng: random.Random, count: int) -> list[datetime]:
    start = datetime(2024, 1, 15, 9, 0, tzinfo=CST)
    return sorted(start + timedelta(hours=rng.randrange(24 * 300)) for _ in range(count))


def _ordinary(people: GridPeople, ctx: GridContext, avoid: set[str]) -> list[PersonDraft]:
    roles = {ctx.grid_worker.id, ctx.mediator.id} | avoid
    return [p for p in ctx.adults if p.id not in roles and 25 <= p.age <= 75]


def plant_structures(
    rng: random.Random,
    cases: CaseMaker,
    grids: list[tuple[GridPeople, GridContext]],
    chunk: Chunk,
    planted: Planted,
    record: Callable[[CaseSummary], None],
) -> dict[str, int]:
    """Plant the structures in the first two grids of a community; returns cases used per grid."""
    used: Counter[str] = Counter()
    neighbour = cases.policy.category("neighbour")
    land = cases.policy.category("land")
    taken: set[str] = set()

    def make(
        ctx: GridContext,
        applicant: PersonDraft,
        respondent: PersonDraft,
        category: CaseCategory,
        at: datetime,
        reach: CaseLevel | None = None,
        mediator: str | None = None,
    ) -> str:
        summary = cases.make(
            ctx,
            chunk,
            applicant,
            respondent,
            category=category,
            reach=reach,
            reported_at=at,
            complete=True,
            mediator=mediator,
        )
        record(summary)
        used[ctx.grid_code] += 1
        return summary.code

    def relate(codes: list[str], reason: RelatedReason) -> None:
        for earlier, later in pairwise(codes):
            cases.link(chunk, later, earlier, reason)

    # 1. Repeat disputants, one in each of the two grids.
    for people, ctx in grids[:2]:
        pool = _ordinary(people, ctx, taken)
        disputant = rng.choice(pool)
        taken.add(disputant.id)
        others = [p for p in pool if p is not disputant]
        codes = []
        for i, at in enumerate(_times(rng, REPEAT_CASES)):
            other = rng.choice(others)
            pair = (disputant, other) if i % 2 == 0 else (other, disputant)
            codes.append(make(ctx, *pair, category=neighbour, at=at))
        relate(codes, RelatedReason.REPEAT_DISPUTANT)
        planted.repeat_disputants.append(disputant.id)

    # 2. A family feud between a household in each grid.
    (people_a, ctx_a), (people_b, ctx_b) = grids[0], grids[1]
    families = []
    for people, ctx in ((people_a, ctx_a), (people_b, ctx_b)):
        allowed = {p.id for p in _ordinary(people, ctx, taken)}
        candidates = [
            h for h in people.households if sum(1 for m in h.members if m.id in allowed) >= 2
        ]
        household = rng.choice(candidates)
        members = [m for m in household.members if m.id in allowed]
        taken.update(m.id for m in household.members)
        families.append(members)
    codes = []
    for i, (at, reach) in enumerate(zip(_times(rng, len(FEUD_REACH)), FEUD_REACH, strict=True)):
        ctx = ctx_a if i % 2 == 0 else ctx_b
        mine, theirs = (families[0], families[1]) if i % 2 == 0 else (families[1], families[0])
        codes.append(
            make(
                ctx,
                rng.choice(mine),
                rng.choice(theirs),
                category=land,
                reach=reach,
                at=at,
            )
        )
    relate(codes, RelatedReason.FAMILY_FEUD)
    planted.family_feuds.append(codes)
    planted.feud_grids.append((ctx_a.grid_code, ctx_b.grid_code))

    # 3. The mediator of the first grid mediates there and is a respondent in the second.
    mediator = ctx_a.mediator
    first, second = _times(rng, 2)
    neighbours = _ordinary(people_a, ctx_a, taken)
    one, other = rng.sample(neighbours, 2)
    handled = make(
        ctx_a, one, other, category=neighbour, reach=CaseLevel.GRID, at=first, mediator=mediator.id
    )
    applicant = rng.choice(_ordinary(people_b, ctx_b, taken))
    party = make(ctx_b, applicant, mediator, category=land, reach=CaseLevel.COMMUNITY, at=second)
    planted.mediator_parties.append(MediatorParty(mediator.id, handled, party))
    return dict(used)
