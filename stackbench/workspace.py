"""A throwaway git repository holding the working tree, for commits nobody keeps.

tools/sensitivity.py makes commits that change nothing (A/A) or turn the
calibration switch on (A/B) and runs `asv continuous` on them; the tests run
asv end to end. Neither may touch the real repository's history, results or
records, so both work in such a clone (results/ and records/ left out).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from . import ROOT

GIT = ["git", "-c", "user.name=stackbench", "-c", "user.email=stackbench@localhost"]
INSTALLED = ("stackbench/vendor/node_modules",)


def clone_working_tree(destination: Path, root: Path = ROOT) -> None:
    """`destination` becomes a repository on branch main with the working tree as one commit."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file() and not name.startswith(("results/", "records/")):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # What tools/bootstrap.sh installed into the tree (ignored by git), for `asv publish`.
    for installed in INSTALLED:
        if (root / installed).is_dir() and not (destination / installed).exists():
            (destination / installed).symlink_to(root / installed)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=destination, check=True)
    commit(destination, "snapshot of the working tree")


def commit(repository: Path, message: str) -> str:
    """Commit everything (or nothing: an empty commit); the new commit's hash."""
    subprocess.run(["git", "add", "-A"], cwd=repository, check=True)
    subprocess.run([*GIT, "commit", "-q", "--allow-empty", "-m", message], cwd=repository, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True,
                          check=True).stdout.strip()
