//! The eligibility outlook end to end: every hand-worked fixture under
//! `fixtures/outlook/<case>/` (the arithmetic is in each application's
//! comments) through the real `accord assess --outlook`, the batch's JSON
//! Lines and CSV columns, the text report's words, and the contract left
//! unchanged without the flag.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use accord_core::source::{self, Format};
use serde::Deserialize;
use serde_json::Value;
use support::{root, run};

mod support;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    rules: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
    outcome: String,
    outlook: ExpectedOutlook,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedOutlook {
    horizon: String,
    expedited_on: Option<String>,
    granted_on: Option<String>,
    criteria: Vec<ExpectedCriterion>,
    #[serde(default)]
    to_supply: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedCriterion {
    clause: String,
    status: String,
    #[serde(default)]
    measure: Option<String>,
    met_on: Option<String>,
}

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.current_dir(root());
    command
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/outlook"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

fn expected(case: &Path) -> Expected {
    let text = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
    source::parse(Format::Yaml, &text).unwrap_or_else(|e| panic!("{}: {e:?}", case.display()))
}

fn assess_json(case: &Path, expected: &Expected, extra: &[&str]) -> Value {
    let mut command = accord();
    command.args(["assess", "--format", "json"]).args(extra);
    if let Some(rules) = &expected.rules {
        command.args(["--rules", rules]);
    }
    if let Some(as_of) = &expected.as_of {
        command.args(["--as-of", as_of]);
    }
    command.arg(case.join("application.yaml"));
    let (code, stdout, stderr) = run(&mut command);
    assert_eq!(code, 0, "{}: {stderr}", case.display());
    serde_json::from_str(&stdout).unwrap()
}

fn date(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

#[test]
fn every_hand_worked_outlook_fixture_holds() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} fixtures", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected(case);
        let got = assess_json(case, &want, &["--outlook"]);
        let o = &got["outlook"];
        let criteria: Vec<ExpectedCriterion> = o["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| ExpectedCriterion {
                clause: c["clause"].as_str().unwrap().to_owned(),
                status: c["status"].as_str().unwrap().to_owned(),
                measure: date(&c["measure"]),
                met_on: date(&c["met_on"]),
            })
            .collect();
        let mut problems = Vec::new();
        let mut check = |what: &str, ok: bool, detail: String| {
            if !ok {
                problems.push(format!("{what}: {detail}"));
            }
        };
        check(
            "outcome",
            got["outcome"] == want.outcome.as_str(),
            format!("{} ≠ {}", got["outcome"], want.outcome),
        );
        check(
            "horizon",
            date(&o["horizon"]).as_deref() == Some(want.outlook.horizon.as_str()),
            format!("{}", o["horizon"]),
        );
        check(
            "expedited_on",
            date(&o["expedited_on"]) == want.outlook.expedited_on,
            format!("{} ≠ {:?}", o["expedited_on"], want.outlook.expedited_on),
        );
        check(
            "granted_on",
            date(&o["granted_on"]) == want.outlook.granted_on,
            format!("{} ≠ {:?}", o["granted_on"], want.outlook.granted_on),
        );
        check(
            "criteria",
            criteria == want.outlook.criteria,
            format!("{criteria:?} ≠ {:?}", want.outlook.criteria),
        );
        if let Some(words) = &want.outlook.to_supply {
            let got: Vec<String> = o["to_supply"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap().to_owned())
                .collect();
            check("to_supply", &got == words, format!("{got:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn without_the_flag_the_decision_contract_is_unchanged() {
    let case = root().join("fixtures/outlook/m2-full-time-ongoing-expedited-later");
    let want = expected(&case);
    let plain = assess_json(&case, &want, &[]);
    assert!(plain.get("outlook").is_none());
    let mut with = assess_json(&case, &want, &["--outlook"]);
    with.as_object_mut().unwrap().remove("outlook");
    assert_eq!(plain, with, "the outlook adds one field and changes nothing else");
}

#[test]
fn the_text_report_says_when_and_why_in_plain_words() {
    let (code, stdout, _) = run(accord().args([
        "assess",
        "--outlook",
        "fixtures/outlook/m2-full-time-ongoing-expedited-later/application.yaml",
    ]));
    assert_eq!(code, 0);
    // 2019-06-30 + 2,557 counted days − 1 = 2026-08-18 (the fixture's arithmetic).
    assert!(
        stdout.contains("Would be decided expedited on 18 August 2026 if nothing but time changes: that day clause 3.3 is met (2,557 of 2,557 days"),
        "{stdout}"
    );
    let (_, never, _) = run(accord().args([
        "assess",
        "--outlook",
        "fixtures/outlook/cpd-empty-never/application.yaml",
    ]));
    assert!(
        never.contains("Time alone will not lead to recognition as the file stands."),
        "{never}"
    );
    assert!(never.contains("Clause 3.5 (Continuing professional development): time alone will not meet it: the CPD already completed only leaves the window as time passes; 75 more hours are needed."), "{never}");
    let (_, missing, _) = run(accord().args([
        "assess",
        "--outlook",
        "fixtures/outlook/incomplete-cpd-absent-never/application.yaml",
    ]));
    assert!(
        missing.contains("Time cannot supply:\n    - the continuing professional development you completed"),
        "{missing}"
    );
    let section = &missing[missing.find("Outlook").unwrap()..];
    assert!(
        !section.contains("cpd\n"),
        "no field path is shown as words: {section}"
    );
}

#[test]
fn an_unknown_programme_length_is_asked_for_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, example.replace("    programme_years: 4\n", "")).unwrap();
    let (code, stdout, stderr) = run(accord()
        .args(["assess", "--outlook", "--format", "json"])
        .arg(&file));
    assert_eq!(code, 0, "{stderr}");
    let got: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(got["outcome"], "incomplete");
    assert_eq!(got["missing"], serde_json::json!(["degrees[].programme_years"]));
    let words = got["outlook"]["to_supply"][0].as_str().unwrap();
    assert!(
        words.starts_with("the length in years of the programme of each of your degrees"),
        "{words}"
    );
}

#[test]
fn batch_lines_and_csv_columns_carry_the_same_outlook_as_assess() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    let mut wanted = Vec::new();
    for case in cases() {
        let want = expected(&case);
        if want.rules.is_some() || want.as_of.is_some() {
            continue;
        }
        let name = format!("{}.yaml", case.file_name().unwrap().to_string_lossy());
        std::fs::copy(case.join("application.yaml"), apps.join(&name)).unwrap();
        wanted.push((name, assess_json(&case, &want, &["--outlook"])));
    }
    assert!(wanted.len() >= 20);
    let (code, jsonl, stderr) = run(accord().args(["batch", "--outlook", "--jobs", "2"]).arg(&apps));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    wanted.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(lines.len(), wanted.len());
    for (line, (name, single)) in lines.iter().zip(&wanted) {
        assert_eq!(line, single, "{name}: batch and assess agree");
    }
    let (code, csv, _) = run(accord()
        .args(["batch", "--outlook", "--format", "csv"])
        .arg(&apps));
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (expedited, granted) = (column("expedited_on"), column("granted_on"));
    for (row, (name, single)) in reader.records().zip(&wanted) {
        let row = row.unwrap();
        let cell = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        assert_eq!(row[expedited], cell(&single["outlook"]["expedited_on"]), "{name}");
        assert_eq!(row[granted], cell(&single["outlook"]["granted_on"]), "{name}");
    }
    let (_, plain, _) = run(accord().args(["batch", "--format", "csv"]).arg(&apps));
    assert!(
        !plain.lines().next().unwrap().contains("expedited_on"),
        "no outlook columns without the flag"
    );
}
