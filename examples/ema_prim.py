"""Scenario discovery on the baseline with the EMA Workbench and PRIM.

Samples the baseline's uncertain parameters (its `[uncertainty]` entries,
each over its support) with Latin hypercube, runs each experiment in-process
(every parameter at the sampled value, a few hundred runs), then asks PRIM
for the box of parameter space where P(sino_russian_alliance) > 0.3.

    pip install ./python ema-workbench
    python examples/ema_prim.py [EXPERIMENTS] [RUNS]
"""

import inspect
import random
import sys
import time

import numpy as np

from ema_workbench import perform_experiments
from ema_workbench.analysis import prim

from entente.ema import scenario_model

EXPERIMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 400
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
THRESHOLD = 0.3

# The workbench's Latin hypercube draws from the global generators.
random.seed(1)
np.random.seed(1)
model = scenario_model("scenarios/baseline-2020.toml", runs=RUNS, seed=1)
started = time.perf_counter()
experiments, outcomes = perform_experiments(model, EXPERIMENTS)
elapsed = time.perf_counter() - started
print(f"{EXPERIMENTS} experiments of {RUNS} runs over "
      f"{len(model.uncertainties)} uncertain parameters in {elapsed:.1f} s")

y = outcomes["p_sino_russian_alliance"] > THRESHOLD
print(f"P(sino_russian_alliance) > {THRESHOLD} in {y.mean():.1%} of experiments")
x = experiments[[u.name for u in model.uncertainties]]
options = {"peel_alpha": 0.1}
if "threshold" in inspect.signature(prim.Prim).parameters:  # ema-workbench 2.x
    options["threshold"] = 0.8
finder = prim.Prim(x, y, **options)
box = finder.find_box()
# The last box of the peeling trajectory restricts nearly every parameter;
# take the first (largest) one whose density reaches 0.8.
trajectory = box.peeling_trajectory
chosen = int(trajectory.index[trajectory["density"] >= 0.8][0])
box.select(chosen)
print(trajectory.loc[chosen, ["coverage", "density", "mass", "res_dim"]].to_string())
box.inspect(style="table")
limits, initial = box.box_lims[box._cur_box], finder.box_init
print("\nthe chosen box (parameters PRIM restricted, with their full range):")
for name in limits.columns:
    lo, hi = limits[name].iloc[0], limits[name].iloc[1]
    full = (initial[name].iloc[0], initial[name].iloc[1])
    if (lo, hi) != full:
        print(f"  {name}: [{lo:.4g}, {hi:.4g}] of [{full[0]:.4g}, {full[1]:.4g}]")
