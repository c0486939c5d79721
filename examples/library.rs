//! entente as a library: load a bundled scenario, change one value by its
//! parameter path, run it with parameter uncertainty and read the typed
//! result, without writing a file.
//!
//! ```sh
//! cargo run --release --example library
//! ```

use entente::{Settings, run, scenario};

fn main() -> Result<(), entente::Error> {
    let mut baseline = scenario::load("scenarios/baseline-2020.toml".as_ref())?;
    let settings = Settings::for_scenario(&baseline).runs(20_000).draws(100);
    let before = run(&baseline, &settings)?;

    // The same scenario with a cheaper treaty, on the same draws and runs.
    baseline.set("params.c_T=1.5")?;
    let after = run(&baseline, &settings)?;

    println!(
        "{} runs in {} draws of {} uncertain parameters\n",
        before.runs(),
        before.plan.draws,
        before.plan.names.len()
    );
    println!(
        "{:<32} {:>9} {:>9}   5-95% over draws (c_T = 1.5)",
        "outcome", "c_T 2.0", "c_T 1.5"
    );
    for (k, name) in before.outcome_names.iter().enumerate() {
        let (a, b) = (&before.outcomes[k], &after.outcomes[k]);
        println!(
            "{name:<32} {:>9.4} {:>9.4}   [{:.3}, {:.3}]",
            a.probability, b.probability, b.draw_p05, b.draw_p95
        );
    }
    if let Some(top) = after.importance.first() {
        println!(
            "\nlargest driver of {}: {} (first-order index {:.2})",
            top.outcome, top.parameter, top.first_order
        );
    }
    Ok(())
}
