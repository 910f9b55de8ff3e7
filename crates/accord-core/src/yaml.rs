//! The one module that touches `serde_yaml`.
//!
//! serde_yaml is no longer maintained upstream; keeping every use of it here
//! makes moving to a maintained fork a one-file change. Everything else asks
//! [`crate::source`] for "parse this text" and "where is this path".

use serde::de::DeserializeOwned;

use crate::source::{Located, PathSegment, Position};

/// Parses one YAML document into `T`, tracking the field path of any error.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let position = inner.location().map(|l| Position {
            line: l.line(),
            column: l.column(),
        });
        Located::from_parser(path, position, &inner.to_string())
    })
}

/// Finds the line and column of the value at `path` in a YAML document.
pub(crate) fn locate(text: &str, path: &[PathSegment]) -> Option<Position> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    let err = crate::source::locate_with(deserializer, path)?;
    err.location().map(|l| Position {
        line: l.line(),
        column: l.column(),
    })
}

/// Enums in rule files are written as one-key maps (`in_force: {from: ...}`),
/// which serde_yaml 0.9 reads only through this adapter; fields use it as
/// `#[serde(with = "crate::yaml::singleton_map")]`.
pub(crate) use serde_yaml::with::singleton_map_recursive as singleton_map;
