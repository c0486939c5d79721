"""The Python package against the command line: same numbers, same files,
same error messages. Run from the repository root after `pip install
./python` and `cargo build --release` (or set ENTENTE_BIN to a binary)."""

import filecmp
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

import entente

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline-2020.toml"


def binary():
    given = os.environ.get("ENTENTE_BIN")
    if given:
        return given
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "entente"
        if path.exists():
            return str(path)
    pytest.skip("no entente binary: run `cargo build --release` first or set ENTENTE_BIN")


def cli_run(tmp_path, *args):
    out = tmp_path / "cli"
    subprocess.run(
        [binary(), "run", str(BASELINE), "--no-charts", "--out", str(out), *args],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


CSV = [
    "outcomes",
    "configurations",
    "config_timeseries",
    "timeseries",
    "final",
    "dyads",
    "shocks",
    "parameters",
    "draws",
    "importance",
    "trajectories",
]


def test_tables_equal_the_cli_files(tmp_path):
    pd = pytest.importorskip("pandas")
    out = cli_run(tmp_path, "--runs", "600", "--seed", "3", "--draws", "20", "--trajectories", "4")
    result = entente.load(BASELINE).run(runs=600, seed=3, draws=20, threads=1, trajectories=4)
    for name in CSV:
        text = (out / f"{name}.csv").read_text()
        assert result.csv(name) == text, name
        expected = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(result.table(name), expected, check_exact=True)
    # The same through the named properties.
    assert list(result.outcomes.columns) == [
        "outcome", "count", "probability", "ci_low", "ci_high",
        "draw_p05", "draw_p50", "draw_p95", "parameter_share",
    ]
    assert result.outcomes["count"].sum() == result.runs
    # Dates beside steps (the baseline starts on 2020-07-23, quarterly steps),
    # and K sampled runs of every dyad at every step.
    assert list(result.timeseries.columns[:3]) == ["step", "date", "dyad"]
    first = result.timeseries[result.timeseries["step"] == 1]
    assert set(first["date"]) == {"2020-10-23"}
    assert len(result.trajectories) == 4 * 25 * len(result.dyads)
    assert entente.load(BASELINE).run(runs=32, seed=3).trajectories is None
    manifest = json.loads((out / "manifest.json").read_text())
    mine = result.manifest
    for key in ("seed", "runs", "agents", "dyads", "outcomes", "summary", "uncertainty"):
        assert mine[key] == manifest[key], key
    assert mine["command"].startswith("python: entente.Scenario.run(")


def test_write_is_byte_identical_to_the_cli(tmp_path):
    out = cli_run(tmp_path, "--runs", "400", "--seed", "11", "--nominal", "--set", "params.c_T=1.5")
    scenario = entente.load(BASELINE, set={"params.c_T": 1.5})
    written = Path(scenario.run(runs=400, seed=11, nominal=True).write(tmp_path / "py"))
    names = sorted(p.name for p in out.iterdir() if p.suffix == ".csv")
    assert names == sorted(p.name for p in written.iterdir() if p.suffix == ".csv")
    match, mismatch, errors = filecmp.cmpfiles(out, written, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert "draws.csv" not in names  # nominal: nothing drawn
    # An existing folder is kept unless force=True.
    with pytest.raises(entente.InputError, match="holds earlier results"):
        scenario.run(runs=10, seed=1, nominal=True).write(written)
    scenario.run(runs=10, seed=1, nominal=True).write(written, force=True)


def test_thread_count_changes_nothing():
    s = entente.load(BASELINE)
    one = s.run(runs=300, seed=5, draws=10, threads=1)
    two = s.run(runs=300, seed=5, draws=10, threads=2)
    for name in CSV:
        assert one.csv(name) == two.csv(name), name


def test_scenario_from_text_and_its_fields():
    text = BASELINE.read_text()
    s = entente.load(text)
    assert s.path == "<text>"
    assert s.name == entente.load(BASELINE).name
    assert s.agents == ["USA", "RUS", "CHN"]  # file order
    assert "USA-CHN" in s.dyads
    uncertain = {u["path"]: u for u in s.uncertain}
    assert "params.c_T" in uncertain
    u = uncertain["params.c_T"]
    assert u["low"] < u["high"] and u["distribution"]
    fixed = s.set({"params.c_T": 1.5})
    assert "params.c_T" not in {u["path"] for u in fixed.uncertain}
    assert fixed.overrides == {"params.c_T": 1.5}
    table = s.validate()
    paths = list(table["path"]) if hasattr(table, "columns") else table["path"]
    assert "params.c_T" in paths


def test_bad_file_raises_input_error_with_location(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASELINE.read_text().replace("[params]", "[params]\nbeta_E = \"high\"", 1))
    with pytest.raises(entente.InputError) as caught:
        entente.load(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}:")
    assert "key `params.beta_E`" in message or "beta_E" in message
    assert isinstance(caught.value, ValueError)
    # The command line says the same.
    cli = subprocess.run([binary(), "validate", str(bad)], capture_output=True, text=True)
    assert cli.returncode == 2
    assert message.splitlines()[0] in cli.stderr


def test_missing_file_and_bad_set_path():
    with pytest.raises(entente.InputError, match="no such file"):
        entente.load("no/such/scenario.toml")
    with pytest.raises(entente.InputError, match=r"key `--set`: unknown parameter `nope`"):
        entente.load(BASELINE, set={"params.nope": 1})
    with pytest.raises(entente.InputError, match="key `runs`"):
        entente.load(BASELINE).run(runs=0)
    with pytest.raises(entente.InputError, match="key `--threads`"):
        entente.load(BASELINE).run(runs=10, threads=0)
    with pytest.raises(entente.InputError, match="key `draws`"):
        entente.load(BASELINE).run(runs=10, draws=0)


def test_compare_matches_the_cli(tmp_path):
    other = ROOT / "scenarios" / "us-courts-russia.toml"
    out = tmp_path / "cmp"
    subprocess.run(
        [binary(), "compare", str(BASELINE), str(other), "--runs", "400", "--seed", "2",
         "--draws", "10", "--no-charts", "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )
    c = entente.compare([BASELINE, other], runs=400, seed=2, draws=10)
    assert list(c) == [entente.load(BASELINE).name, entente.load(other).name]
    assert c._comparison == (out / "comparison.csv").read_text()
    assert c._differences == (out / "differences.csv").read_text()
    for name in c:
        assert c[name].csv("outcomes") == (out / name / "outcomes.csv").read_text()


def test_sweep_writes_the_files_of_the_cli(tmp_path):
    grid = ROOT / "tests" / "sweeps" / "small-grid.toml"
    cli = tmp_path / "cli"
    subprocess.run(
        [binary(), "sweep", str(grid), "--no-charts", "--out", str(cli)],
        check=True, capture_output=True, cwd=ROOT,
    )
    s = entente.sweep(grid, tmp_path / "py")
    assert (tmp_path / "py" / "points.csv").read_text() == (cli / "points.csv").read_text()
    points = s.points
    assert len(points) == len((cli / "points.csv").read_text().splitlines()) - 1
    assert s.manifest["points"] == len(points) or "points" not in s.manifest
    with pytest.raises(entente.InputError):
        entente.sweep(grid, tmp_path / "py")  # exists: needs force
    entente.sweep(grid, tmp_path / "py", force=True)


def test_ema_model_runs_experiments():
    ema = pytest.importorskip("ema_workbench", reason="ema-workbench not installed")
    from entente.ema import scenario_model

    model = scenario_model(BASELINE, runs=50, seed=1,
                           uncertainties={"params.c_T": (1.0, 3.0), "params.beta_N": (0.5, 1.5)})
    experiments, outcomes = ema.perform_experiments(model, 8)
    assert len(experiments) == 8
    p = outcomes["p_sino_russian_alliance"]
    assert ((p >= 0) & (p <= 1)).all()
    # An experiment is a nominal run with the chosen values set.
    row = experiments.iloc[0]
    direct = entente.load(BASELINE).set(
        {"params.c_T": row["params__c_T"], "params.beta_N": row["params__beta_N"]}
    ).run(runs=50, seed=1, nominal=True)
    assert p[0] == direct.probability("sino_russian_alliance")


def test_salib_round_trip():
    pytest.importorskip("SALib", reason="SALib not installed")
    import numpy as np
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": 2, "names": ["params.c_T", "params.beta_N"],
               "bounds": [[1.0, 3.0], [0.5, 1.5]]}
    x = sample.sample(problem, 16, calc_second_order=False, seed=3)
    s = entente.load(BASELINE)
    y = np.array([s.set(dict(zip(problem["names"], row))).run(runs=40, seed=3, nominal=True)
                  .probability("sino_russian_alliance") for row in x])
    assert len(y) == 16 * 4 and ((y >= 0) & (y <= 1)).all()
    assert y.std() > 0  # the factors move the outcome
    indices = analyze.analyze(problem, y, calc_second_order=False, seed=3)
    assert np.isfinite(indices["ST"]).all()


def test_ctrl_c_stops_a_long_run():
    import signal
    import threading
    import time

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    s = entente.load(BASELINE)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    try:
        # Twenty million runs take a minute or more on one thread; the
        # interrupt is raised within 100 ms of the signal (the abandoned
        # run winds down in the background). 10 s leaves room for a loaded
        # machine.
        with pytest.raises(KeyboardInterrupt):
            s.run(runs=20_000_000, seed=1, threads=1, nominal=True)
        assert time.perf_counter() - started < 10
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
