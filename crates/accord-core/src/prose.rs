//! Human text in rule files (titles, clause texts, descriptions).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Text whose whitespace is normalised on reading: runs of spaces and line
/// breaks become one space. A folded or literal YAML block, or a re-wrapped
/// paragraph, is the same prose, so formatting never changes the fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(transparent)]
pub struct Prose(String);

impl Prose {
    /// Normalises `text`.
    pub fn new(text: &str) -> Prose {
        Prose(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Prose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Prose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Prose, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Prose::new(&text))
    }
}

/// `a`, `a and b`, `a, b and c`: a list as a sentence writes it.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

/// `a`, `a or b`, `a, b or c`: a list of alternatives as a sentence writes it.
pub fn or_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} or {}",
            init.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

/// `clause 3.7`, `any of clauses 3.5 or 3.7`: clause numbers of which one
/// is enough (a condition that holds when any of them is not met), never
/// read as all of them.
pub fn any_clause<S: AsRef<str>>(numbers: &[S]) -> String {
    match numbers {
        [one] => format!("clause {}", one.as_ref()),
        many => format!("any of clauses {}", or_list(many)),
    }
}

/// `clause 3.5`, `clauses 3.5 and 3.7`: clause numbers with their noun.
pub fn clauses<S: AsRef<str>>(numbers: &[S]) -> String {
    let noun = if numbers.len() == 1 { "clause" } else { "clauses" };
    format!("{noun} {}", and_list(numbers))
}

/// `1 day`, `2 days`, `1.5 days`: a count with its noun, singular only for exactly one.
pub fn count(n: impl fmt::Display, singular: &str, plural: &str) -> String {
    let text = n.to_string();
    let noun = if text == "1" { singular } else { plural };
    format!("{text} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_counts_read_as_english() {
        assert_eq!(clauses(&["3.5"]), "clause 3.5");
        assert_eq!(clauses(&["3.5", "3.7"]), "clauses 3.5 and 3.7");
        assert_eq!(clauses(&["3.5", "3.6", "3.7"]), "clauses 3.5, 3.6 and 3.7");
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(any_clause(&["3.7"]), "clause 3.7");
        assert_eq!(
            any_clause(&["3.5", "3.6", "3.7"]),
            "any of clauses 3.5, 3.6 or 3.7"
        );
        assert_eq!(count(1, "day", "days"), "1 day");
        assert_eq!(count("1.5", "day", "days"), "1.5 days");
        assert_eq!(count(0, "day", "days"), "0 days");
    }

    #[test]
    fn rewrapping_does_not_change_prose() {
        assert_eq!(
            Prose::new("At least  7 years\n of counted\n"),
            Prose::new("At least 7 years of counted")
        );
    }
}
