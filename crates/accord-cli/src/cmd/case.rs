//! `accord case`: the case register of Article 6. Every command either does
//! all it says or changes nothing (each write is one transaction, and every
//! input is checked before the first write).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use accord_core::{load_dir, Date, RuleSet};
use accord_register::clock::{self, Clock, Kind, Periods, State};
use accord_register::{Case, Input, NewEntry, NewVersion, Register};
use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::{CaseArgs, CaseCommand, Format};
use crate::contract::DecisionJson;
use crate::error::CliError;

/// Runs a case command.
pub fn run(args: &CaseArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        CaseCommand::Open {
            rules,
            received,
            file,
        } => {
            let rules = load_dir(&rules.rules)?;
            let (application, input) = read(&rules, file)?;
            let received = received.map_or_else(today, Date::get);
            let mut register = Register::open(&args.db.db)?;
            register.open_case(
                &application.id,
                &application.home_body,
                &application.host_body,
                &NewVersion {
                    received_on: received,
                    input: &input,
                },
            )?;
            super::print(&format!(
                "opened case {} (version 1, received {received}, {})\n",
                application.id, input.sha256
            ))?;
        }
        CaseCommand::Acknowledge { id, on } => {
            let mut register = Register::open(&args.db.db)?;
            register.acknowledge(id, on.get())?;
            super::print(&format!("case {id} acknowledged on {on}\n"))?;
        }
        CaseCommand::Evidence {
            rules,
            id,
            file,
            received,
        } => {
            let rules = load_dir(&rules.rules)?;
            let (application, input) = read(&rules, file)?;
            if &application.id != id {
                return Err(refused(format!(
                    "{}: the file is application `{}`, not case `{id}`",
                    file.display(),
                    application.id
                )));
            }
            let mut register = Register::open(&args.db.db)?;
            let number = register.add_version(
                id,
                &NewVersion {
                    received_on: received.get(),
                    input: &input,
                },
            )?;
            super::print(&format!(
                "case {id}: version {number} received {received} ({})\n",
                input.sha256
            ))?;
        }
        CaseCommand::Assess { rules, id, as_of, on } => {
            let rules = load_dir(&rules.rules)?;
            let mut register = Register::open(&args.db.db)?;
            let case = register.require(id)?;
            let version = case
                .current()
                .ok_or_else(|| refused(format!("case `{id}` has no version")))?;
            let decision = super::decide_bytes(
                &rules,
                Path::new(&version.file_name),
                version.bytes.clone(),
                *as_of,
            )?;
            let outcome = decision.outcome;
            let stopped_by = periods(&rules, &case).stopped_by().map(str::to_owned);
            let closes = stopped_by.as_deref() != Some(outcome.as_str());
            let entry = NewEntry {
                case_id: id.clone(),
                version: Some(version.number),
                input: Input::new(&version.file_name, version.bytes.clone()),
                ruleset: decision.ruleset.to_string(),
                decision: DecisionJson::from(&decision).to_line(),
            };
            let on = on.map_or_else(today, Date::get);
            let recorded = register.record_case_decision(&entry, on, outcome.as_str(), closes)?;
            let mut out = crate::render::decision(&decision);
            let _ = writeln!(
                out,
                "\nRecorded as ledger entry {} ({}); case {}",
                recorded.seq,
                recorded.hash,
                if closes {
                    format!("closed on {on}")
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
            let case = register.require(id)?;
            let today = as_of.map_or_else(today, Date::get);
            let clocks = clock::clocks(&case, &periods(&rules, &case));
            let text = match format {
                Format::Json => {
                    #[derive(Serialize)]
                    struct Shown<'a> {
                        #[serde(flatten)]
                        case: &'a Case,
                        clocks: Vec<ClockJson>,
                    }
                    let shown = Shown {
                        case: &case,
                        clocks: clocks.iter().map(|c| ClockJson::new(&case, c, today)).collect(),
                    };
                    serde_json::to_string_pretty(&shown).unwrap_or_default() + "\n"
                }
                Format::Text => show_text(&case, &clocks, today),
            };
            super::print(&text)?;
        }
        CaseCommand::Due { rules, as_of, format } => {
            let rules = load_dir(&rules.rules)?;
            let register = Register::open(&args.db.db)?;
            let today = as_of.get();
            let mut due: Vec<ClockJson> = Vec::new();
            for case in register.open_cases()? {
                for c in clock::clocks(&case, &periods(&rules, &case)) {
                    if matches!(c.state, State::Running { .. }) {
                        due.push(ClockJson::new(&case, &c, today));
                    }
                }
            }
            due.sort_by(|a, b| (a.deadline, &a.case, a.kind).cmp(&(b.deadline, &b.case, b.kind)));
            let text = match format {
                Format::Json => serde_json::to_string_pretty(&due).unwrap_or_default() + "\n",
                Format::Text => {
                    let mut out = format!("due as of {today}: {}\n", due.len());
                    for d in &due {
                        let _ = writeln!(
                            out,
                            "  {:<20} {:<16} deadline {}  {}",
                            d.case,
                            d.kind.as_str(),
                            d.deadline.map(|x| x.to_string()).unwrap_or_default(),
                            d.status
                        );
                    }
                    out
                }
            };
            super::print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn refused(message: String) -> CliError {
    CliError::Register(accord_register::Error::Refused(message))
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Reads and checks an application file; returns it and its exact bytes.
fn read(rules: &RuleSet, file: &Path) -> Result<(accord_core::Application, Input), CliError> {
    let bytes = std::fs::read(file).map_err(|source| accord_core::Error::Io {
        file: file.to_path_buf(),
        source,
    })?;
    let application = accord_core::Application::from_bytes(file, bytes.clone(), rules)?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((application, Input::new(&name, bytes)))
}

/// Article 6 as the rule set states it, for the case's pair of bodies.
struct RulePeriods<'a> {
    agreement: Option<&'a accord_core::rules::model::Agreement>,
}

impl Periods for RulePeriods<'_> {
    fn days(&self, kind: Kind, start: NaiveDate) -> Option<(i64, String)> {
        let agreement = self.agreement?;
        let procedure = agreement.procedure.as_ref()?;
        let (parameter, clause) = match kind {
            Kind::Acknowledgement => (&procedure.acknowledgement, &procedure.acknowledgement_clause),
            Kind::Decision => (&procedure.decision, &procedure.decision_clause),
        };
        let days = agreement
            .parameter(parameter)?
            .value_on(Date(start))?
            .to_integer()?;
        Some((days, clause.clone()))
    }

    fn stopped_by(&self) -> Option<&str> {
        Some(self.agreement?.procedure.as_ref()?.clock_stopped_by.as_str())
    }
}

fn periods<'a>(rules: &'a RuleSet, case: &Case) -> RulePeriods<'a> {
    RulePeriods {
        agreement: rules.agreement_between(&case.home_body, &case.host_body),
    }
}

/// A clock as written out.
#[derive(Serialize)]
struct ClockJson {
    case: String,
    kind: Kind,
    clause: Option<String>,
    started: NaiveDate,
    days: Option<i64>,
    state: &'static str,
    deadline: Option<NaiveDate>,
    days_left: Option<i64>,
    status: String,
}

impl ClockJson {
    fn new(case: &Case, c: &Clock, today: NaiveDate) -> ClockJson {
        let (state, deadline, status) = match &c.state {
            State::Running { deadline } => ("running", Some(*deadline), clock::describe(*deadline, today)),
            State::Stopped { since } => (
                "stopped",
                None,
                format!("stopped since {since}: awaiting evidence"),
            ),
            State::Done { on } => ("done", None, format!("done on {on}")),
            State::NotApplicable => ("not_applicable", None, "no Article 6 period applies".to_owned()),
        };
        ClockJson {
            case: case.id.clone(),
            kind: c.kind,
            clause: c.clause.clone(),
            started: c.started,
            days: c.days,
            state,
            deadline,
            days_left: deadline.map(|d| clock::days_left(d, today)),
            status,
        }
    }
}

fn show_text(case: &Case, clocks: &[Clock], today: NaiveDate) -> String {
    let mut out = format!("case {} ({} → {})", case.id, case.home_body, case.host_body);
    match (&case.closed_on, &case.closing_outcome) {
        (Some(on), Some(outcome)) => {
            let _ = writeln!(out, ": closed on {on} ({outcome})");
        }
        _ => out.push_str(": open\n"),
    }
    let _ = writeln!(out, "\nVersions");
    for v in &case.versions {
        let _ = writeln!(
            out,
            "  {}  received {}  {}  {}",
            v.number, v.received_on, v.file_name, v.sha256
        );
    }
    let _ = writeln!(out, "\nEvents");
    for e in &case.events {
        let _ = writeln!(out, "  {}  {:<12} {}", e.on, e.kind, e.detail);
    }
    let _ = writeln!(out, "\nDecisions");
    if case.decisions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for d in &case.decisions {
        let outcome = clock::outcome_of(&d.decision).unwrap_or_default();
        let _ = writeln!(
            out,
            "  ledger entry {}: version {} {outcome}, rules {}, recorded {}",
            d.seq,
            d.version.unwrap_or_default(),
            d.ruleset,
            d.recorded_at
        );
    }
    let _ = writeln!(out, "\nClocks (as of {today})");
    for c in clocks {
        let j = ClockJson::new(case, c, today);
        let period = match (&j.clause, j.days) {
            (Some(clause), Some(days)) => format!(" ({clause}: {days} days from {})", j.started),
            _ => String::new(),
        };
        let deadline = j.deadline.map(|d| format!(", deadline {d}")).unwrap_or_default();
        let _ = writeln!(out, "  {:<16}{period}{deadline}: {}", c.kind.as_str(), j.status);
    }
    out
}
