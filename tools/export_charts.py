#!/usr/bin/env python3
"""Export the summary page's four charts as PNG files, from asv's results.

    tools/export_charts.py [--machine M] [--stack latest] [--scenario plaintext] [--connections 32]
                           [--out docs/charts]

Writes wsgi-rps.png, wsgi-latency.png, asgi-rps.png and asgi-latency.png (the
study's order), drawn by the same code as the page, in headless Chromium.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, stacks  # noqa: E402
from stackbench.report import browser, page, summary  # noqa: E402
from stackbench.settings import PROFILES  # noqa: E402


def export(results_dir: Path, root: Path, out: Path, *, machine: str, stack: str, scenario: str,
           connections: int) -> list[Path]:
    html, names = page.charts(summary.collect(results_dir, root), machine=machine, stack=stack, scenario=scenario,
                              connections=connections)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "charts.html"
        source.write_text(html)
        with browser.open_page(source, width=page.CHART_WIDTH + 40, height=4 * page.CHART_HEIGHT + 100) as opened:
            figures = opened.page.locator(".bk-Figure")
            for index, name in enumerate(names):
                target = out / f"{name.removesuffix('-chart')}.png"
                figures.nth(index).screenshot(path=str(target))
                written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default=machine.asv_name(None), help="asv machine name (default: this one)")
    parser.add_argument("--stack", default=stacks.CURRENT)
    parser.add_argument("--scenario", default="plaintext")
    parser.add_argument("--connections", type=int, default=PROFILES["default"].loaded)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "charts")
    args = parser.parse_args()
    for path in export(ROOT / "results", ROOT, args.out, machine=args.machine, stack=args.stack,
                       scenario=args.scenario, connections=args.connections):
        print(path)


if __name__ == "__main__":
    cli.run(main)
