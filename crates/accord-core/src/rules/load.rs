//! Reading a rule-set directory: every `.yaml`/`.yml` file below it (except
//! the `tests/` folder of rule tests), in sorted path order, merged into one
//! set, validated whole.

use std::path::{Path, PathBuf};

use super::model::RuleFile;
use super::validate::{validate, Origin, Sources};
use super::RuleSet;
use crate::error::Error;
use crate::source::{self, FieldPath, Format};

/// The folder of rule tests inside a rule-set directory; not rules itself.
pub const TESTS_DIR: &str = "tests";

/// Loads and validates the rule set in `dir`.
pub fn load_dir(dir: &Path) -> Result<RuleSet, Error> {
    let mut paths = Vec::new();
    collect(dir, dir, &mut paths)?;
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Input {
            file: dir.to_path_buf(),
            position: None,
            path: ".".into(),
            message: "no rule files (`.yaml` or `.yml`) in this folder".into(),
        });
    }
    let mut sources = Sources::default();
    for path in paths {
        let text = read_text(&path)?;
        let format = Format::of_path(&path).unwrap_or(Format::Yaml);
        let file: RuleFile =
            source::parse(format, &text).map_err(|l| Error::from_located(path.clone(), l))?;
        sources.push(path, format, text, file);
    }
    validate(sources)
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

/// Reads a file as UTF-8 text, naming the file in any error.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        file: path.to_path_buf(),
        source,
    })?;
    text_of(path, bytes)
}

/// Turns bytes into text, or an error naming the file and the first bad byte.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|err| {
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
    })
}

impl Origin {
    /// The origin of item `index` of section `section` in file `file`.
    pub(crate) fn item(file: usize, section: &str, index: usize) -> Origin {
        Origin {
            file,
            path: FieldPath::root().key(section).index(index),
        }
    }
}
