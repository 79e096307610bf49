#!/usr/bin/env bash
# Checks that a change leaves every shipped scenario's outputs byte-identical:
# builds REV (default: HEAD) in a temporary worktree and the working tree as
# it is, writes both manifests (scripts/output-manifest.sh) and diffs them.
#
#   scripts/same-outputs.sh [REV]
#
# Exit 0 when every output file is identical, 1 with the differing files
# listed otherwise. A refactor must pass this; a behaviour change says in its
# commit which outputs it changes and why.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:-HEAD}"
work="$(mktemp -d)"
cleanup() {
    git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
git -C "$repo" worktree add --detach "$work/base" "$rev" >/dev/null 2>&1
# The base builds into its own target directory so the two builds don't
# invalidate each other.
(cd "$work/base" && CARGO_TARGET_DIR="$repo/target/same-outputs-base" \
    cargo build --release --quiet --bin netsim)
(cd "$repo" && cargo build --release --quiet --bin netsim)
# The base revision's own manifest script may not exist yet: use this one.
"$repo/scripts/output-manifest.sh" "$repo/target/same-outputs-base/release/netsim" >"$work/base.txt"
"$repo/scripts/output-manifest.sh" "$repo/target/release/netsim" >"$work/new.txt"
n=$(wc -l <"$work/new.txt")
if diff -u "$work/base.txt" "$work/new.txt" >"$work/diff.txt"; then
    echo "same-outputs: $n files byte-identical to $rev"
else
    echo "same-outputs: outputs differ from $rev:"
    grep '^[-+][^-+]' "$work/diff.txt" | awk '{print $1 $3}' | sort -k1.2 | uniq
    exit 1
fi
