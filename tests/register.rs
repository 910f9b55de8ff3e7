//! End-to-end tests of the case register and the decision ledger on the
//! real binary and a real SQLite file: a case's whole life with its Article
//! 6 clocks, `case due`, tampering found by `ledger verify`, concurrent
//! recorders, a killed writer, and `ledger replay`.

// Test code: indexing into parsed output and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use support::root;

mod support;

struct Db {
    dir: tempfile::TempDir,
}

impl Db {
    fn new() -> Db {
        Db {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("accord.db")
    }

    fn accord(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .env("ACCORD_DB", self.path())
            .env("ACCORD_RULES", root().join("rules"))
            .current_dir(self.dir.path())
            .args(args);
        command
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        support::run(&mut self.accord(args))
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args);
        assert_eq!(code, 0, "accord {args:?}: {stderr}");
        stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        name.to_owned()
    }

    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(self.path())
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }
}

const EXAMPLE: &str = include_str!("../fixtures/examples/spec-example.yaml");

/// The spec's example without its `cpd` list: incomplete (3.5 unknown).
fn without_cpd(id: &str) -> String {
    let start = EXAMPLE.find("cpd:\n").unwrap();
    let end = EXAMPLE.find("sanctions:").unwrap();
    format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..]).replace("APP-2025-000123", id)
}

fn clock<'a>(shown: &'a Value, kind: &str) -> &'a Value {
    shown["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap()
}

#[test]
fn a_case_lives_from_receipt_to_decision_with_the_clock_stopped_while_incomplete() {
    let db = Db::new();
    let v1 = db.write("v1.yaml", &without_cpd("CASE-1"));
    db.ok(&["case", "open", &v1, "--received", "2026-01-05"]);
    let show = |on: &str| db.json(&["case", "show", "CASE-1", "--format", "json", "--as-of", on]);

    // 6.1: acknowledge by 2026-01-05 + 10 = 2026-01-15; 6.2: decide by + 30 = 2026-02-04.
    let opened = show("2026-01-05");
    assert_eq!(clock(&opened, "acknowledgement")["deadline"], "2026-01-15");
    assert_eq!(clock(&opened, "decision")["deadline"], "2026-02-04");
    assert_eq!(clock(&opened, "decision")["days_left"], 30);

    db.ok(&["case", "acknowledge", "CASE-1", "--on", "2026-01-14"]);
    let (code, _, stderr) = db.run(&["case", "acknowledge", "CASE-1", "--on", "2026-01-15"]);
    assert_eq!(code, 1, "a second acknowledgement is refused");
    assert!(stderr.contains("already acknowledged on 2026-01-14"), "{stderr}");

    // Incomplete: the decision clock stops (6.3) and the case stays open.
    let assessed = db.ok(&["case", "assess", "CASE-1", "--on", "2026-01-20"]);
    assert!(assessed.contains("INCOMPLETE"), "{assessed}");
    let paused = show("2026-03-01");
    assert_eq!(clock(&paused, "acknowledgement")["state"], "done");
    assert_eq!(clock(&paused, "decision")["state"], "stopped");
    assert_eq!(clock(&paused, "decision")["deadline"], Value::Null);
    // Long after the original deadline, nothing is due while stopped.
    let due = db.json(&["case", "due", "--as-of", "2026-03-01", "--format", "json"]);
    assert_eq!(due, serde_json::json!([]));

    // New evidence restarts the clock from its own receipt: 2026-03-10 + 30 = 2026-04-09.
    let v2 = db.write("v2.yaml", &EXAMPLE.replace("APP-2025-000123", "CASE-1"));
    db.ok(&["case", "evidence", "CASE-1", &v2, "--received", "2026-03-10"]);
    let restarted = show("2026-04-09");
    assert_eq!(clock(&restarted, "decision")["deadline"], "2026-04-09");
    assert_eq!(clock(&restarted, "decision")["status"], "due today");
    let late = show("2026-04-11");
    assert_eq!(clock(&late, "decision")["status"], "overdue by 2 days");

    // Expedited closes the case.
    let decided = db.ok(&["case", "assess", "CASE-1", "--on", "2026-04-01"]);
    assert!(
        decided.contains("EXPEDITED") && decided.contains("closed on 2026-04-01"),
        "{decided}"
    );
    let closed = show("2026-05-01");
    assert_eq!(closed["closed_on"], "2026-04-01");
    assert_eq!(closed["closing_outcome"], "expedited");
    assert_eq!(closed["versions"].as_array().unwrap().len(), 2);
    assert_eq!(closed["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(clock(&closed, "decision")["state"], "done");
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["opened", "acknowledged", "assessed", "evidence", "assessed"]
    );
    // Closed: no more evidence, no more assessment.
    let (code, _, stderr) = db.run(&["case", "evidence", "CASE-1", &v2, "--received", "2026-04-02"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("closed"), "{stderr}");
    let text = db.ok(&["case", "show", "CASE-1", "--as-of", "2026-05-01"]);
    assert!(text.contains("closed on 2026-04-01 (expedited)"), "{text}");
}

#[test]
fn case_due_lists_running_clocks_soonest_first_with_days_left_or_overdue() {
    let db = Db::new();
    for (id, received) in [("A", "2026-01-01"), ("B", "2026-01-10"), ("C", "2026-01-03")] {
        let file = db.write(&format!("{id}.yaml"), &EXAMPLE.replace("APP-2025-000123", id));
        db.ok(&["case", "open", &file, "--received", received]);
    }
    db.ok(&["case", "acknowledge", "C", "--on", "2026-01-04"]);
    // On 2026-01-12: A ack due 01-11 (overdue 1), B ack due 01-20 (8 left),
    // A decision 01-31, C decision 02-02, B decision 02-09.
    let due = db.json(&["case", "due", "--as-of", "2026-01-12", "--format", "json"]);
    let rows: Vec<(String, String, i64)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["case"].as_str().unwrap().to_owned(),
                d["kind"].as_str().unwrap().to_owned(),
                d["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, i64)> = [
        ("A", "acknowledgement", -1),
        ("B", "acknowledgement", 8),
        ("A", "decision", 19),
        ("C", "decision", 21),
        ("B", "decision", 28),
    ]
    .iter()
    .map(|(c, k, n)| ((*c).to_owned(), (*k).to_owned(), *n))
    .collect();
    assert_eq!(rows, expected);
    let text = db.ok(&["case", "due", "--as-of", "2026-01-12"]);
    assert!(text.contains("overdue by 1 day"), "{text}");
    // On the deadline itself it is due, not overdue (6.4).
    let on_the_day = db.json(&["case", "due", "--as-of", "2026-01-11", "--format", "json"]);
    assert_eq!(on_the_day[0]["status"], "due today");
}

#[test]
fn bad_input_to_case_commands_is_refused_and_changes_nothing() {
    let db = Db::new();
    let good = db.write("good.yaml", &EXAMPLE.replace("APP-2025-000123", "K-1"));
    db.ok(&["case", "open", &good, "--received", "2026-01-05"]);
    let before = db.ok(&["case", "show", "K-1", "--format", "json", "--as-of", "2026-01-06"]);

    let other = db.write("other.yaml", &EXAMPLE.replace("APP-2025-000123", "K-2"));
    let broken = db.write("broken.yaml", "id: K-1\napplied_on: [\n");
    let cases: &[(&[&str], &str)] = &[
        (
            &["case", "open", &good, "--received", "2026-01-06"],
            "already open",
        ),
        (&["case", "open", &broken], "broken.yaml:"),
        (
            &["case", "evidence", "K-1", &other, "--received", "2026-01-07"],
            "not case `K-1`",
        ),
        (
            &["case", "evidence", "K-1", &broken, "--received", "2026-01-07"],
            "broken.yaml:",
        ),
        (
            &["case", "evidence", "K-1", &good, "--received", "2026-01-01"],
            "older than the current version",
        ),
        (
            &["case", "acknowledge", "K-1", "--on", "2026-01-01"],
            "before it was received",
        ),
        (&["case", "assess", "NO-SUCH"], "no case `NO-SUCH`"),
    ];
    for (args, message) in cases {
        let (code, _, stderr) = db.run(args);
        assert_eq!(code, 1, "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
    let (code, _, _) = db.run(&["case", "acknowledge", "K-1", "--on", "not-a-date"]);
    assert_eq!(code, 2);
    let after = db.ok(&["case", "show", "K-1", "--format", "json", "--as-of", "2026-01-06"]);
    assert_eq!(before, after);
}

/// A ledger of `n` batch-recorded decisions.
fn recorded(db: &Db, n: usize) {
    accord_corpus::write_corpus(&db.dir.path().join("apps"), n, 9).unwrap();
    db.ok(&["batch", "--record", "--output", "out.jsonl", "apps"]);
}

#[test]
fn ledger_verify_names_an_altered_entry() {
    let db = Db::new();
    recorded(&db, 20);
    assert!(db.ok(&["ledger", "verify"]).contains("ledger intact: 20 entries"));
    db.sql(
        "UPDATE ledger SET decision = replace(decision, '\"outcome\":\"', '\"outcome\":\"x') WHERE seq = 7",
    );
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("entry 7 was altered"), "{stderr}");
}

#[test]
fn ledger_verify_names_a_deleted_entry() {
    let db = Db::new();
    recorded(&db, 20);
    db.sql("DELETE FROM ledger WHERE seq = 12");
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("entry 12 is missing"), "{stderr}");
}

#[test]
fn ledger_verify_finds_the_newest_entries_deleted() {
    let db = Db::new();
    recorded(&db, 20);
    db.sql("DELETE FROM ledger WHERE seq >= 19");
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("ends at entry 18 but entry 20 was recorded last"),
        "{stderr}"
    );
}

#[test]
fn ledger_verify_names_two_swapped_entries() {
    let db = Db::new();
    recorded(&db, 20);
    db.sql(
        "UPDATE ledger SET seq = -1 WHERE seq = 5;
         UPDATE ledger SET seq = 5 WHERE seq = 6;
         UPDATE ledger SET seq = 6 WHERE seq = -1;",
    );
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("entry 5"), "{stderr}");
}

#[test]
fn ledger_verify_names_an_inserted_entry() {
    let db = Db::new();
    recorded(&db, 20);
    // A forged entry 21 that copies entry 20 but claims a better outcome.
    db.sql(
        "INSERT INTO ledger (seq, recorded_at, case_id, version, input_sha256, ruleset, outcome, decision, prev_hash, hash)
         SELECT 21, recorded_at, case_id, version, input_sha256, ruleset, 'expedited',
                replace(decision, 'standard', 'expedited'), hash, hash FROM ledger WHERE seq = 20;
         UPDATE ledger_head SET seq = 21, hash = (SELECT hash FROM ledger WHERE seq = 21);",
    );
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("entry 21"), "{stderr}");
}

#[test]
fn ledger_verify_finds_an_altered_stored_input() {
    let db = Db::new();
    recorded(&db, 5);
    db.sql("UPDATE inputs SET bytes = X'00' WHERE rowid = 3");
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("stored input was altered"), "{stderr}");
}

#[test]
fn four_processes_recording_at_once_keep_one_valid_chain() {
    let db = Db::new();
    for p in 0..4u64 {
        accord_corpus::write_corpus(&db.dir.path().join(format!("apps-{p}")), 250, 100 + p).unwrap();
    }
    let children: Vec<_> = (0..4)
        .map(|p| {
            db.accord(&["batch", "--record", "--jobs", "1", "--output"])
                .arg(format!("out-{p}.jsonl"))
                .arg(format!("apps-{p}"))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let verified = db.ok(&["ledger", "verify"]);
    assert!(verified.contains("ledger intact: 1000 entries"), "{verified}");
    let exported = db.ok(&["ledger", "export"]);
    let entries: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1000);
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=1000).collect::<Vec<_>>());
}

#[test]
fn a_writer_killed_mid_run_leaves_a_consistent_ledger() {
    let db = Db::new();
    accord_corpus::write_corpus(&db.dir.path().join("apps"), 4000, 4).unwrap();
    let mut child = db
        .accord(&[
            "batch",
            "--record",
            "--jobs",
            "1",
            "--output",
            "out.jsonl",
            "apps",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let exported = db.run(&["ledger", "export"]).1;
        if exported.lines().count() >= 64 {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "nothing recorded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, stdout, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Whole chunks only: every committed transaction holds 64 entries.
    let count: usize = db.run(&["ledger", "export"]).1.lines().count();
    assert_eq!(count % 64, 0, "{count} entries");
}

#[test]
fn replay_confirms_every_decision_and_lists_what_other_rules_change() {
    let db = Db::new();
    recorded(&db, 400);
    let same = db.ok(&[
        "ledger",
        "replay",
        "--rules",
        root().join("rules").to_str().unwrap(),
    ]);
    assert!(same.contains("confirmed 400"), "{same}");
    assert!(same.contains("integrity failures 0"), "{same}");

    let before = root().join("fixtures/rulesets/before-amendment-1");
    let other = db.ok(&["ledger", "replay", "--rules", before.to_str().unwrap()]);
    // The same files through `impact` (new rules -> old rules) must flip the same outcomes.
    let impact = db.ok(&[
        "impact",
        "--old",
        root().join("rules").to_str().unwrap(),
        "--new",
        before.to_str().unwrap(),
        "--format",
        "jsonl",
        "apps",
    ]);
    let flipped: Vec<String> = impact
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["outcome_before"] != r["outcome_after"])
        .map(|r| {
            format!(
                "({}): {} -> {}",
                r["application"].as_str().unwrap(),
                r["outcome_before"].as_str().unwrap(),
                r["outcome_after"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        !flipped.is_empty(),
        "the corpus has applications the amendment decides"
    );
    assert!(
        other.contains(&format!("outcome changed {}", flipped.len())),
        "{other}\n{flipped:?}"
    );
    for line in &flipped {
        assert!(other.contains(line.as_str()), "{line} not in {other}");
    }

    // Tampering with what a stored decision says is an integrity failure
    // under the same rules; a field the contract gained since, or another
    // layout of the same JSON, is not.
    db.sql(
        "UPDATE ledger SET decision = json_set(decision, '$.missing', json('[\"tampered\"]')) WHERE seq = 3;
         UPDATE ledger SET decision = json_set(decision, '$.added_later', 'a new contract field') WHERE seq = 4;
         UPDATE ledger SET decision = replace(decision, '\"as_of\":', '\"as_of\" :') WHERE seq = 5;",
    );
    let (code, stdout, _) = db.run(&[
        "ledger",
        "replay",
        "--rules",
        root().join("rules").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("entry 3") && stdout.contains("INTEGRITY") && stdout.contains("missing differ"),
        "{stdout}"
    );
    assert!(stdout.contains("confirmed 399"), "{stdout}");
    assert!(
        !stdout.contains("entry 4") && !stdout.contains("entry 5"),
        "{stdout}"
    );
}

#[test]
fn the_schema_is_versioned() {
    let db = Db::new();
    recorded(&db, 1);
    let version: i64 = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    db.sql("PRAGMA user_version = 7");
    let (code, _, stderr) = db.run(&["ledger", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("schema version 7 is newer"), "{stderr}");
}

#[test]
fn a_recorded_batch_with_compare_stores_the_plain_decision() {
    let db = Db::new();
    accord_corpus::write_corpus(&db.dir.path().join("apps"), 60, 12).unwrap();
    db.ok(&[
        "batch",
        "--as-of",
        "2025-09-01",
        "--output",
        "before.jsonl",
        "apps",
    ]);
    // Re-run on another date, recording: many outcomes change, so many JSONL
    // records carry `previous_outcome`; the ledger must hold the decision alone.
    let (code, stdout, stderr) = db.run(&[
        "batch",
        "--record",
        "--as-of",
        "2026-09-01",
        "--compare",
        "before.jsonl",
        "apps",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("\"previous_outcome\""),
        "the dates change some outcomes"
    );
    let exported = db.ok(&["ledger", "export"]);
    assert!(!exported.contains("previous_outcome"), "{exported}");
    let replay = db.ok(&[
        "ledger",
        "replay",
        "--rules",
        root().join("rules").to_str().unwrap(),
    ]);
    assert!(replay.contains("confirmed 60"), "{replay}");
}
