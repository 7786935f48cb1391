"""The deterministic seed generator: the same seed and scale always give the same graph.

It yields chunks (the frame, then each street, then each of its communities, then the
quarterly evaluations) so that the district never has to sit in memory at once. Every
street or community draws from its own `random.Random(f"{seed}:{code}")`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph.china_time import CHINA_TIME
from graph.party import PartyLevel, PartyRole
from graph.personal_data import PersonalDataKey
from graph.persons import Role
from graph.places import PlaceLevel
from graph.policy import Policy, load_policy
from seeds.casegen import CaseMaker, CaseNumbers, CaseSummary, GridContext
from seeds.chunk import Chunk, Row
from seeds.grid_activity import grid_activity
from seeds.grid_content import (
    GridPeople,
    building_address,
    building_name,
    organise_party,
    populate_grid,
    volunteer_team,
)
from seeds.grid_elements import element_history
from seeds.identity import IdentityFactory, given_name, surname
from seeds.people import PeopleMaker
from seeds.plan import CommunityPlan, ScaleSpec, StreetPlan, plan_frame
from seeds.planted import Planted, plant_structures
from seeds.rencheng import DISTRICT_CODE, DISTRICT_NAME
from seeds.residents import resident_upkeep
from seeds.worker_turnover import Turnover, successor_for

QUARTERS: tuple[str, ...] = ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1")
# 枫桥式网格 2024: the article's 40 confirmed grids of 1,541 (scaled for smaller seeds),
# nominated by the streets after each quarter and confirmed by the district at the press
# conference of 10 April 2025; the nomination thresholds are local assumptions.
FENGQIAO_2024 = 40
NOMINATED_ON: tuple[datetime, ...] = tuple(
    datetime(y, m, 10, 9, 0, tzinfo=CHINA_TIME)
    for y, m in ((2024, 4), (2024, 7), (2024, 10), (2025, 1))
)
CONFIRMED_ON = datetime(2025, 4, 10, 9, 0, tzinfo=CHINA_TIME)


@dataclass
class GridStats:
    """Per grid and quarter: what the evaluation score is made of."""

    reported: int = 0
    resolved: int = 0
    in_grid: int = 0
    breaches: int = 0
    satisfaction: list[int] = field(default_factory=list)


class Generator:
    """Generates the seed graph chunk by chunk."""

    def __init__(
        self,
        spec: ScaleSpec,
        seed: int,
        key: PersonalDataKey,
        policy: Policy | None = None,
        audit: list[str] | None = None,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self.policy = policy or load_policy()
        self.plan = plan_frame(spec, seed, self.policy)
        self.identities = IdentityFactory(key, audit)
        self.numbers = CaseNumbers()
        self.planted = Planted()
        self.stats: dict[tuple[str, str], GridStats] = {}
        self.grid_workers: dict[str, str] = {}
        self.successors: dict[str, str] = {}  # grid code -> who would replace its worker
        self.staff_mediators: dict[int, list[str]] = {}
        self.grid_supporters: dict[str, list[str]] = {}  # grid code -> professional members
        self._members_made = 0
        self._studios_made = 0

    def chunks(self) -> Iterator[tuple[Chunk, int]]:
        """(chunk, residents in it), parents before children, evaluations last."""
        yield self.frame_chunk(), 0
        for street in self.plan:
            yield self.street_chunk(street), 0
            for community in street.communities:
                yield (
                    self.community_chunk(street, community),
                    sum(grid.residents for grid in community.grids),
                )
        yield self.evaluation_chunk(), 0

    def _rng(self, code: str) -> random.Random:
        return random.Random(f"{self.seed}:{code}")

    def frame_chunk(self) -> Chunk:
        """The district, its streets and the departments."""
        chunk = Chunk()
        chunk.places[PlaceLevel.DISTRICT].append({"code": DISTRICT_CODE, "name": DISTRICT_NAME})
        for street in self.plan:
            chunk.places[PlaceLevel.STREET].append(
                {
                    "code": street.code,
                    "name": street.name,
                    "kind": street.kind,
                    "parentCode": DISTRICT_CODE,
                }
            )
        chunk.departments = [
            {"code": f"{DISTRICT_CODE}{d.code}", "name": d.name, "kind": d.kind}
            for d in self.policy.departments
        ]
        return chunk

    def street_chunk(self, street: StreetPlan) -> Chunk:
        """The street's places, party committee, mediation committee, studios and staff."""
        rng = self._rng(street.code)
        maker = PeopleMaker(rng, self.identities, self.policy)
        chunk = Chunk()
        for community in street.communities:
            chunk.places[PlaceLevel.COMMUNITY].append(
                {
                    "code": community.code,
                    "name": community.name,
                    "kind": community.kind,
                    "parentCode": street.code,
                }
            )
            for grid in community.grids:
                chunk.places[PlaceLevel.GRID].append(
                    {"code": grid.code, "name": grid.name, "parentCode": community.code}
                )
                for number in range(1, grid.buildings + 1):
                    chunk.buildings.append(
                        {
                            "code": f"{grid.code}{number:03d}",
                            "name": building_name(street, number),
                            "address": building_address(street, community, number),
                            "gridCode": grid.code,
                        }
                    )
        self._street_party(maker, street, chunk)
        committee = self._committee(maker, street, chunk)
        for grid in street.grids:
            chunk.committee_coverage[PlaceLevel.GRID].append(
                {"committeeCode": committee, "placeCode": grid.code}
            )
        self._studios(rng, street, committee, chunk)
        self._professional_members(rng, maker, street, chunk)
        return chunk

    def _street_party(self, maker: PeopleMaker, street: StreetPlan, chunk: Chunk) -> None:
        code = f"PO{street.code}"
        body = "工作委员会" if street.kind == "街道" else "委员会"
        chunk.party_orgs[PartyLevel.STREET_COMMITTEE].append(
            {"code": code, "name": f"中共{street.name}{body}", "placeCode": street.code}
        )
        secretary = maker.staff(None, {Role.PARTY_MEMBER})
        chunk.persons.append(secretary.row())
        for role in (PartyRole.MEMBER, PartyRole.SECRETARY):
            chunk.party_links[role].append({"personId": secretary.id, "orgCode": code})

    def _committee(self, maker: PeopleMaker, street: StreetPlan, chunk: Chunk) -> str:
        code = f"{DISTRICT_CODE}M{street.committee + 1:02d}"
        if street.committee in self.staff_mediators:
            return code
        short = street.name.removesuffix("街道").removesuffix("镇")
        chunk.committees.append(
            {"code": code, "name": f"{short}网格人民调解委员会", "level": "grid"}
        )
        staff: list[str] = []
        for kind in self.policy.mediator_kinds:
            for _ in range(kind.per_committee):
                person = maker.staff(None, {Role.MEDIATOR})
                chunk.persons.append(person.row())
                chunk.mediators.append(
                    {"personId": person.id, "committeeCode": code, "kind": kind.code}
                )
                staff.append(person.id)
        self.staff_mediators[street.committee] = staff
        return code

    def _studios(
        self, rng: random.Random, street: StreetPlan, committee: str, chunk: Chunk
    ) -> None:
        for number in range(1, street.studios + 1):
            named = self.policy.studio_names
            if self._studios_made < len(named):
                name = named[self._studios_made]
            else:
                pattern = rng.choice(self.policy.studio_patterns)
                place = rng.choice(street.communities).name[:2]
                name = pattern.format(
                    surname=surname(rng), given=given_name(rng, rng.random() < 0.5), place=place
                )
            self._studios_made += 1
            chunk.studios.append(
                {"code": f"{street.code}S{number:02d}", "name": name, "committeeCode": committee}
            )

    def _professional_members(
        self, rng: random.Random, maker: PeopleMaker, street: StreetPlan, chunk: Chunk
    ) -> None:
        departments = self.policy.departments
        grids = street.grids
        for j in range(street.professional_members):
            department = departments[self._members_made % len(departments)]
            self._members_made += 1
            person = maker.staff(None, {Role.PROFESSIONAL_MEMBER})
            chunk.persons.append(person.row())
            chunk.department_members.append(
                {"personId": person.id, "departmentCode": f"{DISTRICT_CODE}{department.code}"}
            )
            supported = {grids[j % len(grids)].code}
            if rng.random() < 0.5:
                supported.add(grids[(j + len(grids) // 2) % len(grids)].code)
            for grid_code in sorted(supported):
                chunk.grid_support.append(
                    {"personId": person.id, "gridCode": grid_code, "since": date(2023, 1, 1)}
                )
                self.grid_supporters.setdefault(grid_code, []).append(person.id)

    def community_chunk(self, street: StreetPlan, community: CommunityPlan) -> Chunk:
        """Residents, roles, party organisations, volunteers and cases of one community."""
        rng = self._rng(community.code)
        maker = PeopleMaker(rng, self.identities, self.policy)
        cases = CaseMaker(rng, self.policy, self.numbers)
        chunk = Chunk()
        chunk.party_orgs[PartyLevel.COMMUNITY_COMMITTEE].append(
            {
                "code": f"PO{community.code}",
                "name": f"中共{community.name}委员会",
                "placeCode": community.code,
                "parentCode": f"PO{street.code}",
            }
        )
        grids: list[tuple[GridPeople, GridContext]] = []
        committee = f"{DISTRICT_CODE}M{street.committee + 1:02d}"
        for index, grid in enumerate(community.grids):
            people = populate_grid(rng, maker, street, community, grid, chunk)
            organise_party(rng, maker, street, community, people, chunk, index == 0)
            volunteer_team(rng, people, chunk)
            assert people.grid_worker is not None and people.mediator is not None
            self.grid_workers[grid.code] = people.grid_worker.id
            taken = {people.grid_worker.id, people.mediator.id}
            if successor := successor_for(people.adults, taken):
                self.successors[grid.code] = successor
            chunk.mediators.append(
                {"personId": people.mediator.id, "committeeCode": committee, "kind": "community"}
            )
            ctx = GridContext(
                DISTRICT_CODE,
                street.code,
                community.code,
                grid.code,
                grid.name,
                people.grid_worker,
                people.mediator,
                committee,
                self.staff_mediators.get(street.committee, []),
                people.adults,
                people.party_members,
                self.grid_supporters.get(grid.code, []),
            )
            grids.append((people, ctx))
        used: dict[str, int] = {}
        if len(grids) >= 2 and community is self._planting_community(street):
            used = plant_structures(rng, cases, grids, chunk, self.planted, self._record)
        for people, ctx in grids:
            self._regular_cases(rng, cases, people, ctx, chunk, used.get(ctx.grid_code, 0))
            chunk.persons.extend(person.row() for person in people.residents)
            grid_activity(self.seed, people, ctx, chunk)
            resident_upkeep(people, chunk)
            element_history(people, chunk)
        return chunk

    def _planting_community(self, street: StreetPlan) -> CommunityPlan | None:
        return next((c for c in street.communities if len(c.grids) >= 2), None)

    def _regular_cases(
        self,
        rng: random.Random,
        cases: CaseMaker,
        people: GridPeople,
        ctx: GridContext,
        chunk: Chunk,
        already: int,
    ) -> None:
        grid = people.plan
        adults = ctx.adults
        breaches = rng.randint(1, 2) if grid.breach else 0
        (self.planted.breach_grids if grid.breach else self.planted.clean_grids).append(grid.code)
        for number in range(max(0, grid.cases - already)):
            applicant = rng.choice(adults)
            category = cases.pick_category()
            respondent = None
            if category.kind == "dispute" or rng.random() < 0.2:
                others = [p for p in rng.sample(adults, min(6, len(adults))) if p is not applicant]
                respondent = others[0] if others else None
            third = rng.choice(adults) if rng.random() < 0.08 else None
            if third is applicant or third is respondent:
                third = None
            ten_no = rng.choice(self.policy.ten_no_items) if number < breaches else None
            summary = cases.make(
                ctx,
                chunk,
                applicant,
                respondent,
                category=category,
                ten_no=ten_no,
                third_party=third,
            )
            self._record(summary)

    def _evidence(self, code: str, quarters: tuple[str, ...]) -> dict[str, Any]:
        """A grid's record over some quarters: ten-no passed, resolved-in-grid rate (of the
        resolved cases, as scorecards and the Fengqiao mutations count it), mean
        satisfaction, cases."""
        found = [self.stats.get((code, quarter), GridStats()) for quarter in quarters]
        reported = sum(s.reported for s in found)
        resolved = sum(s.resolved for s in found)
        moods = [mood for s in found for mood in s.satisfaction]
        return {
            "tenNoPassed": not any(s.breaches for s in found),
            "resolvedInGridRate": round(sum(s.in_grid for s in found) / resolved, 3)
            if resolved
            else None,
            "meanSatisfaction": round(sum(moods) / len(moods), 2) if moods else None,
            "caseCount": reported,
        }

    def _fengqiao_decisions(self) -> list[Row]:
        """季度提名、年度确定 for 2024: each quarter the street nominates its grids with all
        ten "no"s passed, at least 60% resolved in the grid and a mean satisfaction of 4 or
        more (a quarter without cases qualifies); in April 2025 the district confirms, of the
        grids nominated in three quarters or more and without breach all year,
        the best `FENGQIAO_2024` per 1,541 grids (the article's 40), by resolved-in-grid rate
        then satisfaction."""
        rows: list[Row] = []
        grids = [(street.code, grid.code) for street in self.plan for grid in street.grids]
        year = tuple(q for q in QUARTERS if q.startswith("2024"))
        nominated: dict[str, int] = {}
        for index, quarter in enumerate(year):
            decided = NOMINATED_ON[index]
            for street, code in grids:
                evidence = self._evidence(code, (quarter,))
                rate, mood = evidence["resolvedInGridRate"], evidence["meanSatisfaction"]
                if not evidence["tenNoPassed"] or (rate is not None and rate < 0.6):
                    continue
                if mood is not None and mood < 4.0:  # a quiet quarter (no case) qualifies
                    continue
                nominated[code] = nominated.get(code, 0) + 1
                rows.append(
                    {
                        "id": f"FQ-{quarter}-{code}",
                        "kind": "nomination",
                        "period": quarter,
                        "decidedAt": decided,
                        "decidedBy": street,
                        "gridCode": code,
                        **evidence,
                    }
                )
        every = [
            code
            for _, code in grids
            if nominated.get(code, 0) >= len(year) - 1 and self._evidence(code, year)["tenNoPassed"]
        ]
        ranked = sorted(
            every,
            key=lambda code: (
                -(self._evidence(code, year)["resolvedInGridRate"] or 0),
                -(self._evidence(code, year)["meanSatisfaction"] or 0),
                code,
            ),
        )
        confirmed = max(1, round(FENGQIAO_2024 * len(grids) / 1541)) if ranked else 0
        for code in ranked[:confirmed]:
            rows.append(
                {
                    "id": f"FQ-2024-{code}",
                    "kind": "confirmation",
                    "period": "2024",
                    "decidedAt": CONFIRMED_ON,
                    "decidedBy": DISTRICT_CODE,
                    "gridCode": code,
                    **self._evidence(code, year),
                }
            )
        return rows

    def _record(self, summary: CaseSummary) -> None:
        stats = self.stats.setdefault((summary.grid_code, summary.quarter), GridStats())
        stats.reported += 1
        stats.resolved += summary.resolved
        stats.in_grid += summary.resolved_in_grid
        stats.breaches += summary.breach
        if summary.satisfaction is not None:
            stats.satisfaction.append(summary.satisfaction)

    def evaluation_chunk(self) -> Chunk:
        """Quarterly evaluations of every grid worker; the bottom 5% of each quarter flagged;
        the flagged warned and, flagged again after a warning, replaced (seeds/worker_turnover.py);
        and the 枫桥式网格 decisions of 2024."""
        rng = self._rng("evaluations")
        chunk = Chunk()
        chunk.fengqiao = self._fengqiao_decisions()
        grids = [grid.code for street in self.plan for grid in street.grids]
        turnover = Turnover(dict(self.grid_workers), dict(self.successors))
        for quarter in QUARTERS:
            scored: list[tuple[float, str]] = []
            for code in grids:
                stats = self.stats.get((code, quarter), GridStats())
                in_grid = stats.in_grid / stats.reported if stats.reported else 0.6
                mood = (
                    sum(stats.satisfaction) / len(stats.satisfaction) if stats.satisfaction else 4.3
                )
                score = 70 + 20 * in_grid + 3 * (mood - 4) - 6 * stats.breaches + rng.gauss(0, 4)
                scored.append((round(min(100.0, max(40.0, score)), 1), code))
            scored.sort(key=lambda item: (-item[0], item[1]))
            cut = len(scored) - math.ceil(len(scored) * 0.05)
            rows: list[Row] = []
            for rank, (score, code) in enumerate(scored, start=1):
                rows.append(
                    {
                        "id": f"{quarter}-{code}",
                        "quarter": quarter,
                        "score": score,
                        "rank": rank,
                        "bottom5": rank > cut,
                        "personId": turnover.workers[code],
                        "gridCode": code,
                    }
                )
            turnover.follow(quarter, rows)
            chunk.evaluations.extend(rows)
        chunk.worker_replacements = turnover.replacements
        return chunk
