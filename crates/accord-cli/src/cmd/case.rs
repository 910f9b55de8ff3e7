//! `accord case`: the case register's use cases, rendered for a person or as JSON.

use std::fmt::Write as _;

use accord_app::case::{self, CaseView};
use accord_core::load_dir;
use accord_register::Register;
use chrono::NaiveDate;

use crate::cli::{CaseArgs, CaseCommand, Format};
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;

/// Runs a case command.
pub fn run(args: &CaseArgs) -> Result<Exit, CliError> {
    match &args.command {
        CaseCommand::Open {
            rules,
            received,
            file,
        } => {
            let rules = load_dir(&rules.rules)?;
            let mut register = Register::open(&args.db.db)?;
            let opened = case::open(&mut register, &rules, file, *received)?;
            super::print(&format!(
                "opened case {} (version 1, received {}, {})\n",
                escape::text(&opened.id),
                opened.received,
                opened.sha256
            ))?;
        }
        CaseCommand::Acknowledge { id, on } => {
            let mut register = Register::open(&args.db.db)?;
            case::acknowledge(&mut register, id, *on)?;
            super::print(&format!("case {} acknowledged on {on}\n", escape::text(id)))?;
        }
        CaseCommand::Evidence {
            rules,
            id,
            file,
            received,
        } => {
            let rules = load_dir(&rules.rules)?;
            let mut register = Register::open(&args.db.db)?;
            let added = case::evidence(&mut register, &rules, id, file, *received)?;
            super::print(&format!(
                "case {}: version {} received {received} ({})\n",
                escape::text(id),
                added.number,
                added.sha256
            ))?;
        }
        CaseCommand::Assess { rules, id, as_of, on } => {
            let rules = load_dir(&rules.rules)?;
            let mut register = Register::open(&args.db.db)?;
            let assessed = case::assess(&mut register, &rules, id, *as_of, *on)?;
            let mut out = crate::render::decision(&assessed.decision);
            let _ = writeln!(
                out,
                "\nRecorded as ledger entry {} ({}); case {}",
                assessed.entry.seq,
                assessed.entry.hash,
                if assessed.closed {
                    format!("closed on {}", assessed.on)
                } else {
                    "stays open: the decision clock is stopped until new evidence arrives".to_owned()
                }
            );
            super::print(&out)?;
        }
        CaseCommand::Show {
            rules,
            id,
            as_of,
            format,
        } => {
            let rules = load_dir(&rules.rules)?;
            let register = Register::open(&args.db.db)?;
            let (view, today) = case::show(&register, &rules, id, *as_of)?;
            let text = match format {
                Format::Json => serde_json::to_string_pretty(&view).unwrap_or_default() + "\n",
                Format::Text => show_text(&view, today),
            };
            super::print(&text)?;
        }
        CaseCommand::Due { rules, as_of, format } => {
            let rules = load_dir(&rules.rules)?;
            let register = Register::open(&args.db.db)?;
            let due = case::due(&register, &rules, *as_of)?;
            let text = match format {
                Format::Json => serde_json::to_string_pretty(&due).unwrap_or_default() + "\n",
                Format::Text => {
                    let mut out = Lines::new();
                    out.line(format!("due as of {as_of}: {}", due.len()));
                    for d in &due {
                        out.line(format!(
                            "  {:<20} {:<16} deadline {}  {}",
                            d.case,
                            d.kind.as_str(),
                            d.deadline.map(|x| x.to_string()).unwrap_or_default(),
                            d.status
                        ));
                    }
                    out.finish()
                }
            };
            super::print(&text)?;
        }
    }
    Ok(Exit::Success)
}

fn show_text(view: &CaseView, today: NaiveDate) -> String {
    let case = &view.case;
    let mut out = Lines::new();
    let state = match (&case.closed_on, &case.closing_outcome) {
        (Some(on), Some(outcome)) => format!("closed on {on} ({})", outcome.as_str()),
        _ => "open".to_owned(),
    };
    out.line(format!(
        "case {} ({} → {}): {state}",
        case.id, case.home_body, case.host_body
    ));
    out.blank();
    out.line("Versions");
    for v in &case.versions {
        out.line(format!(
            "  {}  received {}  {}  {}",
            v.number, v.received_on, v.file_name, v.sha256
        ));
    }
    out.blank();
    out.line("Events");
    for e in &case.events {
        out.line(format!("  {}  {:<12} {}", e.on, e.kind, e.detail));
    }
    out.blank();
    out.line("Decisions");
    if case.decisions.is_empty() {
        out.line("  none");
    }
    for d in &case.decisions {
        out.line(format!(
            "  ledger entry {}: version {} {}, rules {}, recorded {}",
            d.seq,
            d.version.unwrap_or_default(),
            d.outcome.as_str(),
            d.ruleset,
            d.recorded_at
        ));
    }
    out.blank();
    out.line(format!("Clocks (as of {today})"));
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
    }
    out.finish()
}
