//! Reading a rule set: every `.yaml`/`.yml` file below a folder (except the
//! `tests/` folder of rule tests), or sources already in memory, parsed
//! and merged into one set, validated whole.

use std::path::{Path, PathBuf};

use super::model::RuleFile;
use super::validate::{validate, SourceFile, Sources};
use super::RuleSet;
use crate::error::{Diagnostic, DiagnosticKind, Diagnostics, Error, Severity};
use crate::source::{self, Format};

/// The folder of rule tests inside a rule-set directory; not rules itself.
pub const TESTS_DIR: &str = "tests";

/// One rule file's name and text, from a folder or from memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The name errors give it (a path, for files); its extension gives the format.
    pub name: PathBuf,
    /// Its text.
    pub text: String,
}

impl Source {
    /// A source named `name` with `text`.
    pub fn new(name: impl Into<PathBuf>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Loads and validates the rule set in `dir`.
pub fn load_dir(dir: &Path) -> Result<RuleSet, Error> {
    let mut paths = Vec::new();
    collect(dir, dir, &mut paths)?;
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Rules(Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            kind: DiagnosticKind::Missing,
            file: dir.to_path_buf(),
            position: None,
            path: ".".into(),
            message: "no rule files (`.yaml` or `.yml`) in this folder".into(),
        }])));
    }
    let mut sources = Vec::with_capacity(paths.len());
    let mut unreadable = Vec::new();
    for path in paths {
        match read_text(&path) {
            Ok(text) => sources.push(Source::new(path, text)),
            Err(err) => unreadable.push(Diagnostic::from_error(DiagnosticKind::Syntax, err)),
        }
    }
    if !unreadable.is_empty() {
        return Err(Error::Rules(Diagnostics(unreadable)));
    }
    RuleSet::from_sources(sources)
}

impl RuleSet {
    /// Parses, merges and validates rule files held in memory (a service's
    /// upload, a mutant of a loaded set), exactly as [`load_dir`] does with
    /// a folder's files. Every problem of every file is reported.
    pub fn from_sources(sources: Vec<Source>) -> Result<RuleSet, Error> {
        let mut parsed = Sources::default();
        let mut problems = Vec::new();
        for Source { name, text } in sources {
            let format = Format::of_path(&name).unwrap_or(Format::Yaml);
            match source::parse::<RuleFile>(format, &text) {
                Ok(file) => parsed.push(
                    SourceFile {
                        path: name,
                        format,
                        text,
                    },
                    file,
                ),
                Err(located) => problems.push(Diagnostic::from_error(
                    DiagnosticKind::Syntax,
                    Error::from_located(name, located),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rules(Diagnostics(problems)));
        }
        validate(parsed)
    }
}

impl RuleSet {
    /// Validates rule files already parsed (a rule set edited as a model,
    /// such as a mutant of a loaded set), each under the name errors give it.
    /// Problems are named by field path; there is no text to give a line.
    pub fn from_rule_files(files: Vec<(PathBuf, RuleFile)>) -> Result<RuleSet, Error> {
        let mut parsed = Sources::default();
        for (path, file) in files {
            let format = Format::of_path(&path).unwrap_or(Format::Yaml);
            parsed.push(
                SourceFile {
                    path,
                    format,
                    text: String::new(),
                },
                file,
            );
        }
        validate(parsed)
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        file: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            if !(dir == root && entry.file_name() == TESTS_DIR) {
                collect(root, &path, out)?;
            }
        } else if matches!(Format::of_path(&path), Some(Format::Yaml)) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a rule file or rule-test file (a regular file within the size
/// limit) as UTF-8 text, naming the file in any error.
pub fn read_text(path: &Path) -> Result<String, Error> {
    text_of(path, crate::file::read(path, crate::file::Kind::Rules)?)
}

/// Turns bytes into text, or an error naming the file and the first bad
/// byte. A leading byte-order mark is dropped: editors add one, and it
/// means nothing in UTF-8.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    let mut text = String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let before = err.as_bytes().get(..offset).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        Error::Input {
            file: path.to_path_buf(),
            position: Some(source::Position { line, column }),
            path: ".".into(),
            message: format!("not UTF-8 text (invalid byte at offset {offset})"),
        }
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}
