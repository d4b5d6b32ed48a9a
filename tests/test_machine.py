"""Machine names that differ between machines of one kind."""

from __future__ import annotations

import json
import socket

import pytest

from stackbench import machine
from stackbench.errors import ConfigError


def test_default_name_is_host_and_fingerprint():
    name = machine.default_name({})
    host, _, digest = name.rpartition("-")
    assert host == socket.gethostname() and len(digest) == 8 and digest == machine.fingerprint()[:8]


def test_the_fingerprint_covers_this_boot(tmp_path, monkeypatch):
    # Same machine id (one image), another boot: another fingerprint.
    machine_id, boot = tmp_path / "machine-id", tmp_path / "boot_id"
    machine_id.write_text("same-image\n")
    monkeypatch.setattr(machine, "_SOURCES", (machine_id, boot))
    boot.write_text("boot-1\n")
    first = machine.fingerprint()
    boot.write_text("boot-2\n")
    assert machine.fingerprint() != first


def test_a_chosen_name_wins_and_is_checked():
    assert machine.default_name({"STACKBENCH_MACHINE": "lab-box-1"}) == "lab-box-1"
    with pytest.raises(ConfigError, match="STACKBENCH_MACHINE='a b' is not a usable machine name"):
        machine.default_name({"STACKBENCH_MACHINE": "a b"})


def test_asv_finds_the_registered_name_under_the_host(tmp_path):
    path = tmp_path / ".asv-machine.json"
    path.write_text(json.dumps({"version": 1, "other": {"machine": "other"}}))
    machine.register("vm-1234abcd", {"cpu": "x"}, path)
    data = json.loads(path.read_text())
    assert data[socket.gethostname()]["machine"] == "vm-1234abcd"
    assert data["other"] == {"machine": "other"}  # other entries are kept
    assert machine.asv_name(None, home=tmp_path) == "vm-1234abcd"
    assert machine.asv_name("given", home=tmp_path) == "given"
