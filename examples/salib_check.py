"""Sobol indices of P(sino_russian_alliance) two ways: SALib sampling with
entente evaluated in-process, and entente's own Sobol sweep over the same
factors and ranges (tests/sweeps/salib-sobol.toml). The two use different
sample matrices and estimators, so they agree within their sampling error,
not exactly.

    pip install ./python SALib
    cargo build --release
    python examples/salib_check.py [BASE_POINTS, default 256]
"""

import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

import entente

N = int(sys.argv[1]) if len(sys.argv) > 1 else 256
RUNS = 200
SWEEP = "tests/sweeps/salib-sobol.toml"
OUTCOME = "sino_russian_alliance"
FACTORS = {
    "params.c_T": (1.0, 3.0),
    "params.beta_N": (0.5, 1.5),
    "params.kappa_A": (0.3, 1.0),
}

problem = {
    "num_vars": len(FACTORS),
    "names": list(FACTORS),
    "bounds": [list(b) for b in FACTORS.values()],
}


def salib_indices(n, runs=RUNS, seed=7):
    """SALib's first and total indices, evaluating each sample point with
    `runs` runs of the baseline at nominal values."""
    scenario = entente.load("scenarios/baseline-2020.toml")
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.array([
        scenario.set(dict(zip(problem["names"], row)))
        .run(runs=runs, seed=seed, nominal=True)
        .probability(OUTCOME)
        for row in x
    ])
    return sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed), len(x)


def sweep_indices(binary):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "sweep", SWEEP, "--no-charts", "--force", "--out", out],
                       check=True, capture_output=True)
        with open(os.path.join(out, "sensitivity.csv")) as f:
            return {row["factor"]: row for row in csv.DictReader(f)}


if __name__ == "__main__":
    started = time.perf_counter()
    s, points = salib_indices(N)
    print(f"SALib: {points} points x {RUNS} runs in {time.perf_counter() - started:.1f} s")
    binary = os.environ.get("ENTENTE_BIN", "target/release/entente")
    started = time.perf_counter()
    e = sweep_indices(binary)
    print(f"entente sweep {SWEEP}: {time.perf_counter() - started:.1f} s\n")
    print(f"{'factor':<16} {'S1 SALib':>17} {'S1 entente':>23} {'ST SALib':>17} {'ST entente':>23}")
    for i, name in enumerate(problem["names"]):
        r = e[name]
        print(f"{name:<16} {s['S1'][i]:>7.3f} ± {s['S1_conf'][i]:.3f}"
              f"   {float(r['first_order']):>6.3f} [{float(r['first_ci_low']):.3f}, {float(r['first_ci_high']):.3f}]"
              f"   {s['ST'][i]:>7.3f} ± {s['ST_conf'][i]:.3f}"
              f"   {float(r['total']):>6.3f} [{float(r['total_ci_low']):.3f}, {float(r['total_ci_high']):.3f}]")
