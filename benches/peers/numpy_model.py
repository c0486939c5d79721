"""The entente kernel vectorised across runs with NumPy.

A reference ("peer") implementation used to benchmark the Rust simulator and
to cross-check its outcome distribution, written as an analyst would write
the model by hand: the state of R runs is held in arrays of shape (R, n, n)
(stances, drivers, baselines, treaties) and (R, n) (agent attributes), and
one step updates every run at once. Pairwise sums over third parties k use a
fourth axis (R, i, j, k).

Runs are processed in batches (default 20,000) to keep the arrays in cache;
batch b draws from `numpy.random.default_rng([seed, b])`. Draws are taken for
every run of a batch even where a run does not use them (a shock outside its
window, a pair without a treaty decision), which changes nothing in
distribution.

One step, in the order of the Rust kernel (src/model/step.rs):

  1. shocks, in file order;
  2. drivers: E (geometric random walk), then N, R (symmetric noise), then
     P, G, each mean-reverting and clipped;
  3. value of closeness V and entrapment Ent of every ordered pair;
  4. logit choice of align / hedge / oppose;
  5. new stances (applied at the end of the step);
  6. treaties, from the stances at the start of the step.

Usage:  python numpy_model.py SCENARIO.toml [--runs R] [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario as scn  # noqa: E402

OPS = {
    "add": lambda old, v: old + v,
    "multiply": lambda old, v: old * v,
    "set": lambda old, v: np.full_like(old, v),
}


class Batch:
    """The state of `size` runs of one scenario."""

    def __init__(self, sc: scn.Scenario, size: int, rng: np.random.Generator):
        self.sc, self.p, self.rng = sc, sc.params, rng
        n = self.n = sc.n
        self.R = size
        tile = lambda a: np.repeat(a[None, ...], size, axis=0).astype(float)  # noqa: E731
        self.x = tile(sc.stance)                         # x[r, i, j]
        self.D = {d: tile(sc.drivers[d]) for d in scn.DRIVERS}
        self.base = {d: tile(sc.drivers[d]) for d in scn.DRIVERS}
        self.cap = tile(sc.capability)                   # (R, n)
        self.agg = tile(sc.aggression)
        self.tau = tile(sc.tau)
        self.mu = sc.mu[None, :, :]
        self.treaty = np.zeros((size, n, n), dtype=bool)
        self.eligible = np.zeros((size, n, n), dtype=np.int64)
        self.fired = np.zeros((size, len(sc.shocks)), dtype=np.int64)
        self.window_sum = np.zeros((size, n, n))
        self.t = 0
        eye = np.eye(n, dtype=bool)
        self.offdiag = ~eye                              # (n, n): i != j
        # third[i, j, k]: k is a third party of the ordered pair (i, j).
        self.third = (~eye[:, :, None]) & (~eye[:, None, :]) & (~eye[None, :, :])
        self.upper = np.triu(np.ones((n, n), dtype=bool), 1)

    # -- stage 1 -------------------------------------------------------------
    def fire_shocks(self) -> None:
        dt = self.p["dt"]
        for s, shock in enumerate(self.sc.shocks):
            if self.t < shock.first or self.t > shock.last:
                continue
            open_ = self.fired[:, s] < shock.max_count
            if shock.rate is None:
                fires = open_ & (shock.at_step == self.t)
            else:
                fires = open_ & (self.rng.random(self.R) < 1.0 - np.exp(-shock.rate * dt))
            if not fires.any():
                continue
            self.fired[fires, s] += 1
            for e in shock.effects:
                self.apply(e, fires, shock.persistent)

    def apply(self, e: scn.Effect, runs: np.ndarray, persistent: bool) -> None:
        """One effect on the runs selected by `runs`, clipped to the target's range."""
        op = OPS[e.op]
        if e.kind == "driver":
            lo, hi = scn.DRIVER_RANGE[e.name]
            pairs = [(e.i, e.j), (e.j, e.i)] if e.name in scn.SYMMETRIC else [(e.i, e.j)]
            arrays = [self.D[e.name]] + ([self.base[e.name]] if persistent else [])
            for arr in arrays:
                for a, b in pairs:
                    arr[runs, a, b] = np.clip(op(arr[runs, a, b], e.value), lo, hi)
        elif e.kind == "attribute":
            arr = {"capability": self.cap, "aggression": self.agg, "tau": self.tau}[e.name]
            v = op(arr[runs, e.i], e.value)
            arr[runs, e.i] = np.clip(v, 0.0, 1.0) if e.name == "aggression" else np.maximum(v, 1e-9)
        else:
            self.x[runs, e.i, e.j] = np.clip(op(self.x[runs, e.i, e.j], e.value), -1.0, 1.0)

    # -- stage 2 -------------------------------------------------------------
    def update_drivers(self) -> None:
        p, rng, R, n = self.p, self.rng, self.R, self.n
        dt = p["dt"]
        # Dependence: ln E moves by (mu + psi z) dt + sigma_E sqrt(dt) xi.
        # E = 0 (including the diagonal) stays 0 under the multiplication.
        z = 0.5 * (self.x + self.x.transpose(0, 2, 1))
        xi = rng.standard_normal((R, n, n))
        self.D["E"] *= np.exp((self.mu + p["psi"] * z) * dt + p["sigma_E"] * np.sqrt(dt) * xi)
        # N, R, P, G: AR(1) toward the baseline, clipped. N and R get one draw per
        # unordered pair (the upper triangle mirrored); P and G one per ordered pair.
        phi, sigma = p["phi"], p["sigma_d"]
        for d in ("N", "R", "P", "G"):
            lo, hi = scn.DRIVER_RANGE[d]
            if sigma > 0.0:
                noise = sigma * rng.standard_normal((R, n, n))
                if d in scn.SYMMETRIC:
                    noise = np.where(self.upper, noise, 0.0)
                    noise = noise + noise.transpose(0, 2, 1)
                else:
                    noise = np.where(self.offdiag, noise, 0.0)
            else:
                noise = 0.0
            v = self.D[d]
            self.D[d] = np.clip(v + phi * (self.base[d] - v) + noise, lo, hi)

    # -- stages 3 to 5 ---------------------------------------------------------
    def choose(self):
        """Values, entrapment, logit choices and the new stances."""
        p, rng, R, n = self.p, self.rng, self.R, self.n
        x = self.x
        xT = x.transpose(0, 2, 1)                    # xT[r, a, b] = x[r, b, a]
        D = self.D
        # Propensity pi_ij; note P_ji, the pressure j applies to i.
        dependence = np.log1p(D["E"] / p["E0"])
        propensity = (p["beta_E"] * dependence + p["beta_N"] * D["N"]
                      - p["beta_R"] * D["R"] - p["beta_P"] * D["P"].transpose(0, 2, 1))
        # Third-party weights wt[r, i, j, k] = w_k / (sum of w over m != i, j).
        others = (self.cap.sum(axis=1)[:, None, None]
                  - self.cap[:, :, None] - self.cap[:, None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            wt = np.where((others > 0.0)[..., None] & self.third,
                          self.cap[:, None, None, :] / others[..., None], 0.0)
        # Balance B_ij = sum_k wt x_ik x_jk.
        balance = (wt * x[:, :, None, :] * x[:, None, :, :]).sum(axis=3)
        # Pivot term: sum_k wt max(0, -x_kj) max(0, x_ki).
        pivot = (wt * np.maximum(-xT, 0.0)[:, None, :, :]
                 * np.maximum(xT, 0.0)[:, :, None, :]).sum(axis=3)
        # Entrapment Ent_ij = g_j theta0 + sum_k G_jk (theta0 + max(0, x_ik)).
        theta0 = p["theta0"]
        entrapment = self.agg[:, None, :] * theta0 + (
            np.where(self.third, D["G"][:, None, :, :]
                     * (theta0 + np.maximum(x, 0.0))[:, :, None, :], 0.0)).sum(axis=3)
        value = propensity + p["lambda_B"] * balance + p["rho"] * xT
        autonomy = p["kappa_A"] * self.cap[:, None, :] / (self.cap[:, :, None] + self.cap[:, None, :])

        # Utilities of oppose, hedge, align; softmax at tau_i after subtracting the max.
        u_o = -value - p["kappa_O"] * dependence
        u_h = p["mu_H"] * pivot
        u_a = value - autonomy - p["kappa_E"] * entrapment
        top = np.maximum(np.maximum(u_o, u_h), u_a)
        tau = self.tau[:, :, None]
        w_o, w_h, w_a = (np.exp((u - top) / tau) for u in (u_o, u_h, u_a))
        total = w_o + w_h + w_a
        pr_o, pr_h = w_o / total, w_h / total
        u = rng.random((R, n, n))
        action = np.where(u < pr_o, -1.0, np.where(u < pr_o + pr_h, 0.0, 1.0))

        # Stance update, clipped; the diagonal stays 0.
        noise = p["sigma_x"] * rng.standard_normal((R, n, n)) if p["sigma_x"] > 0 else 0.0
        new_x = np.clip((1.0 - p["eta"]) * x + p["eta"] * action + noise, -1.0, 1.0)
        new_x[:, ~self.offdiag] = 0.0
        return new_x, value, entrapment

    # -- stage 6 -------------------------------------------------------------
    def update_treaties(self, value, entrapment) -> None:
        p, rng, R = self.p, self.rng, self.R
        x = self.x
        dissolve = 1.0 - np.exp(-p["h_D"] * p["dt"])
        cap, tau = self.cap, self.tau
        for i in range(self.n):
            for j in range(i + 1, self.n):
                low = np.minimum(x[:, i, j], x[:, j, i])
                run = np.where(low >= p["theta_T"], self.eligible[:, i, j] + 1, 0)
                self.eligible[:, i, j] = self.eligible[:, j, i] = run
                in_force = self.treaty[:, i, j]
                # Dissolution: at once below 0, else with the per-step hazard.
                ends = in_force & ((low < 0.0) | (rng.random(R) < dissolve))
                # Formation: eligible pairs without a treaty, both sides accept.
                candidates = ~in_force & (run >= p["M"])

                def accept(a, b):
                    autonomy = p["kappa_A"] * cap[:, b] / (cap[:, a] + cap[:, b])
                    net = (value[:, a, b] - 2.0 * autonomy
                           - 2.0 * p["kappa_E"] * entrapment[:, a, b] - p["c_T"])
                    return 1.0 / (1.0 + np.exp(-net / tau[:, a]))

                u_i, u_j = rng.random(R), rng.random(R)
                forms = candidates & (u_i < accept(i, j)) & (u_j < accept(j, i))
                now = (in_force & ~ends) | forms
                self.treaty[:, i, j] = self.treaty[:, j, i] = now

    def step(self) -> None:
        self.fire_shocks()
        self.update_drivers()
        new_x, value, entrapment = self.choose()
        self.update_treaties(value, entrapment)
        self.x = new_x
        self.t += 1
        if self.t >= self.sc.horizon - self.sc.window + 1:
            self.window_sum += self.x


# ---------------------------------------------------------------------------
# Outcomes (docs/model.md section 7.8), vectorised over the runs of a batch.

def dyad_states(b: Batch):
    """State, zbar and z(0) of every dyad, arrays of shape (R, n, n)."""
    theta_p = b.p["theta_P"]
    xbar = b.window_sum / b.sc.window
    xbarT = xbar.transpose(0, 2, 1)
    z = 0.5 * (xbar + xbarT)
    state = np.full(z.shape, scn.HEDGING)
    state[z <= -theta_p] = scn.ANTAGONISM
    state[(z >= theta_p) & (xbar >= theta_p / 2) & (xbarT >= theta_p / 2)] = scn.PARTNERSHIP
    state[b.treaty] = scn.ALLIANCE
    z0 = 0.5 * (b.sc.stance + b.sc.stance.T)
    return state, z, z0


def signs_of(state):
    return np.where(state <= scn.PARTNERSHIP, 1, np.where(state == scn.ANTAGONISM, -1, 0))


def configurations(sign, members):
    """Index of the configuration (as in configuration_names) of a triad in each run,
    with the agents occupying positions 0, 1, 2 of `members`."""
    s = np.stack([sign[:, members[a], members[b]] for a, b in scn.TIES], axis=1)
    positive = (s > 0).sum(axis=1)
    index = np.full(len(s), 8)                           # loose
    full = (s != 0).all(axis=1)
    index[full & (positive == 3)] = 0                    # menage a trois
    index[full & (positive == 0)] = 7                    # unit veto
    # Romantic triangle: the pivot is the position not on the negative tie.
    # Negative tie (0,1) -> pivot 2, (0,2) -> pivot 1, (1,2) -> pivot 0.
    rom = full & (positive == 2)
    negative_tie = np.argmin(s, axis=1)
    index[rom] = 1 + (2 - negative_tie[rom])
    # Stable marriage: the couple is the positive tie.
    sm = full & (positive == 1)
    index[sm] = 4 + np.argmax(s, axis=1)[sm]
    return index


def outcomes(b: Batch):
    sc = b.sc
    state, z, z0 = dyad_states(b)
    sign = signs_of(state)
    R = b.R
    chosen = np.full(R, len(sc.rules))
    undecided = np.ones(R, dtype=bool)
    for r, (_, conditions) in enumerate(sc.rules):
        ok = np.ones(R, dtype=bool)
        for c in conditions:
            if isinstance(c, scn.DyadCondition):
                zc = z[:, c.i, c.j]
                if c.state is not None:
                    ok &= state[:, c.i, c.j] == c.state
                if c.alignment_at_least is not None:
                    ok &= zc >= c.alignment_at_least
                if c.alignment_at_most is not None:
                    ok &= zc <= c.alignment_at_most
                if c.rise_at_least is not None:
                    ok &= zc - z0[c.i, c.j] >= c.rise_at_least
            else:
                idx = configurations(sign, c.members)
                m = c.members
                if c.kind == "menage_a_trois":
                    ok &= idx == 0
                elif c.kind == "unit_veto":
                    ok &= idx == 7
                elif c.kind == "loose":
                    ok &= idx == 8
                elif c.kind == "romantic_triangle":
                    if c.pivot is None:
                        ok &= (idx >= 1) & (idx <= 3)
                    else:
                        ok &= idx == 1 + m.index(c.pivot)
                else:
                    allowed = []
                    for t, (a, bb) in enumerate(scn.TIES):
                        pair, outcast = {m[a], m[bb]}, m[3 - a - bb]
                        if ((c.couple is None or set(c.couple) == pair)
                                and (c.outcast is None or c.outcast == outcast)):
                            allowed.append(4 + t)
                    ok &= np.isin(idx, allowed)
        hit = undecided & ok
        chosen[hit] = r
        undecided &= ~ok
    outcome_counts = np.bincount(chosen, minlength=len(sc.outcome_names))
    config_counts = (np.bincount(configurations(sign, sc.triad), minlength=9)
                     if sc.triad is not None else np.zeros(9, dtype=int))
    # Per dyad (i < j): sum and sum of squares of zbar, and counts of each state.
    iu, ju = np.triu_indices(sc.n, 1)
    zd, sd = z[:, iu, ju], state[:, iu, ju]
    dyad_stats = (zd.sum(axis=0), (zd * zd).sum(axis=0),
                  np.stack([(sd == s_).sum(axis=0) for s_ in range(4)], axis=1))
    return outcome_counts, config_counts, dyad_stats


def simulate(sc: scn.Scenario, runs: int, seed: int, batch: int):
    outcome_counts = np.zeros(len(sc.outcome_names), dtype=np.int64)
    config_counts = np.zeros(9, dtype=np.int64)
    dyads = sc.n * (sc.n - 1) // 2
    zsum, zsumsq = np.zeros(dyads), np.zeros(dyads)
    state_counts = np.zeros((dyads, 4), dtype=np.int64)
    for k, start in enumerate(range(0, runs, batch)):
        size = min(batch, runs - start)
        b = Batch(sc, size, np.random.default_rng([seed, k]))
        for _ in range(sc.horizon):
            b.step()
        o, c, (zs, zss, st) = outcomes(b)
        outcome_counts += o
        config_counts += c
        zsum += zs
        zsumsq += zss
        state_counts += st
    return outcome_counts, config_counts, scn.dyads_table(sc, runs, zsum, zsumsq, state_counts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    ap.add_argument("--batch", type=int, default=20_000, help="runs per vectorised batch")
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
    o, c, dyads = simulate(sc, args.runs, seed, max(args.batch, 1))
    seconds = time.perf_counter() - started
    scn.write_results(args.out, sc, o, c, args.runs, seconds, f"numpy {np.__version__}",
                      dyads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
