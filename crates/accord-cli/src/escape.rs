//! Output that cannot be turned against its reader.
//!
//! - Text for a terminal: every control character (C0, DEL, C1) and every
//!   bidirectional-text control is shown escaped (`\n`, `\u{1b}`), so a
//!   line break in an id cannot forge a line, an escape sequence cannot
//!   recolour or clear the screen, and reordering cannot hide text.
//! - CSV for a spreadsheet: a cell that begins with `=`, `+`, `-`, `@`, a
//!   tab or a carriage return would be read as a formula; it is prefixed
//!   with `'`, as OWASP recommends (CSV Injection), so it is shown as text.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as itself.
fn dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every dangerous character escaped; unchanged (and not
/// copied) when there is none, as for nearly all text.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell a spreadsheet shows as text, never runs as a formula.
pub fn cell(value: &str) -> Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_line_and_an_escape_sequence_are_shown_not_obeyed() {
        assert_eq!(text("A\nAPP-1: EXPEDITED"), "A\\nAPP-1: EXPEDITED");
        assert_eq!(text("\u{1b}[2J\u{202e}abc"), "\\u{1b}[2J\\u{202e}abc");
        assert!(matches!(text("plain text, é ü"), Cow::Borrowed(_)));
    }

    #[test]
    fn formulas_become_text_and_other_cells_stay() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        assert_eq!(cell("2026-03-02"), "2026-03-02");
        assert_eq!(cell(""), "");
    }
}

/// A text report built line by line, each line escaped as it is added:
/// a renderer writing its lines through this cannot let a quoted field
/// break or recolour the report, whatever the field holds.
#[derive(Debug, Default)]
pub struct Lines(String);

impl Lines {
    /// An empty report.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Adds one line (escaped) and its line break.
    pub fn line(&mut self, line: impl AsRef<str>) {
        self.0.push_str(&text(line.as_ref()));
        self.0.push('\n');
    }

    /// Adds an empty line.
    pub fn blank(&mut self) {
        self.0.push('\n');
    }

    /// The report.
    pub fn finish(self) -> String {
        self.0
    }
}
