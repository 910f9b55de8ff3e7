//! Impact of a rule change: every application assessed under an old and a
//! new rule set, in parallel and streaming like a batch (same walk, same
//! error messages, same duplicate-id rule), and those whose outcome or any
//! clause differs handed on. Unchanged applications are counted, not kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use accord_core::rules::clause_order;
use accord_core::{Date, RuleSet};
use accord_eval::{Decision, Status};

use crate::decide::decide_file;
use crate::ids::Ids;
use crate::pipeline;
use crate::walk::{walk, Found};

/// What to compare.
pub struct Options<'a> {
    /// The rule set before the change.
    pub old: &'a RuleSet,
    /// The rule set after it.
    pub new: &'a RuleSet,
    /// Files, or directories walked recursively.
    pub paths: &'a [PathBuf],
    /// One assessment date for every application, instead of each one's `applied_on`.
    pub as_of: Option<Date>,
    /// Worker threads.
    pub jobs: usize,
}

/// An application whose decision the change alters.
pub struct Change {
    /// Its file.
    pub file: String,
    /// Its decision under the old rules.
    pub before: Box<Decision>,
    /// And under the new.
    pub after: Box<Decision>,
    /// The clauses whose status or measure differs, in clause order.
    pub changed_clauses: Vec<String>,
}

/// What the caller receives for each file, in sorted path order.
pub enum Item {
    /// A changed application.
    Changed(Change),
    /// An application the change does not alter.
    Unchanged,
    /// A file that could not be compared.
    Rejected {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// Not an application file.
    Skipped,
}

/// Counts for the report.
#[derive(Debug, Default)]
pub struct Tally {
    /// Files found.
    pub files_seen: u64,
    /// Applications assessed under both rule sets.
    pub compared: u64,
    /// Of those, how many the change does not alter.
    pub unchanged: u64,
    /// Files that could not be compared.
    pub rejected: u64,
    /// Files that are not applications.
    pub skipped: u64,
    /// `(before, after)` outcome pairs of the changed applications.
    pub transitions: BTreeMap<(String, String), u64>,
    /// Changed applications by clause.
    pub clauses: BTreeMap<String, u64>,
}

enum Assessed {
    Both {
        file: String,
        before: Box<Decision>,
        after: Box<Decision>,
    },
    Rejected {
        file: String,
        message: String,
    },
    Skipped,
}

/// Compares every application under both rule sets; `sink` receives each
/// file's item in order. Stops early when `cancel` is set.
pub fn run<E>(
    options: &Options<'_>,
    cancel: &AtomicBool,
    mut sink: impl FnMut(Item) -> Result<(), E>,
) -> Result<Tally, E> {
    let mut tally = Tally::default();
    let mut ids = Ids::new();
    pipeline::ordered(
        walk(options.paths),
        options.jobs,
        cancel,
        |found| assess_both(found, options),
        |assessed| {
            tally.files_seen += 1;
            let item = classify(assessed, &mut ids, &mut tally);
            sink(item)
        },
    )?;
    Ok(tally)
}

fn assess_both(found: Found, options: &Options<'_>) -> Assessed {
    let path = match found {
        Found::Skipped => return Assessed::Skipped,
        Found::Error { path, message } => {
            return Assessed::Rejected {
                file: path.display().to_string(),
                message,
            }
        }
        Found::File(path) => path,
    };
    let file = path.display().to_string();
    // An application may use a code one rule set defines and the other does
    // not: it cannot be compared, and the message says under which rules.
    match (
        decide_file(options.old, &path, options.as_of),
        decide_file(options.new, &path, options.as_of),
    ) {
        (Ok(before), Ok(after)) => Assessed::Both {
            file,
            before: Box::new(before),
            after: Box::new(after),
        },
        (Err(err), Ok(_)) => Assessed::Rejected {
            file,
            message: format!("under the old rules: {err}"),
        },
        (Ok(_), Err(err)) => Assessed::Rejected {
            file,
            message: format!("under the new rules: {err}"),
        },
        (Err(err), Err(_)) => Assessed::Rejected {
            file,
            message: err.to_string(),
        },
    }
}

fn classify(assessed: Assessed, ids: &mut Ids, tally: &mut Tally) -> Item {
    let (file, before, after) = match assessed {
        Assessed::Skipped => {
            tally.skipped += 1;
            return Item::Skipped;
        }
        Assessed::Rejected { file, message } => {
            tally.rejected += 1;
            return Item::Rejected { file, message };
        }
        Assessed::Both { file, before, after } => (file, before, after),
    };
    if let Err(message) = ids.claim(&file, &after.application) {
        tally.rejected += 1;
        return Item::Rejected { file, message };
    }
    tally.compared += 1;
    let changed = changed_clauses(&before, &after);
    if changed.is_empty() && before.outcome == after.outcome {
        tally.unchanged += 1;
        return Item::Unchanged;
    }
    let key = (
        before.outcome.as_str().to_owned(),
        after.outcome.as_str().to_owned(),
    );
    *tally.transitions.entry(key).or_default() += 1;
    for clause in &changed {
        *tally.clauses.entry(clause.clone()).or_default() += 1;
    }
    Item::Changed(Change {
        file,
        before,
        after,
        changed_clauses: changed,
    })
}

/// Clauses whose status differs, or whose measure does (met either way, but
/// with a compensation measure on one side only), or that one side
/// evaluated and the other did not.
pub fn changed_clauses(before: &Decision, after: &Decision) -> Vec<String> {
    fn status<'d>(d: &'d Decision, clause: &str) -> Option<(Status, Option<&'d str>)> {
        d.criteria
            .iter()
            .find(|c| c.clause == clause)
            .map(|c| (c.status, c.measure.as_deref()))
    }
    let mut clauses: Vec<&str> = before
        .criteria
        .iter()
        .chain(&after.criteria)
        .map(|c| c.clause.as_str())
        .collect();
    clauses.sort_by(|a, b| clause_order(a, b));
    clauses.dedup();
    clauses
        .into_iter()
        .filter(|c| status(before, c) != status(after, c))
        .map(str::to_owned)
        .collect()
}
