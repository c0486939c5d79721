//! `entente plot DIR`: re-draws every chart of a result folder from its
//! CSV files and manifest alone.

use super::PlotArgs;
use crate::error::{InputError, Result};

pub fn execute(args: &PlotArgs) -> Result<()> {
    let dir = &args.dir;
    if !dir.join("manifest.json").is_file() {
        return Err(InputError::new(
            "is not a result folder (no manifest.json); expected the --out folder of `entente run`",
        )
        .in_file(dir)
        .into());
    }
    let written = crate::charts::draw_run_charts(dir)?;
    say!(
        "{} chart files written to {}/charts/",
        written.len(),
        dir.display()
    );
    Ok(())
}
