"""Everything inside one grid: households, the grid worker, party members and organisations,
the community mediator, the volunteer team."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from graph.party import PartyLevel, PartyRole
from graph.persons import Role
from graph.volunteer_activities import load_credit_rules
from seeds.chunk import Chunk
from seeds.people import Household, PeopleMaker, PersonDraft
from seeds.plan import CommunityPlan, GridPlan, StreetPlan


@dataclass
class GridPeople:
    """The residents of one grid and who among them holds which role."""

    plan: GridPlan
    households: list[Household] = field(default_factory=list)
    residents: list[PersonDraft] = field(default_factory=list)
    grid_worker: PersonDraft | None = None
    mediator: PersonDraft | None = None
    party_members: list[PersonDraft] = field(default_factory=list)

    @property
    def adults(self) -> list[PersonDraft]:
        """Residents aged 18 or more."""
        return [p for p in self.residents if p.age >= 18]

    def household_of(self, person: PersonDraft) -> Household:
        """The household a resident belongs to."""
        return next(h for h in self.households if any(m is person for m in h.members))


def building_name(street: StreetPlan, number: int) -> str:
    """'3号楼' in a city community, '3组' (a village group) in a town."""
    return f"{number}组" if street.kind == "镇" else f"{number}号楼"


def building_address(street: StreetPlan, community: CommunityPlan, number: int) -> str:
    """The postal address of a building."""
    place = community.name if street.kind == "镇" else community.name + community.estate
    return f"济宁市任城区{street.name}{place}{building_name(street, number)}"


def _since(household: Household, person: PersonDraft) -> date:
    return max(household.since, person.birth)


def populate_grid(
    rng: random.Random,
    maker: PeopleMaker,
    street: StreetPlan,
    community: CommunityPlan,
    grid: GridPlan,
    chunk: Chunk,
) -> GridPeople:
    """Fill the grid with households up to its resident count; pick its grid worker and mediator."""
    people = GridPeople(grid)
    used: set[str] = set()
    while len(people.residents) < grid.residents:
        number = rng.randint(1, grid.buildings)
        base = building_address(street, community, number)
        while True:
            if street.kind == "镇":
                suffix = f"{rng.randint(1, 80)}号"
            else:
                suffix = f"{rng.randint(1, 3)}单元{rng.randint(1, 18)}{rng.randint(1, 2):02d}室"
            if base + suffix not in used:
                break
        used.add(base + suffix)
        household, ties = maker.household(base + suffix, grid.residents - len(people.residents))
        people.households.append(household)
        people.residents.extend(household.members)
        chunk.family.extend(ties)
        for person in household.members:
            chunk.residences.append(
                {
                    "personId": person.id,
                    "gridCode": grid.code,
                    "buildingCode": f"{grid.code}{number:03d}",  # seeds/residents.py
                    "since": _since(household, person),
                }
            )
    adults = people.adults
    workers = [p for p in adults if 25 <= p.age <= 55] or adults
    people.grid_worker = rng.choice(workers)
    people.grid_worker.roles.add(Role.GRID_WORKER)
    chunk.grid_workers.append(
        {
            "personId": people.grid_worker.id,
            "gridCode": grid.code,
            "since": date(rng.randint(2017, 2024), rng.randint(1, 12), 1),
            "fullTime": rng.random() < 0.7,
        }
    )
    elders = [p for p in adults if 35 <= p.age <= 72 and p is not people.grid_worker]
    people.mediator = rng.choice(elders or adults)
    people.mediator.roles.add(Role.MEDIATOR)
    return people


def organise_party(
    rng: random.Random,
    maker: PeopleMaker,
    street: StreetPlan,
    community: CommunityPlan,
    people: GridPeople,
    chunk: Chunk,
    first_in_community: bool,
) -> None:
    """Party members of the grid, its branch or group, building groups, central households."""
    grid = people.plan
    community_org = f"PO{community.code}"
    orgs = (1 if grid.party_org else 0) + grid.building_groups + (1 if first_in_community else 0)
    adults = people.adults
    count = min(len(adults), max(round(len(adults) * 0.08), orgs + 2))
    people.party_members = rng.sample(adults, count)
    grid_org = community_org
    if grid.party_org is not None:
        level = PartyLevel(grid.party_org)
        grid_org = f"PO{grid.code}"
        kind_name = "党支部" if level is PartyLevel.GRID_BRANCH else "党小组"
        chunk.party_orgs[level].append(
            {
                "code": grid_org,
                "name": f"{grid.name}{kind_name}",
                "placeCode": grid.code,
                "parentCode": community_org,
            }
        )
    since = date(2021, 6, 1)
    secretaries = iter(people.party_members)
    for member in people.party_members:
        member.roles.add(Role.PARTY_MEMBER)
        chunk.party_links[PartyRole.MEMBER].append(
            {"personId": member.id, "orgCode": grid_org, "since": since}
        )
    if grid.party_org is not None:
        chunk.party_links[PartyRole.SECRETARY].append(
            {"personId": next(secretaries).id, "orgCode": grid_org, "since": since}
        )
    for number in range(1, grid.building_groups + 1):
        code = f"PO{grid.code}{number:03d}"
        chunk.party_orgs[PartyLevel.BUILDING_GROUP].append(
            {
                "code": code,
                "name": f"{grid.name}{building_name(street, number)}党小组",
                "placeCode": f"{grid.code}{number:03d}",
                "parentCode": grid_org,
            }
        )
        secretary = next(secretaries)
        chunk.party_links[PartyRole.SECRETARY].append(
            {"personId": secretary.id, "orgCode": code, "since": since}
        )
        chunk.party_links[PartyRole.MEMBER].append(
            {"personId": secretary.id, "orgCode": code, "since": since}
        )
    if first_in_community:
        chunk.party_links[PartyRole.SECRETARY].append(
            {"personId": next(secretaries).id, "orgCode": community_org, "since": since}
        )
    if grid.instructed:
        instructor = maker.staff(None, {Role.PARTY_MEMBER})
        chunk.persons.append(instructor.row())
        chunk.party_links[PartyRole.INSTRUCTOR].append(
            {"personId": instructor.id, "orgCode": grid_org, "since": date(2023, 3, 1)}
        )
    heads = [h.head for h in people.households]
    for member in people.party_members[: max(1, len(people.party_members) // 3)]:
        own = people.household_of(member).head
        candidates = [h for h in heads if h is not own]
        for head in rng.sample(candidates, min(len(candidates), rng.randint(3, 8))):
            chunk.central_households.append({"memberId": member.id, "headId": head.id})


def volunteer_team(rng: random.Random, people: GridPeople, chunk: Chunk) -> None:
    """The grid's volunteer team: at least 10 residents with credit points and stars."""
    grid = people.plan
    code = f"VT{grid.code}"
    chunk.volunteer_teams.append(
        {"code": code, "name": f"{grid.name}志愿服务队", "gridCode": grid.code}
    )
    able = [p for p in people.residents if 16 <= p.age <= 75]
    for person in rng.sample(able, min(len(able), rng.randint(10, 16))):
        person.roles.add(Role.VOLUNTEER)
        points = rng.randint(0, 800)
        chunk.volunteers.append(
            {
                "personId": person.id,
                "teamCode": code,
                "points": points,
                "stars": load_credit_rules().stars(points),  # policy.toml
            }
        )
