//! The one error type of accord-core: every input error names its file, and
//! where it can, the line, column and field path. A rule set's problems are
//! collected whole, as typed [`Diagnostic`]s, so that one run of `accord
//! check` shows every one of them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

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
    /// A rule set with problems: every one found, in file order, one a line.
    #[error("{0}")]
    Rules(Diagnostics),
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

fn render(file: &Path, position: &Option<Position>, path: &str, message: &str) -> String {
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

/// How serious a diagnostic is: errors make a rule set unusable, warnings
/// point at something probably unintended (`check --deny-warnings` refuses them too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The rule set cannot be used.
    Error,
    /// The rule set loads, but something in it is probably a mistake.
    Warning,
}

/// What kind of rule a diagnostic reports broken, for editors and CI to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// The file cannot be read.
    Io,
    /// Not YAML, or not the shape of a rule file (unknown field, wrong type).
    Syntax,
    /// A file is beyond a size or nesting limit.
    Limit,
    /// A code, clause, parameter, measure or schedule that is not defined.
    UnknownReference,
    /// Something defined twice.
    Duplicate,
    /// A value out of its range, or one the evaluator cannot use.
    InvalidValue,
    /// Parameter periods that overlap, leave a gap or start too late.
    ParameterPeriods,
    /// Clause dependencies that form a cycle.
    DependencyCycle,
    /// Something the rule set must have and does not.
    Missing,
    /// A clause's text states a figure or date its parameters contradict.
    TextDisagrees,
    /// A parameter, measure or clause that nothing uses or cites.
    Unused,
    /// A precedence step no application can reach.
    Unreachable,
}

/// One problem in a rule set, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub kind: DiagnosticKind,
    /// The file.
    pub file: PathBuf,
    /// Line and column, when the problem has a place in the text.
    pub position: Option<Position>,
    /// Field path such as `agreements[0].clauses[3].criterion`; `.` for the whole file.
    pub path: String,
    /// What is wrong, and where it helps, what to do.
    pub message: String,
}

impl Serialize for Diagnostic {
    /// Flat, for editors and CI: `severity, kind, file, line, column, path, message`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Diagnostic", 7)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("kind", &self.kind)?;
        out.serialize_field("file", &self.file.display().to_string())?;
        out.serialize_field("line", &self.position.map(|p| p.line))?;
        out.serialize_field("column", &self.position.map(|p| p.column))?;
        out.serialize_field("path", &self.path)?;
        out.serialize_field("message", &self.message)?;
        out.end()
    }
}

impl Diagnostic {
    /// An error of `kind` at `path` in `file`, located in `text`.
    pub fn error(
        kind: DiagnosticKind,
        file: &Path,
        format: Format,
        text: &str,
        path: &FieldPath,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            file: file.to_path_buf(),
            // A model built in memory has no text to point into.
            position: if text.is_empty() {
                None
            } else {
                crate::source::locate(format, text, path)
            },
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The same problem as a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// A diagnostic from an input error (a file that does not read or parse).
    pub fn from_error(kind: DiagnosticKind, error: Error) -> Diagnostic {
        match error {
            Error::Input {
                file,
                position,
                path,
                message,
            } => Diagnostic {
                severity: Severity::Error,
                kind,
                file,
                position,
                path,
                message,
            },
            Error::Io { file, source } => Diagnostic {
                severity: Severity::Error,
                kind: DiagnosticKind::Io,
                file,
                position: None,
                path: ".".into(),
                message: source.to_string(),
            },
            Error::Rules(mut list) => list.0.pop().unwrap_or_else(|| Diagnostic {
                severity: Severity::Error,
                kind,
                file: PathBuf::new(),
                position: None,
                path: ".".into(),
                message: "unknown problem".into(),
            }),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: path: message`, on one line; warnings say so.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = render(&self.file, &self.position, &self.path, &self.message);
        match self.severity {
            Severity::Error => f.write_str(&text),
            Severity::Warning => write!(f, "warning: {text}"),
        }
    }
}

/// Every problem found in a rule set, errors and warnings, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors alone.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings alone.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Warning)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
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

    #[test]
    fn diagnostics_render_one_a_line_and_serialise_flat() {
        let d = Diagnostic {
            severity: Severity::Error,
            kind: DiagnosticKind::UnknownReference,
            file: PathBuf::from("rules/a.yaml"),
            position: Some(Position { line: 3, column: 7 }),
            path: "agreements[0].parties[1]".into(),
            message: "unknown body `XX`".into(),
        };
        let list = Diagnostics(vec![d.clone(), d.clone().warning()]);
        assert_eq!(
            list.to_string(),
            "rules/a.yaml:3:7: agreements[0].parties[1]: unknown body `XX`\nwarning: rules/a.yaml:3:7: agreements[0].parties[1]: unknown body `XX`"
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["line"], 3);
        assert_eq!(json["column"], 7);
        assert_eq!(json["kind"], "unknown_reference");
        assert_eq!(json["file"], "rules/a.yaml");
    }
}
