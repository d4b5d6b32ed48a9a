"""asv's index.html pointed at local copies of its CDN assets (stackbench/asv/site.py).

Works on asv's own index.html as installed and the assets tools/bootstrap.sh
installed; tests/test_site_browser.py shows the result in a browser.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import asv
import pytest

from stackbench.asv import site as asv_site
from stackbench.errors import ConfigError

ASV_WWW = Path(asv.__file__).parent / "www"
PACKAGE_JSON = asv_site.VENDOR / "package.json"


@pytest.fixture
def html_dir(tmp_path: Path) -> Path:
    shutil.copy(ASV_WWW / "index.html", tmp_path / "index.html")
    return tmp_path


def test_asv_index_as_shipped_loads_from_other_hosts(html_dir):
    # What the issue saw: without vendoring, the page needs CDNs.
    hosts = {url.split("/")[2] for _, url in asv_site.external_references(html_dir)}
    assert {"code.jquery.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net"} <= hosts


def test_vendored_index_loads_only_local_copies(html_dir):
    asv_site.vendor(html_dir)
    assert asv_site.external_references(html_dir) == []
    text = (html_dir / "index.html").read_text()
    for asset in asv_site.ASSETS:
        assert asset.cdn_url not in text
        assert f'"{asset.local}"' in text
        assert (html_dir / asset.local).read_bytes() == (asv_site.NODE_MODULES / asset.package / asset.file).read_bytes()
        for companion in asset.companions:
            assert (html_dir / asv_site.TARGET / f"{asset.package}-{asset.version}" / companion).is_file()


def test_integrity_is_kept_exactly_where_the_copy_is_the_file_asv_names(html_dir):
    original = (html_dir / "index.html").read_text()
    asv_site.vendor(html_dir)
    text = (html_dir / "index.html").read_text()
    kept = {asset.package for asset in asv_site.ASSETS if f'src="{asset.local}" integrity=' in text
            or f'href="{asset.local}" integrity=' in text}
    # jQuery, flot-orderbars, blueimp-md5 and Bootstrap are byte for byte asv's files.
    assert kept == {"jquery", "flot-orderbars", "blueimp-md5", "bootstrap"}
    # flot (minified on cdnjs) and stupidtable (another version) lose the hash they cannot match.
    assert original.count("integrity=") == text.count("integrity=") + 5
    assert all(asset.substitute for asset in asv_site.ASSETS if asset.package not in kept)


def test_package_json_pins_exactly_the_registry_versions():
    pinned = json.loads(PACKAGE_JSON.read_text())["dependencies"]
    assert pinned == {asset.package: asset.version for asset in asv_site.ASSETS}
    locked = json.loads((asv_site.VENDOR / "package-lock.json").read_text())["packages"]
    for package, version in pinned.items():
        assert locked[f"node_modules/{package}"]["version"] == version
        assert locked[f"node_modules/{package}"]["integrity"].startswith("sha512-")


def test_missing_assets_name_the_fix(html_dir, tmp_path):
    with pytest.raises(ConfigError, match=r"jquery 3\.3\.1 .* not installed .* tools/bootstrap\.sh"):
        asv_site.vendor(html_dir, node_modules=tmp_path / "empty")


def test_another_version_installed_is_refused(html_dir, tmp_path):
    fake = tmp_path / "node_modules"
    shutil.copytree(asv_site.NODE_MODULES, fake)
    manifest = fake / "jquery" / "package.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "version": "3.7.1"}))
    with pytest.raises(ConfigError, match=r"is 3\.7\.1, not the pinned 3\.3\.1"):
        asv_site.vendor(html_dir, node_modules=fake)


def test_an_asv_index_that_loads_something_else_is_refused(html_dir):
    index = html_dir / "index.html"
    index.write_text(index.read_text().replace("jquery-3.3.1.min.js", "jquery-3.7.1.min.js"))
    with pytest.raises(ConfigError, match=r"does not load https://code\.jquery\.com/jquery-3\.3\.1\.min\.js"):
        asv_site.vendor(html_dir)


def test_external_references_reads_markup_not_script_text(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><script>var u = "https://cdn.example.org/x.js";</script>'
        '<link href="local.css"><img src="//cdn.example.org/i.png"></head>'
        '<body><a href="https://example.org/">x</a><a href="#/">y</a></body></html>')
    assert asv_site.external_references(tmp_path) == [
        ("a.html", "//cdn.example.org/i.png"), ("a.html", "https://example.org/")]
