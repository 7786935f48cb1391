"""GraphQL analytics: scorecards (十无 and the 60% target), repeat disputants, hotspots and
the quarterly grid-worker ranking. Every metric is defined in docs/metrics.md."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph import persons
from graph.analytics import ON_TIME_DAYS
from graph.cases import CasePartyRole as GraphPartyRole
from graph.places import PlaceLevel
from resolvers import analytics as resolve
from resolvers import grid_elements as resolve_elements
from resolvers.analytics import (
    RESOLVED_IN_GRID_TARGET,
    Period,
    PeriodKind,
    ratio,
    ten_no_names,
)
from resolvers.context import RequestContext
from schema.cases import CasePartyRole
from schema.evaluations import GridWorkerEvaluation
from schema.fengqiao import FengqiaoStanding, fengqiao_standing
from schema.grid_elements import ElementUpkeepCard
from schema.persons import Person
from schema.places import Grid
from schema.visits import VisitScorecard, scorecard_visits
from schema.whistle_response import DepartmentWhistleResponse, place_whistle_response

Context = Info[RequestContext, None]

PERIOD_DESCRIPTION = "A quarter '2024Q3', a year '2024' or a month '2024-07' (China time)."


@strawberry.enum(description="A level of places that cases are counted in.")
class PlaceLevelEnum(Enum):
    GRID = "GRID"
    COMMUNITY = "COMMUNITY"
    STREET = "STREET"

    @property
    def graph(self) -> PlaceLevel:
        return PlaceLevel[self.value]


@strawberry.enum(description="Fengqiao-style grid (枫桥式网格) standing for a period.")
class FengqiaoStatus(Enum):
    NOMINATED = strawberry.enum_value(
        "NOMINATED", description="A quarter with all ten 'no's passed: nominated."
    )
    CONFIRMED = strawberry.enum_value(
        "CONFIRMED", description="A year with all ten 'no's passed: confirmed."
    )
    NOT_QUALIFIED = strawberry.enum_value(
        "NOT_QUALIFIED", description="At least one ten-no item breached in the period."
    )


@strawberry.type(description="One of the ten 'no's (十无) for a place and period.")
class TenNoCheck:
    code: str = strawberry.field(description="TN01..TN10.")
    name: str = strawberry.field(description="The item's Chinese name (policy.toml).")
    passed: bool = strawberry.field(description="No breaking case reported in the period.")
    breaking_cases: list[str] = strawberry.field(
        description="Codes of the cases reported in the period that breach this item."
    )


@strawberry.type(description="Governance metrics of a place for a period (docs/metrics.md).")
class Scorecard:
    place_code: str
    place_name: str
    period: str
    period_kind: str = strawberry.field(description="month, quarter or year.")
    period_start: date
    period_end: date = strawberry.field(description="The first day after the period.")
    case_count: int = strawberry.field(description="Cases reported in the period.")
    resolved_count: int = strawberry.field(
        description="Of those, cases with a resolvedAtLevel (resolved or closed)."
    )
    resolved_in_grid_count: int = strawberry.field(description="Of those, resolved in the grid.")
    resolved_in_grid_rate: float | None = strawberry.field(
        description="resolvedInGridCount / resolvedCount; null when resolvedCount is 0."
    )
    resolved_in_grid_target: float = strawberry.field(description="0.6 (DESIGN.md §2).")
    meets_resolved_in_grid_target: bool | None = strawberry.field(
        description="resolvedInGridRate >= target; null when the rate is null."
    )
    closed_count: int = strawberry.field(description="Cases reported in the period now closed.")
    closed_on_time_count: int = strawberry.field(
        description="Of those, closed within onTimeDays days of being reported."
    )
    on_time_days: int = strawberry.field(description="The on-time deadline in days (15).")
    on_time_closure_rate: float | None = strawberry.field(
        description="closedOnTimeCount / closedCount; null when closedCount is 0."
    )
    rated_count: int = strawberry.field(description="Cases reported in the period with a rating.")
    mean_satisfaction: float | None = strawberry.field(
        description="Mean satisfaction (1-5) of the rated cases; null when none is rated."
    )
    ten_no: list[TenNoCheck] = strawberry.field(description="The ten items, TN01 first.")
    all_ten_passed: bool = strawberry.field(description="No case of the place breaches any item.")
    fengqiao: FengqiaoStatus | None = strawberry.field(
        description="Eligibility only (no stored decision): quarter NOMINATED / year CONFIRMED"
        " when all ten passed, otherwise NOT_QUALIFIED; null for a month. For a roll-up, all"
        " ten over the whole place. The decisions themselves: fengqiaoDecisions."
    )
    grid_count: int = strawberry.field(description="Grids in the place (1 for a grid).")
    qualifying_grid_count: int = strawberry.field(
        description="Grids of the place with all ten passed in the period."
    )
    qualifying_grids: list[Grid] = strawberry.field(
        description="Those grids, by code: eligible, not necessarily nominated or confirmed."
    )

    @strawberry.field(
        description="Fengqiao-style grids (枫桥式网格) of the period: eligible, nominated by the"
        " street and confirmed by the district, separately (null for a month)."
    )
    async def fengqiao_decisions(self, info: Context) -> FengqiaoStanding | None:
        if self.period_kind == "month":
            return None
        eligible = self.qualifying_grid_count
        return await fengqiao_standing(info, self.place_code, self.period, eligible)

    @strawberry.field(
        description="Six-element upkeep (六大要素): grids whose elements are older than a month"
        " at the period's end (or today)."
    )
    async def element_upkeep(self, info: Context) -> ElementUpkeepCard:
        found = await resolve_elements.upkeep(info.context, self.place_code, self.period_end)
        return ElementUpkeepCard.of(found)

    @strawberry.field(
        description="Departments' response to the whistles (吹哨报到) blown on the place's cases"
        " in the period, per department by code."
    )
    async def whistle_response(self, info: Context) -> list[DepartmentWhistleResponse]:
        return await place_whistle_response(
            info, self.place_code, self.period_start, self.period_end
        )

    @strawberry.field(description="Patrols, home visits and the hazards they found (隐患).")
    async def visits(self, info: Context) -> VisitScorecard:
        start, before, kind = self.period_start, self.period_end, self.period_kind
        return await scorecard_visits(info, self.place_code, start, before, kind)


def _fengqiao(period: Period, passed: bool) -> FengqiaoStatus | None:
    if period.kind is PeriodKind.MONTH:
        return None
    if not passed:
        return FengqiaoStatus.NOT_QUALIFIED
    return (
        FengqiaoStatus.NOMINATED
        if period.kind is PeriodKind.QUARTER
        else (FengqiaoStatus.CONFIRMED)
    )


def scorecard_of(place: dict[str, Any], period: Period, counts: dict[str, Any]) -> Scorecard:
    """A scorecard from the place row, the period and Cypher's counts."""
    names = ten_no_names()
    checks = [
        TenNoCheck(
            code=item["code"],
            name=names[item["code"]],
            passed=not item["cases"],
            breaking_cases=sorted(item["cases"]),
        )
        for item in counts["tenNo"]
    ]
    passed = all(check.passed for check in checks)
    in_grid = ratio(counts["resolvedInGridCount"], counts["resolvedCount"])
    rated = counts["ratedCount"]
    return Scorecard(
        place_code=place["code"],
        place_name=place["name"],
        period=period.label,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.before,
        case_count=counts["caseCount"],
        resolved_count=counts["resolvedCount"],
        resolved_in_grid_count=counts["resolvedInGridCount"],
        resolved_in_grid_rate=in_grid,
        resolved_in_grid_target=RESOLVED_IN_GRID_TARGET,
        meets_resolved_in_grid_target=None
        if in_grid is None
        else in_grid >= RESOLVED_IN_GRID_TARGET,
        closed_count=counts["closedCount"],
        closed_on_time_count=counts["closedOnTimeCount"],
        on_time_days=ON_TIME_DAYS,
        on_time_closure_rate=ratio(counts["closedOnTimeCount"], counts["closedCount"]),
        rated_count=rated,
        mean_satisfaction=ratio(counts["satisfactionSum"], rated),
        ten_no=checks,
        all_ten_passed=passed,
        fengqiao=_fengqiao(period, passed),
        grid_count=counts["gridCount"],
        qualifying_grid_count=len(counts["qualifyingGrids"]),
        qualifying_grids=[Grid.from_row(row) for row in counts["qualifyingGrids"]],
    )


async def _scorecard(info: Context, level: PlaceLevel, code: str, period: str) -> Scorecard:
    return scorecard_of(*await resolve.scorecard(info.context, level, code, period))


@strawberry.type(description="A case of a repeat disputant, with the person's role in it.")
class DisputantCase:
    code: str
    role: CasePartyRole
    reported_at: datetime
    grid_code: str


@strawberry.type(description="A person party to many cases (反复涉诉人员).")
class RepeatDisputant:
    person_id: str
    name: str
    case_count: int = strawberry.field(description="Cases counted (in the place, since the day).")
    cases: list[DisputantCase] = strawberry.field(description="Those cases, oldest first.")

    @strawberry.field(description="The person.")
    async def person(self, info: Context) -> Person | None:
        row = await info.context.loaders.node(persons.PERSON, self.person_id)
        return Person.from_row(row) if row else None


@strawberry.type(description="Cases of one place in a period and in the period before it.")
class Hotspot:
    code: str
    name: str | None
    count: int = strawberry.field(description="Cases reported in the period.")
    previous_count: int = strawberry.field(description="Cases reported in the previous period.")
    change: int = strawberry.field(description="count - previousCount.")
    change_ratio: float | None = strawberry.field(
        description="change / previousCount; null when previousCount is 0."
    )


@strawberry.type(description="Where cases cluster in a period, most cases first.")
class HotspotReport:
    period: str
    previous_period: str
    places: list[Hotspot]


@strawberry.type(description="A quarter's grid-worker evaluations (stored rank and bottom5).")
class GridWorkerRanking:
    quarter: str
    evaluated_count: int = strawberry.field(
        description="Evaluations of the quarter: district (a scoped principal: its scope)."
    )
    flagged_count: int = strawberry.field(description="Of those, flagged bottom 5%.")
    in_place_count: int = strawberry.field(description="Evaluations of grids in the place.")
    flagged_in_place_count: int
    entries: list[GridWorkerEvaluation] = strawberry.field(
        description="Best rank first (rank and bottom5 are district-wide, as stored)."
    )


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="Scorecard of a grid for a period. " + PERIOD_DESCRIPTION)
    async def grid_scorecard(self, info: Context, grid: str, period: str) -> Scorecard:
        return await _scorecard(info, PlaceLevel.GRID, grid, period)

    @strawberry.field(description="Scorecard of a community over its grids' cases.")
    async def community_scorecard(self, info: Context, community: str, period: str) -> Scorecard:
        return await _scorecard(info, PlaceLevel.COMMUNITY, community, period)

    @strawberry.field(description="Scorecard of a street over its grids' cases.")
    async def street_scorecard(self, info: Context, street: str, period: str) -> Scorecard:
        return await _scorecard(info, PlaceLevel.STREET, street, period)

    @strawberry.field(description="Scorecard of the district over all grids' cases.")
    async def district_scorecard(
        self, info: Context, period: str, district: str = resolve.DISTRICT_CODE
    ) -> Scorecard:
        return await _scorecard(info, PlaceLevel.DISTRICT, district, period)

    @strawberry.field(
        description="Persons party to at least minCases cases (in the place, reported since "
        "the day), most cases first; first <= 100."
    )
    async def repeat_disputants(
        self,
        info: Context,
        place: str | None = None,
        since: date | None = None,
        min_cases: int = 3,
        first: int = 20,
    ) -> list[RepeatDisputant]:
        rows = await resolve.repeat_disputants(info.context, place, since, min_cases, first)
        return [
            RepeatDisputant(
                person_id=row["personId"],
                name=row["name"],
                case_count=row["caseCount"],
                cases=[
                    DisputantCase(
                        code=c["code"],
                        role=GraphPartyRole(c["role"]),
                        reported_at=c["reportedAt"],
                        grid_code=c["gridCode"],
                    )
                    for c in row["cases"]
                ],
            )
            for row in rows
        ]

    @strawberry.field(
        description="Case counts per place of a level in a period vs the previous period of the "
        "same length, most cases first. " + PERIOD_DESCRIPTION
    )
    async def hotspots(
        self,
        info: Context,
        level: PlaceLevelEnum,
        period: str,
        category: str | None = None,
        first: int = 20,
    ) -> HotspotReport:
        found, rows = await resolve.hotspots(info.context, level.graph, period, category, first)
        return HotspotReport(
            period=found.label,
            previous_period=found.previous_label,
            places=[
                Hotspot(
                    code=row["code"],
                    name=row["name"],
                    count=row["count"],
                    previous_count=row["previousCount"],
                    change=row["count"] - row["previousCount"],
                    change_ratio=ratio(row["count"] - row["previousCount"], row["previousCount"]),
                )
                for row in rows
            ],
        )

    @strawberry.field(
        description="A quarter's grid-worker evaluations in a place, best rank first; rank and "
        "bottom5 are the stored, district-wide values."
    )
    async def grid_worker_ranking(
        self, info: Context, quarter: str, place: str | None = None, first: int = 50
    ) -> GridWorkerRanking:
        row = await resolve.worker_ranking(info.context, quarter, place, first)
        return GridWorkerRanking(
            quarter=quarter,
            evaluated_count=row["evaluated"],
            flagged_count=row["flagged"],
            in_place_count=row["inPlace"],
            flagged_in_place_count=row["flaggedInPlace"],
            entries=[GridWorkerEvaluation.from_row(r) for r in row["rows"]],
        )
