"""GraphQL type of Fengqiao-style grid decisions (枫桥式网格: 季度提名、年度确定)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from graph import fengqiao
from graph.fengqiao import DecisionKind as GraphDecisionKind
from schema.builders import builds

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
        )
