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
import functools
import json
import math
import random
import shutil
import statistics
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Page, Route, async_playwright

FRAMES = 180
RESULTS = Path(__file__).resolve().parent / "results"
BENCH_PAGE = Path(__file__).resolve().parent.parent / "web" / "bench" / "dist"
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


def with_rings(network: dict[str, Any]) -> dict[str, Any]:
    """The network with x, y on rings by hops from its first node (as the app lays it out)."""
    neighbours: dict[str, list[str]] = {}
    for edge in network["edges"]:
        neighbours.setdefault(edge["source"], []).append(edge["target"])
        neighbours.setdefault(edge["target"], []).append(edge["source"])
    first = network["nodes"][0]["id"]
    ring = {first: 0}
    queue = [first]
    for node_id in queue:
        for nxt in neighbours.get(node_id, []):
            if nxt not in ring:
                ring[nxt] = ring[node_id] + 1
                queue.append(nxt)
    levels: dict[int, list[str]] = {}
    unreached = max(ring.values()) + 1
    for node in network["nodes"]:
        levels.setdefault(ring.get(node["id"], unreached), []).append(node["id"])
    at: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for level in sorted(levels):
        members = levels[level]
        if level:
            radius = max(radius + 90, len(members) * 16 / (2 * math.pi))
        for index, node_id in enumerate(members):
            angle = 2 * math.pi * index / len(members)
            at[node_id] = (radius * math.cos(angle), radius * math.sin(angle))
    nodes = [
        {"id": node["id"], "type": node["type"], "x": at[node["id"]][0], "y": at[node["id"]][1]}
        for node in network["nodes"]
    ]
    edges = [{k: edge[k] for k in ("source", "target", "type")} for edge in network["edges"]]
    return {"nodes": nodes, "edges": edges}


async def compare(size: int, runs: int) -> dict[str, Any]:
    """Cytoscape.js against sigma.js on the same network (web/bench, `npm run bench`)."""
    if not (BENCH_PAGE / "index.html").is_file():
        raise SystemExit("build the comparison page first: cd web && npm run bench")
    network = with_rings(synthetic_network(size))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(BENCH_PAGE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results: dict[str, Any] = {"nodes": size, "edges": len(network["edges"])}
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium_path())
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            await page.wait_for_function("typeof window.runBench === 'function'")
            for lib in ("cytoscape", "sigma"):
                firsts, frames = [], []
                for _ in range(runs):
                    run = await page.evaluate(
                        "([lib, net]) => window.runBench(lib, net)", [lib, network]
                    )
                    firsts.append(round(run["firstFrameMs"], 1))
                    frames.extend(run["frames"][5:])
                results[lib] = {"first_frame_ms": firsts, "zoom_and_pan_frames": summary(frames)}
            await browser.close()
    finally:
        server.shutdown()
    return results


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("chromium is not installed (make chromium)")
    return found


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
    chromium = chromium_path()
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
    parser.add_argument(
        "--compare",
        action="store_true",
        help="Cytoscape.js vs sigma.js on the same network (no service needed)",
    )
    args = parser.parse_args()
    if args.compare:
        result = asyncio.run(compare(args.nodes, args.runs))
    else:
        result = asyncio.run(measure(args.url.rstrip("/"), args.nodes, args.runs))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
