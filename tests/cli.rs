//! End-to-end tests of the `accord` binary: exit codes, one-line errors that
//! name the file, field path and line, and never a panic on hostile input.

// Test code: indexing into expected JSON and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

use support::{copy_dir, root};

mod support;

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.current_dir(root()).env_remove("ACCORD_RULES");
    command
}

const GOOD: &str = include_str!("../fixtures/examples/spec-example.yaml");

/// Runs `assess` on `content` written to a file named `name`; returns (exit code, stdout, stderr).
fn assess_text(name: &str, content: &[u8]) -> (i32, String, String) {
    let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
    let file = dir.path().join(name);
    std::fs::write(&file, content).unwrap_or_else(|e| unreachable!("{e}"));
    let output = accord()
        .arg("assess")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts a one-line error, exit 1, that names the file and contains each of `parts`.
fn assert_rejected(name: &str, content: &[u8], parts: &[&str]) {
    let (code, stdout, stderr) = assess_text(name, content);
    assert_eq!(code, 1, "{name}: exit code; stderr: {stderr}");
    assert!(stdout.is_empty(), "{name}: nothing on stdout, got {stdout}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{name}: one line, got {stderr}"
    );
    assert!(stderr.contains(name), "{name}: names the file: {stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    for part in parts {
        assert!(stderr.contains(part), "{name}: expected `{part}` in: {stderr}");
    }
}

fn replaced(from: &str, to: &str) -> Vec<u8> {
    assert!(GOOD.contains(from), "the example contains `{from}`");
    GOOD.replacen(from, to, 1).into_bytes()
}

#[test]
fn assess_prints_a_decision_and_exits_0() {
    let output = accord()
        .args(["assess", "fixtures/examples/spec-example.yaml"])
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(text.starts_with("APP-2025-000123: EXPEDITED"), "{text}");
    assert!(
        text.contains("3.3 Experience: met — 2,572 of 2,557 days counted since graduation on 2018-07-15"),
        "{text}"
    );
}

#[test]
fn json_output_follows_the_contract() {
    let output = accord()
        .args([
            "assess",
            "--format",
            "json",
            "fixtures/examples/spec-example.yaml",
        ])
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    for field in [
        "application",
        "as_of",
        "outcome",
        "agreement",
        "ruleset",
        "criteria",
        "measures",
        "missing",
        "grants",
        "requirements",
    ] {
        assert!(value.get(field).is_some(), "missing field {field}");
    }
    assert_eq!(
        value["grants"],
        serde_json::json!({"body": "CSE", "credential": "PE", "provisional": true})
    );
    assert_eq!(value["criteria"][5]["clause"], "3.3");
    assert_eq!(value["criteria"][5]["figures"]["counted_days"], 2572);
}

#[test]
fn as_of_overrides_applied_on() {
    let output = accord()
        .args([
            "assess",
            "--format",
            "json",
            "--as-of",
            "2025-06-30",
            "fixtures/examples/spec-example.yaml",
        ])
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(value["as_of"], "2025-06-30");
    assert_eq!(value["outcome"], "standard");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["assess"],
        vec!["assess", "--as-of", "2025-02-30", "x.yaml"],
        vec!["assess", "--format", "xml", "x.yaml"],
        vec!["frobnicate"],
    ] {
        let output = accord()
            .args(&args)
            .output()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn rules_come_from_the_environment_when_not_given() {
    let output = accord()
        .env("ACCORD_RULES", "fixtures/rulesets/pec-ea")
        .arg("check")
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("agreement pec-ea-mra"));
    let output = accord()
        .env("ACCORD_RULES", "fixtures/rulesets/pec-ea")
        .args(["check", "--rules", "rules"])
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("agreement cse-pec-mra"));
}

#[test]
fn a_missing_file_is_exit_1() {
    let output = accord()
        .args(["assess", "no/such/file.yaml"])
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/file.yaml"));
}

#[test]
fn unknown_field_names_path_line_and_column() {
    assert_rejected(
        "app.yaml",
        &replaced("    graduated_on: 2018-07-15", "    graduated: 2018-07-15"),
        &["app.yaml:18:5: degrees[0].graduated: unknown field `graduated`, expected one of"],
    );
}

#[test]
fn unknown_codes_are_input_errors_with_their_line() {
    assert_rejected(
        "app.yaml",
        &replaced("accredited_by: PEC", "accredited_by: XYZ"),
        &["app.yaml:17:20: degrees[0].accredited_by: unknown body `XYZ`"],
    );
    assert_rejected(
        "app.yaml",
        &replaced("discipline: civil", "discipline: underwater"),
        &[":7:", "discipline: unknown discipline `underwater`"],
    );
    assert_rejected(
        "app.yaml",
        &replaced("credential: PE", "credential: CPEng"),
        &["app.yaml:10:17: registrations[0].credential: unknown credential `CPEng` of body `PEC`"],
    );
    assert_rejected(
        "app.yaml",
        &replaced("host_body: CSE", "host_body: PEC"),
        &["host_body: the host body must differ"],
    );
}

#[test]
fn wrong_types_and_values_are_named() {
    // (text of the example, its replacement, what the error must contain)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "programme_years: 4",
            "programme_years: four",
            &[":19:", "degrees[0].programme_years: invalid type"],
        ),
        (
            "programme_years: 4",
            "programme_years: 99999999999999999999999",
            &["degrees[0].programme_years"],
        ),
        ("hours: 40", "hours: 1e400", &["cpd[0].hours"]),
        (
            "hours: 40",
            "hours: -4",
            &["cpd[0].hours: hours must be above zero"],
        ),
        (
            "applied_on: 2025-09-15",
            "applied_on: 2025-02-30",
            &[":2:", "applied_on: invalid date `2025-02-30`"],
        ),
        (
            "    to: 2021-08-31",
            "    to: 2017-08-31",
            &["experience[0].to: period ends (2017-08-31) before it starts"],
        ),
        (
            "    to: 2021-08-31",
            "    to: 2021-08-31\n    fte: 0.333",
            &["experience[0].fte"],
        ),
        (
            "    to: 2021-08-31",
            "    to: 2021-08-31\n    fte: 1.5",
            &["experience[0].fte"],
        ),
        ("sanctions: []", "sanctions:", &["sanctions: a list is expected"]),
        ("  name: Ayesha Khan\n", "", &["applicant: missing field `name`"]),
    ];
    for (from, to, parts) in cases {
        assert_rejected("app.yaml", &replaced(from, to), parts);
    }
}

#[test]
fn hostile_documents_are_refused_without_a_panic() {
    assert_rejected("empty.yaml", b"", &["empty.yaml"]);
    assert_rejected("binary.yaml", &[0xff, 0xfe, 0x00, 0x41, 0x80], &["not UTF-8"]);
    assert_rejected(
        "syntax.yaml",
        b"id: [unclosed\napplied_on: 2025-01-01\n",
        &["syntax.yaml:"],
    );
    assert_rejected("list.yaml", b"- 1\n- 2\n", &["invalid type"]);
    assert_rejected(
        "two.yaml",
        format!("{GOOD}---\n{GOOD}").as_bytes(),
        &["more than one document"],
    );
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    assert_rejected("bomb.yaml", bomb.as_bytes(), &["bomb.yaml"]);
    let deep = format!("id: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_rejected("deep.yaml", deep.as_bytes(), &["deep.yaml"]);
    let deep_json = format!("{{\"id\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert_rejected("deep.json", deep_json.as_bytes(), &["deep.json"]);
    assert_rejected(
        "bad.json",
        b"{\"id\": \"A\",\n \"applied_on\": 12}",
        &["bad.json:2:", "applied_on: invalid type"],
    );
    assert_rejected("trailing.json", b"{} {}", &["trailing.json"]);
    assert_rejected("app.txt", GOOD.as_bytes(), &["unknown file type"]);
}

#[test]
fn a_json_application_is_assessed_like_its_yaml_twin() {
    let json = r#"{"id": "J-1", "applied_on": "2025-09-15", "applicant": {"name": "A"}, "home_body": "CSE",
      "host_body": "EA", "discipline": "civil"}"#;
    let (code, stdout, stderr) = assess_text("app.json", json.as_bytes());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("STANDARD (no agreement applies"), "{stdout}");
}

/// Copies the bundled rules into a scratch folder, edits one file, and runs `check`.
fn check_edited(file: &str, from: &str, to: &str) -> (i32, String) {
    let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
    copy_dir(&root().join("rules"), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.contains(from), "{file} contains `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| unreachable!("{e}"));
    let output = accord()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn check_rejects_broken_rule_sets_naming_file_line_and_field() {
    let agreement = "agreements/cse-pec-mra.yaml";
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (agreement, "CSE: [PE, SPE]", "CSE: [PE, SPX]", &["cse-pec-mra.yaml:", "current_registration.credentials.CSE[1]: unknown credential `SPX` of body `CSE`"]),
        (agreement, "parties: [CSE, PEC]", "parties: [CSE, PEQ]", &["agreements[0].parties[1]: unknown body `PEQ`"]),
        (agreement, "measure: M2", "measure: M9", &["with_measure.measure: unknown measure `M9`"]),
        (agreement, "in_scope: [civil,", "in_scope: [civl,", &["disciplines.in_scope[0]: unknown discipline `civl`"]),
        (agreement, "schedule: washington-accord", "schedule: seoul-accord", &["recognised_education.schedule: unknown schedule `seoul-accord`"]),
        (agreement, "{ from: 2026-01-01, value: 75, cites: \"5.1\" }", "{ from: 2025-12-01, value: 75, cites: \"5.1\" }", &["periods[1].from: period from 2025-12-01 overlaps the previous one, which runs to 2025-12-31"]),
        (agreement, "{ from: 2026-01-01, value: 75, cites: \"5.1\" }", "{ from: 2026-02-01, value: 75, cites: \"5.1\" }", &["periods[1].from: gap: the previous period ends on 2025-12-31 but this one starts on 2026-02-01"]),
        (agreement, "{ from: 2026-01-01, value: 75, cites: \"5.1\" }", "{ from: 2026-01-01, to: 2026-12-31, value: 75, cites: \"5.1\" }", &["periods[1].to: parameter `cpd_hours` has no value after 2026-12-31"]),
        (agreement, "cites: \"5.1\"", "cites: \"5.9\"", &["periods[1].cites: unknown clause `5.9`"]),
        (agreement, "        depends_on: [\"1.4\"]\n        text: >-\n          Counted as in 1.4", "        depends_on: [\"1.4\", \"1.5\"]\n        text: >-\n          Counted as in 1.4", &["clause dependencies form a cycle: 1.5"]),
        (agreement, "      - clause: \"1.4\"\n        title: Counted experience days\n        depends_on: [\"1.2\"]", "      - clause: \"1.4\"\n        title: Counted experience days\n        depends_on: [\"1.5\"]", &["clause dependencies form a cycle: 1.4 -> 1.5"]),
        (agreement, "depends_on: [\"6.2\"]", "depends_on: [\"6.9\"]", &["depends_on[0]: unknown clause `6.9`"]),
        (agreement, "- clause: \"3.7\"", "- clause: \"3.6\"", &["duplicate clause `3.6`"]),
        (agreement, "minimum: experience_years\n", "minimum: cpd_hours\n", &["counted_days.minimum: parameter `cpd_hours` is in hours, expected years"]),
        (agreement, "    year_length: days_per_year", "    year_lenght: days_per_year", &["agreements[0].year_lenght: unknown field"]),
        (agreement, "        - outcome: expedited\n          when: [always]", "        - outcome: expedited\n          when: [any_measure]", &["decision.precedence: the last precedence step must hold `always`"]),
        (agreement, "{ host: CSE, credential: PE }", "{ host: EA, credential: CPEng }", &["grant.credentials[1].host: body `EA` is not a party"]),
        ("bodies.yaml", "code: ABET", "code: CAST", &["bodies.yaml:", "bodies[5]: duplicate body code `CAST` (first defined at"]),
        ("schedules.yaml", "body: ABET", "body: CSE", &["entries[2].body: body `CSE` does not accredit programmes"]),
        ("ruleset.yaml", "  id: accord-bundled\n", "", &["ruleset: missing field `id`"]),
    ];
    let mut failures = Vec::new();
    for (file, from, to, parts) in cases {
        let (code, stderr) = check_edited(file, from, to);
        // Every problem found is one line naming its file, line and column;
        // the first is the edit itself.
        let lines: Vec<&str> = stderr.trim_end().lines().collect();
        let located = lines.iter().all(|l| {
            l.starts_with("accord: ") && l.split(": ").nth(1).is_some_and(|place| place.contains(".yaml"))
        });
        let first = lines.first().copied().unwrap_or_default();
        let ok = code == 1 && located && parts.iter().all(|p| first.contains(p));
        if !ok {
            failures.push(format!("{to}: exit {code}, stderr {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_second_agreement_for_the_same_pair_is_rejected() {
    let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
    copy_dir(&root().join("rules"), dir.path());
    let text = std::fs::read_to_string(dir.path().join("agreements/cse-pec-mra.yaml")).unwrap_or_default();
    let copy = text.replacen("id: cse-pec-mra", "id: cse-pec-again", 1).replacen(
        "parties: [CSE, PEC]",
        "parties: [PEC, CSE]",
        1,
    );
    std::fs::write(dir.path().join("agreements/again.yaml"), copy).unwrap_or_else(|e| unreachable!("{e}"));
    let output = accord()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("`CSE` and `PEC` already have agreement `cse-pec-again`")
            || stderr.contains("`PEC` and `CSE` already have agreement"),
        "{stderr}"
    );
}

#[test]
fn reformatting_and_reordering_rule_files_keeps_the_fingerprint() {
    let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
    copy_dir(&root().join("rules"), dir.path());
    // Move the disciplines into the bodies file, rewrap prose, add comments.
    let disciplines = std::fs::read_to_string(dir.path().join("disciplines.yaml")).unwrap_or_default();
    let bodies = std::fs::read_to_string(dir.path().join("bodies.yaml")).unwrap_or_default();
    std::fs::remove_file(dir.path().join("disciplines.yaml")).unwrap_or_else(|e| unreachable!("{e}"));
    std::fs::write(
        dir.path().join("z-everything.yaml"),
        format!("# merged\n{disciplines}\n{bodies}"),
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    std::fs::remove_file(dir.path().join("bodies.yaml")).unwrap_or_else(|e| unreachable!("{e}"));
    let agreement = dir.path().join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&agreement).unwrap_or_default();
    let text = text.replace(
        "          At least 2 years (731 days) of responsible-charge days.",
        "          At least 2 years (731 days)\n          of   responsible-charge days.",
    );
    let text = format!("# a comment added on top\n{text}");
    std::fs::write(&agreement, text).unwrap_or_else(|e| unreachable!("{e}"));
    let fingerprint = |rules: &Path| {
        let output = accord()
            .arg("check")
            .arg("--rules")
            .arg(rules)
            .output()
            .unwrap_or_else(|e| unreachable!("{e}"));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .find(|l| l.starts_with("fingerprint"))
            .map(str::to_owned)
    };
    let original = fingerprint(&root().join("rules"));
    assert!(original.is_some());
    assert_eq!(fingerprint(dir.path()), original);
}

#[test]
fn any_change_of_meaning_changes_the_fingerprint() {
    let fingerprint_after = |from: &str, to: &str| {
        let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
        copy_dir(&root().join("rules"), dir.path());
        let path = dir.path().join("agreements/cse-pec-mra.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| unreachable!("{e}"));
        let output = accord()
            .arg("check")
            .arg("--rules")
            .arg(dir.path())
            .output()
            .unwrap_or_else(|e| unreachable!("{e}"));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .find(|l| l.starts_with("fingerprint"))
            .map(str::to_owned)
    };
    let original = fingerprint_after("", "");
    for (from, to) in [
        ("value: 75", "value: 74"),
        ("2025-07-01 }", "2025-07-02 }"),
        ("title: Good standing", "title: Good Standing"),
    ] {
        let changed = fingerprint_after(from, to);
        assert!(changed.is_some() && changed != original, "{from} -> {to}");
    }
}

/// Issue 9: `check` reports every problem of a rule set in one run.
#[test]
fn check_reports_three_unrelated_mistakes_in_three_files_at_once() {
    let dir = TempDir::new().unwrap_or_else(|e| unreachable!("{e}"));
    copy_dir(&root().join("rules"), dir.path());
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} contains `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "bodies.yaml",
        "      - { code: CEng, name: Chartered Engineer }\n",
        "      - { code: CEng, name: Chartered Engineer }\n      - { code: CEng, name: Chartered Engineer again }\n",
    );
    edit("schedules.yaml", "body: ABET", "body: ABED");
    edit(
        "agreements/cse-pec-mra.yaml",
        "in_scope: [civil,",
        "in_scope: [civl,",
    );
    let output = accord()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    for (file, line, message) in [
        (
            "bodies.yaml",
            26,
            "bodies[3].credentials[1].code: duplicate credential `CEng` of body `ECUK`",
        ),
        ("schedules.yaml", 17, "entries[2].body: unknown body `ABED`"),
        (
            "cse-pec-mra.yaml",
            79,
            "disciplines.in_scope[0]: unknown discipline `civl`",
        ),
    ] {
        let found = lines
            .iter()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file}: {stderr}"));
        assert!(found.contains(&format!("{file}:{line}:")), "{found}");
        assert!(found.contains(message), "{found}");
    }

    let output = accord()
        .args(["check", "--format", "json", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diagnostics: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = diagnostics.as_array().unwrap();
    assert_eq!(diagnostics.len(), 3);
    for d in diagnostics {
        assert_eq!(d["severity"], "error");
        assert!(d["line"].is_u64() && d["column"].is_u64(), "{d}");
        assert!(d["file"].as_str().unwrap().ends_with(".yaml"), "{d}");
    }
    let kinds: Vec<&str> = diagnostics.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"duplicate") && kinds.contains(&"unknown_reference"),
        "{kinds:?}"
    );

    let clean = accord().args(["check", "--format", "json"]).output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&clean.stdout).trim(), "[]");
}

#[test]
fn a_full_standard_error_loses_the_message_not_the_exit_status() {
    // /dev/full fails every write with ENOSPC: `eprintln!` panicked (exit 101).
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["assess", "/nonexistent/application.yaml"])
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}
