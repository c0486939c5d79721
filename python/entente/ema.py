"""entente as a model of the EMA Workbench (``ema_workbench``).

Each experiment sets parameter paths of a scenario (``params.c_T``,
``agent.CHN.aggression``, ...) to the values the workbench chose, runs the
scenario in-process with every parameter at its value (``nominal``: the
workbench does the sampling) and reports each outcome's probability and
each dyad's mean final alignment.

>>> from ema_workbench import perform_experiments
>>> from entente.ema import scenario_model
>>> model = scenario_model("scenarios/baseline-2020.toml", runs=200, seed=1)
>>> experiments, outcomes = perform_experiments(model, 300)

The workbench wants names that are Python identifiers, so a path's dots
and dashes become ``__`` and ``_`` (:func:`identifier`); outcomes are
``p_<outcome>`` and ``mean_<dyad>`` (``mean_RUS_CHN``).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import PathLike, Scenario, load


def identifier(path: str) -> str:
    """A parameter path or dyad as a Python identifier (``params.c_T`` ->
    ``params__c_T``, ``RUS-CHN`` -> ``RUS_CHN``)."""
    return re.sub(r"\W", "_", path.replace(".", "__"))


class Experiment:
    """The callable a workbench ``Model`` runs: parameter values in (by
    identifier), outcome figures out."""

    def __init__(
        self,
        scenario: Scenario,
        paths: Sequence[str],
        runs: int,
        seed: int,
        threads: Optional[int] = None,
    ) -> None:
        self.scenario = scenario
        self.paths = {identifier(p): p for p in paths}
        self.runs = runs
        self.seed = seed
        self.threads = threads

    def __call__(self, **values: float) -> Dict[str, float]:
        chosen = {self.paths[k]: float(v) for k, v in values.items() if k in self.paths}
        result = self.scenario.set(chosen).run(
            runs=self.runs, seed=self.seed, threads=self.threads, nominal=True
        )
        out = {f"p_{identifier(o)}": result.probability(o) for o in self.scenario.outcomes}
        for dyad, mean in result.mean_final_alignment().items():
            out[f"mean_{identifier(dyad)}"] = mean
        return out


def scenario_model(
    scenario: Union[Scenario, PathLike],
    runs: int = 200,
    seed: int = 1,
    uncertainties: Optional[Dict[str, tuple]] = None,
    levers: Optional[Dict[str, tuple]] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
) -> Any:
    """An ``ema_workbench.Model`` of a scenario.

    ``uncertainties`` and ``levers`` map parameter paths to ``(low, high)``;
    by default the uncertainties are the scenario's ``[uncertainty]``
    entries, each over its distribution's support. Every outcome's
    probability and every dyad's mean final alignment are outcomes.
    """
    from ema_workbench import Model, RealParameter, ScalarOutcome

    loaded = scenario if isinstance(scenario, Scenario) else load(scenario)
    if uncertainties is None:
        uncertainties = {u["path"]: (u["low"], u["high"]) for u in loaded.uncertain}
    levers = levers or {}
    paths = list(uncertainties) + list(levers)
    model = Model(
        name or re.sub(r"\W|_", "", loaded.name), function=Experiment(loaded, paths, runs, seed, threads)
    )
    model.uncertainties = [RealParameter(identifier(p), lo, hi) for p, (lo, hi) in uncertainties.items()]
    if levers:
        model.levers = [RealParameter(identifier(p), lo, hi) for p, (lo, hi) in levers.items()]
    outcomes: List[str] = [f"p_{identifier(o)}" for o in loaded.outcomes]
    outcomes += [f"mean_{identifier(d)}" for d in loaded.dyads]
    model.outcomes = [ScalarOutcome(o) for o in outcomes]
    return model
