//! Issue 10: the real binary against hostile and careless input. Each test
//! is a reproduction from the issue, named for it; each failed before the
//! fix.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::root;

mod support;

const EXAMPLE: &str = include_str!("../fixtures/examples/spec-example.yaml");

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command
        .current_dir(root())
        .env_remove("ACCORD_RULES")
        .env_remove("ACCORD_DB");
    command
}

fn run(args: &[&str]) -> (i32, String, String) {
    support::run(accord().args(args))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn assess(path: &Path) -> (i32, String, String) {
    run(&["assess", path.to_str().unwrap()])
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// Peak resident memory of `accord ARGS`, in KiB, measured by GNU time.
fn peak_kib(args: &[&str]) -> (i32, u64, String) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time is needed to measure peak memory: apt-get install -y time"
    );
    let report = tempfile::NamedTempFile::new().unwrap();
    let output = Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let kib = std::fs::read_to_string(report.path())
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        kib,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn issue_10_aliases_are_refused_before_they_expand() {
    let dir = tempfile::tempdir().unwrap();
    // The issue's reproduction: a 1 MB anchor aliased 10,000 times (1.5 MB).
    let anchor = format!(
        "  - {{activity: &s {}, hours: 1, completed_on: 2024-05-10}}\n",
        "A".repeat(1_000_000)
    );
    let aliases = "  - {activity: *s, hours: 1, completed_on: 2024-05-10}\n".repeat(10_000);
    let big = write(
        dir.path(),
        "big.yaml",
        &EXAMPLE.replace("cpd:\n", &format!("cpd:\n{anchor}{aliases}")),
    );
    let (code, kib, stderr) = peak_kib(&["assess", big.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("beyond the limit of 1 MiB for an application file"),
        "{stderr}"
    );
    assert!(kib < 256 * 1024, "peak {kib} KiB");
    // Under the size limit, the alias itself is refused, where it is.
    let anchor = format!(
        "  - {{activity: &s {}, hours: 1, completed_on: 2024-05-10}}\n",
        "A".repeat(100_000)
    );
    let aliases = "  - {activity: *s, hours: 1, completed_on: 2024-05-10}\n".repeat(9_000);
    let small = write(
        dir.path(),
        "small.yaml",
        &EXAMPLE.replace("cpd:\n", &format!("cpd:\n{anchor}{aliases}")),
    );
    let (code, kib, stderr) = peak_kib(&["assess", small.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("small.yaml:30:16: cpd[0].activity: anchors (`&name`) are not part of the format"),
        "{stderr}"
    );
    assert!(kib < 256 * 1024, "peak {kib} KiB");
}

#[test]
fn issue_10_an_alias_in_a_rule_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&root().join("rules"), dir.path());
    let bodies = dir.path().join("bodies.yaml");
    let text = std::fs::read_to_string(&bodies).unwrap();
    let text = text
        .replacen(
            "name: China Society of Engineers",
            "name: &n China Society of Engineers",
            1,
        )
        .replacen("name: Pakistan Engineering Council", "name: *n", 1);
    std::fs::write(&bodies, text).unwrap();
    let (code, _, stderr) = run(&["check", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("bodies.yaml:4:11: bodies[0].name: anchors (`&name`) are not part of the format"),
        "{stderr}"
    );
}

/// Worst cases for memory within the 1 MiB limit, each refused or decided
/// well under 256 MiB.
#[test]
fn issue_10_peak_memory_stays_bounded_for_any_one_mebibyte_file() {
    let dir = tempfile::tempdir().unwrap();
    let limit = 1 << 20;
    let long_name = EXAMPLE.replace(
        "  name: Ayesha Khan",
        &format!("  name: {}", "x".repeat(limit - 2_000)),
    );
    let course = "  - {activity: C, hours: 1, completed_on: 2024-05-10}\n";
    let many = EXAMPLE.replace(
        "cpd:\n",
        &format!("cpd:\n{}", course.repeat((limit - 2_000) / course.len())),
    );
    let flow = format!("{}\nx: {}{}", EXAMPLE, "[".repeat(90), "]".repeat(90));
    let nested_lists = format!(
        "{EXAMPLE}\nsummary_list: {}\n",
        "[a, ".repeat(20_000) + &"]".repeat(20_000)
    );
    let keys = format!(
        "{EXAMPLE}{}",
        (0..30_000).map(|i| format!("k{i}: v\n")).collect::<String>()
    );
    for (name, text) in [
        ("long-name.yaml", long_name),
        ("many-items.yaml", many),
        ("flow.yaml", flow),
        ("nested.yaml", nested_lists),
        ("keys.yaml", keys),
    ] {
        assert!(text.len() <= limit, "{name} is {} bytes", text.len());
        let path = write(dir.path(), name, &text);
        let (code, kib, stderr) = peak_kib(&["assess", path.to_str().unwrap()]);
        assert!(code == 0 || code == 1, "{name}: exit {code}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(kib < 256 * 1024, "{name}: peak {kib} KiB");
    }
}

#[cfg(unix)]
#[test]
fn issue_10_output_to_a_device_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", EXAMPLE);
    let (code, _, stderr) = run(&["batch", "--output", "/dev/full", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    // A link as --output: the target is replaced, the link stays, the mode is kept.
    use std::os::unix::fs::PermissionsExt;
    let real = write(dir.path(), "real.jsonl", "old\n");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    write(&apps, "a.yaml", EXAMPLE);
    let (code, _, stderr) = run(&[
        "batch",
        "--output",
        link.to_str().unwrap(),
        apps.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("APP-2025-000123"));
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let summary = dir.path().join("summary.json");
    run(&[
        "batch",
        "--output",
        "/dev/null",
        "--summary",
        summary.to_str().unwrap(),
        apps.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::metadata(&summary).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

#[test]
fn issue_10_a_killed_runs_partial_file_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    write(&apps, "a.yaml", EXAMPLE);
    let out = dir.path().join("out.jsonl");
    // What a SIGKILLed writer leaves: its twin, named with its (now dead) pid.
    let mut child = accord()
        .args(["batch", "--jobs", "1", "--output", out.to_str().unwrap()])
        .arg(&apps)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stale = dir
        .path()
        .join(format!(".accord-out.jsonl.{}.x1y2z3.partial", child.id()));
    std::fs::write(&stale, "half").unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, _, stderr) = run(&["batch", "--output", out.to_str().unwrap(), apps.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stale.exists(), "the dead run's partial file is gone");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn issue_10_duplicate_ids_are_found_in_one_pass_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a"), dir.path().join("b"));
    accord_corpus::write_corpus(&first, 1_500, 3).unwrap();
    accord_corpus::write_corpus(&second, 1_500, 3).unwrap();
    let out = dir.path().join("out.jsonl");
    let (code, _, stderr) = run(&[
        "batch",
        "--output",
        out.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3_000);
    let errors: Vec<&serde_json::Value> = records.iter().filter(|r| r.get("error").is_some()).collect();
    assert_eq!(errors.len(), 1_500);
    for error in errors {
        let file = error["file"].as_str().unwrap();
        let message = error["error"].as_str().unwrap();
        assert!(file.contains("/b/"), "{file}");
        let first_file = file.replace("/b/", "/a/");
        assert!(
            message.ends_with(&format!("is already used by {first_file}")),
            "{message}"
        );
    }
}

#[cfg(unix)]
#[test]
fn issue_10_special_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    write(&apps, "a.yaml", EXAMPLE);
    mkfifo(&apps.join("b.yaml"));
    std::os::unix::fs::symlink("/dev/zero", apps.join("c.yaml")).unwrap();
    let started = Instant::now();
    let (code, stdout, stderr) = run(&["batch", apps.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20), "nothing blocks");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("is a character device, not a regular file"),
        "{}",
        lines[2]
    );

    let fifo = dir.path().join("pipe.yaml");
    mkfifo(&fifo);
    let (code, _, stderr) = assess(&fifo);
    assert_eq!(code, 1);
    assert!(stderr.contains("is a FIFO (named pipe)"), "{stderr}");
    let (code, _, stderr) = run(&[
        "batch",
        "--compare",
        fifo.to_str().unwrap(),
        apps.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is a FIFO (named pipe)"), "{stderr}");

    let rules = dir.path().join("rules");
    support::copy_dir(&root().join("rules"), &rules);
    mkfifo(&rules.join("extra.yaml"));
    mkfifo(&rules.join("tests/more.yaml"));
    let (code, _, stderr) = run(&["check", "--rules", rules.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("extra.yaml: is a FIFO (named pipe)"), "{stderr}");
    std::fs::remove_file(rules.join("extra.yaml")).unwrap();
    let (code, _, stderr) = run(&["test", "--rules", rules.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("more.yaml: is a FIFO (named pipe)"), "{stderr}");
}

#[test]
fn issue_10_jobs_out_of_range_is_a_usage_error() {
    for jobs in ["18446744073709551615", "1000000", "0", "65"] {
        let (code, _, stderr) = run(&["batch", "--jobs", jobs, "fixtures/examples"]);
        assert_eq!(code, 2, "--jobs {jobs}: {stderr}");
        assert!(stderr.contains("--jobs"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (code, _, stderr) = run(&["batch", "--jobs", "0", "fixtures/examples"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("0 is not in 1..=64"), "{stderr}");
    let (code, _, _) = run(&[
        "batch",
        "--jobs",
        "64",
        "--output",
        "/dev/null",
        "fixtures/examples",
    ]);
    assert_eq!(code, 0);
}

#[cfg(unix)]
#[test]
fn issue_10_a_parallel_run_stops_within_a_second_of_sigint() {
    let dir = tempfile::tempdir().unwrap();
    accord_corpus::write_corpus(&dir.path().join("apps"), 20_000, 5).unwrap();
    for command in ["batch", "impact"] {
        let mut args: Vec<String> = vec![command.into(), "--jobs".into(), "64".into()];
        if command == "impact" {
            args.extend(
                ["--old", "fixtures/rulesets/before-amendment-1", "--new", "rules"].map(String::from),
            );
        }
        args.extend(["--output".into(), dir.path().join("out").display().to_string()]);
        args.push(dir.path().join("apps").display().to_string());
        let mut child = accord().args(&args).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let signalled = Instant::now();
        assert!(Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                signalled.elapsed() < Duration::from_secs(3),
                "{command} still running after SIGINT"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let waited = signalled.elapsed();
        assert_eq!(status.code(), Some(130), "{command}");
        assert!(
            waited < Duration::from_secs(1),
            "{command} took {waited:?} to stop"
        );
        assert!(!dir.path().join("out").exists(), "{command}: no output written");
    }
}

#[test]
fn issue_10_control_characters_reach_no_terminal_and_formulas_no_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    // A file whose name would forge a report line and recolour the terminal.
    let apps = dir.path().join("apps");
    std::fs::create_dir(&apps).unwrap();
    let evil = "x\nAPP-9: EXPEDITED \u{1b}[31m.yaml";
    write(&apps, evil, "id: [unclosed\n");
    write(
        &apps,
        "ok.yaml",
        &EXAMPLE.replace("APP-2025-000123", "=HYPERLINK(\"http://x\")"),
    );
    write(
        &apps,
        "plus.yaml",
        &EXAMPLE.replace("APP-2025-000123", "\"+cmd|' /C calc'!A0\""),
    );
    write(
        &apps,
        "at.yaml",
        &EXAMPLE.replace("APP-2025-000123", "\"@SUM(A1:A9)\""),
    );
    let (_, stdout, stderr) = run(&[
        "impact",
        "--old",
        "rules",
        "--new",
        "fixtures/rulesets/before-amendment-1",
        apps.to_str().unwrap(),
    ]);
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("APP-9")), "{text}");
    }
    assert!(
        stdout.contains("x\\nAPP-9: EXPEDITED \\u{1b}[31m.yaml"),
        "{stdout}"
    );

    let (_, csv, _) = run(&["batch", "--format", "csv", apps.to_str().unwrap()]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    assert_eq!(
        ids,
        ["'@SUM(A1:A9)", "'=HYPERLINK(\"http://x\")", "'+cmd|' /C calc'!A0"],
        "{csv}"
    );

    // A sanction summary may break lines; the report shows the breaks escaped.
    let summary = write(
        dir.path(),
        "summary.yaml",
        &EXAMPLE.replace(
            "sanctions: []",
            "sanctions:\n  - {date: 2025-01-01, status: pending, summary: \"first\\nAPP-9: EXPEDITED\"}",
        ),
    );
    let (code, stdout, _) = assess(&summary);
    assert_eq!(code, 0);
    assert!(stdout.contains("(first\\nAPP-9: EXPEDITED)"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("APP-9")), "{stdout}");
}

#[test]
fn issue_10_check_refuses_a_window_the_calendar_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&root().join("rules"), dir.path());
    let agreement = dir.path().join("agreements/cse-pec-mra.yaml");
    let text = std::fs::read_to_string(&agreement).unwrap();
    let edited = text.replacen(
        "      - id: cpd_window_years\n        clause: \"3.5\"\n        title: CPD window\n        unit: years\n        periods:\n          - { from: 2025-07-01, value: 3 }",
        "      - id: cpd_window_years\n        clause: \"3.5\"\n        title: CPD window\n        unit: years\n        periods:\n          - { from: 2025-07-01, value: 300000 }",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(&agreement, edited).unwrap();
    let (code, _, stderr) = run(&["check", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cse-pec-mra.yaml:")
            && stderr.contains("a window of 300000 years from 2025-07-01 reaches before year 1"),
        "{stderr}"
    );
    let (code, _, _) = run(&[
        "assess",
        "--rules",
        dir.path().to_str().unwrap(),
        "fixtures/examples/spec-example.yaml",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn issue_10_scalars_are_typed_strictly_in_yaml_as_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "id: APP-2025-000123",
            "id: null",
            "id: expected text, found nothing",
        ),
        ("id: APP-2025-000123", "id: ~", "id: expected text, found nothing"),
        (
            "id: APP-2025-000123",
            "id: true",
            "id: expected text, found the boolean `true`",
        ),
        (
            "id: APP-2025-000123",
            "id: 12",
            "id: expected text, found the number `12`",
        ),
        (
            "  name: Ayesha Khan",
            "  name: null",
            "applicant.name: expected text, found nothing",
        ),
        (
            "  name: Ayesha Khan",
            "  name: \"  \"",
            "applicant.name: cannot be empty",
        ),
        (
            "id: APP-2025-000123",
            "id: !!binary QUJD",
            "tags (`!!binary`, `!name`) are not part of the format",
        ),
        (
            "id: APP-2025-000123",
            "id: !foo APP",
            "tags (`!!binary`, `!name`) are not part of the format",
        ),
        (
            "    to: 2021-08-31",
            "    to: 2021-08-31\n    fte: 1.00000000000000000001",
            "more digits than a number here can hold",
        ),
        (
            "id: APP-2025-000123",
            "id: A\u{1b}B",
            "app.yaml:1:6: a control character (U+001B) is not allowed in YAML text",
        ),
        (
            "id: APP-2025-000123",
            "id: \"A\\u001bB\"",
            "id: holds a control character (U+001B) at character 2",
        ),
    ];
    for (from, to, message) in cases {
        let path = write(dir.path(), "app.yaml", &EXAMPLE.replacen(from, to, 1));
        let (code, _, stderr) = assess(&path);
        assert_eq!(code, 1, "{to}: {stderr}");
        assert!(stderr.contains(message), "{to}: {stderr}");
    }
    let long = write(
        dir.path(),
        "long.yaml",
        &EXAMPLE.replacen("APP-2025-000123", &"I".repeat(129), 1),
    );
    let (code, _, stderr) = assess(&long);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("id: is 129 characters long: the format allows at most 128"),
        "{stderr}"
    );
    let json = write(dir.path(), "app.json", "{\"id\": null}");
    let (code, _, stderr) = assess(&json);
    assert_eq!(code, 1);
    assert!(stderr.contains("id: expected text, found nothing"), "{stderr}");
    // A byte-order mark is accepted and ignored, in YAML and JSON.
    let bom = write(dir.path(), "bom.yaml", &format!("\u{feff}{EXAMPLE}"));
    assert_eq!(assess(&bom).0, 0);
    let bom_json = write(
        dir.path(),
        "bom.json",
        "\u{feff}{\"id\": \"J\", \"applied_on\": \"2025-09-15\", \"applicant\": {\"name\": \"A\"}, \"home_body\": \"CSE\", \"host_body\": \"EA\", \"discipline\": \"civil\"}",
    );
    let (code, _, stderr) = assess(&bom_json);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn issue_10_errors_say_where_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "dup.yaml",
            EXAMPLE.replacen("  name: Ayesha Khan\n", "  name: Ayesha Khan\n  name: Other\n", 1),
            "dup.yaml:5:3: applicant: duplicate field `name`: each field is given once",
        ),
        (
            "dup-top.yaml",
            EXAMPLE.replacen("discipline: civil", "discipline: civil\ndiscipline: civil", 1),
            "dup-top.yaml:8:1: duplicate field `discipline`: each field is given once",
        ),
        (
            "syntax.yaml",
            EXAMPLE.replacen("  name: Ayesha Khan", "  name: Ayesha: Khan", 1),
            "syntax.yaml:4:15: applicant: mapping values are not allowed in this context",
        ),
        (
            "syntax.json",
            "{\"id\": \"A\", \"applicant\": {\"name\": \"x\" \"y\"}}".to_owned(),
            "syntax.json:1:39: expected `,` or `}`",
        ),
        (
            "tab.yaml",
            EXAMPLE.replacen("  name: Ayesha Khan", "\tname: Ayesha Khan", 1),
            "YAML is indented with spaces, never tabs",
        ),
        (
            "body.yaml",
            EXAMPLE.replacen("home_body: PEC", "home_body: PEQ", 1),
            "home_body: unknown body `PEQ` (the rule set defines `ABET`, `CAST`, `CSE`, `EA`, `ECUK` or `PEC`)",
        ),
        (
            "discipline.yaml",
            EXAMPLE.replacen("discipline: civil", "discipline: civl", 1),
            "discipline: unknown discipline `civl` (the rule set defines `aerospace`",
        ),
        (
            "credential.yaml",
            EXAMPLE.replacen("credential: PE", "credential: PX", 1),
            "unknown credential `PX` of body `PEC` (it registers `PE` or `RE`)",
        ),
    ];
    for (name, text, message) in &cases {
        let path = write(dir.path(), name, text);
        let (code, _, stderr) = assess(&path);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(
            stderr.contains(message),
            "{name}: expected `{message}` in {stderr}"
        );
        assert!(
            !stderr.contains(".?") && !stderr.contains(" ?:"),
            "{name}: {stderr}"
        );
    }
    let (code, _, stderr) = run(&["assess", "fixtures/examples"]);
    assert_eq!(code, 1);
    assert!(
        stderr
            .contains("is a folder, not a file: to assess every application in a folder, use `accord batch`"),
        "{stderr}"
    );
    let csv = write(dir.path(), "previous.csv", "file,application,as_of\nx,y,z\n");
    let (code, _, stderr) = run(&["batch", "--compare", csv.to_str().unwrap(), "fixtures/examples"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("previous.csv:1:1: not a line of batch output (this looks like CSV: --compare reads the JSON Lines"), "{stderr}");
}

mod generated {
    use proptest::prelude::*;

    use super::{accord, EXAMPLE};

    const TOKENS: &[&str] = &[
        "&a ",
        "*a",
        "!!binary ",
        "<<: ",
        "{",
        "[",
        ": ",
        "- ",
        "\t",
        "\"",
        "null",
        "~",
        "1e400",
        "\u{1b}",
        "\n",
        "---\n",
        "\u{0}",
        "2025-02-30",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Issue 10: whatever the damage, the binary exits 0 or 1, one
        /// located line on stderr when it refuses, never a panic (101).
        #[test]
        fn any_damaged_file_is_decided_or_refused_never_a_crash(
            at in 0usize..EXAMPLE.len(),
            token in 0usize..TOKENS.len(),
            cut in proptest::bool::ANY,
        ) {
            let mut text = EXAMPLE.to_owned();
            let mut at = at;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if cut { text.truncate(at) } else { text.insert_str(at, TOKENS[token]) }
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("damaged.yaml");
            std::fs::write(&file, text).unwrap();
            let output = accord().arg("assess").arg(&file).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            let code = output.status.code();
            prop_assert!(code == Some(0) || code == Some(1), "exit {:?}: {}", code, stderr);
            prop_assert!(!stderr.contains("panicked"), "{}", stderr);
            if code == Some(1) {
                prop_assert_eq!(stderr.trim_end().lines().count(), 1, "{}", stderr);
                prop_assert!(stderr.starts_with(&format!("accord: {}", file.display())), "{}", stderr);
            }
        }
    }
}
