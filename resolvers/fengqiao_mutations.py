"""Fengqiao-style grid decisions over GraphQL (枫桥式网格, 季度提名、年度确定): who may, the
argument checks, and refusals as client errors (graph/fengqiao_commands.py).

The article: the streets nominate each quarter, the district confirms each year "on the data
the departments provide". Street officers nominate the grids of their streets; the district
confirms through its district-level office, the hotline operator (任诚办, the district's
multi-department platform where the departments' data meet: the only office role scoped to
the district); admins and developers do both anywhere. Every other role is FORBIDDEN. A grid
out of scope is NOT_FOUND, exactly as an unknown one. A grid that does not qualify is
BAD_USER_INPUT with a stable `reason` (graph/fengqiao_commands.Refusal) and the evidence found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from graph import fengqiao, fengqiao_commands
from graph.china_time import CHINA_TIME
from graph.fengqiao import DecisionKind
from graph.fengqiao_commands import Decision, Judged, NotEligible
from resolvers.case_mutations import claim_for, client_errors, now
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden
from resolvers.principal import Principal, Role

NOMINATING_ROLES = frozenset({Role.ADMIN, Role.DEVELOPER, Role.STREET_OFFICER})
CONFIRMING_ROLES = frozenset({Role.ADMIN, Role.DEVELOPER, Role.HOTLINE_OPERATOR})
QUARTER = re.compile(r"(20\d{2})Q([1-4])")
YEAR = re.compile(r"20\d{2}")


def _authorize(principal: Principal, kind: DecisionKind) -> None:
    roles = NOMINATING_ROLES if kind is DecisionKind.NOMINATION else CONFIRMING_ROLES
    if principal.role not in roles:
        who = "the street nominates" if kind is DecisionKind.NOMINATION else "the district confirms"
        message = f"the {principal.role.value} role may not decide Fengqiao-style grids ({who})"
        raise Forbidden(message)


def _grid(grid: str) -> str:
    if not re.fullmatch(r"\d{15}", grid):
        raise BadUserInput(f"{grid[:40]!r} is not a grid code", argument="grid")
    return grid


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TIME)


def quarter_judged(grid: str, quarter: str) -> Judged:
    """A street's nomination of `grid` for `quarter` (BAD_USER_INPUT unless like 2024Q3)."""
    match = QUARTER.fullmatch(quarter)
    if match is None:
        raise BadUserInput("quarter must look like 2024Q3", argument="quarter")
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    before = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Judged(DecisionKind.NOMINATION, quarter, _moment(start), _moment(before), grid[:9])


def year_judged(grid: str, year: str) -> Judged:
    """The district's confirmation of `grid` for `year` (BAD_USER_INPUT unless like 2024)."""
    if not YEAR.fullmatch(year):
        raise BadUserInput("year must look like 2024", argument="year")
    start, before = date(int(year), 1, 1), date(int(year) + 1, 1, 1)
    return Judged(DecisionKind.CONFIRMATION, year, _moment(start), _moment(before), grid[:6])


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except NotEligible as refused:
        raise BadUserInput(
            str(refused), argument="grid", reason=refused.reason.value, evidence=refused.evidence
        ) from None


async def decide(
    context: RequestContext,
    kind: DecisionKind,
    grid: str,
    period: str,
    idempotency_key: str | None,
) -> Decision:
    """Nominate (a quarter) or confirm (a year) a Fengqiao-style grid: one write transaction."""
    principal = context.principal
    _authorize(principal, kind)
    checked = _grid(grid)
    nominating = kind is DecisionKind.NOMINATION
    judged = quarter_judged(checked, period) if nominating else year_judged(checked, period)
    operation = f"fengqiao_{kind.value}"
    claim = claim_for(principal, operation, idempotency_key, {"grid": grid, "period": period})
    with client_errors(), _refusals():
        return await fengqiao_commands.decide(
            context.graph,
            checked,
            judged,
            fengqiao.load_rules(),
            principal.subject,
            now(),
            claim,
            principal.scope_codes,
        )
