//! Article 6 clocks, pure: from a case's versions, events and decisions,
//! and the procedure's periods (data from the rule set), each clock's state
//! and deadline.
//!
//! - Acknowledgement: runs from the first receipt; deadline = receipt +
//!   the acknowledgement period; stops when acknowledged (or the case closes).
//! - Decision: runs from the receipt of the latest version; deadline = that
//!   day + the decision period; stopped while the latest version stands
//!   assessed with the clock-stopping outcome (`incomplete`); done when a
//!   decision closes the case.
//!
//! A deadline falls due on its day; the action is overdue from the day after.

use accord_core::rules::model::{Agreement, Outcome};
use accord_core::Date;
use chrono::NaiveDate;
use serde::Serialize;

use crate::Case;

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Acknowledge the application.
    Acknowledgement,
    /// Decide the application.
    Decision,
}

impl Kind {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Acknowledgement => "acknowledgement",
            Kind::Decision => "decision",
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// Running: the action is due by the deadline.
    Running {
        /// Last day to act.
        deadline: NaiveDate,
    },
    /// Stopped until new evidence arrives.
    Stopped {
        /// Since when.
        since: NaiveDate,
    },
    /// The action was taken.
    Done {
        /// On this day.
        on: NaiveDate,
    },
    /// No Article 6 period applies (no agreement, or not in force on the start date).
    NotApplicable,
}

/// One clock of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// Which.
    pub kind: Kind,
    /// The clause that sets it.
    pub clause: Option<String>,
    /// The day it started from.
    pub started: NaiveDate,
    /// Its period in days, when one applies.
    pub days: Option<i64>,
    /// Where it stands.
    #[serde(flatten)]
    pub state: State,
}

/// The procedure as the rule set gives it, resolved for one case.
pub trait Periods {
    /// The period (days) of `kind` for a clock starting on `start`, with its clause.
    fn days(&self, kind: Kind, start: NaiveDate) -> Option<(i64, String)>;
    /// The outcome that stops the decision clock.
    fn stopped_by(&self) -> Option<Outcome>;
}

/// Article 6 as an agreement's `procedure` states it: the periods are its
/// dated parameters, read on the day each clock starts. No agreement, or
/// none with a procedure, means no period applies.
#[derive(Debug, Clone, Copy)]
pub struct AgreementPeriods<'a>(pub Option<&'a Agreement>);

impl Periods for AgreementPeriods<'_> {
    fn days(&self, kind: Kind, start: NaiveDate) -> Option<(i64, String)> {
        let agreement = self.0?;
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

    fn stopped_by(&self) -> Option<Outcome> {
        Some(self.0?.procedure.as_ref()?.clock_stopped_by)
    }
}

/// The clocks of `case`, acknowledgement first.
pub fn clocks(case: &Case, periods: &dyn Periods) -> Vec<Clock> {
    let mut out = Vec::new();
    let (Some(first), Some(current)) = (case.received_on(), case.current()) else {
        return out;
    };
    let make = |kind: Kind, started: NaiveDate, state: &dyn Fn(NaiveDate) -> State| match periods
        .days(kind, started)
        .and_then(|(days, clause)| {
            Some((
                started.checked_add_signed(chrono::Duration::try_days(days)?)?,
                days,
                clause,
            ))
        }) {
        Some((deadline, days, clause)) => Clock {
            kind,
            clause: Some(clause),
            started,
            days: Some(days),
            state: state(deadline),
        },
        None => Clock {
            kind,
            clause: None,
            started,
            days: None,
            state: State::NotApplicable,
        },
    };
    out.push(make(
        Kind::Acknowledgement,
        first,
        &|deadline| match (case.acknowledged_on, case.closed_on) {
            (Some(on), _) | (None, Some(on)) => State::Done { on },
            (None, None) => State::Running { deadline },
        },
    ));
    // The latest decision on the current version, if any.
    let latest_outcome = case
        .decisions
        .iter()
        .rev()
        .find(|e| e.version == Some(current.number))
        .map(|e| e.outcome);
    let stopped = latest_outcome.is_some() && latest_outcome == periods.stopped_by();
    out.push(make(
        Kind::Decision,
        current.received_on,
        &|deadline| match case.closed_on {
            Some(on) => State::Done { on },
            None if stopped => State::Stopped {
                since: case
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.kind == "assessed")
                    .map_or(current.received_on, |e| e.on),
            },
            None => State::Running { deadline },
        },
    ));
    out
}

/// Days from `today` to `deadline`: positive left, 0 due today, negative overdue.
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

/// "due in 3 days", "due today", "overdue by 2 days".
pub fn describe(deadline: NaiveDate, today: NaiveDate) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    match days_left(deadline, today) {
        0 => "due today".into(),
        n if n > 0 => format!("due in {n} day{}", plural(n)),
        n => format!("overdue by {} day{}", -n, plural(-n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Entry;
    use crate::{Event, Version};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    struct Article6;
    impl Periods for Article6 {
        fn days(&self, kind: Kind, _: NaiveDate) -> Option<(i64, String)> {
            Some(match kind {
                Kind::Acknowledgement => (10, "6.1".into()),
                Kind::Decision => (30, "6.2".into()),
            })
        }
        fn stopped_by(&self) -> Option<Outcome> {
            Some(Outcome::Incomplete)
        }
    }

    fn version(number: i64, received: &str) -> Version {
        Version {
            number,
            received_on: d(received),
            file_name: "a.yaml".into(),
            sha256: String::new(),
            recorded_at: String::new(),
            bytes: Vec::new(),
        }
    }

    fn decision(version: i64, outcome: Outcome) -> Entry {
        Entry {
            seq: 1,
            recorded_at: String::new(),
            case_id: "A".into(),
            version: Some(version),
            input_sha256: String::new(),
            ruleset: String::new(),
            outcome,
            decision: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn case() -> Case {
        Case {
            id: "A".into(),
            home_body: "PEC".into(),
            host_body: "CSE".into(),
            acknowledged_on: None,
            closed_on: None,
            closing_outcome: None,
            versions: vec![version(1, "2026-01-05")],
            events: Vec::new(),
            decisions: Vec::new(),
        }
    }

    #[test]
    fn a_new_case_runs_both_clocks_from_receipt() {
        let clocks = clocks(&case(), &Article6);
        assert_eq!(
            clocks[0].state,
            State::Running {
                deadline: d("2026-01-15")
            }
        );
        assert_eq!(
            clocks[1].state,
            State::Running {
                deadline: d("2026-02-04")
            }
        );
    }

    #[test]
    fn incomplete_stops_the_decision_clock_and_new_evidence_restarts_it() {
        let mut c = case();
        c.acknowledged_on = Some(d("2026-01-10"));
        c.decisions.push(decision(1, Outcome::Incomplete));
        c.events.push(Event {
            seq: 3,
            kind: "assessed".into(),
            on: d("2026-01-20"),
            recorded_at: String::new(),
            detail: String::new(),
        });
        let stopped = clocks(&c, &Article6);
        assert_eq!(stopped[0].state, State::Done { on: d("2026-01-10") });
        assert_eq!(
            stopped[1].state,
            State::Stopped {
                since: d("2026-01-20")
            }
        );
        c.versions.push(version(2, "2026-02-10"));
        let restarted = clocks(&c, &Article6);
        assert_eq!(
            restarted[1].state,
            State::Running {
                deadline: d("2026-03-12")
            }
        );
    }

    #[test]
    fn due_and_overdue_follow_article_6_4() {
        assert_eq!(describe(d("2026-01-15"), d("2026-01-15")), "due today");
        assert_eq!(describe(d("2026-01-15"), d("2026-01-16")), "overdue by 1 day");
        assert_eq!(describe(d("2026-01-15"), d("2026-01-12")), "due in 3 days");
    }
}
