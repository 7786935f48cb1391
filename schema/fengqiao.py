"""GraphQL type of Fengqiao-style grid decisions (枫桥式网格: 季度提名、年度确定)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import fengqiao
from graph.fengqiao import DecisionKind as GraphDecisionKind
from graph.fengqiao_commands import Decision
from resolvers import fengqiao_mutations as resolve
from resolvers.context import RequestContext
from schema.builders import builds

Context = Info[RequestContext, None]

strawberry.enum(
    GraphDecisionKind,
    name="FengqiaoDecisionKind",
    description="The street's quarterly nomination or the district's yearly confirmation.",
)


@builds(fengqiao.DECISION)
@strawberry.type(
    description="A decision on a Fengqiao-style grid (枫桥式网格): who decided, when, for which"
    " period, and the evidence it rested on."
)
class FengqiaoDecision:
    decision_id: str
    kind: GraphDecisionKind
    period: str = strawberry.field(description="A quarter (2024Q3) or a year (2024).")
    decided_at: datetime
    decided_by: str = strawberry.field(description="The street's or the district's code.")
    ten_no_passed: bool = strawberry.field(description="No ten-no (十无) breach in the period.")
    resolved_in_grid_rate: float | None = strawberry.field(
        description="Share of the period's cases resolved in the grid (null: no case)."
    )
    mean_satisfaction: float | None
    case_count: int
    breaching_cases: list[str] = strawberry.field(
        description="The ten-no record: codes of the period's cases breaching an item (a"
        " decision is made only on a clean record, so empty unless the data changed since)."
    )
    recorded_by: str | None = strawberry.field(
        description="The officer (token subject) who made it through the API; null for the"
        " seeded history."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FengqiaoDecision:
        return cls(
            decision_id=row["id"],
            kind=GraphDecisionKind(row["kind"]),
            period=row["period"],
            decided_at=row["decidedAt"],
            decided_by=row["decidedBy"],
            ten_no_passed=row["tenNoPassed"],
            resolved_in_grid_rate=row.get("resolvedInGridRate"),
            mean_satisfaction=row.get("meanSatisfaction"),
            case_count=row["caseCount"],
            breaching_cases=list(row.get("breachingCases") or []),
            recorded_by=row.get("recordedBy"),
        )

    @classmethod
    def of(cls, decision: Decision, subject: str) -> FengqiaoDecision:
        """The decision a mutation recorded."""
        return cls(
            decision_id=decision.id,
            kind=GraphDecisionKind(decision.kind),
            period=decision.period,
            decided_at=datetime.fromisoformat(decision.decided_at),
            decided_by=decision.decided_by,
            ten_no_passed=decision.ten_no_passed,
            resolved_in_grid_rate=decision.resolved_in_grid_rate,
            mean_satisfaction=decision.mean_satisfaction,
            case_count=decision.case_count,
            breaching_cases=decision.breaching_cases,
            recorded_by=subject,
        )


@strawberry.type(description="What a Fengqiao-style grid decision recorded.")
class FengqiaoDecisionPayload:
    grid_code: str
    decision: FengqiaoDecision
    replayed: bool = strawberry.field(
        description="True when a retry with the same idempotencyKey got the first result."
    )


@strawberry.type(
    description="Fengqiao-style grids (枫桥式网格) of a place for a period, three separate"
    " things: eligible (no ten-no breach in the period, computed), nominated by the street"
    " and confirmed by the district (stored decisions, made on more than eligibility)."
)
class FengqiaoStanding:
    eligible_grid_count: int = strawberry.field(
        description="Grids with no ten-no (十无) breach in the period (qualifyingGridCount)."
    )
    nominated_grid_count: int = strawberry.field(
        description="Grids the street nominated (季度提名): for a year, in any of its quarters."
    )
    nominated_grid_codes: list[str]
    confirmed_grid_count: int = strawberry.field(
        description="Grids the district confirmed for the year (年度确定); 0 for a quarter."
    )
    confirmed_grid_codes: list[str]


async def fengqiao_standing(
    info: Context, place_code: str, period: str, eligible: int
) -> FengqiaoStanding:
    """The stored decisions of the grids under `place_code` for `period`, beside eligibility."""
    scope = info.context.principal.scope_codes
    row = await fengqiao.standing(info.context.graph, place_code, period, scope)
    return FengqiaoStanding(
        eligible_grid_count=eligible,
        nominated_grid_count=len(row["nominated"]),
        nominated_grid_codes=list(row["nominated"]),
        confirmed_grid_count=len(row["confirmed"]),
        confirmed_grid_codes=list(row["confirmed"]),
    )


IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="A key unique to this call (1-200 characters): a retry with the same key"
        " returns the first result and changes nothing."
    ),
]


def _payload(decision: Decision, subject: str) -> FengqiaoDecisionPayload:
    return FengqiaoDecisionPayload(
        grid_code=decision.grid,
        decision=FengqiaoDecision.of(decision, subject),
        replayed=decision.replayed,
    )


@strawberry.type
class FengqiaoMutation:
    @strawberry.mutation(
        description="The street nominates one of its grids as a Fengqiao-style grid for a"
        " quarter that is over (季度提名): no ten-no (十无) breach in the quarter, resolved in"
        " the grid and satisfaction at least policy.toml [fengqiao]'s thresholds. Street"
        " officers of the grid's street, admins. Refusals: BAD_USER_INPUT with `reason`"
        " (PERIOD_NOT_OVER, ALREADY_DECIDED, TEN_NO_BREACHED, BELOW_THRESHOLD) and `evidence`."
    )
    async def nominate_fengqiao_grid(
        self, info: Context, grid: str, quarter: str, idempotency_key: IdempotencyKey = None
    ) -> FengqiaoDecisionPayload:
        kind = GraphDecisionKind.NOMINATION
        done = await resolve.decide(info.context, kind, grid, quarter, idempotency_key)
        return _payload(done, info.context.principal.subject)

    @strawberry.mutation(
        description="The district confirms a Fengqiao-style grid for a year that is over"
        " (年度确定) on the departments' data: no ten-no breach all year and nominated in at"
        " least policy.toml [fengqiao]'s number of its quarters. Hotline operators (任诚办, the"
        " district office), admins. Refusals as nominateFengqiaoGrid, and TOO_FEW_NOMINATIONS."
    )
    async def confirm_fengqiao_grid(
        self, info: Context, grid: str, year: str, idempotency_key: IdempotencyKey = None
    ) -> FengqiaoDecisionPayload:
        kind = GraphDecisionKind.CONFIRMATION
        done = await resolve.decide(info.context, kind, grid, year, idempotency_key)
        return _payload(done, info.context.principal.subject)
