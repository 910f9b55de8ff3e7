//! The eligibility outlook (`spec/outlook.md`): on which date, within the
//! horizon, the application as it stands would first be decided
//! `expedited`, first be granted at all, and each criterion not met (or met
//! only with a measure) on the assessment date would first be met outright.
//!
//! The definition is "assess on every day and take the first". This
//! computes the same dates from where something can change: each criterion
//! kind declares those dates beside its evaluation ([`criteria::changes`]),
//! each criterion is evaluated by the evaluator itself on them (bisecting
//! where the kind is monotone, such as a count crossing a threshold), and
//! the outcome on each date comes from the same order of precedence as
//! [`crate::assess`]. No criterion's logic is written twice.

use std::cell::RefCell;

use accord_core::rules::model::{Agreement, Clause, Criterion, Outcome};
use accord_core::rules::RuleSet;
use accord_core::{Application, Date};
use chrono::NaiveDate;

use crate::criteria::{self, Context};
use crate::decision::{CriterionResult, Decision, RuleGap, Status};

/// The horizon of `spec/outlook.md`: ten years, as 3,653 days after the
/// assessment date. (The contract's, not an agreement's.)
pub const HORIZON_DAYS: u32 = 3653;

/// The outlook of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlook {
    /// The last date looked at: the assessment date plus the horizon's days.
    pub horizon: NaiveDate,
    /// The first date after the assessment date on which the outcome would be
    /// `expedited`; `None` when there is none, or when it already is.
    pub expedited_on: Option<Milestone>,
    /// The first date on which the outcome would grant (`expedited` or
    /// `conditional`); `None` when there is none, or when it already grants.
    pub granted_on: Option<Milestone>,
    /// Each criterion not met, or met only with a measure, on the
    /// assessment date, in clause order.
    pub criteria: Vec<CriterionOutlook>,
    /// Each criterion met outright on the assessment date that time alone
    /// takes away within the horizon (CPD leaving its window, a
    /// registration expiring): the first date it no longer is, with its
    /// result that day. In clause order.
    pub lost: Vec<(NaiveDate, CriterionResult)>,
    /// How many times a criterion was evaluated to find all this.
    pub evaluations: usize,
}

/// A date the outcome changes on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    /// The date.
    pub on: NaiveDate,
    /// The outcome that day.
    pub outcome: Outcome,
    /// The criteria whose result changes that day, as evaluated that day.
    pub because: Vec<CriterionResult>,
}

/// One criterion's outlook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionOutlook {
    /// Its result on the assessment date.
    pub now: CriterionResult,
    /// The first date it is met without a measure, with its result that day.
    pub met_on: Option<(NaiveDate, CriterionResult)>,
    /// When it is never met: why, in the applicant's words.
    pub never: Option<String>,
}

/// Whether the outcome grants recognition (spec: `expedited` or `conditional`).
fn grants(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Expedited | Outcome::Conditional)
}

/// What decides equality of results over time: branch and measure.
fn same(a: &CriterionResult, b: &CriterionResult) -> bool {
    a.branch == b.branch && a.measure == b.measure
}

/// A criterion's results over a range of dates: each from its date on.
type Timeline = Vec<(NaiveDate, CriterionResult)>;

struct Evaluator<'a> {
    rules: &'a RuleSet,
    agreement: &'a Agreement,
    application: &'a Application,
    count: usize,
}

impl Evaluator<'_> {
    fn context(&self, as_of: NaiveDate) -> Context<'_> {
        Context {
            rules: self.rules,
            agreement: self.agreement,
            application: self.application,
            as_of,
            used: RefCell::new(Vec::new()),
            tweak: None,
        }
    }

    fn evaluate(
        &mut self,
        clause: &Clause,
        criterion: &Criterion,
        on: NaiveDate,
    ) -> Result<CriterionResult, RuleGap> {
        self.count += 1;
        criteria::evaluate(&self.context(on), clause, criterion).map_err(|problem| RuleGap {
            agreement: self.agreement.id.clone(),
            clause: clause.clause.clone(),
            as_of: Date(on),
            problem,
        })
    }

    /// The criterion's results on every date of `from..=to`, as changes.
    fn timeline(
        &mut self,
        clause: &Clause,
        criterion: &Criterion,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Timeline, RuleGap> {
        let changes = criteria::changes(&self.context(from), criterion);
        let mut starts: Vec<NaiveDate> = changes
            .points
            .into_iter()
            .filter(|d| *d > from && *d <= to)
            .collect();
        starts.push(from);
        starts.sort_unstable();
        starts.dedup();
        let mut out: Timeline = Vec::new();
        for (i, &start) in starts.iter().enumerate() {
            let end = match starts.get(i + 1) {
                Some(next) => next.pred_opt().unwrap_or(*next),
                None => to,
            };
            let first = self.evaluate(clause, criterion, start)?;
            push(&mut out, start, first.clone());
            if changes.monotone && end > start {
                let last = self.evaluate(clause, criterion, end)?;
                self.bisect(clause, criterion, (start, first), (end, last), &mut out)?;
            }
        }
        Ok(out)
    }

    /// Between two dates of a monotone stretch, where the result changes.
    fn bisect(
        &mut self,
        clause: &Clause,
        criterion: &Criterion,
        (a, ra): (NaiveDate, CriterionResult),
        (b, rb): (NaiveDate, CriterionResult),
        out: &mut Timeline,
    ) -> Result<(), RuleGap> {
        if same(&ra, &rb) {
            return Ok(());
        }
        let days = (b - a).num_days();
        if days <= 1 {
            push(out, b, rb);
            return Ok(());
        }
        let mid = a + chrono::Duration::days(days / 2);
        let rm = self.evaluate(clause, criterion, mid)?;
        self.bisect(clause, criterion, (a, ra), (mid, rm.clone()), out)?;
        self.bisect(clause, criterion, (mid, rm), (b, rb), out)
    }
}

fn push(out: &mut Timeline, on: NaiveDate, result: CriterionResult) {
    if out.last().is_none_or(|(_, last)| !same(last, &result)) {
        out.push((on, result));
    }
}

/// The result in force on `date` in a timeline, if the timeline covers it.
fn on_date(timeline: &Timeline, date: NaiveDate) -> Option<&CriterionResult> {
    let index = timeline.partition_point(|(d, _)| *d <= date);
    index.checked_sub(1).and_then(|i| timeline.get(i)).map(|(_, r)| r)
}

/// The outlook of `decision`, the decision of `application` under `rules`
/// on its assessment date, looking `horizon_days` days ahead.
pub fn outlook(
    rules: &RuleSet,
    application: &Application,
    decision: &Decision,
    horizon_days: u32,
) -> Result<Outlook, RuleGap> {
    let d0 = decision.as_of.get();
    let horizon = d0
        .checked_add_days(chrono::Days::new(u64::from(horizon_days)))
        .unwrap_or(NaiveDate::MAX);
    let listed: Vec<&CriterionResult> = decision
        .criteria
        .iter()
        .filter(|c| c.status == Status::NotMet || (c.status == Status::Met && c.measure.is_some()))
        .collect();
    let mut out = Outlook {
        horizon,
        expedited_on: None,
        granted_on: None,
        criteria: listed
            .iter()
            .map(|c| CriterionOutlook {
                now: (*c).clone(),
                met_on: None,
                never: None,
            })
            .collect(),
        lost: Vec::new(),
        evaluations: 0,
    };
    let Some(agreement) = decision
        .agreement
        .as_deref()
        .and_then(|id| rules.agreements().iter().find(|a| a.id == id))
    else {
        // No agreement covers the pair: no date changes that.
        return Ok(out);
    };
    let Some(first) = d0.succ_opt().filter(|d| *d <= horizon) else {
        return Ok(out);
    };
    let mut evaluator = Evaluator {
        rules,
        agreement,
        application,
        count: 0,
    };
    let clauses: Vec<(usize, &Clause, &Criterion)> = agreement
        .evaluation_order()
        .filter_map(|(position, clause)| Some((position, clause, clause.criterion.as_ref()?)))
        .collect();

    // Scope first: the other criteria count only on dates within it.
    let mut timelines: Vec<(usize, &Clause, bool, Timeline)> = Vec::new();
    for &(position, clause, criterion) in clauses.iter().filter(|(_, _, c)| c.is_scope()) {
        let timeline = evaluator.timeline(clause, criterion, first, horizon)?;
        timelines.push((position, clause, true, timeline));
    }
    let mut scope_dates = change_dates(&timelines);
    if scope_dates.first() != Some(&first) {
        scope_dates.insert(0, first);
    }
    let in_scope_on = |timelines: &[(usize, &Clause, bool, Timeline)], date: NaiveDate| {
        timelines
            .iter()
            .filter(|(_, _, scope, _)| *scope)
            .all(|(_, _, _, t)| on_date(t, date).is_some_and(|r| r.status == Status::Met))
    };
    let mut stretches: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (i, &start) in scope_dates.iter().enumerate() {
        let end = scope_dates
            .get(i + 1)
            .and_then(|next| next.pred_opt())
            .unwrap_or(horizon);
        if in_scope_on(&timelines, start) {
            match stretches.last_mut() {
                Some((_, last_end)) if last_end.succ_opt() == Some(start) => *last_end = end,
                _ => stretches.push((start, end)),
            }
        }
    }
    for &(position, clause, criterion) in clauses.iter().filter(|(_, _, c)| !c.is_scope()) {
        let mut timeline = Timeline::new();
        for &(from, to) in &stretches {
            timeline.extend(evaluator.timeline(clause, criterion, from, to)?);
        }
        timelines.push((position, clause, false, timeline));
    }
    timelines.sort_by_key(|(position, ..)| *position);

    // Walk every date on which some result changes, in order.
    let dates = change_dates(&timelines);
    let mut previous_outcome = decision.outcome;
    let met_now = |clause: &str| {
        decision
            .criteria
            .iter()
            .any(|c| c.clause == clause && c.status == Status::Met && c.measure.is_none())
    };
    let mut lost: Vec<(usize, NaiveDate, CriterionResult)> = Vec::new();
    let mut standing: Vec<(&str, Status, bool)> = Vec::with_capacity(timelines.len());
    for &date in &dates {
        let in_scope = in_scope_on(&timelines, date);
        standing.clear();
        for (_, clause, scope, timeline) in &timelines {
            if !*scope && !in_scope {
                continue;
            }
            if let Some(r) = on_date(timeline, date) {
                standing.push((clause.clause.as_str(), r.status, r.measure.is_some()));
            }
        }
        let outcome = crate::outcome_of(agreement, &standing, !in_scope);
        // What changed that day: each criterion's result against the day before's.
        let because = || {
            timelines
                .iter()
                .filter_map(|(_, clause, _, t)| {
                    let now = t.iter().find(|(d, _)| *d == date).map(|(_, r)| r)?;
                    let before = if date == first {
                        decision.criteria.iter().find(|c| c.clause == clause.clause)
                    } else {
                        on_date(t, date.pred_opt()?)
                    };
                    before.filter(|b| !same(b, now)).map(|_| now.clone())
                })
                .collect::<Vec<_>>()
        };
        if outcome != previous_outcome {
            if outcome == Outcome::Expedited
                && decision.outcome != Outcome::Expedited
                && out.expedited_on.is_none()
            {
                out.expedited_on = Some(Milestone {
                    on: date,
                    outcome,
                    because: because(),
                });
            }
            if grants(outcome) && !grants(decision.outcome) && out.granted_on.is_none() {
                out.granted_on = Some(Milestone {
                    on: date,
                    outcome,
                    because: because(),
                });
            }
            previous_outcome = outcome;
        }
        for (position, clause, scope, timeline) in &timelines {
            if (!*scope && !in_scope) || !met_now(&clause.clause) || lost.iter().any(|(p, ..)| p == position)
            {
                continue;
            }
            if let Some(r) =
                on_date(timeline, date).filter(|r| !(r.status == Status::Met && r.measure.is_none()))
            {
                lost.push((*position, date, r.clone()));
            }
        }
        for item in out.criteria.iter_mut().filter(|c| c.met_on.is_none()) {
            let Some((_, _, scope, timeline)) =
                timelines.iter().find(|(_, c, ..)| c.clause == item.now.clause)
            else {
                continue;
            };
            if !*scope && !in_scope {
                continue;
            }
            if let Some(r) =
                on_date(timeline, date).filter(|r| r.status == Status::Met && r.measure.is_none())
            {
                item.met_on = Some((date, r.clone()));
            }
        }
    }
    for item in out.criteria.iter_mut().filter(|c| c.met_on.is_none()) {
        let found = timelines.iter().find(|(_, c, ..)| c.clause == item.now.clause);
        let at_horizon = found.and_then(|(_, _, _, t)| on_date(t, horizon));
        if let Some(criterion) = found.and_then(|(_, c, ..)| c.criterion.as_ref()) {
            item.never = Some(criteria::never(criterion, &item.now, at_horizon));
        }
    }
    lost.sort_by_key(|(position, ..)| *position);
    out.lost = lost.into_iter().map(|(_, date, r)| (date, r)).collect();
    out.evaluations = evaluator.count;
    Ok(out)
}

/// Every date on which some timeline's result changes, in order.
fn change_dates(timelines: &[(usize, &Clause, bool, Timeline)]) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> = timelines
        .iter()
        .flat_map(|(_, _, _, t)| t.iter().map(|(d, _)| *d))
        .collect();
    dates.sort_unstable();
    dates.dedup();
    dates
}
