"""Fengqiao-style grid decisions made through the API (枫桥式网格, 季度提名、年度确定), each ONE
write transaction with an optional idempotency claim (graph/claimed_writes.py).

The street nominates one of its grids for a quarter that is over; the district confirms a
grid for a year that is over. The evidence is read from the graph in the same transaction,
the department data the article names: the ten-no (十无) record (the period's breaching
cases), the resolved-in-grid rate (resolved in the grid / resolved) and the mean
satisfaction of the period's cases. A grid out of the caller's scope is TargetNotFound,
exactly as an unknown one; a refusal (`NotEligible`, with a stable reason) writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, LiteralString

from graph import fengqiao
from graph.case_commands import IdempotencyClaim, Target
from graph.case_commands.scoped import require
from graph.claimed_writes import run_claimed
from graph.client import GraphClient, TransactionWriter, to_native
from graph.fengqiao import DecisionKind, FengqiaoRules
from graph.traversal import Scope


class Refusal(StrEnum):
    """Why a decision is refused (the error's `reason` extension)."""

    PERIOD_NOT_OVER = "PERIOD_NOT_OVER"  # decisions follow the quarter or year they judge
    ALREADY_DECIDED = "ALREADY_DECIDED"  # one nomination per grid and quarter, one confirmation
    TEN_NO_BREACHED = "TEN_NO_BREACHED"  # a case of the period breaches one of the ten "no"s
    BELOW_THRESHOLD = "BELOW_THRESHOLD"  # resolved-in-grid rate or satisfaction too low
    TOO_FEW_NOMINATIONS = "TOO_FEW_NOMINATIONS"  # a confirmation needs the year's nominations


class NotEligible(ValueError):
    """The grid may not get this decision; `reason` is stable, `evidence` what was found."""

    def __init__(self, message: str, reason: Refusal, evidence: dict[str, Any]) -> None:
        super().__init__(message)
        self.reason = reason
        self.evidence = evidence


# The period's record of one grid: cases reported in [$from, $before), the breaching ones,
# how many were resolved and resolved in the grid, their ratings; and the grid's decisions.
EVIDENCE: LiteralString = """
MATCH (g:Grid {code: $grid})
OPTIONAL MATCH (g)<-[:OCCURRED_IN]-(c:Case)
  WHERE c.reportedAt >= $from AND c.reportedAt < $before
WITH g, collect(c) AS cases
RETURN size(cases) AS caseCount,
       [c IN cases WHERE c.tenNoItem IS NOT NULL | c.code] AS breachingCases,
       size([c IN cases WHERE c.resolvedAtLevel IS NOT NULL]) AS resolved,
       size([c IN cases WHERE c.resolvedAtLevel = 'grid']) AS resolvedInGrid,
       [c IN cases WHERE c.satisfaction IS NOT NULL | c.satisfaction] AS ratings,
       EXISTS { MATCH (g)<-[:FOR_GRID]-(:FengqiaoDecision {id: $id}) } AS decided,
       COUNT { MATCH (g)<-[:FOR_GRID]-(n:FengqiaoDecision {kind: 'nomination'})
               WHERE n.period STARTS WITH $year } AS nominations
"""


@dataclass(frozen=True)
class Decision:
    """A decision as recorded (the stored node's properties)."""

    id: str
    kind: str
    period: str
    grid: str
    decided_at: str
    decided_by: str
    ten_no_passed: bool
    breaching_cases: list[str]
    resolved_in_grid_rate: float | None
    mean_satisfaction: float | None
    case_count: int
    replayed: bool = False


def _encode(decision: Decision) -> str:
    return json.dumps({k: v for k, v in vars(decision).items() if k != "replayed"})


def _decode(text: str) -> Decision:
    return Decision(**json.loads(text), replayed=True)


def _evidence(row: dict[str, Any]) -> dict[str, Any]:
    ratings = row["ratings"]
    return {
        "tenNoPassed": not row["breachingCases"],
        "breachingCases": sorted(row["breachingCases"]),
        "resolvedInGridRate": round(row["resolvedInGrid"] / row["resolved"], 3)
        if row["resolved"]
        else None,
        "meanSatisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "caseCount": row["caseCount"],
    }


@dataclass(frozen=True)
class Judged:
    """What a decision is about: its kind, period and window, and who decides."""

    kind: DecisionKind
    period: str  # 2024Q3 or 2024
    start: datetime
    before: datetime
    decided_by: str  # the street's code (nomination) or the district's (confirmation)


def _check(judged: Judged, row: dict[str, Any], rules: FengqiaoRules, at: datetime) -> None:
    evidence = _evidence(row)
    if at < judged.before:
        raise NotEligible(f"{judged.period} is not over yet", Refusal.PERIOD_NOT_OVER, evidence)
    if row["decided"]:
        message = f"the grid already has a {judged.kind.value} for {judged.period}"
        raise NotEligible(message, Refusal.ALREADY_DECIDED, evidence)
    if not evidence["tenNoPassed"]:
        message = (
            f"a ten-no (十无) item is breached in {judged.period}: {evidence['breachingCases']}"
        )
        raise NotEligible(message, Refusal.TEN_NO_BREACHED, evidence)
    if judged.kind is DecisionKind.NOMINATION:
        rate, mood = evidence["resolvedInGridRate"], evidence["meanSatisfaction"]
        low_rate = rate is not None and rate < rules.nominate_resolved_in_grid_at_least
        low_mood = mood is not None and mood < rules.nominate_satisfaction_at_least
        if low_rate or low_mood:
            message = (
                f"resolved in the grid {rate}, satisfaction {mood}: a nomination needs at least"
                f" {rules.nominate_resolved_in_grid_at_least} and"
                f" {rules.nominate_satisfaction_at_least}"
            )
            raise NotEligible(message, Refusal.BELOW_THRESHOLD, evidence)
    elif row["nominations"] < rules.confirm_nominated_quarters:
        message = (
            f"nominated in {row['nominations']} quarters of {judged.period}; a confirmation"
            f" needs {rules.confirm_nominated_quarters}"
        )
        raise NotEligible(message, Refusal.TOO_FEW_NOMINATIONS, evidence)


async def decide(
    graph: GraphClient,
    grid: str,
    judged: Judged,
    rules: FengqiaoRules,
    subject: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> Decision:
    """Nominate or confirm `grid` for `judged.period` on the evidence found now."""
    decision_id = f"FQ-{judged.period}-{grid}"

    async def work(tx: TransactionWriter) -> Decision:
        await require(tx, Target.GRID, [grid], "grid", scope)
        params = {
            "grid": grid,
            "from": judged.start,
            "before": judged.before,
            "id": decision_id,
            "year": judged.period[:4],
        }
        [found] = await tx.write(EVIDENCE, params)
        row = to_native(found)
        _check(judged, row, rules, at)
        evidence = _evidence(row)
        stored = {
            "id": decision_id,
            "kind": judged.kind.value,
            "period": judged.period,
            "decidedAt": at,
            "decidedBy": judged.decided_by,
            "recordedBy": subject,
            "gridCode": grid,
            **evidence,
        }
        await fengqiao.upsert_decisions(tx, [stored])
        return Decision(
            id=decision_id,
            kind=judged.kind.value,
            period=judged.period,
            grid=grid,
            decided_at=at.isoformat(),
            decided_by=judged.decided_by,
            ten_no_passed=evidence["tenNoPassed"],
            breaching_cases=evidence["breachingCases"],
            resolved_in_grid_rate=evidence["resolvedInGridRate"],
            mean_satisfaction=evidence["meanSatisfaction"],
            case_count=evidence["caseCount"],
        )

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require(tx, Target.GRID, [grid], "grid", scope)

    return await run_claimed(graph, claim, at, work, _encode, _decode, grid_still_visible)
