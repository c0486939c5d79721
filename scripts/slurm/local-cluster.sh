#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for running sweep arrays locally and
# for testing the Slurm scripts beside this file.
#
#   scripts/slurm/local-cluster.sh start    # install if needed, start munged, slurmctld, slurmd
#   scripts/slurm/local-cluster.sh status   # what runs, and what sinfo says
#   scripts/slurm/local-cluster.sh stop     # stop the daemons this script started
#
# Then, in any shell that should talk to it:
#   source "${ENTENTE_SLURM_DIR:-/tmp/entente-slurm}/env.sh"   # sets SLURM_CONF
#
# Everything (config, state, spool, logs, pid files) lives in one state folder,
# ENTENTE_SLURM_DIR (default /tmp/entente-slurm). Nothing is written to /etc/slurm.
# The daemons are started by hand, because the machines this runs on have no
# systemd. Only munged uses the system paths (/etc/munge, /run/munge), because
# every munge client, slurm's included, finds the daemon through its default socket.
#
# Environment:
#   ENTENTE_SLURM_DIR      state folder (default /tmp/entente-slurm)
#   ENTENTE_SLURM_TIMEOUT  seconds to wait for the node to become idle (default 90)
#   ENTENTE_SLURM_OVERSUBSCRIBE  jobs that may share one core (default 4)
#   ENTENTE_SLURM_SELECT   cons_tres (default) or linear: the select plugin to try
#                          first (start falls back to linear if cons_tres fails)

set -euo pipefail

STATE_DIR=${ENTENTE_SLURM_DIR:-/tmp/entente-slurm}
# The daemons get absolute paths: they do not run from this folder.
[[ $STATE_DIR == /* ]] || STATE_DIR=$PWD/$STATE_DIR
TIMEOUT=${ENTENTE_SLURM_TIMEOUT:-90}
OVERSUB=${ENTENTE_SLURM_OVERSUBSCRIBE:-4}
SELECT=${ENTENTE_SLURM_SELECT:-cons_tres}
PACKAGES=(slurmctld slurmd slurm-client munge)

CONF=$STATE_DIR/slurm.conf
RUN_DIR=$STATE_DIR/run
LOG_DIR=$STATE_DIR/log

# Debian installs the daemons in /usr/sbin, which a non-login root shell may lack.
export PATH=$PATH:/usr/sbin:/sbin

log() { printf '[local-cluster] %s\n' "$*"; }
die() { printf '[local-cluster] error: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- pid files

pidfile() { printf '%s/%s.pid\n' "$RUN_DIR" "$1"; }

# Prints the pid recorded for daemon $1 if that process is alive and is still
# that program (a stale pid file may name a pid reused by something else).
live_pid() {
    local name=$1 f pid comm
    f=$(pidfile "$name")
    [[ -s $f ]] || return 1
    pid=$(<"$f")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ $comm == "$name" ]] || return 1
    is_zombie "$pid" && return 1
    printf '%s\n' "$pid"
}

# A dead daemon keeps its /proc entry and name as a zombie (state Z) until it is
# reaped: daemons that outlived the shell that started them are PID 1's to reap,
# which in some containers happens late or never.
is_zombie() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} == Z ]]
}

# Prints the last lines of the given log files of the state folder.
tail_logs() {
    local f
    for f in "$@"; do
        f=$LOG_DIR/$f
        [[ -s $f ]] || continue
        printf '\n----- last lines of %s -----\n' "$f" >&2
        tail -n 20 "$f" >&2
    done
}

# Records $2 as the pid of daemon $1, once it has become that program. It is
# started through setsid (and setpriv), which exec into it: until then its
# /proc/PID/comm is theirs, and live_pid would take it for a stale pid.
record_pid() {
    local name=$1 pid=$2 i
    echo "$pid" >"$(pidfile "$name")"
    for ((i = 0; i < 100; i++)); do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] && return 0
        [[ -d /proc/$pid ]] || return 0
        sleep 0.05
    done
}

# ---------------------------------------------------------------- install

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        log "packages present: ${PACKAGES[*]}"
        return
    fi
    log "installing ${missing[*]} (apt-get)"
    # The packages' maintainer scripts would start the daemons through their init
    # scripts, with the stock config in /etc/slurm that does not exist. This script
    # owns the daemons' lifecycle, so a temporary policy-rc.d (exit 101 = "action
    # forbidden") tells invoke-rc.d to leave them alone. An existing policy is kept.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e $policy ]]; then
        trap 'rm -f "$policy"' EXIT
        trap 'rm -f "$policy"; exit 130' INT TERM
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
        added_policy=1
    fi
    local rc=0
    {
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq &&
            apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
                "${missing[@]}"
    } >"$LOG_DIR/apt.log" 2>&1 || rc=$?
    if ((added_policy)); then
        rm -f "$policy"
        trap - EXIT INT TERM
    fi
    if ((rc != 0)); then
        tail -n 30 "$LOG_DIR/apt.log" >&2
        die "apt-get failed (exit $rc); full log in $LOG_DIR/apt.log"
    fi
}

# ---------------------------------------------------------------- munge

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munged() {
    local pid
    if pid=$(live_pid munged); then
        log "munged already running (pid $pid)"
        return
    fi
    rm -f "$(pidfile munged)"
    if munge_works; then
        # Some other munged (not started here) answers on the default socket.
        # Slurm can use it; we neither record nor ever stop it.
        log "a munged not started by this script is running; using it"
        return
    fi
    id munge >/dev/null 2>&1 || die "user munge does not exist (is the munge package installed?)"

    # munged refuses to run unless its key and folders are owned by munge and not
    # writable (the key: not readable) by anyone else.
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge
    install -d -o munge -g munge -m 0700 /var/log/munge
    # /run is a tmpfs: its munge folder is gone after each boot (systemd's
    # RuntimeDirectory would recreate it). The socket folder must be world-readable
    # so that clients (sbatch, slurmd, ...) reach the socket.
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating munge key /etc/munge/munge.key"
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile=/etc/munge/munge.key
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key

    # setpriv execs munged as user munge without forking (unlike su/runuser), so $!
    # is munged's own pid; --foreground keeps it from daemonizing away from that pid,
    # and setsid detaches it from this shell's session and terminal. (No --force:
    # it would also silence munged's checks of the key's permissions. A socket left
    # by a killed munged is no obstacle: munged sees its lock file is not held.)
    setsid setpriv --reuid=munge --regid=munge --init-groups -- \
        munged --foreground >>"$LOG_DIR/munged.out" 2>&1 </dev/null &
    record_pid munged $!
    log "started munged (pid $!)"
    local i
    for ((i = 0; i < 50; i++)); do
        munge_works && return
        live_pid munged >/dev/null || break
        sleep 0.2
    done
    tail_logs munged.out
    die "munged did not come up (see above and $LOG_DIR/munged.out)"
}

# ---------------------------------------------------------------- slurm.conf

plugin_dir() {
    local d
    for d in /usr/lib/x86_64-linux-gnu/slurm-wlm /usr/lib/*/slurm-wlm /usr/lib/slurm-wlm /usr/lib64/slurm /usr/lib/slurm; do
        [[ -d $d ]] && { printf '%s\n' "$d"; return; }
    done
}

# Writes $CONF for select plugin $1 (cons_tres or linear).
write_conf() {
    local select=$1 node hw pdir
    node=$(hostname -s)
    [[ -n $node ]] || die "hostname -s is empty"
    # slurmd -C prints this machine's layout as a NodeName line, e.g.
    #   NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
    # It needs no slurm.conf; /dev/null keeps it from reading a stale one.
    hw=$(SLURM_CONF=/dev/null slurmd -C 2>/dev/null | grep -m1 '^NodeName=') ||
        die "slurmd -C printed no NodeName line"
    hw=${hw#NodeName=* }
    pdir=$(plugin_dir)

    local select_params oversub
    if [[ $select == cons_tres ]]; then
        # Cores are the consumable resource; memory is not, so that jobs that ask
        # for no memory are not each given the whole node's memory (which would
        # let only one job run at a time).
        select_params=SelectTypeParameters=CR_Core
        oversub=$OVERSUB
    else
        # select/linear hands out whole nodes and tracks nothing finer (memory
        # left untracked for the same reason as above); sharing the one node
        # between jobs is then what lets an array run in parallel at all.
        select_params=
        oversub=$((OVERSUB * $(nproc)))
    fi

    cat >"$CONF.tmp" <<EOF
# Generated by scripts/slurm/local-cluster.sh on $(date -u +%FT%TZ); regenerated on
# each start. One node, one partition, no accounting database.
ClusterName=entente-local
# NodeAddr/the controller address are the loopback address, so that nothing
# depends on how (or whether) the host name resolves.
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
${pdir:+PluginDir=$pdir}

# Everything under the state folder, so that nothing in /etc or /var is needed.
StateSaveLocation=$STATE_DIR/state
SlurmdSpoolDir=$STATE_DIR/spool/slurmd
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No systemd and no delegated cgroup tree here: track job processes through
# /proc (linuxproc) and bind no tasks to CPUs (task/none), so no cgroup plugin
# and no cgroup.conf is involved.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
# No mail on this machine; the default (/bin/mail) is absent and logs an error.
MailProg=/bin/true

SchedulerType=sched/backfill
# By default the start of batch jobs may be put off by up to 3 s, to batch up
# bursts of submissions on busy clusters; here that is pure latency (an 8-task
# array of no-op jobs takes ~3 s instead of ~1 s from submission to completion).
SchedulerParameters=batch_sched_delay=0
SelectType=select/$select
$select_params

# Low timeouts: a one-node cluster on loopback answers at once, and a dead
# daemon should show as such in seconds, not minutes.
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
InactiveLimit=0
KillWait=5
# Keep finished jobs visible to squeue/scontrol for 10 minutes: there is no
# accounting database, so that is how submit-sweep.sh reads their final state.
MinJobAge=600
# A node that went down (e.g. its slurmd was stopped) returns to service as soon
# as it registers again with a valid configuration, without an scontrol resume.
ReturnToService=2

# The hardware as slurmd -C reports it. More jobs than cores may run at once
# (an 8-task array on 2 cores runs all 8 together) through the partition's
# OverSubscribe=FORCE:N, which lets N jobs share each core (select/linear: N jobs
# share the node), rather than by declaring more CPUs than there are: slurmd
# checks the declared layout against the real one and drains a node that claims
# more, and the true counts stay visible to jobs (SLURM_CPUS_ON_NODE).
# Oversubscribing does not make CPU-bound shards faster; for timing real shards,
# start with ENTENTE_SLURM_OVERSUBSCRIBE=1 (one job per core).
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$oversub
EOF
    mv "$CONF.tmp" "$CONF"
    cat >"$STATE_DIR/env.sh" <<EOF
# Source this to use the local cluster: sinfo, sbatch, squeue, scontrol, scancel.
export SLURM_CONF=$CONF
export ENTENTE_SLURM_DIR=$STATE_DIR
EOF
}

# ---------------------------------------------------------------- slurm daemons

# Starts slurm daemon $1 in the foreground (-D) under setsid, so that $! is its
# pid and its stderr (which gets fatal config errors before the log file is open)
# lands in a log file.
start_daemon() {
    local name=$1 pid
    if pid=$(live_pid "$name"); then
        log "$name already running (pid $pid)"
        return
    fi
    rm -f "$(pidfile "$name")"
    local args=(-D -f "$CONF")
    # -c: start clean, ignoring jobs and node states saved by an earlier run that
    # may no longer match this config.
    [[ $name == slurmctld ]] && args+=(-c)
    setsid "$name" "${args[@]}" >>"$LOG_DIR/$name.out" 2>&1 </dev/null &
    record_pid "$name" $!
    log "started $name (pid $!)"
}

ctld_answers() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

wait_ctld() {
    local deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        ctld_answers && return 0
        live_pid slurmctld >/dev/null || return 1
        sleep 0.3
    done
    return 1
}

node_state() { sinfo -h -N -n "$(hostname -s)" -o '%T' 2>/dev/null | head -n1; }

wait_idle() {
    local deadline=$((SECONDS + TIMEOUT)) state=
    while ((SECONDS < deadline)); do
        state=$(node_state || true)
        case $state in
            idle | mixed | allocated | completing) return 0 ;;
            drain*)
                # A node drained by an earlier run (e.g. after a config change)
                # is put back: this cluster has no other node to use.
                scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
                ;;
        esac
        live_pid slurmctld >/dev/null || die_with_logs "slurmctld exited"
        live_pid slurmd >/dev/null || die_with_logs "slurmd exited"
        sleep 0.5
    done
    die_with_logs "node $(hostname -s) not idle after ${TIMEOUT}s (last state: ${state:-none})"
}

# slurmctld runs its first scheduling cycle about 3 s after it starts, even with
# the node already idle: a job submitted before then waits for it. Returning only
# once a cycle has run keeps that wait out of the first job's time.
wait_scheduler() {
    local i cycles
    for ((i = 0; i < 50; i++)); do
        cycles=$(sdiag 2>/dev/null | awk '/^Main schedule statistics/ { m = 1 } m && /Total cycles:/ { print $3; exit }')
        [[ ${cycles:-0} -gt 0 ]] && return 0
        sleep 0.2
    done
    log "note: no scheduling cycle seen yet (sdiag); the first job may wait a few seconds"
}

die_with_logs() {
    tail_logs slurmctld.log slurmctld.out slurmd.log slurmd.out
    die "$1; logs in $LOG_DIR"
}

# ---------------------------------------------------------------- commands

cmd_start() {
    local t0
    t0=$(now)
    # SlurmUser=root, and munged's files belong to user munge: only root can set
    # this up.
    [[ $(id -u) == 0 ]] || die "start must run as root"
    mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$STATE_DIR/state" "$STATE_DIR/spool/slurmd"
    install_packages
    start_munged
    export SLURM_CONF=$CONF

    if live_pid slurmctld >/dev/null && live_pid slurmd >/dev/null; then
        log "slurmctld and slurmd already running; config kept as is (stop, then start, to regenerate it)"
    else
        # A config is only rewritten while no slurm daemon of ours runs on it.
        if ! live_pid slurmctld >/dev/null && ! live_pid slurmd >/dev/null; then
            local select=$SELECT pdir
            [[ $select == cons_tres || $select == linear ]] ||
                die "ENTENTE_SLURM_SELECT must be cons_tres or linear, found '$select'"
            pdir=$(plugin_dir)
            if [[ $select == cons_tres && -n $pdir && ! -e $pdir/select_cons_tres.so ]]; then
                log "select/cons_tres plugin not found in $pdir; using select/linear"
                select=linear
            fi
            write_conf "$select"
            log "wrote $CONF (select/$select)"
            start_daemon slurmctld
            if ! wait_ctld && [[ $select == cons_tres ]]; then
                log "slurmctld did not come up with select/cons_tres; retrying with select/linear"
                tail -n 5 "$LOG_DIR/slurmctld.out" >&2 2>/dev/null || true
                stop_daemon slurmctld
                write_conf linear
                start_daemon slurmctld
                wait_ctld || die_with_logs "slurmctld did not answer"
            fi
        else
            start_daemon slurmctld
        fi
        wait_ctld || die_with_logs "slurmctld did not answer"
        start_daemon slurmd
    fi
    wait_idle
    wait_scheduler
    log "node $(hostname -s) is $(node_state); partition debug is up"
    log "use it with: source $STATE_DIR/env.sh"
    log "setup took $(elapsed "$t0") s"
}

# Stops daemon $1 by its recorded pid: TERM, then KILL after 10 s.
stop_daemon() {
    local name=$1 pid i
    if ! pid=$(live_pid "$name"); then
        [[ -e $(pidfile "$name") ]] && log "$name not running (stale pid file removed)"
        rm -f "$(pidfile "$name")"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        [[ -d /proc/$pid ]] || break
        is_zombie "$pid" && break
        sleep 0.1
    done
    if [[ -d /proc/$pid ]] && ! is_zombie "$pid"; then
        log "$name (pid $pid) ignored TERM; killing"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pidfile "$name")"
    log "stopped $name (pid $pid)"
}

cmd_stop() {
    export SLURM_CONF=$CONF
    if live_pid slurmctld >/dev/null && [[ -e $CONF ]]; then
        # Jobs still running would outlive slurmd (their slurmstepd processes are
        # not its children to stop); cancel them while the controller can.
        local jobs
        jobs=$(squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)
        if [[ -n ${jobs// /} ]]; then
            log "cancelling jobs still queued or running: $jobs"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            local i
            for ((i = 0; i < 50; i++)); do
                [[ -z $(squeue -h -o '%A' 2>/dev/null) ]] && break
                sleep 0.2
            done
        fi
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    stop_daemon munged
    log "stopped (state and logs kept in $STATE_DIR)"
}

# Exit status 0 when all three daemons run, 3 otherwise (as init scripts do).
cmd_status() {
    local name pid rc=0
    for name in munged slurmctld slurmd; do
        if pid=$(live_pid "$name"); then
            log "$name running (pid $pid)"
        else
            log "$name not running"
            rc=3
        fi
    done
    if ((rc == 0)); then
        SLURM_CONF=$CONF sinfo || true
    elif live_pid slurmctld >/dev/null || live_pid slurmd >/dev/null || live_pid munged >/dev/null; then
        log "partly running: '$0 start' starts what is missing"
    fi
    return $rc
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 start|stop|status   (state folder: $STATE_DIR)" >&2
        exit 2
        ;;
esac
