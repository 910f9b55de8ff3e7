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
    fn colour_wraps_escaped_parts_and_never_comes_from_the_text() {
        let mut plain = Lines::new();
        plain.painted(&[(Some(Paint::Red), "NOT MET"), (None, " \u{1b}[32m")]);
        assert_eq!(plain.finish(), "NOT MET \\u{1b}[32m\n");
        let mut coloured = Lines::coloured(true);
        coloured.painted(&[(Some(Paint::Red), "NOT\u{1b}"), (None, " x")]);
        assert_eq!(coloured.finish(), "\u{1b}[1;31mNOT\\u{1b}\u{1b}[0m x\n");
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
/// break or recolour the report, whatever the field holds. Colour, when
/// asked for, is added by the report itself around escaped parts
/// ([`Lines::painted`]), never taken from the text.
#[derive(Debug, Default)]
pub struct Lines {
    text: String,
    colour: bool,
}

/// A colour for part of a line (an ANSI SGR code), shown only in a
/// coloured report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Met, granted.
    Green,
    /// Met with a measure, unknown, conditional.
    Yellow,
    /// Not met, refused.
    Red,
    /// Incomplete.
    Magenta,
    /// Headings.
    Bold,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Green => "1;32",
            Paint::Yellow => "1;33",
            Paint::Red => "1;31",
            Paint::Magenta => "1;35",
            Paint::Bold => "1",
        }
    }
}

impl Lines {
    /// An empty report.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// An empty report, coloured when `colour` is set.
    pub fn coloured(colour: bool) -> Lines {
        Lines {
            text: String::new(),
            colour,
        }
    }

    /// Adds one line (escaped) and its line break.
    pub fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(&text(line.as_ref()));
        self.text.push('\n');
    }

    /// Adds one line made of parts, each escaped, those with a paint
    /// coloured when the report is.
    pub fn painted(&mut self, parts: &[(Option<Paint>, &str)]) {
        for (paint, part) in parts {
            match paint.filter(|_| self.colour) {
                Some(paint) => {
                    let _ = write!(self.text, "\u{1b}[{}m{}\u{1b}[0m", paint.code(), text(part));
                }
                None => self.text.push_str(&text(part)),
            }
        }
        self.text.push('\n');
    }

    /// Adds an empty line.
    pub fn blank(&mut self) {
        self.text.push('\n');
    }

    /// The report.
    pub fn finish(self) -> String {
        self.text
    }
}
