"""Open a page in Debian's headless Chromium through Playwright, offline.

Used by tools/export_charts.py and by the page tests. Playwright drives the
system's Chromium (no browser download); every request that is not a local
file is aborted, so a page that needs the network fails visibly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

CANDIDATES = (
    Path("/usr/lib/chromium/chromium-headless-shell"),  # Debian's chromium-headless-shell
    Path("/usr/bin/chromium"),
)
# No sandbox as root; no background traffic to Google's hosts.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"]
BOKEH_IDLE = "() => window.Bokeh?.documents?.[0]?.is_idle === true"


def executable() -> Path:
    for candidate in CANDIDATES:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "no headless Chromium found (looked for "
        + ", ".join(str(c) for c in CANDIDATES)
        + "); install it with tools/bootstrap.sh --tests"
    )


@dataclass
class OpenPage:
    page: Any  # playwright.sync_api.Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    blocked: list[str] = field(default_factory=list)  # requests that tried to leave the machine


@contextmanager
def open_page(path: Path, *, width: int = 1400, height: int = 1000) -> Iterator[OpenPage]:
    """`path` loaded and rendered by bokeh; errors and blocked requests collected."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="stackbench-browser-") as home, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(executable()), args=FLAGS, env={"HOME": home, "TMPDIR": home}
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            opened = OpenPage(page)

            def route(request_route: Any) -> None:
                url = request_route.request.url
                if url.startswith("file:"):
                    request_route.continue_()
                else:
                    opened.blocked.append(url)
                    request_route.abort()

            page.route("**/*", route)
            page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: opened.errors.append(str(error)))
            page.goto(path.resolve().as_uri())
            page.wait_for_function(BOKEH_IDLE)
            yield opened
        finally:
            browser.close()
