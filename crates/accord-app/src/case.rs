//! The case register's use cases: open a case from an application file,
//! acknowledge it, add a newer version, assess it, confirm a proposal,
//! record and decide a review, correct a date; show a case, list cases,
//! list what is due. Each checks its input (the file against the rules)
//! before the register is written; the register checks the actor, the
//! workflow and the dates inside the transaction that writes.

use std::path::Path;

use accord_core::rules::model::DeadlineConsequence;
use accord_core::{Application, Date, RuleSet};
use accord_register::case::{Assessment, Case, Dated, Effect, Effective, ReviewState, Version};
use accord_register::chain::{Entry, Kind};
use accord_register::clock::{self, Clock, State};
use accord_register::{Input, NewCase, NewDecision, Register};
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

/// Reads an application file's exact bytes, named by its file name (whose
/// extension gives the format), within the contract's size limit.
pub fn read_file(file: &Path) -> Result<Input, Error> {
    let bytes = accord_core::application::read_bytes(file)?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Input::new(&name, bytes))
}

/// Checks an application's bytes against the rules.
fn check(rules: &RuleSet, input: &Input) -> Result<Application, Error> {
    Ok(Application::from_bytes(
        Path::new(&input.name),
        input.bytes.clone(),
        rules,
    )?)
}

fn day(register: &Register, date: Option<Date>) -> NaiveDate {
    date.map_or_else(|| register.today(), Date::get)
}

/// Opens a case from an application (a file's bytes or an upload's),
/// received on `received` (default today), under `rules`: the register
/// keeps them, and their procedure governs the case. Returns the entry.
pub fn open(
    register: &mut Register,
    by: Option<&str>,
    rules: &RuleSet,
    input: Input,
    received: Option<Date>,
) -> Result<Entry, Error> {
    let application = check(rules, &input)?;
    let received = day(register, received);
    Ok(register.open_case(
        by,
        &NewCase {
            id: application.id(),
            home_body: application.home_body(),
            host_body: application.host_body(),
            received_on: received,
            input: &input,
            rules,
        },
    )?)
}

/// Records a case's acknowledgement on `on` (default today).
pub fn acknowledge(
    register: &mut Register,
    by: Option<&str>,
    id: &str,
    on: Option<Date>,
) -> Result<Entry, Error> {
    let on = day(register, on);
    Ok(register.acknowledge(by, id, on)?)
}

/// Adds a newer version of a case's application (its id must match),
/// received on `received` (default today). Returns its number and entry.
pub fn evidence(
    register: &mut Register,
    by: Option<&str>,
    rules: &RuleSet,
    id: &str,
    input: Input,
    received: Option<Date>,
) -> Result<(i64, Entry), Error> {
    let application = check(rules, &input)?;
    if application.id() != id {
        return Err(refused(format!(
            "{}: the file is application `{}`, not case `{id}`",
            input.name,
            application.id()
        )));
    }
    let received = day(register, received);
    Ok(register.add_version(by, id, received, &input)?)
}

/// A case's decision, recorded.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// The decision.
    pub decision: accord_eval::Decision,
    /// The decision explained (the applicant, what was counted, the next
    /// steps), for the report the assessor reads.
    pub explanation: crate::explain::Explanation,
    /// Its ledger entry.
    pub entry: Entry,
    /// What became of it.
    pub effect: Effect,
    /// What became of it, in words, naming the agreement's procedure clause
    /// (see [`effect_text`]).
    pub effect_text: String,
    /// The day it was made.
    pub on: NaiveDate,
}

/// Assesses a case's current version under `rules`, on `as_of` (default
/// its `applied_on`), and records the decision made on `on` (default today).
pub fn assess(
    register: &mut Register,
    by: Option<&str>,
    rules: &RuleSet,
    id: &str,
    as_of: Option<Date>,
    on: Option<Date>,
) -> Result<Assessed, Error> {
    let case = register.require(id)?;
    let version = case
        .current()
        .ok_or_else(|| refused(format!("case `{id}` has no version")))?;
    let input = register.input(&version.sha256)?.ok_or_else(|| {
        refused(format!(
            "case `{id}`: the input of version {} is missing",
            version.number
        ))
    })?;
    let explained = crate::explain::assess_bytes(
        rules,
        Path::new(&input.name),
        None,
        input.bytes.clone(),
        as_of,
        false,
    )?;
    let explanation = explained.explanation(rules);
    let decision = explained.assessed.decision;
    let on = day(register, on);
    let (entry, effect) = register.record_assessment(
        by,
        id,
        &NewDecision {
            version: Some(version.number),
            input: &input,
            rules,
            as_of: decision.as_of.get(),
            outcome: decision.outcome,
            json: contract::Decision::from(&decision).to_line(),
        },
        on,
    )?;
    let clause = rules
        .agreement_between(&decision.home_body, &decision.host_body)
        .and_then(|a| a.procedure.as_ref())
        .and_then(|p| p.confirmation.as_ref())
        .map(|c| c.clause.as_str());
    Ok(Assessed {
        effect_text: effect_text(effect, clause),
        decision,
        explanation,
        entry,
        effect,
        on,
    })
}

/// Confirms the decision awaiting a second signatory, on `on` (default today).
pub fn confirm(
    register: &mut Register,
    by: Option<&str>,
    id: &str,
    on: Option<Date>,
) -> Result<Entry, Error> {
    let on = day(register, on);
    Ok(register.confirm(by, id, on)?)
}

/// Records a review request received on `received` (default today).
pub fn request_review(
    register: &mut Register,
    by: Option<&str>,
    id: &str,
    received: Option<Date>,
) -> Result<Entry, Error> {
    let received = day(register, received);
    Ok(register.request_review(by, id, received)?)
}

/// A review, decided.
#[derive(Debug, Clone)]
pub struct Reviewed {
    /// The review's decision.
    pub decision: accord_eval::Decision,
    /// The decision explained, for the report the reviewer reads.
    pub explanation: crate::explain::Explanation,
    /// Its entry.
    pub entry: Entry,
    /// The outcome reviewed (none for a deemed refusal).
    pub reviewed: Option<accord_core::rules::model::Outcome>,
}

/// Decides a pending review on `on` (default today): the evidence of the
/// decision reviewed — or `corrected`, a corrected application file — is
/// assessed under that decision's rule set and assessment date, which the
/// register kept; it upholds or replaces the decision and takes effect.
pub fn decide_review(
    register: &mut Register,
    by: Option<&str>,
    id: &str,
    corrected: Option<Input>,
    on: Option<Date>,
) -> Result<Reviewed, Error> {
    let basis = register.review_basis(id)?;
    let is_corrected = corrected.is_some();
    let input = match corrected {
        Some(input) => {
            let application = check(&basis.rules, &input)?;
            if application.id() != id {
                return Err(refused(format!(
                    "{}: the file is application `{}`, not case `{id}`",
                    input.name,
                    application.id()
                )));
            }
            input
        }
        None => basis.input.clone(),
    };
    let explained = crate::explain::assess_bytes(
        &basis.rules,
        Path::new(&input.name),
        None,
        input.bytes.clone(),
        basis.as_of.map(Date),
        false,
    )?;
    let explanation = explained.explanation(&basis.rules);
    let decision = explained.assessed.decision;
    let on = day(register, on);
    let entry = register.record_review(
        by,
        id,
        &NewDecision {
            version: Some(basis.version),
            input: &input,
            rules: &basis.rules,
            as_of: decision.as_of.get(),
            outcome: decision.outcome,
            json: contract::Decision::from(&decision).to_line(),
        },
        is_corrected,
        on,
    )?;
    Ok(Reviewed {
        decision,
        explanation,
        entry,
        reviewed: basis.outcome,
    })
}

/// Corrects the business date of entry `entry` of case `id`.
pub fn correct(
    register: &mut Register,
    by: Option<&str>,
    id: &str,
    entry: i64,
    on: Date,
    reason: &str,
) -> Result<Entry, Error> {
    Ok(register.correct(by, id, entry, on.get(), reason)?)
}

/// A clock as shown to people and written out.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// The case.
    pub case: String,
    /// Which clock.
    #[schema(value_type = String)]
    pub kind: clock::Kind,
    /// The clause that sets its period.
    pub clause: Option<String>,
    /// The day it started from.
    #[schema(value_type = String, format = Date)]
    pub started: NaiveDate,
    /// Its period, in days.
    pub days: Option<i64>,
    /// `running`, `stopped`, `done`, `closed` or `not_applicable`.
    #[schema(value_type = String)]
    pub state: &'static str,
    /// Its deadline, while running (or the window's last day, once closed).
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    /// Days to the deadline (negative: overdue).
    pub days_left: Option<i64>,
    /// In words: `due in 3 days`, `overdue by 2 days`, `stopped since ...`.
    pub status: String,
    /// What the missed decision deadline brought about, under the agreement.
    pub passed: Option<PassedView>,
}

/// A passed deadline's consequence, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassedView {
    /// The clause.
    pub clause: String,
    /// `deemed_refusal` or `deemed_approval`.
    #[schema(value_type = String)]
    pub means: DeadlineConsequence,
    /// From which day.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// In words.
    pub text: String,
}

fn passed_text(passed: &clock::Passed, deadline: Option<NaiveDate>) -> String {
    let missed = deadline
        .map(|d| format!("the decision deadline ({d}) passed: "))
        .unwrap_or_default();
    match passed.means {
        DeadlineConsequence::DeemedRefusal => format!(
            "{missed}deemed refused from {} under clause {}; the applicant may request a review from that day, and the duty to decide goes on",
            passed.from, passed.clause
        ),
        DeadlineConsequence::DeemedApproval => format!(
            "{missed}deemed approved from {} under clause {}: the application is granted and the case closed",
            passed.from, passed.clause
        ),
        DeadlineConsequence::Nothing => format!("{missed}the duty to decide goes on"),
    }
}

impl ClockView {
    /// The view of `c`, a clock of `case`, read on `today`.
    pub fn new(case: &str, c: &Clock, today: NaiveDate) -> ClockView {
        let (state, deadline, status) = match &c.state {
            State::Running { deadline } => {
                let status = match c.kind {
                    clock::Kind::ReviewRequest => format!("a review may be requested until {deadline}"),
                    _ => clock::describe(*deadline, today),
                };
                ("running", Some(*deadline), status)
            }
            State::Stopped { since } => (
                "stopped",
                None,
                format!("stopped since {since}: awaiting evidence"),
            ),
            State::Done { on } => ("done", None, format!("done on {on}")),
            State::Closed { deadline } => ("closed", Some(*deadline), format!("closed unused on {deadline}")),
            State::NotApplicable => ("not_applicable", None, "no period applies".to_owned()),
        };
        let deadline_of = c
            .days
            .and_then(|d| c.started.checked_add_signed(chrono::Duration::try_days(d)?));
        ClockView {
            case: case.to_owned(),
            kind: c.kind,
            clause: c.clause.clone(),
            started: c.started,
            days: c.days,
            state,
            deadline,
            days_left: deadline
                .filter(|_| state == "running" && c.kind != clock::Kind::ReviewRequest)
                .map(|d| clock::days_left(d, today)),
            status,
            passed: c.passed.as_ref().map(|p| PassedView {
                clause: p.clause.clone(),
                means: p.means,
                from: p.from,
                text: passed_text(p, deadline_of),
            }),
        }
    }
}

/// One event of a case, for people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Its ledger entry.
    pub entry: i64,
    /// What it records.
    #[schema(value_type = String)]
    pub kind: Kind,
    /// Its business date (corrected, if it was).
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
    /// The date it was recorded with, when a correction changed it.
    #[schema(value_type = Option<String>, format = Date)]
    pub recorded_on: Option<NaiveDate>,
    /// Who.
    pub actor: Option<String>,
    /// When it was recorded (UTC).
    pub recorded_at: String,
    /// What it says, in words.
    pub summary: String,
}

/// A case whole, with its clocks, as `case show` writes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    /// The application's id.
    pub id: String,
    /// Home body.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
    /// The rule set it was opened under.
    pub rules: String,
    /// `open` or `closed`.
    #[schema(value_type = String)]
    pub state: &'static str,
    /// When and how it closed.
    pub closed: Option<ClosedView>,
    /// Every version.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Version>,
    /// The acknowledgement.
    #[schema(value_type = Option<Object>)]
    pub acknowledged: Option<Dated>,
    /// Every assessment.
    #[schema(value_type = Vec<Object>)]
    pub assessments: Vec<Assessment>,
    /// The decision in effect.
    #[schema(value_type = Option<Object>)]
    pub effective: Option<Effective>,
    /// Reviews.
    #[schema(value_type = Vec<Object>)]
    pub reviews: Vec<ReviewState>,
    /// Every event of its chain, in order.
    pub events: Vec<EventView>,
    /// Its clocks on the day asked.
    pub clocks: Vec<ClockView>,
    /// The day the clocks were read on.
    #[schema(value_type = String, format = Date)]
    pub read_on: NaiveDate,
}

/// When and how a case closed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosedView {
    /// The day.
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// How: decided, decided on review, deemed approved.
    pub how: String,
}

fn summary(case: &Case, e: &Entry) -> String {
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let number = |key: &str| detail.get(key).and_then(serde_json::Value::as_i64);
    let text = |key: &str| {
        detail
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let outcome = e.outcome.map(|o| o.as_str()).unwrap_or("?");
    match e.kind {
        Kind::Opened => format!("version 1 received ({})", text("file_name")),
        Kind::Version => {
            let voids = number("voids")
                .map(|n| format!("; voids the proposal of entry {n}"))
                .unwrap_or_default();
            format!(
                "version {} received ({}){voids}",
                e.version.unwrap_or_default(),
                text("file_name")
            )
        }
        Kind::Acknowledged => "acknowledged".into(),
        Kind::Assessed => {
            let effect = match text("effect").as_str() {
                "proposed" => "proposed: awaits a second assessor's confirmation",
                "stops_clock" => "the decision clock stops until new evidence arrives",
                _ => "takes effect",
            };
            format!(
                "version {} assessed as of {}: {outcome}; {effect}",
                e.version.unwrap_or_default(),
                text("as_of")
            )
        }
        Kind::Confirmed => format!(
            "confirms the decision of entry {}: it takes effect",
            number("confirms").unwrap_or_default()
        ),
        Kind::ReviewRequested => match number("reviews") {
            Some(n) => format!("review of the decision of entry {n} requested"),
            None => "review of the deemed refusal requested".into(),
        },
        Kind::ReviewDecided => format!("review decided: {outcome} ({}); takes effect", text("result")),
        Kind::Corrected => {
            let target = number("corrects").unwrap_or_default();
            let was = case
                .entry(target)
                .and_then(|t| t.on)
                .map(|d| format!(", recorded as {d}"))
                .unwrap_or_default();
            format!("corrects the date of entry {target}{was}: {}", text("reason"))
        }
        other => other.as_str().to_owned(),
    }
}

/// The clocks of `case` read on `today`, under the procedure of the rule
/// set it was opened under.
pub fn clocks(register: &Register, case: &Case, today: NaiveDate) -> Result<Vec<Clock>, Error> {
    let rules = register.case_rules(case)?;
    Ok(clock::clocks(case, Register::agreement_of(&rules, case), today))
}

/// The view of `case` on `today`.
pub fn view(register: &Register, case: Case, today: NaiveDate) -> Result<CaseView, Error> {
    let rules = register.case_rules(&case)?;
    let agreement = Register::agreement_of(&rules, &case);
    let closed = clock::closed(&case, agreement, today).map(|(on, how)| ClosedView { on, how });
    let clocks = clock::clocks(&case, agreement, today)
        .iter()
        .map(|c| ClockView::new(&case.id, c, today))
        .collect();
    let events = case
        .entries
        .iter()
        .map(|e| EventView {
            entry: e.seq,
            kind: e.kind,
            on: case.date_of(e),
            recorded_on: e.on.filter(|d| Some(*d) != case.date_of(e)),
            actor: e.actor.clone(),
            recorded_at: e.recorded_at.clone(),
            summary: summary(&case, e),
        })
        .collect();
    Ok(CaseView {
        state: if closed.is_some() { "closed" } else { "open" },
        closed,
        id: case.id,
        home_body: case.home_body,
        host_body: case.host_body,
        rules: case.rules,
        versions: case.versions,
        acknowledged: case.acknowledged,
        assessments: case.assessments,
        effective: case.effective,
        reviews: case.reviews,
        events,
        clocks,
        read_on: today,
    })
}

/// A case whole, with its clocks read on `today` (default the register's today).
pub fn show(register: &Register, id: &str, today: Option<Date>) -> Result<CaseView, Error> {
    let case = register.require(id)?;
    let today = day(register, today);
    view(register, case, today)
}

/// Which cases `list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every case.
    All,
    /// Cases still open.
    Open,
    /// Closed cases.
    Closed,
}

/// One line of `case list`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Listed {
    /// The case.
    pub id: String,
    /// Home → host.
    pub home_body: String,
    /// Host.
    pub host_body: String,
    /// First received.
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<NaiveDate>,
    /// Versions received.
    pub versions: usize,
    /// `open` or `closed`.
    #[schema(value_type = String)]
    pub state: &'static str,
    /// The outcome in effect, if any.
    pub outcome: Option<String>,
    /// When and how it closed.
    pub closed: Option<ClosedView>,
    /// Everyone who recorded an event of it.
    pub actors: Vec<String>,
}

/// The cases, filtered by state and by an actor who took part, by id.
pub fn list(
    register: &Register,
    which: Which,
    actor: Option<&str>,
    today: Option<Date>,
) -> Result<Vec<Listed>, Error> {
    let today = day(register, today);
    let mut out = Vec::new();
    for case in register.cases()? {
        let rules = register.case_rules(&case)?;
        let closed = clock::closed(&case, Register::agreement_of(&rules, &case), today)
            .map(|(on, how)| ClosedView { on, how });
        let mut actors: Vec<String> = case.entries.iter().filter_map(|e| e.actor.clone()).collect();
        actors.sort();
        actors.dedup();
        let keep = match which {
            Which::All => true,
            Which::Open => closed.is_none(),
            Which::Closed => closed.is_some(),
        } && actor.is_none_or(|a| actors.iter().any(|x| x == a));
        if keep {
            out.push(Listed {
                received_on: case.received_on(),
                versions: case.versions.len(),
                state: if closed.is_some() { "closed" } else { "open" },
                outcome: case.effective.as_ref().map(|e| e.outcome.as_str().to_owned()),
                closed,
                actors,
                id: case.id,
                home_body: case.home_body,
                host_body: case.host_body,
            });
        }
    }
    Ok(out)
}

/// Every running and stopped clock of every case, read on `today`
/// (default the register's today): soonest deadline first, stopped clocks last.
pub fn due(register: &Register, today: Option<Date>) -> Result<Vec<ClockView>, Error> {
    let today = day(register, today);
    let mut due = Vec::new();
    for case in register.cases()? {
        for c in clocks(register, &case, today)? {
            if matches!(c.state, State::Running { .. } | State::Stopped { .. }) {
                due.push(ClockView::new(&case.id, &c, today));
            }
        }
    }
    due.sort_by(|a, b| {
        (a.deadline.is_none(), a.deadline, &a.case, a.kind).cmp(&(
            b.deadline.is_none(),
            b.deadline,
            &b.case,
            b.kind,
        ))
    });
    Ok(due)
}

/// How an effect reads in a sentence.
pub fn effect_text(effect: Effect, procedure_clause: Option<&str>) -> String {
    match effect {
        Effect::TakesEffect => "it takes effect and closes the case".into(),
        Effect::Proposed => format!(
            "proposed: it takes effect once a second assessor confirms it{}",
            procedure_clause
                .map(|c| format!(" (clause {c})"))
                .unwrap_or_default()
        ),
        Effect::StopsClock => {
            "the case stays open: the decision clock is stopped until new evidence arrives".into()
        }
    }
}
