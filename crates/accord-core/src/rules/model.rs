//! The rule language: what a rule file may say, as Rust types.
//!
//! Everything an agreement fixes (parties, dates, disciplines, credentials,
//! thresholds, windows, measures, grants, requirements, the order of
//! outcomes) is a value here; the engine implements each [`Criterion`] kind
//! generically and knows no body, credential or discipline by name. Every
//! struct denies unknown fields so a misspelt key fails loudly.
//!
//! The same types serialise canonically (sorted, whitespace-normalised) for
//! the fingerprint; see `fingerprint.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::decimal::Decimal;
use crate::prose::Prose;

/// One rule file: any of the sections, merged with the other files of the set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rule set's identity; exactly one file of a set carries it.
    #[serde(default)]
    pub ruleset: Option<RuleSetHeader>,
    /// Bodies and their credentials.
    #[serde(default)]
    pub bodies: Vec<Body>,
    /// Disciplines known to the rule set.
    #[serde(default)]
    pub disciplines: Vec<Discipline>,
    /// Accreditation schedules (e.g. Washington Accord signatories).
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    /// Recognition agreements between two bodies.
    #[serde(default)]
    pub agreements: Vec<Agreement>,
}

/// The rule set's identity and settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetHeader {
    /// Identifier, e.g. `accord-bundled`.
    pub id: String,
    /// Human title.
    pub title: Prose,
    /// Minimum rule-test coverage, in percent, that `accord test --coverage` demands.
    #[serde(default)]
    pub coverage_minimum: Option<Decimal>,
}

/// What a body does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyRole {
    /// Registers professional engineers.
    Registration,
    /// Accredits degree programmes.
    Accreditation,
}

/// A professional or accreditation body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Code used in applications, e.g. `PEC`.
    pub code: String,
    /// Full name.
    pub name: Prose,
    /// Registration, accreditation or both.
    pub roles: Vec<BodyRole>,
    /// Credentials it registers.
    #[serde(default)]
    pub credentials: Vec<Credential>,
}

/// A credential a body registers, e.g. PEC's `PE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// Code within the body.
    pub code: String,
    /// Full name.
    pub name: Prose,
}

/// An engineering discipline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discipline {
    /// Code used in applications, e.g. `civil`.
    pub code: String,
    /// Full name.
    pub name: Prose,
}

/// A dated list of accreditation bodies, such as the Washington Accord's
/// full signatories with their admission dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Identifier referenced by criteria.
    pub id: String,
    /// How the agreement names it, e.g. `Schedule 1`.
    pub clause: String,
    /// Title.
    pub title: Prose,
    /// Its text, quoted in explanations.
    #[serde(default)]
    pub text: Prose,
    /// The bodies listed and since when.
    pub entries: Vec<ScheduleEntry>,
}

/// A body listed in a schedule from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    /// The body's code.
    pub body: String,
    /// First day it is covered (included).
    pub since: Date,
    /// Why that date, for the record.
    #[serde(default)]
    pub note: Prose,
}

/// A recognition agreement between exactly two bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Identifier written into decisions, e.g. `cse-pec-mra`.
    pub id: String,
    /// Title.
    pub title: Prose,
    /// The two parties' body codes.
    pub parties: Vec<String>,
    /// The parameter (unit `days`) that says how many days make a year (clause 1.3).
    pub year_length: String,
    /// Every clause, definitions included, each with its number, title and text.
    pub clauses: Vec<Clause>,
    /// Thresholds and windows, each with its effective periods.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Compensation measures the criteria may call for.
    #[serde(default)]
    pub measures: Vec<Measure>,
    /// How criteria results become an outcome.
    pub decision: DecisionRule,
    /// What an applicant is granted.
    pub grant: Grant,
    /// Requirements attached to a grant.
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    /// Article 6 procedure: acknowledgement and decision periods.
    #[serde(default)]
    pub procedure: Option<Procedure>,
    /// Clause indices in dependency order; derived on loading, not written.
    #[serde(skip)]
    pub(crate) evaluation_order: Vec<usize>,
}

/// A clause of an agreement. Clauses with a criterion are evaluated; the
/// others (definitions, amendments) are cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Number exactly as the agreement writes it, e.g. `3.5`.
    pub clause: String,
    /// Title, e.g. `Continuing professional development`.
    pub title: Prose,
    /// The clause's text, quoted in explanations.
    pub text: Prose,
    /// Clauses this one relies on (definitions, other criteria).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// What the clause tests, if anything.
    #[serde(default, with = "crate::yaml::singleton_map")]
    pub criterion: Option<Criterion>,
}

/// The closed vocabulary of criterion kinds the engine implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Criterion {
    /// Scope: the home body is one party and the host body the other.
    Parties,
    /// Scope: the assessment date is on or after a date.
    InForce {
        /// First assessment date covered.
        from: Date,
    },
    /// Scope: the discipline is one of a list.
    Disciplines {
        /// Discipline codes in scope.
        in_scope: Vec<String>,
    },
    /// A current registration with the home body in a qualifying credential.
    CurrentRegistration {
        /// Qualifying credentials by home body.
        credentials: BTreeMap<String, Vec<String>>,
    },
    /// A degree recognised by accreditation or by equivalence.
    RecognisedEducation(RecognisedEducation),
    /// Counted days since graduation reach a number of years.
    CountedDays(CountedDays),
    /// Hours of CPD completed in a trailing window reach a minimum.
    HoursInWindow {
        /// Parameter (unit `hours`): the minimum.
        minimum: String,
        /// Parameter (unit `years`): the window before the assessment date.
        window: String,
    },
    /// No sanction with a status dated in a window (or ever, up to the assessment date).
    NoRecord {
        /// The sanction status that fails the criterion.
        status: SanctionStatus,
        /// Parameter (unit `years`): the window; absent means any date up to the assessment date.
        #[serde(default)]
        window: Option<String>,
    },
}

/// Clause 3.2's shape: accreditation by a schedule, or equivalence with a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecognisedEducation {
    /// Parameter (unit `years`): the minimum programme length.
    pub min_programme_years: String,
    /// Schedule whose bodies must have listed the programme's accreditor on the day of conferral.
    pub schedule: String,
    /// The equivalence route, if the agreement has one.
    #[serde(default)]
    pub equivalence: Option<Equivalence>,
}

/// Recognition by a substantial-equivalence assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalence {
    /// Which side's body must have made the assessment.
    pub assessed_by: Side,
    /// Measure the route requires.
    pub measure: String,
}

/// The home or host side of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The body the applicant is registered with.
    HomeBody,
    /// The body recognition is sought from.
    HostBody,
}

/// Clause 3.3/3.4's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedDays {
    /// Which experience periods count.
    pub periods: PeriodFilter,
    /// Parameter (unit `years`): met at or above.
    pub minimum: String,
    /// A lower band met with a measure.
    #[serde(default)]
    pub with_measure: Option<MeasureBand>,
}

/// Which experience periods a count uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodFilter {
    /// Every period.
    All,
    /// Periods flagged `responsible_charge` only.
    ResponsibleCharge,
}

/// "From N years up to the minimum, met with a measure."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureBand {
    /// Parameter (unit `years`): the band's floor.
    pub minimum: String,
    /// The measure.
    pub measure: String,
}

/// Sanction statuses, as the application contract defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionStatus {
    /// Imposed.
    Imposed,
    /// Under investigation.
    Pending,
    /// Overturned on appeal.
    Overturned,
}

/// A threshold or window, with the periods in which each value applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Identifier referenced by criteria.
    pub id: String,
    /// Clause that fixes it.
    pub clause: String,
    /// Human title.
    pub title: Prose,
    /// Its unit.
    pub unit: Unit,
    /// Values by period; together they cover every date from entry into force on, without overlap.
    pub periods: Vec<ParameterPeriod>,
}

/// Units of parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days.
    Days,
    /// Hours.
    Hours,
    /// Years.
    Years,
}

/// One value of a parameter, in force from a date (included) to a date (included) or on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterPeriod {
    /// First assessment date.
    pub from: Date,
    /// Last assessment date; absent for "until further notice".
    #[serde(default)]
    pub to: Option<Date>,
    /// The value.
    pub value: Decimal,
    /// The clause (an amendment) that set this value, if not the original text.
    #[serde(default)]
    pub cites: Option<String>,
}

/// A compensation measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Identifier, e.g. `M1`.
    pub id: String,
    /// The clause that calls for it.
    pub clause: String,
    /// What the applicant must do.
    pub description: Prose,
}

/// The order of precedence of outcomes (clause 4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRule {
    /// Clause number.
    pub clause: String,
    /// The steps, first match wins; the last must be `always`.
    pub precedence: Vec<PrecedenceStep>,
}

/// The outcomes of the decision contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Recognised through the expedited procedure.
    Expedited,
    /// Recognised with compensation measures.
    Conditional,
    /// Referred to the host body's review panel.
    Referred,
    /// Evidence missing.
    Incomplete,
    /// Outside the expedited route: the host body's standard procedure.
    Standard,
}

impl Outcome {
    /// Every outcome, in the contract's order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Expedited,
        Outcome::Conditional,
        Outcome::Referred,
        Outcome::Incomplete,
        Outcome::Standard,
    ];

    /// The outcome named `text` (the contract's name), if there is one.
    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Expedited => "expedited",
            Outcome::Conditional => "conditional",
            Outcome::Referred => "referred",
            Outcome::Incomplete => "incomplete",
            Outcome::Standard => "standard",
        }
    }
}

/// One step: this outcome when any of the conditions holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrecedenceStep {
    /// The outcome.
    pub outcome: Outcome,
    /// Any of these.
    #[serde(with = "crate::yaml::singleton_map")]
    pub when: Vec<Condition>,
}

/// Conditions on criteria results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// A scope clause is not met.
    OutOfScope,
    /// One of these clauses is not met.
    NotMet(Vec<String>),
    /// Some criterion is unknown.
    AnyUnknown,
    /// Some criterion calls for a measure.
    AnyMeasure,
    /// Always.
    Always,
}

/// What a favourable decision grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Clause number.
    pub clause: String,
    /// The outcomes that grant.
    pub outcomes: Vec<Outcome>,
    /// A provisional licence?
    pub provisional: bool,
    /// The credential granted, by host body.
    pub credentials: Vec<GrantedCredential>,
}

/// The credential a host body grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantedCredential {
    /// Host body.
    pub host: String,
    /// Its credential.
    pub credential: String,
}

/// A requirement attached to a grant under conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Identifier, e.g. `H1`.
    pub id: String,
    /// Clause number.
    pub clause: String,
    /// What the applicant must do.
    pub description: Prose,
    /// When it applies (all given fields must match).
    pub when: RequirementCondition,
}

/// The condition of a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementCondition {
    /// The host body must be this.
    #[serde(default)]
    pub host: Option<String>,
    /// The discipline must be one of these.
    #[serde(default)]
    pub disciplines: Option<Vec<String>>,
}

/// The procedure of a case under the agreement, as data: its periods, what
/// stops the decision clock, and, where the agreement has them, a second
/// signatory, review, and what a missed decision deadline means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// Clause of the acknowledgement period.
    pub acknowledgement_clause: String,
    /// Parameter (unit `days`): days after receipt to acknowledge.
    pub acknowledgement: String,
    /// Clause of the decision period.
    pub decision_clause: String,
    /// Parameter (unit `days`): days after completeness to decide.
    pub decision: String,
    /// The outcome that stops the decision clock.
    pub clock_stopped_by: Outcome,
    /// Decisions that take effect only once a second assessor confirms them.
    #[serde(default)]
    pub confirmation: Option<Confirmation>,
    /// Review of a decision that took effect, on the applicant's request.
    #[serde(default)]
    pub review: Option<Review>,
    /// What follows when no decision has taken effect by the decision deadline.
    #[serde(default)]
    pub missed_deadline: Option<MissedDeadline>,
}

impl Procedure {
    /// The parameters it reads (each a period in days), with the field naming each.
    pub fn parameters(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("procedure.acknowledgement", self.acknowledgement.as_str()),
            ("procedure.decision", self.decision.as_str()),
        ];
        if let Some(review) = &self.review {
            out.push(("procedure.review.request_within", review.request_within.as_str()));
            out.push(("procedure.review.decide_within", review.decide_within.as_str()));
        }
        out
    }

    /// Every clause it names.
    pub fn clauses(&self) -> Vec<&str> {
        let mut out = vec![
            self.acknowledgement_clause.as_str(),
            self.decision_clause.as_str(),
        ];
        if let Some(c) = &self.confirmation {
            out.push(&c.clause);
            out.extend(c.voided_by_new_version.as_deref());
        }
        if let Some(r) = &self.review {
            out.push(&r.request_clause);
            out.push(&r.decision_clause);
        }
        if let Some(m) = &self.missed_deadline {
            out.push(&m.clause);
        }
        out
    }
}

/// A second signatory (e.g. clause 7.1): the outcomes whose decision one
/// assessor proposes and another confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The clause that requires it.
    pub clause: String,
    /// The outcomes that need confirming (the granting ones).
    pub outcomes: Vec<Outcome>,
    /// The clause under which a newer version voids a pending proposal, if the agreement says so.
    #[serde(default)]
    pub voided_by_new_version: Option<String>,
}

/// Review on request (e.g. clauses 7.3 and 7.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The clause that grants the request.
    pub request_clause: String,
    /// Parameter (unit `days`): the last day to request, counted from the day the decision took effect.
    pub request_within: String,
    /// The clause of the review's decision.
    pub decision_clause: String,
    /// Parameter (unit `days`): days from the request's receipt to decide it.
    pub decide_within: String,
    /// Whether the reviewer must be an assessor who neither proposed nor confirmed the decision reviewed.
    #[serde(default)]
    pub independent: bool,
}

/// The consequence of a missed decision deadline (e.g. clause 7.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissedDeadline {
    /// The clause that says so.
    pub clause: String,
    /// What it means.
    pub means: DeadlineConsequence,
}

/// What a missed decision deadline means, from the day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineConsequence {
    /// Nothing: the duty to decide goes on.
    Nothing,
    /// Deemed refused, for the purpose of review only: a review may be
    /// requested from that day, and the duty to decide goes on.
    DeemedRefusal,
    /// Deemed approved (tacit approval): the application is granted from
    /// that day, and the case closes.
    DeemedApproval,
}

impl DeadlineConsequence {
    /// Its name in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineConsequence::Nothing => "nothing",
            DeadlineConsequence::DeemedRefusal => "deemed_refusal",
            DeadlineConsequence::DeemedApproval => "deemed_approval",
        }
    }
}
