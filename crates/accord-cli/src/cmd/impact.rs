//! `accord impact`: every application assessed under an old and a new rule
//! set, in parallel and streaming like `batch` (same walk, same error
//! records, same duplicate-id rule), reporting those whose outcome or any
//! clause status differs. Unchanged applications are counted, not listed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use accord_core::rules::clause_order;
use accord_core::{load_dir, Date, RuleSet};
use accord_eval::{CriterionResult, Decision};
use serde::Serialize;
use serde_json::Value;

use super::batch::{default_jobs, progress_bar, EXIT_INTERRUPTED, INTERRUPTED};
use super::ids::Ids;
use crate::cli::{ImpactArgs, ImpactFormat};
use crate::contract::{DecisionJson, ErrorJson};
use crate::error::CliError;
use crate::output::Output;
use crate::pipeline;
use crate::walk::{walk, Found};

/// One file under both rule sets.
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

/// A clause whose status differs, with its result on each side.
#[derive(Serialize)]
struct ClauseChange {
    clause: String,
    before: Option<Value>,
    after: Option<Value>,
}

#[derive(Serialize)]
struct ImpactJson<'a> {
    application: &'a str,
    file: &'a str,
    outcome_before: &'static str,
    outcome_after: &'static str,
    changed_clauses: Vec<String>,
    clauses: Vec<ClauseChange>,
    before: DecisionJson<'a>,
    after: DecisionJson<'a>,
}

/// Counts for the text report.
#[derive(Default)]
struct Tally {
    files_seen: u64,
    compared: u64,
    unchanged: u64,
    rejected: u64,
    skipped: u64,
    transitions: BTreeMap<(String, String), u64>,
    clauses: BTreeMap<String, u64>,
    listed: Vec<String>,
}

/// Runs the comparison; exit 0 when every file was assessed, 1 when some were rejected.
pub fn run(args: &ImpactArgs) -> Result<ExitCode, CliError> {
    let old = load_dir(&args.old)?;
    let new = load_dir(&args.new)?;
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let jobs = args.jobs.map_or_else(default_jobs, |n| n.get());
    let mut output = Output::open(args.output.as_deref())?;
    let mut tally = Tally::default();
    let mut ids = Ids::new(&args.paths, &new);
    let progress = progress_bar();
    let run = pipeline::ordered(
        walk(&args.paths),
        jobs,
        &INTERRUPTED,
        |found| assess_both(found, &old, &new, args.as_of),
        |assessed| {
            progress.inc(1);
            let position = tally.files_seen;
            tally.files_seen += 1;
            write(assessed, position, args.format, &mut ids, &mut tally, &mut output)
        },
    );
    progress.finish_and_clear();
    run?;
    if INTERRUPTED.load(Ordering::SeqCst) {
        eprintln!("accord: interrupted; no output written");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if args.format == ImpactFormat::Text {
        output.write_all(report(&tally, &args.old, &args.new, &old, &new).as_bytes())?;
    } else {
        eprint!("{}", report_counts(&tally, &old, &new));
    }
    crate::output::ignore_closed_pipe(output.commit())?;
    Ok(ExitCode::from(u8::from(tally.rejected > 0)))
}

fn assess_both(found: Found, old: &RuleSet, new: &RuleSet, as_of: Option<Date>) -> Assessed {
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
        super::decide_file(old, &path, as_of),
        super::decide_file(new, &path, as_of),
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

/// Clauses whose status differs, or whose measure does (met either way, but
/// with a compensation measure on one side only), or that one side
/// evaluated and the other did not.
fn changed_clauses(before: &Decision, after: &Decision) -> Vec<String> {
    fn status<'d>(d: &'d Decision, clause: &str) -> Option<(accord_eval::Status, Option<&'d str>)> {
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

fn criterion_json(decision: &Value, clause: &str) -> Option<Value> {
    decision
        .get("criteria")?
        .as_array()?
        .iter()
        .find(|c| c.get("clause").and_then(Value::as_str) == Some(clause))
        .cloned()
}

fn write(
    assessed: Assessed,
    position: u64,
    format: ImpactFormat,
    ids: &mut Ids<'_>,
    tally: &mut Tally,
    output: &mut Output,
) -> Result<(), CliError> {
    let (file, before, after) = match assessed {
        Assessed::Skipped => {
            tally.skipped += 1;
            return Ok(());
        }
        Assessed::Rejected { file, message } => return reject(&file, &message, format, tally, output),
        Assessed::Both { file, before, after } => (file, before, after),
    };
    if let Some(message) = ids.duplicate(&file, &after.application) {
        return reject(&file, &message, format, tally, output);
    }
    ids.record(&after.application, position);
    tally.compared += 1;
    let changed = changed_clauses(&before, &after);
    if changed.is_empty() && before.outcome == after.outcome {
        tally.unchanged += 1;
        return Ok(());
    }
    let (from, to) = (before.outcome.as_str(), after.outcome.as_str());
    *tally
        .transitions
        .entry((from.to_owned(), to.to_owned()))
        .or_default() += 1;
    for clause in &changed {
        *tally.clauses.entry(clause.clone()).or_default() += 1;
    }
    match format {
        ImpactFormat::Jsonl => {
            let (b, a) = (DecisionJson::from(&*before), DecisionJson::from(&*after));
            let (bv, av) = (
                serde_json::to_value(&b).unwrap_or(Value::Null),
                serde_json::to_value(&a).unwrap_or(Value::Null),
            );
            let record = ImpactJson {
                application: &after.application,
                file: &file,
                outcome_before: from,
                outcome_after: to,
                clauses: changed
                    .iter()
                    .map(|c| ClauseChange {
                        clause: c.clone(),
                        before: criterion_json(&bv, c),
                        after: criterion_json(&av, c),
                    })
                    .collect(),
                changed_clauses: changed,
                before: b,
                after: a,
            };
            let line = serde_json::to_string(&record).unwrap_or_default();
            output.write_all(line.as_bytes())?;
            output.write_all(b"\n")?;
        }
        ImpactFormat::Text => {
            let mut line = format!("{} ({file}): {from} -> {to}", after.application);
            for clause in &changed {
                let side = |d: &Decision| {
                    d.criteria
                        .iter()
                        .find(|c| &c.clause == clause)
                        .map_or_else(|| "not evaluated".to_owned(), describe)
                };
                let _ = write!(line, "\n    {clause}: {} -> {}", side(&before), side(&after));
            }
            tally.listed.push(line);
        }
    }
    Ok(())
}

fn describe(c: &CriterionResult) -> String {
    format!("{} ({})", c.status.as_str(), c.detail)
}

fn reject(
    file: &str,
    message: &str,
    format: ImpactFormat,
    tally: &mut Tally,
    output: &mut Output,
) -> Result<(), CliError> {
    tally.rejected += 1;
    match format {
        ImpactFormat::Jsonl => {
            output.write_all(ErrorJson { file, error: message }.to_line().as_bytes())?;
            output.write_all(b"\n")?;
        }
        ImpactFormat::Text => tally.listed.push(format!("{file}: error: {message}")),
    }
    Ok(())
}

fn report_counts(tally: &Tally, old: &RuleSet, new: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "old rules {}", old.fingerprint());
    let _ = writeln!(out, "new rules {}", new.fingerprint());
    let changed: u64 = tally.transitions.values().sum();
    let _ = writeln!(
        out,
        "files seen {}: compared {}, changed {changed}, unchanged {}, rejected {}, skipped {}",
        tally.files_seen, tally.compared, tally.unchanged, tally.rejected, tally.skipped
    );
    let _ = writeln!(out, "outcome transitions");
    if tally.transitions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for ((from, to), n) in &tally.transitions {
        let _ = writeln!(out, "  {from} -> {to}: {n}");
    }
    let _ = writeln!(out, "changed clauses");
    if tally.clauses.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let mut clauses: Vec<(&String, &u64)> = tally.clauses.iter().collect();
    clauses.sort_by(|a, b| clause_order(a.0, b.0));
    for (clause, n) in clauses {
        let _ = writeln!(out, "  {clause}: {n}");
    }
    out
}

fn report(tally: &Tally, old_dir: &Path, new_dir: &Path, old: &RuleSet, new: &RuleSet) -> String {
    let mut out = format!("impact of {} -> {}\n", old_dir.display(), new_dir.display());
    out.push_str(&report_counts(tally, old, new));
    if !tally.listed.is_empty() {
        let _ = writeln!(out, "changed applications");
        for line in &tally.listed {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}
