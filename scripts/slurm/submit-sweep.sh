#!/usr/bin/env bash
# Runs an entente sweep on Slurm: an array of TASKS shards, then one merge job
# that starts when every shard has succeeded; waits for both and reports.
#
#   scripts/slurm/submit-sweep.sh SWEEP.toml OUT_DIR [TASKS]     (TASKS default 8)
#
# Results: OUT_DIR/shard-0 .. shard-(TASKS-1), OUT_DIR/merged (the same files as
# one unsharded `entente sweep`), job logs in OUT_DIR/logs. SWEEP.toml and OUT_DIR
# must be on a filesystem that every compute node sees.
#
# Exit status: 0 when every shard and the merge succeeded; 1 when any failed or
# was cancelled (the merge is then cancelled by Slurm, never run on partial
# shards); 2 for bad arguments.
#
# Environment:
#   ENTENTE_BIN            entente executable (default: entente on PATH, else
#                          target/release/entente of this repository)
#   ENTENTE_CPUS_PER_TASK  CPUs for each shard (default 1); the shard runs that
#                          many threads (entente sweep --threads)
#   ENTENTE_SBATCH_ARGS    extra sbatch options for both jobs, e.g.
#                          "--partition=long --time=4:00:00 --account=proj"
#                          (sbatch's own SBATCH_* variables work too)
#   ENTENTE_SWEEP_ARGS     extra `entente sweep` arguments, e.g. --resume
#   ENTENTE_MERGE_ARGS     extra `entente merge` arguments, e.g. --force
#   ENTENTE_POLL           seconds between status checks (default 1)
# For the local cluster of local-cluster.sh, source its env.sh first.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

say() { printf '[submit-sweep] %s\n' "$*"; }
die() { printf '[submit-sweep] error: %s\n' "$*" >&2; exit "${2:-1}"; }
usage() {
    echo "usage: $0 SWEEP.toml OUT_DIR [TASKS]" >&2
    exit 2
}

(($# >= 2 && $# <= 3)) || usage
SWEEP_ARG=$1
OUT_ARG=$2
TASKS=${3:-8}
POLL=${ENTENTE_POLL:-1}
CPUS=${ENTENTE_CPUS_PER_TASK:-1}

[[ $TASKS =~ ^[1-9][0-9]*$ ]] || die "TASKS must be a positive integer, found '$TASKS'" 2
[[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "ENTENTE_CPUS_PER_TASK must be a positive integer, found '$CPUS'" 2
[[ -f $SWEEP_ARG ]] || die "sweep file not found: $SWEEP_ARG" 2
for c in sbatch squeue scancel; do
    command -v "$c" >/dev/null ||
        die "$c not found: no Slurm client here (for a local cluster: scripts/slurm/local-cluster.sh start, then source its env.sh)"
done

# Absolute paths: the jobs run from the submission folder on some node, and
# entente records the sweep file's path in each shard for the merge to reload.
SWEEP=$(cd "$(dirname "$SWEEP_ARG")" && pwd)/$(basename "$SWEEP_ARG")
mkdir -p "$OUT_ARG"
OUT=$(cd "$OUT_ARG" && pwd)
LOGS=$OUT/logs
mkdir -p "$LOGS"

# Resolve entente once here, so that every task runs the same executable.
if [[ -n ${ENTENTE_BIN:-} ]]; then
    BIN=$ENTENTE_BIN
elif command -v entente >/dev/null; then
    BIN=entente
elif [[ -x $REPO/target/release/entente ]]; then
    BIN=$REPO/target/release/entente
else
    die "entente not found on PATH nor at $REPO/target/release/entente (cargo build --release, or set ENTENTE_BIN)"
fi
BIN=$(command -v "$BIN") || die "ENTENTE_BIN is not an executable: $ENTENTE_BIN" 2
[[ $BIN == /* ]] || BIN=$PWD/$BIN

extra=()
if [[ -n ${ENTENTE_SBATCH_ARGS:-} ]]; then
    # Word-split on purpose: a list of sbatch options.
    read -r -a extra <<<"$ENTENTE_SBATCH_ARGS"
fi

# sbatch --export=ALL (its default) passes this environment to the jobs;
# the variables the job scripts read are exported explicitly.
export SWEEP OUT ENTENTE_BIN=$BIN
export ENTENTE_SWEEP_ARGS=${ENTENTE_SWEEP_ARGS:-} ENTENTE_MERGE_ARGS=${ENTENTE_MERGE_ARGS:-}

t0=$(date +%s.%N)
# --parsable prints "jobid" or "jobid;cluster".
array_id=$(sbatch --parsable "${extra[@]}" \
    --array="0-$((TASKS - 1))" \
    --cpus-per-task="$CPUS" \
    --output="$LOGS/sweep-%A_%a.out" \
    "$HERE/sweep.sbatch") || die "sbatch of the sweep array failed"
array_id=${array_id%%;*}

# afterok: the merge runs only if every task of the array exits 0.
# --kill-on-invalid-dep: if one fails, Slurm cancels the merge at once instead of
# leaving it pending forever with reason DependencyNeverSatisfied.
if ! merge_id=$(sbatch --parsable "${extra[@]}" \
    --dependency="afterok:$array_id" \
    --kill-on-invalid-dep=yes \
    --output="$LOGS/merge-%j.out" \
    "$HERE/merge.sbatch"); then
    scancel "$array_id" || true
    die "sbatch of the merge job failed; array $array_id cancelled"
fi
merge_id=${merge_id%%;*}

say "sweep $SWEEP -> $OUT"
say "array job $array_id ($TASKS tasks), merge job $merge_id; logs in $LOGS"
trap 'echo; say "interrupted; the jobs keep running: scancel $array_id $merge_id to stop them"; exit 130' INT TERM

# ---------------------------------------------------------------- wait

# Last state seen of each job: "5_3" for task 3 of array 5, "6" for the merge.
# Kept across polls, because a finished job eventually leaves the controller's
# memory (MinJobAge) and so squeue's answer.
declare -A state=()
terminal() {
    case $1 in
        COMPLETED | FAILED | CANCELLED* | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) return 0 ;;
        *) return 1 ;;
    esac
}

last_summary='' squeue_errors=0
while :; do
    # -t all: finished jobs too (squeue shows only queued/running ones otherwise);
    # -r: one line per array task, pending ones included.
    if ! lines=$(squeue -h -r -t all -j "$array_id,$merge_id" -o '%i %T' 2>&1); then
        # "Invalid job id" once both have left the controller's memory; anything
        # else (controller restarting, timeouts) is retried for a while.
        if [[ $lines == *"Invalid job id"* ]]; then
            break
        fi
        ((++squeue_errors > 120)) && die "squeue keeps failing: $lines"
        sleep "$POLL"
        continue
    fi
    squeue_errors=0
    while read -r id st; do
        [[ -n $id ]] && state[$id]=$st
    done <<<"$lines"

    pending=0 running=0 done_ok=0 failed=0 busy=0
    for id in "${!state[@]}"; do
        st=${state[$id]}
        terminal "$st" || busy=1
        [[ $id == "$merge_id" ]] && continue
        case $st in
            PENDING) ((++pending)) ;;
            COMPLETED) ((++done_ok)) ;;
            RUNNING | COMPLETING | CONFIGURING) ((++running)) ;;
            *) if terminal "$st"; then ((++failed)); else ((++running)); fi ;;
        esac
    done
    summary="tasks: $pending pending, $running running, $done_ok done, $failed failed; merge: ${state[$merge_id]:-?}"
    if [[ $summary != "$last_summary" ]]; then
        say "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1fs", b - a }') $summary"
        last_summary=$summary
    fi
    ((busy)) || break
    sleep "$POLL"
done
trap - INT TERM

elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# ---------------------------------------------------------------- report

# Where the controller forgot a job before its end was seen, ask the accounting
# database (present on most real clusters; absent on the local one).
if [[ -z ${state[$merge_id]:-} ]] || ! terminal "${state[$merge_id]}"; then
    if acct=$(sacct -n -P -X -j "$merge_id" -o State 2>/dev/null) && [[ -n $acct ]]; then
        state[$merge_id]=${acct%% *}
    fi
fi

merge_state=${state[$merge_id]:-unknown}
if [[ $merge_state == COMPLETED ]]; then
    # afterok guarantees that every task exited 0 before the merge started.
    say "all $TASKS tasks and the merge succeeded: $OUT/merged"
    say "end-to-end time: $elapsed s"
    exit 0
fi

say "FAILED: merge job $merge_id is $merge_state"
bad=0
for ((i = 0; i < TASKS; i++)); do
    st=${state[${array_id}_$i]:-}
    if [[ -z $st ]] && acct=$(sacct -n -P -X -j "${array_id}_$i" -o State 2>/dev/null) && [[ -n $acct ]]; then
        st=${acct%% *}
    fi
    if [[ $st != COMPLETED ]]; then
        bad=1
        log=$LOGS/sweep-${array_id}_$i.out
        say "  task $i: ${st:-unknown} (log: $log)"
        [[ -s $log ]] && tail -n 5 "$log" | sed 's/^/      /'
    fi
done
((bad)) || say "  every task completed; see the merge log: $LOGS/merge-$merge_id.out"
[[ -s $LOGS/merge-$merge_id.out ]] && tail -n 5 "$LOGS/merge-$merge_id.out" | sed 's/^/      /'
say "end-to-end time: $elapsed s"
exit 1
