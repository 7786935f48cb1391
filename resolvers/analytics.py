"""Resolvers of analytics: periods, validation, and the rates computed from Cypher's counts.

Definitions of every metric: docs/metrics.md. Row scope: a scoped principal's counts cover
only the grids inside its scope (graph/analytics.py); a place neither inside nor above the
scope is NOT_FOUND, like an unknown one (the place is read through the scoped loaders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from graph import analytics
from graph.china_time import start_of_day
from graph.places import PlaceLevel
from graph.policy import load_policy
from resolvers import places as resolve_places
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.time_range import checked_date, checked_day_start
from resolvers.vocabulary import Vocabulary, checked_code

MAX_FIRST = 100
RESOLVED_IN_GRID_TARGET = 0.6  # DESIGN.md §2: 60% of appeals resolved inside the grid
HOTSPOT_LEVELS = (PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
DISTRICT_CODE = "370811"

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodKind(StrEnum):
    """How long a period is."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    """A half-open window [start, before) of China-time days, and the one before it."""

    label: str
    kind: PeriodKind
    start: date
    before: date
    previous_start: date
    previous_label: str

    def bounds(self) -> tuple[datetime, datetime, datetime]:
        """(previous start, start, before) as +08:00 datetimes, for Cypher parameters."""
        return (
            start_of_day(self.previous_start),
            start_of_day(self.start),
            start_of_day(self.before),
        )


def _month_start(year: int, month: int) -> date:
    """The first day of a month; months may run past 12 or below 1."""
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def parse_period(text: str, argument: str = "period") -> Period:
    """'2024Q3', '2024' or '2024-07', it and the one before in range; else BAD_USER_INPUT."""
    try:
        period = _period(text, argument)
    except ValueError:  # a year such as 0000 that has no day before it
        raise BadUserInput(f"{text!r} is out of range", argument=argument) from None
    checked_date(period.previous_start, argument)
    checked_date(period.start, argument)
    return period


def _period(text: str, argument: str) -> Period:
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        start = _month_start(year, 3 * q - 2)
        prev_year, prev_q = (year, q - 1) if q > 1 else (year - 1, 4)
        return Period(
            text,
            PeriodKind.QUARTER,
            start,
            _month_start(year, 3 * q + 1),
            _month_start(year, 3 * q - 5),
            f"{prev_year}Q{prev_q}",
        )
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(
            text,
            PeriodKind.YEAR,
            date(year, 1, 1),
            date(year + 1, 1, 1),
            date(year - 1, 1, 1),
            str(year - 1),
        )
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        previous = _month_start(year, month - 1)
        return Period(
            text,
            PeriodKind.MONTH,
            date(year, month, 1),
            _month_start(year, month + 1),
            previous,
            f"{previous.year:04d}-{previous.month:02d}",
        )
    raise BadUserInput(
        f"{text!r} is not a period: use a quarter '2024Q3', a year '2024' or a month '2024-07'",
        argument=argument,
    )


def parse_quarter(text: str) -> str:
    """A quarter label like '2024Q3', or BAD_USER_INPUT."""
    if not _QUARTER.match(text):
        raise BadUserInput(f"{text!r} is not a quarter like '2024Q3'", argument="quarter")
    return text


def checked_first(first: int, argument: str = "first") -> int:
    """A list size between 0 and 100, or BAD_USER_INPUT."""
    if not 0 <= first <= MAX_FIRST:
        raise BadUserInput(
            f"{argument} must be between 0 and {MAX_FIRST}, got {first}",
            argument=argument,
            max=MAX_FIRST,
        )
    return first


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return None if denominator == 0 else numerator / denominator


def ten_no_codes() -> list[str]:
    """The ten-no (十无) item codes in policy order."""
    return [item.code for item in load_policy().ten_no_items]


def ten_no_names() -> dict[str, str]:
    """Chinese name of each ten-no item by code."""
    return {item.code: item.name for item in load_policy().ten_no_items}


async def scorecard(
    context: RequestContext, level: PlaceLevel, code: str, period_text: str
) -> tuple[dict[str, Any], Period, dict[str, Any]]:
    """The place row, the period and Cypher's counts for a scorecard of that place."""
    period = parse_period(period_text)
    place = await resolve_places.place(context, level, code)
    start, before = period.bounds()[1:]
    counts = await analytics.scorecard(
        context.graph, code, start, before, ten_no_codes(), context.principal.scope_codes
    )
    return place, period, counts


async def repeat_disputants(
    context: RequestContext, place: str | None, since: date | None, min_cases: int, first: int
) -> list[dict[str, Any]]:
    """Persons party to at least `min_cases` cases of the place since a day."""
    if min_cases < 1:
        raise BadUserInput("minCases must be at least 1", argument="minCases")
    checked_first(first)
    start = checked_day_start(since, "since")
    prefix = await resolve_places.checked_place_prefix(context, place)
    return await analytics.repeat_disputants(
        context.graph,
        prefix,
        start,
        min_cases,
        first,
        context.principal.scope_codes,
    )


async def hotspots(
    context: RequestContext, level: PlaceLevel, period_text: str, category: str | None, first: int
) -> tuple[Period, list[dict[str, Any]]]:
    """Case counts per place of `level` in the period and the one before it."""
    if level not in HOTSPOT_LEVELS:
        raise BadUserInput("level must be GRID, COMMUNITY or STREET", argument="level")
    period = parse_period(period_text)
    checked = checked_code(category, Vocabulary.CASE_CATEGORY, "category")
    checked_first(first)
    previous, start, before = period.bounds()
    length = resolve_places.CODE_LENGTH_BY_LEVEL[level]
    rows = await analytics.hotspots(
        context.graph,
        length,
        previous,
        start,
        before,
        checked,
        first,
        context.principal.scope_codes,
    )
    return period, rows


async def worker_ranking(
    context: RequestContext, quarter: str, place: str | None, first: int
) -> dict[str, Any]:
    """The stored evaluations of a quarter under a place, best rank first."""
    parse_quarter(quarter)
    checked_first(first)
    prefix = await resolve_places.checked_place_prefix(context, place)
    return await analytics.worker_ranking(
        context.graph, quarter, prefix, first, context.principal.scope_codes
    )
