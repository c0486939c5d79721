//! Atomic result folders and files.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::safety::{self, Lock, at_path};
use crate::error::Error;

/// A result folder being written. Files go into a hidden sibling folder,
/// which [`Staging::commit`] renames into place; if the staging value is
/// dropped without a commit (an error, a panic), the partial folder is
/// removed. The folder is locked ([`Lock`]) from creation to commit, and
/// staging folders that killed commands left for it are removed first.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    partial: PathBuf,
    committed: bool,
    _lock: Lock,
}

impl Staging {
    /// Prepares to write `target`; refuses an existing non-empty folder
    /// unless `force`, and any folder that holds no entente result (see
    /// [`safety::check_target`]).
    pub fn create(target: &Path, force: bool) -> Result<Staging, Error> {
        let (parent, name) = safety::split_target(target)?;
        let lock = Lock::acquire(target)?;
        safety::clean_stale(&parent, &name);
        safety::check_target(target, force)?;
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        safety::remove_result(&partial)?;
        fs::create_dir(&partial).map_err(|e| at_path(&partial, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            partial,
            committed: false,
            _lock: lock,
        })
    }

    /// The folder files are written to until the commit.
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// Writes one file of the result.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> Result<(), Error> {
        let path = self.partial.join(name);
        fs::write(&path, contents).map_err(|e| at_path(&path, e))
    }

    /// Moves the finished folder into place, replacing any earlier one.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let old = self.partial.with_file_name(format!(
            "{}.old",
            self.partial
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("results")
        ));
        // Checked again: the folder may have changed since `create`.
        let had_old = safety::check_target(&self.target, true)?;
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| at_path(&self.target, e))?;
        }
        fs::rename(&self.partial, &self.target).map_err(|e| at_path(&self.target, e))?;
        self.committed = true;
        if had_old {
            safety::remove_result(&old)?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = safety::remove_result(&self.partial);
        }
    }
}

/// Writes a file through a temporary name and a rename. The temporary file
/// is created afresh (never through a link planted at its name), and the
/// rename replaces a link at `path` rather than writing through it.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Error> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| -> io::Result<()> {
        match fs::remove_file(&tmp) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(contents.as_ref())?;
        file.sync_data()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(at_path(path, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        at_path(path, e)
    })
}
