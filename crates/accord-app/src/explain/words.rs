//! The sentences of an explanation: dates as people write them, how far a
//! criterion falls short, what time alone would change (the outlook), what
//! to do next, and the right to a review. Built from the decision's
//! figures and the agreement's data; nothing here names a body, clause or
//! threshold.

use accord_core::prose;
use accord_core::rules::model::{Agreement, Criterion, Outcome};
use accord_core::{Date, Decimal};
use accord_eval::{CriterionResult, Decision, Milestone, Outlook, Status};
use chrono::NaiveDate;
use serde::Serialize;

use super::{number, Explanation};

/// `4 March 2027`.
pub fn long_date(date: NaiveDate) -> String {
    use chrono::Datelike as _;
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS.get(date.month0() as usize).copied().unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

/// `0.52`: days as years of `year_length` days, to two decimal places
/// (half up); `None` below a hundredth of a year.
fn years(days: Decimal, year_length: Decimal) -> Option<String> {
    let scaled = days
        .saturating_mul(Decimal::from_int(100))
        .checked_div_floor(year_length)?
        .saturating_add(Decimal::from_hundredths(50));
    let floor = if scaled.is_integer() {
        scaled.ceil()
    } else {
        scaled.ceil().saturating_sub(1)
    };
    // Under a hundredth of a year, years say nothing the days do not.
    (floor > 0).then(|| Decimal::from_hundredths(floor).to_string())
}

/// How far a counted-days criterion falls short, in days and years, when
/// it is not met or met only with a measure (other kinds say how far they
/// fall short in their own explanation: `45 hours short`).
pub(super) fn shortfall(
    criterion: &Criterion,
    c: &CriterionResult,
    year_length: Option<Decimal>,
) -> Option<String> {
    let days_and_years = |short: Decimal| {
        let days = prose::count(short.grouped(), "day", "days");
        match year_length.and_then(|y| years(short, y)) {
            Some(y) => format!("{days} ({})", prose::count(y, "year", "years")),
            None => days,
        }
    };
    let threshold = |days: Decimal, years: Option<Decimal>| match years {
        Some(y) => format!(
            "{} days ({})",
            days.grouped(),
            prose::count(y.grouped(), "year", "years")
        ),
        None => format!("{} days", days.grouped()),
    };
    match criterion {
        Criterion::CountedDays(rule) => {
            let counted = number(c, "counted_days")?;
            let required = number(c, "required_days")?;
            let required_years = number(c, "required_years");
            let band = number(c, "measure_days");
            let measure = rule.with_measure.as_ref().map(|m| m.measure.as_str());
            match (c.status, &c.measure, band, measure) {
                (Status::Met, Some(m), _, _) => Some(format!(
                    "{} short of the {} needed without measure {m}",
                    days_and_years(required.saturating_sub(counted)),
                    threshold(required, required_years)
                )),
                (Status::NotMet, _, Some(band), Some(m)) => Some(format!(
                    "{} short of the {} needed with measure {m}, and {} short of the {} needed without it",
                    days_and_years(band.saturating_sub(counted)),
                    threshold(band, None),
                    days_and_years(required.saturating_sub(counted)),
                    threshold(required, required_years)
                )),
                (Status::NotMet, _, _, _) => Some(format!(
                    "{} short of the {} needed",
                    days_and_years(required.saturating_sub(counted)),
                    threshold(required, required_years)
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The outlook in plain words: a heading and its sentences.
#[derive(Debug, Clone, Serialize)]
pub struct OutlookView {
    /// `Outlook (if nothing but time changes, looking to 2 March 2036)`.
    pub heading: String,
    /// The last date looked at.
    pub horizon: String,
    /// The first later date decided expedited, if any.
    pub expedited_on: Option<String>,
    /// The first later date that grants, if any.
    pub granted_on: Option<String>,
    /// The sentences: when time alone would change the decision, when
    /// each clause would be met, what is lost, what time cannot supply.
    pub lines: Vec<String>,
}

/// What changed on a milestone's day, as a clause list with the figures.
fn because(m: &Milestone) -> String {
    let each: Vec<String> = m
        .because
        .iter()
        .map(|c: &CriterionResult| {
            let how = match &c.measure {
                Some(measure) if c.status == Status::Met => format!("is met with measure {measure}"),
                _ if c.status == Status::Met => "is met".to_owned(),
                _ => format!("becomes {}", c.status.as_str().replace('_', " ")),
            };
            format!("clause {} {how} ({})", c.clause, c.detail)
        })
        .collect();
    if each.is_empty() {
        String::new()
    } else {
        format!(": that day {}", each.join("; "))
    }
}

/// The outlook of `d` in plain words: when time alone would change the
/// decision, when each clause would be met, and what time cannot supply.
pub fn outlook_view(d: &Decision, o: &Outlook) -> OutlookView {
    let mut lines = Vec::new();
    let granting = |outcome: Outcome| matches!(outcome, Outcome::Expedited | Outcome::Conditional);
    match (&o.expedited_on, &o.granted_on) {
        _ if d.outcome == Outcome::Expedited => {
            lines.push("Already expedited: nothing to wait for.".to_owned())
        }
        (Some(e), g) => {
            if let Some(g) = g.as_ref().filter(|g| g.on < e.on) {
                lines.push(format!(
                    "Would be granted ({}) from {}{}.",
                    g.outcome.as_str(),
                    long_date(g.on),
                    because(g)
                ));
            }
            lines.push(format!(
                "Would be decided expedited on {} if nothing but time changes{}.",
                long_date(e.on),
                because(e)
            ));
        }
        (None, Some(g)) => {
            lines.push(format!(
                "Would be granted ({}) from {}{}.",
                g.outcome.as_str(),
                long_date(g.on),
                because(g)
            ));
            lines.push("Time alone will not lead to an expedited decision as the file stands.".to_owned());
        }
        (None, None) if granting(d.outcome) => {
            lines.push("Time alone will not lead to an expedited decision as the file stands.".to_owned())
        }
        (None, None) => lines.push("Time alone will not lead to recognition as the file stands.".to_owned()),
    }
    for c in &o.criteria {
        let title = format!("Clause {} ({})", c.now.clause, c.now.title);
        lines.push(match (&c.met_on, &c.never) {
            (Some((on, _)), _) => format!("{title}: met on {}.", long_date(*on)),
            (None, Some(why)) => format!("{title}: time alone will not meet it: {why}."),
            (None, None) => format!("{title}: time alone will not meet it."),
        });
    }
    for (on, c) in &o.lost {
        lines.push(format!(
            "Clause {} ({}): met now, but no longer from {}: {}.",
            c.clause,
            c.title,
            long_date(*on),
            c.detail
        ));
    }
    for c in d.criteria.iter().filter(|c| c.status == Status::Unknown) {
        lines.push(format!(
            "Clause {} ({}): cannot be decided until evidence is supplied: {}.",
            c.clause, c.title, c.detail
        ));
    }
    OutlookView {
        heading: format!(
            "Outlook (if nothing but time changes, looking to {})",
            long_date(o.horizon)
        ),
        horizon: Date(o.horizon).to_string(),
        expedited_on: o.expedited_on.as_ref().map(|m| Date(m.on).to_string()),
        granted_on: o.granted_on.as_ref().map(|m| Date(m.on).to_string()),
        lines,
    }
}

/// What the applicant does next, sentence by sentence.
pub(super) fn next_steps(e: &Explanation, d: &Decision, outlook: Option<&Outlook>) -> Vec<String> {
    let host = format!("the host body, {}", e.host_body.name);
    let mut steps = Vec::new();
    let granted = e.grant.as_ref().map(|g| g.words.clone());
    match d.outcome {
        Outcome::Expedited => {
            if let Some(words) = &granted {
                steps.push(format!("You are granted {words}, without further examination."));
            }
        }
        Outcome::Conditional => {
            if let Some(words) = &granted {
                steps.push(format!("You are granted {words}, without further examination, on condition that you complete the compensation measures that follow."));
            }
            for m in &e.measures {
                steps.push(format!(
                    "Complete measure {} (clause {}): {}",
                    m.id, m.clause, m.description
                ));
            }
        }
        Outcome::Incomplete => {
            steps.push(format!(
                "Send {host}, the missing evidence this decision lists; your application will be assessed again when it arrives."
            ));
        }
        Outcome::Referred => {
            let clauses: Vec<&str> = d
                .criteria
                .iter()
                .filter(|c| c.status == Status::NotMet)
                .map(|c| c.clause.as_str())
                .collect();
            steps.push(format!(
                "Your application is referred to {host}, for review ({} not met); it will write to you.",
                prose::clauses(&clauses)
            ));
        }
        Outcome::Standard => {
            steps.push(format!(
                "You may apply to {host}, through its standard route for registration."
            ));
            if let Some(m) = outlook.and_then(|o| o.granted_on.as_ref()) {
                steps.push(format!(
                    "If nothing but time changes, your file would be decided {} on {}: you may apply again under the agreement from that day.",
                    m.outcome.as_str(),
                    long_date(m.on)
                ));
            }
        }
    }
    if e.grant.is_some() {
        for r in &e.requirements {
            steps.push(format!(
                "Requirement {} (clause {}): {}",
                r.id, r.clause, r.description
            ));
        }
    }
    if d.outcome == Outcome::Conditional {
        if let Some(m) = outlook.and_then(|o| o.expedited_on.as_ref()) {
            steps.push(format!(
                "If nothing but time changes, your file would be decided expedited, without measures, on {}.",
                long_date(m.on)
            ));
        }
    }
    steps
}

/// The review rights the agreement's procedure gives for `d`, if any: a
/// decision that stops the clock (for want of evidence) is not one to review.
pub(super) fn review_rights(
    agreement: &Agreement,
    d: &Decision,
    effective_on: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Option<super::ReviewRights> {
    let procedure = agreement.procedure.as_ref()?;
    if procedure.clock_stopped_by == d.outcome {
        return None;
    }
    let review = procedure.review.as_ref()?;
    let days = agreement
        .parameter(&review.request_within)
        .and_then(|p| p.value_on(Date(effective_on.unwrap_or(d.as_of.get()))))
        .and_then(Decimal::to_integer);
    Some(super::ReviewRights {
        clause: review.request_clause.clone(),
        days,
        effective_on: effective_on.map(|e| e.to_string()),
        until: until.map(|u| u.to_string()),
        words: review_words(&review.request_clause, days, effective_on, until),
    })
}

/// The review rights in one sentence.
pub(super) fn review_words(
    clause: &str,
    days: Option<i64>,
    effective_on: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> String {
    match (days, effective_on, until) {
        (_, Some(on), Some(until)) => format!(
            "This decision took effect on {}. You may request a review of it until {} (clause {clause}).",
            long_date(on),
            long_date(until)
        ),
        (Some(days), _, _) => format!(
            "You may request a review of this decision within {} of the day it takes effect (clause {clause}).",
            prose::count(days, "day", "days")
        ),
        (None, _, _) => format!("You may request a review of this decision (clause {clause})."),
    }
}
