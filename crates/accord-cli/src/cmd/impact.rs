//! `accord impact`: the impact use case, written as a text report (counts,
//! then the changed applications) or as JSON Lines (one record per changed
//! application, counts on stderr).

use std::io::Write as _;
use std::path::Path;

use accord_app::contract::{Decision, ErrorRecord};
use accord_app::impact::{self, Change, Item, Options, Tally};
use accord_core::rules::clause_order;
use accord_core::{load_dir, RuleSet};
use accord_eval::CriterionResult;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{ImpactArgs, ImpactFormat};
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;
use crate::output::Output;
use crate::render;

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
    changed_clauses: &'a [String],
    clauses: Vec<ClauseChange>,
    before: Decision<'a>,
    after: Decision<'a>,
}

/// Runs the comparison; exit 0 when every file was assessed, 1 when some were rejected.
pub fn run(args: &ImpactArgs, context: &super::Context) -> Result<Exit, CliError> {
    let old = load_dir(&args.old)?;
    let new = load_dir(&args.new)?;
    let cancel = super::interruptible();
    let mut output = Output::open(args.output.as_deref())?;
    let mut listed: Vec<String> = Vec::new();
    let progress = super::progress_bar(context);
    let options = Options {
        old: &old,
        new: &new,
        paths: &args.paths,
        as_of: args.as_of,
        jobs: super::jobs(args.jobs),
    };
    let run = impact::run(&options, cancel, |item| {
        progress.inc(1);
        match (item, args.format) {
            (Item::Unchanged | Item::Skipped, _) => Ok::<(), CliError>(()),
            (Item::Changed(change), ImpactFormat::Jsonl) => {
                output.write_all(json_line(&change).as_bytes())?;
                output.write_all(b"\n")?;
                Ok(())
            }
            (Item::Changed(change), ImpactFormat::Text) => {
                listed.extend(text_entry(&change));
                Ok(())
            }
            (Item::Rejected { file, message }, ImpactFormat::Jsonl) => {
                output.write_all(
                    ErrorRecord {
                        file: &file,
                        error: &message,
                    }
                    .to_line()
                    .as_bytes(),
                )?;
                output.write_all(b"\n")?;
                Ok(())
            }
            (Item::Rejected { file, message }, ImpactFormat::Text) => {
                listed.push(format!("{file}: error: {message}"));
                Ok(())
            }
        }
    });
    progress.finish_and_clear();
    let tally = run?;
    if super::interrupted() {
        return Ok(Exit::Interrupted);
    }
    if args.format == ImpactFormat::Text {
        output.write_all(report(&tally, &listed, &args.old, &args.new, &old, &new).as_bytes())?;
    } else if !context.quiet {
        let mut counts = Lines::new();
        report_counts(&mut counts, &tally, &old, &new);
        say_part!("{}", counts.finish());
    }
    crate::output::ignore_closed_pipe(output.commit())?;
    Ok(Exit::from_ok(tally.rejected == 0))
}

fn criterion_json(decision: &Value, clause: &str) -> Option<Value> {
    decision
        .get("criteria")?
        .as_array()?
        .iter()
        .find(|c| c.get("clause").and_then(Value::as_str) == Some(clause))
        .cloned()
}

fn json_line(change: &Change) -> String {
    let (before, after) = (Decision::from(&*change.before), Decision::from(&*change.after));
    let (bv, av) = (
        serde_json::to_value(&before).unwrap_or(Value::Null),
        serde_json::to_value(&after).unwrap_or(Value::Null),
    );
    let record = ImpactJson {
        application: &change.after.application,
        file: &change.file,
        outcome_before: change.before.outcome.as_str(),
        outcome_after: change.after.outcome.as_str(),
        changed_clauses: &change.changed_clauses,
        clauses: change
            .changed_clauses
            .iter()
            .map(|c| ClauseChange {
                clause: c.clone(),
                before: criterion_json(&bv, c),
                after: criterion_json(&av, c),
            })
            .collect(),
        before,
        after,
    };
    serde_json::to_string(&record).unwrap_or_default()
}

/// The lines of one changed application: the application, then each
/// changed clause as `3.3: met -> met_with_M2` (the statuses as the CSV
/// writes them, so a clause gaining or losing a measure reads as a
/// change, never `met -> met`), with each side's explanation below it.
fn text_entry(change: &Change) -> Vec<String> {
    let (from, to) = (change.before.outcome.as_str(), change.after.outcome.as_str());
    let outcome = if from == to {
        format!("still {to}")
    } else {
        format!("{from} -> {to}")
    };
    let mut lines = vec![format!(
        "{} ({}): {outcome}",
        change.after.application, change.file
    )];
    for clause in &change.changed_clauses {
        fn side<'d>(d: &'d accord_eval::Decision, clause: &str) -> Option<&'d CriterionResult> {
            d.criteria.iter().find(|c| c.clause == clause)
        }
        let (before, after) = (side(&change.before, clause), side(&change.after, clause));
        let status =
            |c: Option<&CriterionResult>| c.map_or_else(|| "not evaluated".to_owned(), render::status_token);
        lines.push(format!("  {clause}: {} -> {}", status(before), status(after)));
        for (label, c) in [("before", before), ("after", after)] {
            if let Some(c) = c {
                lines.push(format!("    {label}: {}", c.detail));
            }
        }
    }
    lines
}

fn report_counts(out: &mut Lines, tally: &Tally, old: &RuleSet, new: &RuleSet) {
    out.line(format!("old rules {}", old.fingerprint()));
    out.line(format!("new rules {}", new.fingerprint()));
    let changed: u64 = tally.transitions.values().sum();
    // A decision whose clauses change but whose outcome stays is changed,
    // but it is no transition of outcome.
    let same_outcome: u64 = tally
        .transitions
        .iter()
        .filter(|((from, to), _)| from == to)
        .map(|(_, n)| n)
        .sum();
    out.line(format!(
        "files seen {}: compared {}, changed {changed}, unchanged {}, rejected {}, skipped {} (of the changed: outcome {}, clauses only {same_outcome})",
        tally.files_seen,
        tally.compared,
        tally.unchanged,
        tally.rejected,
        tally.skipped,
        changed - same_outcome,
    ));
    out.line("outcome transitions");
    let transitions: Vec<_> = tally
        .transitions
        .iter()
        .filter(|((from, to), _)| from != to)
        .collect();
    if transitions.is_empty() {
        out.line("  none");
    }
    for ((from, to), n) in transitions {
        out.line(format!("  {from} -> {to}: {n}"));
    }
    if same_outcome > 0 {
        out.line(format!("  same outcome, clauses changed: {same_outcome}"));
    }
    out.line("changed clauses");
    if tally.clauses.is_empty() {
        out.line("  none");
    }
    let mut clauses: Vec<(&String, &u64)> = tally.clauses.iter().collect();
    clauses.sort_by(|a, b| clause_order(a.0, b.0));
    for (clause, n) in clauses {
        out.line(format!("  {clause}: {n}"));
    }
}

fn report(
    tally: &Tally,
    listed: &[String],
    old_dir: &Path,
    new_dir: &Path,
    old: &RuleSet,
    new: &RuleSet,
) -> String {
    let mut out = Lines::new();
    out.line(format!(
        "impact of {} -> {}",
        old_dir.display(),
        new_dir.display()
    ));
    report_counts(&mut out, tally, old, new);
    if !listed.is_empty() {
        out.line("changed applications");
        for line in listed {
            out.line(format!("  {line}"));
        }
    }
    out.finish()
}
