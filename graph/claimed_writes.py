"""A write as ONE transaction with an optional idempotency claim: the building block of every
mutation (case workflow, evaluations, graph upkeep).

The claim is taken first, inside the write transaction: a key that already holds a result
answers with that result and writes nothing; a key taken by a different call is KeyReused;
anything raised afterwards rolls back the claim with everything else, so a failed call can be
retried with the same key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from graph.case_commands import cypher as claims
from graph.case_commands.model import IdempotencyClaim, KeyReused
from graph.client import GraphClient, TransactionWriter

T = TypeVar("T")


async def replayed(tx: TransactionWriter, claim: IdempotencyClaim, at: datetime) -> str | None:
    """Take the key (None), or get the stored result (JSON text) of the call that took it."""
    params = {
        "key": claim.key,
        "operation": claim.operation,
        "fingerprint": claim.fingerprint,
        "subject": claim.subject,
        "at": at,
    }
    [row] = await tx.write(claims.CLAIM_KEY, params)
    if row["result"] is None:
        return None
    if row["fingerprint"] != claim.fingerprint:
        raise KeyReused("this idempotency key was already used for another call")
    result: str = row["result"]
    return result


async def store(
    tx: TransactionWriter,
    claim: IdempotencyClaim | None,
    result: str,
    case_code: str | None = None,
) -> None:
    """Keep the call's result (JSON text) on its key, for retries."""
    if claim is not None:
        params = {"key": claim.key, "result": result, "caseCode": case_code}
        await tx.write(claims.STORE_RESULT, params)


async def run_claimed(
    graph: GraphClient,
    claim: IdempotencyClaim | None,
    at: datetime,
    work: Callable[[TransactionWriter], Awaitable[T]],
    encode: Callable[[T], str],
    decode: Callable[[str], T],
    check_replay: Callable[[TransactionWriter], Awaitable[None]] | None = None,
) -> T:
    """Run `work` in one write transaction behind `claim`.

    A replay returns `decode(stored)` after `check_replay` (e.g. the caller may still see the
    subject: raise to refuse); a first call runs `work` and stores `encode(result)`.
    """

    async def transaction(tx: TransactionWriter) -> T:
        if claim is not None and (stored := await replayed(tx, claim, at)) is not None:
            if check_replay is not None:
                await check_replay(tx)
            return decode(stored)
        result = await work(tx)
        await store(tx, claim, encode(result))
        return result

    return await graph.in_one_transaction(transaction)
