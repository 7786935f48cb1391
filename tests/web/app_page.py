"""What the browser tests do on /app: log in, search, click nodes of the drawing, read it."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.tokens import bearer

WAIT_MS = 60_000  # a bound for slow, shared CI machines, not a performance target


async def api_data(
    api: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    """What the API answers (with the same token as the page): the expected picture."""
    headers = bearer(token) if token else {}
    response = await api.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def global_id(type_name: str, key: str) -> str:
    """A node's global ID (base64 of Type:key)."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


async def log_in(page: Page, token: str | None) -> None:
    """Open /app and log in with the token (None: the development mode's developer)."""
    await page.goto("/app/")
    if token is None:
        await page.get_by_test_id("as-developer").click()
    else:
        await page.get_by_test_id("token").fill(token)
        await page.get_by_test_id("login").click()
    await expect(page.get_by_test_id("who")).to_be_visible(timeout=WAIT_MS)


async def search_and_draw(page: Page, text: str, node_id: str) -> None:
    """Search `text`, then draw the network around the hit `node_id`."""
    await page.get_by_test_id("search-text").fill(text)
    await page.get_by_test_id("search-form").locator("button").click()
    await page.locator(f"[data-testid=results] button[data-id='{node_id}']").click()
    await expect(page.get_by_test_id("status")).to_contain_text("节点", timeout=WAIT_MS)


async def drawn_ids(page: Page) -> set[str]:
    """Ids of the visible nodes of the drawing."""
    ids: list[str] = await page.evaluate(
        "() => window.__gridgraph.explorer.canvas.cy.nodes(':visible').map(n => n.id())"
    )
    return set(ids)


async def wait_for_count(page: Page, expected: int) -> None:
    """Wait until the drawing holds `expected` visible nodes (fails after WAIT_MS)."""
    for _ in range(WAIT_MS // 100):
        if len(await drawn_ids(page)) == expected:
            return
        await asyncio.sleep(0.1)
    assert len(await drawn_ids(page)) == expected


async def click_node(page: Page, node_id: str) -> None:
    """A real mouse click on the node where it is drawn."""
    point: dict[str, float] = await page.evaluate(
        """(id) => {
            const cy = window.__gridgraph.explorer.canvas.cy;
            const node = cy.getElementById(id);
            const box = cy.container().getBoundingClientRect();
            const at = node.renderedPosition();
            return {x: box.left + at.x, y: box.top + at.y};
        }""",
        node_id,
    )
    await page.mouse.click(point["x"], point["y"])
    await expect(page.locator("[data-action=expand]")).to_be_visible()
    selected: list[str] = await page.evaluate(
        "() => window.__gridgraph.explorer.canvas.cy.nodes(':selected').map(n => n.id())"
    )
    assert selected == [node_id], f"clicked {node_id}, selected {selected}"
