"""The street's quarterly evaluation of a grid worker and the replacement that may follow
(末位淘汰), each ONE write transaction with an optional idempotency claim.

As for the case workflow (graph/case_commands), the grid and persons named are matched with
the caller's row scope inside the transaction (out of scope is TargetNotFound, as unknown),
a key already holding a result answers with it and writes nothing, and anything raised
rolls everything back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString, TypeVar

from graph import evaluations
from graph.case_commands import CommandRefused, IdempotencyClaim, Target
from graph.case_commands.scoped import require
from graph.claimed_writes import run_claimed
from graph.client import GraphClient, TransactionWriter
from graph.policy import EvaluationRules
from graph.traversal import Scope

# The worker's evaluation of the quarter flagged them in the bottom share (末位).
FLAGGED: LiteralString = """
MATCH (:Person {id: $worker})-[:EVALUATED]->(e:GridWorkerEvaluation {id: $id})
WHERE e.bottom5
RETURN e.id AS id, e.warnedAt AS warnedAt
"""


@dataclass(frozen=True)
class EvaluationRecord:
    """An evaluation as recorded: its id, worker, total, rank and flag."""

    id: str
    worker: str
    score: float
    rank: int
    bottom5: bool
    replayed: bool = False


@dataclass(frozen=True)
class Replacement:
    """Who left the grid and who took it."""

    grid: str
    former: str
    successor: str
    replayed: bool = False


@dataclass(frozen=True)
class WorkerWarning:
    """The warning recorded on a flagged evaluation."""

    evaluation: str
    worker: str
    warned_at: str
    replayed: bool = False


R = TypeVar("R", EvaluationRecord, Replacement, WorkerWarning)


def _encode(result: EvaluationRecord | Replacement | WorkerWarning) -> str:
    return json.dumps({key: value for key, value in vars(result).items() if key != "replayed"})


def _decoder(kind: type[R]) -> Callable[[str], R]:
    def decode(text: str) -> R:
        return kind(**json.loads(text), replayed=True)

    return decode


async def _worker_of(tx: TransactionWriter, grid: str, scope: Scope) -> str:
    await require(tx, Target.GRID, [grid], "grid", scope)
    worker = await evaluations.current_worker(tx, grid)
    if worker is None:
        raise CommandRefused(f"grid {grid} has no grid worker now", "grid")
    return worker


async def record_evaluation(
    graph: GraphClient,
    grid: str,
    quarter: str,
    scores: Mapping[str, float],
    rules: EvaluationRules,
    subject: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> EvaluationRecord:
    """Record the quarter's evaluation of the grid's current worker and re-rank the quarter."""

    async def work(tx: TransactionWriter) -> EvaluationRecord:
        worker = await _worker_of(tx, grid, scope)
        codes = [item.code for item in rules.items]
        evaluation_id = f"{quarter}-{grid}"
        row = {
            "id": evaluation_id,
            "worker": worker,
            "grid": grid,
            "quarter": quarter,
            "score": rules.total(scores),
            "items": codes,
            "itemScores": [float(scores[code]) for code in codes],
            "subject": subject,
            "at": at,
            "share": rules.bottom_share,
        }
        found = await evaluations.record_evaluation(tx, row)
        return EvaluationRecord(
            evaluation_id, worker, found["score"], found["rank"], found["bottom5"]
        )

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require(tx, Target.GRID, [grid], "grid", scope)

    return await run_claimed(
        graph, claim, at, work, _encode, _decoder(EvaluationRecord), grid_still_visible
    )


async def replace_worker(
    graph: GraphClient,
    grid: str,
    quarter: str,
    successor: str,
    reason: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> Replacement:
    """Replace the grid's worker flagged in the bottom share of `quarter` by `successor`."""

    async def work(tx: TransactionWriter) -> Replacement:
        worker = await _worker_of(tx, grid, scope)
        await require(tx, Target.PERSON, [successor], "successor", scope)
        if successor == worker:
            raise CommandRefused("the successor already works this grid", "successor")
        flagged = await tx.write(FLAGGED, {"id": f"{quarter}-{grid}", "worker": worker})
        if not flagged:
            message = f"the grid's worker is not in the bottom of {quarter}'s evaluation"
            raise CommandRefused(message, "quarter")
        row = {"grid": grid, "worker": worker, "successor": successor, "at": at}
        await evaluations.replace_worker(tx, {**row, "reason": reason})
        return Replacement(grid, worker, successor)

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require(tx, Target.GRID, [grid], "grid", scope)

    return await run_claimed(
        graph, claim, at, work, _encode, _decoder(Replacement), grid_still_visible
    )


async def warn_worker(
    graph: GraphClient,
    grid: str,
    quarter: str,
    reason: str,
    subject: str,
    at: datetime,
    claim: IdempotencyClaim | None = None,
    scope: Scope = None,
) -> WorkerWarning:
    """Record the street's warning to the grid's worker flagged at the bottom of `quarter`."""

    async def work(tx: TransactionWriter) -> WorkerWarning:
        worker = await _worker_of(tx, grid, scope)
        evaluation_id = f"{quarter}-{grid}"
        flagged = await tx.write(FLAGGED, {"id": evaluation_id, "worker": worker})
        if not flagged:
            message = f"the grid's worker is not in the bottom of {quarter}'s evaluation"
            raise CommandRefused(message, "quarter")
        if flagged[0]["warnedAt"] is not None:
            raise CommandRefused(f"the worker was already warned for {quarter}", "quarter")
        params = {"id": evaluation_id, "worker": worker, "at": at, "subject": subject}
        await tx.write(evaluations.WARN_WORKER, {**params, "reason": reason})
        return WorkerWarning(evaluation_id, worker, at.isoformat())

    async def grid_still_visible(tx: TransactionWriter) -> None:
        await require(tx, Target.GRID, [grid], "grid", scope)

    return await run_claimed(
        graph, claim, at, work, _encode, _decoder(WorkerWarning), grid_still_visible
    )
