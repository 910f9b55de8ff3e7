//! The one error type of accord-core: every input error names its file, and
//! where it can, the line, column and field path.

use std::fmt;
use std::path::PathBuf;

use crate::source::{FieldPath, Format, Located, Position};

/// What went wrong reading a rule set or an application.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read at all.
    #[error("{}: {source}", .file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file was read but its content is wrong: syntax, shape or meaning.
    #[error("{}", render(.file, .position, .path, .message))]
    Input {
        /// The file.
        file: PathBuf,
        /// Line and column, when the problem has a place in the text.
        position: Option<Position>,
        /// Field path such as `degrees[0].graduated_on`; `.` for the whole document.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// An input error from a parse failure in `file`.
    pub(crate) fn from_located(file: PathBuf, located: Located) -> Error {
        Error::Input {
            file,
            position: located.position,
            path: located.path,
            message: located.message,
        }
    }
}

fn render(file: &std::path::Path, position: &Option<Position>, path: &str, message: &str) -> String {
    let mut out = file.display().to_string();
    if let Some(p) = position {
        out.push_str(&format!(":{}:{}", p.line, p.column));
    }
    if path != "." && !path.is_empty() {
        out.push_str(&format!(": {path}"));
    }
    out.push_str(&format!(": {message}"));
    out.lines().collect::<Vec<_>>().join(" ")
}

/// A problem found after parsing: a field path and what is wrong there.
/// It becomes an [`Error`] once its file and text are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the document.
    pub path: FieldPath,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: FieldPath, message: impl Into<String>) -> Problem {
        Problem {
            path,
            message: message.into(),
        }
    }

    /// Ties the problem to its file, locating the line and column in `text`.
    pub fn in_file(self, file: PathBuf, format: Format, text: &str) -> Error {
        Error::Input {
            position: crate::source::locate(format, text, &self.path),
            path: self.path.to_string(),
            message: self.message,
            file,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_path_and_message_on_one_line() {
        let err = Error::Input {
            file: PathBuf::from("app.yaml"),
            position: Some(Position { line: 17, column: 5 }),
            path: "degrees[0].graduated".into(),
            message: "unknown field `graduated`,\nexpected one of `title`".into(),
        };
        assert_eq!(
            err.to_string(),
            "app.yaml:17:5: degrees[0].graduated: unknown field `graduated`, expected one of `title`"
        );
    }
}
