"""A package index of the test's own on 127.0.0.1: tests that resolve never ask what PyPI holds today.

It speaks the JSON simple API (PEP 691) with upload times (PEP 700), which
is what uv's ``--exclude-newer`` reads, so a stack locked "as of" a date
against it depends only on what the test put in it. Two kinds of content:

- `IndexFile.local`: wheels the test built (tests/builders.py), with the
  upload time the test gives each;
- `IndexFile.upstream`: files of a real registry, listed with their own
  hashes, upload times and addresses (`only_versions` filters an upstream
  project down to the releases a test allows), for tests that must install
  real servers yet resolve deterministically.

Point uv at it with UV_DEFAULT_INDEX (`url`), which stackbench's stack
tools read too (stacks.index_url).
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from stackbench import stacks

JSON_API = "application/vnd.pypi.simple.v1+json"


@dataclass(frozen=True)
class IndexFile:
    """One distribution file as the index lists it."""

    project: str  # normalized name
    filename: str
    sha256: str
    upload_time: str  # RFC 3339, e.g. 2026-11-23T21:44:09Z
    path: Path | None = None  # served from here, or
    url: str = ""  # listed with this address (an upstream file)

    @classmethod
    def local(cls, path: Path, upload_time: str) -> IndexFile:
        project = stacks.normalize(path.name.split("-", 1)[0])
        return cls(project, path.name, hashlib.sha256(path.read_bytes()).hexdigest(), upload_time, path=path)


def upstream_files(project: str, only_versions: Iterable[str], upstream: str | None = None) -> list[IndexFile]:
    """The files of `project`'s releases `only_versions` on a real registry (uv's, by default)."""
    wanted = set(only_versions)
    base = (upstream or stacks.index_url()).rstrip("/")
    request = urllib.request.Request(f"{base}/{stacks.normalize(project)}/", headers={"Accept": JSON_API})
    with urllib.request.urlopen(request, timeout=60) as response:
        listing = json.load(response)
    found = []
    for entry in listing["files"]:
        release = stacks._release_of(entry["filename"])
        if release not in wanted or entry.get("yanked") or "sha256" not in entry.get("hashes", {}):
            continue
        url = urllib.request.urljoin(f"{base}/{stacks.normalize(project)}/", entry["url"])
        found.append(IndexFile(stacks.normalize(project), entry["filename"], entry["hashes"]["sha256"],
                               entry["upload-time"], url=url))
    missing = wanted - {stacks._release_of(f.filename) for f in found}
    if missing:
        raise LookupError(f"{base} has no files of {project} {', '.join(sorted(missing))}")
    return found


class LocalIndex:
    """The index's content; `serve()` runs it on a free port of 127.0.0.1."""

    def __init__(self, files: Iterable[IndexFile] = ()):
        self.files: list[IndexFile] = list(files)
        self.url = ""

    def add(self, file: IndexFile) -> None:
        self.files.append(file)

    def page(self, project: str) -> bytes | None:
        mine = [f for f in self.files if f.project == stacks.normalize(project)]
        if not mine:
            return None
        return json.dumps({
            "meta": {"api-version": "1.1"},
            "name": stacks.normalize(project),
            "files": [{"filename": f.filename, "url": f.url or f"{self.url.rsplit('/simple', 1)[0]}/files/{f.filename}",
                       "hashes": {"sha256": f.sha256}, "upload-time": f.upload_time} for f in mine],
        }).encode()

    def local_file(self, filename: str) -> Path | None:
        return next((f.path for f in self.files if f.filename == filename and f.path), None)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 until the block ends; yields the simple API's address."""
        index = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, send_body: bool) -> None:
                parts = self.path.split("?", 1)[0].strip("/").split("/")
                body, kind = None, "application/octet-stream"
                if len(parts) == 2 and parts[0] == "simple":
                    body, kind = index.page(parts[1]), JSON_API
                elif len(parts) == 2 and parts[0] == "files":
                    path = index.local_file(parts[1])
                    body = path.read_bytes() if path else None
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._answer(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(False)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/simple"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.url
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
