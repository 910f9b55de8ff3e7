//! What was counted, as tables: the experience periods (with what each
//! added to every counted-days clause), the CPD items inside and outside
//! each window, the degrees and the route that recognised each.
//!
//! Counts come from `accord_eval::days::counted_hundredths`, the function
//! the evaluation uses: a period's counted days are what it adds to the
//! count of the periods listed before it (so overlapping days are counted
//! once, with the earlier period, and the column adds up to the clause's
//! figure exactly).

use accord_core::rules::model::{Agreement, Criterion, PeriodFilter};
use accord_core::{Application, Date, Decimal, RuleSet};
use accord_eval::days::{counted_hundredths, Span};
use accord_eval::{Decision, Status};
use chrono::NaiveDate;
use serde::Serialize;

use super::{criterion_of, date, number};

/// Above this many periods, a table lists each period's own days but not
/// what it adds to the count: attributing overlaps costs a count per
/// period, and a letter of thousands of periods helps no one. The total
/// is still the clause's figure.
pub const MAX_ATTRIBUTED_PERIODS: usize = 500;

/// The experience periods and what each counted.
#[derive(Debug, Clone, Serialize)]
pub struct ExperienceTable {
    /// The graduation date counted from.
    pub graduated_on: String,
    /// The assessment date counted to.
    pub as_of: String,
    /// One column per counted-days clause.
    pub counts: Vec<CountColumn>,
    /// Every period, as listed.
    pub periods: Vec<PeriodRow>,
    /// Whether each period's share of the counts is shown (see [`MAX_ATTRIBUTED_PERIODS`]).
    pub attributed: bool,
}

/// A counted-days clause's column.
#[derive(Debug, Clone, Serialize)]
pub struct CountColumn {
    /// Its clause.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// Whether only responsible-charge periods count.
    pub responsible_charge_only: bool,
    /// The total counted: the clause's `counted_days` figure.
    pub total: String,
    /// The days required.
    pub required: String,
}

/// One experience period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodRow {
    /// Employer.
    pub employer: String,
    /// Role.
    pub role: String,
    /// First day.
    pub from: String,
    /// Last day, or `None` while ongoing.
    pub to: Option<String>,
    /// Fraction of full time (`1`, `0.5`).
    pub fte: String,
    /// In responsible charge?
    pub responsible_charge: bool,
    /// Its calendar days between graduation and the assessment date.
    pub days: String,
    /// What it counted for each column (`None`: the column does not count it).
    pub counted: Vec<Option<String>>,
    /// Why it counted less than its days × fte, if it did.
    pub notes: Vec<String>,
}

/// A CPD criterion's items.
#[derive(Debug, Clone, Serialize)]
pub struct CpdTable {
    /// Its clause.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// The window's first day.
    pub window_from: String,
    /// The window's last day (the assessment date).
    pub window_to: String,
    /// Every item, as listed.
    pub items: Vec<CpdRow>,
    /// Hours inside the window: the clause's `hours` figure.
    pub inside: String,
    /// Hours outside it.
    pub outside: String,
    /// Hours required.
    pub required: String,
}

/// One CPD item.
#[derive(Debug, Clone, Serialize)]
pub struct CpdRow {
    /// The activity.
    pub activity: String,
    /// Completed on.
    pub completed_on: String,
    /// Hours.
    pub hours: String,
    /// Inside the window?
    pub inside: bool,
    /// Where it falls: `inside the window`, `before the window`, `after the assessment date`.
    pub place: String,
}

/// An education criterion's degrees.
#[derive(Debug, Clone, Serialize)]
pub struct DegreeTable {
    /// Its clause.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// Every degree, as listed.
    pub degrees: Vec<DegreeRow>,
}

/// One degree.
#[derive(Debug, Clone, Serialize)]
pub struct DegreeRow {
    /// Title.
    pub title: String,
    /// Institution.
    pub institution: String,
    /// Conferred on.
    pub graduated_on: String,
    /// The accrediting body, if any.
    pub accredited_by: Option<String>,
    /// Programme length in years, if given.
    pub programme_years: Option<String>,
    /// Whether a route recognises it.
    pub recognised: bool,
    /// The route: `accreditation`, `equivalence (measure M1)`, `undecided until the programme length is given`, `not recognised`.
    pub route: String,
    /// The finding in words.
    pub note: String,
}

fn span(p: &accord_core::application::Experience) -> Span {
    Span {
        from: p.from.get(),
        to: p.to.map(Date::get),
        fte: p.fte_hundredths(),
    }
}

fn days_text(hundredths: i64) -> String {
    Decimal::from_hundredths(hundredths).grouped()
}

/// The experience table, when some counted-days clause counted (a
/// graduation date and the experience list were there).
pub(super) fn experience(
    agreement: &Agreement,
    application: &Application,
    d: &Decision,
) -> Option<ExperienceTable> {
    let periods = application.experience()?;
    let mut counts = Vec::new();
    let mut filters = Vec::new();
    let mut graduated_on = None;
    for c in d.criteria.iter().filter(|c| c.status != Status::Unknown) {
        let Some(Criterion::CountedDays(rule)) = criterion_of(agreement, &c.clause) else {
            continue;
        };
        let Some(graduation) = date(c, "graduated_on") else {
            continue;
        };
        graduated_on = Some(graduation);
        counts.push(CountColumn {
            clause: c.clause.clone(),
            title: c.title.clone(),
            responsible_charge_only: rule.periods == PeriodFilter::ResponsibleCharge,
            total: number(c, "counted_days")
                .map(Decimal::grouped)
                .unwrap_or_default(),
            required: number(c, "required_days")
                .map(Decimal::grouped)
                .unwrap_or_default(),
        });
        filters.push(rule.periods);
    }
    let graduation = graduated_on?;
    let as_of = d.as_of.get();
    let attributed = periods.len() <= MAX_ATTRIBUTED_PERIODS;
    let shares: Vec<Vec<Option<i64>>> = filters
        .iter()
        .map(|filter| {
            let counts = |p: &accord_core::application::Experience| {
                *filter == PeriodFilter::All || p.responsible_charge
            };
            if attributed {
                shares(periods, graduation, as_of, counts)
            } else {
                periods.iter().map(|p| counts(p).then_some(0)).collect()
            }
        })
        .collect();
    let rows = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let alone = counted_hundredths([span(p)], graduation, as_of);
            let calendar = counted_hundredths([Span { fte: 100, ..span(p) }], graduation, as_of);
            let counted: Vec<Option<i64>> = shares.iter().map(|s| s.get(i).copied().flatten()).collect();
            let mut notes = Vec::new();
            if p.from.get() < graduation {
                notes.push(format!(
                    "days before graduation on {} do not count",
                    Date(graduation)
                ));
            }
            if p.to.is_none_or(|to| to.get() > as_of) && p.from.get() <= as_of {
                notes.push(format!("counted up to the assessment date, {}", Date(as_of)));
            }
            if p.from.get() > as_of {
                notes.push("starts after the assessment date".to_owned());
            }
            if attributed && counted.iter().flatten().any(|c| *c < alone) {
                notes.push("overlaps an earlier period: those days are counted once".to_owned());
            }
            PeriodRow {
                employer: p.employer.clone(),
                role: p.role.clone(),
                from: p.from.to_string(),
                to: p.to.map(|t| t.to_string()),
                fte: Decimal::from_hundredths(p.fte_hundredths()).to_string(),
                responsible_charge: p.responsible_charge,
                days: days_text(calendar),
                counted: counted
                    .iter()
                    .map(|c| c.map(|h| if attributed { days_text(h) } else { String::new() }))
                    .collect(),
                notes,
            }
        })
        .collect();
    Some(ExperienceTable {
        graduated_on: Date(graduation).to_string(),
        as_of: d.as_of.to_string(),
        counts,
        periods: rows,
        attributed,
    })
}

/// Each period's share of a count, in hundredths of a day: what it adds to
/// the count of the periods before it that the count includes (`None` for
/// a period the count leaves out). Only earlier periods overlapping it can
/// change its share, so only those are counted with it.
fn shares(
    periods: &[accord_core::application::Experience],
    start: NaiveDate,
    end: NaiveDate,
    counts: impl Fn(&accord_core::application::Experience) -> bool,
) -> Vec<Option<i64>> {
    let mut earlier: Vec<Span> = Vec::new();
    periods
        .iter()
        .map(|p| {
            if !counts(p) {
                return None;
            }
            let this = span(p);
            let from = this.from.max(start);
            let to = this.to.unwrap_or(end).min(end);
            let overlapping: Vec<Span> = earlier
                .iter()
                .filter(|e| e.from <= to && e.to.unwrap_or(end) >= from)
                .copied()
                .collect();
            let before = counted_hundredths(overlapping.iter().copied(), from, to);
            let with = counted_hundredths(overlapping.iter().copied().chain([this]), from, to);
            earlier.push(this);
            Some(with - before)
        })
        .collect()
}

/// The CPD tables, one per CPD clause that counted hours.
pub(super) fn cpd(agreement: &Agreement, application: &Application, d: &Decision) -> Vec<CpdTable> {
    let Some(items) = application.cpd() else {
        return Vec::new();
    };
    d.criteria
        .iter()
        .filter(|c| {
            matches!(
                criterion_of(agreement, &c.clause),
                Some(Criterion::HoursInWindow { .. })
            )
        })
        .filter_map(|c| {
            let (from, to) = (date(c, "window_from")?, date(c, "window_to")?);
            let mut inside = Decimal::ZERO;
            let mut outside = Decimal::ZERO;
            let rows = items
                .iter()
                .map(|item| {
                    let on = item.completed_on.get();
                    let is_inside = (from..=to).contains(&on);
                    if is_inside {
                        inside = inside.saturating_add(item.hours);
                    } else {
                        outside = outside.saturating_add(item.hours);
                    }
                    let place = if is_inside {
                        "inside the window"
                    } else if on < from {
                        "before the window"
                    } else {
                        "after the assessment date"
                    };
                    CpdRow {
                        activity: item.activity.clone(),
                        completed_on: item.completed_on.to_string(),
                        hours: item.hours.grouped(),
                        inside: is_inside,
                        place: place.to_owned(),
                    }
                })
                .collect();
            Some(CpdTable {
                clause: c.clause.clone(),
                title: c.title.clone(),
                window_from: Date(from).to_string(),
                window_to: Date(to).to_string(),
                items: rows,
                inside: inside.grouped(),
                outside: outside.grouped(),
                required: number(c, "required_hours")
                    .map(Decimal::grouped)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The degree tables, one per education clause evaluated on listed degrees.
pub(super) fn degrees(
    rules: &RuleSet,
    agreement: &Agreement,
    application: &Application,
    d: &Decision,
) -> Vec<DegreeTable> {
    let Some(listed) = application.degrees() else {
        return Vec::new();
    };
    d.criteria
        .iter()
        .filter_map(|c| {
            let Some(Criterion::RecognisedEducation(rule)) = criterion_of(agreement, &c.clause) else {
                return None;
            };
            let findings =
                accord_eval::degree_findings(rules, agreement, application, d.as_of.get(), rule).ok()?;
            let measure = rule.equivalence.as_ref().map(|e| e.measure.as_str());
            let rows = listed
                .iter()
                .zip(findings)
                .map(|(degree, f)| {
                    let (recognised, route) = match (f.accredited, f.equivalent, f.long_enough) {
                        (true, _, Some(true)) => (true, "accreditation".to_owned()),
                        (_, true, Some(true)) => (
                            true,
                            match measure {
                                Some(m) => format!("equivalence (measure {m})"),
                                None => "equivalence".to_owned(),
                            },
                        ),
                        (true, _, None) | (_, true, None) => {
                            (false, "undecided until the programme length is given".to_owned())
                        }
                        _ => (false, "not recognised".to_owned()),
                    };
                    DegreeRow {
                        title: degree.title.clone(),
                        institution: degree.institution.clone(),
                        graduated_on: degree.graduated_on.to_string(),
                        accredited_by: degree.accredited_by.clone(),
                        programme_years: degree.programme_years.map(|y| y.to_string()),
                        recognised,
                        route,
                        note: f.note,
                    }
                })
                .collect();
            Some(DegreeTable {
                clause: c.clause.clone(),
                title: c.title.clone(),
                degrees: rows,
            })
        })
        .collect()
}
