"""Compare result folders of entente and its peers: speed and distributions.

    python compare.py LABEL=DIR[,DIR...] [LABEL=DIR[,DIR...] ...]

Each DIR holds `outcomes.csv` (and `configurations.csv`, `dyads.csv` when
present) plus either entente's `manifest.json` or a peer's `timing.json`.
The first label is the reference for the speed ratios (entente).

Several DIRs under one label are repeats of the same command (same runs,
same seed). Each engine's speed is that of its fastest repeat: on a shared
machine, load only ever slows a run down, so the minimum time is the most
stable estimate of what the computation costs (Chen and Revels 2016,
"Robust benchmarking in noisy environments", arXiv:1608.04295). Every
engine is timed the same way, and the spread of all repeats is printed.
Repeats must give identical outcome and configuration tables, since every
engine is seeded; a difference is a failure.

Agreement tests, for every pair of folders (these decide the exit status):
  * each outcome probability and each configuration probability of the
    report triad: the two Wilson 99% score intervals must overlap.
Overlap of two 99% intervals is a conservative test (with similar run counts
a difference must reach about 3.6 standard errors to fail), which keeps false
alarms rare although many probabilities are tested at once.

Diagnostics, printed but not deciding the exit status (with tens of cells
per scenario, mostly rare states, a chance mismatch would be too frequent):
  * each dyad state probability at the horizon, Wilson 99% overlap as above;
  * each dyad's mean averaged alignment at the horizon: |difference| against
    3.29 standard errors (99.9%; the standard deviation across runs comes
    from a peer's dyads.csv, and 0.00005 is allowed for the rounding of
    entente's four decimals).

Exit status: 0 when everything agrees, 1 otherwise.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenario import wilson  # noqa: E402

Z99 = 2.5758293035489004
Z999 = 3.2905267314918945


def read_table(path: Path) -> dict[str, dict[str, str]] | None:
    if not path.exists():
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    key = next(iter(rows[0])) if rows else None
    return {row[key]: row for row in rows}


def speed(folder: Path) -> tuple[int, float, int]:
    """(runs, wall seconds, threads) of a result folder."""
    for name in ("manifest.json", "timing.json"):
        p = folder / name
        if p.exists():
            m = json.loads(p.read_text())
            return int(m["runs"]), float(m["wall_seconds"]), int(m.get("threads", 1))
    raise SystemExit(f"no manifest.json or timing.json in {folder}")


def overlap(k1: int, n1: int, k2: int, n2: int) -> bool:
    lo1, hi1 = wilson(k1, n1, Z99)
    lo2, hi2 = wilson(k2, n2, Z99)
    return lo1 <= hi2 and lo2 <= hi1


def fmt_ci(k: int, n: int) -> str:
    lo, hi = wilson(k, n, Z99)
    return f"{k / n:.4f} [{lo:.4f},{hi:.4f}]"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    labels, folders, repeats = [], [], []
    for arg in argv:
        label, _, dirs = arg.partition("=")
        labels.append(label)
        repeats.append([Path(d) for d in dirs.split(",") if d])
    if any(not r for r in repeats):
        print(f"compare.py: every LABEL needs at least one folder: {' '.join(argv)}",
              file=sys.stderr)
        return 2

    # -- speed ---------------------------------------------------------------
    print("speed (one core each; fastest repeat, and the range over repeats)")
    print(f"  {'engine':<10} {'runs':>9} {'seconds':>9} {'runs/s/core':>12}  range")
    rates = {}
    failures = []
    for label, dirs in zip(labels, repeats):
        timed = []
        for d in dirs:
            runs, seconds, threads = speed(d)
            timed.append((runs / seconds / threads, runs, seconds, d))
        timed.sort(key=lambda t: -t[0])
        rate, runs, seconds, fastest = timed[0]
        rates[label] = rate
        folders.append(fastest)
        spread = f"{timed[-1][0]:.1f}-{rate:.1f} over {len(timed)}" if len(timed) > 1 else "1 run"
        print(f"  {label:<10} {runs:>9} {seconds:>9.3f} {rate:>12.1f}  {spread}")
        for table in ("outcomes.csv", "configurations.csv"):
            first = read_table(dirs[0] / table)
            if any(read_table(d / table) != first for d in dirs[1:]):
                failures.append(f"repeats of {label} differ in {table}")
    ref = labels[0]
    for label in labels[1:]:
        print(f"  ratio {ref}/{label}: {rates[ref] / rates[label]:.1f}x")
    print()

    pairs = [(a, b) for a in range(len(labels)) for b in range(a + 1, len(labels))]

    # -- probability tables ----------------------------------------------------
    for table, title in (("outcomes.csv", "outcome"), ("configurations.csv", "configuration")):
        data = [read_table(f / table) for f in folders]
        if any(d is None for d in data):
            continue
        names = list(data[0])
        n = [int(speed(f)[0]) for f in folders]
        print(f"{title} probabilities, Wilson 99% intervals")
        header = f"  {title:<32}" + "".join(f" {lab:>26}" for lab in labels) + "  agree"
        print(header)
        for name in names:
            counts = []
            for d in data:
                if name not in d:
                    raise SystemExit(f"{title} `{name}` missing from one table")
                counts.append(int(d[name]["count"]))
            ok = all(overlap(counts[a], n[a], counts[b], n[b]) for a, b in pairs)
            cells = "".join(f" {fmt_ci(k, m):>26}" for k, m in zip(counts, n))
            print(f"  {name:<32}{cells}  {'yes' if ok else 'NO'}")
            if not ok:
                failures.append(f"{title} {name}")
        print()

    # -- dyads -------------------------------------------------------------------
    dyads = [read_table(f / "dyads.csv") for f in folders]
    if all(d is not None for d in dyads):
        n = [int(speed(f)[0]) for f in folders]
        sds = [d for d in dyads if "sd_final_alignment" in next(iter(d.values()))]
        print("dyads at the horizon (diagnostic): mean averaged alignment (z of the "
              "largest difference, limit 3.29) and state probabilities (Wilson 99% overlap)")
        notes = []
        for name in dyads[0]:
            rows = [d[name] for d in dyads]
            means = [float(r["mean_final_alignment"]) for r in rows]
            sd = max(float(d[name]["sd_final_alignment"]) for d in sds) if sds else None
            worst = 0.0
            if sd is not None:
                for a, b in pairs:
                    se = sd * math.sqrt(1 / n[a] + 1 / n[b])
                    diff = max(abs(means[a] - means[b]) - 0.00005, 0.0)
                    worst = max(worst, diff / se if se > 0 else (math.inf if diff > 0 else 0.0))
            mean_ok = worst <= Z999
            state_ok = True
            for s in ("p_alliance", "p_partnership", "p_hedging", "p_antagonism"):
                k = [round(float(r[s]) * m) for r, m in zip(rows, n)]
                if not all(overlap(k[a], n[a], k[b], n[b]) for a, b in pairs):
                    state_ok = False
                    notes.append(f"{name} {s}")
            if not mean_ok:
                notes.append(f"{name} mean alignment")
            cells = " ".join(f"{lab}={m:+.4f}" for lab, m in zip(labels, means))
            print(f"  {name:<10} {cells}  z={worst:.2f}  "
                  f"{'yes' if mean_ok and state_ok else 'differs'}")
        if notes:
            print("  diagnostic differences (not failures): " + "; ".join(notes))
        print()

    if failures:
        print("DISAGREE: " + "; ".join(failures))
        return 1
    print("AGREE: every outcome and configuration probability agrees between "
          + ", ".join(labels))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
