//! Errors and their exit codes: bad input (exit 2) says where and what;
//! anything else (exit 1) is a failure of the machine or the program.

use std::fmt;
use std::path::PathBuf;

/// A problem with what the user gave: a file, a flag or a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputError {
    pub file: Option<PathBuf>,
    /// 1-based line and column, where known.
    pub position: Option<(u32, u32)>,
    /// The key or flag at fault, e.g. `params.beta_E` or `--runs`.
    pub key: Option<String>,
    /// What is wrong, saying what was found and what is expected.
    pub message: String,
    /// What to do about it, when there is something better than the message.
    pub hint: Option<String>,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError {
            message: message.into(),
            ..InputError::default()
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> InputError {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> InputError {
        self.position = Some((line as u32, column as u32));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> InputError {
        self.key = Some(key.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> InputError {
        self.hint = Some(hint.into());
        self
    }
}

/// Longest piece of user text (a key, a name) quoted in a message, in
/// characters; longer text is cut in the middle.
pub const MAX_QUOTED_CHARS: usize = 80;

/// User text made safe to quote in a message: control characters (terminal
/// escapes, newlines) are written as escapes, and text longer than
/// [`MAX_QUOTED_CHARS`] keeps only its start and end.
pub fn clip(text: &str) -> String {
    let count = text.chars().count();
    let shown: String = if count > MAX_QUOTED_CHARS {
        let half = MAX_QUOTED_CHARS / 2;
        let head: String = text.chars().take(half).collect();
        let tail: String = text.chars().skip(count - half).collect();
        format!("{head}...({} characters)...{tail}", count - 2 * half)
    } else {
        text.to_string()
    };
    printable(&shown)
}

/// `text` with every control character but the newline written as an
/// escape (`\u{1b}`), so printing it cannot move the cursor, recolour the
/// terminal or forge lines.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` with every control character, the newline included, escaped: for
/// a value that must stay on one line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", one_line(&file.display().to_string()))?;
            if let Some((line, column)) = self.position {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "key `{}`: ", one_line(key))?;
        }
        write!(f, "{}", one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", one_line(hint))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: exit code 2.
    #[error("{0}")]
    Input(#[from] InputError),
    /// Anything else (I/O, a bug): exit code 1.
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.into())
    }
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Other(_) => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that a count given by the user (a command-line flag or a keyword
/// of the Python package, named by `key`) is at least 1.
pub fn at_least_one<T: Into<u64> + Copy + fmt::Display>(key: &str, value: T) -> Result<T> {
    if value.into() == 0 {
        return Err(InputError::new(format!(
            "found {value}, expected a whole number of at least 1"
        ))
        .key(key)
        .into());
    }
    Ok(value)
}

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::levenshtein(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}
