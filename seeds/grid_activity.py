"""The seeds' grid activity (issue 16): visits and the hazards they found, volunteer
activities with their credit points, central households' contacts, deliberation sessions.

Each grid draws from its own generator (`{seed}:activity:{grid}`), so adding activity leaves
every other seeded row as it was, and the same seed gives the same rows at every scale.
"""

from __future__ import annotations

import random

from seeds.casegen import GridContext
from seeds.chunk import Chunk
from seeds.deliberation import seed_deliberations
from seeds.grid_content import GridPeople
from seeds.party_households import seed_household_contacts
from seeds.visits import seed_visits
from seeds.volunteer_activities import seed_volunteer_activities


def grid_activity(seed: int, people: GridPeople, ctx: GridContext, chunk: Chunk) -> None:
    """Every kind of grid activity of one grid, after its people and cases are made."""
    rng = random.Random(f"{seed}:activity:{ctx.grid_code}")
    seed_visits(rng, people, ctx, chunk)
    seed_volunteer_activities(rng, ctx, chunk)
    seed_household_contacts(rng, people, ctx, chunk)
    seed_deliberations(rng, people, ctx, chunk)
