#!/usr/bin/env bash
# Prints a manifest of every output file of every shipped scenario: one line
# "sha256  <scenario name>/<file>" per file, sorted. Outputs are keyed by the
# scenario's name (its output folder), not by its path, so moving a scenario
# file between folders leaves its lines unchanged.
#
#   scripts/output-manifest.sh [NETSIM] > manifest.txt
#
# NETSIM is the binary to run (default: target/release/netsim, built first).
# Each scenario is run with `netsim run FILE --quiet` (exit 0 or 1 both count:
# a failing expectation still writes its outputs); mathis-sweep.ron is also
# swept over two seeds to cover the sweep outputs. Compare two revisions with
# scripts/same-outputs.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
netsim="${1:-}"
if [ -z "$netsim" ]; then
    (cd "$repo" && cargo build --release --quiet --bin netsim)
    netsim="$repo/target/release/netsim"
fi
netsim="$(cd "$(dirname "$netsim")" && pwd)/$(basename "$netsim")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
find "$repo/scenarios" -name '*.ron' -not -path '*/tests/*' | sort | while read -r f; do
    rc=0
    "$netsim" run "$f" --quiet >/dev/null 2>"$work/stderr" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "output-manifest: $f exited $rc:" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
done
sweep_file="$(find "$repo/scenarios" -name mathis-sweep.ron | head -1)"
"$netsim" sweep "$sweep_file" --seeds 1..=2 --jobs 1 --quiet --out out/.sweep/mathis >/dev/null
cd out
find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r p; do
    printf '%s  %s\n' "$(sha256sum "$p" | cut -d' ' -f1)" "$p"
done
