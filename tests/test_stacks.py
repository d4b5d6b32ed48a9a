"""Stack files, the lock tool and the asv configuration agree with each other."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from stackbench import registry, stacks
from stackbench.errors import ConfigError
from stackbench.serve.server import ROOT

from .builders import unbuildable_sdist, wheel
from .local_index import IndexFile, LocalIndex

STACKS = stacks.names()
AS_OF = date(2026, 11, 23)
# Early that month, late on the day itself (as packaging 26.4 at 21:44 UTC), just after the day ended.
UPLOADS = {"1.0": "2026-11-01T00:00:00Z", "1.1": "2026-11-23T21:44:09Z", "2.0": "2026-11-24T00:00:01Z"}


def small_registry_files(folder: Path, names: list[str]) -> list[IndexFile]:
    """Wheels of `names` at 1.0, 1.1 and 2.0, uploaded as UPLOADS says."""
    return [IndexFile.local(wheel(folder, name, version, {f"{name}/__init__.py": ""}), uploaded)
            for name in names for version, uploaded in UPLOADS.items()]


def test_the_dated_stacks_exist():
    assert {"2023-11-23", "2024-11-23", "2025-11-23", "latest"} <= set(STACKS)


def test_asv_matrix_lists_exactly_the_stack_files():
    conf = json.loads((ROOT / "asv.conf.json").read_text())
    assert sorted(conf["matrix"]["env"]["STACK"]) == STACKS


@pytest.mark.parametrize("name", STACKS)
def test_each_stack_pins_everything_the_registry_needs(name):
    stack = stacks.load(name)
    assert stack.as_of is not None
    if name != stacks.CURRENT:
        assert stack.as_of == name  # dated stacks are named after their date
    for requirement in registry.requirements():
        name = stacks.normalize(registry.distribution(requirement))
        # Pinned, or absent with the reason (no release yet at the stack's date).
        assert (name in stack.pins) != (name in stack.absent), name
    # Transitive packages are pinned too (uvicorn[standard] brings these).
    assert {"uvloop", "httptools", "h11", "anyio", "pydantic", "werkzeug"} <= set(stack.pins)


@pytest.mark.parametrize("name", STACKS)
def test_each_stack_lists_the_bounds_it_overrides_with_the_reason(name):
    stack = stacks.load(name)
    expected = {stacks.normalize(o.distribution): o.why for o in registry.OVERRIDES
                if stacks.normalize(o.declared_by) in stack.pins}
    # A package moved past an uninstallable release overrides the bounds of what needs it.
    expected |= {name: stacks.MOVED_OVERRIDE for name in stack.moved}
    assert stack.overrides == expected and expected  # molten's and meinheld's exist at every date here
    # The override won: the newer dependency is what the stack pins.
    assert int(stack.pins["typing-extensions"].split(".")[0]) >= 4
    assert int(stack.pins["greenlet"].split(".")[0]) >= 1


def test_pins_are_parsed_and_normalized():
    text = "# comment\nTyping_Extensions==4.12.2\n    # via pydantic\nuvicorn==0.32.1  # note\n"
    assert stacks.parse_pins(text) == {"typing-extensions": "4.12.2", "uvicorn": "0.32.1"}


@pytest.mark.parametrize("line", ["uvicorn>=0.30", "-e .", "https://example.org/x.whl", "uvicorn"])
def test_anything_but_exact_pins_is_refused(line):
    with pytest.raises(ConfigError, match="is not a `name==version` pin"):
        stacks.parse_pins(line, "stacks/x.txt")


def test_unknown_stack_names_the_fix():
    with pytest.raises(ConfigError, match=r"no stack 'nope'.*write one with tools/lock_stack.py --as-of YYYY-MM-DD"):
        stacks.load("nope")


def test_mismatches_list_each_difference():
    assert stacks.mismatches({"a": "1", "b": "2"}, {"a": "1", "b": "3"}) == ["b 2 pinned, 3 installed"]
    assert stacks.mismatches({"c": "1"}, {}) == ["c 1 pinned, nothing installed"]


def test_asv_environment_name():
    assert stacks.asv_environment("latest") == "virtualenv-py3.11-STACKlatest"


def test_locking_again_reproduces_the_stack_whatever_came_later(tmp_path, monkeypatch):
    """The lock is a function of the index and the recorded cutoff: a release after it changes nothing."""
    index = LocalIndex(small_registry_files(tmp_path / "files", ["alpha", "beta"]))
    monkeypatch.setattr(registry, "requirements", lambda: ["alpha", "beta"])
    with index.serve() as url:
        monkeypatch.setenv("UV_DEFAULT_INDEX", url)
        first = stacks.lock("old", AS_OF, stacks_dir=tmp_path / "one").read_text()
        index.add(IndexFile.local(wheel(tmp_path / "files", "alpha", "1.5", {}), "2026-11-24T00:00:00Z"))
        again = stacks.lock("old", AS_OF, stacks_dir=tmp_path / "two").read_text()
    assert again == first
    stack = stacks.Stack.from_file(tmp_path / "two" / "old.txt")
    assert stack.pins == {"alpha": "1.1", "beta": "1.1"}  # 1.1 came late that day; 2.0 and 1.5 after it
    assert stack.cutoff == "2026-11-24T00:00:00Z" and not stack.provisional and stack.index == url


def test_a_date_not_yet_ended_stops_now_and_is_provisional(tmp_path, monkeypatch):
    index = LocalIndex(small_registry_files(tmp_path / "files", ["alpha"]))
    monkeypatch.setattr(registry, "requirements", lambda: ["alpha"])
    with index.serve() as url:
        monkeypatch.setenv("UV_DEFAULT_INDEX", url)
        evening = stacks.lock("today", AS_OF, tmp_path / "a", now=datetime(2026, 11, 23, 22, tzinfo=timezone.utc))
        earlier = stacks.lock("today", AS_OF, tmp_path / "b", now=datetime(2026, 11, 23, 21, tzinfo=timezone.utc))
        ended = stacks.lock("today", AS_OF, tmp_path / "c", now=datetime(2026, 11, 24, 0, 0, 1, tzinfo=timezone.utc))
    late = stacks.Stack.from_file(evening)
    assert late.provisional and late.cutoff == "2026-11-23T22:00:00Z" and late.pins == {"alpha": "1.1"}
    assert "# provisional: 2026-11-23 had not ended when this was resolved" in evening.read_text()
    assert stacks.Stack.from_file(earlier).pins == {"alpha": "1.0"}  # 1.1 was uploaded at 21:44
    final = stacks.Stack.from_file(ended)
    assert not final.provisional and final.cutoff == "2026-11-24T00:00:00Z" and final.pins == {"alpha": "1.1"}


def test_a_stack_without_a_cutoff_line_stops_at_the_end_of_its_date(tmp_path):
    path = tmp_path / "old.txt"
    path.write_text("# as-of: 2024-11-23\nalpha==1.0\n")
    assert stacks.Stack.from_file(path).cutoff == "2024-11-24T00:00:00Z"


def test_lock_tool_registers_a_new_stack_in_asv_conf(tmp_path):
    from tools.lock_stack import register

    config = tmp_path / "asv.conf.json"
    shutil.copy(ROOT / "asv.conf.json", config)
    assert register("2021-11-23", config) is True
    assert register("2021-11-23", config) is False
    names = json.loads(config.read_text())["matrix"]["env"]["STACK"]
    assert names == sorted([*STACKS, "2021-11-23"])


def test_a_package_with_no_release_by_the_date_is_absent_with_the_reason(tmp_path, monkeypatch):
    files = small_registry_files(tmp_path / "files", ["alpha"])
    newcomer = IndexFile.local(wheel(tmp_path / "files", "newcomer", "0.1", {}), "2026-11-30T00:00:00Z")
    monkeypatch.setattr(registry, "requirements", lambda: ["alpha", "newcomer"])
    with LocalIndex([*files, newcomer]).serve() as url:
        monkeypatch.setenv("UV_DEFAULT_INDEX", url)
        stack = stacks.Stack.from_file(stacks.lock("old", AS_OF, stacks_dir=tmp_path))
    assert stack.absent == {"newcomer": f"no release on {url} before 2026-11-24T00:00:00Z"}
    assert "alpha" in stack.pins and "newcomer" not in stack.pins


def test_a_date_in_the_future_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"--as-of 2099-01-01 is in the future .* give a date up to today"):
        stacks.lock("future", date(2099, 1, 1), stacks_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_release_that_does_not_install_is_moved_to_the_nearest_later_one_that_does(tmp_path, monkeypatch):
    # As PyYAML 5.4.1 on CPython 3.11: its metadata reads, its wheel does not build. 1.1 installs.
    folder = tmp_path / "files"
    files = [IndexFile.local(unbuildable_sdist(folder, "brittle", "1.0"), "2026-11-01T00:00:00Z"),
             IndexFile.local(wheel(folder, "brittle", "1.1", {"brittle/__init__.py": ""}), "2026-11-30T08:00:00Z"),
             IndexFile.local(wheel(folder, "brittle", "1.2", {"brittle/__init__.py": ""}), "2026-12-01T08:00:00Z")]
    monkeypatch.setattr(registry, "requirements", lambda: ["brittle"])
    with LocalIndex(files).serve() as url:
        monkeypatch.setenv("UV_DEFAULT_INDEX", url)
        path = stacks.lock("old", AS_OF, stacks_dir=tmp_path)
        text = path.read_text()
        stack = stacks.Stack.from_file(path)
        assert stack.pins["brittle"] == "1.1"
        assert ("# moved: brittle: 1.0, uv's choice by the date, does not install on CPython 3.11 (" in text
                and "); 1.1 (uploaded 2026-11-30), the nearest later release that does, replaces it" in text)
        # The dependants' bounds are overridden for it, so that the stack installs as written.
        assert stack.overrides["brittle"] == stacks.MOVED_OVERRIDE and "brittle" in stack.moved
        python = stacks.pinned_environment(tmp_path / "env", "old", text, harness=False)
        assert stacks.installed(python)["brittle"] == "1.1"


def test_the_release_of_a_distribution_file():
    assert stacks._release_of("PyYAML-6.0.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl") == "6.0.1"
    assert stacks._release_of("essentials-openapi-0.1.6.tar.gz") == "0.1.6"
    assert stacks._release_of("pyuwsgi-2.0.21.zip") == "2.0.21"
    assert stacks._release_of("something.exe") is None
