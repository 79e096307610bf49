#!/usr/bin/env bash
# The test command: installs the outside tools the tests use (tshark), then runs
# every test of the workspace. Tests never skip because a tool is missing: they fail.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v tshark >/dev/null 2>&1; then
    echo "test.sh: installing tshark (needed to validate the pcap captures)" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq tshark >/dev/null
fi
exec cargo test --workspace "$@"
