//! The decision and its parts: what `assess` returns and every output format
//! is built from. Plain data, ordered, with no I/O.

use accord_core::rules::criterion::Branch;
use accord_core::rules::model::Outcome;
use accord_core::rules::Fingerprint;
use accord_core::{Date, Decimal};

/// The result of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// The criterion is met (possibly with a measure).
    Met,
    /// The criterion is not met.
    NotMet,
    /// The evidence needed to decide is missing.
    Unknown,
}

impl Status {
    /// The status a branch gives: met with or without a measure is met.
    pub fn of(branch: Branch) -> Status {
        match branch {
            Branch::Met | Branch::MetWithMeasure => Status::Met,
            Branch::NotMet => Status::NotMet,
            Branch::Unknown => Status::Unknown,
        }
    }

    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
        }
    }
}

/// A figure behind a criterion's result, for explanations and comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureValue {
    /// An exact number (days, hours, years).
    Number(Decimal),
    /// A date.
    Date(Date),
    /// A code or short text.
    Text(String),
}

/// A named figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Name, e.g. `counted_days`.
    pub name: &'static str,
    /// Value.
    pub value: FigureValue,
}

/// The evaluation of one clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResult {
    /// Clause number as the agreement writes it.
    pub clause: String,
    /// Clause title.
    pub title: String,
    /// Met, not met or unknown.
    pub status: Status,
    /// The measure the result calls for, when met with one.
    pub measure: Option<String>,
    /// A one-sentence explanation with the figures.
    pub detail: String,
    /// The figures, named.
    pub figures: Vec<Figure>,
    /// Evidence missing (contract field names), when unknown.
    pub missing: Vec<String>,
    /// Which way the clause went, for rule-test coverage.
    pub branch: Branch,
}

/// A compensation measure the decision requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRequired {
    /// Identifier.
    pub id: String,
    /// Clause calling for it.
    pub clause: String,
    /// What to do.
    pub description: String,
}

/// The credential granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantMade {
    /// Host body.
    pub body: String,
    /// Credential.
    pub credential: String,
    /// Provisional licence?
    pub provisional: bool,
}

/// A host requirement attached to the grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementAttached {
    /// Identifier.
    pub id: String,
    /// Clause.
    pub clause: String,
    /// What to do.
    pub description: String,
}

/// A dated parameter value that the decision used, with the period it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterUsed {
    /// Parameter id.
    pub id: String,
    /// Index of the period in force.
    pub period: usize,
    /// Value.
    pub value: Decimal,
}

/// A gap in the rule set met while evaluating: a parameter with no value on
/// the assessment date, a window outside the calendar. Validation makes
/// these impossible for a loaded rule set; should one slip through, it is
/// an error beside the application's file, never an `unknown` that asks the
/// applicant for evidence they cannot give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the rule set cannot decide clause {clause} of agreement `{agreement}` on {as_of}: {problem}")]
pub struct RuleGap {
    /// The agreement.
    pub agreement: String,
    /// The clause being evaluated.
    pub clause: String,
    /// The assessment date.
    pub as_of: Date,
    /// What is missing from the rule set.
    pub problem: String,
}

/// A decision on one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The application's id.
    pub application: String,
    /// The assessment date used.
    pub as_of: Date,
    /// Outcome.
    pub outcome: Outcome,
    /// The agreement applied, if any.
    pub agreement: Option<String>,
    /// Fingerprint of the rule set used.
    pub ruleset: Fingerprint,
    /// Home body, host body and discipline, as applied for.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
    /// Discipline.
    pub discipline: String,
    /// Each clause evaluated, in clause order.
    pub criteria: Vec<CriterionResult>,
    /// Measures required (conditional decisions).
    pub measures: Vec<MeasureRequired>,
    /// Evidence missing (incomplete decisions).
    pub missing: Vec<String>,
    /// Credential granted (expedited and conditional decisions).
    pub grant: Option<GrantMade>,
    /// Requirements attached to the grant.
    pub requirements: Vec<RequirementAttached>,
    /// Why, in one sentence: the precedence step that decided.
    pub reason: String,
    /// Index of the precedence step that decided, when an agreement applied.
    pub precedence_step: Option<usize>,
    /// Dated parameters used, for audit and coverage.
    pub parameters: Vec<ParameterUsed>,
}
