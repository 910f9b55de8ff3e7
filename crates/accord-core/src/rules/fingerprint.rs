//! The rule-set fingerprint: sha256 over a canonical serialisation.
//!
//! The loaded rule set is already canonical (sorted where order has no
//! meaning, prose whitespace-normalised, comments and layout gone), so its
//! compact JSON form changes exactly when its meaning does.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::model::{Agreement, Body, Discipline, RuleSetHeader, Schedule};
use super::RuleSet;

/// `sha256:` followed by 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Serialize)]
struct Canonical<'a> {
    format: u32,
    ruleset: &'a RuleSetHeader,
    bodies: Vec<&'a Body>,
    disciplines: Vec<&'a Discipline>,
    schedules: Vec<&'a Schedule>,
    agreements: &'a [Agreement],
}

/// The canonical serialisation of `rules`, as hashed.
pub(crate) fn canonical_bytes(rules: &RuleSet) -> Vec<u8> {
    let canonical = Canonical {
        format: 1,
        ruleset: &rules.header,
        bodies: rules.bodies.values().collect(),
        disciplines: rules.disciplines.values().collect(),
        schedules: rules.schedules.values().collect(),
        agreements: &rules.agreements,
    };
    serde_json::to_vec(&canonical).unwrap_or_default()
}

pub(crate) fn fingerprint(rules: &RuleSet) -> Fingerprint {
    let digest = Sha256::digest(canonical_bytes(rules));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Fingerprint(format!("sha256:{hex}"))
}
