"""asv's pages made complete by themselves: local copies of what they load from CDNs.

asv 0.6.6's index.html loads jQuery, flot and its plugins, stupidtable,
blueimp-md5 and Bootstrap from public CDNs; on a machine without internet it
shows only "Can not determine continental origin of swallow". The same
packages, pinned in stackbench/vendor/package.json (and its lock file), are
installed from the npm registry by tools/bootstrap.sh; `asv publish` then
copies them into html/vendor/ and points index.html at the copies
(publisher.OfflineSite). Nothing is downloaded at publish or view time.

Where asv's tag carries a Subresource Integrity hash and the copy has the same
hash, the tag keeps it: those files are byte for byte what asv asks for.
"""

from __future__ import annotations

import base64
import hashlib
import html.parser
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import ROOT
from ..errors import ConfigError

VENDOR = ROOT / "stackbench" / "vendor"
NODE_MODULES = VENDOR / "node_modules"
TARGET = "vendor"  # inside html/


@dataclass(frozen=True)
class Asset:
    """One file asv's index.html loads from a CDN, and where its copy comes from."""

    cdn_url: str  # exactly as asv writes it
    package: str  # npm package, pinned in stackbench/vendor/package.json
    version: str
    file: str  # inside the package
    # Files the asset itself loads by relative path (Bootstrap's CSS: its fonts).
    companions: tuple[str, ...] = ()
    # Why the copy is not the very file asv names, when it is not.
    substitute: str = ""

    @property
    def folder(self) -> str:
        """Where its package's files go, inside html/."""
        return f"{TARGET}/{self.package}-{self.version}"

    @property
    def local(self) -> str:
        return f"{self.folder}/{self.file}"


_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_FLOT_MIN = "cdnjs serves a minified build of flot 0.8.3; npm's flot 0.8.3 ships the same sources unminified"
_GLYPHICONS = tuple(f"dist/fonts/glyphicons-halflings-regular.{ext}" for ext in ("eot", "svg", "ttf", "woff"))

ASSETS = (
    Asset("https://code.jquery.com/jquery-3.3.1.min.js", "jquery", "3.3.1", "dist/jquery.min.js"),
    Asset(f"{_CDNJS}/flot/0.8.3/jquery.flot.min.js", "flot", "0.8.3", "jquery.flot.js", substitute=_FLOT_MIN),
    Asset(f"{_CDNJS}/flot/0.8.3/jquery.flot.time.min.js", "flot", "0.8.3", "jquery.flot.time.js",
          substitute=_FLOT_MIN),
    Asset(f"{_CDNJS}/flot/0.8.3/jquery.flot.selection.min.js", "flot", "0.8.3", "jquery.flot.selection.js",
          substitute=_FLOT_MIN),
    Asset(f"{_CDNJS}/flot/0.8.3/jquery.flot.categories.min.js", "flot", "0.8.3", "jquery.flot.categories.js",
          substitute=_FLOT_MIN),
    Asset("https://cdn.jsdelivr.net/npm/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js", "flot-orderbars",
          "1.0.0", "js/jquery.flot.orderBars.js"),
    Asset(f"{_CDNJS}/stupidtable/1.0.1/stupidtable.min.js", "stupid-table-plugin", "1.1.3", "stupidtable.min.js",
          substitute="1.0.1 is not on the npm registry; 1.1.3 (Debian's libjs-jquery-stupidtable too) sorts "
                     "asv's benchmark list (tests/test_site_browser.py)"),
    Asset(f"{_CDNJS}/blueimp-md5/2.19.0/js/md5.min.js", "blueimp-md5", "2.19.0", "js/md5.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/js/bootstrap.min.js", "bootstrap", "3.1.1",
          "dist/js/bootstrap.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css", "bootstrap", "3.1.1",
          "dist/css/bootstrap.min.css", companions=_GLYPHICONS),
)

# Links (not loads) in asv's index.html that point elsewhere, and where they point instead.
LINKS = {"https://github.com/airspeed-velocity/asv/": "#/"}

_TAG = r"<(?:script|link)\b[^>]*?(?:src|href)=\"{url}\"[^>]*>"
_INTEGRITY = re.compile(r'\s+integrity="([^"]*)"')


def installed(package: str, version: str, *, node_modules: Path = NODE_MODULES) -> Path:
    """The installed package's folder, refused unless it is the pinned version."""
    manifest = node_modules / package / "package.json"
    if not manifest.is_file():
        raise ConfigError(
            f"{package} {version} (for asv's pages) is not installed in {node_modules}: "
            "run tools/bootstrap.sh, which installs stackbench/vendor/package.json with npm"
        )
    found = json.loads(manifest.read_text())["version"]
    if found != version:
        raise ConfigError(f"{node_modules / package} is {found}, not the pinned {version}: run tools/bootstrap.sh")
    return node_modules / package


def sri(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm, path.read_bytes()).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def vendor(html_dir: Path, *, node_modules: Path = NODE_MODULES) -> list[Asset]:
    """Copy every asset into `html_dir`/vendor and point index.html at the copies.

    Raises ConfigError when an asset is not installed, or when asv's
    index.html no longer loads what ASSETS lists (another asv version).
    """
    index = html_dir / "index.html"
    text = index.read_text()
    for asset in ASSETS:
        package = installed(asset.package, asset.version, node_modules=node_modules)
        for file in (asset.file, *asset.companions):
            copy = html_dir / asset.folder / file
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / file, copy)
        text = _point_at_copy(text, asset, html_dir / asset.local)
    for remote, local in LINKS.items():
        text = text.replace(f'href="{remote}"', f'href="{local}"')
    index.write_text(text)
    leaks = external_references(html_dir)
    if leaks:
        raise ConfigError(
            "asv's pages still reference other hosts after vendoring: "
            + "; ".join(f"{page}: {url}" for page, url in leaks)
            + " (is this asv version's index.html what stackbench/asv/site.py ASSETS expects?)"
        )
    return list(ASSETS)


def _point_at_copy(text: str, asset: Asset, copy: Path) -> str:
    tags = re.findall(_TAG.format(url=re.escape(asset.cdn_url)), text)
    if not tags:
        raise ConfigError(
            f"asv's index.html does not load {asset.cdn_url}: this asv version is not the one "
            "stackbench/asv/site.py ASSETS was written for; update ASSETS and stackbench/vendor/package.json"
        )
    for tag in tags:
        local = tag.replace(asset.cdn_url, asset.local)
        integrity = _INTEGRITY.search(tag)
        if integrity and sri(copy, integrity.group(1).split("-", 1)[0]) != integrity.group(1):
            local = local.replace(integrity.group(0), "")
        text = text.replace(tag, local)
    return text


class _References(html.parser.HTMLParser):
    """src and href attributes of a page's markup (not text inside its scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def external_references(html_dir: Path) -> list[tuple[str, str]]:
    """(page, url) for every src or href in html_dir's pages that names another host."""
    found = []
    for page in sorted(html_dir.glob("*.html")):
        parser = _References()
        parser.feed(page.read_text())
        found += [(page.name, url) for url in parser.urls if urlsplit(url).netloc or url.startswith("//")]
    return found
