"""Open a page in Debian's headless Chromium through Playwright, offline.

Used by tools/export_charts.py and by the page and site tests. Playwright
drives the system's Chromium (no browser download); every request that is not
local (a file, or the local server a test names) is aborted and counted, so a
page that needs the network fails visibly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

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
    requested: list[str] = field(default_factory=list)  # every request let through
    missing: list[str] = field(default_factory=list)  # "<status> <url>" of responses 400 and up


@contextmanager
def browse(allowed: str, *, width: int = 1400, height: int = 1000) -> Iterator[OpenPage]:
    """A blank page in which only requests to URLs starting with `allowed` go through.

    Every other request is aborted and counted in `blocked`; errors are
    collected from the console and from uncaught exceptions.
    """
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
                if url.startswith(allowed):
                    opened.requested.append(url)
                    request_route.continue_()
                else:
                    opened.blocked.append(url)
                    request_route.abort()

            page.route("**/*", route)
            page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: opened.errors.append(str(error)))
            page.on("response", lambda r: opened.missing.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            yield opened
        finally:
            browser.close()


@contextmanager
def open_page(path: Path, *, width: int = 1400, height: int = 1000) -> Iterator[OpenPage]:
    """The bokeh page at `path`, loaded from file:// and rendered."""
    with browse("file:", width=width, height=height) as opened:
        opened.page.goto(path.resolve().as_uri())
        opened.page.wait_for_function(BOKEH_IDLE)
        yield opened
