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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrapping_does_not_change_prose() {
        assert_eq!(
            Prose::new("At least  7 years\n of counted\n"),
            Prose::new("At least 7 years of counted")
        );
    }
}
