"""Seed scales and the frame plan: which streets, communities, grids and how much goes in each.

The plan is small (one entry per grid) and fully decided up front from the seed, so the
content can then be generated and written one community at a time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from graph import fengqiao
from graph.policy import Policy
from seeds.identity import surname
from seeds.rencheng import street_rows

DEFAULT_SEED = 20240410  # the day of the press conference (发布会) the figures come from


class Scale(StrEnum):
    """How much to generate: tests, the development default, or the whole district."""

    TINY = "tiny"
    DEMO = "demo"
    DISTRICT = "district"


# District figures (DESIGN.md §2); smaller scales get them in proportion to their grids.
DISTRICT_GRIDS = 1541
DISTRICT_FIGURES = {
    "grid_branches": 471,
    "grid_party_groups": 83,
    "building_groups": 1637 - 471 - 83,  # 1,637 grid (小区) party secretaries, one per org
    "instructors": 460,
    "professional_members": 3579,
}


@dataclass(frozen=True)
class ScaleSpec:
    """The size of one scale."""

    streets: int
    communities: int
    grids: int
    residents: int
    cases: int
    committees: int
    studios: int
    grid_branches: int
    grid_party_groups: int
    building_groups: int
    instructors: int
    professional_members: int


def scale_spec(scale: Scale, residents: int | None = None) -> ScaleSpec:
    """The spec of a scale; `residents` overrides the default (cases follow in proportion)."""
    streets, communities, grids, default_residents, cases_per_resident = {
        Scale.TINY: (1, 2, 6, 360, 0.28),
        Scale.DEMO: (3, 12, 48, 6000, 0.2),
        Scale.DISTRICT: (15, 374, 1541, 867_000, 0.06),
    }[scale]
    people = residents if residents is not None else default_residents
    if people < 20 * grids:
        raise ValueError(f"{scale.value} needs at least {20 * grids} residents (20 per grid)")

    def share(figure: str) -> int:
        if scale is Scale.DISTRICT:
            return DISTRICT_FIGURES[figure]
        return max(1, round(DISTRICT_FIGURES[figure] * grids / DISTRICT_GRIDS))

    return ScaleSpec(
        streets=streets,
        communities=communities,
        grids=grids,
        residents=people,
        cases=max(grids * 12, round(people * cases_per_resident)),
        committees=11 if scale is Scale.DISTRICT else max(1, round(11 * streets / 15)),
        studios=105 if scale is Scale.DISTRICT else max(3, round(105 * streets / 15)),
        grid_branches=share("grid_branches"),
        grid_party_groups=share("grid_party_groups"),
        building_groups=share("building_groups"),
        instructors=min(share("instructors"), share("grid_branches")),
        professional_members=max(21, share("professional_members")),
    )


@dataclass
class GridPlan:
    """One grid and what goes in it."""

    code: str
    name: str
    residents: int
    cases: int
    buildings: int
    party_org: str | None = None  # "grid_branch", "grid_party_group" or None
    building_groups: int = 0
    instructed: bool = False
    breach: bool = False  # has ten-no (十无) breaches, so it cannot be Fengqiao-style


@dataclass
class CommunityPlan:
    """One community (社区) or village (村) and its grids."""

    code: str
    name: str
    kind: str
    estate: str
    grids: list[GridPlan] = field(default_factory=list)


@dataclass
class StreetPlan:
    """One street (街道) or town (镇)."""

    index: int
    code: str
    name: str
    kind: str
    committee: int
    studios: int
    professional_members: int
    communities: list[CommunityPlan] = field(default_factory=list)

    @property
    def grids(self) -> list[GridPlan]:
        """All grids of the street, in code order."""
        return [grid for community in self.communities for grid in community.grids]


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each part >= minimum."""
    count = len(weights)
    rest = total - minimum * count
    if rest < 0:
        raise ValueError("total too small for the minimum")
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(count), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def _community_names(rng: random.Random, policy: Policy, kind: str, count: int) -> list[str]:
    names: list[str] = []
    stems = list(policy.community_stems)
    rng.shuffle(stems)
    while len(names) < count:
        if kind == "镇":
            name = f"{surname(rng)}{rng.choice(policy.village_suffixes)}村"
        else:
            i = len(names)
            prefix = "" if i < len(stems) else "东西南北中新"[(i // len(stems) - 1) % 6]
            name = f"{prefix}{stems[i % len(stems)]}社区"
        if name not in names:
            names.append(name)
    return names


def plan_frame(spec: ScaleSpec, seed: int, policy: Policy) -> list[StreetPlan]:
    """Decide the whole frame: codes, names, and the share of residents, cases and orgs."""
    rng = random.Random(f"frame:{seed}")
    streets = street_rows()[: spec.streets]
    per_street = apportion(spec.communities, [rng.uniform(0.8, 1.2) for _ in streets], minimum=1)
    grids_per_community = apportion(
        spec.grids, [rng.uniform(0.6, 1.4) for _ in range(spec.communities)], minimum=1
    )
    resident_weights = [rng.uniform(0.6, 1.4) for _ in range(spec.grids)]
    residents = apportion(spec.residents, resident_weights, minimum=20)
    cases = apportion(spec.cases, resident_weights, minimum=12)
    member_shares = apportion(spec.professional_members, [1.0] * spec.streets)
    studio_shares = apportion(spec.studios, [1.0] * spec.streets, minimum=1)

    plans: list[StreetPlan] = []
    grid_index = community_index = 0
    for s, street in enumerate(streets):
        plan = StreetPlan(
            index=s,
            code=street["code"],
            name=street["name"],
            kind=street["kind"],
            committee=s * spec.committees // spec.streets,
            studios=studio_shares[s],
            professional_members=member_shares[s],
        )
        names = _community_names(rng, policy, street["kind"], per_street[s])
        for c, name in enumerate(names, start=1):
            estate = name.removesuffix("社区").removesuffix("村") + rng.choice(
                policy.estate_suffixes
            )
            community = CommunityPlan(
                f"{street['code']}{c:03d}", name, "村" if street["kind"] == "镇" else "社区", estate
            )
            for g in range(1, grids_per_community[community_index] + 1):
                people = residents[grid_index]
                community.grids.append(
                    GridPlan(
                        code=f"{community.code}{g:03d}",
                        name=f"{name}第{g}网格",
                        residents=people,
                        cases=cases[grid_index],
                        buildings=max(2, math.ceil(people / 45)),
                    )
                )
                grid_index += 1
            community_index += 1
            plan.communities.append(community)
        plans.append(plan)
    _plan_party(rng, spec, plans)
    _plan_breaches(rng, plans)
    return plans


def _plan_party(rng: random.Random, spec: ScaleSpec, plans: list[StreetPlan]) -> None:
    grids = [grid for street in plans for grid in street.grids]
    chosen = rng.sample(grids, spec.grid_branches + spec.grid_party_groups)
    branches = sorted(chosen[: spec.grid_branches], key=lambda g: g.code)
    for grid in branches:
        grid.party_org = "grid_branch"
    for grid in chosen[spec.grid_branches :]:
        grid.party_org = "grid_party_group"
    shares = apportion(spec.building_groups, [g.buildings for g in branches])
    for grid, groups in zip(branches, shares, strict=True):
        grid.building_groups = min(groups, grid.buildings)
    # Anything capped by a grid's buildings goes to branches with room, so the total holds.
    missing = spec.building_groups - sum(g.building_groups for g in branches)
    for grid in branches:
        room = min(missing, grid.buildings - grid.building_groups)
        grid.building_groups += room
        missing -= room
    for grid in rng.sample(branches, spec.instructors):
        grid.instructed = True


def _plan_breaches(rng: random.Random, plans: list[StreetPlan]) -> None:
    """Grids with ten-no (十无) breaches: policy.toml [fengqiao] `seed_breach_share` of them (a
    local assumption: a complaint-type 12345 work order alone breaches TN10, so most grids
    breach in a year, and the article's 40 Fengqiao-style grids of 2024 are picked from about
    a quarter of the grids, not two thirds); at least two grids of any scale stay clean."""
    grids = [grid for street in plans for grid in street.grids]
    share = fengqiao.load_rules().seed_breach_share
    count = min(len(grids) - 2, max(1, round(len(grids) * share)))
    for grid in rng.sample(grids, count):
        grid.breach = True
