//! Decisions as text for a person: the outcome first, then every clause with
//! its title, status and figures, then measures, missing evidence, the grant
//! and its requirements.

use accord_app::Assessed;
use accord_core::rules::model::Outcome;
use accord_eval::{CriterionResult, Decision, Milestone, Outlook, Status};

use crate::escape::Lines;

/// The text report of a decision; every line escaped for the terminal.
pub fn decision(d: &Decision) -> String {
    report(d, None)
}

/// The text report of a decision with its outlook, when there is one.
pub fn assessed(a: &Assessed) -> String {
    report(&a.decision, a.outlook.as_ref())
}

fn report(d: &Decision, outlook: Option<&Outlook>) -> String {
    let mut out = Lines::new();
    let under = match &d.agreement {
        Some(id) => format!("under {id}"),
        None => "no agreement applies".to_owned(),
    };
    out.line(format!(
        "{}: {} ({under}, assessed as of {})",
        d.application,
        d.outcome.as_str().to_uppercase(),
        d.as_of
    ));
    out.line(format!(
        "  {} → {}, {}: {}",
        d.home_body, d.host_body, d.discipline, d.reason
    ));
    if !d.criteria.is_empty() {
        out.blank();
        out.line("Criteria");
        for c in &d.criteria {
            let status = match (c.status, &c.measure) {
                (Status::Met, Some(m)) => format!("met, with measure {m}"),
                (Status::Met, None) => "met".to_owned(),
                (Status::NotMet, _) => "NOT MET".to_owned(),
                (Status::Unknown, _) => "unknown".to_owned(),
            };
            out.line(format!("  {} {}: {status} — {}", c.clause, c.title, c.detail));
        }
    }
    section(
        &mut out,
        "Measures",
        d.measures
            .iter()
            .map(|m| format!("{} (clause {}): {}", m.id, m.clause, m.description)),
    );
    section(&mut out, "Missing evidence", d.missing.iter().cloned());
    if let Some(g) = &d.grant {
        let kind = if g.provisional { "provisional " } else { "" };
        out.blank();
        out.line("Grant");
        out.line(format!(
            "  {kind}{} of {}, without further examination",
            g.credential, g.body
        ));
    }
    section(
        &mut out,
        "Requirements",
        d.requirements
            .iter()
            .map(|r| format!("{} (clause {}): {}", r.id, r.clause, r.description)),
    );
    if let Some(o) = outlook {
        outlook_section(&mut out, d, o);
    }
    out.blank();
    out.line(format!("Rule set {}", d.ruleset));
    out.finish()
}

/// `4 March 2027`.
pub fn long_date(date: chrono::NaiveDate) -> String {
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

/// The outlook in plain words: when time alone would change the decision,
/// when each clause would be met, and what time cannot supply.
fn outlook_section(out: &mut Lines, d: &Decision, o: &Outlook) {
    out.blank();
    out.line(format!(
        "Outlook (if nothing but time changes, looking to {})",
        long_date(o.horizon)
    ));
    let granting = |outcome: Outcome| matches!(outcome, Outcome::Expedited | Outcome::Conditional);
    match (&o.expedited_on, &o.granted_on) {
        _ if d.outcome == Outcome::Expedited => out.line("  Already expedited: nothing to wait for."),
        (Some(e), g) => {
            if let Some(g) = g.as_ref().filter(|g| g.on < e.on) {
                out.line(format!(
                    "  Would be granted ({}) from {}{}.",
                    g.outcome.as_str(),
                    long_date(g.on),
                    because(g)
                ));
            }
            out.line(format!(
                "  Would be decided expedited on {} if nothing but time changes{}.",
                long_date(e.on),
                because(e)
            ));
        }
        (None, Some(g)) => {
            out.line(format!(
                "  Would be granted ({}) from {}{}.",
                g.outcome.as_str(),
                long_date(g.on),
                because(g)
            ));
            out.line("  Time alone will not lead to an expedited decision as the file stands.");
        }
        (None, None) if granting(d.outcome) => {
            out.line("  Time alone will not lead to an expedited decision as the file stands.")
        }
        (None, None) => out.line("  Time alone will not lead to recognition as the file stands."),
    }
    for c in &o.criteria {
        let title = format!("Clause {} ({})", c.now.clause, c.now.title);
        match (&c.met_on, &c.never) {
            (Some((on, _)), _) => out.line(format!("  {title}: met on {}.", long_date(*on))),
            (None, Some(why)) => out.line(format!("  {title}: time alone will not meet it: {why}.")),
            (None, None) => out.line(format!("  {title}: time alone will not meet it.")),
        }
    }
    for (on, c) in &o.lost {
        out.line(format!(
            "  Clause {} ({}): met now, but no longer from {}: {}.",
            c.clause,
            c.title,
            long_date(*on),
            c.detail
        ));
    }
    let unknown: Vec<&CriterionResult> = d
        .criteria
        .iter()
        .filter(|c| c.status == Status::Unknown)
        .collect();
    for c in &unknown {
        out.line(format!(
            "  Clause {} ({}): cannot be decided until evidence is supplied: {}.",
            c.clause, c.title, c.detail
        ));
    }
    if !d.missing.is_empty() {
        out.line("  Time cannot supply:");
        for path in &d.missing {
            out.line(format!("    - {}", accord_app::contract::to_supply(path)));
        }
    }
}

fn section(out: &mut Lines, title: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        return;
    }
    out.blank();
    out.line(title);
    for line in lines {
        out.line(format!("  {line}"));
    }
}

/// Snapshots of the text report for hand-worked fixtures: their diffs are
/// reviewed like code (`INSTA_UPDATE=always cargo test` to accept).
#[cfg(test)]
mod snapshots {
    use std::path::{Path, PathBuf};

    use accord_core::{load_dir, Application};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn report(file: &str) -> String {
        let rules = load_dir(&root().join("rules")).unwrap();
        let application = Application::read(&root().join(file), &rules).unwrap();
        super::decision(&accord_app::decide(&rules, &application, None).unwrap())
    }

    #[test]
    fn the_spec_example() {
        insta::assert_snapshot!(report("fixtures/examples/spec-example.yaml"));
    }

    #[test]
    fn a_conditional_decision() {
        insta::assert_snapshot!(report(
            "fixtures/cases/a-part-time-half-fte-2556-5-days-m2/application.yaml"
        ));
    }

    #[test]
    fn an_incomplete_decision() {
        insta::assert_snapshot!(report(
            "fixtures/cases/cpd-and-sanctions-absent-missing-both/application.yaml"
        ));
    }
}
