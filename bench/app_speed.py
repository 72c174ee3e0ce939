"""The register's speed in Chromium: time to interactive from a cold and a warm cache, and the
time from a barcode scan to its line on screen, each against a baseline measured in the same
run (issue 16, item 4). See bench/README.md, "app_speed".

    .venv/bin/python -m bench.app_speed [--runs 15] [--scans 20] [--products 300]

Times come from the page's own clock (``performance.now()``, 0 at the navigation's start),
read by an init script the benchmark adds to every page: "ready" is the first animation frame
after the awaited element is in the document (the register's first item button; the baseline
list's first item), so the figure includes the layout and style work before that paint. A scan
is timed from its Enter keydown (the scan is complete) to the frame after its line appears, and
to the frame after the cart's total changes (the server has priced the cart with it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from bench.app_shop import CASHIER_PIN, OPENING_FLOAT, BenchShop, start_shop
from bench.harness import ROOT, BenchError, console
from bench.harness.cleanup import run_with_cleanup
from bench.harness.cpu import busy_before_start
from bench.harness.report import machine_info, write_results
from tests.browser.conftest import TABLET, chromium

OUTPUT = ROOT / "bench" / "results" / "app_speed.json"
APP = "/app/"

# Added to every page before its own scripts: when the awaited element first shows, and each
# scan's Enter and new cart line, on the page's clock.
MARKS = """
(() => {
  const marks = (window.__bench = { ready: null, enter: [], lines: [], totals: [] });
  let total = null;
  const frame = (record) => requestAnimationFrame(() => record(performance.now()));
  const look = () => {
    if (marks.ready === null && document.querySelector(%(selector)s)) {
      marks.ready = -1;
      frame((t) => (marks.ready = t));
    }
    const shown = document.querySelectorAll('[data-testid="cart-line"]').length;
    while (marks.lines.length < shown) {
      const i = marks.lines.push(-1) - 1;
      frame((t) => (marks.lines[i] = t));
    }
    const priced = document.querySelector('[data-testid="grand-total"]')?.textContent ?? null;
    if (shown > 0 && priced !== total) {
      total = priced;
      const i = marks.totals.push(-1) - 1;
      frame((t) => (marks.totals[i] = t));
    }
  };
  const what = { childList: true, subtree: true, characterData: true };
  new MutationObserver(look).observe(document, what);
  const enter = (e) => e.key === "Enter" && marks.enter.push(performance.now());
  addEventListener("keydown", enter, true);
})();
"""

# The scan's floors: the API calls the register makes for a scan, made directly by fetch from
# the same page — the lookup (what the new line waits for), then the cart priced with it (what
# the total waits for). Their times after the lookup and after both.
FLOOR = """
async ([lookup, calculate, cart]) => {
  const { csrfToken } = await (await fetch("/v1/browser-sessions/current")).json();
  const start = performance.now();
  await (await fetch(lookup, { cache: "no-store" })).json();
  const looked = performance.now() - start;
  await (await fetch("/v1/orders/calculate", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify({ ...calculate, lineItems: cart }),
  })).json();
  return [looked, performance.now() - start];
}
"""


def device_state(browser: Browser, shop: BenchShop) -> dict[str, Any]:
    """Cookies of a device paired with the register, its cashier signed in by PIN and the
    shift open: what a register has when it is reopened in the morning."""
    context = browser.new_context()
    request = context.request

    def post(path: str, body: dict[str, Any] | None, csrf: str | None = None) -> dict[str, Any]:
        headers = {"X-CSRF-Token": csrf} if csrf else {}
        response = request.post(shop.url(path), data=body, headers=headers)
        if not response.ok:
            raise BenchError(f"POST {path}: {response.status} {response.text()[:300]}")
        return response.json() if response.status != 204 else {}

    owner = post(
        "/v1/browser-sessions", {"username": shop.owner_email, "password": shop.owner_password}
    )
    pairing = f"/v1/locations/{shop.location_id}/registers/{shop.register_id}/pairing"
    post(pairing, {}, owner["csrfToken"])
    employee = post(
        "/v1/paired-register/employee-sessions",
        {"employeeId": shop.employee_id, "pin": CASHIER_PIN},
        owner["csrfToken"],
    )
    post(
        f"/v1/registers/{shop.register_id}/shifts",
        {"openingFloat": OPENING_FLOAT},
        employee["csrfToken"],
    )
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


def new_context(browser: Browser, state: dict[str, Any], selector: str) -> BrowserContext:
    context = browser.new_context(storage_state=state, viewport=TABLET)  # type: ignore[arg-type]
    context.add_init_script(MARKS % {"selector": json.dumps(selector)})
    return context


def ready_at(page: Page, url: str) -> float:
    page.goto(url)
    page.wait_for_function("() => window.__bench.ready > 0", timeout=60_000)
    return float(page.evaluate("() => window.__bench.ready"))


def time_to_interactive(
    browser: Browser, shop: BenchShop, state: dict[str, Any], runs: int
) -> dict[str, list[float]]:
    """Each run: a new context (empty cache) loads the page, then loads it again (warm), for
    the register and the baseline, in alternating order."""
    times: dict[str, list[float]] = {
        k: [] for k in ("app cold", "app warm", "baseline cold", "baseline warm")
    }
    pages = [("app", APP, "button.item"), ("baseline", shop.baseline_path, "li")]
    for run in range(runs):
        for name, path, selector in pages if run % 2 == 0 else reversed(pages):
            context = new_context(browser, state, selector)
            page = context.new_page()
            times[f"{name} cold"].append(ready_at(page, shop.url(path)))
            times[f"{name} warm"].append(ready_at(page, shop.url(path)))
            context.close()
    return times


def scan_to_line(
    browser: Browser, shop: BenchShop, state: dict[str, Any], scans: int
) -> dict[str, list[float]]:
    """Scan ``scans`` different products into one sale (a keyboard-wedge burst: the code's
    digits, then Enter), then the floor of each scan's two API calls from the same page."""
    context = new_context(browser, state, "button.item")
    page = context.new_page()
    ready_at(page, shop.url(APP))
    for i, code in enumerate(shop.barcodes[:scans]):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_function("(i) => window.__bench.lines[i] > 0", arg=i)
        page.wait_for_function("(i) => window.__bench.totals[i] > 0", arg=i)
    marks = page.evaluate("() => window.__bench")
    shown = [line - enter for enter, line in zip(marks["enter"], marks["lines"], strict=True)]
    totalled = [at - enter for enter, at in zip(marks["enter"], marks["totals"], strict=True)]
    calculate = {"locationId": shop.location_id, "registerId": shop.register_id}
    lookups, both = [], []
    for i, code in enumerate(shop.barcodes[:scans]):
        lookup = f"/v1/catalog/lookup?barcode={code}&locationId={shop.location_id}"
        cart = [{"sku": f"BENCH-{n:05d}", "quantity": 1} for n in range(1, i + 2)]
        looked, priced = page.evaluate(FLOOR, [lookup, calculate, cart])
        lookups.append(float(looked))
        both.append(float(priced))
    context.close()
    return {
        "scan to line": shown,
        "floor: lookup": lookups,
        "scan to total": totalled,
        "floor: lookup + calculate": both,
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "medianMs": round(statistics.median(ordered), 1),
        "p90Ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
        "minMs": round(ordered[0], 1),
    }


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    started = dt.datetime.now(dt.UTC)
    busy = busy_before_start()
    shop = start_shop(stack, args.products, args.server_env)
    path = chromium()
    if path is None:
        raise BenchError("Chromium is not installed (bash .ci/install-browser)")
    playwright = stack.enter_context(sync_playwright())
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
    stack.callback(browser.close)
    state = device_state(browser, shop)
    ready_at(new_context(browser, state, "button.item").new_page(), shop.url(APP))  # server warm
    measured = time_to_interactive(browser, shop, state, args.runs) | scan_to_line(
        browser, shop, state, args.scans
    )
    figures = {name: summary(values) for name, values in measured.items()}

    def ratio(ours: str, base: str) -> float:
        return round(figures[ours]["medianMs"] / figures[base]["medianMs"], 2)

    ratios = {
        "coldTtiAppOverBaseline": ratio("app cold", "baseline cold"),
        "warmTtiAppOverBaseline": ratio("app warm", "baseline warm"),
        "scanToLineOverLookup": ratio("scan to line", "floor: lookup"),
        "scanToTotalOverLookupAndCalculate": ratio("scan to total", "floor: lookup + calculate"),
    }
    console.print(f"{'':28} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'n':>4}")
    for name, f in figures.items():
        console.print(f"{name:28} {f['medianMs']:>10} {f['p90Ms']:>8} {f['minMs']:>8} {f['n']:>4}")
    for name, value in ratios.items():
        console.print(f"{name}: {value}")
    write_results(
        args.output,
        benchmark="app_speed",
        started=started,
        config={"runs": args.runs, "scans": args.scans, "products": args.products},
        machine=machine_info(shop.postgres_version, busy),
        scenarios=[{"name": name, **f} for name, f in figures.items()],
        ratios=ratios,
        extra={"samplesMs": {k: [round(v, 1) for v in vs] for k, vs in measured.items()}},
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.app_speed", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--runs", type=int, default=15, help="page loads of each kind (default %(default)s)"
    )
    parser.add_argument(
        "--scans", type=int, default=20, help="products scanned into one sale (default %(default)s)"
    )
    parser.add_argument(
        "--products", type=int, default=300, help="products in the catalog (default %(default)s)"
    )
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not (1 <= args.runs <= 500 and 1 <= args.scans <= args.products <= 5000):
        parser.error("need 1 <= runs <= 500 and 1 <= scans <= products <= 5000")
    return run_with_cleanup(lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
