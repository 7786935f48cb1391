"""GraphQL type of quarterly grid-worker evaluations (履职评估); the bottom 5% are flagged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from graph import evaluations
from resolvers import evaluation_mutations as resolve_evaluations
from resolvers.context import RequestContext
from resolvers.reads import first_node, neighbours
from resolvers.relations import Shape, relation
from schema.builders import builds
from schema.persons import Person
from schema.places import Grid
from schema.relay import Node, global_id

Context = Info[RequestContext, None]


@builds(evaluations.EVALUATION)
@strawberry.type(description="One quarter's evaluation of a grid worker in a grid.")
class GridWorkerEvaluation(Node):
    evaluation_id: str = strawberry.field(description="Quarter + '-' + grid code.")
    quarter: str = strawberry.field(description="e.g. 2024Q3.")
    score: float = strawberry.field(description="0-100.")
    rank: int = strawberry.field(description="1 = best in the district that quarter.")
    bottom5: bool = strawberry.field(description="In the bottom 5% of the quarter.")
    warned_at: datetime | None = strawberry.field(
        description="When the street recorded a warning (末位 → 诫勉) for this quarter, if any."
    )
    warning: str | None = strawberry.field(description="Why (the street's words).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GridWorkerEvaluation:
        return cls(
            id=global_id("GridWorkerEvaluation", row["id"]),
            evaluation_id=row["id"],
            quarter=row["quarter"],
            score=row["score"],
            rank=row["rank"],
            bottom5=row["bottom5"],
            warned_at=row.get("warnedAt"),
            warning=row.get("warning"),
        )

    @strawberry.field(description="The grid worker evaluated.")
    @relation(evaluations.EVALUATION_WORKER, Shape.ONE)
    async def worker(self, info: Context) -> Person | None:
        return first_node(Person.from_row, await neighbours(info, self.evaluation_id))

    @strawberry.field(description="The grid the evaluation is for.")
    @relation(evaluations.EVALUATION_GRID, Shape.ONE)
    async def grid(self, info: Context) -> Grid | None:
        return first_node(Grid.from_row, await neighbours(info, self.evaluation_id))


@strawberry.type(description="What warnGridWorker recorded.")
class GridWorkerWarningPayload:
    evaluation_id: str
    worker_id: str
    warned_at: datetime
    replayed: bool


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation(
        description="The street warns (诫勉) the grid's worker its quarter flagged at the bottom"
        " 5% (末位): recorded on that evaluation (when, by whom, why), once; the replacement"
        " (replaceGridWorker) may follow. Street officers of the grid's street, admins."
    )
    async def warn_grid_worker(
        self,
        info: Context,
        grid: str,
        quarter: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> GridWorkerWarningPayload:
        done = await resolve_evaluations.warn(info.context, grid, quarter, reason, idempotency_key)
        return GridWorkerWarningPayload(
            evaluation_id=done.evaluation,
            worker_id=done.worker,
            warned_at=datetime.fromisoformat(done.warned_at),
            replayed=done.replayed,
        )
