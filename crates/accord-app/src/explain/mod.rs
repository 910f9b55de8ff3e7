//! A decision explained for the people who read it: the applicant, the
//! agreement, each clause with its own text, figures and shortfall (in
//! years as well as days), what was counted (every experience period with
//! its counted days, every CPD item inside or outside its window, every
//! degree and the route that recognised it), the measures, the missing
//! evidence in words, what to do next, the review rights, and what anyone
//! needs to re-derive the decision (the rule set's fingerprint, the
//! input's sha256).
//!
//! One [`Explanation`] serves every reader: the text report, the decision
//! letter (`letter.rs`), and any other front end. It is built from the
//! decision and the application, never by re-deciding: the counts come
//! from `accord_eval::days` and the degree routes from
//! `accord_eval::degree_findings`, the functions the evaluation itself
//! uses, so the arithmetic is written once and a table cannot disagree
//! with the figures it explains. Every field is text ready to show (dates,
//! grouped numbers); nothing here is escaped: each renderer escapes for
//! its medium.

mod tables;
mod words;

use std::path::Path;

use accord_core::rules::model::{Agreement, Criterion};
use accord_core::source::Format;
use accord_core::{Application, Decimal, RuleSet};
use accord_eval::{Decision, FigureValue, Status};
use accord_register::Register;
use chrono::NaiveDate;
use serde::Serialize;

pub use tables::{
    CountColumn, CpdRow, CpdTable, DegreeRow, DegreeTable, ExperienceTable, PeriodRow, MAX_ATTRIBUTED_PERIODS,
};
pub use words::{long_date, outlook_view, OutlookView};

use crate::decide::{Assessed, DecideError};

/// A decision explained: everything a report or a letter shows.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The application's id.
    pub application: String,
    /// The applicant's full name.
    pub applicant: String,
    /// The assessment date, `YYYY-MM-DD`.
    pub as_of: String,
    /// The assessment date for a letter: `15 September 2025`.
    pub as_of_long: String,
    /// The outcome's contract name (`expedited`).
    pub outcome: &'static str,
    /// Whether the outcome grants recognition.
    pub grants: bool,
    /// Why, in one sentence (the decision's reason).
    pub reason: String,
    /// The agreement applied, if any.
    pub agreement: Option<AgreementView>,
    /// The body the applicant is registered with.
    pub home_body: Named,
    /// The body recognition is sought from.
    pub host_body: Named,
    /// The discipline.
    pub discipline: Named,
    /// Every clause evaluated, in clause order.
    pub clauses: Vec<ClauseView>,
    /// The experience periods and what each counted, when anything was counted.
    pub experience: Option<ExperienceTable>,
    /// For each CPD criterion, the items inside and outside its window.
    pub cpd: Vec<CpdTable>,
    /// For each education criterion, each degree and the route that recognised it.
    pub degrees: Vec<DegreeTable>,
    /// The compensation measures required.
    pub measures: Vec<ItemView>,
    /// The host requirements attached to the grant.
    pub requirements: Vec<ItemView>,
    /// The credential granted, if any.
    pub grant: Option<GrantView>,
    /// The missing evidence, in words the applicant understands.
    pub to_supply: Vec<String>,
    /// What to do next, sentence by sentence.
    pub next_steps: Vec<String>,
    /// The right to a review, when the agreement's procedure gives one.
    pub review: Option<ReviewRights>,
    /// The outlook, when asked for.
    pub outlook: Option<OutlookView>,
    /// The rule set decided under.
    pub ruleset: RulesetView,
    /// `sha256:` + hex of the exact application bytes decided, when known.
    pub input_sha256: Option<String>,
}

/// A code and the name the rule set gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// The code (`PEC`).
    pub code: String,
    /// Its name (`Pakistan Engineering Council`), or the code when the rule set has none.
    pub name: String,
}

/// The agreement applied.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its two parties.
    pub parties: Vec<Named>,
    /// The clause of its order of precedence (`4.1`).
    pub decision_clause: String,
    /// The clause of its grant (`4.2`).
    pub grant_clause: String,
}

/// One clause's result, with the agreement's own words.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    /// Its number as the agreement writes it.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// Its text, quoted from the agreement.
    pub text: String,
    /// `met`, `not_met` or `unknown`.
    pub status: &'static str,
    /// The status in words: `met`, `met with measure M2`, `not met`, `unknown`.
    pub status_words: String,
    /// The measure it was met with, if any.
    pub measure: Option<String>,
    /// The evaluation's explanation with its figures.
    pub detail: String,
    /// The figures, by name, shown as text.
    pub figures: Vec<FigureView>,
    /// How far short it falls, in days and years or in hours, when it does.
    pub shortfall: Option<String>,
    /// The evidence missing for it, in words.
    pub missing: Vec<String>,
}

/// A named figure, shown as text.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    /// The contract's name (`counted_days`).
    pub name: String,
    /// The value for people (`2,572`, `2018-07-15`).
    pub value: String,
}

/// A measure or a requirement.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Its identifier.
    pub id: String,
    /// The clause calling for it.
    pub clause: String,
    /// What to do.
    pub description: String,
}

/// The credential granted.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView {
    /// The host body.
    pub body: Named,
    /// Its credential.
    pub credential: Named,
    /// A provisional licence?
    pub provisional: bool,
    /// In words: `a provisional licence as Professional Engineer (PE) of the China Society of Engineers`.
    pub words: String,
}

/// The applicant's right to a review of the decision.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRights {
    /// The clause giving it.
    pub clause: String,
    /// Its period in days, when the agreement fixes one.
    pub days: Option<i64>,
    /// The day the decision took effect, when the register knows it.
    pub effective_on: Option<String>,
    /// The last day to request a review, when the register knows the effective date.
    pub until: Option<String>,
    /// In words.
    pub words: String,
}

/// The rule set decided under.
#[derive(Debug, Clone, Serialize)]
pub struct RulesetView {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its fingerprint.
    pub fingerprint: String,
}

/// A decision with the application it was made on, and the input's hash:
/// what an explanation is built from.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The decision and, when asked for, its outlook.
    pub assessed: Assessed,
    /// The application decided.
    pub application: Application,
    /// `sha256:` + hex of the exact bytes decided.
    pub input_sha256: String,
}

impl Explained {
    /// The explanation (without review dates: see [`Explanation::with_effect`]).
    pub fn explanation(&self, rules: &RuleSet) -> Explanation {
        explain(rules, &self.application, &self.assessed, Some(&self.input_sha256))
    }
}

/// Reads, parses and assesses the application at `path` (its extension
/// gives the format), keeping what an explanation needs.
pub fn assess_file(
    rules: &RuleSet,
    path: &Path,
    as_of: Option<accord_core::Date>,
    outlook: bool,
) -> Result<Explained, DecideError> {
    let bytes = accord_core::application::read_bytes(path)?;
    assess_bytes(rules, path, None, bytes, as_of, outlook)
}

/// Like [`assess_file`] for bytes already read (standard input, an
/// upload): `format` when the name has no extension that gives one.
pub fn assess_bytes(
    rules: &RuleSet,
    name: &Path,
    format: Option<Format>,
    bytes: Vec<u8>,
    as_of: Option<accord_core::Date>,
    outlook: bool,
) -> Result<Explained, DecideError> {
    let input_sha256 = accord_register::chain::sha256_hex(&bytes);
    let application = match format {
        None => Application::from_bytes(name, bytes, rules)?,
        Some(format) => {
            let limit = accord_core::file::Kind::Application.limit();
            if bytes.len() as u64 > limit {
                return Err(DecideError::Input(accord_core::Error::Input {
                    file: name.to_path_buf(),
                    position: None,
                    path: ".".into(),
                    message: format!(
                        "the input is {}, beyond the limit of {} for an application file",
                        accord_core::file::size_text(bytes.len() as u64),
                        accord_core::file::size_text(limit)
                    ),
                }));
            }
            let text = accord_core::rules::text_of(name, bytes)?;
            Application::parse(name, format, &text, rules)?
        }
    };
    let assessed =
        crate::decide::assess(rules, &application, as_of, outlook).map_err(|gap| DecideError::Gap {
            file: name.to_path_buf(),
            gap,
        })?;
    Ok(Explained {
        assessed,
        application,
        input_sha256,
    })
}

/// Why a case's decision cannot be explained.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The register refused or failed, or the case has no decision.
    #[error(transparent)]
    Register(#[from] accord_register::Error),
    /// The stored input cannot be decided again.
    #[error(transparent)]
    Decide(#[from] DecideError),
}

/// The decision in effect on case `id` (else its latest assessment),
/// decided again from the register's stored input, rule set and
/// assessment date, with the review rights the register's clocks give on
/// `today`. A decision that does not come out as recorded is an error
/// (`ledger replay` names it), never a letter.
pub fn of_case(register: &Register, id: &str, today: NaiveDate) -> Result<Explanation, CaseError> {
    let case = register.require(id)?;
    let refused = |message: String| CaseError::Register(accord_register::Error::Refused(message));
    let assessment = match &case.effective {
        Some(effective) => case.assessments.iter().find(|a| a.entry == effective.decision),
        None => case.assessments.last(),
    }
    .ok_or_else(|| refused(format!("case `{id}` has no decision yet: assess it first")))?;
    let version = case
        .versions
        .iter()
        .find(|v| v.number == assessment.version)
        .ok_or_else(|| {
            refused(format!(
                "case `{id}`: version {} is not recorded",
                assessment.version
            ))
        })?;
    let input = register.input(&version.sha256)?.ok_or_else(|| {
        refused(format!(
            "case `{id}`: the input of version {} is missing",
            version.number
        ))
    })?;
    let rules = register.stored_rules(&assessment.ruleset)?.ok_or_else(|| {
        refused(format!(
            "case `{id}`: its rule set {} is not in the register",
            assessment.ruleset
        ))
    })?;
    let explained = assess_bytes(
        &rules,
        Path::new(&input.name),
        None,
        input.bytes,
        Some(accord_core::Date(assessment.as_of)),
        false,
    )?;
    let recorded = case
        .entry(assessment.entry)
        .and_then(|e| e.decision.as_deref())
        .and_then(|json| crate::contract::Decision::read(json).ok());
    let again = crate::contract::Decision::from(&explained.assessed.decision);
    if recorded.is_none_or(|r| !r.differences(&again).is_empty()) {
        return Err(refused(format!(
            "case `{id}`: the decision of ledger entry {} does not come out again as recorded (see `accord ledger replay`)",
            assessment.entry
        )));
    }
    let mut explanation = explained.explanation(&rules);
    if case
        .effective
        .as_ref()
        .is_some_and(|e| e.decision == assessment.entry)
    {
        let agreement = Register::agreement_of(&rules, &case);
        let until = accord_register::clock::clocks(&case, agreement, today)
            .into_iter()
            .find(|c| c.kind == accord_register::clock::Kind::ReviewRequest)
            .and_then(|c| match c.state {
                accord_register::clock::State::Running { deadline }
                | accord_register::clock::State::Closed { deadline } => Some(deadline),
                _ => c
                    .days
                    .and_then(|d| c.started.checked_add_days(chrono::Days::new(d.unsigned_abs()))),
            });
        let on = case.effective.as_ref().map(|e| e.on);
        explanation = explanation.with_effect(on, until);
    }
    Ok(explanation)
}

/// Explains `assessed`, the decision on `application` under `rules`.
pub fn explain(
    rules: &RuleSet,
    application: &Application,
    assessed: &Assessed,
    input_sha256: Option<&str>,
) -> Explanation {
    let d = &assessed.decision;
    let agreement = d
        .agreement
        .as_deref()
        .and_then(|id| rules.agreements().iter().find(|a| a.id == id));
    let body = |code: &str| named_body(rules, code);
    let clauses = d.criteria.iter().map(|c| clause_view(agreement, d, c)).collect();
    let grant = d.grant.as_ref().map(|g| {
        let credential = rules
            .bodies()
            .get(&g.body)
            .and_then(|b| b.credentials.iter().find(|c| c.code == g.credential))
            .map_or_else(|| g.credential.clone(), |c| c.name.as_str().to_owned());
        let body = body(&g.body);
        let words = format!(
            "{} as {credential} ({}) of {} ({})",
            if g.provisional {
                "a provisional licence"
            } else {
                "a licence"
            },
            g.credential,
            body.name,
            body.code
        );
        GrantView {
            body,
            credential: Named {
                code: g.credential.clone(),
                name: credential,
            },
            provisional: g.provisional,
            words,
        }
    });
    let item = |id: &str, clause: &str, description: &str| ItemView {
        id: id.to_owned(),
        clause: clause.to_owned(),
        description: description.to_owned(),
    };
    let mut explanation = Explanation {
        application: d.application.clone(),
        applicant: application.applicant().name.clone(),
        as_of: d.as_of.to_string(),
        as_of_long: long_date(d.as_of.get()),
        outcome: d.outcome.as_str(),
        grants: d.grant.is_some(),
        reason: d.reason.clone(),
        agreement: agreement.map(|a| AgreementView {
            id: a.id.clone(),
            title: a.title.as_str().to_owned(),
            parties: a.parties.iter().map(|p| body(p)).collect(),
            decision_clause: a.decision.clause.clone(),
            grant_clause: a.grant.clause.clone(),
        }),
        home_body: body(&d.home_body),
        host_body: body(&d.host_body),
        discipline: Named {
            code: d.discipline.clone(),
            name: rules
                .disciplines()
                .get(&d.discipline)
                .map_or_else(|| d.discipline.clone(), |x| x.name.as_str().to_owned()),
        },
        clauses,
        experience: agreement.and_then(|a| tables::experience(a, application, d)),
        cpd: agreement
            .map(|a| tables::cpd(a, application, d))
            .unwrap_or_default(),
        degrees: agreement
            .map(|a| tables::degrees(rules, a, application, d))
            .unwrap_or_default(),
        measures: d
            .measures
            .iter()
            .map(|m| item(&m.id, &m.clause, &m.description))
            .collect(),
        requirements: d
            .requirements
            .iter()
            .map(|r| item(&r.id, &r.clause, &r.description))
            .collect(),
        grant,
        to_supply: d
            .missing
            .iter()
            .map(|p| crate::contract::to_supply(p).into_owned())
            .collect(),
        next_steps: Vec::new(),
        review: None,
        outlook: assessed.outlook.as_ref().map(|o| outlook_view(d, o)),
        ruleset: RulesetView {
            id: rules.header().id.clone(),
            title: rules.header().title.as_str().to_owned(),
            fingerprint: d.ruleset.to_string(),
        },
        input_sha256: input_sha256.map(str::to_owned),
    };
    explanation.review = agreement.and_then(|a| words::review_rights(a, d, None, None));
    explanation.next_steps = words::next_steps(&explanation, d, assessed.outlook.as_ref());
    explanation
}

impl Explanation {
    /// Adds what the register knows: the day the decision took effect and
    /// the last day to request a review.
    pub fn with_effect(mut self, effective_on: Option<NaiveDate>, until: Option<NaiveDate>) -> Explanation {
        if let Some(review) = self.review.as_mut() {
            review.effective_on = effective_on.map(|d| d.to_string());
            review.until = until.map(|d| d.to_string());
            review.words = words::review_words(&review.clause, review.days, effective_on, until);
        }
        self
    }
}

fn named_body(rules: &RuleSet, code: &str) -> Named {
    Named {
        code: code.to_owned(),
        name: rules
            .bodies()
            .get(code)
            .map_or_else(|| code.to_owned(), |b| b.name.as_str().to_owned()),
    }
}

fn clause_view(agreement: Option<&Agreement>, d: &Decision, c: &accord_eval::CriterionResult) -> ClauseView {
    let clause = agreement.and_then(|a| a.clause(&c.clause));
    let status_words = match (c.status, &c.measure) {
        (Status::Met, Some(m)) => format!("met with measure {m}"),
        (Status::Met, None) => "met".to_owned(),
        (Status::NotMet, _) => "not met".to_owned(),
        (Status::Unknown, _) => "unknown".to_owned(),
    };
    let criterion = clause.and_then(|x| x.criterion.as_ref());
    let year_length = agreement.and_then(|a| {
        d.parameters
            .iter()
            .find(|p| p.id == a.year_length)
            .map(|p| p.value)
    });
    ClauseView {
        clause: c.clause.clone(),
        title: c.title.clone(),
        text: clause.map(|x| x.text.as_str().to_owned()).unwrap_or_default(),
        status: c.status.as_str(),
        status_words,
        measure: c.measure.clone(),
        detail: c.detail.clone(),
        figures: c
            .figures
            .iter()
            .map(|f| FigureView {
                name: f.name.to_owned(),
                value: figure_text(&f.value),
            })
            .collect(),
        shortfall: criterion.and_then(|k| words::shortfall(k, c, year_length)),
        missing: c
            .missing
            .iter()
            .map(|p| crate::contract::to_supply(p).into_owned())
            .collect(),
    }
}

/// A figure for people: numbers grouped (`2,572`), dates as written.
pub fn figure_text(value: &FigureValue) -> String {
    match value {
        FigureValue::Number(n) => n.grouped(),
        FigureValue::Date(d) => d.to_string(),
        FigureValue::Text(t) => t.clone(),
    }
}

/// A number figure of a result, by name.
fn number(c: &accord_eval::CriterionResult, name: &str) -> Option<Decimal> {
    c.figures
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| match f.value {
            FigureValue::Number(n) => Some(n),
            _ => None,
        })
}

/// A date figure of a result, by name.
fn date(c: &accord_eval::CriterionResult, name: &str) -> Option<NaiveDate> {
    c.figures
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| match f.value {
            FigureValue::Date(d) => Some(d.get()),
            _ => None,
        })
}

/// The result of the clause whose criterion is `criterion`'s kind, by clause number.
fn criterion_of<'a>(agreement: &'a Agreement, clause: &str) -> Option<&'a Criterion> {
    agreement.clause(clause).and_then(|c| c.criterion.as_ref())
}

#[cfg(test)]
mod tests;
