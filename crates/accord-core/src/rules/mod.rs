//! Rule sets: loading a directory of rule files, validating it whole, and
//! the read-only [`RuleSet`] the evaluator works from.
//!
//! Invariant: a `RuleSet` that exists is valid. Every reference resolves,
//! every dated parameter has exactly one value on each date from its
//! agreement's entry into force on, clause dependencies are acyclic, and no
//! pair of bodies has two agreements.

mod consistency;
pub mod criterion;
pub mod diff;
mod fingerprint;
mod graph;
mod load;
pub mod model;
#[cfg(test)]
mod properties;
mod validate;

use std::collections::BTreeMap;

pub use fingerprint::Fingerprint;
pub use graph::RecognitionGraph;
pub use load::{load_dir, read_text, text_of, Source, TESTS_DIR};
use model::{Agreement, Body, Discipline, Parameter, RuleSetHeader, Schedule};

use crate::date::Date;
use crate::decimal::Decimal;

/// A loaded, validated rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    header: RuleSetHeader,
    bodies: BTreeMap<String, Body>,
    disciplines: BTreeMap<String, Discipline>,
    schedules: BTreeMap<String, Schedule>,
    agreements: Vec<Agreement>,
    recognition: RecognitionGraph,
    fingerprint: Fingerprint,
    files: Vec<std::path::PathBuf>,
    sources: Vec<Source>,
    warnings: Vec<crate::Diagnostic>,
}

impl RuleSet {
    /// Identity and settings.
    pub fn header(&self) -> &RuleSetHeader {
        &self.header
    }

    /// Bodies by code.
    pub fn bodies(&self) -> &BTreeMap<String, Body> {
        &self.bodies
    }

    /// Disciplines by code.
    pub fn disciplines(&self) -> &BTreeMap<String, Discipline> {
        &self.disciplines
    }

    /// Schedules by id.
    pub fn schedules(&self) -> &BTreeMap<String, Schedule> {
        &self.schedules
    }

    /// Agreements, sorted by id.
    pub fn agreements(&self) -> &[Agreement] {
        &self.agreements
    }

    /// The agreement that directly covers `home` → `host`, if any.
    /// Recognition is never transitive: only a direct agreement counts.
    pub fn agreement_between(&self, home: &str, host: &str) -> Option<&Agreement> {
        let index = self.recognition.direct(home, host)?;
        self.agreements.get(index)
    }

    /// The canonical fingerprint, `sha256:` + 64 hex digits.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// The files the rule set was read from, in sorted order.
    pub fn files(&self) -> &[std::path::PathBuf] {
        &self.files
    }

    /// The texts it was read from (none for a set built from models):
    /// what a register keeps, so that a decision can be re-derived years
    /// later under exactly the rules it was made with.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// What loads but is probably a mistake (`accord check` shows these):
    /// clause texts that contradict their parameters, parameters and
    /// measures nothing uses, unreachable precedence steps, clauses neither
    /// evaluated nor cited.
    pub fn warnings(&self) -> &[crate::Diagnostic] {
        &self.warnings
    }

    /// Whether `code` is a known body with a credential `credential`.
    pub fn has_credential(&self, body: &str, credential: &str) -> bool {
        self.bodies
            .get(body)
            .is_some_and(|b| b.credentials.iter().any(|c| c.code == credential))
    }
}

impl Agreement {
    /// The parameter `id`.
    pub fn parameter(&self, id: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.id == id)
    }

    /// The clause numbered `number`.
    pub fn clause(&self, number: &str) -> Option<&model::Clause> {
        self.clauses.iter().find(|c| c.clause == number)
    }

    /// Clauses in dependency order, each after the clauses it depends on
    /// (ties in clause order), with its position in clause order.
    pub fn evaluation_order(&self) -> impl Iterator<Item = (usize, &model::Clause)> {
        self.evaluation_order
            .iter()
            .filter_map(|i| self.clauses.get(*i).map(|c| (*i, c)))
    }

    /// The measure `id`.
    pub fn measure(&self, id: &str) -> Option<&model::Measure> {
        self.measures.iter().find(|m| m.id == id)
    }
}

impl Parameter {
    /// The period in force on `date`, if any.
    pub fn period_on(&self, date: Date) -> Option<&model::ParameterPeriod> {
        self.periods
            .iter()
            .find(|p| p.from <= date && p.to.is_none_or(|to| date <= to))
    }

    /// The value in force on `date`, if any.
    pub fn value_on(&self, date: Date) -> Option<Decimal> {
        self.period_on(date).map(|p| p.value)
    }
}

/// Orders clause numbers as people read them: `2.10` after `2.9`, `3.2` before `3.10`.
pub fn clause_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', ' '])
            .map(|part| match part.parse::<u64>() {
                Ok(n) => (n, String::new()),
                Err(_) => (u64::MAX, part.to_owned()),
            })
            .collect()
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::clause_order;
    use std::cmp::Ordering;

    #[test]
    fn clause_numbers_sort_numerically() {
        assert_eq!(clause_order("3.10", "3.9"), Ordering::Greater);
        assert_eq!(clause_order("2.3", "3.1"), Ordering::Less);
        assert_eq!(clause_order("S.1", "S.2"), Ordering::Less);
    }
}
