"""Read an entente scenario file (TOML) into plain arrays for the peer models.

The peers re-implement the entente kernel in Python to benchmark it and to
cross-check its outcome distribution. This module is their common input layer:
it understands the same tables as the Rust reader (`[run]`, `[params]`,
`[[agents]]`, `[dyad.I.J]`, `[[shocks]]`, `[[outcomes]]`, `[report]`) and turns
them into numpy arrays indexed by agent position:

    capability[i], aggression[i], tau[i]        per agent
    E[i, j], N, R, P, G                         drivers, n x n (N and R symmetric)
    mu[i, j]                                    drift of ln E per year
    stance[i, j]                                initial stances x_ij(0)

Every driver's baseline equals its initial value; the models copy these arrays.
Checks are lighter than entente's (ranges of agents, drivers and parameters,
unknown keys), enough to refuse a file the peers would misread.

Needs Python 3.11+ (tomllib) and numpy.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Model parameters and their defaults (docs/model.md section 7, plus the
# constants that entente exposes as parameters: E0, dt, theta_T, M, theta_P, W).
DEFAULT_PARAMS: dict[str, float] = {
    "beta_E": 0.6,
    "beta_N": 1.0,
    "beta_R": 0.6,
    "beta_P": 1.0,
    "lambda_B": 0.5,
    "rho": 0.4,
    "kappa_A": 0.6,
    "kappa_E": 1.0,
    "theta0": 0.3,
    "kappa_O": 0.5,
    "mu_H": 0.3,
    "tau": 0.35,
    "eta": 0.15,
    "sigma_x": 0.05,
    "c_T": 2.0,
    "h_D": 0.05,
    "theta_T": 0.7,
    "M": 8.0,
    "phi": 0.1,
    "sigma_d": 0.02,
    "sigma_E": 0.05,
    "psi": 0.0,
    "E0": 1.0,
    "dt": 0.25,
    "theta_P": 0.35,
    "W": 4.0,
}

DRIVERS = ("E", "N", "R", "P", "G")
SYMMETRIC = ("N", "R")
# Admissible range of each driver; effects of shocks are clipped to it.
DRIVER_RANGE = {
    "E": (0.0, math.inf),
    "N": (-1.0, 1.0),
    "R": (0.0, 1.0),
    "P": (0.0, 1.0),
    "G": (0.0, 1.0),
}
ATTRIBUTES = ("capability", "aggression", "tau")

# Dyad states, in the order used for per-dyad outputs.
ALLIANCE, PARTNERSHIP, HEDGING, ANTAGONISM = 0, 1, 2, 3
STATE_NAMES = {"alliance": ALLIANCE, "partnership": PARTNERSHIP,
               "hedging": HEDGING, "antagonism": ANTAGONISM}
CONFIG_KINDS = ("menage_a_trois", "romantic_triangle", "stable_marriage",
                "unit_veto", "loose")
# The three ties of a triad, as positions within it; signs come in this order.
TIES = ((0, 1), (0, 2), (1, 2))
DEFAULT_TRIAD = ("USA", "CHN", "RUS")
OTHER = "other"


class ScenarioError(ValueError):
    """A scenario the peers cannot read, or do not support."""


@dataclass
class Effect:
    """One change made by a shock: `kind` is 'driver', 'attribute' or 'stance'."""
    kind: str
    name: str          # driver letter or attribute name ('' for a stance)
    i: int
    j: int             # -1 for an attribute
    op: str            # 'add', 'multiply' or 'set'
    value: float


@dataclass
class Shock:
    id: str
    rate: float | None     # Poisson rate per year, or None for a scheduled shock
    at_step: int | None
    first: int             # window, both ends inclusive
    last: int
    max_count: int
    persistent: bool
    effects: list[Effect]


@dataclass
class DyadCondition:
    i: int
    j: int
    state: int | None = None
    alignment_at_least: float | None = None
    alignment_at_most: float | None = None
    rise_at_least: float | None = None


@dataclass
class TriadCondition:
    members: tuple[int, int, int]   # agent indices, positions 0, 1, 2
    kind: str
    pivot: int | None = None        # agent index
    couple: tuple[int, int] | None = None
    outcast: int | None = None


@dataclass
class Scenario:
    name: str
    ids: list[str]
    runs: int
    seed: int
    horizon: int
    params: dict[str, float]
    capability: np.ndarray
    aggression: np.ndarray
    tau: np.ndarray
    drivers: dict[str, np.ndarray]
    mu: np.ndarray
    stance: np.ndarray
    shocks: list[Shock]
    # Outcome rules in order; a run takes the first whose conditions all hold.
    rules: list[tuple[str, list]] = field(default_factory=list)
    triad: tuple[int, int, int] | None = None

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def outcome_names(self) -> list[str]:
        return [name for name, _ in self.rules] + [OTHER]

    @property
    def window(self) -> int:
        """Steps averaged at the horizon, W, kept within 1..horizon."""
        return min(max(int(self.params["W"]), 1), max(self.horizon, 1))

    def configuration_names(self) -> list[str]:
        """Names of the report triad's configurations, in entente's order."""
        if self.triad is None:
            return []
        ids = [self.ids[m] for m in self.triad]
        names = ["menage_a_trois"]
        names += [f"romantic_triangle_{ids[p]}" for p in range(3)]
        names += [f"stable_marriage_{ids[a]}-{ids[b]}" for a, b in TIES]
        names += ["unit_veto", "loose"]
        return names


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                            f"expected some of {', '.join(sorted(allowed))}")


def _agent(ids: list[str], name: str, where: str) -> int:
    try:
        return ids.index(name)
    except ValueError:
        raise ScenarioError(f"{where}: unknown agent `{name}`") from None


def _pair(ids: list[str], text: str, where: str) -> tuple[int, int]:
    parts = text.split("-")
    if len(parts) != 2 or not all(parts):
        raise ScenarioError(f"{where}: expected two agent ids joined by a dash, found `{text}`")
    i, j = _agent(ids, parts[0], where), _agent(ids, parts[1], where)
    if i == j:
        raise ScenarioError(f"{where}: expected two different agents, found `{text}`")
    return i, j


def _target(ids: list[str], path: str, where: str) -> tuple[str, str, int, int]:
    """Resolves the parameter path of a shock effect."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "agent":
        if parts[2] not in ATTRIBUTES:
            raise ScenarioError(f"{where}: unknown agent attribute `{parts[2]}`")
        return "attribute", parts[2], _agent(ids, parts[1], where), -1
    if len(parts) == 4 and parts[0] == "dyad":
        i, j = _agent(ids, parts[1], where), _agent(ids, parts[2], where)
        if i == j:
            raise ScenarioError(f"{where}: a dyad needs two different agents")
        if parts[3] == "stance":
            return "stance", "", i, j
        if parts[3] in DRIVERS:
            return "driver", parts[3], i, j
    raise ScenarioError(f"{where}: `{path}` is not a driver (dyad.I.J.E|N|R|P|G), "
                        "an agent attribute (agent.I.capability|aggression|tau) "
                        "or a stance (dyad.I.J.stance)")


def _default_rules(ids: list[str]) -> list[tuple[str, list]]:
    """The default USA-CHN-RUS rules of docs/model.md section 7.8."""
    usa, chn, rus = (ids.index(a) for a in DEFAULT_TRIAD)
    members = tuple(sorted((usa, chn, rus)))
    return [
        ("sino_russian_alliance", [DyadCondition(rus, chn, state=ALLIANCE)]),
        ("us_russia_rapprochement",
         [DyadCondition(usa, rus, alignment_at_least=0.0, rise_at_least=0.5)]),
        ("partnership_short_of_alliance", [DyadCondition(rus, chn, state=PARTNERSHIP)]),
        ("russia_pivot", [TriadCondition(members, "romantic_triangle", pivot=rus)]),
        ("drift", []),
    ]


def _rules(doc: dict, ids: list[str], triad) -> list[tuple[str, list]]:
    entries = doc.get("outcomes", [])
    if not entries:
        if all(a in ids for a in DEFAULT_TRIAD):
            return _default_rules(ids)
        raise ScenarioError("no [[outcomes]] rules, and the default rules need "
                            "agents USA, CHN and RUS")
    rules = []
    for r, entry in enumerate(entries):
        where = f"outcomes[{r}]"
        _check_keys(entry, {"name", "description", "when"}, where)
        conditions = []
        for c, cond in enumerate(entry.get("when", [])):
            here = f"{where}.when[{c}]"
            _check_keys(cond, {"dyad", "state", "alignment_at_least", "alignment_at_most",
                               "rise_at_least", "triad", "configuration", "pivot",
                               "couple", "outcast"}, here)
            if ("dyad" in cond) == ("configuration" in cond):
                raise ScenarioError(f"{here}: a condition needs exactly one of "
                                    "`dyad` and `configuration`")
            if "dyad" in cond:
                i, j = _pair(ids, cond["dyad"], here)
                state = cond.get("state")
                if state is not None and state not in STATE_NAMES:
                    raise ScenarioError(f"{here}: unknown state `{state}`")
                conditions.append(DyadCondition(
                    i, j,
                    state=None if state is None else STATE_NAMES[state],
                    alignment_at_least=cond.get("alignment_at_least"),
                    alignment_at_most=cond.get("alignment_at_most"),
                    rise_at_least=cond.get("rise_at_least")))
            else:
                kind = cond["configuration"]
                if kind not in CONFIG_KINDS:
                    raise ScenarioError(f"{here}: unknown configuration `{kind}`")
                members = triad
                if "triad" in cond:
                    members = tuple(_agent(ids, a, here) for a in cond["triad"])
                if members is None or len(set(members)) != 3:
                    raise ScenarioError(f"{here}: a configuration needs three agents")
                couple = cond.get("couple")
                conditions.append(TriadCondition(
                    tuple(members), kind,
                    pivot=_agent(ids, cond["pivot"], here) if "pivot" in cond else None,
                    couple=_pair(ids, couple, here) if couple else None,
                    outcast=_agent(ids, cond["outcast"], here) if "outcast" in cond else None))
        rules.append((entry["name"], conditions))
    names = [name for name, _ in rules]
    if len(set(names)) != len(names) or OTHER in names:
        raise ScenarioError("outcome names must be unique and not `other`")
    return rules


def load(path: str | Path) -> Scenario:
    """Reads and checks a scenario file."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    _check_keys(doc, {"name", "description", "start", "run", "params", "agents",
                      "dyad", "shocks", "outcomes", "evidence", "report"}, "file")

    run = doc.get("run", {})
    _check_keys(run, {"runs", "seed", "horizon"}, "[run]")
    horizon = int(run.get("horizon", 24))
    if not 1 <= horizon <= 100_000:
        raise ScenarioError(f"[run] horizon: found {horizon}, expected 1..100000")

    params = dict(DEFAULT_PARAMS)
    given = doc.get("params", {})
    _check_keys(given, set(DEFAULT_PARAMS), "[params]")
    params.update({k: float(v) for k, v in given.items()})
    if params["W"] > horizon:
        raise ScenarioError("[params] W exceeds the horizon")

    # Agents, in file order: the order of dyad names and of random draws.
    agents = doc.get("agents", [])
    if len(agents) < 2:
        raise ScenarioError("[[agents]]: expected at least two agents")
    ids = []
    for k, a in enumerate(agents):
        _check_keys(a, {"id", "name", "capability", "aggression", "tau"}, f"agents[{k}]")
        if a["id"] in ids:
            raise ScenarioError(f"agents[{k}]: agent `{a['id']}` is defined twice")
        ids.append(a["id"])
    n = len(ids)
    capability = np.array([float(a["capability"]) for a in agents])
    aggression = np.array([float(a.get("aggression", 0.0)) for a in agents])
    tau = np.array([float(a.get("tau", params["tau"])) for a in agents])
    if np.any(capability <= 0) or np.any(tau <= 0):
        raise ScenarioError("[[agents]]: capability and tau must be above 0")
    if np.any((aggression < 0) | (aggression > 1)):
        raise ScenarioError("[[agents]]: aggression must lie in [0, 1]")

    # [dyad.I.J]: what I has toward J. N and R are symmetric: a value given on
    # either direction sets both (giving both directions different values is an error).
    drivers = {d: np.zeros((n, n)) for d in DRIVERS}
    mu = np.zeros((n, n))
    stance = np.zeros((n, n))
    symmetric_seen: dict[tuple[int, int, str], float] = {}
    for src, row in doc.get("dyad", {}).items():
        for dst, entry in row.items():
            where = f"[dyad.{src}.{dst}]"
            _check_keys(entry, set(DRIVERS) | {"stance", "mu"}, where)
            i, j = _agent(ids, src, where), _agent(ids, dst, where)
            if i == j:
                raise ScenarioError(f"{where}: a dyad needs two different agents")
            for key, value in entry.items():
                value = float(value)
                if key == "stance":
                    if not -1 <= value <= 1:
                        raise ScenarioError(f"{where} stance: expected -1..1")
                    stance[i, j] = value
                elif key == "mu":
                    mu[i, j] = value
                else:
                    lo, hi = DRIVER_RANGE[key]
                    if not lo <= value <= hi:
                        raise ScenarioError(f"{where} {key}: expected {lo}..{hi}")
                    drivers[key][i, j] = value
                    if key in SYMMETRIC:
                        pair = (min(i, j), max(i, j), key)
                        if pair in symmetric_seen and symmetric_seen[pair] != value:
                            raise ScenarioError(f"{where} {key}: symmetric, given twice "
                                                "with different values")
                        symmetric_seen[pair] = value
                        drivers[key][j, i] = value

    shocks = []
    for k, s in enumerate(doc.get("shocks", [])):
        where = f"shocks[{k}]"
        _check_keys(s, {"id", "description", "rate", "at_step", "window", "max_count",
                        "persistent", "effects"}, where)
        rate, at_step = s.get("rate"), s.get("at_step")
        if (rate is None) == (at_step is None):
            raise ScenarioError(f"{where}: expected exactly one of `rate` and `at_step`")
        first, last = s.get("window", [0, horizon - 1])
        if not 0 <= first <= last <= horizon - 1:
            raise ScenarioError(f"{where}: window outside 0..{horizon - 1}")
        default_count = 2**32 - 1 if rate is not None else 1
        effects = []
        for e, eff in enumerate(s["effects"]):
            here = f"{where}.effects[{e}]"
            _check_keys(eff, {"target", "op", "value"}, here)
            if eff["op"] not in ("add", "multiply", "set"):
                raise ScenarioError(f"{here}: op must be add, multiply or set")
            kind, name, i, j = _target(ids, eff["target"], here)
            effects.append(Effect(kind, name, i, j, eff["op"], float(eff["value"])))
        shocks.append(Shock(
            id=s["id"],
            rate=None if rate is None else float(rate),
            at_step=None if at_step is None else int(at_step),
            first=int(first), last=int(last),
            max_count=int(s.get("max_count", default_count)),
            persistent=bool(s.get("persistent", False)),
            effects=effects))

    # Report triad: [report] triad, else USA, CHN, RUS (in agent order) when
    # present, else the first three agents.
    report = doc.get("report", {})
    triad = None
    if "triad" in report:
        members = tuple(_agent(ids, a, "[report] triad") for a in report["triad"])
        if len(members) != 3 or len(set(members)) != 3:
            raise ScenarioError("[report] triad: expected three different agents")
        triad = members
    elif n >= 3:
        if all(a in ids for a in DEFAULT_TRIAD):
            triad = tuple(sorted(ids.index(a) for a in DEFAULT_TRIAD))
        else:
            triad = (0, 1, 2)

    return Scenario(
        name=doc["name"], ids=ids,
        runs=int(run.get("runs", 10_000)), seed=int(run.get("seed", 1)),
        horizon=horizon, params=params,
        capability=capability, aggression=aggression, tau=tau,
        drivers=drivers, mu=mu, stance=stance, shocks=shocks,
        rules=_rules(doc, ids, triad), triad=triad)


# ---------------------------------------------------------------------------
# Shared reporting: Wilson intervals and the CSV layout of entente's tables.

Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval, clipped to [0, 1]."""
    if trials == 0:
        return 0.0, 0.0
    n = float(trials)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def probability_table(first_column: str, names: list[str], counts, runs: int) -> str:
    """`name,count,probability,ci_low,ci_high`, as in entente's outcomes.csv."""
    lines = [f"{first_column},count,probability,ci_low,ci_high"]
    for name, count in zip(names, counts):
        lo, hi = wilson(int(count), runs)
        lines.append(f"{name},{int(count)},{int(count) / max(runs, 1):.6f},{lo:.6f},{hi:.6f}")
    return "\n".join(lines) + "\n"


def dyad_names(scenario: Scenario) -> list[str]:
    """Unordered dyads `A-B` with A before B in agent order (entente's order)."""
    ids = scenario.ids
    return [f"{ids[i]}-{ids[j]}" for i in range(len(ids)) for j in range(i + 1, len(ids))]


def dyads_table(scenario: Scenario, runs: int, zsum, zsumsq, state_counts) -> str:
    """Like entente's dyads.csv (mean of zbar at the horizon and the share of
    each dyad state), plus the standard deviation of zbar across runs."""
    lines = ["dyad,mean_final_alignment,p_alliance,p_partnership,p_hedging,"
             "p_antagonism,sd_final_alignment"]
    runs_f = max(runs, 1)
    for d, name in enumerate(dyad_names(scenario)):
        mean = zsum[d] / runs_f
        var = max(zsumsq[d] / runs_f - mean * mean, 0.0) * runs_f / max(runs_f - 1, 1)
        shares = ",".join(f"{state_counts[d][s] / runs_f:.6f}" for s in range(4))
        lines.append(f"{name},{mean:.4f},{shares},{math.sqrt(var):.6f}")
    return "\n".join(lines) + "\n"


def write_results(out: str | Path | None, scenario: Scenario, outcome_counts,
                  config_counts, runs: int, seconds: float, engine: str,
                  dyads: str | None = None) -> None:
    """Prints the outcome table and the speed; writes the tables and a timing
    file to `out` when given."""
    outcomes = probability_table("outcome", scenario.outcome_names, outcome_counts, runs)
    print(outcomes, end="")
    rate = runs / seconds if seconds > 0 else float("inf")
    print(f"# {engine}: {runs} runs in {seconds:.3f} s, {rate:.1f} runs/s (1 core)")
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "outcomes.csv").write_text(outcomes)
        if scenario.triad is not None:
            (out / "configurations.csv").write_text(probability_table(
                "configuration", scenario.configuration_names(), config_counts, runs))
        if dyads is not None:
            (out / "dyads.csv").write_text(dyads)
        (out / "timing.json").write_text(
            f'{{"engine": "{engine}", "runs": {runs}, "wall_seconds": {seconds:.6f}, '
            f'"threads": 1}}\n')
