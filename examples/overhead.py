"""Cost of one small experiment (16 runs of the baseline at nominal values)
in-process through the Python package versus a subprocess calling the
command line and reading its outcomes.csv back.

    python examples/overhead.py [EXPERIMENTS]
"""

import csv
import os
import subprocess
import sys
import tempfile
import time

import entente

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
RUNS = 16
SCENARIO = "scenarios/baseline-2020.toml"
BINARY = os.environ.get("ENTENTE_BIN", "target/release/entente")

scenario = entente.load(SCENARIO)
started = time.perf_counter()
for i in range(N):
    scenario.set({"params.c_T": 1.0 + i / N}).run(runs=RUNS, seed=i, nominal=True).probability(
        "sino_russian_alliance"
    )
inproc = (time.perf_counter() - started) / N

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    started = time.perf_counter()
    for i in range(N):
        subprocess.run(
            [BINARY, "run", SCENARIO, "--runs", str(RUNS), "--seed", str(i), "--nominal",
             "--set", f"params.c_T={1.0 + i / N}", "--no-charts", "--force", "--out", out],
            check=True, capture_output=True,
        )
        with open(os.path.join(out, "outcomes.csv")) as f:
            next(r for r in csv.DictReader(f) if r["outcome"] == "sino_russian_alliance")
    sub = (time.perf_counter() - started) / N

print(f"{N} experiments of {RUNS} runs: in-process {1000 * inproc:.2f} ms each, "
      f"subprocess {1000 * sub:.2f} ms each ({sub / inproc:.1f}x)")
