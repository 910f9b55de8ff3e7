//! `accord case`: the case register's use cases, rendered for a person or as JSON.

use accord_app::case::{self, CaseView, Which};
use accord_core::load_dir;
use accord_register::{Access, Register};

use crate::cli::{CaseCommand, ReadFormat, ShowFormat};
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;

use super::Context;

/// Runs a case command.
pub fn run(command: &CaseCommand, context: &Context) -> Result<Exit, CliError> {
    let by = context.actor.as_deref();
    let writing = || Register::open(&context.db, Access::Write);
    let reading = || Register::open(&context.db, Access::Read);
    let text = match command {
        CaseCommand::Open {
            rules,
            received,
            file,
        } => {
            let rules = load_dir(&rules.rules)?;
            let entry = case::open(&mut writing()?, by, &rules, case::read_file(file)?, *received)?;
            format!(
                "opened case {} (version 1, received {}, {}): ledger entry {}\n",
                escape::text(entry.case_id.as_deref().unwrap_or_default()),
                entry.on.map(|d| d.to_string()).unwrap_or_default(),
                entry.input_sha256.as_deref().unwrap_or_default(),
                entry.seq
            )
        }
        CaseCommand::Acknowledge { id, on } => {
            let entry = case::acknowledge(&mut writing()?, by, id, *on)?;
            format!(
                "case {} acknowledged on {}: ledger entry {}\n",
                escape::text(id),
                entry.on.map(|d| d.to_string()).unwrap_or_default(),
                entry.seq
            )
        }
        CaseCommand::Evidence {
            rules,
            id,
            file,
            received,
        } => {
            let rules = load_dir(&rules.rules)?;
            let (number, entry) =
                case::evidence(&mut writing()?, by, &rules, id, case::read_file(file)?, *received)?;
            let voided = serde_json::from_str::<serde_json::Value>(&entry.detail)
                .ok()
                .and_then(|d| d.get("voids").and_then(serde_json::Value::as_i64))
                .map(|n| format!("; the proposal of entry {n} is void"))
                .unwrap_or_default();
            format!(
                "case {}: version {number} received {} ({}): ledger entry {}{voided}\n",
                escape::text(id),
                entry.on.map(|d| d.to_string()).unwrap_or_default(),
                entry.input_sha256.as_deref().unwrap_or_default(),
                entry.seq
            )
        }
        CaseCommand::Assess { rules, id, as_of, on } => {
            let rules = load_dir(&rules.rules)?;
            let mut register = writing()?;
            let assessed = case::assess(&mut register, by, &rules, id, *as_of, *on)?;
            let mut out = crate::render::explained(
                &assessed.decision,
                None,
                &assessed.explanation,
                crate::render::colour_wanted(),
            );
            out.push_str(&format!(
                "\nRecorded on {} as ledger entry {} ({}) by {}: {}\n",
                assessed.on,
                assessed.entry.seq,
                assessed.entry.hash,
                escape::text(assessed.entry.actor.as_deref().unwrap_or_default()),
                assessed.effect_text
            ));
            out
        }
        CaseCommand::Confirm { id, on } => {
            let entry = case::confirm(&mut writing()?, by, id, *on)?;
            format!(
                "case {}: decision confirmed on {}, in effect; the case is closed (ledger entry {})\n",
                escape::text(id),
                entry.on.map(|d| d.to_string()).unwrap_or_default(),
                entry.seq
            )
        }
        CaseCommand::RequestReview { id, received } => {
            let entry = case::request_review(&mut writing()?, by, id, *received)?;
            format!(
                "case {}: review requested on {} (ledger entry {})\n",
                escape::text(id),
                entry.on.map(|d| d.to_string()).unwrap_or_default(),
                entry.seq
            )
        }
        CaseCommand::DecideReview { id, corrected, on } => {
            let corrected = corrected.as_deref().map(case::read_file).transpose()?;
            let reviewed = case::decide_review(&mut writing()?, by, id, corrected, *on)?;
            let verdict = match reviewed.reviewed {
                Some(before) if before == reviewed.decision.outcome => {
                    format!("upholds the decision ({})", before.as_str())
                }
                Some(before) => format!(
                    "replaces the decision ({}) with {}",
                    before.as_str(),
                    reviewed.decision.outcome.as_str()
                ),
                None => format!(
                    "decides the deemed refusal's review: {}",
                    reviewed.decision.outcome.as_str()
                ),
            };
            let mut out = crate::render::explained(
                &reviewed.decision,
                None,
                &reviewed.explanation,
                crate::render::colour_wanted(),
            );
            out.push_str(&format!(
                "\nReview decided on {}: it {verdict}; in effect (ledger entry {})\n",
                reviewed.entry.on.map(|d| d.to_string()).unwrap_or_default(),
                reviewed.entry.seq
            ));
            out
        }
        CaseCommand::Correct {
            id,
            entry,
            on,
            reason,
        } => {
            let corrected = case::correct(&mut writing()?, by, id, *entry, *on, reason)?;
            format!(
                "case {}: entry {entry} now dated {on} (correction, ledger entry {})\n",
                escape::text(id),
                corrected.seq
            )
        }
        CaseCommand::Show {
            id,
            as_of,
            format,
            rules,
        } => match format {
            ShowFormat::Html => {
                let register = reading()?;
                let today = as_of.map_or_else(|| register.today(), |d| d.get());
                let explanation = accord_app::explain::of_case(&register, id, today)?;
                accord_app::letter::letter(&explanation, Some(rules))?
            }
            ShowFormat::Json => {
                serde_json::to_string_pretty(&case::show(&reading()?, id, *as_of)?).unwrap_or_default() + "\n"
            }
            ShowFormat::Text => show_text(&case::show(&reading()?, id, *as_of)?),
        },
        CaseCommand::List {
            open,
            closed,
            as_of,
            format,
        } => {
            let which = match (open, closed) {
                (true, _) => Which::Open,
                (_, true) => Which::Closed,
                _ => Which::All,
            };
            let listed = case::list(&reading()?, which, by, *as_of)?;
            match format {
                ReadFormat::Json => serde_json::to_string_pretty(&listed).unwrap_or_default() + "\n",
                ReadFormat::Text => {
                    let mut out = Lines::new();
                    let n = listed.len();
                    out.line(format!("{n} case{}", if n == 1 { "" } else { "s" }));
                    for c in &listed {
                        let state = match &c.closed {
                            Some(closed) => format!("closed on {}: {}", closed.on, closed.how),
                            None => "open".into(),
                        };
                        out.line(format!(
                            "  {:<20} {} → {}  received {}  versions {}  {state}",
                            c.id,
                            c.home_body,
                            c.host_body,
                            c.received_on.map(|d| d.to_string()).unwrap_or_default(),
                            c.versions
                        ));
                    }
                    out.finish()
                }
            }
        }
        CaseCommand::Due { as_of, format } => {
            let register = reading()?;
            let today = as_of.map_or_else(|| register.today(), |d| d.get());
            let due = case::due(&register, *as_of)?;
            match format {
                ReadFormat::Json => serde_json::to_string_pretty(&due).unwrap_or_default() + "\n",
                ReadFormat::Text => {
                    let mut out = Lines::new();
                    out.line(format!("due as of {today}: {}", due.len()));
                    for d in &due {
                        out.line(format!(
                            "  {:<20} {:<16} deadline {}  {}",
                            d.case,
                            d.kind.as_str(),
                            d.deadline
                                .map(|x| x.to_string())
                                .unwrap_or_else(|| "-".repeat(10)),
                            d.status
                        ));
                        if let Some(passed) = &d.passed {
                            out.line(format!("  {:<20} {}", "", passed.text));
                        }
                    }
                    out.finish()
                }
            }
        }
    };
    super::print(&text)?;
    Ok(Exit::Success)
}

fn show_text(view: &CaseView) -> String {
    let mut out = Lines::new();
    let state = match &view.closed {
        Some(closed) => format!("closed on {}: {}", closed.on, closed.how),
        None => "open".to_owned(),
    };
    out.line(format!(
        "case {} ({} → {}): {state}",
        view.id, view.home_body, view.host_body
    ));
    out.line(format!("rules {}", view.rules));
    out.blank();
    out.line("Versions");
    for v in &view.versions {
        out.line(format!(
            "  {}  received {}  {}  {}",
            v.number, v.received_on, v.file_name, v.sha256
        ));
    }
    out.blank();
    out.line("Events");
    for e in &view.events {
        let date = match (e.on, e.recorded_on) {
            (Some(on), Some(was)) => format!("{on} (recorded as {was})"),
            (Some(on), None) => on.to_string(),
            _ => String::new(),
        };
        out.line(format!(
            "  entry {:<5} {:<10} {:<17} {:<12} {}",
            e.entry,
            date,
            e.kind.as_str(),
            e.actor.as_deref().unwrap_or("-"),
            e.summary
        ));
    }
    out.blank();
    out.line("Decision in effect");
    match &view.effective {
        Some(effective) => out.line(format!(
            "  {} since {}, entry {}{}, by {}",
            effective.outcome.as_str(),
            effective.on,
            effective.decision,
            if effective.by_review { " (on review)" } else { "" },
            effective.participants.join(" and ")
        )),
        None => out.line("  none"),
    }
    out.blank();
    out.line(format!("Clocks (as of {})", view.read_on));
    for c in &view.clocks {
        let period = match (&c.clause, c.days) {
            (Some(clause), Some(days)) => format!(" ({clause}: {days} days from {})", c.started),
            _ => String::new(),
        };
        let deadline = c.deadline.map(|d| format!(", deadline {d}")).unwrap_or_default();
        out.line(format!(
            "  {:<16}{period}{deadline}: {}",
            c.kind.as_str(),
            c.status
        ));
        if let Some(passed) = &c.passed {
            out.line(format!("    {}", passed.text));
        }
    }
    out.finish()
}
