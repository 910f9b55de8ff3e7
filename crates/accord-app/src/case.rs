//! The case register's use cases: open a case from an application file,
//! acknowledge it, add a newer version, assess it, show it, list what is
//! due. Each reads and checks its input before the register is written, and
//! each write is one transaction of the register, which owns the workflow's rules.

use std::path::Path;

use accord_core::{Application, Date, RuleSet};
use accord_register::clock::{self, AgreementPeriods, Clock, Kind, State};
use accord_register::{Case, Input, NewEntry, NewVersion, Register};
use chrono::NaiveDate;
use serde::Serialize;

use crate::contract;
use crate::decide::DecideError;

/// What can stop a case command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An application file that cannot be read or is invalid.
    #[error(transparent)]
    Input(#[from] accord_core::Error),
    /// A stored version that cannot be decided.
    #[error(transparent)]
    Decide(#[from] DecideError),
    /// The register refused, or could not be used.
    #[error(transparent)]
    Register(#[from] accord_register::Error),
}

fn refused(message: String) -> Error {
    Error::Register(accord_register::Error::Refused(message))
}

/// Reads and checks an application file; returns it and its exact bytes.
fn read(rules: &RuleSet, file: &Path) -> Result<(Application, Input), Error> {
    let bytes = accord_core::application::read_bytes(file)?;
    let application = Application::from_bytes(file, bytes.clone(), rules)?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((application, Input::new(&name, bytes)))
}

/// A case just opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Its id (the application's).
    pub id: String,
    /// The date received.
    pub received: NaiveDate,
    /// The sha256 of the version stored.
    pub sha256: String,
}

/// Opens a case from an application file, received on `received` (default today).
pub fn open(
    register: &mut Register,
    rules: &RuleSet,
    file: &Path,
    received: Option<Date>,
) -> Result<Opened, Error> {
    let (application, input) = read(rules, file)?;
    let received = received.map_or_else(|| register.today(), Date::get);
    register.open_case(
        application.id(),
        application.home_body(),
        application.host_body(),
        &NewVersion {
            received_on: received,
            input: &input,
        },
    )?;
    Ok(Opened {
        id: application.id().to_owned(),
        received,
        sha256: input.sha256,
    })
}

/// Records a case's acknowledgement.
pub fn acknowledge(register: &mut Register, id: &str, on: Date) -> Result<(), Error> {
    Ok(register.acknowledge(id, on.get())?)
}

/// A version just added.
#[derive(Debug, Clone)]
pub struct Added {
    /// Its number.
    pub number: i64,
    /// The sha256 of its bytes.
    pub sha256: String,
}

/// Adds a newer version of a case's application file (its id must match).
pub fn evidence(
    register: &mut Register,
    rules: &RuleSet,
    id: &str,
    file: &Path,
    received: Date,
) -> Result<Added, Error> {
    let (application, input) = read(rules, file)?;
    if application.id() != id {
        return Err(refused(format!(
            "{}: the file is application `{}`, not case `{id}`",
            file.display(),
            application.id()
        )));
    }
    let number = register.add_version(
        id,
        &NewVersion {
            received_on: received.get(),
            input: &input,
        },
    )?;
    Ok(Added {
        number,
        sha256: input.sha256,
    })
}

/// A case's decision, recorded.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// The decision.
    pub decision: accord_eval::Decision,
    /// Its ledger entry.
    pub entry: accord_register::chain::Entry,
    /// Whether it closed the case.
    pub closed: bool,
    /// The day it was made.
    pub on: NaiveDate,
}

/// Assesses a case's current version, on `as_of` (default its `applied_on`),
/// and records the decision made on `on` (default today).
pub fn assess(
    register: &mut Register,
    rules: &RuleSet,
    id: &str,
    as_of: Option<Date>,
    on: Option<Date>,
) -> Result<Assessed, Error> {
    let case = register.require(id)?;
    let version = case
        .current()
        .ok_or_else(|| refused(format!("case `{id}` has no version")))?;
    let decision =
        crate::decide::decide_bytes(rules, Path::new(&version.file_name), version.bytes.clone(), as_of)?;
    let entry = NewEntry {
        case_id: id.to_owned(),
        version: Some(version.number),
        input: Input::new(&version.file_name, version.bytes.clone()),
        ruleset: decision.ruleset.to_string(),
        outcome: decision.outcome,
        decision: contract::Decision::from(&decision).to_line(),
    };
    let on = on.map_or_else(|| register.today(), Date::get);
    let procedure = rules
        .agreement_between(&case.home_body, &case.host_body)
        .and_then(|a| a.procedure.as_ref());
    let (entry, closed) = register.record_case_decision(&entry, on, procedure)?;
    Ok(Assessed {
        decision,
        entry,
        closed,
        on,
    })
}

/// A clock as shown to people and written out.
#[derive(Debug, Clone, Serialize)]
pub struct ClockView {
    /// The case.
    pub case: String,
    /// Which clock.
    pub kind: Kind,
    /// The clause that sets its period.
    pub clause: Option<String>,
    /// The day it started from.
    pub started: NaiveDate,
    /// Its period, in days.
    pub days: Option<i64>,
    /// `running`, `stopped`, `done` or `not_applicable`.
    pub state: &'static str,
    /// Its deadline, while running.
    pub deadline: Option<NaiveDate>,
    /// Days to the deadline (negative: overdue).
    pub days_left: Option<i64>,
    /// In words: `due in 3 days`, `overdue by 2 days`...
    pub status: String,
}

impl ClockView {
    /// The view of `c`, a clock of `case`, read on `today`.
    pub fn new(case: &Case, c: &Clock, today: NaiveDate) -> ClockView {
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
        ClockView {
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

/// A case with its clocks, as `case show` writes it.
#[derive(Debug, Serialize)]
pub struct CaseView {
    /// The case, whole.
    #[serde(flatten)]
    pub case: Case,
    /// Its clocks, read on the day asked.
    pub clocks: Vec<ClockView>,
}

/// The clocks of `case` under the procedure of its agreement.
pub fn clocks(rules: &RuleSet, case: &Case) -> Vec<Clock> {
    let agreement = rules.agreement_between(&case.home_body, &case.host_body);
    clock::clocks(case, &AgreementPeriods(agreement))
}

/// A case whole, with its clocks read on `today` (default the register's today).
pub fn show(
    register: &Register,
    rules: &RuleSet,
    id: &str,
    today: Option<Date>,
) -> Result<(CaseView, NaiveDate), Error> {
    let case = register.require(id)?;
    let today = today.map_or_else(|| register.today(), Date::get);
    let clocks = clocks(rules, &case)
        .iter()
        .map(|c| ClockView::new(&case, c, today))
        .collect();
    Ok((CaseView { case, clocks }, today))
}

/// Every running clock of the open cases, soonest deadline first.
pub fn due(register: &Register, rules: &RuleSet, today: Date) -> Result<Vec<ClockView>, Error> {
    let today = today.get();
    let mut due = Vec::new();
    for case in register.open_cases()? {
        for c in clocks(rules, &case) {
            if matches!(c.state, State::Running { .. }) {
                due.push(ClockView::new(&case, &c, today));
            }
        }
    }
    due.sort_by(|a, b| (a.deadline, &a.case, a.kind).cmp(&(b.deadline, &b.case, b.kind)));
    Ok(due)
}
