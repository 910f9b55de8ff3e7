//! End-to-end tests of the auditor's commands on the real binary:
//! `accord diff`, `accord impact` and `accord test --coverage`.

// Test code: indexing into parsed output and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::process::Command;

use serde_json::Value;
use support::{copy_dir, root, run};

mod support;

fn accord(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.env_remove("ACCORD_RULES").current_dir(root()).args(args);
    command
}

const BEFORE: &str = "fixtures/rulesets/before-amendment-1";

#[test]
fn diff_reports_exactly_amendment_no_1() {
    let (code, stdout, stderr) = run(&mut accord(&["diff", "--format", "json", BEFORE, "rules"]));
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["same_meaning"], false);
    let changes = report["changes"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["entity"].as_str().unwrap(),
                c["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("changed", "clause", "cse-pec-mra 3.5"),
            ("changed", "parameter", "cse-pec-mra cpd_hours"),
            ("added", "clause", "cse-pec-mra 5.1"),
        ]
    );
    assert_eq!(changes[0]["fields"], serde_json::json!(["text"]));
    assert_eq!(
        changes[1]["summary"],
        "3.5 CPD hours: 90 -> 75 from 2026-01-01 (Amendment No. 1)"
    );
    let (code, text, _) = run(&mut accord(&["diff", BEFORE, "rules"]));
    assert_eq!(code, 1);
    assert!(text.contains("3 changes of meaning"), "{text}");
    assert!(
        text.contains("~ 3.5 CPD hours: 90 -> 75 from 2026-01-01 (Amendment No. 1)"),
        "{text}"
    );
    // The other way round, the amendment is undone.
    let (_, back, _) = run(&mut accord(&["diff", "rules", BEFORE]));
    assert!(back.contains("75 -> 90 from 2026-01-01"), "{back}");
    assert!(back.contains("- removed clause 5.1"), "{back}");
}

#[test]
fn reformatting_a_rule_file_is_no_change_of_meaning() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    let agreement = dir.path().join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&agreement).unwrap();
    let text = text
        .replace(
            "          - { from: 2026-01-01, value: 75, cites: \"5.1\" }",
            "          - from: 2026-01-01   # Amendment No. 1\n            cites: '5.1'\n            value: 75.0",
        )
        .replace(
            "          At least 2 years (731 days) of responsible-charge days.",
            "          At least 2 years (731 days)\n          of   responsible-charge days.",
        );
    std::fs::write(&agreement, format!("# reformatted\n{text}")).unwrap();
    std::fs::rename(
        dir.path().join("bodies.yaml"),
        dir.path().join("zz-bodies-renamed.yaml"),
    )
    .unwrap();
    let rules = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&mut accord(&["diff", "--format", "json", "rules", rules]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["same_meaning"], true);
    assert_eq!(report["changes"], serde_json::json!([]));
    assert_eq!(report["old"]["fingerprint"], report["new"]["fingerprint"]);
    let (code, text, _) = run(&mut accord(&["diff", "rules", rules]));
    assert_eq!(code, 0);
    assert!(text.contains("no change of meaning"), "{text}");
}

#[test]
fn diff_names_schedule_and_measure_changes() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    let schedules = dir.path().join("schedules.yaml");
    let text = std::fs::read_to_string(&schedules)
        .unwrap()
        .replace("since: 2016-06-02", "since: 2016-06-03");
    std::fs::write(&schedules, text).unwrap();
    let agreement = dir.path().join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&agreement).unwrap().replace(
        "Competence interview by a panel",
        "Competence interview by a board",
    );
    std::fs::write(&agreement, text).unwrap();
    let (code, stdout, _) = run(&mut accord(&["diff", "rules", dir.path().to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(stdout.contains("2 changes of meaning"), "{stdout}");
    assert!(
        stdout.contains("schedule entry CAST") && stdout.contains("since: 2016-06-02 -> 2016-06-03"),
        "{stdout}"
    );
    assert!(stdout.contains("measure M1"), "{stdout}");
}

#[test]
fn diff_of_an_unreadable_rule_set_is_trouble() {
    let (code, _, stderr) = run(&mut accord(&["diff", "rules", "no-such-rules"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-rules"), "{stderr}");
}

/// Hand-worked applications for `impact`, assessed on 2026-03-02: the
/// amendment lowers 3.5 from 90 to 75 hours.
fn impact_applications() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("rules/tests/applications/pec-civil.yaml")).unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    // 80 hours: not met under 90, met under 75 -> standard becomes expedited.
    write("a-flips.yaml", base.replace("RT-BASE", "IMP-A"));
    // 100 hours: met either way -> unchanged, not listed.
    write(
        "b-plenty.yaml",
        base.replace("RT-BASE", "IMP-B")
            .replace("hours: 80", "hours: 100"),
    );
    // 70 hours: not met either way -> unchanged.
    write(
        "c-short.yaml",
        base.replace("RT-BASE", "IMP-C").replace("hours: 80", "hours: 70"),
    );
    // 80 hours but RE only (3.1 not met): standard either way, but 3.5 changes -> listed.
    write(
        "d-clause-only.yaml",
        base.replace("RT-BASE", "IMP-D")
            .replace("credential: PE", "credential: RE"),
    );
    // 80 hours, applied before the amendment: 90 applies under both -> unchanged.
    write(
        "e-before.yaml",
        base.replace("RT-BASE", "IMP-E")
            .replace("applied_on: 2026-03-02", "applied_on: 2025-12-31"),
    );
    write("f-broken.yaml", "id: [\n".into());
    dir
}

#[test]
fn impact_lists_exactly_the_applications_whose_decision_changes() {
    let dir = impact_applications();
    let path = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&mut accord(&[
        "impact", "--old", BEFORE, "--new", "rules", "--format", "jsonl", path,
    ]));
    assert_eq!(code, 1, "one file is broken: {stderr}");
    let records: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 3, "{stdout}");
    assert_eq!(records[0]["application"], "IMP-A");
    assert_eq!(records[0]["before"]["outcome"], "standard");
    assert_eq!(records[0]["after"]["outcome"], "expedited");
    assert_eq!(records[0]["changed_clauses"], serde_json::json!(["3.5"]));
    let clause = &records[0]["clauses"][0];
    assert_eq!(clause["before"]["figures"]["required_hours"], 90);
    assert_eq!(clause["after"]["figures"]["required_hours"], 75);
    assert_eq!(records[1]["application"], "IMP-D");
    assert_eq!(records[1]["before"]["outcome"], "standard");
    assert_eq!(records[1]["after"]["outcome"], "standard");
    assert!(records[2]["error"].as_str().unwrap().contains("f-broken.yaml"));
    assert!(stderr.contains("changed 2, unchanged 3, rejected 1"), "{stderr}");

    let (_, text, _) = run(&mut accord(&["impact", "--old", BEFORE, "--new", "rules", path]));
    assert!(text.contains("standard -> expedited: 1"), "{text}");
    // Issue 14: a decision whose clauses change but not its outcome is no transition.
    assert!(!text.contains("standard -> standard"), "{text}");
    assert!(text.contains("same outcome, clauses changed: 1"), "{text}");
    assert!(text.contains("d-clause-only.yaml): still standard"), "{text}");
    assert!(
        text.contains("(of the changed: outcome 1, clauses only 1)"),
        "{text}"
    );
    assert!(text.contains("3.5: 2"), "{text}");
    assert!(text.contains("IMP-A") && text.contains("IMP-D"), "{text}");
    assert!(
        !text.contains("IMP-B") && !text.contains("IMP-C") && !text.contains("IMP-E"),
        "{text}"
    );
}

#[test]
fn impact_between_identical_rules_lists_nothing() {
    let dir = impact_applications();
    std::fs::remove_file(dir.path().join("f-broken.yaml")).unwrap();
    let (code, stdout, stderr) = run(&mut accord(&[
        "impact",
        "--old",
        "rules",
        "--new",
        "rules",
        "--format",
        "jsonl",
        "--jobs",
        "2",
        dir.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("changed 0, unchanged 5"), "{stderr}");
}

#[test]
fn the_bundled_rule_tests_pass_with_full_coverage() {
    let (code, stdout, _) = run(&mut accord(&["test", "--coverage"]));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("coverage 100%"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn deleting_a_rule_test_drops_coverage_below_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    // The boundary tests exercise every branch again; keep only the first suite.
    for entry in std::fs::read_dir(dir.path().join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("boundaries")
        {
            std::fs::remove_file(path).unwrap();
        }
    }
    let criteria = dir.path().join("tests/criteria.yaml");
    let text = std::fs::read_to_string(&criteria).unwrap();
    // Remove the only test of a pending investigation.
    let start = text.find("  - name: 3.7 a pending investigation").unwrap();
    let end = start + text[start..].find("\n\n").unwrap() + 2;
    std::fs::write(&criteria, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let rules = dir.path().to_str().unwrap();
    let (code, stdout, _) = run(&mut accord(&["test", "--coverage", "--rules", rules]));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("clause 3.7 branch not_met"), "{stdout}");
    assert!(stdout.contains("precedence step 2 (referred)"), "{stdout}");
    assert!(
        stdout.contains("is below the rule set's minimum of 100%"),
        "{stdout}"
    );
    // Without --coverage the remaining tests still pass.
    let (code, _, _) = run(&mut accord(&["test", "--rules", rules]));
    assert_eq!(code, 0);
}

#[test]
fn a_failing_rule_test_shows_a_readable_difference() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    let criteria = dir.path().join("tests/criteria.yaml");
    let text = std::fs::read_to_string(&criteria).unwrap().replacen(
        "      outcome: referred",
        "      outcome: expedited",
        1,
    );
    std::fs::write(&criteria, text).unwrap();
    let (code, stdout, _) = run(&mut accord(&["test", "--rules", dir.path().to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("FAIL criteria.yaml: 3.7 a pending investigation"),
        "{stdout}"
    );
    assert!(
        stdout.contains("outcome: expected expedited, got referred"),
        "{stdout}"
    );
    assert!(stdout.contains("1 failed"), "{stdout}");
}

#[test]
fn a_malformed_rule_test_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), dir.path());
    std::fs::write(
        dir.path().join("tests/bad.yaml"),
        "tests:\n  - name: typo\n    application_file: applications/pec-civil.yaml\n    expect:\n      outcom: expedited\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&mut accord(&["test", "--rules", dir.path().to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(stderr.contains("bad.yaml:5:"), "{stderr}");
    assert!(stderr.contains("tests[0].expect"), "{stderr}");
}

#[test]
fn impact_counts_a_measure_dropped_as_a_clause_change() {
    // New rules: 6 years of experience suffice outright (no M2 band left in use).
    let rules = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), rules.path());
    let agreement = rules.path().join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&agreement).unwrap();
    let from = "      - id: experience_years\n        clause: \"3.3\"\n        title: Experience for expedited recognition\n        unit: years\n        periods:\n          - { from: 2025-07-01, value: 7 }";
    assert!(text.contains(from));
    std::fs::write(
        &agreement,
        text.replace(from, &from.replace("value: 7", "value: 6")),
    )
    .unwrap();
    // 2019-06-01 .. 2026-03-02: 2,467 days — M2 under 7 years, plainly met under 6.
    let apps = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("rules/tests/applications/pec-civil.yaml")).unwrap();
    let app = base.replace(
        "  - employer: Contractor\n    role: Site engineer\n    from: 2017-08-01\n    to: 2019-12-31\n  - employer: Contractor\n    role: Project engineer\n    from: 2020-01-01\n",
        "  - employer: Contractor\n    role: Project engineer\n    from: 2019-06-01\n",
    );
    assert_ne!(app, base);
    std::fs::write(apps.path().join("a.yaml"), app).unwrap();
    let (code, stdout, stderr) = run(&mut accord(&[
        "impact",
        "--old",
        "rules",
        "--new",
        rules.path().to_str().unwrap(),
        "--format",
        "jsonl",
        apps.path().to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let record: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(record["outcome_before"], "conditional");
    assert_eq!(record["outcome_after"], "expedited");
    assert_eq!(record["changed_clauses"], serde_json::json!(["3.3"]));
    assert_eq!(record["clauses"][0]["before"]["measure"], "M2");
    // Issue 14: in text, a clause that loses its measure reads as a change, not `met -> met`.
    let (_, text, _) = run(&mut accord(&[
        "impact",
        "--old",
        "rules",
        "--new",
        rules.path().to_str().unwrap(),
        apps.path().to_str().unwrap(),
    ]));
    assert!(text.contains("  3.3: met_with_M2 -> met\n"), "{text}");
    assert!(text.contains("    before: 2,467 of 2,557 days"), "{text}");
    assert!(text.contains("    after: 2,467 of 2,192 days"), "{text}");
    assert!(text.contains("conditional -> expedited: 1"), "{text}");
}
