"""/docs (Swagger UI) and /redoc load nothing from outside: every script, style sheet and icon
they name is served by the app itself, so the API docs work on a machine with no internet."""

import re

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href|spec-url)="([^"]+)"|\burl: '([^']+)'""")
ABSOLUTE = re.compile(r"(?:https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize(
    ("page", "script"),
    [("/docs", "SwaggerUIBundle"), ("/redoc", "Redoc")],
)
async def test_docs_pages_use_only_local_assets(
    client: httpx.AsyncClient, page: str, script: str
) -> None:
    html = await client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    # No CDN, no web fonts: nothing in the page reaches another host.
    assert not ABSOLUTE.search(html.text.replace("window.location.origin + '", "'")), html.text
    urls = {m[1] or m[2] for m in ASSET.finditer(html.text)}
    assert "/openapi.json" in urls
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts, html.text
    kinds = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "json"}
    for url in sorted(urls):
        assert url.startswith("/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        expected = next(kind for ending, kind in kinds.items() if url.endswith(ending))
        assert expected in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert len(asset.content) > 1000, url
    bundle = await client.get(scripts[0])
    assert script in bundle.text


async def test_the_oauth2_redirect_page_is_served_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert not ABSOLUTE.search(response.text)
