//! Consistency checks of a valid rule set: what loads but is probably a
//! mistake. Each is a warning (`accord check` exits 0 unless
//! `--deny-warnings`):
//!
//! - a clause whose text states a figure or a date that its parameters (or
//!   its criterion's date) contradict: "at least 7 years" while
//!   `experience_years` is 8;
//! - a parameter or a measure nothing uses;
//! - a step of the order of precedence no application can reach;
//! - a clause that is neither evaluated nor cited by anything.
//!
//! The text checks read numbers (digits, or the words one to twelve)
//! followed by the parameter's unit, and dates written `1 July 2025` or
//! `2025-07-01`. A clause whose text states no figure of the unit is not
//! judged: silence is not a contradiction.

use std::collections::BTreeSet;

use super::model::{Agreement, Condition, Criterion, Unit};
use crate::date::Date;
use crate::decimal::Decimal;
use crate::rules::criterion::Branch;

/// One finding: where (a path below the agreement) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// What kind.
    pub kind: crate::DiagnosticKind,
    /// Field path below the agreement, e.g. `clauses[9].text`.
    pub path: Vec<PathPart>,
    /// The message.
    pub message: String,
}

/// A step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathPart {
    Key(&'static str),
    Index(usize),
}

const NUMBER_WORDS: [(&str, i64); 12] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn unit_words(unit: Unit) -> &'static [&'static str] {
    match unit {
        Unit::Years => &["year", "years"],
        Unit::Hours => &["hour", "hours"],
        Unit::Days => &["day", "days"],
    }
}

/// The words of `text`, lower case, split at spaces and punctuation (a
/// decimal point between digits stays).
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let keep = c.is_alphanumeric()
            || (c == '.'
                && i > 0
                && chars.get(i - 1).is_some_and(char::is_ascii_digit)
                && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        let date_dash = c == '-'
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && i > 0
            && chars.get(i - 1).is_some_and(char::is_ascii_digit);
        if keep || date_dash {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        // "4-year" states a figure of a unit as well as "4 years".
        if c == '-' && !date_dash && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn number(token: &str) -> Option<Decimal> {
    NUMBER_WORDS
        .iter()
        .find(|(w, _)| *w == token)
        .map(|(_, n)| Decimal::from_int(*n))
        .or_else(|| Decimal::parse(&token.replace(',', "")).ok())
}

/// The figures of `unit` that `text` states: each number followed by the unit's word.
pub(crate) fn stated(text: &str, unit: Unit) -> Vec<Decimal> {
    let words = unit_words(unit);
    let tokens = tokens(text);
    tokens
        .windows(2)
        .filter_map(|pair| match pair {
            [n, u] if words.contains(&u.as_str()) => number(n),
            _ => None,
        })
        .collect()
}

/// The dates `text` states, as `1 July 2025` or `2025-07-01`.
pub(crate) fn dates(text: &str) -> Vec<Date> {
    let tokens = tokens(text);
    let mut out: Vec<Date> = tokens.iter().filter_map(|t| Date::parse(t).ok()).collect();
    for triple in tokens.windows(3) {
        if let [d, m, y] = triple {
            let month = MONTHS.iter().position(|name| name == m);
            if let (Ok(day), Some(month), Ok(year)) = (d.parse::<u32>(), month, y.parse::<i32>()) {
                if let Ok(date) = Date::parse(&format!("{year:04}-{:02}-{day:02}", month + 1)) {
                    out.push(date);
                }
            }
        }
    }
    out
}

/// The start of a clause's text, for a message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 72;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", flat.get(..cut).unwrap_or_default()),
        None => flat,
    }
}

fn clause_index(agreement: &Agreement, number: &str) -> Option<usize> {
    agreement.clauses.iter().position(|c| c.clause == number)
}

fn text_path(index: usize) -> Vec<PathPart> {
    vec![
        PathPart::Key("clauses"),
        PathPart::Index(index),
        PathPart::Key("text"),
    ]
}

/// Every consistency finding for `agreement`, in a stable order.
pub(crate) fn check(agreement: &Agreement, schedules_used: &mut BTreeSet<String>) -> Vec<Finding> {
    let mut out = Vec::new();
    text_figures(agreement, &mut out);
    unused(agreement, &mut out);
    unreachable_steps(agreement, &mut out);
    uncited_clauses(agreement, &mut out);
    for clause in &agreement.clauses {
        if let Some(Criterion::RecognisedEducation(r)) = &clause.criterion {
            schedules_used.insert(r.schedule.clone());
        }
    }
    out
}

/// Parameters against the text of the clause that fixes them (original
/// values) or the clause their period cites (amended values), and entry
/// into force against its clause's text.
fn text_figures(agreement: &Agreement, out: &mut Vec<Finding>) {
    for parameter in &agreement.parameters {
        for period in &parameter.periods {
            let clause_no = period.cites.as_deref().unwrap_or(&parameter.clause);
            let Some(index) = clause_index(agreement, clause_no) else {
                continue;
            };
            let Some(clause) = agreement.clauses.get(index) else {
                continue;
            };
            let text = clause.text.as_str();
            let figures = stated(text, parameter.unit);
            let anywhere = tokens(text)
                .iter()
                .filter_map(|t| number(t))
                .any(|n| n == period.value);
            if !figures.is_empty() && !figures.contains(&period.value) && !anywhere {
                let mut said: Vec<String> = Vec::new();
                for f in &figures {
                    if !said.contains(&f.to_string()) {
                        said.push(f.to_string());
                    }
                }
                out.push(Finding {
                    kind: crate::DiagnosticKind::TextDisagrees,
                    path: text_path(index),
                    message: format!(
                        "clause {} ({}) states {} {} (\"{}\") where parameter `{}` is {} from {}: the text and the parameter disagree",
                        clause.clause,
                        clause.title,
                        said.join(" and "),
                        unit_words(parameter.unit).last().copied().unwrap_or_default(),
                        excerpt(text),
                        parameter.id,
                        period.value,
                        period.from
                    ),
                });
            }
            if period.cites.is_some() {
                let stated_dates = dates(text);
                if !stated_dates.is_empty() && !stated_dates.contains(&period.from) {
                    out.push(Finding {
                        kind: crate::DiagnosticKind::TextDisagrees,
                        path: text_path(index),
                        message: format!(
                            "clause {} states {} where parameter `{}` takes its value from {}",
                            clause.clause,
                            stated_dates
                                .iter()
                                .map(|d| d.to_string())
                                .collect::<Vec<_>>()
                                .join(" and "),
                            parameter.id,
                            period.from
                        ),
                    });
                }
            }
        }
    }
    for (index, clause) in agreement.clauses.iter().enumerate() {
        if let Some(Criterion::InForce { from }) = &clause.criterion {
            let stated_dates = dates(clause.text.as_str());
            if !stated_dates.is_empty() && !stated_dates.contains(from) {
                out.push(Finding {
                    kind: crate::DiagnosticKind::TextDisagrees,
                    path: text_path(index),
                    message: format!(
                        "clause {} states {} where its criterion is in force from {from}",
                        clause.clause,
                        stated_dates
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(" and "),
                    ),
                });
            }
        }
    }
}

/// Parameters and measures nothing reads or calls for.
fn unused(agreement: &Agreement, out: &mut Vec<Finding>) {
    let mut parameters: BTreeSet<&str> = BTreeSet::new();
    let mut measures: BTreeSet<&str> = BTreeSet::new();
    let mut year_length = false;
    for criterion in agreement.clauses.iter().filter_map(|c| c.criterion.as_ref()) {
        parameters.extend(criterion.parameters().iter().map(|u| u.id));
        measures.extend(criterion.measures().iter().map(|(_, m)| *m));
        year_length |= criterion.uses_year_length();
    }
    if year_length {
        parameters.insert(&agreement.year_length);
    }
    if let Some(p) = &agreement.procedure {
        parameters.extend(p.parameters().iter().map(|(_, id)| *id));
    }
    for (index, parameter) in agreement.parameters.iter().enumerate() {
        if !parameters.contains(parameter.id.as_str()) {
            out.push(Finding {
                kind: crate::DiagnosticKind::Unused,
                path: vec![PathPart::Key("parameters"), PathPart::Index(index)],
                message: format!(
                    "parameter `{}` is never used by a criterion or the procedure",
                    parameter.id
                ),
            });
        }
    }
    for (index, measure) in agreement.measures.iter().enumerate() {
        if !measures.contains(measure.id.as_str()) {
            out.push(Finding {
                kind: crate::DiagnosticKind::Unused,
                path: vec![PathPart::Key("measures"), PathPart::Index(index)],
                message: format!("measure `{}` is never called for by a criterion", measure.id),
            });
        }
    }
}

/// Steps of the order of precedence no combination of results reaches: a
/// step after `always`, or whose every condition either cannot hold (no
/// criterion can take that branch) or holds only when an earlier step's does.
fn unreachable_steps(agreement: &Agreement, out: &mut Vec<Finding>) {
    let criteria: Vec<(&str, &Criterion)> = agreement
        .clauses
        .iter()
        .filter_map(|c| Some((c.clause.as_str(), c.criterion.as_ref()?)))
        .collect();
    let can = |clause: &str, branch: Branch| {
        criteria
            .iter()
            .any(|(c, k)| *c == clause && k.branches().contains(&branch))
    };
    let any = |branch: Branch| criteria.iter().any(|(_, k)| k.branches().contains(&branch));
    let holdable = |condition: &Condition| match condition {
        Condition::OutOfScope => criteria
            .iter()
            .any(|(_, k)| k.is_scope() && k.branches().contains(&Branch::NotMet)),
        Condition::NotMet(clauses) => clauses.iter().any(|c| can(c, Branch::NotMet)),
        Condition::AnyUnknown => any(Branch::Unknown),
        Condition::AnyMeasure => any(Branch::MetWithMeasure),
        Condition::Always => true,
    };
    // Whether `condition` holding implies that `earlier` holds.
    let implies = |condition: &Condition, earlier: &Condition| match (condition, earlier) {
        (_, Condition::Always) => true,
        (Condition::NotMet(mine), Condition::NotMet(theirs)) => mine.iter().all(|c| theirs.contains(c)),
        (a, b) => a == b,
    };
    let steps = &agreement.decision.precedence;
    for (index, step) in steps.iter().enumerate() {
        let earlier: Vec<&Condition> = steps.iter().take(index).flat_map(|s| &s.when).collect();
        let reachable = step
            .when
            .iter()
            .any(|c| holdable(c) && !earlier.iter().any(|e| implies(c, e)));
        if !reachable {
            out.push(Finding {
                kind: crate::DiagnosticKind::Unreachable,
                path: vec![
                    PathPart::Key("decision"),
                    PathPart::Key("precedence"),
                    PathPart::Index(index),
                ],
                message: format!(
                    "step {} of the order of precedence ({}) is never reached: an earlier step always decides first, or its conditions cannot hold",
                    index + 1,
                    step.outcome.as_str()
                ),
            });
        }
    }
}

/// Clauses with no criterion that nothing cites: no clause depends on them;
/// no parameter, period, measure, requirement, grant, decision rule or
/// procedure names them; and they elaborate on no clause in use.
fn uncited_clauses(agreement: &Agreement, out: &mut Vec<Finding>) {
    let mut cited: BTreeSet<&str> = BTreeSet::new();
    for clause in &agreement.clauses {
        cited.extend(clause.depends_on.iter().map(String::as_str));
    }
    for parameter in &agreement.parameters {
        cited.insert(&parameter.clause);
        cited.extend(parameter.periods.iter().filter_map(|p| p.cites.as_deref()));
    }
    cited.extend(agreement.measures.iter().map(|m| m.clause.as_str()));
    cited.extend(agreement.requirements.iter().map(|r| r.clause.as_str()));
    cited.insert(&agreement.grant.clause);
    cited.insert(&agreement.decision.clause);
    if let Some(p) = &agreement.procedure {
        cited.extend(p.clauses());
    }
    // A clause that elaborates on one in use (it depends on it) is not dead text either.
    let in_use = |number: &str| {
        cited.contains(number)
            || agreement
                .clauses
                .iter()
                .any(|c| c.clause == number && c.criterion.is_some())
    };
    for (index, clause) in agreement.clauses.iter().enumerate() {
        let elaborates = clause.depends_on.iter().any(|d| in_use(d));
        if clause.criterion.is_none() && !cited.contains(clause.clause.as_str()) && !elaborates {
            out.push(Finding {
                kind: crate::DiagnosticKind::Unused,
                path: vec![PathPart::Key("clauses"), PathPart::Index(index)],
                message: format!(
                    "clause {} ({}) is neither evaluated nor cited: no clause depends on it and nothing names it",
                    clause.clause, clause.title
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: i64) -> Decimal {
        Decimal::from_int(n)
    }

    #[test]
    fn figures_with_their_unit_are_read_in_digits_and_words() {
        assert_eq!(
            stated(
                "At least 7 years of counted experience days (2557). From 6 years",
                Unit::Years
            ),
            vec![d(7), d(6)]
        );
        assert_eq!(stated("in the three years before", Unit::Years), vec![d(3)]);
        assert_eq!(stated("a 4-year programme", Unit::Years), vec![d(4)]);
        assert_eq!(
            stated("At least 90 hours of CPD; 75 hours", Unit::Hours),
            vec![d(90), d(75)]
        );
        assert_eq!(stated("within 10 days of the day", Unit::Days), vec![d(10)]);
        assert!(stated("clause 2.1 applies", Unit::Years).is_empty());
    }

    #[test]
    fn dates_are_read_in_words_and_iso() {
        let want = Date::parse("2025-07-01").ok();
        assert_eq!(dates("on or after 1 July 2025.").first().copied(), want);
        assert_eq!(dates("from 2025-07-01 on").first().copied(), want);
    }
}
