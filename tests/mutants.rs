//! Issue 13 end to end: one-step edits of the bundled rules make the rule
//! tests fail; `accord test --mutants` reports no unaccepted survivor on
//! the bundled and PEC–EA rules, names the survivors once a boundary test
//! is gone, and `accord check` warns when a clause's text and its
//! parameter disagree.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::Path;
use std::process::Command;

use support::{copy_dir, root, run};

mod support;

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.current_dir(root());
    command
}

/// A copy of the bundled rules with `from` replaced by `to` in the agreement file.
fn edited(dir: &Path, file: &str, from: &str, to: &str) -> String {
    let rules = dir.join("rules");
    copy_dir(&root().join("rules"), &rules);
    let path = rules.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
    rules.display().to_string()
}

#[test]
fn one_step_edits_of_the_bundled_rules_fail_the_rule_tests() {
    let agreement = "agreements/cse-pec-mra.yaml";
    let edits = [
        (
            "experience 7 → 8 years",
            agreement,
            "- { from: 2025-07-01, value: 7 }",
            "- { from: 2025-07-01, value: 8 }",
        ),
        (
            "responsible charge 2 → 2.003 years (732 days)",
            agreement,
            "- { from: 2025-07-01, value: 2 }",
            "- { from: 2025-07-01, value: 2.003 }",
        ),
        (
            "CPD 75 → 75.01 hours",
            agreement,
            "- { from: 2026-01-01, value: 75, cites: \"5.1\" }",
            "- { from: 2026-01-01, value: 75.01, cites: \"5.1\" }",
        ),
        (
            "Amendment No. 1 a day later",
            agreement,
            "- { from: 2025-07-01, to: 2025-12-31, value: 90 }\n          - { from: 2026-01-01,",
            "- { from: 2025-07-01, to: 2026-01-01, value: 90 }\n          - { from: 2026-01-02,",
        ),
        (
            "CPD window 3 → 4 years",
            agreement,
            "- { from: 2025-07-01, value: 3 }",
            "- { from: 2025-07-01, value: 4 }",
        ),
        (
            "good standing window 5 → 4 years",
            agreement,
            "- { from: 2025-07-01, value: 5 }",
            "- { from: 2025-07-01, value: 4 }",
        ),
        (
            "entry into force a day later",
            agreement,
            "in_force: { from: 2025-07-01 }",
            "in_force: { from: 2025-07-02 }",
        ),
        (
            "acknowledgement 10 → 11 days",
            agreement,
            "- { from: 2025-07-01, value: 10 }",
            "- { from: 2025-07-01, value: 11 }",
        ),
        (
            "PEC a signatory a day later",
            "schedules.yaml",
            "since: 2017-06-21",
            "since: 2017-06-22",
        ),
    ];
    for (what, file, from, to) in edits {
        let dir = tempfile::tempdir().unwrap();
        let rules = edited(dir.path(), file, from, to);
        let (code, stdout, stderr) = run(accord().args(["test", "--rules", &rules]));
        assert_eq!(code, 1, "{what}: the rule tests must notice\n{stdout}{stderr}");
        assert!(stdout.contains("FAIL"), "{what}: {stdout}");
    }
}

#[test]
fn no_mutant_of_the_bundled_or_pec_ea_rules_survives_unaccepted() {
    for rules in ["rules", "fixtures/rulesets/pec-ea"] {
        let (code, stdout, stderr) =
            run(accord().args(["test", "--mutants", "--format", "json", "--rules", rules]));
        assert_eq!(code, 0, "{rules}: {stdout}{stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["surviving"], 0, "{rules}");
        assert!(report["total"].as_u64().unwrap() > 100, "{rules}: {report}");
        assert_eq!(report["stale_accepts"], serde_json::json!([]), "{rules}");
        // Every accepted mutant comes with its reason.
        for e in report["equivalent"].as_array().unwrap() {
            assert!(!e["reason"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn without_its_boundary_tests_a_survivor_is_named_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    std::fs::remove_file(rules.join("tests/procedure.yaml")).unwrap();
    let (code, stdout, _) = run(accord().args(["test", "--mutants", "--rules"]).arg(&rules));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("surviving (no test notices the change):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("clause 6.1: `acknowledgement_days` from 2025-07-01: 10 → 11 (one day more)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hint: a `deadlines` test of the period that reads `acknowledgement_days`"),
        "{stdout}"
    );
    // An accept that names no surviving mutant is reported, not ignored.
    std::fs::write(
        rules.join("tests/stale.yaml"),
        "accept:\n  - mutant: \"cse-pec-mra: parameter experience_years period 1 up\"\n    reason: wrongly thought equivalent\n",
    )
    .unwrap();
    let (_, stdout, _) = run(accord().args(["test", "--mutants", "--rules"]).arg(&rules));
    assert!(stdout.contains("warning: stale.yaml: accept[0]: `cse-pec-mra: parameter experience_years period 1 up` names no surviving mutant"), "{stdout}");
}

#[test]
fn mutation_testing_refuses_a_failing_suite() {
    let dir = tempfile::tempdir().unwrap();
    let rules = edited(
        dir.path(),
        "agreements/cse-pec-mra.yaml",
        "- { from: 2025-07-01, value: 7 }",
        "- { from: 2025-07-01, value: 8 }",
    );
    let (code, _, stderr) = run(accord().args(["test", "--mutants", "--rules", &rules]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("mutation testing needs passing rule tests"),
        "{stderr}"
    );
}

#[test]
fn check_warns_when_the_text_says_7_years_and_the_parameter_8() {
    let dir = tempfile::tempdir().unwrap();
    let rules = edited(
        dir.path(),
        "agreements/cse-pec-mra.yaml",
        "- { from: 2025-07-01, value: 7 }",
        "- { from: 2025-07-01, value: 8 }",
    );
    let (code, _, stderr) = run(accord().args(["check", "--rules", &rules]));
    assert_eq!(code, 0, "a warning alone does not fail: {stderr}");
    assert!(
        stderr.contains(
            "clause 3.3 (Experience) states 7 and 6 years (\"At least 7 years of counted experience days"
        ) && stderr.contains("where parameter `experience_years` is 8 from 2025-07-01"),
        "{stderr}"
    );
    assert!(
        stderr.contains(".text: "),
        "located at the clause's text: {stderr}"
    );
    let (code, _, _) = run(accord().args(["check", "--deny-warnings", "--rules", &rules]));
    assert_eq!(code, 1);
    let (code, stdout, _) = run(accord().args(["check", "--format", "json", "--rules", &rules]));
    assert_eq!(code, 0);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["kind"], "text_disagrees");
    // The bundled rules themselves are clean, and `diff` repeats the new side's warnings.
    let (code, _, stderr) = run(accord().args(["check", "--deny-warnings"]));
    assert_eq!(code, 0, "{stderr}");
    let (_, _, stderr) = run(accord().args(["diff", "rules", &rules]));
    assert!(stderr.contains("new side: warning:"), "{stderr}");
}

#[test]
fn check_warns_of_unused_parameters_unreachable_steps_and_dead_clauses() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    let path = rules.join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "    parameters:\n",
        "    parameters:\n      - { id: spare, clause: \"3.3\", title: Spare, unit: years, periods: [{ from: 2025-07-01, value: 1 }] }\n",
        1,
    );
    let text = text.replacen(
        "      - clause: \"5.1\"\n        title: Amendment No. 1\n        depends_on: [\"5.2\"]\n",
        "      - clause: \"5.1\"\n        title: Amendment No. 1\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let (code, _, stderr) = run(accord().args(["check", "--rules"]).arg(&rules));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("parameter `spare` is never used"), "{stderr}");
    assert!(
        stderr.contains("clause 5.2 (Annual review) is neither evaluated nor cited"),
        "{stderr}"
    );
}
