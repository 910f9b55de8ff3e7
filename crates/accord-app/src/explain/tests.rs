use std::path::{Path, PathBuf};

use accord_core::load_dir;

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn explained(file: &str, outlook: bool) -> Explanation {
    let rules = load_dir(&root().join("rules")).unwrap();
    assess_file(&rules, &root().join(file), None, outlook)
        .unwrap()
        .explanation(&rules)
}

fn counted(e: &Explanation, column: usize) -> Vec<Option<String>> {
    e.experience
        .as_ref()
        .unwrap()
        .periods
        .iter()
        .map(|p| p.counted[column].clone())
        .collect()
}

#[test]
fn part_time_days_count_pro_rata_period_by_period() {
    // Hand-worked in the fixture: 1,097 days at 0.5 = 548.5, then 486 and 1,522.
    let e = explained(
        "fixtures/cases/a-part-time-half-fte-2556-5-days-m2/application.yaml",
        false,
    );
    assert_eq!(e.applicant, "Huang Jing");
    assert_eq!(
        counted(&e, 0),
        [Some("548.5".into()), Some("486".into()), Some("1,522".into())]
    );
    // The responsible-charge column counts only the flagged period.
    assert_eq!(counted(&e, 1), [None, None, Some("1,522".into())]);
    let table = e.experience.as_ref().unwrap();
    assert_eq!(table.counts[0].clause, "3.3");
    assert_eq!(table.counts[0].total, "2,556.5");
    assert_eq!(table.periods[0].days, "1,097");
    let experience = e.clauses.iter().find(|c| c.clause == "3.3").unwrap();
    assert_eq!(
        experience.shortfall.as_deref(),
        Some("0.5 days short of the 2,557 days (7 years) needed without measure M2")
    );
}

#[test]
fn overlapping_days_are_counted_once_with_the_earlier_period() {
    // A alone: 2,555 days at 0.6 = 1,533; B adds 2,556.8 - 1,533 = 1,023.8.
    let e = explained(
        "fixtures/cases/a-overlapping-part-time-0-6-capped-at-one/application.yaml",
        false,
    );
    assert_eq!(counted(&e, 0), [Some("1,533".into()), Some("1,023.8".into())]);
    let table = e.experience.as_ref().unwrap();
    assert!(table.periods[1]
        .notes
        .iter()
        .any(|n| n.contains("overlaps an earlier period")));
    // Responsible charge: B alone, 2,528 days at 0.6.
    assert_eq!(counted(&e, 1), [None, Some("1,516.8".into())]);
}

#[test]
fn the_spec_example_counts_what_its_figures_say() {
    let e = explained("fixtures/examples/spec-example.yaml", false);
    assert_eq!(e.applicant, "Ayesha Khan");
    assert_eq!(e.outcome, "expedited");
    let table = e.experience.as_ref().unwrap();
    assert_eq!(table.counts[0].total, "2,572");
    assert_eq!(table.counts[1].total, "1,476");
    let cpd = &e.cpd[0];
    assert_eq!((cpd.inside.as_str(), cpd.outside.as_str()), ("100", "0"));
    assert_eq!(e.degrees[0].degrees[0].route, "accreditation");
    let grant = e.grant.as_ref().unwrap();
    assert_eq!(
        grant.words,
        "a provisional licence as Professional Engineer (PE) of China Society of Engineers (CSE)"
    );
    assert_eq!(e.host_body.name, "China Society of Engineers");
    let review = e.review.as_ref().unwrap();
    assert_eq!(review.clause, "7.3");
    assert!(review.words.contains("within 60 days"), "{}", review.words);
    assert!(e.input_sha256.as_deref().unwrap().starts_with("sha256:"));
    assert!(e.clauses.iter().all(|c| !c.text.is_empty()));
}

#[test]
fn missing_evidence_is_named_in_words_and_an_incomplete_decision_has_no_review() {
    let e = explained(
        "fixtures/cases/cpd-and-sanctions-absent-missing-both/application.yaml",
        false,
    );
    assert_eq!(e.outcome, "incomplete");
    assert!(e.to_supply.iter().all(|w| !w.contains('[') && !w.contains('_')));
    assert!(
        e.to_supply[0].contains("continuing professional development"),
        "{:?}",
        e.to_supply
    );
    assert!(e.review.is_none());
    assert!(e.next_steps[0].contains("missing evidence"));
}

#[test]
fn a_shortfall_is_given_in_years_and_days() {
    let e = explained(
        "fixtures/cases/a-experience-2191-days-not-met/application.yaml",
        false,
    );
    let experience = e.clauses.iter().find(|c| c.clause == "3.3").unwrap();
    assert_eq!(experience.status, "not_met");
    assert_eq!(
        experience.shortfall.as_deref(),
        Some("1 day short of the 2,192 days needed with measure M2, and 366 days (1 year) short of the 2,557 days (7 years) needed without it")
    );
}
