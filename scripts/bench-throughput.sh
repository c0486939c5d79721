#!/usr/bin/env bash
# Throughput of `entente run` on a scenario (default: the baseline):
#   - runs per second and nanoseconds per directed-pair-step on 1 and 2 threads,
#     and the parallel efficiency (speed-up on 2 threads / 2);
#   - peak memory (maximum resident set, /usr/bin/time) at 10^5, 10^6 and 10^7 runs.
# Wall times are read from manifest.json (simulation only, no start-up or writing).
#
#   scripts/bench-throughput.sh [SCENARIO.toml] [RUNS_FOR_SPEED] [MEMORY_RUN_COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO=${1:-scenarios/baseline-2020.toml}
SPEED_RUNS=${2:-200000}
shift $(( $# > 2 ? 2 : $# ))
MEMORY_RUNS=("$@")
((${#MEMORY_RUNS[@]})) || MEMORY_RUNS=(100000 1000000 10000000)
BIN=target/release/entente
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

field() { sed -n "s/^  \"$1\": \\([0-9.e+-]*\\),\\{0,1\\}$/\\1/p" "$2" | head -n 1; }

"$BIN" run "$SCENARIO" --runs 1000 --no-charts --out "$OUT/probe" --force >/dev/null
horizon=$(field horizon "$OUT/probe/manifest.json")
agents=$(sed -n '/"agents": \[/,/\]/p' "$OUT/probe/manifest.json" | grep -c '"[A-Z_0-9]*",\{0,1\}$' || true)
pair_steps=$((horizon * agents * (agents - 1)))
echo "scenario: $SCENARIO ($agents agents, horizon $horizon: $pair_steps directed-pair-steps per run)"
echo

declare -A rate
for threads in 1 2; do
    "$BIN" run "$SCENARIO" --runs "$SPEED_RUNS" --threads "$threads" --no-charts --out "$OUT/t$threads" --force >/dev/null
    wall=$(field wall_seconds "$OUT/t$threads/manifest.json")
    rate[$threads]=$(awk -v r="$SPEED_RUNS" -v w="$wall" 'BEGIN { printf "%.0f", r / w }')
    awk -v t="$threads" -v r="$SPEED_RUNS" -v w="$wall" -v p="$pair_steps" 'BEGIN {
        printf "%d thread%s: %d runs in %.2f s = %.0f runs/s; %.1f ns per directed-pair-step per core\n",
            t, (t > 1 ? "s" : " "), r, w, r / w, w * t * 1e9 / (r * p) }'
done
awk -v a="${rate[1]}" -v b="${rate[2]}" 'BEGIN { printf "parallel efficiency at 2 threads: %.2f\n\n", b / a / 2 }'

first=""
for runs in "${MEMORY_RUNS[@]}"; do
    rss=$(/usr/bin/time -f "%M" "$BIN" run "$SCENARIO" --runs "$runs" --no-charts --out "$OUT/m" --force 2>&1 >/dev/null | tail -n 1)
    [[ -n $first ]] || first=$rss
    awk -v n="$runs" -v k="$rss" -v f="$first" 'BEGIN { printf "peak memory at %d runs: %.1f MiB (%.2fx the first)\n", n, k / 1024, k / f }'
done
