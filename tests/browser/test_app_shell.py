"""The app shell in Chromium: served at /app/ under a strict Content-Security-Policy, touch
sized, accessible (axe-core finds no serious violation), and always showing whether the
server answers."""

import httpx
from playwright.sync_api import Page, expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import DESKTOP, Shop, screenshot

MIN_TARGET_PX = 44


def test_the_root_redirects_to_the_app_served_under_a_strict_policy(shop: Shop) -> None:
    root = httpx.get(shop.url("/"), follow_redirects=False)
    assert (root.status_code, root.headers["location"]) == (307, "/app/")
    index = httpx.get(shop.url("/app/"))
    assert index.status_code == 200
    policy = index.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert index.headers["cache-control"] == "no-cache"
    assert "<script>" not in index.text  # no inline script: every script is a file
    asset = next(part.split('"')[0] for part in index.text.split('src="')[1:])
    assert asset.startswith("/app/assets/")
    cached = httpx.get(shop.url(asset))
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert cached.headers["content-security-policy"] == policy


def test_the_shell_is_touch_sized_accessible_and_shows_the_connection(
    shop: Shop, page: Page
) -> None:
    page.goto(shop.url())
    expect(page.get_by_test_id("connection")).to_have_text("Online")
    small = page.evaluate(
        """(min) => [...document.querySelectorAll('button, input, a, select')]
            .map((el) => el.getBoundingClientRect())
            .filter((box) => box.width > 0 && (box.height < min || box.width < min)).length""",
        MIN_TARGET_PX,
    )
    assert small == 0
    assert serious_violations(page) == []
    screenshot(page, "sign-in-tablet")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "sign-in-desktop")

    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_have_text("Offline")
    page.context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_text("Online")
