"""Browser tests: Debian's chromium, driven by Playwright, against a live uvicorn server.

The app under test is the build in web/dist (`make test` builds it first when stale). The
server runs in a thread on a free port over the session's Neo4j holding the tiny seed.
Every page records the hosts it asked: a request to any host but the server fails the test.
Each test leaves a screenshot in tests/web/artefacts/ (git-ignored).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from graph.client import GraphClient
from server.app import create_app
from server.settings import Settings
from server.web_app import WEB_DIST
from tests.conftest import free_port
from tests.schema import conftest as schema_fixtures
from tests.web.app_page import WAIT_MS

tiny = schema_fixtures.tiny  # the seed the live server reads
expect.set_options(timeout=WAIT_MS)  # every wait for the page, bounded
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str:
    """Debian's chromium (Playwright's own download cannot work here)."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built web app; `make web` builds it."""
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"{WEB_DIST} is not built: run `make web`")
    return WEB_DIST


class LiveServer:
    """uvicorn serving the app in a thread, on a free port."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        # A generous deadline: the browser scenarios are not about time, CI machines are busy.
        relaxed = settings.model_copy(update={"request_deadline_s": 60.0, "query_timeout_s": 60.0})
        config = uvicorn.Config(
            create_app(relaxed), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="web-test-server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(settings: Settings, tiny: GraphClient, web_dist: Path) -> Iterator[LiveServer]:
    """The service over the tiny seed, for the module's tests."""
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
async def api(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client of the live server (to compute what the page should show)."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless chromium for the session."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=["--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    """A fresh browser context; fails on a request to another host or a page error."""
    context = await browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(WAIT_MS)
    new_page = await context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    server_host = urlsplit(live_server.url).netloc

    def on_request(req: object) -> None:
        url: str = getattr(req, "url", "")
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != server_host:
            foreign.append(url)

    new_page.on("request", on_request)
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    new_page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield new_page
    ARTEFACTS.mkdir(exist_ok=True)
    await new_page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    await context.close()
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"page errors: {errors}"
