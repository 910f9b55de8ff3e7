//! The clocks of a case, pure: from its folded entries, the procedure of
//! its agreement (data: periods, what stops the clock, second signatory,
//! review, what a missed deadline means) and the day they are read on.
//!
//! - Acknowledgement: from the first receipt; done when acknowledged.
//! - Decision: from the receipt of the latest version; stopped while that
//!   version stands assessed with the clock-stopping outcome; still running
//!   while a proposal awaits confirmation; done when a decision takes
//!   effect. Past its deadline, the procedure's `missed_deadline` says what
//!   follows: nothing, a deemed refusal (a review may be requested from the
//!   next day; the duty to decide goes on), or a deemed approval (granted
//!   from the next day; the case closes).
//! - Review request: the applicant's window after a decision takes effect
//!   (or after a deemed refusal), closed once a review is requested.
//! - Review decision: from the request's receipt; done when decided.
//!
//! A deadline falls due on its day; the action is overdue from the day after.

use accord_core::rules::model::{Agreement, DeadlineConsequence, Procedure};
use accord_core::Date;
use chrono::NaiveDate;
use serde::Serialize;

use crate::case::{Case, Effect};

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Acknowledge the application.
    Acknowledgement,
    /// Decide the application.
    Decision,
    /// The applicant's window to request a review.
    ReviewRequest,
    /// Decide the review.
    ReviewDecision,
}

impl Kind {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Acknowledgement => "acknowledgement",
            Kind::Decision => "decision",
            Kind::ReviewRequest => "review_request",
            Kind::ReviewDecision => "review_decision",
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// Running: due by the deadline.
    Running {
        /// Last day.
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
    /// A window that closed unused.
    Closed {
        /// Its last day.
        deadline: NaiveDate,
    },
    /// No period applies (no agreement, or no procedure for this clock).
    NotApplicable,
}

/// What a passed deadline brought about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passed {
    /// The clause that says so.
    pub clause: String,
    /// What it means.
    pub means: DeadlineConsequence,
    /// From which day.
    pub from: NaiveDate,
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
    /// For the decision clock, what its missed deadline brought about.
    pub passed: Option<Passed>,
}

/// A period parameter of the agreement, in force on `start`.
fn days(agreement: &Agreement, parameter: &str, start: NaiveDate) -> Option<i64> {
    agreement
        .parameter(parameter)?
        .value_on(Date(start))?
        .to_integer()
}

/// The deadline of a period that starts on `start` and lasts the value of
/// `parameter` in force that day: the start plus that many days (a deadline
/// falls due on its day). What every clock and the rule tests' `deadlines`
/// compute.
pub fn deadline(agreement: &Agreement, parameter: &str, start: NaiveDate) -> Option<NaiveDate> {
    add(start, days(agreement, parameter, start)?)
}

fn add(start: NaiveDate, days: i64) -> Option<NaiveDate> {
    start.checked_add_signed(chrono::Duration::try_days(days)?)
}

/// The procedure of `agreement`, if it has one.
fn procedure(agreement: Option<&Agreement>) -> Option<(&Agreement, &Procedure)> {
    let agreement = agreement?;
    Some((agreement, agreement.procedure.as_ref()?))
}

fn period(
    agreement: &Agreement,
    clause: &str,
    parameter: &str,
    kind: Kind,
    started: NaiveDate,
) -> Option<(Clock, NaiveDate)> {
    let period = days(agreement, parameter, started)?;
    let deadline = add(started, period)?;
    Some((
        Clock {
            kind,
            clause: Some(clause.to_owned()),
            started,
            days: Some(period),
            state: State::Running { deadline },
            passed: None,
        },
        deadline,
    ))
}

fn not_applicable(kind: Kind, started: NaiveDate) -> Clock {
    Clock {
        kind,
        clause: None,
        started,
        days: None,
        state: State::NotApplicable,
        passed: None,
    }
}

/// The decision clock, and what its missed deadline brought about by `today`.
pub fn decision(case: &Case, agreement: Option<&Agreement>, today: NaiveDate) -> Option<Clock> {
    let current = case.current()?;
    let Some((agreement, procedure)) = procedure(agreement) else {
        return Some(not_applicable(Kind::Decision, current.received_on));
    };
    let Some((mut clock, deadline)) = period(
        agreement,
        &procedure.decision_clause,
        &procedure.decision,
        Kind::Decision,
        current.received_on,
    ) else {
        return Some(not_applicable(Kind::Decision, current.received_on));
    };
    if let Some(on) = case.decided_on {
        clock.state = State::Done { on };
        return Some(clock);
    }
    if let Some(latest) = case
        .latest_of_current()
        .filter(|a| a.effect == Effect::StopsClock)
    {
        clock.state = State::Stopped { since: latest.on };
        return Some(clock);
    }
    if today > deadline {
        if let (Some(missed), Some(from)) = (&procedure.missed_deadline, deadline.succ_opt()) {
            if missed.means != DeadlineConsequence::Nothing {
                clock.passed = Some(Passed {
                    clause: missed.clause.clone(),
                    means: missed.means,
                    from,
                });
                if missed.means == DeadlineConsequence::DeemedApproval {
                    clock.state = State::Done { on: from };
                }
            }
        }
    }
    Some(clock)
}

/// The day the case closed, and how, as of `today`: the decision that took
/// effect, or a deemed approval.
pub fn closed(case: &Case, agreement: Option<&Agreement>, today: NaiveDate) -> Option<(NaiveDate, String)> {
    if let Some(effective) = &case.effective {
        let how = if effective.by_review {
            format!("decided on review ({})", effective.outcome.as_str())
        } else {
            format!("decided ({})", effective.outcome.as_str())
        };
        return Some((effective.on, how));
    }
    let passed = decision(case, agreement, today)?.passed?;
    (passed.means == DeadlineConsequence::DeemedApproval)
        .then(|| (passed.from, format!("deemed approved (clause {})", passed.clause)))
}

/// The clocks of `case` read on `today`, in order: acknowledgement,
/// decision, then review request and review decision where they apply.
pub fn clocks(case: &Case, agreement: Option<&Agreement>, today: NaiveDate) -> Vec<Clock> {
    let mut out = Vec::new();
    let Some(first) = case.received_on() else {
        return out;
    };
    let closed_on = closed(case, agreement, today).map(|(on, _)| on);
    let ack = procedure(agreement).and_then(|(a, p)| {
        period(
            a,
            &p.acknowledgement_clause,
            &p.acknowledgement,
            Kind::Acknowledgement,
            first,
        )
    });
    out.push(match ack {
        Some((mut clock, _)) => {
            if let Some(on) = case.acknowledged.as_ref().map(|a| a.on).or(closed_on) {
                clock.state = State::Done { on };
            }
            clock
        }
        None => not_applicable(Kind::Acknowledgement, first),
    });
    let decision = decision(case, agreement, today);
    let deemed_refusal = decision
        .as_ref()
        .and_then(|c| c.passed.as_ref())
        .filter(|p| p.means == DeadlineConsequence::DeemedRefusal)
        .map(|p| p.from);
    out.extend(decision);
    let Some((agreement, review)) = procedure(agreement).and_then(|(a, p)| Some((a, p.review.as_ref()?)))
    else {
        return out;
    };
    // The window opens when a decision (not a review's) takes effect, or from a deemed refusal.
    let opened = match &case.effective {
        Some(effective) if !effective.by_review => Some(effective.on),
        Some(_) => None,
        None => deemed_refusal,
    };
    let requested = case.reviews.last().map(|r| r.requested.on);
    if let Some(opened) = opened {
        if let Some((mut clock, deadline)) = period(
            agreement,
            &review.request_clause,
            &review.request_within,
            Kind::ReviewRequest,
            opened,
        ) {
            clock.state = match requested.filter(|r| *r >= opened) {
                Some(on) => State::Done { on },
                None if today > deadline => State::Closed { deadline },
                None => State::Running { deadline },
            };
            out.push(clock);
        }
    }
    if let Some(request) = case.reviews.last() {
        if let Some((mut clock, _)) = period(
            agreement,
            &review.decision_clause,
            &review.decide_within,
            Kind::ReviewDecision,
            request.requested.on,
        ) {
            if let Some(decided) = &request.decided {
                clock.state = State::Done { on: decided.dated.on };
            }
            out.push(clock);
        }
    }
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

    #[test]
    fn due_and_overdue_follow_article_6_4() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(describe(d("2026-01-15"), d("2026-01-15")), "due today");
        assert_eq!(describe(d("2026-01-15"), d("2026-01-16")), "overdue by 1 day");
        assert_eq!(describe(d("2026-01-15"), d("2026-01-12")), "due in 3 days");
    }
}
