"""/app serves the build with cache headers; a missing build says what to run."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.web_app import IMMUTABLE, REVALIDATE, graphiql_page, web_routes


def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    (tmp_path / "graphiql.html").write_text("<title>graphiql</title>", encoding="utf-8")
    (tmp_path / "assets" / "app-1a2b3c.js").write_text("console.log(1)", encoding="utf-8")
    return tmp_path


def test_pages_revalidate_and_hashed_assets_are_immutable(tmp_path: Path) -> None:
    # given a build
    client = TestClient(Starlette(routes=web_routes(built(tmp_path))))
    # when the app and one of its assets are asked for
    redirect = client.get("/app", follow_redirects=False)
    page = client.get("/app/")
    asset = client.get("/app/assets/app-1a2b3c.js")
    missing = client.get("/app/assets/nothing.js")
    # then /app leads to /app/, the page is revalidated, the asset cached for good
    assert redirect.status_code == 308 and redirect.headers["location"] == "/app/"
    assert page.status_code == 200 and "<title>app</title>" in page.text
    assert page.headers["cache-control"] == REVALIDATE
    assert asset.status_code == 200 and asset.headers["cache-control"] == IMMUTABLE
    assert missing.status_code == 404
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_without_a_build_the_app_says_how_to_build_it(tmp_path: Path) -> None:
    # given no build
    client = TestClient(Starlette(routes=web_routes(tmp_path / "dist")))
    # when the app or GraphiQL is asked for
    page = client.get("/app/")
    graphiql = graphiql_page(tmp_path / "dist")
    # then both answer 503 naming `make web`
    assert page.status_code == 503 and "make web" in page.text
    assert graphiql.status_code == 503 and b"make web" in bytes(graphiql.body)


def test_graphiql_page_is_the_build(tmp_path: Path) -> None:
    # given a build, then the GraphiQL page is its graphiql.html
    response = graphiql_page(built(tmp_path))
    assert response.status_code == 200 and b"<title>graphiql</title>" in bytes(response.body)
