#!/usr/bin/env bash
# The test command: installs the outside tools the tests use, then runs every
# test of the workspace. Tests never skip because a tool is missing: they fail.
#   tshark   validates every pcap capture (frames, checksums, TCP analysis)
#   chromium renders report.html headless (page loads, plots present, no console error)
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]} (needed by the capture and report tests)" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec cargo test --workspace "$@"
