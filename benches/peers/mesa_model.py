"""The entente kernel as a Mesa 3 model: one `mesa.Agent` per state.

A reference ("peer") implementation used to benchmark the Rust simulator and
to cross-check its outcome distribution. It is written the way a Mesa user
would write it: each state is an agent that holds its own row of stances
x_i. and its attributes (capability, aggression, choice temperature); the
pairwise drivers (E, N, R, P, G, their baselines), the shocks and the
treaties belong to the model. Each run is a fresh model seeded with
`seed + run` (Mesa's `rng` argument, a numpy Generator).

One step, in the order of the Rust kernel (src/model/step.rs):

  1. shocks fire (in file order) and change drivers, attributes or stances;
  2. drivers move: E by a geometric random walk, then N, R (one draw per
     unordered pair), then P, G (one draw per ordered pair), mean-reverting
     and clipped;
  3-5. every agent, in agent order, evaluates each partner j in turn: value
     of closeness, entrapment, the three utilities, a logit draw of the action,
     and its new stance (kept aside: the whole step reads the old stances);
  6. treaties: eligibility counter, dissolution, formation, from the stances
     at the start of the step and this step's V and Ent;
  then every agent adopts its new stances.

Usage:  python mesa_model.py SCENARIO.toml [--runs R] [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import mesa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario as scn  # noqa: E402


def clip(v: float, lo: float, hi: float) -> float:
    return hi if v > hi else lo if v < lo else v


class StateAgent(mesa.Agent):
    """A state: its attributes and its stances toward every other state."""

    def __init__(self, model: "EntenteModel", index: int, ident: str,
                 capability: float, aggression: float, tau: float, stances):
        super().__init__(model)
        self.index = index
        self.ident = ident
        self.capability = capability
        self.aggression = aggression
        self.tau = tau
        self.stance = [float(v) for v in stances]      # x_ij for every j (x_ii = 0)
        self.next_stance = list(self.stance)           # x_ij(t+1), written in stage 5
        self.value = [0.0] * len(stances)              # V_ij of this step
        self.entrapment = [0.0] * len(stances)         # Ent_ij of this step

    def choose(self) -> None:
        """Stages 3 to 5 for every partner j: value, choice, new stance.

        Draws, per partner in agent order: one uniform for the action, then
        one normal for the stance noise (none when sigma_x = 0).
        """
        m = self.model
        p = m.p
        i = self.index
        states = m.states
        rng = m.rng
        E0, theta0 = p["E0"], p["theta0"]
        for j, other in enumerate(states):
            if j == i:
                continue
            # Propensity: dependence, affinity, rivalry, and the pressure j puts on i.
            dependence = math.log(1.0 + m.E[i][j] / E0)
            propensity = (p["beta_E"] * dependence + p["beta_N"] * m.N[i][j]
                          - p["beta_R"] * m.R[i][j] - p["beta_P"] * m.P[j][i])
            # Third parties k, weighted by their share of the capability of
            # everyone but i and j.
            others = m.total_capability - self.capability - other.capability
            balance = pivot = 0.0
            entrapment = other.aggression * theta0
            for k, third in enumerate(states):
                if k == i or k == j:
                    continue
                wt = third.capability / others if others > 0.0 else 0.0
                x_ik, x_jk = self.stance[k], other.stance[k]
                # Balance field: i and j feel alike about k.
                balance += wt * x_ik * x_jk
                # Pivot premium: k is hostile to j and friendly to i.
                pivot += wt * max(0.0, -third.stance[j]) * max(0.0, third.stance[i])
                # Entrapment: j coerces k, worse when i is friendly to k.
                entrapment += m.G[j][k] * (theta0 + max(0.0, x_ik))
            value = propensity + p["lambda_B"] * balance + p["rho"] * other.stance[i]
            autonomy = p["kappa_A"] * other.capability / (self.capability + other.capability)
            self.value[j] = value
            self.entrapment[j] = entrapment

            # Utilities of oppose, hedge and align; logit choice at temperature tau_i.
            u_oppose = -value - p["kappa_O"] * dependence
            u_hedge = p["mu_H"] * pivot
            u_align = value - autonomy - p["kappa_E"] * entrapment
            top = max(u_oppose, u_hedge, u_align)
            w_o = math.exp((u_oppose - top) / self.tau)
            w_h = math.exp((u_hedge - top) / self.tau)
            w_a = math.exp((u_align - top) / self.tau)
            total = w_o + w_h + w_a
            u = rng.random()
            if u < w_o / total:
                action = -1.0
            elif u < w_o / total + w_h / total:
                action = 0.0
            else:
                action = 1.0

            # Stance update: move a share eta toward the action, plus noise.
            noise = p["sigma_x"] * rng.standard_normal() if p["sigma_x"] > 0.0 else 0.0
            self.next_stance[j] = clip((1.0 - p["eta"]) * self.stance[j]
                                       + p["eta"] * action + noise, -1.0, 1.0)

    def advance(self) -> None:
        """End of step: the new stances become current."""
        self.stance, self.next_stance = self.next_stance, self.stance


class EntenteModel(mesa.Model):
    """One run of a scenario."""

    def __init__(self, sc: scn.Scenario, rng=None):
        super().__init__(rng=rng)
        self.sc = sc
        self.p = sc.params
        self.n = n = sc.n
        self.t = 0
        self.states: list[StateAgent] = [
            StateAgent(self, i, sc.ids[i], float(sc.capability[i]),
                       float(sc.aggression[i]), float(sc.tau[i]), sc.stance[i])
            for i in range(n)
        ]
        self.total_capability = sum(a.capability for a in self.states)
        # Drivers as nested lists (current values and baselines).
        for d in scn.DRIVERS:
            setattr(self, d, sc.drivers[d].tolist())
        self.baseline = {d: sc.drivers[d].tolist() for d in scn.DRIVERS}
        self.mu = sc.mu.tolist()
        self.treaty = [[False] * n for _ in range(n)]
        self.eligible = [[0] * n for _ in range(n)]
        self.fired = [0] * len(sc.shocks)
        # Sum of the stances of the last W steps, for the outcome at the horizon.
        self.window_start = sc.horizon - sc.window + 1
        self.window_sum = [[0.0] * n for _ in range(n)]

    # -- stage 1 -------------------------------------------------------------
    def fire_shocks(self) -> None:
        """Each shock inside its window and below its count may fire: a random
        one with probability 1 - exp(-rate dt) (one uniform), a scheduled one
        exactly at its step (no draw)."""
        dt = self.p["dt"]
        for s, shock in enumerate(self.sc.shocks):
            if self.t < shock.first or self.t > shock.last or self.fired[s] >= shock.max_count:
                continue
            if shock.rate is None:
                fires = shock.at_step == self.t
            else:
                fires = self.rng.random() < 1.0 - math.exp(-shock.rate * dt)
            if fires:
                self.fired[s] += 1
                for effect in shock.effects:
                    self.apply(effect, shock.persistent)

    @staticmethod
    def _op(op: str, old: float, value: float) -> float:
        return old + value if op == "add" else old * value if op == "multiply" else value

    def apply(self, e: scn.Effect, persistent: bool) -> None:
        """One effect, clipped to the target's range. Persistent effects on a
        driver move its baseline too; N and R change on both directions."""
        if e.kind == "driver":
            lo, hi = scn.DRIVER_RANGE[e.name]
            pairs = [(e.i, e.j), (e.j, e.i)] if e.name in scn.SYMMETRIC else [(e.i, e.j)]
            current, base = getattr(self, e.name), self.baseline[e.name]
            for a, b in pairs:
                current[a][b] = clip(self._op(e.op, current[a][b], e.value), lo, hi)
                if persistent:
                    base[a][b] = clip(self._op(e.op, base[a][b], e.value), lo, hi)
        elif e.kind == "attribute":
            agent = self.states[e.i]
            v = self._op(e.op, getattr(agent, e.name), e.value)
            if e.name == "aggression":
                v = clip(v, 0.0, 1.0)
            else:                      # capability and tau stay positive
                v = max(v, 1e-9)
            setattr(agent, e.name, v)
            self.total_capability = sum(a.capability for a in self.states)
        else:
            row = self.states[e.i].stance
            row[e.j] = clip(self._op(e.op, row[e.j], e.value), -1.0, 1.0)

    # -- stage 2 -------------------------------------------------------------
    def update_drivers(self) -> None:
        p, n, rng = self.p, self.n, self.rng
        dt = p["dt"]
        sqrt_dt = math.sqrt(dt)
        x = [a.stance for a in self.states]
        # Dependence: ln E moves by (mu + psi z) dt + sigma_E sqrt(dt) xi; E = 0 stays 0.
        for i in range(n):
            for j in range(n):
                e = self.E[i][j]
                if i == j or e == 0.0:
                    continue
                z = 0.5 * (x[i][j] + x[j][i])
                drift = (self.mu[i][j] + p["psi"] * z) * dt
                self.E[i][j] = e * math.exp(drift + p["sigma_E"] * sqrt_dt * rng.standard_normal())
        # N, R, P, G: AR(1) toward the baseline, clipped. N and R are symmetric:
        # one draw per unordered pair, written to both directions.
        phi, sigma = p["phi"], p["sigma_d"]
        for d in ("N", "R", "P", "G"):
            lo, hi = scn.DRIVER_RANGE[d]
            values, base = getattr(self, d), self.baseline[d]
            symmetric = d in scn.SYMMETRIC
            for i in range(n):
                for j in range(i + 1 if symmetric else 0, n):
                    if i == j:
                        continue
                    noise = sigma * rng.standard_normal() if sigma > 0.0 else 0.0
                    v = values[i][j]
                    v = clip(v + phi * (base[i][j] - v) + noise, lo, hi)
                    values[i][j] = v
                    if symmetric:
                        values[j][i] = v

    # -- stage 6 -------------------------------------------------------------
    def update_treaties(self) -> None:
        """Counter of consecutive steps with min(x_ij, x_ji) >= theta_T; a
        treaty in force ends at once when a stance is negative, else with
        probability 1 - exp(-h_D dt) (one uniform); an eligible pair (counter
        >= M, no treaty) forms one when both sides accept (two uniforms)."""
        p, n, rng = self.p, self.n, self.rng
        dissolve = 1.0 - math.exp(-p["h_D"] * p["dt"])
        for i in range(n):
            a = self.states[i]
            for j in range(i + 1, n):
                b = self.states[j]
                low = min(a.stance[j], b.stance[i])
                run = self.eligible[i][j] + 1 if low >= p["theta_T"] else 0
                self.eligible[i][j] = self.eligible[j][i] = run
                if self.treaty[i][j]:
                    if low < 0.0 or rng.random() < dissolve:
                        self.treaty[i][j] = self.treaty[j][i] = False
                elif run >= p["M"]:
                    u_i, u_j = rng.random(), rng.random()
                    if self.accepts(a, b, u_i) and self.accepts(b, a, u_j):
                        self.treaty[i][j] = self.treaty[j][i] = True

    def accepts(self, a: StateAgent, b: StateAgent, u: float) -> bool:
        """a accepts a treaty with b: doubled autonomy and entrapment costs
        and the fixed cost c_T, through a logistic at a's temperature."""
        p = self.p
        autonomy = p["kappa_A"] * b.capability / (a.capability + b.capability)
        net = (a.value[b.index] - 2.0 * autonomy
               - 2.0 * p["kappa_E"] * a.entrapment[b.index] - p["c_T"])
        return u < 1.0 / (1.0 + math.exp(-net / a.tau))

    def step(self) -> None:
        self.fire_shocks()
        self.update_drivers()
        self.agents.do("choose")        # agents in creation (= scenario) order
        self.update_treaties()
        self.agents.do("advance")
        self.t += 1
        if self.t >= self.window_start:
            for i, a in enumerate(self.states):
                row = self.window_sum[i]
                for j, v in enumerate(a.stance):
                    row[j] += v


# ---------------------------------------------------------------------------
# Outcome of one run (docs/model.md section 7.8), evaluated per run in plain Python.

def dyad_state(treaty: bool, z: float, x_ij: float, x_ji: float, theta_p: float) -> int:
    if treaty:
        return scn.ALLIANCE
    if z >= theta_p and x_ij >= theta_p / 2 and x_ji >= theta_p / 2:
        return scn.PARTNERSHIP
    if z <= -theta_p:
        return scn.ANTAGONISM
    return scn.HEDGING


def sign(state: int) -> int:
    return {scn.ALLIANCE: 1, scn.PARTNERSHIP: 1, scn.ANTAGONISM: -1}.get(state, 0)


def configuration(signs):
    """(kind, pivot position, couple positions) of a triad from its tie signs."""
    if 0 in signs:
        return "loose", None, None
    positive = [t for t in range(3) if signs[t] > 0]
    if len(positive) == 3:
        return "menage_a_trois", None, None
    if len(positive) == 0:
        return "unit_veto", None, None
    if len(positive) == 2:
        a, b = scn.TIES[positive[0]], scn.TIES[positive[1]]
        pivot = (set(a) & set(b)).pop()
        return "romantic_triangle", pivot, None
    return "stable_marriage", None, scn.TIES[positive[0]]


def config_index(kind, pivot, couple) -> int:
    """Index in Scenario.configuration_names()."""
    if kind == "menage_a_trois":
        return 0
    if kind == "romantic_triangle":
        return 1 + pivot
    if kind == "stable_marriage":
        return 4 + scn.TIES.index(couple)
    return 7 if kind == "unit_veto" else 8


def classify(model: EntenteModel):
    """Named outcome, report-triad configuration, and (zbar, state) of each
    dyad i < j of a finished run."""
    sc, p = model.sc, model.p
    w = sc.window
    xbar = [[v / w for v in row] for row in model.window_sum]
    theta_p = p["theta_P"]

    def dyad(i, j):
        z = 0.5 * (xbar[i][j] + xbar[j][i])
        state = dyad_state(model.treaty[i][j], z, xbar[i][j], xbar[j][i], theta_p)
        z0 = 0.5 * (sc.stance[i, j] + sc.stance[j, i])
        return state, z, z0

    def triad(members):
        signs = [sign(dyad(members[a], members[b])[0]) for a, b in scn.TIES]
        return configuration(signs)

    def holds(c) -> bool:
        if isinstance(c, scn.DyadCondition):
            state, z, z0 = dyad(c.i, c.j)
            return ((c.state is None or state == c.state)
                    and (c.alignment_at_least is None or z >= c.alignment_at_least)
                    and (c.alignment_at_most is None or z <= c.alignment_at_most)
                    and (c.rise_at_least is None or z - z0 >= c.rise_at_least))
        kind, pivot, couple = triad(c.members)
        if kind != c.kind:
            return False
        if kind == "romantic_triangle" and c.pivot is not None:
            return c.members[pivot] == c.pivot
        if kind == "stable_marriage":
            pair = {c.members[couple[0]], c.members[couple[1]]}
            outcast = c.members[3 - couple[0] - couple[1]]
            return ((c.couple is None or set(c.couple) == pair)
                    and (c.outcast is None or c.outcast == outcast))
        return True

    outcome = len(sc.rules)
    for r, (_, conditions) in enumerate(sc.rules):
        if all(holds(c) for c in conditions):
            outcome = r
            break
    config = config_index(*triad(sc.triad)) if sc.triad is not None else None
    per_dyad = [dyad(i, j)[1::-1] for i in range(sc.n) for j in range(i + 1, sc.n)]
    return outcome, config, per_dyad


def simulate(sc: scn.Scenario, runs: int, seed: int):
    outcome_counts = [0] * len(sc.outcome_names)
    config_counts = [0] * 9
    dyads = sc.n * (sc.n - 1) // 2
    zsum, zsumsq = [0.0] * dyads, [0.0] * dyads
    state_counts = [[0] * 4 for _ in range(dyads)]
    for run in range(runs):
        model = EntenteModel(sc, rng=seed + run)
        for _ in range(sc.horizon):
            model.step()
        outcome, config, per_dyad = classify(model)
        outcome_counts[outcome] += 1
        if config is not None:
            config_counts[config] += 1
        for d, (z, state) in enumerate(per_dyad):
            zsum[d] += z
            zsumsq[d] += z * z
            state_counts[d][state] += 1
    return outcome_counts, config_counts, scn.dyads_table(sc, runs, zsum, zsumsq, state_counts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    ap.add_argument("--out", default=None, help="folder for outcomes.csv, "
                    "configurations.csv and timing.json")
    args = ap.parse_args(argv)
    try:
        sc = scn.load(args.scenario)
    except (scn.ScenarioError, OSError) as e:
        print(f"error: {args.scenario}: {e}", file=sys.stderr)
        return 2
    seed = sc.seed if args.seed is None else args.seed
    started = time.perf_counter()
    outcomes, configs, dyads = simulate(sc, args.runs, seed)
    seconds = time.perf_counter() - started
    scn.write_results(args.out, sc, outcomes, configs, args.runs, seconds,
                      f"mesa {mesa.__version__}", dyads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
