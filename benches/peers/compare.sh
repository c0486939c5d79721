#!/usr/bin/env bash
# Benchmark entente against its two Python peers and cross-check the outcome
# distributions.
#
# Runs, one after the other and each on one thread:
#   1. the NumPy peer   (numpy_model.py, vectorised across runs),
#   2. the Mesa peer    (mesa_model.py, one Mesa agent per state; skipped when
#                        its virtual environment is missing or with --no-mesa),
#   3. entente          (target/release/entente run ... --threads 1 --no-charts).
# Each engine runs --repeat times with the same runs and seed, the three taking
# turns (NumPy, Mesa, entente, then again). Then prints
# runs per second per core of each engine's fastest repeat (and the range
# over repeats), the speed ratios entente/Mesa and entente/NumPy, the
# outcome and configuration tables side by side, and whether the
# distributions agree (Wilson 99% intervals must overlap; see compare.py).
# Exits 1 when they disagree or when repeats of one engine differ.
#
# Usage: benches/peers/compare.sh [options]
#   --scenario FILE     scenario (default scenarios/baseline-2020.toml)
#   --entente-runs N    runs for entente   (default 100000)
#   --numpy-runs N      runs for NumPy     (default 100000)
#   --mesa-runs N       runs for Mesa      (default 2000)
#   --seed S            master seed for all three (default: the scenario's)
#   --repeat K          times each engine runs; its fastest run is its speed
#                       (default 3; load on a shared machine only slows runs)
#   --no-mesa           skip the Mesa peer
#   --python PATH       interpreter for the NumPy peer (default: the Mesa
#                       venv's python if present, else python3)
#   --out DIR           keep the result folders in DIR (default: a temporary
#                       folder, removed at exit)
#   --setup             create the Mesa venv first (benches/peers/.venv-mesa)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-mesa"

scenario="$root/scenarios/baseline-2020.toml"
entente_runs=100000
numpy_runs=100000
mesa_runs=2000
repeat=3
seed=""
use_mesa=1
python=""
out=""
setup=0

die() { echo "compare.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scenario) scenario="$2"; shift 2 ;;
        --entente-runs) entente_runs="$2"; shift 2 ;;
        --numpy-runs) numpy_runs="$2"; shift 2 ;;
        --mesa-runs) mesa_runs="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --no-mesa) use_mesa=0; shift ;;
        --python) python="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --setup) setup=1; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
for v in "$entente_runs" "$numpy_runs" "$mesa_runs"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "run counts must be whole numbers of at least 1, found $v"
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a whole number of at least 1, found $repeat"
[[ -f "$scenario" ]] || die "no scenario file $scenario"
scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"

# One thread for every numerical library, so every figure is per core.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1

if [[ $setup -eq 1 && ! -x "$venv/bin/python" ]]; then
    py312="${PY312:-/root/.pyenv/versions/3.12.1/bin/python}"
    command -v "$py312" >/dev/null || py312="$(command -v python3.12 || true)"
    [[ -n "$py312" ]] || die "--setup needs Python 3.12 (set PY312=/path/to/python3.12)"
    "$py312" -m venv "$venv"
    "$venv/bin/pip" install --quiet 'mesa==3.5.*' networkx numpy
fi

if [[ -z "$python" ]]; then
    if [[ -x "$venv/bin/python" ]]; then python="$venv/bin/python"; else python="python3"; fi
fi
"$python" -c 'import sys, numpy; assert sys.version_info >= (3, 11)' 2>/dev/null \
    || die "$python needs Python 3.11+ with numpy (or run with --setup)"

entente="$root/target/release/entente"
if [[ ! -x "$entente" ]]; then
    echo "building entente (cargo build --release)"
    (cd "$root" && cargo build --release)
fi

if [[ -n "$out" ]]; then
    mkdir -p "$out"
    work="$(cd "$out" && pwd)"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
rm -rf "$work"/numpy* "$work"/mesa* "$work"/entente*

seed_args=()
[[ -n "$seed" ]] && seed_args=(--seed "$seed")

echo "scenario: $scenario"
echo
# repeats NAME: the comma-separated folders NAME-1 .. NAME-K of its repeats.
repeats() {
    local list="" r
    for r in $(seq "$repeat"); do list+="${list:+,}$work/$1-$r"; done
    echo "$list"
}

with_mesa=0
if [[ $use_mesa -eq 1 ]]; then
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import mesa' 2>/dev/null; then
        with_mesa=1
    else
        echo "== Mesa peer skipped: no Mesa venv at $venv (see README.md, or pass --setup)"
    fi
else
    echo "== Mesa peer skipped (--no-mesa)"
fi

# The engines take turns, so that each engine's repeats spread over the whole
# comparison and a busy spell of other work does not fall on one engine only.
for r in $(seq "$repeat"); do
    echo "== round $r of $repeat"
    printf '  numpy  (%s runs): ' "$numpy_runs"
    "$python" "$here/numpy_model.py" "$scenario" --runs "$numpy_runs" "${seed_args[@]}" \
        --out "$work/numpy-$r" | tail -n 1
    if [[ $with_mesa -eq 1 ]]; then
        printf '  mesa   (%s runs): ' "$mesa_runs"
        "$venv/bin/python" "$here/mesa_model.py" "$scenario" --runs "$mesa_runs" \
            "${seed_args[@]}" --out "$work/mesa-$r" | tail -n 1
    fi
    printf '  entente (%s runs, 1 thread): ' "$entente_runs"
    "$entente" run "$scenario" --runs "$entente_runs" "${seed_args[@]}" --threads 1 \
        --no-charts --out "$work/entente-$r" > "$work/entente-$r.log"
    head -n 1 "$work/entente-$r.log"
done
echo

folders=()
[[ $with_mesa -eq 1 ]] && folders+=("mesa=$(repeats mesa)")

status=0
"$python" "$here/compare.py" "entente=$(repeats entente)" "${folders[@]}" \
    "numpy=$(repeats numpy)" || status=$?
[[ -n "$out" ]] && echo "results kept in $work"
exit $status
