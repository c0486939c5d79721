//! The six stylized facts of docs/model.md section 8, each checked on the
//! bundled scenarios or small variants of them built here.
//!
//! Every comparison uses fixed seeds and enough runs that its tolerance is
//! several standard errors wide: with 40,000 runs per arm the standard error
//! of a probability near 0.07 is about 0.0013, and of a difference of two
//! such probabilities about 0.0018.

use crate::common;

use common::{Results, bundled, get, run, se_diff, set};

const RUNS: u64 = 40_000;
const SEED: u64 = 20_200_723;

const ALLIANCE: &str = "sino_russian_alliance";
const PARTNERSHIP: &str = "partnership_short_of_alliance";
const RAPPROCHEMENT: &str = "us_russia_rapprochement";

/// Asserts that `higher` exceeds `lower` by more than `k` standard errors.
fn assert_higher(what: &str, higher: (&Results, f64), lower: (&Results, f64), k: f64) {
    let se = se_diff(higher.1, higher.0.runs(), lower.1, lower.0.runs());
    assert!(
        higher.1 - lower.1 > k * se,
        "{what}: expected {:.4} > {:.4} by more than {k} standard errors ({:.4})",
        higher.1,
        lower.1,
        k * se
    );
}

/// Fact 1: under US pressure on both, partnership short of alliance is the
/// modal outcome (>= 0.5) and alliance stays rare (<= 0.2).
#[test]
fn fact1_partnership_is_modal_and_alliance_rare() {
    let r = run(&bundled("baseline-2020"), RUNS, SEED);
    let (partnership, alliance) = (r.p(PARTNERSHIP), r.p(ALLIANCE));
    // Margins are tens of standard errors (SE <= 0.0025 at 40,000 runs).
    assert!(partnership >= 0.5, "P(partnership) = {partnership:.4}");
    assert!(alliance <= 0.2, "P(alliance) = {alliance:.4}");
    for (k, name) in r.outcomes.iter().enumerate() {
        assert!(
            r.aggregate.outcome_probability(k) <= partnership,
            "{name} more likely than partnership"
        );
    }
}

/// Fact 2: more US pressure on both raises the alliance probability, does
/// not lower mean RUS-CHN alignment, and alliance stays well below partnership.
#[test]
fn fact2_more_pressure_on_both_raises_alliance_only_so_far() {
    let base = bundled("baseline-2020");
    let mut pressed = base.clone();
    for path in ["dyad.USA.CHN.P", "dyad.USA.RUS.P"] {
        let v = get(&pressed, path);
        set(&mut pressed, path, (v + 0.3).min(1.0));
    }
    let (b, p) = (run(&base, RUNS, SEED), run(&pressed, RUNS, SEED + 1));
    assert_higher(
        "alliance under more pressure",
        (&p, p.p(ALLIANCE)),
        (&b, b.p(ALLIANCE)),
        3.0,
    );
    // The mean of a final alignment has SE = sd / sqrt(runs) < 0.001 here.
    let se = (b.sd_final("RUS", "CHN").powi(2) / RUNS as f64
        + p.sd_final("RUS", "CHN").powi(2) / RUNS as f64)
        .sqrt();
    assert!(
        p.mean_final("RUS", "CHN") > b.mean_final("RUS", "CHN") - 3.0 * se,
        "mean RUS-CHN alignment fell: {:.4} -> {:.4}",
        b.mean_final("RUS", "CHN"),
        p.mean_final("RUS", "CHN")
    );
    assert!(
        p.p(ALLIANCE) < 0.5 * p.p(PARTNERSHIP),
        "alliance {:.4} not well below partnership {:.4}",
        p.p(ALLIANCE),
        p.p(PARTNERSHIP)
    );
}

/// Fact 3: asymmetric dependence caps the partnership.
#[test]
fn fact3_asymmetric_dependence_caps_the_partnership() {
    let base = bundled("baseline-2020");
    let b = run(&base, RUNS, SEED);

    // China as dependent on Russia as Russia is on China.
    let mut mutual = base.clone();
    let rus_on_chn = get(&base, "dyad.RUS.CHN.E");
    set(&mut mutual, "dyad.CHN.RUS.E", rus_on_chn);
    set(
        &mut mutual,
        "dyad.CHN.RUS.mu",
        get(&base, "dyad.RUS.CHN.mu"),
    );
    let m = run(&mutual, RUNS, SEED + 2);
    assert!(
        m.p(ALLIANCE) >= 2.5 * b.p(ALLIANCE),
        "alliance with mutual dependence {:.4} is not several times {:.4}",
        m.p(ALLIANCE),
        b.p(ALLIANCE)
    );

    // Russia only as dependent on China as China is on Russia.
    let mut weaker = base.clone();
    set(&mut weaker, "dyad.RUS.CHN.E", get(&base, "dyad.CHN.RUS.E"));
    set(
        &mut weaker,
        "dyad.RUS.CHN.mu",
        get(&base, "dyad.CHN.RUS.mu"),
    );
    let w = run(&weaker, RUNS, SEED + 3);
    let se = (b.sd_final("RUS", "CHN").powi(2) / RUNS as f64
        + w.sd_final("RUS", "CHN").powi(2) / RUNS as f64)
        .sqrt();
    assert!(
        w.mean_final("RUS", "CHN") < b.mean_final("RUS", "CHN") - 3.0 * se,
        "cutting Russia's dependence did not lower alignment: {:.4} vs {:.4}",
        w.mean_final("RUS", "CHN"),
        b.mean_final("RUS", "CHN")
    );
}

/// Fact 4: without political change inside Russia, rapprochement stays
/// below 0.1; forcing the change early raises it several-fold.
#[test]
fn fact4_rapprochement_needs_political_change_in_russia() {
    let mut base = bundled("baseline-2020");
    // No political change at all: the shock's rate set to zero.
    if let Some(shock) = base
        .built
        .model
        .shocks
        .iter()
        .position(|s| s.id.contains("political_change"))
    {
        let id = base.built.model.shocks[shock].id.clone();
        set(&mut base, &format!("shock.{id}.rate"), 0.0);
    }
    let b = run(&base, RUNS, SEED);
    assert!(
        b.p(RAPPROCHEMENT) < 0.1,
        "rapprochement without change {:.4}",
        b.p(RAPPROCHEMENT)
    );
    let c = run(&bundled("russia-political-change"), RUNS, SEED + 4);
    assert!(
        c.p(RAPPROCHEMENT) >= 3.0 * b.p(RAPPROCHEMENT).max(0.01),
        "rapprochement with change {:.4} is not several times {:.4}",
        c.p(RAPPROCHEMENT),
        b.p(RAPPROCHEMENT)
    );
}

/// Fact 5: US outreach to Russia alone leaves rapprochement unlikely.
#[test]
fn fact5_outreach_alone_leaves_rapprochement_unlikely() {
    let courted = bundled("us-courts-russia");
    let base = bundled("baseline-2020");
    assert!(
        get(&courted, "dyad.USA.RUS.P") < get(&base, "dyad.USA.RUS.P"),
        "the scenario must lower US pressure on Russia"
    );
    let r = run(&courted, RUNS, SEED + 5);
    // SE of a probability near 0.05 at 40,000 runs is about 0.001.
    assert!(
        r.p(RAPPROCHEMENT) < 0.1,
        "rapprochement under outreach {:.4}",
        r.p(RAPPROCHEMENT)
    );
}

/// Fact 6: more Chinese coercion of Russia's partners (India, Vietnam)
/// lowers the alliance probability.
#[test]
fn fact6_chinese_coercion_of_russias_partners_lowers_alliance() {
    let base = bundled("asia-five");
    let mut coercive = base.clone();
    for target in ["IND", "VNM"] {
        let path = format!("dyad.CHN.{target}.G");
        let v = get(&coercive, &path);
        set(&mut coercive, &path, (v + 0.3).min(1.0));
    }
    let (b, c) = (run(&base, RUNS, SEED), run(&coercive, RUNS, SEED + 6));
    assert_higher(
        "alliance with less coercion",
        (&b, b.p(ALLIANCE)),
        (&c, c.p(ALLIANCE)),
        3.0,
    );
}
