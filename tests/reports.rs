//! End-to-end tests of the reports people read (issue 14): the decision
//! letter (`assess --format html`, `case show --format html`) and the
//! batch report (`batch --report`) rendered in headless Chromium — the
//! rendered page's text, that the page makes no network request, and that
//! the letter prints on at most two A4 pages — then the text report, the
//! office's CSV, the summary, `impact`, standard input, `--quiet`, colour,
//! completions and the manual page on the real binary.
//!
//! The Chromium tests run when `chromium` is on PATH (`.ci/run` installs
//! it) and otherwise print `skipped: chromium not found` and pass.

// Test code: indexing into parsed output and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{root, run};

mod support;

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command
        .env_remove("ACCORD_RULES")
        .env_remove("ACCORD_DB")
        .env_remove("ACCORD_ACTOR")
        .env_remove("NO_COLOR")
        .current_dir(root());
    command
}

fn ok(command: &mut Command) -> String {
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{command:?}: {stderr}");
    stdout
}

// ---------------------------------------------------------------------------
// Headless Chromium

/// Chromium, when it is on PATH.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("skipped: chromium not found");
    }
    found
}

/// A headless Chromium run on `page` with its own profile, every host
/// name unresolvable (so nothing could leave the machine even if the page
/// asked), background networking off, and the network log written to
/// `net.json` beside the page. Returns stdout.
fn headless(chromium: &Path, page: &Path, args: &[&str]) -> String {
    let dir = page.parent().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("timeout")
        .arg("180")
        .arg(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", dir.join("net.json").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed on {}", page.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The page's rendered DOM, serialised.
fn dom(chromium: &Path, page: &Path) -> String {
    headless(chromium, page, &["--dump-dom"])
}

/// The network requests the page itself made, from Chromium's network log
/// of its last run: those whose top frame is the `file://` page
/// (Chromium's own background requests are keyed otherwise).
fn page_requests(page: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(page.parent().unwrap().join("net.json")).unwrap();
    log.lines()
        .filter(|l| l.contains("\"network_isolation_key\":\"file://"))
        .filter_map(|l| {
            let start = l.find("\"url\":\"")? + 7;
            let end = l[start..].find('"')? + start;
            Some(l[start..end].to_owned())
        })
        .collect()
}

/// Pages of the PDF Chromium prints the page to, on A4 (the page's own `@page`).
fn printed_pages(chromium: &Path, page: &Path) -> usize {
    let pdf = page.with_extension("pdf");
    headless(
        chromium,
        page,
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let needle = b"/Type /Page";
    bytes
        .windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && !w[needle.len()].is_ascii_alphabetic())
        .count()
}

/// Every resource the HTML names (`src=`, `href=`, `url(`, `@import`):
/// a self-contained page has none.
fn resource_references(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    [
        "src=", "href=", "srcset=", "url(", "@import", "http://", "https://",
    ]
    .iter()
    .filter(|n| lower.contains(*n))
    .map(|n| (*n).to_owned())
    .collect()
}

/// The text inside the element whose opening tag holds `attribute`.
fn text_at<'a>(dom: &'a str, attribute: &str) -> &'a str {
    let at = dom
        .find(attribute)
        .unwrap_or_else(|| panic!("no `{attribute}` in the page"));
    let start = at + dom[at..].find('>').unwrap() + 1;
    let end = start + dom[start..].find('<').unwrap();
    &dom[start..end]
}

/// `2,556.5` → 2556.5.
fn number(text: &str) -> f64 {
    text.trim()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: `{text}`"))
}

/// The text of every cell of the table with class `class`, row by row (body rows only).
fn body_rows(dom: &str, class: &str) -> Vec<Vec<String>> {
    let start = dom.find(&format!("<table class=\"{class}\"")).unwrap();
    let table = &dom[start..start + dom[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap()];
                    strip_tags(inner)
                })
                .collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

/// A hand-worked case for the letter: its file, and the counted days each
/// experience period adds to clause 3.3, worked out by hand in its comments.
struct Case {
    file: &'static str,
    applicant: &'static str,
    outcome: &'static str,
    periods: &'static [f64],
}

const LETTERS: [Case; 3] = [
    // 2018-07-15..: 1,096 days full time, then 1,476 ongoing to 2025-09-15.
    Case {
        file: "fixtures/examples/spec-example.yaml",
        applicant: "Ayesha Khan",
        outcome: "EXPEDITED",
        periods: &[1096.0, 1476.0],
    },
    // 1,097 days at 0.5 = 548.5; 486; 1,522 (the fixture's own arithmetic).
    Case {
        file: "fixtures/cases/a-part-time-half-fte-2556-5-days-m2/application.yaml",
        applicant: "Huang Jing",
        outcome: "CONDITIONAL",
        periods: &[548.5, 486.0, 1522.0],
    },
    // A alone 2,555 days at 0.6 = 1,533; B adds the days A does not
    // cover (63 at 0.6) and caps the 2,465 shared days at one: 2,556.8 - 1,533.
    Case {
        file: "fixtures/cases/a-overlapping-part-time-0-6-capped-at-one/application.yaml",
        applicant: "Xu Ping",
        outcome: "CONDITIONAL",
        periods: &[1533.0, 1023.8],
    },
];

#[test]
fn the_letter_renders_in_chromium_with_the_decisions_figures_on_two_a4_pages_and_no_network() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for case in &LETTERS {
        let name = Path::new(case.file)
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let html = ok(accord().args(["assess", "--format", "html", case.file]));
        let decision: Value =
            serde_json::from_str(&ok(accord().args(["assess", "--format", "json", case.file]))).unwrap();
        assert!(
            resource_references(&html).is_empty(),
            "{name}: {:?}",
            resource_references(&html)
        );
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, &html).unwrap();
        let dom = dom(&chromium, &page);
        assert!(
            page_requests(&page).is_empty(),
            "{name}: {:?}",
            page_requests(&page)
        );

        assert_eq!(text_at(&dom, "id=\"applicant\""), case.applicant, "{name}");
        assert_eq!(text_at(&dom, "id=\"outcome\""), case.outcome, "{name}");
        assert_eq!(text_at(&dom, "id=\"ruleset\""), decision["ruleset"], "{name}");
        assert!(text_at(&dom, "id=\"input\"").starts_with("sha256:"), "{name}");
        for c in decision["criteria"].as_array().unwrap() {
            let clause = c["clause"].as_str().unwrap();
            assert!(
                dom.contains(&format!("data-clause=\"{clause}\"")),
                "{name}: clause {clause}"
            );
            assert!(
                dom.contains(c["title"].as_str().unwrap()),
                "{name}: clause {clause}"
            );
        }
        let figure = |clause: &str, name: &str| {
            decision["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["clause"] == clause)
                .unwrap()["figures"][name]
                .as_f64()
                .unwrap()
        };
        // The experience table: each period as worked by hand, and the
        // totals are the decision's figures for clauses 3.3 and 3.4.
        let rows = body_rows(&dom, "experience");
        let counted: Vec<f64> = rows.iter().map(|r| number(&r[5])).collect();
        assert_eq!(counted, case.periods, "{name}");
        let total_33 = number(text_at(&dom, "data-total=\"3.3\""));
        assert_eq!(total_33, figure("3.3", "counted_days"), "{name}");
        assert!((counted.iter().sum::<f64>() - total_33).abs() < 1e-9, "{name}");
        assert_eq!(
            number(text_at(&dom, "data-figure=\"counted_days\"")),
            total_33,
            "{name}"
        );
        let responsible: f64 = rows.iter().filter(|r| r[6] != "—").map(|r| number(&r[6])).sum();
        let total_34 = number(text_at(&dom, "data-total=\"3.4\""));
        assert_eq!(total_34, figure("3.4", "counted_days"), "{name}");
        assert!((responsible - total_34).abs() < 1e-9, "{name}");
        // The CPD table: the items inside the window add up to the hours counted.
        let cpd = body_rows(&dom, "cpd");
        let inside: f64 = cpd.iter().filter(|r| r[3] == "yes").map(|r| number(&r[2])).sum();
        assert_eq!(inside, figure("3.5", "hours"), "{name}");
        assert_eq!(number(text_at(&dom, "data-total=\"3.5\"")), inside, "{name}");

        let pages = printed_pages(&chromium, &page);
        assert!(
            (1..=2).contains(&pages),
            "{name}: the letter prints on {pages} A4 pages"
        );
    }
}

#[test]
fn the_network_check_sees_a_page_that_fetches_something() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("remote.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><p>x</p><img src=\"http://example.invalid/a.png\"><link rel=\"stylesheet\" href=\"https://example.invalid/s.css\">",
    )
    .unwrap();
    dom(&chromium, &page);
    let requests = page_requests(&page);
    assert!(
        requests.iter().any(|u| u == "http://example.invalid/a.png")
            && requests.iter().any(|u| u == "https://example.invalid/s.css"),
        "{requests:?}"
    );
    assert!(!resource_references(&std::fs::read_to_string(&page).unwrap()).is_empty());
}

#[test]
fn the_batch_report_renders_in_chromium_for_500_files_compared_with_an_earlier_run() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    accord_corpus::write_corpus(&corpus, 500, 14).unwrap();
    let before = dir.path().join("before.jsonl");
    ok(accord()
        .args(["batch", "--quiet", "--as-of", "2026-03-02", "--output"])
        .arg(&before)
        .arg(&corpus));
    // Two files that cannot be decided, named in the report with their errors.
    std::fs::write(corpus.join("zz-broken.yaml"), "id: [\n").unwrap();
    std::fs::write(corpus.join("zz-<b>odd.json"), "{}").unwrap();
    let report = dir.path().join("report.html");
    let summary = dir.path().join("summary.json");
    let (code, _, stderr) = run(accord()
        .args([
            "batch",
            "--as-of",
            "2027-09-01",
            "--output",
            "/dev/null",
            "--compare",
        ])
        .arg(&before)
        .arg("--report")
        .arg(&report)
        .arg("--summary")
        .arg(&summary)
        .arg(&corpus));
    assert_eq!(code, 1, "two files are rejected: {stderr}");
    let summary: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        resource_references(&html).is_empty(),
        "{:?}",
        resource_references(&html)
    );
    assert!(
        !html.contains("<b>odd") && html.contains("&lt;b&gt;odd"),
        "file names are escaped"
    );
    let dom = dom(&chromium, &report);
    assert!(page_requests(&report).is_empty(), "{:?}", page_requests(&report));

    assert_eq!(number(text_at(&dom, "data-count=\"files seen\"")), 502.0);
    assert_eq!(number(text_at(&dom, "data-count=\"rejected\"")), 2.0);
    for (outcome, count) in summary["outcomes"].as_object().unwrap() {
        let shown = number(text_at(&dom, &format!("data-outcome=\"{outcome}\"")));
        assert_eq!(shown, count.as_f64().unwrap(), "{outcome}");
    }
    assert_eq!(
        summary["outcomes"].as_object().unwrap().len(),
        5,
        "every outcome, zeros too"
    );
    for (clause, count) in summary["not_met"].as_object().unwrap() {
        let shown = number(text_at(&dom, &format!("data-not-met=\"{clause}\"")));
        assert_eq!(shown, count.as_f64().unwrap(), "{clause}");
    }
    assert!(dom.contains("id=\"outcomes-chart\""), "the outcomes as a chart");
    // Eighteen months on, CPD has left its window for many: transitions, each with its files.
    let transitions = summary["compare"]["transitions"].as_object().unwrap();
    assert!(!transitions.is_empty());
    for (key, count) in transitions {
        let shown = number(text_at(
            &dom,
            &format!("data-transition=\"{}\"", key.replace('>', "&gt;")),
        ));
        assert_eq!(shown, count.as_f64().unwrap(), "{key}");
        let files = summary["compare"]["transition_files"][key].as_array().unwrap();
        assert_eq!(files.len() as f64, shown, "{key}");
        let first = files[0].as_str().unwrap();
        assert!(dom.contains(first), "{key}: {first}");
    }
    for rejected in summary["rejected_files"].as_array().unwrap() {
        let file = rejected["file"]
            .as_str()
            .unwrap()
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(dom.contains(&file), "{file}");
    }
    assert!(dom.contains(summary["ruleset"].as_str().unwrap()));
}

// ---------------------------------------------------------------------------
// The text report, standard input, colour

#[test]
fn the_readme_sample_report_is_what_assess_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```\nAPP-2025-000123: ").unwrap() + 4;
    let sample = &readme[start..start + readme[start..].find("```").unwrap()];
    let actual = ok(accord().args(["assess", "fixtures/examples/spec-example.yaml"]));
    assert_eq!(sample, actual);
}

#[test]
fn standard_input_is_assessed_in_the_format_asked_or_sniffed_and_bounded() {
    let yaml = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let file = ok(accord().args([
        "assess",
        "--format",
        "json",
        "fixtures/examples/spec-example.yaml",
    ]));
    let piped = |args: &[&str], input: &[u8]| {
        let mut child = accord()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(input);
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, stdout, _) = piped(&["assess", "--format", "json", "-"], yaml.as_bytes());
    assert_eq!((code, stdout.as_str()), (0, file.as_str()));
    // JSON, sniffed from its `{`: the same application, the same decision.
    let (code, stdout, stderr) = piped(&["assess", "--format", "json", "-"], SPEC_EXAMPLE_JSON.as_bytes());
    assert_eq!((code, stdout.as_str()), (0, file.as_str()), "{stderr}");
    let (code, _, stderr) = piped(&["assess", "-"], b"  {\"id\": \"X\"}");
    assert_eq!(code, 1);
    assert!(stderr.starts_with("accord: <stdin>"), "{stderr}");
    assert!(stderr.contains("missing field"), "{stderr}");
    // Told it is YAML, a JSON object is still read (YAML holds JSON), and errors name standard input.
    let (code, _, stderr) = piped(&["assess", "--input-format", "yaml", "-"], b"id: [\n");
    assert_eq!(code, 1);
    assert!(stderr.starts_with("accord: <stdin>:"), "{stderr}");
    let (code, _, stderr) = piped(&["assess", "--input-format", "json", "-"], yaml.as_bytes());
    assert_eq!(code, 1, "YAML is not JSON");
    assert!(stderr.starts_with("accord: <stdin>:1:"), "{stderr}");
    // Beyond 1 MiB: refused whole.
    let big = vec![b' '; (1 << 20) + 1];
    let (code, _, stderr) = piped(&["assess", "-"], &big);
    assert_eq!(code, 1);
    assert!(stderr.contains("beyond the limit of 1 MiB"), "{stderr}");
}

/// The format specification's example, as JSON.
const SPEC_EXAMPLE_JSON: &str = r#"{
  "id": "APP-2025-000123", "applied_on": "2025-09-15", "applicant": {"name": "Ayesha Khan"},
  "home_body": "PEC", "host_body": "CSE", "discipline": "civil",
  "registrations": [{"body": "PEC", "credential": "PE", "number": "PE/CIVIL/12345", "since": "2023-03-01", "status": "active"}],
  "degrees": [{"title": "BSc Civil Engineering", "institution": "University of Engineering and Technology, Lahore",
               "accredited_by": "PEC", "graduated_on": "2018-07-15", "programme_years": 4}],
  "experience": [
    {"employer": "National Engineering Services Pakistan", "role": "Site engineer", "from": "2018-09-01", "to": "2021-08-31"},
    {"employer": "National Engineering Services Pakistan", "role": "Project engineer", "from": "2021-09-01", "responsible_charge": true}],
  "cpd": [{"activity": "Seismic design of RC structures", "hours": 40, "completed_on": "2024-05-10"},
          {"activity": "Contract management", "hours": 60, "completed_on": "2025-02-20"}],
  "sanctions": []
}"#;

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let (_, piped, _) = run(accord().args(["assess", "fixtures/examples/spec-example.yaml"]));
    assert!(!piped.contains('\u{1b}'), "no colour into a pipe");
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: script(1) not found (no terminal to test colour on)");
        return;
    }
    let on_terminal = |no_color: Option<&str>| {
        let mut command = Command::new("/usr/bin/script");
        command
            .args(["-qec"])
            .arg(format!(
                "{} assess fixtures/examples/spec-example.yaml",
                env!("CARGO_BIN_EXE_accord")
            ))
            .arg("/dev/null")
            .current_dir(root())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        ok(&mut command)
    };
    let coloured = on_terminal(None);
    assert!(
        coloured.contains("\u{1b}[1;32mEXPEDITED\u{1b}[0m"),
        "{coloured:?}"
    );
    assert!(!on_terminal(Some("1")).contains('\u{1b}'));
    assert!(
        on_terminal(Some("")).contains('\u{1b}'),
        "an empty NO_COLOR does not count"
    );
}

// ---------------------------------------------------------------------------
// The office's CSV, the summary, --record, --quiet

fn two_applications() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/examples/spec-example.yaml"),
        dir.path().join("a-spec.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/cases/a-part-time-half-fte-2556-5-days-m2/application.yaml"),
        dir.path().join("b-part-time.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/cases/pair-without-agreement-ea-to-pec/application.yaml"),
        dir.path().join("c-no-agreement.yaml"),
    )
    .unwrap();
    dir
}

#[test]
fn the_csv_header_and_rows_are_what_an_office_can_use() {
    let dir = two_applications();
    let csv = ok(accord()
        .args(["batch", "--quiet", "--format", "csv"])
        .arg(dir.path()))
    .replace(&format!("{}/", dir.path().display()), "");
    insta::assert_snapshot!(csv);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[1][column("clause 3.3")], "met_with_M2");
    assert_eq!(&rows[1][column("clause 3.3 days")], "2556.5");
    assert_eq!(&rows[1][column("clause 3.5 hours")], "80");
    assert_eq!(&rows[2][column("agreement")], "");
    assert!(rows[2][column("reason")].starts_with("no agreement in the rule set covers EA → PEC"));
    assert!(
        !header.iter().any(|h| h == "ruleset"),
        "the fingerprint is in the summary, once"
    );
}

#[test]
fn the_summary_lists_zeros_names_rejected_files_and_has_no_dangling_colons() {
    let dir = two_applications();
    std::fs::write(dir.path().join("d-broken.yaml"), "id: [\n").unwrap();
    let previous = dir.path().join("previous.jsonl");
    std::fs::write(&previous, "").unwrap();
    let summary = dir.path().join("summary.json");
    let (code, _, stderr) = run(accord()
        .args(["batch", "--output", "/dev/null", "--compare"])
        .arg(&previous)
        .arg("--summary")
        .arg(&summary)
        .arg(dir.path()));
    assert_eq!(code, 1);
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["outcomes"]["referred"], 0);
    assert_eq!(json["not_met"]["3.7"], 0);
    assert_eq!(json["unknown"]["2.1"], 0);
    assert!(json["ruleset"].as_str().unwrap().starts_with("sha256:"));
    assert!(json["rejected_files"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("d-broken.yaml"));
    assert!(json["rejected_files"][0]["error"]
        .as_str()
        .unwrap()
        .contains("expected text"));
    assert!(!stderr.lines().any(|l| l.trim_end().ends_with(':')), "{stderr}");
    assert!(stderr.contains("  gone              0\n"), "{stderr}");
    assert!(stderr.contains("d-broken.yaml: "), "{stderr}");
    assert!(stderr.contains("rule set sha256:"), "{stderr}");
    assert!(stderr.contains("  referred            0\n"), "{stderr}");

    let (code, stdout, stderr) = run(accord()
        .args(["batch", "--quiet", "--output", "/dev/null"])
        .arg(dir.path()));
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (1, "", ""),
        "--quiet: nothing on stderr"
    );
}

#[test]
fn batch_record_says_how_many_entries_it_wrote() {
    let dir = two_applications();
    let db = tempfile::tempdir().unwrap();
    let db = db.path().join("accord.db");
    let db = db.to_str().unwrap();
    ok(accord().args([
        "--db", db, "actor", "add", "reg", "--name", "R", "--role", "admin", "--role", "assessor",
    ]));
    let (code, _, stderr) = run(accord()
        .args([
            "--db",
            db,
            "--actor",
            "reg",
            "batch",
            "--record",
            "--output",
            "/dev/null",
        ])
        .arg(dir.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("recorded 3 decisions in the ledger"), "{stderr}");
}

// ---------------------------------------------------------------------------
// The letter of a case, the graph, completions, the manual, help texts

#[test]
fn a_cases_letter_gives_the_last_day_to_request_a_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("accord.db");
    let db = db.to_str().unwrap();
    let as_actor = |actor: &str, args: &[&str]| {
        ok(accord().args(["--db", db, "--actor", actor]).args(args));
    };
    ok(accord().args([
        "--db", db, "actor", "add", "reg", "--name", "R", "--role", "admin",
    ]));
    as_actor(
        "reg",
        &["actor", "add", "ana", "--name", "Ana", "--role", "assessor"],
    );
    as_actor(
        "reg",
        &["actor", "add", "bo", "--name", "Bo", "--role", "assessor"],
    );
    as_actor(
        "ana",
        &[
            "case",
            "open",
            "fixtures/examples/spec-example.yaml",
            "--received",
            "2026-01-05",
        ],
    );
    as_actor(
        "ana",
        &["case", "acknowledge", "APP-2025-000123", "--on", "2026-01-14"],
    );
    // Issue 14: `case assess` prints the same report as `assess`: the
    // applicant, what was counted, the next steps, then what was recorded.
    let assessed = ok(accord().args(["--db", db, "--actor", "ana"]).args([
        "case",
        "assess",
        "APP-2025-000123",
        "--on",
        "2026-01-20",
    ]));
    let report = ok(accord().args(["assess", "fixtures/examples/spec-example.yaml"]));
    assert!(assessed.starts_with(&report), "{assessed}");
    assert!(assessed.contains("  Ayesha Khan, PEC → CSE, civil"), "{assessed}");
    assert!(
        assessed.contains("\nRecorded on 2026-01-20 as ledger entry "),
        "{assessed}"
    );
    as_actor(
        "bo",
        &["case", "confirm", "APP-2025-000123", "--on", "2026-01-22"],
    );
    let html = ok(accord().args([
        "--db",
        db,
        "case",
        "show",
        "APP-2025-000123",
        "--format",
        "html",
        "--as-of",
        "2026-02-01",
    ]));
    assert!(html.contains("id=\"outcome\">EXPEDITED<"), "{html}");
    // In effect from 22 January 2026; 60 days to request a review (clause 7.3).
    assert!(
        html.contains("This decision took effect on 22 January 2026. You may request a review of it until 23 March 2026 (clause 7.3)."),
        "{html}"
    );
    // A council's own letter, from the rule-set folder it names.
    let rules = tempfile::tempdir().unwrap();
    std::fs::create_dir(rules.path().join("templates")).unwrap();
    std::fs::write(
        rules.path().join("templates/letter.html"),
        "<p>Council letter to {{ applicant }}: {{ review.until }}</p>",
    )
    .unwrap();
    let html = ok(accord()
        .args([
            "--db",
            db,
            "case",
            "show",
            "APP-2025-000123",
            "--format",
            "html",
            "--rules",
        ])
        .arg(rules.path()));
    assert_eq!(html, "<p>Council letter to Ayesha Khan: 2026-03-23</p>");
}

#[test]
fn hostile_strings_reach_the_letter_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.yaml");
    let spec = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    std::fs::write(
        &file,
        spec.replace("name: Ayesha Khan", "name: \"<script>alert(1)</script>\"")
            .replace(
                "activity: Contract management",
                "activity: \"</td></table><script>x()</script>\"",
            ),
    )
    .unwrap();
    let html = ok(accord().args(["assess", "--format", "html"]).arg(&file));
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
}

#[test]
fn the_graph_is_drawn_in_dot_and_mermaid() {
    let dot = ok(accord().args(["graph", "--rules", "rules"]));
    assert!(dot.contains("digraph accord {"));
    assert!(dot.contains("label=\"cse-pec-mra\", dir=both"));
    let mermaid = ok(accord().args([
        "graph",
        "--rules",
        "fixtures/rulesets/pec-ea",
        "--format",
        "mermaid",
    ]));
    assert!(mermaid.contains("flowchart LR"));
    assert!(mermaid.contains("<==>|\"pec-ea-mra\"|"));
}

#[test]
fn completions_and_the_manual_come_from_the_clap_definitions() {
    let bash = ok(accord().args(["completions", "bash"]));
    assert!(bash.contains("_accord()") && bash.contains("--outlook"), "{bash}");
    let zsh = ok(accord().args(["completions", "zsh"]));
    assert!(zsh.contains("#compdef accord"));
    let man = ok(accord().arg("man"));
    assert!(man.contains(".TH accord 1"), "{man}");
    assert!(man.contains("assess"));
    let dir = tempfile::tempdir().unwrap();
    ok(accord().arg("man").arg("--dir").arg(dir.path()));
    assert!(dir.path().join("accord-assess.1").is_file());
    assert!(dir.path().join("accord-case-show.1").is_file());
}

#[test]
fn help_texts_say_what_json_is_for_each_command() {
    for command in [&["diff"][..], &["case", "show"], &["case", "due"], &["check"]] {
        let help = ok(accord().args(command).arg("--help"));
        assert!(!help.contains("decision contract"), "{command:?}: {help}");
    }
    let help = ok(accord().args(["assess", "--help"]));
    assert!(help.contains("json: The decision contract"), "{help}");
    assert!(help.contains("html: The decision letter"), "{help}");
    assert!(help.contains("`-` for standard input"), "{help}");
}

#[test]
fn issue_14_help_and_the_manual_say_what_accord_does() {
    // Not Cargo's package description ("The accord command-line tool"): the
    // sentence that says what the program is for, in `--help` and in the
    // manual page's NAME.
    let help = ok(accord().arg("--help"));
    assert!(
        help.starts_with(
            "Assess engineers' applications for recognition under mutual recognition agreements"
        ),
        "{help}"
    );
    let man = ok(accord().arg("man"));
    assert!(
        man.contains("accord \\- Assess engineers\\*(Aq applications for recognition"),
        "{man}"
    );
}
