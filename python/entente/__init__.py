"""entente in Python: load a scenario, run it in-process, read its tables.

The simulation is entente's own Rust library, compiled into this package:
a run here gives the same numbers as ``entente run`` with the same seed,
runs and draws, and every table has exactly the columns and values of the
CSV file of the same name in a result folder (``docs/python.md``).

>>> import entente
>>> s = entente.load("scenarios/baseline-2020.toml", set={"params.c_T": 1.5})
>>> r = s.run(runs=10_000, seed=1)
>>> r.outcomes            # a pandas DataFrame: outcomes.csv
>>> r.write("output/py")  # the folder `entente run --no-charts` writes

Tables are pandas DataFrames when pandas is installed, else dicts of
columns (column name -> list of values).
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _entente
from ._entente import EntenteError, InputError

__all__ = [
    "load",
    "compare",
    "sweep",
    "Sweep",
    "Scenario",
    "Result",
    "Comparison",
    "InputError",
    "EntenteError",
    "TABLES",
]

__version__ = _entente.__version__

#: The tables of a result, named as the CSV files of a result folder.
TABLES = (
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
)

PathLike = Union[str, "os.PathLike[str]"]


def _frame(text: Optional[str]) -> Any:
    """CSV text as a DataFrame, or as a dict of columns without pandas."""
    if text is None:
        return None
    try:
        import pandas as pd
    except ImportError:
        return _columns(text)
    # keep_default_na=False: an empty field is "" (as in the file), not NaN,
    # for text columns; numeric columns still parse as numbers.
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    return frame


def _number(value: str) -> Any:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _columns(text: str) -> Dict[str, List[Any]]:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return {name: [_number(row[i]) for row in body] for i, name in enumerate(header)}


def _assignments(values: Optional[Mapping[str, Any]]) -> List[str]:
    return [f"{path}={value}" for path, value in (values or {}).items()]


def _call(name: str, **kwargs: Any) -> str:
    """The command recorded in a manifest, e.g. ``python: entente.Scenario.run(runs=100)``."""
    given = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if v is not None and v is not False)
    return f"python: entente.{name}({given})"


def load(source: PathLike, set: Optional[Mapping[str, float]] = None) -> "Scenario":
    """Loads and checks a scenario.

    ``source`` is a path when it names an existing file, otherwise the TOML
    text of a scenario. ``set`` maps parameter paths to values, like
    ``--set PATH=VALUE`` (``{"params.c_T": 1.5}``); a value set this way
    fixes a parameter the scenario declares uncertain.

    Raises :class:`InputError` (a ``ValueError``) with the command line's
    message (``file:line:col: key `k`: ...``) for a bad file or path.
    """
    assignments = _assignments(set)
    text = os.fspath(source)
    is_text = isinstance(source, str) and ("\n" in text or "=" in text)
    if is_text and not os.path.isfile(text):
        return Scenario(_entente.Scenario.load("<text>", text, assignments))
    return Scenario(_entente.Scenario.load(text, None, assignments))


class Scenario:
    """A loaded and checked scenario (see :func:`load`)."""

    def __init__(self, inner: "_entente.Scenario") -> None:
        self._inner = inner

    def __repr__(self) -> str:
        return f"<entente.Scenario {self.name!r} from {self.path!r}: {len(self.agents)} agents, {len(self.uncertain)} uncertain parameters>"

    @property
    def name(self) -> str:
        """The scenario's name (its result folder's name)."""
        return self._inner.name

    @property
    def description(self) -> str:
        return self._inner.description

    @property
    def path(self) -> str:
        """The file it was read from (``<text>`` for TOML text)."""
        return self._inner.path

    @property
    def agents(self) -> List[str]:
        """Agent ids, in file order."""
        return list(self._inner.agents)

    @property
    def dyads(self) -> List[str]:
        """Dyad names (``USA-CHN``), in the order of the dyad tables."""
        return list(self._inner.dyads)

    @property
    def outcomes(self) -> List[str]:
        """Outcome names, in rule order (``other`` last)."""
        return list(self._inner.outcomes)

    @property
    def runs(self) -> int:
        """The scenario's own number of runs (the default of :meth:`run`)."""
        return self._inner.runs

    @property
    def seed(self) -> int:
        """The scenario's own seed (the default of :meth:`run`)."""
        return self._inner.seed

    @property
    def overrides(self) -> Dict[str, float]:
        """Values set with ``set=``."""
        return dict(self._inner.overrides)

    @property
    def uncertain(self) -> List[Dict[str, Any]]:
        """The parameters drawn from a distribution: dicts with ``path``,
        ``distribution`` (as written in ``parameters.csv``), ``low`` and
        ``high`` (its support), ``mean``, ``evidence`` and ``kind``."""
        return self._inner.uncertain()

    def set(self, values: Mapping[str, float]) -> "Scenario":
        """A copy with parameter values set (``{"params.c_T": 1.5}``)."""
        return Scenario(self._inner.with_set(_assignments(values)))

    def validate(self) -> Any:
        """The parameter and evidence table: ``parameters.csv``, as
        ``entente validate`` shows it."""
        return _frame(self._inner.parameters_csv())

    def run(
        self,
        runs: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        draws: Optional[int] = None,
        nominal: bool = False,
        posterior: Optional[PathLike] = None,
        trajectories: Optional[int] = None,
    ) -> "Result":
        """Runs the scenario (the GIL is released; Ctrl-C raises KeyboardInterrupt).

        Arguments default as for ``entente run``: the scenario's runs and
        seed, all cores, the default number of parameter draws. The result
        does not depend on ``threads``. ``trajectories=K`` keeps the
        alignment paths of K evenly spaced runs (``trajectories.csv``).
        """
        inner = self._inner.run(
            runs,
            seed,
            threads,
            draws,
            nominal,
            os.fspath(posterior) if posterior else None,
            trajectories,
        )
        command = _call(
            "Scenario.run",
            runs=runs,
            seed=seed,
            threads=threads,
            draws=draws,
            nominal=nominal,
            posterior=posterior and os.fspath(posterior),
            trajectories=trajectories,
        )
        return Result(inner, command)


class Result:
    """A run's tables, each with the columns and values of the CSV file of
    the same name; ``None`` for a table this run has not (``draws`` and
    ``importance`` need uncertain parameters, ``configurations`` a triad)."""

    def __init__(self, inner: "_entente.Result", command: str) -> None:
        self._inner = inner
        self._command = command
        self._cache: Dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<entente.Result {self.scenario!r}: {self.runs} runs, seed {self.seed}>"

    @property
    def scenario(self) -> str:
        return self._inner.scenario

    @property
    def runs(self) -> int:
        """Runs in all (draws may round the request up)."""
        return self._inner.runs

    @property
    def seed(self) -> int:
        return self._inner.seed

    @property
    def wall_seconds(self) -> float:
        return self._inner.wall_seconds

    def csv(self, name: str) -> Optional[str]:
        """The exact text of ``NAME.csv``."""
        return self._inner.table(name)

    def table(self, name: str) -> Any:
        """Table ``name`` (one of :data:`TABLES`)."""
        if name not in self._cache:
            self._cache[name] = _frame(self._inner.table(name))
        return self._cache[name]

    @property
    def outcomes(self) -> Any:
        """``outcomes.csv``: probability of each outcome with its intervals."""
        return self.table("outcomes")

    @property
    def configurations(self) -> Any:
        """``configurations.csv`` (``None`` without a triad)."""
        return self.table("configurations")

    @property
    def config_timeseries(self) -> Any:
        return self.table("config_timeseries")

    @property
    def timeseries(self) -> Any:
        """``timeseries.csv``: mean and quantiles of each dyad per step, with
        the step's date."""
        return self.table("timeseries")

    @property
    def trajectories(self) -> Any:
        """``trajectories.csv``: every dyad's alignment at every step of the
        sampled runs (``None`` unless ``run(trajectories=K)``)."""
        return self.table("trajectories")

    @property
    def final(self) -> Any:
        return self.table("final")

    @property
    def dyads(self) -> Any:
        """``dyads.csv``: mean final alignment and final-state shares."""
        return self.table("dyads")

    @property
    def shocks(self) -> Any:
        return self.table("shocks")

    @property
    def parameters(self) -> Any:
        return self.table("parameters")

    @property
    def draws(self) -> Any:
        """``draws.csv`` (``None`` when no parameter is uncertain)."""
        return self.table("draws")

    @property
    def importance(self) -> Any:
        """``importance.csv`` (``None`` when no parameter is uncertain)."""
        return self.table("importance")

    @property
    def manifest(self) -> Dict[str, Any]:
        """``manifest.json`` as a dict."""
        return json.loads(self._inner.manifest_json(self._command))

    def probability(self, outcome: str) -> float:
        """One outcome's probability."""
        text = self._inner.table("outcomes") or ""
        for row in csv.DictReader(io.StringIO(text)):
            if row["outcome"] == outcome:
                return float(row["probability"])
        raise KeyError(outcome)

    def mean_final_alignment(self) -> Dict[str, float]:
        """Mean final alignment of each dyad (``dyads.csv``)."""
        text = self._inner.table("dyads") or ""
        return {
            row["dyad"]: float(row["mean_final_alignment"])
            for row in csv.DictReader(io.StringIO(text))
        }

    def write(self, dir: PathLike, force: bool = False) -> str:
        """Writes the folder ``entente run --no-charts --out DIR`` writes
        (same CSV bytes; the manifest records this call). An existing
        folder is replaced only with ``force=True``. Returns the folder."""
        return self._inner.write(os.fspath(dir), self._command, force)


class Comparison:
    """Scenarios run on common random numbers (``entente compare``)."""

    def __init__(self, results: Dict[str, Result], comparison: str, differences: str) -> None:
        #: Each scenario's result, by scenario name, in the order given.
        self.results = results
        self._comparison = comparison
        self._differences = differences

    def __getitem__(self, name: str) -> Result:
        return self.results[name]

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def comparison(self) -> Any:
        """``comparison.csv``: every scenario's outcome table."""
        return _frame(self._comparison)

    @property
    def differences(self) -> Any:
        """``differences.csv``: paired difference of each later scenario
        against the first, with paired and unpaired intervals."""
        return _frame(self._differences)


def compare(
    scenarios: Sequence[Union[Scenario, PathLike]],
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    draws: Optional[int] = None,
    nominal: bool = False,
    posterior: Optional[PathLike] = None,
    set: Optional[Mapping[str, float]] = None,
) -> Comparison:
    """Runs scenarios as ``entente compare`` does: the same seed, runs and
    parameter draws for all (defaults from the first), so that the paired
    differences against the first are sharp. ``set`` applies to scenarios
    given as paths."""
    loaded = [s if isinstance(s, Scenario) else load(s, set=set) for s in scenarios]
    inners, comparison, differences = _entente.compare_scenarios(
        [s._inner for s in loaded],
        runs,
        seed,
        threads,
        draws,
        nominal,
        os.fspath(posterior) if posterior else None,
    )
    command = _call("compare", runs=runs, seed=seed, threads=threads, draws=draws, nominal=nominal)
    results = {r.scenario: Result(r, command) for r in inners}
    return Comparison(results, comparison, differences)


class Sweep:
    """The result folder of a sweep (``entente sweep``): its points, its
    sensitivity table and its manifest, read back as tables."""

    def __init__(self, folder: str) -> None:
        #: The result folder.
        self.folder = folder

    def _read(self, name: str) -> Optional[str]:
        path = os.path.join(self.folder, name)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return f.read()

    @property
    def points(self) -> Any:
        """``points.csv``: each point's factors, outcome probabilities with
        Wilson intervals and mean final alignments."""
        return _frame(self._read("points.csv"))

    @property
    def sensitivity(self) -> Any:
        """``sensitivity.csv`` (Sobol indices, Morris effects or one-at-a-time
        swings; ``None`` for grids and Latin hypercubes)."""
        return _frame(self._read("sensitivity.csv"))

    @property
    def manifest(self) -> Dict[str, Any]:
        """``manifest.json`` as a dict."""
        return json.loads(self._read("manifest.json") or "{}")


def sweep(
    path: PathLike,
    out: PathLike,
    threads: Optional[int] = None,
    resume: bool = False,
    force: bool = False,
) -> Sweep:
    """Runs a sweep file whole into the folder ``out``, as ``entente sweep
    SWEEP.toml --out OUT --no-charts`` does (same files, byte for byte), and
    returns it. ``resume`` continues an interrupted sweep; ``force`` replaces
    an earlier entente result in ``out``."""
    folder = _entente.run_sweep(os.fspath(path), os.fspath(out), threads, resume, force)
    return Sweep(folder)
