//! Decisions as text for a person: the outcome first, then every clause with
//! its title, status and figures, then measures, missing evidence, the grant
//! and its requirements.

use accord_eval::{Decision, Status};

use crate::escape::Lines;

/// The text report of a decision; every line escaped for the terminal.
pub fn decision(d: &Decision) -> String {
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
    out.blank();
    out.line(format!("Rule set {}", d.ruleset));
    out.finish()
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
