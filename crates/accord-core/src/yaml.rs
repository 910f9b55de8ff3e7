//! The one module that touches `serde_yaml`.
//!
//! serde_yaml is no longer maintained upstream; keeping every use of it here
//! makes moving to a maintained fork a one-file change. Everything else asks
//! [`crate::source`] for "parse this text" and "where is this path".

use serde::de::DeserializeOwned;

use crate::source::{Located, PathSegment, Position};

/// Parses one YAML document into `T`. The fast path tracks nothing; only
/// when it fails is the text parsed again with field-path tracking, so that
/// good files (nearly all of a batch) pay nothing for error reporting.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
    check_flow_depth(text)?;
    match serde_yaml::from_str(text) {
        Ok(value) => Ok(value),
        Err(_) => parse_tracked(text),
    }
}

/// Parses into a generic YAML value and drops it: the floor against which
/// batch throughput is measured.
pub(crate) fn parse_generic(text: &str) -> Result<(), String> {
    serde_yaml::from_str::<serde_yaml::Value>(text)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Parses with field-path tracking, for the error message.
fn parse_tracked<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
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
    check_flow_depth(text).ok()?;
    let deserializer = serde_yaml::Deserializer::from_str(text);
    let err = crate::source::locate_with(deserializer, path)?;
    err.location().map(|l| Position {
        line: l.line(),
        column: l.column(),
    })
}

/// Deepest nesting of flow collections (`[` and `{`) accepted. serde_yaml
/// refuses documents nested past 128 levels anyway, but its scanner takes
/// time quadratic in flow depth before it gets there (3 s at 40,000 levels),
/// so a hostile file is refused here first, in one linear pass.
const MAX_FLOW_DEPTH: usize = 100;

/// Refuses text whose flow collections nest deeper than [`MAX_FLOW_DEPTH`].
/// Quoted scalars and comments are skipped; a bracket inside a plain scalar
/// counts, which errs on the side of refusing only absurd documents.
fn check_flow_depth(text: &str) -> Result<(), Located> {
    // Fewer opening brackets than the limit cannot nest past it: nearly
    // every document stops here, after one vectorised count.
    let openings = text.bytes().filter(|&b| b == b'[' || b == b'{').count();
    if openings <= MAX_FLOW_DEPTH {
        return Ok(());
    }
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut previous = b'\n';
    // Bytes, not chars: every byte that matters here is ASCII, and no byte
    // of a multi-byte UTF-8 character is. Columns count bytes.
    for &c in text.as_bytes() {
        column += 1;
        if c == b'\n' {
            line += 1;
            column = 0;
            comment = false;
        } else if comment {
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == b'"' && c == b'\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'#' if previous.is_ascii_whitespace() => comment = true,
                b'"' | b'\'' => quote = Some(c),
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(Located {
                            path: ".".into(),
                            position: Some(Position { line, column }),
                            message: format!("collections nested deeper than {MAX_FLOW_DEPTH} levels"),
                        });
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    Ok(())
}

/// Enums in rule files are written as one-key maps (`in_force: {from: ...}`),
/// which serde_yaml 0.9 reads only through this adapter; fields use it as
/// `#[serde(with = "crate::yaml::singleton_map")]`.
pub(crate) use serde_yaml::with::singleton_map_recursive as singleton_map;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_refused_with_its_position() {
        let text = format!("id: {}", "[".repeat(MAX_FLOW_DEPTH + 1));
        let err = check_flow_depth(&text).err();
        assert_eq!(
            err.and_then(|e| e.position),
            Some(Position {
                line: 1,
                column: 4 + MAX_FLOW_DEPTH + 1
            })
        );
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let many = "[".repeat(MAX_FLOW_DEPTH + 1);
        let text = format!("a: \"{many}\"\nb: '{many}'\n# {many}\nc: [1, [2]]\n");
        assert_eq!(check_flow_depth(&text), Ok(()));
    }
}
