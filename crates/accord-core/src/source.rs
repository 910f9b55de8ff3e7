//! Source files: their format, parsing with field paths, and locating a field
//! path back to a line and column for errors found after parsing.
//!
//! Parsing is the hot path and stays untouched by error reporting: semantic
//! checks (an unknown code, a `to` before its `from`) only know a field path,
//! and [`locate`] re-reads the text to find its line when an error is reported.

use std::fmt;
use std::path::Path;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

/// The syntax of a source file, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.yaml` or `.yml`.
    Yaml,
    /// `.json`.
    Json,
}

impl Format {
    /// The format of a file named `path`, or `None` for another extension.
    pub fn of_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A line and column, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One step of a field path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A field path such as `degrees[0].graduated_on`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    /// The root of a document.
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// This path extended by a map key.
    pub fn key(&self, key: &str) -> FieldPath {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        FieldPath(segments)
    }

    /// This path extended by a list index.
    pub fn index(&self, index: usize) -> FieldPath {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        FieldPath(segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A parse or validation failure inside one document, not yet tied to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The field path, as written in messages (`.` for the document itself).
    pub path: String,
    /// Where in the text, when known.
    pub position: Option<Position>,
    /// What is wrong, lowercase, without location.
    pub message: String,
}

impl Located {
    /// Builds a failure from a parser's message, removing the location suffix
    /// and path prefix the parsers add themselves so that they are not repeated.
    pub(crate) fn from_parser(path: String, position: Option<Position>, raw: &str) -> Located {
        // serde_path_to_error writes `?` for a segment it could not name
        // (the parser failed before the key was read): keep what is known.
        let path = known_part(&path);
        // The parsers repeat the location inside their message ("... at line
        // 3 column 5, while scanning"): it is already given before the path.
        let repeated = position.map(|p| format!(" at line {} column {}", p.line, p.column));
        let cleaned = match &repeated {
            Some(r) => raw.replacen(r.as_str(), "", 1),
            None => raw.to_owned(),
        };
        let mut message = cleaned.as_str();
        if let Some((head, rest)) = message.split_once(": ") {
            if !head.contains(' ') && path.starts_with(head) {
                message = rest;
            }
        }
        Located {
            path,
            position,
            message: message.to_owned(),
        }
    }
}

/// The part of a field path before its first unknown (`?`) segment; `.`
/// when nothing is known.
fn known_part(path: &str) -> String {
    let known: Vec<&str> = path
        .split('.')
        .take_while(|segment| !segment.starts_with('?') && *segment != "?")
        .map(|segment| segment.split("[?]").next().unwrap_or(segment))
        .filter(|segment| !segment.is_empty())
        .collect();
    if known.is_empty() {
        ".".into()
    } else {
        known.join(".")
    }
}

/// Parses `text` in `format` into `T`. The fast path tracks nothing; only
/// when it fails is the text parsed again with field-path tracking, so that
/// good files (nearly all of a batch) pay nothing for error reporting.
pub fn parse<T: DeserializeOwned>(format: Format, text: &str) -> Result<T, Located> {
    match format {
        Format::Yaml => crate::yaml::parse(text),
        Format::Json => {
            screen_json(text)?;
            match serde_json::from_str(text) {
                Ok(value) => Ok(value),
                Err(_) => parse_json_tracked(text),
            }
        }
    }
}

/// Refuses a JSON number written with more digits than it can be read
/// exactly with (serde_json reads numbers as binary floats: what is checked
/// afterwards must be what the author wrote). Strings are skipped; most
/// files have no run of ten digits and no exponent, and pass after one scan.
fn screen_json(text: &str) -> Result<(), Located> {
    let bytes = text.as_bytes();
    let suspicious = bytes.windows(2).any(|w| match w {
        [a, b'e' | b'E'] => a.is_ascii_digit(),
        _ => false,
    }) || bytes.split(|b| !b.is_ascii_digit()).any(|run| run.len() >= 10);
    if !suspicious {
        return Ok(());
    }
    let (mut line, mut column) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == '-' || c.is_ascii_digit() {
            let start = column;
            let mut literal = String::from(c);
            while let Some(&next) = chars.peek() {
                if next.is_ascii_digit() || matches!(next, '.' | 'e' | 'E' | '+' | '-') {
                    literal.push(next);
                    chars.next();
                    column += 1;
                } else {
                    break;
                }
            }
            if let Some(message) = crate::yaml::number_problem(&literal) {
                return Err(Located {
                    path: ".".into(),
                    position: Some(Position { line, column: start }),
                    message,
                });
            }
        }
    }
    Ok(())
}

/// Parses `text` into a generic YAML or JSON value and drops it, checking
/// nothing else: the baseline that batch throughput is measured against.
pub fn parse_generic(format: Format, text: &str) -> Result<(), String> {
    match format {
        Format::Yaml => crate::yaml::parse_generic(text),
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(drop)
            .map_err(|e| e.to_string()),
    }
}

/// Parses JSON with field-path tracking, for the error message.
fn parse_json_tracked<T: DeserializeOwned>(text: &str) -> Result<T, Located> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        // A syntax error has a place, not a field: its path is noise.
        let path = if inner.is_syntax() || inner.is_eof() {
            ".".to_owned()
        } else {
            path
        };
        Located::from_parser(path, json_position(&inner), &inner.to_string())
    })?;
    deserializer
        .end()
        .map_err(|err| Located::from_parser(".".into(), json_position(&err), &err.to_string()))?;
    Ok(value)
}

/// The line and column of the value at `path` in `text`, if it is there.
pub fn locate(format: Format, text: &str, path: &FieldPath) -> Option<Position> {
    match format {
        Format::Yaml => crate::yaml::locate(text, &path.0),
        Format::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let err = locate_with(&mut deserializer, &path.0)?;
            json_position(&err)
        }
    }
}

fn json_position(err: &serde_json::Error) -> Option<Position> {
    (err.line() > 0).then(|| Position {
        line: err.line(),
        column: err.column(),
    })
}

/// Walks a document down `path` and fails on purpose at the value found
/// there: the parser attaches its current position to that failure.
/// Returns `None` when the path is not in the document.
pub(crate) fn locate_with<'de, D: Deserializer<'de>>(
    deserializer: D,
    path: &[PathSegment],
) -> Option<D::Error> {
    Seek { path }.deserialize(deserializer).err()
}

struct Seek<'p> {
    path: &'p [PathSegment],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

const FOUND: &str = "found";

macro_rules! found_on_scalar {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method<E: de::Error>(self, _: $ty) -> Result<(), E> {
            if self.path.is_empty() { Err(E::custom(FOUND)) } else { Ok(()) }
        }
    )*};
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    found_on_scalar!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.path.is_empty() {
            Err(E::custom(FOUND))
        } else {
            Ok(())
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        while let Some(key) = map.next_key::<KeyText>()? {
            if matches!(first, PathSegment::Key(k) if *k == key.0) {
                map.next_value_seed(Seek { path: rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let mut index = 0;
        loop {
            let more = if matches!(first, PathSegment::Index(i) if *i == index) {
                seq.next_element_seed(Seek { path: rest })?.is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }
}

/// A map key read as text whatever its scalar type (`1:` is a key too).
struct KeyText(String);

impl<'de> serde::Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[&str]) -> FieldPath {
        FieldPath(
            segments
                .iter()
                .map(|s| match s.parse() {
                    Ok(i) => PathSegment::Index(i),
                    Err(_) => PathSegment::Key((*s).to_owned()),
                })
                .collect(),
        )
    }

    #[test]
    fn locates_a_nested_yaml_value() {
        let text = "id: A\ndegrees:\n  - title: x\n  - title: y\n    accredited_by: NOPE\n";
        let found = locate(Format::Yaml, text, &path(&["degrees", "1", "accredited_by"]));
        assert_eq!(found.map(|p| p.line), Some(5));
    }

    #[test]
    fn locates_a_nested_json_value() {
        let text = "{\"id\": \"A\",\n \"degrees\": [{\"title\": \"x\"},\n  {\"accredited_by\": \"NOPE\"}]}";
        let found = locate(Format::Json, text, &path(&["degrees", "1", "accredited_by"]));
        assert_eq!(found.map(|p| p.line), Some(3));
    }

    #[test]
    fn a_path_not_in_the_document_is_not_located() {
        assert_eq!(locate(Format::Yaml, "id: A\n", &path(&["degrees", "0"])), None);
    }

    #[test]
    fn field_path_displays_like_the_contract() {
        assert_eq!(
            path(&["degrees", "0", "graduated_on"]).to_string(),
            "degrees[0].graduated_on"
        );
        assert_eq!(FieldPath::root().to_string(), ".");
    }

    #[test]
    fn unknown_path_segments_are_dropped() {
        assert_eq!(known_part("applicant.?"), "applicant");
        assert_eq!(known_part("?"), ".");
        assert_eq!(known_part("degrees[0].title"), "degrees[0].title");
        assert_eq!(known_part("degrees[?]"), "degrees");
    }

    #[test]
    fn json_numbers_with_too_many_digits_are_refused_and_strings_skipped() {
        let err = screen_json("{\"fte\": 1.00000000000000000001}").unwrap_err();
        assert_eq!(err.position, Some(Position { line: 1, column: 9 }));
        assert_eq!(
            screen_json("{\"number\": \"12345678901234567890\", \"fte\": 0.5}"),
            Ok(())
        );
        assert_eq!(screen_json("{\"hours\": 1e2}"), Ok(()));
    }

    #[test]
    fn parser_messages_lose_their_own_path_and_position() {
        let located = Located::from_parser(
            "degrees[1].graduated".into(),
            Some(Position { line: 6, column: 5 }),
            "degrees[1]: unknown field `graduated`, expected `title` at line 6 column 5",
        );
        assert_eq!(located.message, "unknown field `graduated`, expected `title`");
    }
}
