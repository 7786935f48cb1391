"""The investigators' explorer in a real browser: log in, search, draw, expand, path, timeline,
scope and masking. What the page should show is asked from the API with the same token."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from server.settings import Settings
from tests.tokens import hs256
from tests.web.app_page import (
    WAIT_MS,
    api_data,
    click_node,
    drawn_ids,
    global_id,
    log_in,
    search_and_draw,
    wait_for_count,
)

DISTRICT = "370811"
REPEAT = "query Repeat { repeatDisputants(minCases: 2, first: 1) { personId name } }"
REPEATS = "query Repeats { repeatDisputants(minCases: 2, first: 20) { personId name } }"
NETWORK = """
query Network($center: ID!, $hops: Int!, $maxNodes: Int!) {
  disputeNetwork(center: $center, hops: $hops, maxNodes: $maxNodes) {
    nodes { id type label } edges { id type source target }
  }
}"""
PATH = """
query Path($from: ID!, $to: ID!) {
  connections(from: $from, to: $to, maxHops: 6) { shortest { length nodes { id } } }
}"""
TIMELINE = "query Timeline($code: String!) { case(code: $code) { title timeline { action } } }"


@pytest.fixture(scope="module")
def investigator(settings: Settings) -> str:
    return hs256(settings, "investigator", [DISTRICT], subject="web-investigator")


@pytest.fixture(scope="module")
async def disputant(api: httpx.AsyncClient, investigator: str) -> dict[str, Any]:
    """A person party to two cases or more, and the network the page draws around them."""
    person = (await api_data(api, investigator, REPEAT))["repeatDisputants"][0]
    center = global_id("Person", person["personId"])
    network = await api_data(api, investigator, NETWORK, center=center, hops=2, maxNodes=200)
    return {"name": person["name"], "id": center, "network": network["disputeNetwork"]}


async def test_log_in_search_and_draw(
    page: Page, investigator: str, disputant: dict[str, Any]
) -> None:
    # given an investigator logged in with a token
    await log_in(page, investigator)
    await expect(page.get_by_test_id("who")).to_contain_text("investigator")
    # when they search the person's name and draw the network around the hit
    await search_and_draw(page, disputant["name"], disputant["id"])
    # then the drawing holds exactly the nodes the API returns, and the panel the person
    expected = {node["id"] for node in disputant["network"]["nodes"]}
    assert await drawn_ids(page) == expected
    await expect(page.get_by_test_id("details")).to_contain_text(disputant["name"])


async def test_expand_a_node(
    page: Page,
    api: httpx.AsyncClient,
    investigator: str,
    disputant: dict[str, Any],
) -> None:
    # given the disputant's one-hop network drawn, and a node of it with more neighbours
    one_hop = await api_data(
        api, investigator, NETWORK, center=disputant["id"], hops=1, maxNodes=200
    )
    drawn = {node["id"] for node in one_hop["disputeNetwork"]["nodes"]}
    target, expected = "", drawn
    for node in one_hop["disputeNetwork"]["nodes"]:
        if node["id"] == disputant["id"]:
            continue
        around = await api_data(api, investigator, NETWORK, center=node["id"], hops=1, maxNodes=200)
        expected = drawn | {found["id"] for found in around["disputeNetwork"]["nodes"]}
        if expected != drawn:
            target = node["id"]
            break
    assert target, "no node of the one-hop network has a neighbour outside it"
    await log_in(page, investigator)
    await page.get_by_test_id("hops").select_option("1")
    await search_and_draw(page, disputant["name"], disputant["id"])
    assert await drawn_ids(page) == drawn
    # when the investigator clicks the node and expands it
    await click_node(page, target)
    await page.locator("[data-action=expand]").click()
    # then its neighbours join the drawing; undo takes them away again
    await wait_for_count(page, len(expected))
    assert await drawn_ids(page) == expected
    await page.locator("[data-action=undo]").click()
    await wait_for_count(page, len(drawn))


async def test_path_between_two_entities(
    page: Page, api: httpx.AsyncClient, investigator: str, disputant: dict[str, Any]
) -> None:
    # given the drawn network and two of its entities far apart
    await log_in(page, investigator)
    await search_and_draw(page, disputant["name"], disputant["id"])
    nodes = disputant["network"]["nodes"]
    first, last = disputant["id"], nodes[-1]["id"]
    path = await api_data(api, investigator, PATH, **{"from": first, "to": last})
    shortest = path["connections"]["shortest"]
    # when one is set as the start, the other as the end, and the path is asked for
    await click_node(page, first)
    await page.locator("[data-action=path-from]").click()
    await click_node(page, last)
    await page.locator("[data-action=path-to]").click()
    await page.locator("[data-action=find-path]").click()
    # then the panel lists the API's shortest path, marked on the drawing
    info = page.get_by_test_id("path-info")
    await expect(info).to_contain_text(f"路径长度: {shortest['length']}", timeout=WAIT_MS)
    await expect(page.get_by_test_id("path-nodes").locator("li")).to_have_count(
        len(shortest["nodes"])
    )
    marked: list[str] = await page.evaluate(
        "() => window.__gridgraph.explorer.canvas.cy.nodes('.on-path').map(n => n.id())"
    )
    assert set(marked) == {node["id"] for node in shortest["nodes"]}


async def test_case_timeline(
    page: Page, api: httpx.AsyncClient, investigator: str, disputant: dict[str, Any]
) -> None:
    # given a case of the drawn network and its timeline from the API
    await log_in(page, investigator)
    await search_and_draw(page, disputant["name"], disputant["id"])
    case = next(node for node in disputant["network"]["nodes"] if node["type"] == "Case")
    code = case["label"].split(" ")[0]
    expected = (await api_data(api, investigator, TIMELINE, code=code))["case"]
    # when the investigator clicks the case
    await click_node(page, case["id"])
    # then the side panel shows its title and every event of its timeline, in order
    details = page.get_by_test_id("details")
    await expect(details).to_contain_text(expected["title"], timeout=WAIT_MS)
    events = page.get_by_test_id("timeline").locator("li")
    await expect(events).to_have_count(len(expected["timeline"]))
    for index, event in enumerate(expected["timeline"]):
        await expect(events.nth(index)).to_contain_text(event["action"])


def decode(node_id: str) -> tuple[str, str]:
    """(type, key) of a global ID."""
    kind, _, key = base64.b64decode(node_id).decode().partition(":")
    return kind, key


def case_grids(network: dict[str, Any]) -> dict[str, str]:
    """Case id -> the code of the grid it occurred in (from the OCCURRED_IN edges)."""
    return {
        edge["source"]: decode(edge["target"])[1]
        for edge in network["edges"]
        if edge["type"] == "OCCURRED_IN"
    }


async def test_grid_scoped_principal_sees_only_its_grid(
    page: Page, api: httpx.AsyncClient, settings: Settings, investigator: str
) -> None:
    # given a disputant whose district-wide 3-hop network has cases in two grids or more
    people = await api_data(api, investigator, REPEATS)
    chosen: tuple[dict[str, Any], dict[str, str]] | None = None
    for person in people["repeatDisputants"]:
        center = global_id("Person", person["personId"])
        found = await api_data(api, investigator, NETWORK, center=center, hops=3, maxNodes=200)
        grids = case_grids(found["disputeNetwork"])
        if len(set(grids.values())) > 1:
            chosen = (person | {"id": center}, grids)
            break
    assert chosen, "no disputant's network spans two grids"
    person, grids = chosen
    mine = next(iter(grids.values()))  # the grid of one of the cases
    outside = {case_id for case_id, code in grids.items() if code != mine}
    # and a grid worker scoped to that grid
    worker = hs256(settings, "grid_worker", [mine], subject="web-grid-worker")
    # when the grid worker draws the same 3-hop network
    await log_in(page, worker)
    await page.get_by_test_id("hops").select_option("3")
    await search_and_draw(page, person["name"], person["id"])
    drawn = await drawn_ids(page)
    # then the grid's cases are drawn, and no case or grid outside the scope
    assert drawn & {case_id for case_id, code in grids.items() if code == mine}
    assert not drawn & outside
    for node_id in drawn:
        kind, key = decode(node_id)
        if kind == "Grid":
            assert key.startswith(mine)
        if kind == "Case":
            assert grids.get(node_id, mine) == mine


async def test_masked_identifiers(page: Page, disputant: dict[str, Any]) -> None:
    # given the developer of development mode, a role that gets identifiers masked
    await log_in(page, None)
    # when they open the person
    await search_and_draw(page, disputant["name"], disputant["id"])
    details = page.get_by_test_id("details")
    id_card = details.locator("[data-field=idCardNumber]")
    # then the ID-card number shows its first 6 and last 4 characters only, no birth date
    await expect(id_card).to_have_text(re.compile(r"^\d{6}\*{8}[\dX]{4}$"), timeout=WAIT_MS)
    await expect(details.locator("[data-field=birthDate]")).to_have_text("—")
    await expect(details.locator("[data-field=phone]")).to_have_text(
        re.compile(r"^(\d{3}\*{4}\d{4}|—)$")
    )
