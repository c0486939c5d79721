//! What keeps a result folder safe from its neighbours and from mistakes:
//!
//! - **The `--force` rule.** A non-empty folder is replaced only with
//!   `--force`, and only when it holds an entente result: a `manifest.json`
//!   that entente wrote (a JSON object with `entente_version`), or the
//!   `shard.json` state of a sweep in progress, or the
//!   `calibration-state.json` of a calibration in progress. Any other folder is refused,
//!   so a wrong `--out` can never delete a home directory.
//! - **One writer per folder.** [`Lock`] takes an advisory lock on a hidden
//!   lock file beside the result folder (`.NAME.lock` in its parent) for as
//!   long as the folder is written; a second command on the same folder is
//!   refused with a clear message instead of silently replacing the first
//!   one's result.
//! - **No leftovers.** A killed command leaves its hidden staging folder
//!   (`.NAME.partial-PID`); the next command on the same folder removes those
//!   whose process is gone.
//! - **No links followed.** State files are opened with `O_NOFOLLOW` and
//!   links are never deleted through, so a planted symbolic link cannot
//!   redirect a write.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, InputError};

/// Names of the files a `compare` folder holds beside its scenario
/// subfolders; no compared scenario may take one as its name.
pub const COMPARE_FILES: [&str; 6] = [
    "charts",
    "comparison.csv",
    "differences.csv",
    "manifest.json",
    "report.md",
    "report.html",
];

/// Checks a scenario name as the name of a subfolder of a `compare` folder:
/// a safe name ([`crate::scenario::build::safe_name`]) that is none of
/// [`COMPARE_FILES`]. On failure returns the message.
pub fn compare_subfolder(name: &str) -> Result<(), String> {
    crate::scenario::build::safe_name(name)?;
    if COMPARE_FILES.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        return Err(format!(
            "found `{name}`, which is the name of a file of the comparison itself; expected a name other than {}",
            COMPARE_FILES.join(", ")
        ));
    }
    Ok(())
}

/// Turns an I/O error into one that names the path it is about.
pub fn at_path(path: &Path, e: io::Error) -> Error {
    Error::Other(anyhow::Error::new(e).context(path.display().to_string()))
}

/// The parent folder and final component of a result folder.
pub fn split_target(target: &Path) -> Result<(PathBuf, String), Error> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            InputError::new(
                "does not end in a folder name (like `.`, `..` or `/`); choose a named folder for --out",
            )
            .in_file(target)
        })?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_string()))
}

/// True when `dir` holds a result or the state of a sweep or calibration
/// that entente wrote: a regular `manifest.json` whose top level has
/// `entente_version`, a regular `shard.json` with a sweep's `sha256` and
/// `shard`, or a regular `calibration-state.json` with a calibration's
/// `sha256` and `options`.
pub fn is_entente_result(dir: &Path) -> bool {
    let json = |name: &str| -> Option<serde_json::Value> {
        let path = dir.join(name);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > 16 << 20 {
            return None;
        }
        serde_json::from_slice(&fs::read(&path).ok()?).ok()
    };
    if json("manifest.json").is_some_and(|m| m.get("entente_version").is_some()) {
        return true;
    }
    json("shard.json").is_some_and(|s| s.get("sha256").is_some() && s.get("shard").is_some())
        || json("calibration-state.json")
            .is_some_and(|s| s.get("sha256").is_some() && s.get("options").is_some())
}

fn is_nonempty_dir(path: &Path) -> bool {
    fs::read_dir(path)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}

/// Applies the `--force` rule to `target` before a command writes it.
/// Returns whether the target holds earlier results that will be replaced.
pub fn check_target(target: &Path, force: bool) -> Result<bool, Error> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(at_path(target, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(InputError::new(
            "is a symbolic link; entente writes results only to a real folder, so give the folder it points to, or another --out",
        )
        .in_file(target)
        .into());
    }
    if !meta.is_dir() {
        return Err(
            InputError::new("exists and is not a folder; choose another --out")
                .in_file(target)
                .into(),
        );
    }
    if !is_nonempty_dir(target) {
        return Ok(false);
    }
    if !is_entente_result(target) {
        return Err(InputError::new(
            "is not empty and holds no entente result (no manifest.json written by entente), so it is never replaced, even with --force; choose an empty or new folder for --out",
        )
        .in_file(target)
        .into());
    }
    if !force {
        return Err(InputError::new(
            "holds earlier results; pass --force to replace them, or choose another --out",
        )
        .in_file(target)
        .into());
    }
    Ok(true)
}

/// Removes a result folder that [`check_target`] allowed to be replaced.
/// A symbolic link is never followed.
pub fn remove_result(target: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(target).map_err(|e| at_path(target, e)),
        Ok(_) => fs::remove_file(target).map_err(|e| at_path(target, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(at_path(target, e)),
    }
}

/// An advisory lock on a result folder, held while the folder is written
/// and released (its lock file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: File,
}

impl Lock {
    /// Locks the result folder `target` for this process, or refuses when
    /// another command holds it.
    pub fn acquire(target: &Path) -> Result<Lock, Error> {
        let (parent, name) = split_target(target)?;
        fs::create_dir_all(&parent).map_err(|e| at_path(&parent, e))?;
        let path = parent.join(format!(".{name}.lock"));
        // The holder removes the lock file when it is done; a process that
        // opened the file just before that must not keep a lock on a file
        // that is no longer there, so the lock counts only if the path still
        // names the locked file. A few rounds settle any race.
        for _ in 0..100 {
            let file = open_nofollow(
                &path,
                OpenOptions::new().read(true).write(true).create(true),
            )
            .map_err(|e| at_path(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::Other(anyhow::anyhow!(
                        "{} is being written by another entente command (it holds {}); wait for that command to finish, or choose another --out",
                        target.display(),
                        path.display()
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(at_path(&path, e)),
            }
            if same_file(&file, &path) {
                return Ok(Lock { path, file });
            }
        }
        Err(Error::Other(anyhow::anyhow!(
            "{}: cannot take the lock of {}, which keeps changing",
            path.display(),
            target.display()
        )))
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no other process can be holding it.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Opens `path` with `options`, refusing to follow a symbolic link at its
/// last component.
pub fn open_nofollow(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other("is a symbolic link"));
    }
    options.open(path)
}

/// Whether process `pid` is still running, where that can be told
/// (`/proc`); `None` when it cannot.
fn process_alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes the staging folders (`.NAME.partial-PID` and
/// `.NAME.partial-PID.old`) and temporary files (`.FILE.tmp-PID`) that
/// killed commands left in `parent` for the result folder `name`, when
/// their process is gone. Call it holding the folder's [`Lock`].
pub fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let partial = format!(".{name}.partial-");
    let me = std::process::id();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some(rest) = file_name.strip_prefix(&partial) else {
            continue;
        };
        let digits = rest.strip_suffix(".old").unwrap_or(rest);
        let Ok(pid) = digits.parse::<u32>() else {
            continue;
        };
        if pid == me || process_alive(pid) != Some(false) {
            continue;
        }
        let _ = remove_result(&entry.path());
    }
}

/// Removes temporary files `.FILE.tmp-PID` of dead processes inside `dir`.
pub fn clean_stale_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let pid = file_name
            .starts_with('.')
            .then(|| file_name.rsplit_once(".tmp-"))
            .flatten()
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && process_alive(pid) == Some(false)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}
