//! The data dictionary `docs/outputs.md` against the files the commands
//! write: every column of every CSV file must be defined there.
//!
//! The dictionary has a heading naming each file in backticks (`### \`runs.csv\``)
//! followed by a table whose first cell is the column name in backticks.
//! A name may hold placeholders in angle brackets (`zbar_<A>-<B>`), each
//! standing for one or more characters.

use std::collections::BTreeMap;
use std::path::Path;

/// Column patterns of each file name, read from docs/outputs.md.
pub fn dictionary() -> BTreeMap<String, Vec<String>> {
    let path = super::cli::root().join("docs/outputs.md");
    let text = std::fs::read_to_string(&path).expect("docs/outputs.md exists");
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') {
            current = backticked(line)
                .into_iter()
                .find(|name| name.ends_with(".csv"))
                .map(str::to_string);
        } else if let (Some(file), Some(cell)) = (&current, line.strip_prefix("| `"))
            && let Some((name, _)) = cell.split_once('`')
        {
            files
                .entry(file.clone())
                .or_default()
                .push(name.to_string());
        }
    }
    files
}

fn backticked(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

/// Whether `column` matches `pattern`, where each `<...>` in the pattern
/// stands for one or more characters.
pub fn matches(pattern: &str, column: &str) -> bool {
    let mut literals = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        literals.push(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    literals.push(rest);
    if literals.len() == 1 {
        return pattern == column;
    }
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    let Some(mut left) = column.strip_prefix(first) else {
        return false;
    };
    for middle in &literals[1..literals.len() - 1] {
        // At least one character for the placeholder before `middle`.
        match left.get(1..).and_then(|l| l.find(middle)) {
            Some(at) => left = &left[1 + at + middle.len()..],
            None => return false,
        }
    }
    left.len() > last.len() && left.ends_with(last)
}

/// Fails unless every column of every CSV file under `dir` (charts and the
/// resumable state of a calibration aside) is defined for its file in
/// docs/outputs.md. Returns the number of files checked.
pub fn assert_documented(dir: &Path) -> usize {
    let dictionary = dictionary();
    let mut checked = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "charts" && name != "generations" {
                    pending.push(path);
                }
                continue;
            }
            if !name.ends_with(".csv") {
                continue;
            }
            let patterns = dictionary
                .get(&name)
                .unwrap_or_else(|| panic!("docs/outputs.md has no section for {name}"));
            let mut reader = csv::ReaderBuilder::new().from_path(&path).unwrap();
            for column in reader.headers().unwrap() {
                assert!(
                    patterns.iter().any(|p| matches(p, column)),
                    "docs/outputs.md does not define column `{column}` of {}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn placeholders_match_one_or_more_characters() {
    assert!(matches("zbar_<A>-<B>", "zbar_USA-RUS"));
    assert!(!matches("zbar_<A>-<B>", "zbar_USA_RUS"));
    assert!(!matches("zbar_<A>-<B>", "zbar_-RUS"));
    assert!(matches("p_<outcome>", "p_drift"));
    assert!(!matches("p_<outcome>", "p_"));
    assert!(matches("step", "step"));
    assert!(!matches("step", "steps"));
    assert!(matches("<parameter path>", "params.c_T"));
}
