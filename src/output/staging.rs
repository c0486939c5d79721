//! Atomic result folders and files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, InputError};

/// A result folder being written. Files go into a hidden sibling folder,
/// which [`Staging::commit`] renames into place; if the staging value is
/// dropped without a commit (an error, a panic), the partial folder is
/// removed.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    partial: PathBuf,
    committed: bool,
}

fn is_nonempty_dir(path: &Path) -> bool {
    fs::read_dir(path)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}

impl Staging {
    /// Prepares to write `target`; refuses an existing non-empty folder
    /// unless `force`.
    pub fn create(target: &Path, force: bool) -> Result<Staging, Error> {
        if target.exists() && !target.is_dir() {
            return Err(
                InputError::new("exists and is not a folder; choose another --out")
                    .in_file(target)
                    .into(),
            );
        }
        if is_nonempty_dir(target) && !force {
            return Err(InputError::new(
                "holds earlier results; pass --force to replace them, or choose another --out",
            )
            .in_file(target)
            .into());
        }
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("results");
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if partial.exists() {
            fs::remove_dir_all(&partial)?;
        }
        fs::create_dir_all(&partial)?;
        Ok(Staging {
            target: target.to_path_buf(),
            partial,
            committed: false,
        })
    }

    /// The folder files are written to until the commit.
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// Writes one file of the result.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> io::Result<()> {
        fs::write(self.partial.join(name), contents)
    }

    /// Moves the finished folder into place, replacing any earlier one.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let old = self.partial.with_file_name(format!(
            "{}.old",
            self.partial
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("results")
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)?;
        }
        fs::rename(&self.partial, &self.target)?;
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old)?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.partial);
        }
    }
}

/// Writes a file through a temporary name and a rename.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, contents)?;
    fs::rename(&tmp, path)
}
