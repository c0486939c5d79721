//! Reports (placeholder until the report writer lands).
use std::path::Path;

pub fn write_run_report(_dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("reports are not available in this build")
}

pub fn write_compare_report(_dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("reports are not available in this build")
}
