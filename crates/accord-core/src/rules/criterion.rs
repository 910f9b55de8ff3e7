//! What each criterion kind says about itself, declared once: the
//! parameters it reads (with their unit and how it uses them), the branches
//! its evaluation can take, and the measures it can call for. Validation
//! checks the parameters from here, the evaluator reports one of these
//! branches, and rule-test coverage and mutation testing enumerate them, so
//! a new kind cannot be half-declared.

use serde::Serialize;

use super::model::{Criterion, Unit};

/// Which way a criterion's evaluation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    /// Met outright.
    Met,
    /// Met only with a compensation measure.
    MetWithMeasure,
    /// Not met.
    NotMet,
    /// The evidence needed is not provided.
    Unknown,
}

impl Branch {
    /// The name used in coverage reports and rule tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Branch::Met => "met",
            Branch::MetWithMeasure => "met_with_measure",
            Branch::NotMet => "not_met",
            Branch::Unknown => "unknown",
        }
    }
}

/// How a criterion (or the agreement, or its procedure) uses a parameter:
/// this fixes the parameter's unit, whether it must be whole, and what "one
/// step" of it is (for mutation testing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterRole {
    /// Years turned into a threshold of counted days (clause 1.3's arithmetic).
    YearsAsDays,
    /// Whole years of a calendar window before the assessment date (clause 1.6).
    WindowYears,
    /// Whole years compared as a count (a programme's length).
    WholeYears,
    /// Hours, compared exactly.
    Hours,
    /// Days in a year (clause 1.3), any decimal.
    DaysPerYear,
    /// Whole days of a procedural period (Article 6).
    PeriodDays,
}

impl ParameterRole {
    /// The unit the parameter must be declared in.
    pub fn unit(self) -> Unit {
        match self {
            ParameterRole::YearsAsDays | ParameterRole::WindowYears | ParameterRole::WholeYears => {
                Unit::Years
            }
            ParameterRole::Hours => Unit::Hours,
            ParameterRole::DaysPerYear | ParameterRole::PeriodDays => Unit::Days,
        }
    }

    /// Why the value must be a whole number, when it must.
    pub fn whole(self) -> Option<&'static str> {
        match self {
            ParameterRole::WindowYears => Some("a whole number of years here (calendar windows)"),
            ParameterRole::WholeYears => Some("a whole number of years here (a count of years)"),
            ParameterRole::PeriodDays => Some("a whole number of days here (a procedural period)"),
            _ => None,
        }
    }
}

/// One parameter a criterion reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterUse<'a> {
    /// Where it is named, below the criterion (e.g. `counted_days.minimum`).
    pub field: &'static str,
    /// The parameter's id.
    pub id: &'a str,
    /// How it is used.
    pub role: ParameterRole,
}

impl Criterion {
    /// The kind's name as rule files write it.
    pub fn kind(&self) -> &'static str {
        match self {
            Criterion::Parties => "parties",
            Criterion::InForce { .. } => "in_force",
            Criterion::Disciplines { .. } => "disciplines",
            Criterion::CurrentRegistration { .. } => "current_registration",
            Criterion::RecognisedEducation(_) => "recognised_education",
            Criterion::CountedDays(_) => "counted_days",
            Criterion::HoursInWindow { .. } => "hours_in_window",
            Criterion::NoRecord { .. } => "no_record",
        }
    }

    /// Scope kinds (Article 2) gate the rest: when one is not met, the
    /// other criteria are not evaluated and `out_of_scope` holds.
    pub fn is_scope(&self) -> bool {
        matches!(
            self,
            Criterion::Parties | Criterion::InForce { .. } | Criterion::Disciplines { .. }
        )
    }

    /// The parameters the kind reads, besides the agreement's year length
    /// (which [`Criterion::uses_year_length`] says it needs).
    pub fn parameters(&self) -> Vec<ParameterUse<'_>> {
        fn uses<'a>(field: &'static str, id: &'a str, role: ParameterRole) -> ParameterUse<'a> {
            ParameterUse { field, id, role }
        }
        match self {
            Criterion::Parties
            | Criterion::InForce { .. }
            | Criterion::Disciplines { .. }
            | Criterion::CurrentRegistration { .. } => Vec::new(),
            Criterion::RecognisedEducation(r) => vec![uses(
                "recognised_education.min_programme_years",
                &r.min_programme_years,
                ParameterRole::WholeYears,
            )],
            Criterion::CountedDays(c) => {
                let mut out = vec![uses(
                    "counted_days.minimum",
                    &c.minimum,
                    ParameterRole::YearsAsDays,
                )];
                if let Some(band) = &c.with_measure {
                    out.push(uses(
                        "counted_days.with_measure.minimum",
                        &band.minimum,
                        ParameterRole::YearsAsDays,
                    ));
                }
                out
            }
            Criterion::HoursInWindow { minimum, window } => vec![
                uses("hours_in_window.minimum", minimum, ParameterRole::Hours),
                uses("hours_in_window.window", window, ParameterRole::WindowYears),
            ],
            Criterion::NoRecord { window, .. } => window
                .iter()
                .map(|w| uses("no_record.window", w, ParameterRole::WindowYears))
                .collect(),
        }
    }

    /// Whether the kind turns years into days with the agreement's year length.
    pub fn uses_year_length(&self) -> bool {
        matches!(self, Criterion::CountedDays(_))
    }

    /// The branches the kind can take on some application.
    pub fn branches(&self) -> Vec<Branch> {
        match self {
            // Only the agreement between the pair is ever evaluated: always met.
            Criterion::Parties => vec![Branch::Met],
            Criterion::InForce { .. } | Criterion::Disciplines { .. } => vec![Branch::Met, Branch::NotMet],
            Criterion::RecognisedEducation(r) if r.equivalence.is_some() => {
                vec![
                    Branch::Met,
                    Branch::MetWithMeasure,
                    Branch::NotMet,
                    Branch::Unknown,
                ]
            }
            Criterion::CountedDays(c) if c.with_measure.is_some() => {
                vec![
                    Branch::Met,
                    Branch::MetWithMeasure,
                    Branch::NotMet,
                    Branch::Unknown,
                ]
            }
            _ => vec![Branch::Met, Branch::NotMet, Branch::Unknown],
        }
    }

    /// The comparisons the kind makes, by name: each can be made strict or
    /// non-strict by a mutant (the evaluator flips the one named).
    pub fn comparisons(&self) -> Vec<&'static str> {
        match self {
            Criterion::Parties | Criterion::Disciplines { .. } => Vec::new(),
            Criterion::InForce { .. } => vec!["from"],
            Criterion::CurrentRegistration { .. } => vec!["since", "expires"],
            Criterion::RecognisedEducation(r) => {
                let mut out = vec!["conferred", "signatory since", "programme length"];
                if r.equivalence.is_some() {
                    out.push("equivalence date");
                }
                out
            }
            Criterion::CountedDays(c) => {
                let mut out = vec!["threshold"];
                if c.with_measure.is_some() {
                    out.push("band");
                }
                out
            }
            Criterion::HoursInWindow { .. } => vec!["threshold"],
            Criterion::NoRecord { .. } => vec!["on or before"],
        }
    }

    /// Whether the kind looks back over a window before the assessment date.
    pub fn has_window(&self) -> bool {
        matches!(
            self,
            Criterion::HoursInWindow { .. } | Criterion::NoRecord { window: Some(_), .. }
        )
    }

    /// The measures the kind can call for, with where each is named.
    pub fn measures(&self) -> Vec<(&'static str, &str)> {
        match self {
            Criterion::RecognisedEducation(r) => r
                .equivalence
                .iter()
                .map(|e| ("recognised_education.equivalence.measure", e.measure.as_str()))
                .collect(),
            Criterion::CountedDays(c) => c
                .with_measure
                .iter()
                .map(|b| ("counted_days.with_measure.measure", b.measure.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::{CountedDays, MeasureBand, PeriodFilter};

    #[test]
    fn a_measure_band_adds_a_branch_and_a_parameter() {
        let plain = Criterion::CountedDays(CountedDays {
            periods: PeriodFilter::All,
            minimum: "seven".into(),
            with_measure: None,
        });
        let banded = Criterion::CountedDays(CountedDays {
            periods: PeriodFilter::All,
            minimum: "seven".into(),
            with_measure: Some(MeasureBand {
                minimum: "six".into(),
                measure: "M2".into(),
            }),
        });
        assert!(!plain.branches().contains(&Branch::MetWithMeasure));
        assert!(banded.branches().contains(&Branch::MetWithMeasure));
        assert_eq!(plain.parameters().len(), 1);
        assert_eq!(banded.parameters().len(), 2);
        assert_eq!(
            banded.measures(),
            vec![("counted_days.with_measure.measure", "M2")]
        );
    }

    #[test]
    fn windows_must_be_whole_years_and_hours_need_not() {
        assert_eq!(ParameterRole::WindowYears.unit(), Unit::Years);
        assert!(ParameterRole::WindowYears.whole().is_some());
        assert!(ParameterRole::Hours.whole().is_none());
        assert!(ParameterRole::DaysPerYear.whole().is_none());
    }
}
