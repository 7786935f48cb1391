"""GraphiQL (development) is served from the service's own assets and runs a query."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from tests.web.conftest import LiveServer

DISTRICTS = "query Districts { districts { code name streets { code name } } }"


async def test_the_page_names_no_other_host(api: httpx.AsyncClient) -> None:
    # given the development service
    # when a browser asks for /graphql
    response = await api.get("/graphql", headers={"Accept": "text/html"})
    # then it gets the bundled page: assets from /app/assets, no outside URL, CSP 'self'
    assert response.status_code == 200
    page = response.text
    assert "/app/assets/" in page
    assert "http://" not in page and "https://" not in page and "//unpkg" not in page
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_graphiql_renders_and_runs_a_query(
    page: Page, live_server: LiveServer, api: httpx.AsyncClient
) -> None:
    # given what the API answers to the page's default query
    answer = await api.post("/graphql", json={"query": DISTRICTS})
    expected = answer.json()["data"]["districts"]
    street = expected[0]["streets"][0]["name"]
    # when GraphiQL loads and its default query runs
    await page.goto(f"{live_server.url}/graphql")
    run = page.locator(".graphiql-execute-button")
    await expect(run).to_be_visible(timeout=30_000)
    await expect(page.locator(".graphiql-editor").first).to_contain_text("districts")
    await run.click()
    # then the response pane shows the districts and their streets
    response = page.locator(".graphiql-response")
    await expect(response).to_contain_text(expected[0]["code"], timeout=30_000)
    await expect(response).to_contain_text(street)
