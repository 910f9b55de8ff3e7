//! `accord diff`: what changed in meaning between two rule sets.
//! Exit status as diff(1): 0 no change of meaning, 1 changes, 2 trouble.

use accord_core::load_dir;
use accord_core::rules::diff::{diff, Change, ChangeKind};
use serde::Serialize;

use crate::cli::{DiffArgs, Format};
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;

#[derive(Serialize)]
struct Report<'a> {
    old: Side,
    new: Side,
    same_meaning: bool,
    changes: &'a [Change],
    /// The new side's consistency warnings (as `accord check` gives them).
    warnings: &'a [accord_core::Diagnostic],
}

#[derive(Serialize)]
struct Side {
    rules: String,
    fingerprint: String,
}

/// Prints the changes of meaning; exit 0, 1 or 2.
pub fn run(args: &DiffArgs) -> Result<Exit, CliError> {
    let loaded = load_dir(&args.old).and_then(|old| Ok((old, load_dir(&args.new)?)));
    let (old, new) = match loaded {
        Ok(both) => both,
        Err(err) => {
            for line in CliError::from(err).lines() {
                say!("accord: {}", crate::escape::text(&line));
            }
            return Ok(Exit::Usage);
        }
    };
    let changes = diff(&old, &new);
    let report = Report {
        old: Side {
            rules: args.old.display().to_string(),
            fingerprint: old.fingerprint().to_string(),
        },
        new: Side {
            rules: args.new.display().to_string(),
            fingerprint: new.fingerprint().to_string(),
        },
        same_meaning: changes.is_empty(),
        changes: &changes,
        warnings: new.warnings(),
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        Format::Text => text(&report),
    };
    if args.format == Format::Text {
        for warning in new.warnings() {
            say!("{}", crate::escape::text(&format!("new side: {warning}")));
        }
    }
    if let Err(err) = super::print(&text) {
        say!("accord: {}", crate::escape::text(&err.to_string()));
        return Ok(Exit::Usage);
    }
    Ok(Exit::from_ok(changes.is_empty()))
}

fn text(report: &Report<'_>) -> String {
    let mut out = Lines::new();
    out.line(format!("old {} {}", report.old.rules, report.old.fingerprint));
    out.line(format!("new {} {}", report.new.rules, report.new.fingerprint));
    if report.changes.is_empty() {
        out.line("no change of meaning");
        return out.finish();
    }
    let n = report.changes.len();
    out.line(format!("{n} change{} of meaning", if n == 1 { "" } else { "s" }));
    for change in report.changes {
        let mark = match change.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        };
        out.line(format!("  {mark} {}", change.summary));
        for field in change
            .fields
            .iter()
            .filter(|f| *f == "text" || *f == "description")
        {
            let side = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .and_then(|v| v.get(field.as_str()))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            out.line(format!("      was: {}", side(&change.before)));
            out.line(format!("      now: {}", side(&change.after)));
        }
    }
    out.finish()
}
