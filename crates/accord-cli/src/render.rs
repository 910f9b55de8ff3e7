//! Decisions as text for a person: the outcome first, then every clause with
//! its title, status, figures and shortfall, what was counted (experience
//! periods, CPD items, degrees), measures, missing evidence in words, the
//! grant and its requirements, what to do next, the outlook, and what
//! re-derives the decision. With the application at hand the report comes
//! from its [`Explanation`] (accord-app's `explain`, shared with the
//! decision letter); a decision alone (a register's) gets what the
//! decision holds.

use accord_app::explain::{ExperienceTable, Explanation};
use accord_core::prose;
use accord_core::rules::model::Outcome;
use accord_eval::{Decision, Outlook, Status};

use crate::escape::{Lines, Paint};

/// Whether a report on stdout may be coloured: on a terminal, unless
/// `NO_COLOR` is set (to anything but the empty string, as no-color.org
/// says) or the terminal is `dumb`.
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_colour && !dumb
}

/// A clause's status as a token, as the CSV and `impact` write it: `met`,
/// `met_with_M2` (met with that measure), `not_met`, `unknown`.
pub fn status_token(c: &accord_eval::CriterionResult) -> String {
    match (c.status, &c.measure) {
        (Status::Met, Some(m)) => format!("met_with_{m}"),
        (status, _) => status.as_str().to_owned(),
    }
}

/// The text report of a decision alone; every line escaped for the terminal.
#[cfg(test)]
pub fn decision(d: &Decision) -> String {
    report(d, None, None, false)
}

/// The full text report: the decision explained (applicant, shortfalls,
/// what was counted, next steps), coloured when `colour` is set.
pub fn explained(d: &Decision, outlook: Option<&Outlook>, e: &Explanation, colour: bool) -> String {
    report(d, outlook, Some(e), colour)
}

fn outcome_paint(outcome: Outcome) -> Paint {
    match outcome {
        Outcome::Expedited => Paint::Green,
        Outcome::Conditional => Paint::Yellow,
        Outcome::Incomplete => Paint::Magenta,
        Outcome::Referred | Outcome::Standard => Paint::Red,
    }
}

fn report(d: &Decision, outlook: Option<&Outlook>, e: Option<&Explanation>, colour: bool) -> String {
    let mut out = Lines::coloured(colour);
    let under = match &d.agreement {
        Some(id) => format!("under {id}"),
        None => "no agreement applies".to_owned(),
    };
    out.painted(&[
        (None, &format!("{}: ", d.application)),
        (Some(outcome_paint(d.outcome)), &d.outcome.as_str().to_uppercase()),
        (None, &format!(" ({under}, assessed as of {})", d.as_of)),
    ]);
    let who = e.map(|e| format!("{}, ", e.applicant)).unwrap_or_default();
    out.line(format!(
        "  {who}{} → {}, {}: {}",
        d.home_body, d.host_body, d.discipline, d.reason
    ));
    criteria(&mut out, d, e);
    if let Some(e) = e {
        counted(&mut out, e);
    }
    section(
        &mut out,
        "Measures",
        d.measures
            .iter()
            .map(|m| format!("{} (clause {}): {}", m.id, m.clause, m.description)),
    );
    section(
        &mut out,
        "Missing evidence",
        d.missing
            .iter()
            .map(|path| format!("{} ({path})", accord_app::contract::to_supply(path))),
    );
    if let Some(g) = &d.grant {
        let kind = if g.provisional { "provisional " } else { "" };
        out.blank();
        out.painted(&[(Some(Paint::Bold), "Grant")]);
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
    if let Some(e) = e {
        let steps = e.next_steps.iter().chain(e.review.as_ref().map(|r| &r.words));
        section(&mut out, "Next steps", steps.cloned());
    }
    if let Some(o) = outlook {
        outlook_section(&mut out, d, o);
    }
    out.blank();
    out.line(format!("Rule set {}", d.ruleset));
    if let Some(sha) = e.and_then(|e| e.input_sha256.as_deref()) {
        out.line(format!("Application file {sha}"));
    }
    out.finish()
}

/// Every clause evaluated, with its shortfall when the explanation has one.
fn criteria(out: &mut Lines, d: &Decision, e: Option<&Explanation>) {
    if d.criteria.is_empty() {
        return;
    }
    out.blank();
    out.painted(&[(Some(Paint::Bold), "Criteria")]);
    for c in &d.criteria {
        let (paint, status) = match (c.status, &c.measure) {
            (Status::Met, Some(m)) => (Paint::Yellow, format!("met, with measure {m}")),
            (Status::Met, None) => (Paint::Green, "met".to_owned()),
            (Status::NotMet, _) => (Paint::Red, "NOT MET".to_owned()),
            (Status::Unknown, _) => (Paint::Yellow, "unknown".to_owned()),
        };
        out.painted(&[
            (None, &format!("  {} {}: ", c.clause, c.title)),
            (Some(paint), &status),
            (None, &format!(" — {}", c.detail)),
        ]);
        let view = e.and_then(|e| e.clauses.iter().find(|v| v.clause == c.clause));
        if let Some(short) = view.and_then(|v| v.shortfall.as_deref()) {
            out.line(format!("      short: {short}"));
        }
    }
}

/// What was counted: the experience periods, the CPD items, the degrees.
fn counted(out: &mut Lines, e: &Explanation) {
    if let Some(table) = &e.experience {
        experience(out, table);
    }
    for t in &e.cpd {
        out.blank();
        out.painted(&[(
            Some(Paint::Bold),
            &format!(
                "CPD for clause {}, in the window from {} to {}",
                t.clause, t.window_from, t.window_to
            ),
        )]);
        let width = t.items.iter().map(|i| i.hours.len()).max().unwrap_or(0);
        for i in &t.items {
            let counted = if i.inside {
                "counted".to_owned()
            } else {
                format!("not counted: {}", i.place)
            };
            out.line(format!(
                "  {}  {:>width$} h  {}  ({counted})",
                i.completed_on, i.hours, i.activity
            ));
        }
        out.line(format!(
            "  {} inside the window, of {} needed; {} outside it",
            prose::count(&t.inside, "hour", "hours"),
            t.required,
            t.outside
        ));
    }
    for t in &e.degrees {
        out.blank();
        out.painted(&[(Some(Paint::Bold), &format!("Degrees for clause {}", t.clause))]);
        for g in &t.degrees {
            let accredited = g
                .accredited_by
                .as_ref()
                .map(|b| format!(", accredited by {b}"))
                .unwrap_or_default();
            // A length not given is said once, by the route (`undecided
            // until the programme length is given`), not twice.
            let years = g
                .programme_years
                .as_ref()
                .map(|y| format!(", a {y}-year programme"))
                .unwrap_or_default();
            out.line(format!(
                "  {} ({}), conferred {}{accredited}{years}: {}",
                g.title, g.institution, g.graduated_on, g.route
            ));
        }
    }
}

/// The experience table: each period with what it counted for each
/// counted-days clause, and the totals (the clauses' figures).
fn experience(out: &mut Lines, t: &ExperienceTable) {
    out.blank();
    out.painted(&[(
        Some(Paint::Bold),
        &format!(
            "Experience counted from graduation on {} to {} (part-time pro rata, overlaps once)",
            t.graduated_on, t.as_of
        ),
    )]);
    let mut rows: Vec<Vec<String>> = vec![{
        let mut head: Vec<String> = ["from", "to", "fte", "days"].map(str::to_owned).into();
        head.extend(t.counts.iter().map(|k| format!("clause {}", k.clause)));
        head
    }];
    for p in &t.periods {
        let mut row = vec![
            p.from.clone(),
            p.to.clone().unwrap_or_else(|| "ongoing".to_owned()),
            p.fte.clone(),
            p.days.clone(),
        ];
        row.extend(
            p.counted
                .iter()
                .map(|c| c.clone().unwrap_or_else(|| "—".to_owned())),
        );
        rows.push(row);
    }
    let mut total = vec!["total".to_owned(), String::new(), String::new(), String::new()];
    total.extend(t.counts.iter().map(|k| k.total.clone()));
    rows.push(total);
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let describe = |i: usize| -> String {
        match t.periods.get(i) {
            Some(p) => {
                let rc = if p.responsible_charge {
                    " (responsible charge)"
                } else {
                    ""
                };
                let notes = if p.notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", p.notes.join("; "))
                };
                format!("{}, {}{rc}{notes}", p.employer, p.role)
            }
            None => String::new(),
        }
    };
    let last = rows.len().saturating_sub(1);
    for (r, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                let pad = w.saturating_sub(cell.chars().count());
                if i < 2 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        let what = match r {
            0 => "employer, role".to_owned(),
            r if r == last => String::new(),
            r => describe(r - 1),
        };
        out.line(format!("  {}  {what}", cells.join("  ")).trim_end());
    }
    if !t.attributed {
        out.line(format!(
            "  (more than {} periods: each period's share is not shown; the totals are counted as the agreement says)",
            accord_app::explain::MAX_ATTRIBUTED_PERIODS
        ));
    }
}

/// The outlook in plain words: when time alone would change the decision,
/// when each clause would be met, and what time cannot supply.
fn outlook_section(out: &mut Lines, d: &Decision, o: &Outlook) {
    let view = accord_app::explain::outlook_view(d, o);
    out.blank();
    out.painted(&[(Some(Paint::Bold), &view.heading)]);
    for line in &view.lines {
        out.line(format!("  {line}"));
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
    out.painted(&[(Some(Paint::Bold), title)]);
    for line in lines {
        out.line(format!("  {line}"));
    }
}

/// Snapshots of the text report for hand-worked fixtures: their diffs are
/// reviewed like code (`INSTA_UPDATE=always cargo test` to accept).
#[cfg(test)]
mod snapshots {
    use std::path::{Path, PathBuf};

    use accord_core::load_dir;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn report(file: &str) -> String {
        let rules = load_dir(&root().join("rules")).unwrap();
        let explained = accord_app::explain::assess_file(&rules, &root().join(file), None, false).unwrap();
        let a = &explained.assessed;
        super::explained(
            &a.decision,
            a.outlook.as_ref(),
            &explained.explanation(&rules),
            false,
        )
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

    #[test]
    fn a_shortfall_in_years_and_days() {
        insta::assert_snapshot!(report(
            "fixtures/cases/a-experience-2191-days-not-met/application.yaml"
        ));
    }

    #[test]
    fn two_clauses_not_met() {
        insta::assert_snapshot!(report(
            "fixtures/cases/imposed-and-pending-standard-precedes-referred/application.yaml"
        ));
    }

    #[test]
    fn issue_14_a_degree_without_its_length_says_so_once() {
        let text = report(
            "fixtures/cases/b-programme-years-absent-on-accredited-degree-incomplete/application.yaml",
        );
        assert!(
            text.contains(
                "  BSc Computer Engineering (National University of Sciences and Technology), conferred 2017-07-15, accredited by PEC: undecided until the programme length is given\n"
            ),
            "{text}"
        );
        assert_eq!(text.matches("programme length not given").count(), 1, "{text}");
        assert!(
            text.contains("Missing evidence\n  the length in years of the programme of each of your degrees"),
            "{text}"
        );
    }

    #[test]
    fn a_decision_alone_names_missing_evidence_in_words() {
        let rules = load_dir(&root().join("rules")).unwrap();
        let application = accord_core::Application::read(
            &root().join("fixtures/cases/cpd-and-sanctions-absent-missing-both/application.yaml"),
            &rules,
        )
        .unwrap();
        let text = super::decision(&accord_app::decide(&rules, &application, None).unwrap());
        assert!(
            text.contains("Missing evidence\n  the continuing professional development you completed"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
    }
}
