#!/usr/bin/env bash
# Set up what stackbench needs on a Debian machine, as root: wrk (apt), a
# virtualenv .venv with the project and its tools, and asv's machine file.
#   tools/bootstrap.sh            for measuring
#   tools/bootstrap.sh --tests    also the headless browser the page tests use
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v wrk >/dev/null || packages+=(wrk)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
if [ "${1:-}" = "--tests" ]; then
    [ -x /usr/lib/chromium/chromium-headless-shell ] ||
        packages+=(chromium-headless-shell fonts-dejavu-core fonts-liberation)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "apt-get install ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[dev]'
# asv refuses to run non-interactively until it knows the machine.
.venv/bin/asv machine --yes >/dev/null
echo "bootstrap done: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(.venv/bin/asv --version)"
