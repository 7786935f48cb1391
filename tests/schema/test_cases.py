"""Cases over GraphQL: lookups, filters and sorting in Cypher, relationships, pagination."""

from __future__ import annotations

from starlette.testclient import TestClient

from graph.client import GraphClient
from tests.schema.conftest import errors_of, run

CASE_DETAIL = """
query CaseDetail($code: String!) {
  case(code: $code) {
    id code status reportedAt closedAt resolvedAtLevel
    grid { code community { code street { code district { code } } } }
    reporter { personId }
    parties { role person { personId name } }
    timeline { seq action status at }
    escalations { level at targetCode targetType }
    handlers { role handlerType key }
    relatedCases { reason case { code } }
  }
}
"""

STREET_CASES = """
query StreetCases($place: String, $filter: CaseFilter, $first: Int, $after: String) {
  cases(place: $place, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { code category status reportedAt grid { code } } }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id ... on Case { code } } }"


async def test_case_detail_walks_every_relationship(tiny: GraphClient, http: TestClient) -> None:
    # given an escalated case of the tiny seed
    [row] = await tiny.read(
        "MATCH (c:Case)-[:ESCALATED_TO]->() WITH c, count(*) AS n WHERE n >= 2 "
        "RETURN c.code AS code ORDER BY code LIMIT 1"
    )
    # when the frontend asks for its detail
    case = run(http, CASE_DETAIL, code=row["code"])["case"]
    # then the chain, the timeline and the parties come back in order
    assert case["grid"]["code"].startswith(case["grid"]["community"]["code"])
    assert case["grid"]["community"]["street"]["district"]["code"] == "370811"
    seqs = [event["seq"] for event in case["timeline"]]
    assert seqs == sorted(seqs) and len(seqs) >= 3
    assert case["timeline"][-1]["status"] == case["status"].lower()
    escalation_times = [e["at"] for e in case["escalations"]]
    assert escalation_times == sorted(escalation_times)
    assert {p["role"] for p in case["parties"]} <= {"APPLICANT", "RESPONDENT", "THIRD_PARTY"}
    assert any(p["role"] == "APPLICANT" for p in case["parties"])
    assert case["handlers"], "an escalated case has handlers"
    # and its global id finds it again
    assert run(http, NODE, id=case["id"])["node"]["code"] == row["code"]


async def test_filters_and_pages_run_in_cypher(tiny: GraphClient, http: TestClient) -> None:
    # given the count of closed neighbour disputes the database holds
    [expected] = await tiny.read(
        "MATCH (c:Case {status: 'closed', category: 'neighbour'}) RETURN count(c) AS n"
    )
    assert expected["n"] > 3
    case_filter = {"status": "CLOSED", "category": "neighbour"}
    # when pages of 2 are walked to the end
    seen, after, pages = [], None, 0
    while True:
        data = run(http, STREET_CASES, place="370811", filter=case_filter, first=2, after=after)
        connection = data["cases"]
        seen += [edge["node"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    # then every case matches, the count agrees, nothing repeats and order holds
    assert connection["totalCount"] == expected["n"] == len(seen)
    assert len({c["code"] for c in seen}) == len(seen)
    assert all(c["status"] == "CLOSED" and c["category"] == "neighbour" for c in seen)
    times = [c["reportedAt"] for c in seen]
    assert times == sorted(times, reverse=True)
    assert pages == (expected["n"] + 1) // 2


async def test_open_filter_splits_cases_by_status(tiny: GraphClient, http: TestClient) -> None:
    [counts] = await tiny.read(
        "MATCH (c:Case) RETURN count(c) AS total, "
        "count(CASE WHEN c.status IN ['resolved', 'closed'] THEN 1 END) AS done"
    )
    still_open = run(http, STREET_CASES, filter={"open": True}, first=100)["cases"]
    done = run(http, STREET_CASES, filter={"open": False}, first=1)["cases"]
    assert done["totalCount"] == counts["done"]
    assert still_open["totalCount"] == counts["total"] - counts["done"] > 0
    assert {e["node"]["status"] for e in still_open["edges"]}.isdisjoint({"RESOLVED", "CLOSED"})


async def test_place_filter_takes_any_level_and_date_range(
    tiny: GraphClient, http: TestClient
) -> None:
    [grid] = await tiny.read(
        "MATCH (g:Grid)<-[:OCCURRED_IN]-(c:Case) WITH g, count(c) AS n "
        "RETURN g.code AS code, n ORDER BY n DESC, code LIMIT 1"
    )
    by_grid = run(http, STREET_CASES, place=grid["code"], first=100)["cases"]
    assert by_grid["totalCount"] == grid["n"]
    assert {e["node"]["grid"]["code"] for e in by_grid["edges"]} == {grid["code"]}
    community = run(http, STREET_CASES, place=grid["code"][:12], first=1)["cases"]
    assert community["totalCount"] >= grid["n"]
    window = {"reportedFrom": "2024-04-01", "reportedBefore": "2024-07-01"}
    in_window = run(http, STREET_CASES, place="370811", filter=window, first=100)["cases"]
    assert all(
        "2024-04-01" <= e["node"]["reportedAt"][:10] < "2024-07-01" for e in in_window["edges"]
    )


def test_bad_input_gets_stable_codes(tiny: GraphClient, http: TestClient) -> None:
    too_big = errors_of(http, STREET_CASES, first=101)
    assert too_big[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 0 and 100" in too_big[0]["message"]
    assert (
        errors_of(http, STREET_CASES, after="bm9wZQ")[0]["extensions"]["code"] == "BAD_USER_INPUT"
    )
    assert errors_of(http, STREET_CASES, place="37081")[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors_of(http, STREET_CASES, place="370899")[0]["extensions"]["code"] == "NOT_FOUND"
    bad_date = errors_of(http, STREET_CASES, filter={"reportedFrom": "2024-13-01"})
    assert bad_date[0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_enum = errors_of(http, STREET_CASES, filter={"status": "LOST"})
    assert bad_enum[0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_category = errors_of(http, STREET_CASES, filter={"category": "astrology"})
    assert bad_category[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "filter.category",
    }
    assert "neighbour" in bad_category[0]["message"]
    unknown = errors_of(http, CASE_DETAIL, code="RC1999-000000")
    assert unknown[0]["extensions"]["code"] == "NOT_FOUND"
    assert errors_of(http, NODE, id="%%%")[0]["extensions"]["code"] == "BAD_USER_INPUT"


COUNTS_ONLY = """
query Counts($place: String!) {
  community(code: $place) { cases { totalCount } residents { totalCount } }
}
"""


async def test_a_count_alone_reads_no_nodes_but_counts_right(
    tiny: GraphClient, http: TestClient
) -> None:
    [expected] = await tiny.read(
        "MATCH (c:Community) WITH c ORDER BY c.code LIMIT 1 "
        "RETURN c.code AS code, "
        "COUNT { (c)<-[:PART_OF]-(:Grid)<-[:OCCURRED_IN]-(:Case) } AS cases, "
        "COUNT { (c)<-[:PART_OF]-(:Grid)<-[:RESIDES_IN]-(:Person) } AS residents"
    )
    community = run(http, COUNTS_ONLY, place=expected["code"])["community"]
    assert community == {
        "cases": {"totalCount": expected["cases"]},
        "residents": {"totalCount": expected["residents"]},
    }
