#!/usr/bin/env bash
# Self-test of the Slurm scripts on a real one-node cluster on this machine:
#   start the cluster (local-cluster.sh), submit an 8-task array and its merge
#   (submit-sweep.sh) with a stand-in for entente, check the merged result,
#   check that a failing task makes submit-sweep.sh fail without merging, and
#   stop the cluster. ROUNDS repeats it all, a stop/start cycle each time.
#
#   scripts/slurm/selftest.sh [ROUNDS]      (default 1; needs root the first time,
#                                            to install the packages)
#
# The stand-in replaces entente (ENTENTE_BIN), so no build is needed:
#   sweep FILE --out DIR   writes DIR/done: task, count and start/end times
#   merge DIR... --out DIR concatenates DIR.../done into DIR/all.txt
# The cluster is stopped at the end, also when a check fails.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=${1:-1}
TASKS=8
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS]" >&2; exit 2; }

STATE_DIR=${ENTENTE_SLURM_DIR:-/tmp/entente-slurm}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/entente-slurm-selftest.XXXXXX")

say() { printf '[selftest] %s\n' "$*"; }
fail() {
    printf '[selftest] FAIL: %s\n' "$*" >&2
    exit 1
}

cleanup() {
    local rc=$?
    "$HERE/local-cluster.sh" stop || true
    if ((rc == 0)); then
        rm -rf "$WORK"
    else
        say "work folder kept for inspection: $WORK (cluster logs: $STATE_DIR/log)"
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- stand-in

cat >"$WORK/entente-standin" <<'EOF'
#!/usr/bin/env bash
# Stand-in for entente in the Slurm self-test.
set -euo pipefail
cmd=$1
shift
out= inputs=()
while (($#)); do
    case $1 in
        --out) out=$2; shift 2 ;;
        --threads) shift 2 ;;
        *) inputs+=("$1"); shift ;;
    esac
done
[[ -n $out ]] || { echo "stand-in: --out missing" >&2; exit 2; }
case $cmd in
    sweep)
        [[ -f ${inputs[0]} ]] || { echo "stand-in: sweep file ${inputs[0]} not found" >&2; exit 2; }
        mkdir -p "$out"
        start=$(date +%s.%N)
        sleep "${ENTENTE_STANDIN_SLEEP:-2}"
        if [[ ${ENTENTE_STANDIN_FAIL:-} == "$SLURM_ARRAY_TASK_ID" ]]; then
            echo "stand-in: task $SLURM_ARRAY_TASK_ID fails on purpose" >&2
            exit 3
        fi
        printf 'task=%s count=%s start=%s end=%s\n' "$SLURM_ARRAY_TASK_ID" \
            "$SLURM_ARRAY_TASK_COUNT" "$start" "$(date +%s.%N)" >"$out/done"
        ;;
    merge)
        mkdir -p "$out"
        for d in "${inputs[@]}"; do cat "$d/done"; done >"$out/all.txt"
        ;;
    *) echo "stand-in: unknown command $cmd" >&2; exit 2 ;;
esac
EOF
chmod +x "$WORK/entente-standin"
printf '# stand-in sweep file for the Slurm self-test\n' >"$WORK/sweep.toml"
export ENTENTE_BIN=$WORK/entente-standin
# Poll twice a second, so that the measured end-to-end time is not rounded up to
# whole seconds.
export ENTENTE_POLL=${ENTENTE_POLL:-0.5}

# ---------------------------------------------------------------- checks

check_merged() {
    local all=$1/merged/all.txt
    [[ -s $all ]] || fail "no merged file $all"
    local lines expected
    lines=$(wc -l <"$all")
    ((lines == TASKS)) || fail "$all has $lines lines, expected $TASKS"
    # Each task 0..TASKS-1 exactly once.
    expected=$(seq 0 $((TASKS - 1)))
    [[ $(sed -n 's/^task=\([0-9]*\) .*/\1/p' "$all" | sort -n) == "$expected" ]] ||
        fail "tasks in $all are not 0..$((TASKS - 1)) each once: $(tr '\n' ';' <"$all")"
    # Every task saw the array's size.
    [[ $(grep -c " count=$TASKS " "$all") == "$TASKS" ]] ||
        fail "not every task saw SLURM_ARRAY_TASK_COUNT=$TASKS: $(tr '\n' ';' <"$all")"
    # More tasks at once than the machine has cores shows that the partition's
    # oversubscription works (each task sleeps, so they overlap if started together).
    local most
    most=$(awk '{ split($3, s, "="); split($4, e, "=");
                  print s[2], 1; print e[2], -1 }' "$all" |
        sort -k1,1g -k2,2n | awk '{ n += $2; if (n > m) m = n } END { print m }')
    say "tasks running at once: at most $most (cores: $(nproc))"
    ((most > $(nproc))) || fail "at most $most tasks ran at once: no oversubscription"
}

# ---------------------------------------------------------------- rounds

summary=()
for ((round = 1; round <= ROUNDS; round++)); do
    say "===== round $round of $ROUNDS ====="
    "$HERE/local-cluster.sh" stop >/dev/null
    "$HERE/local-cluster.sh" start | tee "$WORK/start-$round.log"
    setup=$(sed -n 's/.*setup took \([0-9.]*\) s.*/\1/p' "$WORK/start-$round.log")
    # shellcheck source=/dev/null
    source "$STATE_DIR/env.sh"

    out=$WORK/round-$round/ok
    "$HERE/submit-sweep.sh" "$WORK/sweep.toml" "$out" "$TASKS" | tee "$WORK/submit-$round.log" ||
        fail "submit-sweep.sh failed (logs in $out/logs)"
    e2e=$(sed -n 's/.*end-to-end time: \([0-9.]*\) s.*/\1/p' "$WORK/submit-$round.log")
    check_merged "$out"
    say "merged result OK: tasks 0..$((TASKS - 1)) once each, count $TASKS"

    # A failing task: submit-sweep.sh must exit 1 and the merge must not run.
    out=$WORK/round-$round/failing
    rc=0
    ENTENTE_STANDIN_FAIL=5 ENTENTE_STANDIN_SLEEP=1 \
        "$HERE/submit-sweep.sh" "$WORK/sweep.toml" "$out" "$TASKS" >"$WORK/fail-$round.log" 2>&1 || rc=$?
    sed 's/^/    | /' "$WORK/fail-$round.log"
    ((rc == 1)) || fail "with task 5 failing, submit-sweep.sh exited $rc, expected 1"
    [[ ! -e $out/merged ]] || fail "the merge ran although task 5 failed"
    grep -q 'task 5: FAILED' "$WORK/fail-$round.log" || fail "the report does not name task 5 as FAILED"
    say "failing task detected: exit 1, no merge"

    "$HERE/local-cluster.sh" stop
    summary+=("round $round: setup ${setup:-?} s, $TASKS-task end-to-end ${e2e:-?} s")
done

say "===== all $ROUNDS round(s) passed ====="
for line in "${summary[@]}"; do say "$line"; done
