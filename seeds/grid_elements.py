"""The seeds' six-element upkeep history (六大要素): each grid's worker updates the elements about
monthly from January 2024 to the seeded "today", now and then skipping a month or an element,
so some grids are stale at any date (graph/grid_elements.py).

A Random seeded by the grid code (never the generator's own) keeps the rest of the seed as
it was; the same seed gives the same rows at every scale. The habits are local assumptions.
"""

from __future__ import annotations

import random
from datetime import datetime

from graph.china_time import CHINA_TIME
from graph.grid_elements import Element
from seeds.chunk import Chunk
from seeds.grid_content import GridPeople
from seeds.people import AS_OF

FIRST_MONTH = (2024, 1)
SESSION_SHARE = 0.93  # months in which the worker holds the upkeep session
ELEMENT_SHARE = 0.95  # elements updated in a session
SLACK_SHARE = 0.08  # grids whose worker has let the upkeep slip in the last months
NOTES = ("月度六要素采集更新", "入户走访后更新", "结合隐患排查更新", "月度核查")


def _months() -> list[tuple[int, int]]:
    year, month = FIRST_MONTH
    found = []
    while (year, month) <= (AS_OF.year, AS_OF.month):
        found.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return found


MONTHS = _months()


def element_history(people: GridPeople, chunk: Chunk) -> None:
    """Add the grid's upkeep sessions and the latest update of each element to the chunk."""
    grid = people.plan.code
    rng = random.Random(f"six-elements:{grid}")
    worker = people.grid_worker.id if people.grid_worker else None
    slack = rng.random() < SLACK_SHARE
    latest: dict[str, datetime] = {}
    for number, (year, month) in enumerate(MONTHS):
        last_day = AS_OF.day if (year, month) == (AS_OF.year, AS_OF.month) else 28
        recent = number >= len(MONTHS) - 3
        if rng.random() > SESSION_SHARE or (slack and recent) or last_day < 1:
            continue
        elements = [e.value for e in Element if rng.random() < ELEMENT_SHARE]
        if not elements:
            continue
        day, hour = rng.randint(1, last_day), 9 + rng.randrange(9)
        at = datetime(year, month, day, hour, tzinfo=CHINA_TIME)
        chunk.element_updates.append(
            {
                "id": f"EU{grid}-{year}{month:02d}",
                "gridCode": grid,
                "at": at,
                "elements": elements,
                "note": rng.choice(NOTES),
                "bySubject": "seed:grid-worker",
                "byPerson": worker,
            }
        )
        latest.update({element: at for element in elements})
    chunk.element_states.extend(
        {"gridCode": grid, "element": element, "updatedAt": at, "bySubject": "seed:grid-worker"}
        for element, at in sorted(latest.items())
    )
