#!/usr/bin/env bash
# Set up what stackbench needs on a Debian machine, as root: wrk, nginx, valgrind, and
# libev with a C compiler for bjoern (apt), a virtualenv .venv with the
# project and its tools, the frozen reference environment, asv's machine file
# under this machine's name, and the JavaScript and CSS asv's pages would load
# from CDNs (npm, pinned in
# stackbench/vendor/package-lock.json; `asv publish` copies them into html/).
#   tools/bootstrap.sh            for measuring
#   tools/bootstrap.sh --tests    also the headless browser the page tests use
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v wrk >/dev/null || packages+=(wrk)
# Counting (stackbench/measure/counting.py): Callgrind, and strace for looking into a server.
command -v valgrind >/dev/null || packages+=(valgrind)
command -v strace >/dev/null || packages+=(strace)
# nginx is the reference every run measures beside the pairs (stackbench/session/reference.py).
[ -x /usr/sbin/nginx ] || packages+=(nginx)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
# bjoern ships no wheels: each stack's environment compiles it against libev.
[ -f /usr/include/ev.h ] || packages+=(libev-dev)
command -v cc >/dev/null || packages+=(gcc libc6-dev)
python3.11 -c 'import os, sysconfig; assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")' \
    2>/dev/null || packages+=(python3.11-dev)
command -v npm >/dev/null || packages+=(npm)
if [ "${1:-}" = "--tests" ]; then
    [ -x /usr/lib/chromium/chromium-headless-shell ] ||
        packages+=(chromium-headless-shell fonts-dejavu-core fonts-liberation)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "apt-get install ${packages[*]}"
    apt-get update -qq
    # Installing nginx must not start it (it does not on these machines: policy-rc.d).
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# pip brings only uv (the version pyproject.toml pins); uv installs the project
# and its tools from its cache in seconds, where pip's resolver takes ~15 s.
uv_pin=$(grep -o '"uv==[^"]*"' pyproject.toml | tr -d '"')
.venv/bin/python -m pip install -q "$uv_pin"
.venv/bin/python -m uv pip install -q --python .venv/bin/python -e '.[dev]'
# Exactly the lock file's versions, checked against its hashes; no install scripts run.
npm ci --prefix stackbench/vendor --ignore-scripts --no-audit --no-fund --loglevel=error
# asv files results under a machine name; machines of one kind all share a
# host name, so the name carries this machine's fingerprint (stackbench/machine.py).
machine=$(.venv/bin/python -c 'from stackbench import machine; print(machine.register_with_asv())')
reference=$(.venv/bin/python -c 'from stackbench.session import reference; print(reference.frozen_python())')
# Counts join across hosts under one machine named by architecture, valgrind and Python build.
counts=$(.venv/bin/python -c 'from stackbench import machine; print(machine.register_count_machine())')
echo "bootstrap done: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(/usr/sbin/nginx -v 2>&1 | cut -d' ' -f3)," \
     "$(.venv/bin/asv --version), machine $machine (counts: $counts), reference $reference"
