"""asv plugin: `asv publish` also writes the summary page and makes asv's pages work offline.

asv.conf.json names this module in "plugins"; asv imports it for every
command, so the page's own imports wait until `publish` runs. asv wipes and
rewrites html/ on every publish, then calls each OutputPublisher in `order`:
after asv's own (0, 1, 3), SummaryPage writes html/summary.html and adds a link
to it in the navigation bar of asv's index.html, which asv does not make
configurable; then OfflineSite puts local copies of the JavaScript and CSS
asv's pages load from CDNs into html/ (stackbench/asv/site.py).
"""

from __future__ import annotations

from pathlib import Path

from asv.publishing import OutputPublisher

PAGE = "summary.html"
NAV_ANCHOR = '<li id="nav-li-regressions">'
NAV_LINK = f'<li id="nav-li-stackbench-summary"><a href="{PAGE}">Servers x frameworks</a></li>\n\t'


class SummaryPage(OutputPublisher):
    name = "stackbench-summary"
    order = 10

    @classmethod
    def publish(cls, conf, repo, benchmarks, graphs, revisions):
        # asv works from the folder of asv.conf.json (its ASV_CONF_DIR is the
        # working directory too); records/ lives there.
        root = Path.cwd()
        write(root / conf.results_dir, root / conf.html_dir, root=root)


def write(results_dir: Path, html_dir: Path, *, root: Path) -> Path:
    """Build the page from `results_dir` (and `root`/records) into `html_dir`."""
    from ..analysis import sensitivity
    from ..report import costs, page, summary

    target = html_dir / PAGE
    target.write_text(page.build(summary.collect(results_dir, root), sensitivity=sensitivity.sentences(root),
                                 costs=costs.collect(root)))
    index = html_dir / "index.html"
    if index.is_file():
        text = index.read_text()
        if NAV_LINK not in text and NAV_ANCHOR in text:
            index.write_text(text.replace(NAV_ANCHOR, NAV_LINK + NAV_ANCHOR, 1))
    return target


class OfflineSite(OutputPublisher):
    name = "stackbench-offline-site"
    order = 20

    @classmethod
    def publish(cls, conf, repo, benchmarks, graphs, revisions):
        from . import site

        site.vendor(Path.cwd() / conf.html_dir)
