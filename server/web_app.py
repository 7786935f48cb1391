"""The web app (web/, built by Vite into web/dist) at /app, and the offline GraphiQL page.

Both are static files built from pinned npm packages (`make web`), served by the service
itself: nothing is loaded from another host, which a Content-Security-Policy of 'self'
enforces in the browser. Hashed assets (/app/assets/*) are cached for a year; the pages
themselves are revalidated on every load, so a new build shows at once.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
GRAPHIQL_PAGE = "graphiql.html"

IMMUTABLE = "public, max-age=31536000, immutable"  # file names carry a content hash
REVALIDATE = "no-cache"  # pages: always asked again (304 when unchanged)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # GraphiQL and the charts set inline styles
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)
NOT_BUILT = (
    "<!doctype html><meta charset='utf-8'><title>GridGraph</title>"
    "<p>The web app is not built: run <code>make web</code> (or <code>make run</code>).</p>"
)


def _secure(response: Response, cache_control: str) -> Response:
    response.headers["Cache-Control"] = cache_control
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class WebFiles(StaticFiles):
    """web/dist with cache headers; 503 with what to run while it is not built."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)
        self.dist = directory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (self.dist / "index.html").is_file():
            await HTMLResponse(NOT_BUILT, status_code=503)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        immutable = path.startswith("assets/") and response.status_code in (200, 304)
        return _secure(response, IMMUTABLE if immutable else REVALIDATE)


async def _to_app(request: Request) -> Response:
    return RedirectResponse("/app/", status_code=308)


def web_routes(dist: Path = WEB_DIST) -> list[BaseRoute]:
    """/app (redirected to /app/) and /app/* from the build."""
    return [Route("/app", _to_app), Mount("/app", app=WebFiles(dist), name="app")]


def graphiql_page(dist: Path = WEB_DIST) -> Response:
    """The bundled GraphiQL page (its assets under /app/assets), or how to build it."""
    page = dist / GRAPHIQL_PAGE
    if not page.is_file():
        return _secure(HTMLResponse(NOT_BUILT, status_code=503), REVALIDATE)
    return _secure(HTMLResponse(page.read_text(encoding="utf-8")), REVALIDATE)
