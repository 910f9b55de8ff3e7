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
    screen(text)?;
    match serde_yaml::from_str(text) {
        Ok(value) => Ok(value),
        Err(_) => parse_tracked(text),
    }
}

/// Deepest nesting of block or flow collections accepted: the formats need
/// five levels; this leaves room for mistakes to be reported as such.
const MAX_DEPTH: usize = 32;

/// The largest number of significant digits a number may be written with:
/// any such literal is exactly the binary float it is read as, so what is
/// checked (decimal places, ranges) is what the author wrote.
pub(crate) const MAX_SIGNIFICANT_DIGITS: usize = 15;

/// Refuses what the formats leave out and serde_yaml would accept: anchors
/// and aliases (an alias expands to a copy of its anchor, so a small file
/// could expand without bound), tags, merge keys, a second document,
/// collections nested past [`MAX_DEPTH`], and numbers written with more
/// digits than a number here can hold. Each refusal is located.
///
/// Nearly every file has none of the characters these need and passes after
/// one scan of its bytes; only the others are parsed event by event.
fn screen(text: &str) -> Result<(), Located> {
    match scan(text.as_bytes()) {
        Scan::Plain { openings } if openings <= MAX_FLOW_DEPTH => Ok(()),
        Scan::Plain { .. } => check_flow_depth(text),
        Scan::Suspicious => {
            check_flow_depth(text)?;
            Screen::default().run(text)
        }
    }
}

/// What one pass over the bytes found.
enum Scan {
    /// Nothing to screen for, and this many flow openings (`[`, `{`).
    Plain { openings: usize },
    /// Something that needs the event-by-event screen.
    Suspicious,
}

/// What each byte means to [`scan`]: 1 a digit, 2 the exponent letter
/// `e`/`E`, 3 an indicator an anchor, alias, tag, directive, merge key or tab
/// needs, 4 a flow opening; 0 anything else.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build, never a run"
)]
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = 1;
        b += 1;
    }
    table[b'e' as usize] = 2;
    table[b'E' as usize] = 2;
    let indicators = [b'&', b'*', b'!', b'%', b'\t', b'<'];
    let mut i = 0;
    while i < indicators.len() {
        table[indicators[i] as usize] = 3;
        i += 1;
    }
    table[b'[' as usize] = 4;
    table[b'{' as usize] = 4;
    table
};

/// Whether `bytes` hold a character that an anchor, alias, tag, directive,
/// merge key or tab needs, a run of ten digits, or a number with an
/// exponent; and how many flow collections they open. One pass over a
/// lookup table, no allocation.
fn scan(bytes: &[u8]) -> Scan {
    let (mut digits, mut openings) = (0u32, 0usize);
    for &b in bytes {
        match CLASS.get(usize::from(b)).copied().unwrap_or(0) {
            0 => digits = 0,
            1 => {
                digits += 1;
                if digits >= 10 {
                    return Scan::Suspicious;
                }
            }
            2 if digits > 0 => return Scan::Suspicious,
            2 => {}
            4 => {
                digits = 0;
                openings += 1;
            }
            _ => return Scan::Suspicious,
        }
    }
    Scan::Plain { openings }
}

/// The field path of the node an event stream has reached: each open
/// collection, with the key (mapping) or index (sequence) being read.
#[derive(Default)]
struct Tracker {
    frames: Vec<Frame>,
}

struct Frame {
    mapping: bool,
    index: usize,
    key: Option<String>,
    expecting_key: bool,
}

impl Tracker {
    /// Whether the next scalar is a mapping key.
    fn at_key(&self) -> bool {
        self.frames.last().is_some_and(|f| f.mapping && f.expecting_key)
    }

    /// The path as messages write it (`degrees[0].title`; `.` for the root).
    fn path(&self) -> String {
        let mut out = String::new();
        for frame in &self.frames {
            // A mapping waiting for its next key is at no key yet.
            let key = frame.key.as_ref().filter(|_| !frame.expecting_key);
            match (key, frame.mapping) {
                (Some(key), true) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                (_, false) => out.push_str(&format!("[{}]", frame.index)),
                (None, true) => {}
            }
        }
        if out.is_empty() {
            ".".into()
        } else {
            out
        }
    }

    /// A scalar was read: a key is remembered, a value completes its node.
    fn scalar(&mut self, value: &str) {
        match self.frames.last_mut() {
            Some(frame) if frame.mapping && frame.expecting_key => {
                frame.key = Some(value.to_owned());
                frame.expecting_key = false;
            }
            _ => self.node_done(),
        }
    }

    fn start(&mut self, mapping: bool) {
        self.frames.push(Frame {
            mapping,
            index: 0,
            key: None,
            expecting_key: true,
        });
    }

    fn end(&mut self) {
        self.frames.pop();
        self.node_done();
    }

    fn node_done(&mut self) {
        if let Some(frame) = self.frames.last_mut() {
            if frame.mapping {
                frame.expecting_key = true;
            } else {
                frame.index += 1;
            }
        }
    }

    fn depth(&self) -> usize {
        self.frames.len()
    }
}

/// Where the event walk stands.
#[derive(Default)]
struct Screen {
    tracker: Tracker,
    documents: usize,
}

impl Screen {
    fn run(mut self, text: &str) -> Result<(), Located> {
        use yaml_rust2::parser::{Event, Parser};
        use yaml_rust2::scanner::TScalarStyle;
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = parser.next_token().map_err(|e| {
                let position = Position {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                };
                Located {
                    path: self.tracker.path(),
                    position: Some(position),
                    message: with_hint(text, position, e.info()),
                }
            })?;
            let at = Position {
                line: mark.line(),
                column: mark.col() + 1,
            };
            let path = match &event {
                Event::Scalar(value, ..) if self.tracker.at_key() => {
                    let parent = self.tracker.path();
                    if parent == "." {
                        value.clone()
                    } else {
                        format!("{parent}.{value}")
                    }
                }
                _ => self.tracker.path(),
            };
            let refuse = |position: Position, message: String| {
                Err(Located {
                    path: path.clone(),
                    position: Some(position),
                    message,
                })
            };
            let (anchor, tagged) = match &event {
                Event::Scalar(_, _, anchor, tag) => (*anchor, tag.is_some()),
                Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                    (*anchor, tag.is_some())
                }
                _ => (0, false),
            };
            // The event is marked at its value; point at the property itself.
            if anchor != 0 {
                return refuse(
                    before(text, at, '&'),
                    "anchors (`&name`) are not part of the format: write each value out where it is used"
                        .into(),
                );
            }
            if tagged {
                return refuse(
                    before(text, at, '!'),
                    "tags (`!!binary`, `!name`) are not part of the format: write plain values".into(),
                );
            }
            match event {
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return refuse(
                            at,
                            "a file holds one YAML document: remove the second `---`".into(),
                        );
                    }
                }
                Event::Alias(_) => {
                    return refuse(
                        at,
                        "aliases (`*name`) are not part of the format: write the value out where it is used"
                            .into(),
                    )
                }
                Event::Scalar(value, style, _, _) => {
                    if self.tracker.at_key() && style == TScalarStyle::Plain && value == "<<" {
                        return refuse(
                            at,
                            "merge keys (`<<`) are not part of the format: write each field out".into(),
                        );
                    }
                    if style == TScalarStyle::Plain {
                        if let Some(problem) = number_problem(&value) {
                            return refuse(at, problem);
                        }
                    }
                    self.tracker.scalar(&value);
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    if self.tracker.depth() >= MAX_DEPTH {
                        return refuse(at, format!("collections nested deeper than {MAX_DEPTH} levels"));
                    }
                    self.tracker.start(matches!(event, Event::MappingStart(..)));
                }
                Event::SequenceEnd | Event::MappingEnd => self.tracker.end(),
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
        }
    }
}

/// The position of the last `indicator` at or before `at` on its line (the
/// anchor or tag of a node marked at its value), else `at`.
fn before(text: &str, at: Position, indicator: char) -> Position {
    let line: Vec<char> = text
        .lines()
        .nth(at.line.saturating_sub(1))
        .unwrap_or_default()
        .chars()
        .collect();
    let upto = at.column.min(line.len());
    line.get(..upto)
        .and_then(|chars| chars.iter().rposition(|c| *c == indicator))
        .map_or(at, |i| Position {
            line: at.line,
            column: i + 1,
        })
}

/// Why a plain scalar that reads as a number cannot be read exactly, if it cannot.
pub(crate) fn number_problem(literal: &str) -> Option<String> {
    let unsigned = literal.strip_prefix(['-', '+']).unwrap_or(literal);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let numeric = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !numeric {
        return None;
    }
    let digits: String = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    let places = i64::try_from(fraction.trim_end_matches('0').len()).unwrap_or(i64::MAX) - exponent;
    let scale = i64::from(crate::decimal::SCALE_DIGITS);
    (significant > MAX_SIGNIFICANT_DIGITS || places > scale).then(|| {
        format!(
            "`{literal}` has more digits than a number here can hold (at most {MAX_SIGNIFICANT_DIGITS} significant digits and {scale} decimal places): if it is text, quote it"
        )
    })
}

/// A scanner's message, with a hint where the character at fault (or the
/// one before, where a scanner points past it) is a tab.
pub(crate) fn with_hint(text: &str, at: Position, message: &str) -> String {
    let line: Vec<char> = text
        .lines()
        .nth(at.line.saturating_sub(1))
        .unwrap_or_default()
        .chars()
        .collect();
    let near = |column: usize| column.checked_sub(1).and_then(|i| line.get(i)).copied();
    if near(at.column) == Some('\t') || near(at.column.saturating_sub(1)) == Some('\t') {
        format!("{message}: a tab; YAML is indented with spaces, never tabs")
    } else {
        message.to_owned()
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
        let mut located = Located::from_parser(path, position, &inner.to_string());
        if let Some(at) = position {
            located.message = with_hint(text, at, &located.message);
        }
        // libyaml's reader refuses a control character by its byte offset
        // and places the error at 1:1: give its line and column instead.
        if let Some(offset) = located
            .message
            .strip_prefix("control characters are not allowed at position ")
            .and_then(|n| n.parse::<usize>().ok())
        {
            let before = text.get(..offset.min(text.len())).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let found = text.get(offset..).and_then(|t| t.chars().next()).map(u32::from).unwrap_or(0);
            located.position = Some(Position { line, column });
            located.message = format!(
                "a control character (U+{found:04X}) is not allowed in YAML text: write it escaped in a double-quoted string, or leave it out"
            );
        }
        if let Some(key) = located
            .message
            .strip_prefix("duplicate field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            // serde names the duplicate but not where: find the key's second
            // occurrence in the mapping at the error's path.
            if let Some(second) = second_key(text, &located.path, key) {
                located.position = Some(second);
                located.message = format!("duplicate field `{key}`: each field is given once");
            }
        }
        located
    })
}

/// Where `key` is given a second time in the mapping at `path` (a field
/// path as messages write it), found by walking the document's events.
fn second_key(text: &str, path: &str, key: &str) -> Option<Position> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut tracker = Tracker::default();
    let mut seen = 0;
    loop {
        let (event, mark) = parser.next_token().ok()?;
        match event {
            Event::StreamEnd => return None,
            Event::Scalar(value, ..) => {
                if tracker.at_key() && value == key && tracker.path() == path {
                    seen += 1;
                    if seen == 2 {
                        return Some(Position {
                            line: mark.line(),
                            column: mark.col() + 1,
                        });
                    }
                }
                tracker.scalar(&value);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                tracker.start(matches!(event, Event::MappingStart(..)))
            }
            Event::SequenceEnd | Event::MappingEnd => tracker.end(),
            _ => {}
        }
    }
}

/// Finds the line and column of the value at `path` in a YAML document.
pub(crate) fn locate(text: &str, path: &[PathSegment]) -> Option<Position> {
    screen(text).ok()?;
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
    // Fewer opening brackets than the limit cannot nest past it.
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

    fn refused(text: &str) -> Located {
        screen(text).expect_err("refused")
    }

    #[test]
    fn anchors_aliases_tags_and_merge_keys_are_refused_where_they_are() {
        let alias = refused("a: &x 1\nb: *x\n");
        assert_eq!(alias.position, Some(Position { line: 1, column: 4 }));
        assert!(alias.message.starts_with("anchors"), "{}", alias.message);
        assert!(refused("a: 1\nb: !!binary aGVsbG8=\n")
            .message
            .starts_with("tags"));
        assert!(refused("a:\n  <<: {b: 1}\n").message.starts_with("merge keys"));
        // With nothing else to screen for, serde_yaml refuses these itself.
        assert!(refused("a: &x 1\n---\nb: 2\n").message.starts_with("anchors"));
        assert!(refused("a: 1\n---\n&x b: 2\n")
            .message
            .starts_with("a file holds one YAML document"));
        let deep = format!(
            "x: hi!\na:{}",
            (1..40)
                .map(|i| format!("\n{}- ", "  ".repeat(i)))
                .collect::<String>()
        );
        assert!(
            refused(&deep).message.contains("nested deeper than 32"),
            "{}",
            refused(&deep).message
        );
        assert!(parse::<serde_yaml::Value>("a: 1\n---\nb: 2\n").is_err());
    }

    #[test]
    fn text_with_ampersands_and_stars_is_not_mistaken_for_anchors() {
        let text = "name: R&D *lead* engineer!\nsummary: |\n  *important* & <urgent>\n";
        assert_eq!(screen(text), Ok(()));
    }

    #[test]
    fn numbers_with_more_digits_than_they_can_hold_are_refused() {
        assert!(number_problem("1.00000000000000000001").is_some());
        assert!(number_problem("0.0000000001").is_some());
        assert!(number_problem("1e-10").is_some());
        assert_eq!(number_problem("2301.5"), None);
        assert_eq!(number_problem("1e2"), None);
        assert_eq!(number_problem("PE/CIVIL/12345"), None);
        assert!(refused("fte: 1.00000000000000000001\n")
            .message
            .contains("more digits"));
    }

    #[test]
    fn a_tab_is_named_as_such() {
        let message = with_hint(
            "a:\n\tb: 1\n",
            Position { line: 2, column: 1 },
            "found character that cannot start any token",
        );
        assert!(
            message.ends_with("YAML is indented with spaces, never tabs"),
            "{message}"
        );
    }

    #[test]
    fn a_duplicate_field_is_found_at_its_second_occurrence() {
        let text = "id: A\napplicant:\n  name: X\n  name: Y\n";
        assert_eq!(
            second_key(text, "applicant", "name"),
            Some(Position { line: 4, column: 3 })
        );
        assert_eq!(
            second_key("id: A\nid: B\n", ".", "id"),
            Some(Position { line: 2, column: 1 })
        );
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let many = "[".repeat(MAX_FLOW_DEPTH + 1);
        let text = format!("a: \"{many}\"\nb: '{many}'\n# {many}\nc: [1, [2]]\n");
        assert_eq!(check_flow_depth(&text), Ok(()));
    }
}
