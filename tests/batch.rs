//! End-to-end tests of `accord batch` on the real binary: ordering and
//! byte-identity across thread counts, error records for bad files,
//! duplicate ids, atomic output, CSV read back with a CSV reader,
//! `--compare`, and identity with `accord assess`.

// Test code: indexing into parsed output and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{root, run};

mod support;

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.env_remove("ACCORD_RULES").arg("batch");
    command.arg("--rules").arg(root().join("rules"));
    command
}

fn corpus(count: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    accord_corpus::write_corpus(&dir.path().join("corpus"), count, seed).unwrap();
    dir
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const GOOD: &str = include_str!("../fixtures/examples/spec-example.yaml");

/// A directory of good files with bad ones mixed in, in known path order.
fn mixed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("a-good.yaml", GOOD.as_bytes());
    write("b-binary.yaml", &[0u8, 159, 146, 150, 255, 0, 1, 2]);
    write("c-good.yaml", GOOD.replace("APP-2025-000123", "APP-C").as_bytes());
    write(
        "d-unknown-field.yaml",
        GOOD.replace("APP-2025-000123", "APP-D")
            .replace("graduated_on:", "graduated:")
            .as_bytes(),
    );
    write("e-corrupt.yaml", b"id: [unclosed\napplied_on: {\n");
    write("f-empty.json", b"");
    write("g-good.yaml", GOOD.replace("APP-2025-000123", "APP-G").as_bytes());
    write("h-notes.txt", b"not an application");
    dir
}

#[test]
fn bad_files_get_error_records_in_place_and_every_good_file_is_decided() {
    let dir = mixed();
    let (code, stdout, stderr) = run(accord().arg(dir.path()));
    assert_eq!(code, 1, "{stderr}");
    let records = lines(&stdout);
    let kinds: Vec<(String, bool)> = records
        .iter()
        .map(|r| {
            let name = r
                .get("file")
                .and_then(Value::as_str)
                .map(|f| Path::new(f).file_name().unwrap().to_string_lossy().into_owned())
                .unwrap_or_else(|| r["application"].as_str().unwrap().to_owned());
            (name, r.get("error").is_some())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("APP-2025-000123".to_owned(), false),
            ("b-binary.yaml".to_owned(), true),
            ("APP-C".to_owned(), false),
            ("d-unknown-field.yaml".to_owned(), true),
            ("e-corrupt.yaml".to_owned(), true),
            ("f-empty.json".to_owned(), true),
            ("APP-G".to_owned(), false),
        ]
    );
    let unknown = records[3]["error"].as_str().unwrap();
    assert!(
        unknown.contains("d-unknown-field.yaml:") && unknown.contains("degrees[0].graduated"),
        "{unknown}"
    );
    assert!(!unknown.contains('\n'));
    for record in records.iter().filter(|r| r.get("error").is_none()) {
        assert_eq!(record["outcome"], "expedited");
    }
    // The summary on stderr counts each kind of file.
    for expected in [
        "files seen         8",
        "decided          3",
        "rejected         4",
        "skipped          1",
    ] {
        let squeezed: String = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        let want: String = expected.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(squeezed.contains(&want), "{want} not in:\n{stderr}");
    }
}

#[test]
fn the_error_record_is_the_message_assess_gives() {
    let dir = mixed();
    let file = dir.path().join("d-unknown-field.yaml");
    let (_, stdout, _) = run(accord().arg(&file));
    let record = &lines(&stdout)[0];
    let assess = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("assess")
        .arg("--rules")
        .arg(root().join("rules"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(assess.status.code(), Some(1));
    let message = String::from_utf8(assess.stderr).unwrap();
    assert_eq!(
        format!("accord: {}", record["error"].as_str().unwrap()),
        message.trim_end()
    );
    assert_eq!(record["file"], file.display().to_string());
}

#[test]
fn jobs_1_and_jobs_2_write_the_same_bytes() {
    let dir = corpus(1500, 11);
    let bad = dir.path().join("corpus/000/app-000500.yaml");
    std::fs::write(&bad, b"id: [\n").unwrap();
    for format in ["jsonl", "csv"] {
        let mut outputs = Vec::new();
        for jobs in ["1", "2", "3"] {
            let out = dir.path().join(format!("out-{jobs}.{format}"));
            let (code, _, stderr) = run(accord()
                .args(["--format", format, "--jobs", jobs, "--output"])
                .arg(&out)
                .arg(dir.path().join("corpus")));
            assert_eq!(code, 1, "{stderr}");
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert!(outputs[0].len() > 100_000);
        assert_eq!(outputs[0], outputs[1], "{format}: jobs 1 and 2 differ");
        assert_eq!(outputs[0], outputs[2], "{format}: jobs 1 and 3 differ");
    }
}

#[test]
fn records_come_in_sorted_path_order_and_every_outcome_appears() {
    let dir = corpus(600, 3);
    let (code, stdout, stderr) = run(accord().arg(dir.path().join("corpus")));
    assert_eq!(code, 0, "{stderr}");
    let records = lines(&stdout);
    assert_eq!(records.len(), 600);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["application"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "the generator's ids follow its file names");
    for outcome in ["expedited", "conditional", "referred", "incomplete", "standard"] {
        assert!(
            records.iter().any(|r| r["outcome"] == outcome),
            "no {outcome} decision in the corpus"
        );
    }
}

#[test]
fn a_duplicate_id_gets_an_error_record_naming_the_first_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1.yaml"), GOOD).unwrap();
    std::fs::write(dir.path().join("2.yaml"), GOOD).unwrap();
    let (code, stdout, _) = run(accord().arg(dir.path()));
    assert_eq!(code, 1);
    let records = lines(&stdout);
    assert_eq!(records[0]["application"], "APP-2025-000123");
    let error = records[1]["error"].as_str().unwrap();
    assert!(
        error.contains("APP-2025-000123") && error.contains(&dir.path().join("1.yaml").display().to_string()),
        "{error}"
    );
}

#[test]
fn batch_decisions_are_identical_to_assess() {
    let dir = corpus(120, 5);
    let out = dir.path().join("out.jsonl");
    let (code, _, stderr) = run(accord()
        .args(["--as-of", "2026-06-30", "--output"])
        .arg(&out)
        .arg(dir.path().join("corpus")));
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let records = lines(&text);
    let mut files: Vec<PathBuf> = walk(&dir.path().join("corpus"));
    files.sort();
    assert_eq!(records.len(), files.len());
    for (record, file) in records.iter().zip(&files) {
        let assess = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["assess", "--format", "json", "--as-of", "2026-06-30", "--rules"])
            .arg(root().join("rules"))
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(assess.status.code(), Some(0));
        let single: Value = serde_json::from_slice(&assess.stdout).unwrap();
        assert_eq!(record, &single, "{}", file.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            files.extend(walk(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

#[test]
fn csv_output_reads_back_with_a_csv_reader() {
    let dir = mixed();
    let (code, stdout, _) = run(accord().args(["--format", "csv"]).arg(dir.path()));
    assert_eq!(code, 1);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let clause = |c: &str| header.iter().position(|h| h == &format!("clause {c}")).unwrap();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for c in [
        "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7",
    ] {
        clause(c);
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert_eq!(&rows[0][column("outcome")], "expedited");
    assert_eq!(&rows[0][clause("3.3")], "met");
    assert_eq!(&rows[0][column("grants")], "CSE PE");
    // Error messages hold commas, quotes and backticks: they survive quoting whole.
    let error = &rows[3][column("error")];
    assert!(
        error.contains("unknown field `graduated`, expected one of"),
        "{error}"
    );
    assert_eq!(&rows[3][column("outcome")], "");
}

#[test]
fn compare_marks_changed_outcomes_and_counts_transitions() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    std::fs::write(apps.join("a.yaml"), GOOD).unwrap();
    std::fs::write(apps.join("b.yaml"), GOOD.replace("APP-2025-000123", "APP-B")).unwrap();
    std::fs::write(
        apps.join("gone.yaml"),
        GOOD.replace("APP-2025-000123", "APP-GONE"),
    )
    .unwrap();
    let before = dir.path().join("before.jsonl");
    let (code, _, _) = run(accord().arg("--output").arg(&before).arg(&apps));
    assert_eq!(code, 0);
    // A year later, the registration has no expiry but the CPD has aged out of
    // the three-year window: 40 h (2024-05-10) and 60 h (2025-02-20) are both
    // before 2028-02-21, so 3.5 fails and the outcome becomes standard.
    std::fs::remove_file(apps.join("gone.yaml")).unwrap();
    std::fs::write(apps.join("new.yaml"), GOOD.replace("APP-2025-000123", "APP-NEW")).unwrap();
    let summary = dir.path().join("summary.json");
    let (code, stdout, stderr) = run(accord()
        .args(["--as-of", "2028-02-21", "--compare"])
        .arg(&before)
        .arg("--summary")
        .arg(&summary)
        .arg(&apps));
    assert_eq!(code, 0, "{stderr}");
    let records = lines(&stdout);
    assert_eq!(records[0]["outcome"], "standard");
    assert_eq!(records[0]["previous_outcome"], "expedited");
    assert_eq!(records[2]["application"], "APP-NEW");
    assert!(records[2].get("previous_outcome").is_none_or(Value::is_null));
    let summary: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(summary["compare"]["transitions"]["expedited -> standard"], 2);
    assert_eq!(summary["compare"]["new"], serde_json::json!(["APP-NEW"]));
    assert_eq!(summary["compare"]["gone"], serde_json::json!(["APP-GONE"]));
    assert!(stderr.contains("expedited -> standard"), "{stderr}");
    // CSV carries the previous outcome in its own column.
    let (_, csv_out, _) = run(accord()
        .args(["--format", "csv", "--as-of", "2028-02-21", "--compare"])
        .arg(&before)
        .arg(&apps));
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    let previous = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "previous_outcome")
        .unwrap();
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[previous], "expedited");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failing_run_leaves_the_old_output_untouched() {
    let dir = mixed();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("decisions.jsonl");
    std::fs::write(&out, "old output\n").unwrap();
    let bad_compare = out_dir.path().join("previous.jsonl");
    std::fs::write(&bad_compare, "{not json\n").unwrap();
    let (code, _, stderr) = run(accord()
        .arg("--output")
        .arg(&out)
        .arg("--compare")
        .arg(&bad_compare)
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(stderr.contains("previous.jsonl:1:"), "{stderr}");
    // A rule set that cannot be loaded (a directory of applications).
    let (code, _, _) = run(Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("batch")
        .arg("--rules")
        .arg(dir.path())
        .arg("--output")
        .arg(&out)
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old output\n");
    assert_eq!(listing(out_dir.path()), ["decisions.jsonl", "previous.jsonl"]);
}

#[test]
fn an_interrupted_run_leaves_the_old_output_untouched_and_no_partial_file() {
    let dir = corpus(8_000, 1);
    let out = dir.path().join("decisions.jsonl");
    std::fs::write(&out, "old output\n").unwrap();
    let child = accord()
        .args(["--jobs", "1", "--output"])
        .arg(&out)
        .arg(dir.path().join("corpus"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run has started writing its temporary file, then interrupt it.
    let started = std::time::Instant::now();
    while !listing(dir.path()).iter().any(|n| n.ends_with(".partial")) {
        assert!(started.elapsed().as_secs() < 30, "no temporary file appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old output\n");
    assert_eq!(listing(dir.path()), ["corpus", "decisions.jsonl"]);
}

#[test]
fn a_symlink_loop_is_skipped_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), GOOD).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let (code, stdout, stderr) = run(accord().arg(dir.path()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines(&stdout).len(), 1);
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = run(accord().args(["--jobs", "0", "x"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(accord().args(["--format", "xml", "x"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(&mut accord());
    assert_eq!(code, 2);
}
