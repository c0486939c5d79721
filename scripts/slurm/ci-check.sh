#!/usr/bin/env bash
# CI check of sharding for real: start the one-node Slurm cluster, run the
# bundled grid sweep as an 8-task array plus a dependent merge job, run the
# same sweep in one process, and require byte-identical results. Stops the
# daemons it started, whatever happens.
#
#   scripts/slurm/ci-check.sh [SWEEP.toml] [TASKS]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SWEEP=$(realpath "${1:-$REPO/scenarios/sweeps/us-pressure-grid.toml}")
TASKS=${2:-8}
BIN=${ENTENTE_BIN:-$REPO/target/release/entente}
WORK=$(mktemp -d /tmp/entente-slurm-ci.XXXXXX)
export ENTENTE_SLURM_DIR=${ENTENTE_SLURM_DIR:-$WORK/cluster}

[[ -x $BIN ]] || { echo "ci-check: $BIN not built (cargo build --release)" >&2; exit 1; }

cleanup() { "$HERE/local-cluster.sh" stop || true; }
trap cleanup EXIT

started=$(date +%s.%N)
"$HERE/local-cluster.sh" start
# shellcheck source=/dev/null
source "$ENTENTE_SLURM_DIR/env.sh"
ready=$(date +%s.%N)

ENTENTE_BIN=$BIN "$HERE/submit-sweep.sh" "$SWEEP" "$WORK/array" "$TASKS"
finished=$(date +%s.%N)

"$BIN" sweep "$SWEEP" --out "$WORK/single" >/dev/null
for f in points.csv; do
    if ! cmp "$WORK/array/merged/$f" "$WORK/single/$f"; then
        echo "ci-check: $f of the $TASKS-task Slurm array differs from the single-process sweep" >&2
        exit 1
    fi
done
printf 'ci-check: %s-task Slurm array equals the single-process sweep (cluster start %.1f s, array and merge %.1f s)\n' \
    "$TASKS" "$(awk "BEGIN { print $ready - $started }")" "$(awk "BEGIN { print $finished - $ready }")"
rm -rf "$WORK/array" "$WORK/single"
