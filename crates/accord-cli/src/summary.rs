//! The end-of-run summary of `batch`: counts by outcome and by clause,
//! throughput, and with `--compare` the outcome transitions and the
//! applications that are new or gone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// Counts gathered as records are written.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Files found (decided + rejected + skipped).
    pub files_seen: u64,
    /// Files decided.
    pub decided: u64,
    /// Files rejected (error records).
    pub rejected: u64,
    /// Files skipped (other extensions, link loops).
    pub skipped: u64,
    /// Decisions by outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Decisions in which each clause was not met.
    pub not_met: BTreeMap<String, u64>,
    /// Decisions in which each clause was unknown.
    pub unknown: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// Files seen per second.
    pub files_per_second: f64,
    /// With `--compare`: the comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Comparison>,
}

/// How this run compares with a previous one.
#[derive(Debug, Default, Serialize)]
pub struct Comparison {
    /// The previous output compared with.
    pub previous: String,
    /// `previous -> current` outcome changes and their counts.
    pub transitions: BTreeMap<String, u64>,
    /// Decisions whose outcome did not change.
    pub unchanged: u64,
    /// Applications decided now and absent from the previous output.
    pub new: Vec<String>,
    /// Applications in the previous output and not decided now.
    pub gone: Vec<String>,
}

impl Summary {
    /// The table printed on stderr.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "files seen {:>9}", self.files_seen);
        let _ = writeln!(out, "  decided  {:>9}", self.decided);
        let _ = writeln!(out, "  rejected {:>9}", self.rejected);
        let _ = writeln!(out, "  skipped  {:>9}", self.skipped);
        let _ = writeln!(out, "outcomes");
        for outcome in accord_core::rules::model::Outcome::ALL {
            let count = self.outcomes.get(outcome.as_str()).copied().unwrap_or(0);
            let _ = writeln!(out, "  {:<12}{count:>9}", outcome.as_str());
        }
        if !self.not_met.is_empty() || !self.unknown.is_empty() {
            let _ = writeln!(out, "clauses        not met   unknown");
            let mut clauses: Vec<&String> = self.not_met.keys().chain(self.unknown.keys()).collect();
            clauses.sort_by(|a, b| accord_core::rules::clause_order(a, b));
            clauses.dedup();
            for clause in clauses {
                let n = self.not_met.get(clause).copied().unwrap_or(0);
                let u = self.unknown.get(clause).copied().unwrap_or(0);
                let _ = writeln!(out, "  {clause:<10}{n:>10}{u:>10}");
            }
        }
        if let Some(c) = &self.compare {
            let _ = writeln!(out, "compared with {}", c.previous);
            let _ = writeln!(out, "  unchanged {:>9}", c.unchanged);
            for (transition, count) in &c.transitions {
                let _ = writeln!(out, "  {transition}: {count}");
            }
            let _ = writeln!(out, "  new {}: {}", c.new.len(), c.new.join(", "));
            let _ = writeln!(out, "  gone {}: {}", c.gone.len(), c.gone.join(", "));
        }
        let _ = writeln!(
            out,
            "elapsed {:.3} s, {:.0} files/s",
            self.elapsed_seconds, self.files_per_second
        );
        out
    }
}
