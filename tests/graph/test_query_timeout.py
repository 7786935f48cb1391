"""Every Cypher query of GraphClient runs under the configured Neo4j transaction timeout.

Neo4j checks running transactions against their timeout periodically (every couple of
seconds by default), so these queries would run for minutes and are stopped within seconds.
"""

from __future__ import annotations

import asyncio

import pytest
from graphql import GraphQLError
from neo4j.exceptions import Neo4jError

from graph.client import GraphClient, TransactionWriter
from schema.error_codes import TIMEOUT_MESSAGE, classify, is_timeout

# Counts to ten billion: minutes of work, unless the timeout stops it.
SLOW_READ = "UNWIND range(1, 10000000000) AS n RETURN count(n) AS n"
SLOW_WRITE = "UNWIND range(1, 10000000000) AS n WITH count(n) AS n MERGE (:Slow {n: n})"
GIVE_UP_S = 60  # the test fails instead of hanging if the timeout did not work


@pytest.fixture
def impatient(graph: GraphClient) -> GraphClient:
    """A client on the session's driver whose queries may run for a tenth of a second."""
    return GraphClient(graph.driver, graph.database, query_timeout_s=0.1)


async def test_a_slow_read_is_stopped_and_reported_as_timeout(impatient: GraphClient) -> None:
    # given a client with a tiny timeout
    # when a read that would take minutes runs through it
    with pytest.raises(Neo4jError) as stopped:
        async with asyncio.timeout(GIVE_UP_S):
            await impatient.read(SLOW_READ)
    # then Neo4j stopped it, and a GraphQL client sees TIMEOUT with a plain message
    assert is_timeout(stopped.value), stopped.value.code
    shown = classify(GraphQLError("boom", original_error=stopped.value))
    assert (shown.message, shown.extensions) == (TIMEOUT_MESSAGE, {"code": "TIMEOUT"})


async def test_slow_writes_are_stopped_too(impatient: GraphClient) -> None:
    # given a client with a tiny timeout
    # when a write and a transaction function run past it
    with pytest.raises(Neo4jError) as write:
        async with asyncio.timeout(GIVE_UP_S):
            await impatient.write(SLOW_WRITE)

    async def work(tx: TransactionWriter) -> None:
        await tx.write(SLOW_WRITE)

    with pytest.raises(Neo4jError) as transaction:
        async with asyncio.timeout(GIVE_UP_S):
            await impatient.in_one_transaction(work)
    with pytest.raises(Neo4jError) as statement:
        async with asyncio.timeout(GIVE_UP_S):
            await impatient.write_statement(SLOW_WRITE)
    # then all three are stopped as timeouts and nothing was written
    assert is_timeout(write.value), write.value.code
    assert is_timeout(transaction.value), transaction.value.code
    assert is_timeout(statement.value), statement.value.code
    assert await impatient.read("MATCH (s:Slow) RETURN count(s) AS n") == [{"n": 0}]


async def test_a_write_statement_that_fails_part_way_writes_nothing(graph: GraphClient) -> None:
    # One statement is its own auto-commit transaction (GraphClient.write_statement): the
    # node created for the first row goes when the second row fails.
    failing = "UNWIND [1, 0] AS i CREATE (:PartWay {i: i}) RETURN 10 / i AS n"
    with pytest.raises(Neo4jError):
        await graph.write_statement(failing)
    assert await graph.read("MATCH (p:PartWay) RETURN count(p) AS n") == [{"n": 0}]
    created = await graph.write_statement("CREATE (p:PartWay {i: 1}) RETURN p.i AS i")
    assert created == [{"i": 1}]
    await graph.write("MATCH (p:PartWay) DELETE p")


async def test_quick_queries_are_unaffected_by_the_timeout(impatient: GraphClient) -> None:
    assert await impatient.read("RETURN 1 AS one") == [{"one": 1}]


async def test_other_database_errors_are_not_timeouts(impatient: GraphClient) -> None:
    with pytest.raises(Neo4jError) as failed:
        await impatient.read("RETURN nonsense(")
    assert not is_timeout(failed.value)
    assert not is_timeout(RuntimeError(failed.value.code))
