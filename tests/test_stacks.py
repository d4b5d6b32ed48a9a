"""Stack files, the lock tool and the asv configuration agree with each other."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from stackbench import registry, stacks
from stackbench.errors import ConfigError
from stackbench.server import ROOT

STACKS = stacks.names()


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


@pytest.mark.slow
def test_locking_again_reproduces_the_committed_dated_stack(tmp_path):
    """The lock is a pure function of the registry and the date (PyPI needed)."""
    name = "2024-11-23"
    written = stacks.lock(name, date(2024, 11, 23), stacks_dir=tmp_path)
    assert written.read_text() == (ROOT / "stacks" / f"{name}.txt").read_text()


def test_lock_tool_registers_a_new_stack_in_asv_conf(tmp_path):
    from tools.lock_stack import register

    config = tmp_path / "asv.conf.json"
    shutil.copy(ROOT / "asv.conf.json", config)
    assert register("2021-11-23", config) is True
    assert register("2021-11-23", config) is False
    names = json.loads(config.read_text())["matrix"]["env"]["STACK"]
    assert names == sorted([*STACKS, "2021-11-23"])


@pytest.mark.slow
def test_a_package_with_no_release_by_the_date_is_absent_with_the_reason(tmp_path, monkeypatch):
    # litestar's first release came in 2023; starlette had releases long before.
    monkeypatch.setattr(registry, "requirements", lambda: ["litestar", "starlette"])
    stack = stacks.Stack.from_file(stacks.lock("old", date(2021, 1, 1), stacks_dir=tmp_path))
    assert stack.absent == {"litestar": "no release on PyPI before 2021-01-02T00:00:00Z"}
    assert "starlette" in stack.pins and "litestar" not in stack.pins


def test_a_date_in_the_future_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"--as-of 2099-01-01 is in the future .* give a date up to today"):
        stacks.lock("future", date(2099, 1, 1), stacks_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_release_that_does_not_install_is_moved_to_the_nearest_later_one_that_does(tmp_path, monkeypatch):
    # blacksheep 1.2.8 (2022) needs essentials-openapi 0.1.6, which caps PyYAML below 6. PyYAML 5.4.1
    # has no wheel for CPython 3.11 and its sdist no longer builds (setuptools meets Cython 3).
    monkeypatch.setattr(registry, "requirements", lambda: ["blacksheep"])
    path = stacks.lock("old", date(2022, 11, 23), stacks_dir=tmp_path)
    stack = stacks.Stack.from_file(path)
    assert stack.pins["blacksheep"] == "1.2.8" and stack.pins["essentials-openapi"] == "0.1.6"
    moved = stack.pins["pyyaml"]
    assert moved != "5.4.1"
    text = path.read_text()
    assert (f"# moved: pyyaml: 5.4.1, uv's choice by the date, does not install on CPython 3.11 (" in text
            and f"); {moved} (uploaded " in text and "the nearest later release that does, replaces it" in text)
    # The dependants' cap is overridden for it, so that the stack installs as written.
    assert stack.overrides["pyyaml"] == stacks.MOVED_OVERRIDE and "pyyaml" in stack.moved
    python = stacks.pinned_environment(tmp_path / "env", "old", text, harness=False)
    assert stacks.installed(python)["pyyaml"] == moved


def test_the_release_of_a_distribution_file():
    assert stacks._release_of("PyYAML-6.0.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl") == "6.0.1"
    assert stacks._release_of("essentials-openapi-0.1.6.tar.gz") == "0.1.6"
    assert stacks._release_of("pyuwsgi-2.0.21.zip") == "2.0.21"
    assert stacks._release_of("something.exe") is None
