"""The dashboards in a real browser: a scorecard, then drill-down street → community → grid →
case. What the page should show is asked from the API with the same token."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from server.settings import Settings
from tests.tokens import hs256
from tests.web.app_page import WAIT_MS, api_data, log_in

DISTRICT = "370811"
PERIOD = "2024"
NEWEST_CASE = """
query Newest {
  cases(first: 1) {
    edges { node { code title timeline { action }
      grid { code name community { code name street { code name } } } } }
  }
}"""
SCORES = """
query Scores($district: String!, $street: String!, $community: String!, $grid: String!,
             $period: String!) {
  districtScorecard(district: $district, period: $period) { caseCount }
  streetScorecard(street: $street, period: $period) { caseCount }
  communityScorecard(community: $community, period: $period) { caseCount }
  gridScorecard(grid: $grid, period: $period) { caseCount }
}"""


async def test_drill_down_to_a_case(page: Page, api: httpx.AsyncClient, settings: Settings) -> None:
    # given a street officer's view of the district (an investigator of the district here)
    token = hs256(settings, "investigator", [DISTRICT], subject="web-dashboard")
    case = (await api_data(api, token, NEWEST_CASE))["cases"]["edges"][0]["node"]
    grid = case["grid"]
    community = grid["community"]
    street = community["street"]
    scores = await api_data(
        api,
        token,
        SCORES,
        district=DISTRICT,
        street=street["code"],
        community=community["code"],
        grid=grid["code"],
        period=PERIOD,
    )
    await log_in(page, token)
    await page.get_by_test_id("tab-dashboard").click()
    cards = page.get_by_test_id("scorecard")
    crumbs = page.get_by_test_id("crumbs")
    # when the district's scorecard shows, then the street's, the community's, the grid's
    steps = [
        (None, "districtScorecard"),
        (street, "streetScorecard"),
        (community, "communityScorecard"),
        (grid, "gridScorecard"),
    ]
    for place, field in steps:
        if place is not None:
            await page.get_by_test_id("children").locator(f"[data-code='{place['code']}']").click()
            await expect(crumbs.locator(".current")).to_have_text(place["name"], timeout=WAIT_MS)
        # then each scorecard counts the place's cases of the period as the API does
        count = cards.locator(".card").first.locator(".card-value")
        await expect(count).to_have_text(str(scores[field]["caseCount"]), timeout=WAIT_MS)
    # and, at the grid, the case opens with its whole timeline
    await page.get_by_test_id("children").locator(f"[data-case='{case['code']}']").click()
    detail = page.get_by_test_id("case-detail")
    await expect(detail).to_contain_text(case["title"], timeout=WAIT_MS)
    await expect(detail.get_by_test_id("timeline").locator("li")).to_have_count(
        len(case["timeline"])
    )
    # and the trail leads back up to the district
    await crumbs.locator("[data-level=district]").click()
    await expect(crumbs.locator(".current")).to_have_attribute("data-level", "district")
