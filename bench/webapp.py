"""Load time and frame time of the web app's network drawing at 1,000 nodes (docs/webapp.md).

    .venv/bin/python -m bench.webapp [--url http://127.0.0.1:8000] [--nodes 1000]

Needs a running service in development mode (`make run`) and Debian's chromium. The page is
loaded as the development mode's developer; the `disputeNetwork` answer is replaced by a
deterministic synthetic network of `--nodes` nodes (the seeds' demo networks are smaller than
the API's 1,000-node cap), so what is measured is the browser's side: parsing, styling,
layout and drawing. Then the view is panned and zoomed for a number of frames and the time
between frames is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import random
import shutil
import statistics
from pathlib import Path
from typing import Any

from playwright.async_api import Page, Route, async_playwright

FRAMES = 180
RESULTS = Path(__file__).resolve().parent / "results"
# Pan and zoom for FRAMES animation frames; the gaps between frames are the frame times.
FRAME_LOOP = """
async (frames) => {
  const cy = window.__gridgraph.explorer.canvas.cy;
  const times = [];
  let last = performance.now();
  for (let i = 0; i < frames; i++) {
    cy.panBy({ x: Math.sin(i / 10) * 6, y: Math.cos(i / 10) * 6 });
    cy.zoom({ level: cy.zoom() * (i % 60 < 30 ? 1.01 : 0.99),
              renderedPosition: { x: 400, y: 300 } });
    await new Promise(requestAnimationFrame);
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}
"""
# Frame times while the mouse drags: every animation frame's gap is recorded until stopped.
RECORD_START = """
() => {
  window.__frames = [];
  window.__recording = true;
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""
RECORD_STOP = "() => { window.__recording = false; return window.__frames; }"
NODE_POINT = """
(index) => {
  const cy = window.__gridgraph.explorer.canvas.cy;
  const box = cy.container().getBoundingClientRect();
  const at = cy.nodes()[index].renderedPosition();
  return { x: box.left + at.x, y: box.top + at.y };
}
"""


async def drag_frames(page: Page, start: dict[str, float]) -> list[float]:
    """Drag with the real mouse from `start` for FRAMES moves; the frame gaps meanwhile."""
    await page.mouse.move(start["x"], start["y"])
    await page.mouse.down()
    await page.evaluate(RECORD_START)
    for step in range(FRAMES):
        dx = 60 * math.sin(step / 15)
        dy = 60 * math.cos(step / 15) - 60
        await page.mouse.move(start["x"] + dx, start["y"] + dy)
    frames: list[float] = await page.evaluate(RECORD_STOP)
    await page.mouse.up()
    return frames


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def synthetic_network(size: int, seed: int = 17) -> dict[str, Any]:
    """A dispute network shaped like the API's: persons, cases, grids, handlers."""
    rng = random.Random(seed)  # noqa: S311 - a fixed picture, not a secret
    grids = [gid("Grid", f"370811001001{i:03d}") for i in range(max(size // 20, 1))]
    handlers = [gid("Department", f"370811D{i:02d}") for i in range(max(size // 50, 1))]
    cases = [gid("Case", f"RC2024-{i:06d}") for i in range(size * 3 // 10)]
    persons = [
        gid("Person", f"P{i:024x}") for i in range(size - len(grids) - len(handlers) - len(cases))
    ]
    nodes: list[dict[str, Any]] = []
    for kind, ids in (
        ("Person", persons),
        ("Case", cases),
        ("Grid", grids),
        ("Department", handlers),
    ):
        for index, node_id in enumerate(ids):
            roles = ["Resident"] + (["Mediator"] if index % 17 == 0 else [])
            properties = {"roles": roles} if kind == "Person" else {}
            nodes.append(
                {"id": node_id, "type": kind, "label": f"{kind} {index}", "properties": properties}
            )
    edges: list[dict[str, Any]] = []

    def link(kind: str, source: str, target: str) -> None:
        edges.append(
            {
                "id": f"r{len(edges)}",
                "type": kind,
                "source": source,
                "target": target,
                "properties": {},
            }
        )

    for case in cases:
        for person in rng.sample(persons, 3):
            link("PARTY_TO", person, case)
        link("OCCURRED_IN", case, rng.choice(grids))
        link("HANDLED_BY", case, rng.choice(handlers))
    for person in persons[: len(persons) // 3]:
        link("FAMILY", person, rng.choice(persons))
    return {"nodes": nodes, "edges": edges, "truncated": True}


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times[5:])  # the first frames include the start of the loop
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def measure(url: str, size: int, runs: int) -> dict[str, Any]:
    """Open the app, draw the synthetic network `runs` times, then pan/zoom and drag."""
    network = synthetic_network(size)
    RESULTS.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"data": {"disputeNetwork": network}})
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (make chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium)
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        await page.add_init_script("sessionStorage.setItem('gridgraph.developer', '1')")

        async def answer(route: Route) -> None:
            posted = route.request.post_data or ""
            if "disputeNetwork" in posted:
                await route.fulfill(status=200, content_type="application/json", body=body)
            else:
                await route.continue_()

        await page.route("**/graphql", answer)
        await page.goto(f"{url}/app/")
        await page.get_by_test_id("search-text").wait_for()
        navigation = await page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
        )
        draws = []
        for _ in range(runs):
            await page.evaluate(
                "(id) => window.__gridgraph.explorer.draw(id)", network["nodes"][0]["id"]
            )
            draws.append(await page.evaluate("() => window.__gridgraph.lastDraw"))
        frames = await page.evaluate(FRAME_LOOP, FRAMES)
        node_drags = await drag_frames(page, await page.evaluate(NODE_POINT, 1))
        box = await page.get_by_test_id("graph").bounding_box()
        assert box is not None
        corner = {"x": box["x"] + 20, "y": box["y"] + box["height"] - 20}
        pan_drags = await drag_frames(page, corner)
        await page.screenshot(path=str(RESULTS / f"webapp-{size}.png"))
        await browser.close()
    return {
        "nodes": size,
        "edges": len(network["edges"]),
        "page_dom_content_loaded_ms": round(navigation["domContentLoaded"], 1),
        "page_load_ms": round(navigation["load"], 1),
        "answer_and_parse_ms": [round(draw["fetchMs"], 1) for draw in draws],
        "add_elements_ms": [round(draw["addMs"], 1) for draw in draws],
        "layout_ms": [round(draw["layoutMs"], 1) for draw in draws],
        "to_first_frame_ms": [round(draw["renderMs"], 1) for draw in draws],
        "zoom_and_pan_frames": summary(frames),
        "mouse_pan_frames": summary(pan_drags),
        "mouse_node_drag_frames": summary(node_drags),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(measure(args.url.rstrip("/"), args.nodes, args.runs))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
