//! Data-driven fixture tests: every `fixtures/cases*/<name>/` holds an
//! `application.yaml` and an `expected.yaml` worked out by hand from the
//! policy text. Each case runs the real `accord assess --format json`; all
//! failures are collected and reported by case name.

// Test code: indexing into expected JSON and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use accord_core::source::{self, Format};
use serde::Deserialize;
use serde_json::Value;
use support::root;

mod support;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    rules: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
    outcome: String,
    agreement: Option<String>,
    criteria: BTreeMap<String, String>,
    measures: Vec<String>,
    missing: Vec<String>,
    grants: Option<Grant>,
    requirements: Vec<String>,
    /// Figures worked by hand, by clause and name: only those named are checked.
    #[serde(default)]
    figures: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Grant {
    body: String,
    credential: String,
    provisional: bool,
}

fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    let Ok(entries) = std::fs::read_dir(root().join("fixtures")) else {
        return cases;
    };
    for group in entries.flatten() {
        let name = group.file_name().to_string_lossy().into_owned();
        if !name.starts_with("cases") {
            continue;
        }
        for case in std::fs::read_dir(group.path()).into_iter().flatten().flatten() {
            if case.path().join("expected.yaml").is_file() {
                cases.push(case.path());
            }
        }
    }
    cases.sort();
    cases
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get(key).and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one case; returns the differences found.
fn run_case(case: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(case.join("expected.yaml")).map_err(|e| e.to_string())?;
    let expected: Expected = source::parse(Format::Yaml, &text)
        .map_err(|e| format!("expected.yaml: {}: {}", e.path, e.message))?;
    let rules = root().join(expected.rules.as_deref().unwrap_or("rules"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command
        .arg("assess")
        .arg("--format")
        .arg("json")
        .arg("--rules")
        .arg(&rules);
    if let Some(as_of) = &expected.as_of {
        command.arg("--as-of").arg(as_of);
    }
    let output = command
        .arg(case.join("application.yaml"))
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let actual: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("output is not JSON: {e}"))?;
    let mut diffs = Vec::new();
    let mut check = |what: &str, want: String, got: String| {
        if want != got {
            diffs.push(format!("{what}: expected {want}, got {got}"));
        }
    };
    check(
        "outcome",
        expected.outcome.clone(),
        actual["outcome"].as_str().unwrap_or("?").to_owned(),
    );
    check(
        "agreement",
        format!("{:?}", expected.agreement),
        format!("{:?}", actual["agreement"].as_str()),
    );
    let criteria: BTreeMap<String, String> = actual["criteria"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["clause"].as_str().unwrap_or("?").to_owned(),
                        c["status"].as_str().unwrap_or("?").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    check(
        "criteria",
        format!("{:?}", expected.criteria),
        format!("{criteria:?}"),
    );
    check(
        "measures",
        format!("{:?}", expected.measures),
        format!("{:?}", ids(&actual["measures"], "id")),
    );
    let missing: Vec<String> = serde_json::from_value(actual["missing"].clone()).unwrap_or_default();
    check(
        "missing",
        format!("{:?}", expected.missing),
        format!("{missing:?}"),
    );
    let grant: Option<Grant> = serde_json::from_value(actual["grants"].clone()).ok().flatten();
    check("grants", format!("{:?}", expected.grants), format!("{grant:?}"));
    check(
        "requirements",
        format!("{:?}", expected.requirements),
        format!("{:?}", ids(&actual["requirements"], "id")),
    );
    for (clause, named) in &expected.figures {
        let criterion = actual["criteria"]
            .as_array()
            .and_then(|list| list.iter().find(|c| c["clause"] == clause.as_str()));
        for (name, want) in named {
            let got = criterion.map(|c| c["figures"][name].clone()).unwrap_or_default();
            if *want != got {
                diffs.push(format!("{clause} figure {name}: expected {want}, got {got}"));
            }
        }
    }
    let fingerprint = actual["ruleset"].as_str().unwrap_or_default();
    let well_formed = fingerprint.len() == 71
        && fingerprint.starts_with("sha256:")
        && fingerprint
            .bytes()
            .skip(7)
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    if !well_formed {
        diffs.push(format!("ruleset fingerprint malformed: {fingerprint}"));
    }
    Ok(diffs)
}

#[test]
fn every_fixture_case_matches_its_hand_worked_decision() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected at least 40 fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case
            .strip_prefix(root().join("fixtures"))
            .unwrap_or(case)
            .display()
            .to_string();
        match run_case(case) {
            Ok(diffs) if diffs.is_empty() => {}
            Ok(diffs) => failures.push(format!("{name}:\n    {}", diffs.join("\n    "))),
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
