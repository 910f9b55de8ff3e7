//! `accord serve` end to end: the real server on a free port, a real HTTP
//! client (ureq). Every route; 401, 403, 413, 415, 422, 503; decisions
//! equal byte for byte to `accord assess --format json` for every
//! hand-worked fixture; graceful shutdown with requests in flight; several
//! server processes on one register (SQLite; PostgreSQL when reachable).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::{root, run};

mod support;

fn accord() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.current_dir(root());
    command
}

/// A register with an admin, a clerk, two assessors and an auditor, each with a token.
struct Register {
    _dir: Option<tempfile::TempDir>,
    db: String,
    tokens: std::collections::BTreeMap<&'static str, String>,
}

impl Register {
    fn sqlite() -> Register {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("register.db").display().to_string();
        Register::with(Some(dir), db)
    }

    fn with(dir: Option<tempfile::TempDir>, db: String) -> Register {
        let cli = |actor: Option<&str>, args: &[&str]| {
            let mut c = accord();
            c.args(["--db", &db]);
            if let Some(a) = actor {
                c.args(["--actor", a]);
            }
            let (code, stdout, stderr) = run(c.args(args));
            assert_eq!(code, 0, "{args:?}: {stderr}");
            stdout
        };
        cli(
            None,
            &["actor", "add", "admin", "--name", "Registrar", "--role", "admin"],
        );
        for (id, role) in [
            ("clara", "clerk"),
            ("ana", "assessor"),
            ("bo", "assessor"),
            ("cy", "assessor"),
            ("aud", "auditor"),
        ] {
            cli(Some("admin"), &["actor", "add", id, "--name", id, "--role", role]);
        }
        let mut tokens = std::collections::BTreeMap::new();
        for id in ["admin", "clara", "ana", "bo", "cy", "aud"] {
            let token = cli(Some("admin"), &["token", "create", "--for", id])
                .trim()
                .to_owned();
            assert!(token.starts_with("acc_") && token.len() == 68, "{token}");
            tokens.insert(id, token);
        }
        Register {
            _dir: dir,
            db,
            tokens,
        }
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens[who]
    }
}

/// A running `accord serve`; SIGTERM when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &str, rules: &str, extra: &[&str]) -> Server {
        let mut child = accord()
            .args(["--db", db, "serve", "--listen", "127.0.0.1:0", "--rules", rules])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        reader.read_line(&mut line).unwrap();
        // Keep draining stderr, as a terminal would.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server {
            child,
            base: format!("http://{address}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        terminate(&self.child);
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

fn terminate(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        terminate(&self.child);
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response: status, headers we look at, body.
struct Reply {
    status: u16,
    ruleset: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let ruleset = header("accord-ruleset");
    let retry_after = header("retry-after");
    Reply {
        status: response.status().as_u16(),
        ruleset,
        retry_after,
        body: response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap(),
    }
}

fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Reply {
    let mut request = agent.get(url);
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    reply(request.call())
}

/// A POST without a body: an action on a case.
fn act(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Reply {
    post(agent, url, token, "application/json", b"")
}

fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, media: &str, body: &[u8]) -> Reply {
    let mut request = agent.post(url).header("Content-Type", media);
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    reply(request.send(body))
}

fn fixture_cases() -> Vec<(PathBuf, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for group in std::fs::read_dir(root().join("fixtures")).unwrap().flatten() {
        let name = group.file_name().to_string_lossy().into_owned();
        if !name.starts_with("cases") && name != "outlook" {
            continue;
        }
        for case in std::fs::read_dir(group.path()).unwrap().flatten() {
            let expected = case.path().join("expected.yaml");
            if !expected.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&expected).unwrap();
            let field = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}: ")))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            };
            out.push((
                case.path().join("application.yaml"),
                field("rules"),
                field("as_of"),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_is_decided_byte_for_byte_as_assess_decides_it() {
    let register = Register::sqlite();
    let bundled = Server::start(&register.db, "rules", &[]);
    let pec_ea = Server::start(&register.db, "fixtures/rulesets/pec-ea", &[]);
    let agent = agent();
    let cases = fixture_cases();
    assert!(cases.len() > 100, "{} fixtures", cases.len());
    for (file, rules, as_of) in &cases {
        let rules = rules.clone().unwrap_or_else(|| "rules".into());
        let server = if rules.contains("pec-ea") {
            &pec_ea
        } else {
            &bundled
        };
        let mut cli = accord();
        cli.args(["assess", "--format", "json", "--rules", &rules]);
        let mut query = String::new();
        if let Some(d) = as_of {
            cli.args(["--as-of", d]);
            query = format!("?as_of={d}");
        }
        let (code, expected, stderr) = run(cli.arg(file));
        assert_eq!(code, 0, "{}: {stderr}", file.display());
        let got = post(
            &agent,
            &server.url(&format!("/v1/assess{query}")),
            Some(register.token("clara")),
            "application/yaml",
            &std::fs::read(file).unwrap(),
        );
        assert_eq!(got.status, 200, "{}: {}", file.display(), got.body);
        assert_eq!(got.body, expected, "{}", file.display());
    }
    // With the outlook, too.
    let file = root().join("fixtures/outlook/m2-full-time-ongoing-expedited-later/application.yaml");
    let (_, expected, _) = run(accord()
        .args(["assess", "--format", "json", "--outlook"])
        .arg(&file));
    let got = post(
        &agent,
        &bundled.url("/v1/assess?outlook=true"),
        Some(register.token("ana")),
        "application/yaml",
        &std::fs::read(&file).unwrap(),
    );
    assert_eq!(got.body, expected);
    // JSON in, the same decision out.
    let (_, expected, _) = run(accord().args([
        "assess",
        "--format",
        "json",
        "fixtures/examples/spec-example.yaml",
    ]));
    let as_json = std::fs::read(root().join("fixtures/api/spec-example.json")).unwrap();
    let got = post(
        &agent,
        &bundled.url("/v1/assess"),
        Some(register.token("aud")),
        "application/json",
        &as_json,
    );
    assert_eq!(
        got.body, expected,
        "the JSON twin of the spec example decides the same"
    );
}

#[test]
fn tokens_roles_and_bad_input_get_the_right_status_and_a_json_error() {
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &[]);
    let agent = agent();
    let example = std::fs::read(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    // 401: none, malformed, unknown.
    for token in [
        None,
        Some("not-a-token"),
        Some("acc_0000000000000000000000000000000000000000000000000000000000000000"),
    ] {
        let r = post(
            &agent,
            &server.url("/v1/assess"),
            token,
            "application/yaml",
            &example,
        );
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "unauthenticated"),
            "{}",
            r.body
        );
    }
    let r = get(&agent, &server.url("/v1/rules"), None);
    assert_eq!(r.status, 401);
    // The token is checked before anything else: without it, a bad
    // parameter is still 401 (found by schemathesis: it was 422), and an
    // actor who may not is refused before their parameters are read.
    let r = get(&agent, &server.url("/v1/due?as_of=not-a-date"), None);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthenticated"),
        "{}",
        r.body
    );
    let r = post(
        &agent,
        &server.url("/v1/cases?received=not-a-date"),
        Some(register.token("aud")),
        "text/plain",
        b"x",
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "forbidden"),
        "{}",
        r.body
    );
    // 403: a clerk may not assess a case; an auditor may not open one.
    let r = post(
        &agent,
        &server.url("/v1/cases?received=2026-01-05"),
        Some(register.token("aud")),
        "application/yaml",
        &example,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "forbidden"),
        "{}",
        r.body
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs the role `clerk` or `assessor`"),
        "{}",
        r.body
    );
    let r = post(
        &agent,
        &server.url("/v1/cases?received=2026-01-05"),
        Some(register.token("clara")),
        "application/yaml",
        &example,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = act(
        &agent,
        &server.url("/v1/cases/APP-2025-000123/assess?on=2026-01-20"),
        Some(register.token("clara")),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (403, "forbidden"),
        "{}",
        r.body
    );
    // 413: a body over 1 MiB.
    let big = vec![b'#'; (1 << 20) + 1];
    let r = post(
        &agent,
        &server.url("/v1/assess"),
        Some(register.token("ana")),
        "application/yaml",
        &big,
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "too_large"),
        "{}",
        r.body
    );
    // 415: neither JSON nor YAML.
    let r = post(
        &agent,
        &server.url("/v1/assess"),
        Some(register.token("ana")),
        "text/plain",
        &example,
    );
    assert_eq!(r.status, 415);
    // 422: the same located message as the command line.
    let dir = tempfile::tempdir().unwrap();
    let broken = "id: X\napplied_on: 2025-13-45\n";
    let file = dir.path().join("application.yaml");
    std::fs::write(&file, broken).unwrap();
    let (_, _, cli) = run(accord().args(["assess"]).arg(&file));
    let r = post(
        &agent,
        &server.url("/v1/assess"),
        Some(register.token("ana")),
        "application/yaml",
        broken.as_bytes(),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (422, "invalid_application"),
        "{}",
        r.body
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    let cli_message = cli
        .trim()
        .strip_prefix("accord: ")
        .unwrap()
        .replace(&file.display().to_string(), "application.yaml");
    assert_eq!(message, cli_message);
    assert!(
        message.starts_with("application.yaml:2:13: applied_on"),
        "{message}"
    );
    let r = get(
        &agent,
        &server.url("/v1/due?as_of=yesterday"),
        Some(register.token("ana")),
    );
    assert_eq!(r.status, 422);
    // Unknown routes and methods: JSON too. Every response names the rule set.
    let r = get(&agent, &server.url("/v2/nothing"), Some(register.token("ana")));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    assert!(r.ruleset.as_deref().unwrap_or_default().starts_with("sha256:"));
    // A revoked token stops writing at once, and reading within the
    // service's token freshness (100 ms).
    let bo = register.token("bo");
    let r = get(&agent, &server.url("/v1/rules"), Some(bo));
    assert_eq!(r.status, 200, "{}", r.body);
    let (code, listed, stderr) =
        run(accord().args(["--db", &register.db, "--actor", "admin", "token", "list"]));
    assert_eq!(code, 0, "{stderr}");
    // A token's id is not a piece of it.
    let id = listed
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("bo"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(id.starts_with("tok_") && !bo.contains(&id[4..]), "{id}");
    let (code, _, stderr) =
        run(accord().args(["--db", &register.db, "--actor", "admin", "token", "revoke", &id]));
    assert_eq!(code, 0, "{stderr}");
    let r = act(&agent, &server.url("/v1/cases/NOPE/assess"), Some(bo));
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthenticated"),
        "{}",
        r.body
    );
    let revoked = std::time::Instant::now();
    loop {
        let r = get(&agent, &server.url("/v1/rules"), Some(bo));
        if r.status == 401 {
            break;
        }
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            revoked.elapsed() < std::time::Duration::from_secs(2),
            "still reading after 2 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn every_route_of_a_case_life_over_http() {
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &[]);
    let agent = agent();
    let example = std::fs::read(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let id = "APP-2025-000123";
    let clara = Some(register.token("clara"));
    let (ana, bo, cy, aud) = (
        Some(register.token("ana")),
        Some(register.token("bo")),
        Some(register.token("cy")),
        Some(register.token("aud")),
    );
    let r = post(
        &agent,
        &server.url("/v1/cases?received=2026-01-05"),
        clara,
        "application/yaml",
        &example,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["version"], 1);
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/acknowledge?on=2026-01-14")),
        clara,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        &agent,
        &server.url(&format!("/v1/cases/{id}/versions?received=2026-01-16")),
        clara,
        "application/yaml",
        &example,
    );
    assert_eq!(
        (r.status, r.json()["version"].as_i64()),
        (201, Some(2)),
        "{}",
        r.body
    );
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/assess?on=2026-01-20")),
        ana,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["effect"], "proposed");
    assert_eq!(r.json()["decision"]["outcome"], "expedited");
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/confirm?on=2026-01-21")),
        ana,
    );
    assert_eq!(r.status, 403, "the proposer may not confirm: {}", r.body);
    assert!(r.body.contains("clause 7.1"));
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/confirm?on=2026-01-22")),
        bo,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/review-requests?received=2026-03-23")),
        clara,
    );
    assert_eq!(r.status, 200, "day 60 is within the window: {}", r.body);
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/review-decision?on=2026-03-30")),
        bo,
    );
    assert_eq!(r.status, 403, "a participant may not review: {}", r.body);
    let r = act(
        &agent,
        &server.url(&format!("/v1/cases/{id}/review-decision?on=2026-03-30")),
        cy,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"], "upheld");
    let shown = get(
        &agent,
        &server.url(&format!("/v1/cases/{id}?as_of=2026-04-01")),
        aud,
    );
    assert_eq!(shown.status, 200, "{}", shown.body);
    let events = shown.json()["events"].as_array().unwrap().clone();
    let ack = events.iter().find(|e| e["kind"] == "acknowledged").unwrap()["entry"]
        .as_i64()
        .unwrap();
    let body = format!("{{\"entry\": {ack}, \"on\": \"2026-01-13\", \"reason\": \"typed the wrong day\"}}");
    let r = post(
        &agent,
        &server.url(&format!("/v1/cases/{id}/corrections")),
        clara,
        "application/json",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let shown = get(
        &agent,
        &server.url(&format!("/v1/cases/{id}?as_of=2026-04-01")),
        aud,
    )
    .json();
    assert_eq!(shown["acknowledged"]["on"], "2026-01-13");
    assert_eq!(shown["state"], "closed");
    let listed = get(&agent, &server.url("/v1/cases?state=closed"), aud).json();
    assert_eq!(listed[0]["id"], id);
    let due = get(&agent, &server.url("/v1/due?as_of=2026-04-01"), aud);
    assert_eq!(due.status, 200);
    let verified = get(&agent, &server.url("/v1/ledger/verify"), aud).json();
    assert_eq!(verified["intact"], true, "{verified}");
    let head = verified["head"].as_str().unwrap().to_owned();
    let again = get(
        &agent,
        &server.url(&format!("/v1/ledger/verify?expect_head={head}")),
        aud,
    )
    .json();
    assert_eq!(again["intact"], true);
    assert_eq!(
        get(&agent, &server.url("/v1/ledger/head"), aud).json()["head"],
        head.as_str()
    );
    let export = get(&agent, &server.url("/v1/ledger/export"), aud);
    assert_eq!(export.status, 200);
    let lines = export.body.lines().count() as u64;
    assert_eq!(Some(lines), verified["entries"].as_u64());
    let (_, cli_export, _) = run(accord().args(["--db", &register.db, "ledger", "export"]));
    assert_eq!(export.body, cli_export, "the same export as the command line");
    let replay = get(&agent, &server.url("/v1/ledger/replay"), aud).json();
    assert_eq!(replay["failures"], 0, "{replay}");
    assert!(replay["confirmed"].as_u64().unwrap() >= 2, "{replay}");
    // A clerk may not audit.
    assert_eq!(get(&agent, &server.url("/v1/ledger/verify"), clara).status, 403);
    let rules = get(&agent, &server.url("/v1/rules"), clara).json();
    assert_eq!(rules["agreements"][0]["id"], "cse-pec-mra");
    assert!(rules["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(get(&agent, &server.url("/healthz"), None).status, 200);
    assert_eq!(get(&agent, &server.url("/readyz"), None).status, 200);
    let metrics = get(&agent, &server.url("/metrics"), aud);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains(
            "accord_http_requests_total{method=\"POST\",route=\"/v1/cases/{id}/assess\",status=\"200\"} 1"
        ),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("accord_decisions_total{outcome=\"expedited\"}"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("accord_clocks_overdue"), "{}", metrics.body);
    let doc = get(&agent, &server.url("/v1/openapi.json"), aud).json();
    for path in [
        "/v1/assess",
        "/v1/cases",
        "/v1/cases/{id}/assess",
        "/v1/ledger/export",
        "/metrics",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["schemas"].get("Decision").is_some());
}

#[test]
fn saturation_is_refused_with_503_and_retry_after() {
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &["--max-in-flight", "1", "--jobs", "2"]);
    let example = std::fs::read(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let token = register.token("ana").to_owned();
    let url = server.url("/v1/assess?outlook=true");
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (url, token, example) = (url.clone(), token.clone(), example.clone());
                scope.spawn(move || {
                    let agent = agent();
                    (0..40)
                        .map(|_| post(&agent, &url, Some(&token), "application/yaml", &example))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "8 clients against 1 slot: some are refused");
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 503));
    for r in busy {
        assert_eq!(r.retry_after.as_deref(), Some("1"));
        assert_eq!(r.error_code(), "busy");
    }
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_leaves_no_half_entry() {
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &[]);
    let template = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let base = server.base.clone();
    let token = register.token("clara").to_owned();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (opened, failed) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (base, token, template, stop) = (base.clone(), token.clone(), template.clone(), &stop);
                scope.spawn(move || {
                    let agent = agent();
                    let (mut ok, mut refused) = (0u32, 0u32);
                    for i in 0..10_000 {
                        if stop.load(std::sync::atomic::Ordering::SeqCst) && i % 7 == 0 {
                            break;
                        }
                        let body = template.replace("APP-2025-000123", &format!("SIG-{w}-{i}"));
                        let request = agent
                            .post(&format!("{base}/v1/cases?received=2026-01-05"))
                            .header("Authorization", &format!("Bearer {token}"))
                            .header("Content-Type", "application/yaml")
                            .send(body.as_bytes());
                        match request {
                            Ok(r) if r.status().as_u16() == 201 => ok += 1,
                            Ok(r) => panic!("unexpected status {}", r.status()),
                            // After the shutdown, new connections are refused.
                            Err(_) => {
                                refused += 1;
                                break;
                            }
                        }
                    }
                    (ok, refused)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(700));
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let status = server.stop();
        assert_eq!(status.code(), Some(0), "SIGTERM ends the service with exit 0");
        workers
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    });
    assert!(opened > 10, "requests were in flight: {opened}");
    let _ = failed;
    // Every answered request is in the chain, and nothing else: no half-written entry.
    let (code, out, err) = run(accord().args(["--db", &register.db, "ledger", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let (_, export, _) = run(accord().args(["--db", &register.db, "ledger", "export"]));
    let cases = export
        .lines()
        .filter(|l| l.contains("\"kind\":\"opened\""))
        .count();
    assert_eq!(
        cases as u32, opened,
        "each 201 is one entry, and no entry lacks its 201"
    );
}

/// `processes` servers on one register, `each` case decisions each through HTTP.
fn many_servers_one_chain(register: &Register, processes: usize, each: usize) {
    let servers: Vec<Server> = (0..processes)
        .map(|_| Server::start(&register.db, "rules", &["--jobs", "1"]))
        .collect();
    let template = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    std::thread::scope(|scope| {
        for (p, server) in servers.iter().enumerate() {
            let (template, base) = (template.clone(), server.base.clone());
            let clerk = register.token("clara").to_owned();
            let assessor = register.token(["ana", "bo", "cy", "ana"][p % 4]).to_owned();
            scope.spawn(move || {
                let agent = agent();
                for i in 0..each / 2 {
                    let id = format!("P{p}-{i}");
                    let body = template.replace("APP-2025-000123", &id);
                    let r = post(
                        &agent,
                        &format!("{base}/v1/cases?received=2026-01-05"),
                        Some(&clerk),
                        "application/yaml",
                        body.as_bytes(),
                    );
                    assert_eq!(r.status, 201, "{}", r.body);
                    let r = act(
                        &agent,
                        &format!("{base}/v1/cases/{id}/assess?on=2026-01-20"),
                        Some(&assessor),
                    );
                    assert_eq!(r.status, 200, "{}", r.body);
                }
            });
        }
    });
    drop(servers);
    let (code, out, err) = run(accord().args(["--db", &register.db, "ledger", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let (_, export, _) = run(accord().args(["--db", &register.db, "ledger", "export"]));
    let events = export
        .lines()
        .filter(|l| l.contains("\"kind\":\"opened\"") || l.contains("\"kind\":\"assessed\""))
        .count();
    assert_eq!(
        events,
        processes * each,
        "{processes} processes × {each} case events"
    );
    let seqs: Vec<i64> = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "one chain, no gap");
}

#[test]
fn two_server_processes_on_one_sqlite_register_keep_one_chain() {
    many_servers_one_chain(&Register::sqlite(), 2, 250);
}

#[test]
fn four_server_processes_on_one_postgresql_database_keep_one_chain() {
    let Some(url) = postgres_database() else {
        return;
    };
    let register = Register::with(None, url.clone());
    many_servers_one_chain(&register, 4, 250);
    drop_database(&url);
}

/// A fresh PostgreSQL database for this test, when a server is reachable
/// (`ACCORD_TEST_POSTGRES`, else the local default); when it is set and
/// unreachable the test fails; when unset and unreachable it says it was skipped.
fn postgres_database() -> Option<String> {
    let explicit = std::env::var("ACCORD_TEST_POSTGRES").ok();
    let admin = explicit
        .clone()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if explicit.is_some() => panic!("ACCORD_TEST_POSTGRES={admin} is unreachable: {e}"),
        Err(_) => {
            eprintln!("skipped: PostgreSQL not reachable (set ACCORD_TEST_POSTGRES)");
            return None;
        }
    };
    let name = format!(
        "accord_serve_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    Some(format!("{base}/{name}"))
}

fn drop_database(url: &str) {
    let (base, name) = url.rsplit_once('/').unwrap();
    let admin = std::env::var("ACCORD_TEST_POSTGRES").unwrap_or_else(|_| format!("{base}/test"));
    if let Ok(mut client) = postgres::Client::connect(&admin, postgres::NoTls) {
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// Sends the head of a `POST /v1/assess` whose body then never arrives:
/// the request holds its slot until the service's timeout.
fn slow_client(base: &str, token: &str) -> std::net::TcpStream {
    use std::io::Write as _;
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /v1/assess HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/yaml\r\nContent-Length: 100\r\n\r\nid: A"
    )
    .unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn the_limit_on_requests_in_flight_is_one_for_every_route_and_a_slow_body_times_out() {
    use std::io::Read as _;
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &["--max-in-flight", "1", "--timeout", "2"]);
    let agent = agent();
    let token = register.token("ana").to_owned();
    let rules = server.url("/v1/rules");
    assert_eq!(get(&agent, &rules, Some(&token)).status, 200);
    // One request waits for its body in /v1/assess: another route is refused
    // (each route with its own limit would let it through).
    let mut slow = slow_client(&server.base, &token);
    let started = std::time::Instant::now();
    let mut refused = false;
    while started.elapsed() < Duration::from_secs(1) {
        let r = get(&agent, &rules, Some(&token));
        if r.status == 503 {
            assert_eq!(
                (r.error_code().as_str(), r.retry_after.as_deref()),
                ("busy", Some("1"))
            );
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        refused,
        "a second route was not refused while the only slot was taken"
    );
    // Liveness answers whatever the load.
    assert_eq!(get(&agent, &server.url("/healthz"), None).status, 200);
    // The body never comes: after the timeout, 503 with a JSON error, and the slot is free.
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"busy\""), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "not before the timeout"
    );
    assert_eq!(get(&agent, &rules, Some(&token)).status, 200);
}

#[test]
fn corrections_metrics_and_readiness_keep_to_the_rules_of_every_route() {
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &[]);
    let agent = agent();
    let clara = register.token("clara");
    let example = std::fs::read(root().join("fixtures/examples/spec-example.yaml")).unwrap();
    let r = post(
        &agent,
        &server.url("/v1/cases?received=2026-01-05"),
        Some(clara),
        "application/yaml",
        &example,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let url = server.url("/v1/cases/APP-2025-000123/corrections");
    // A correction is JSON: another media type is 415, a body over 1 MiB 413, both as JSON errors.
    let correction = br#"{"entry": 1, "on": "2026-01-04", "reason": "typo"}"#;
    let r = post(&agent, &url, Some(clara), "application/yaml", correction);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (415, "unsupported_media_type"),
        "{}",
        r.body
    );
    let big = vec![b' '; (1 << 20) + 1];
    let r = post(&agent, &url, Some(clara), "application/json", &big);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "too_large"),
        "{}",
        r.body
    );
    // A path or a query that is not text still gets a JSON error.
    let r = get(&agent, &server.url("/v1/cases/%FF%FE"), Some(clara));
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "not_found"),
        "{}",
        r.body
    );
    let r = get(&agent, &server.url("/v1/due?as_of=%FF"), Some(clara));
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (422, "invalid_request"),
        "{}",
        r.body
    );
    // A method no route takes is counted as `other`, never under its own name.
    let address = server.base.trim_start_matches("http://").to_owned();
    {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "FROBNICATE12345 /v1/rules HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    }
    let metrics = get(&agent, &server.url("/metrics"), Some(clara)).body;
    assert!(!metrics.contains("FROBNICATE"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(
        metrics.contains("accord_http_request_duration_seconds_count{route=\"/v1/cases\",status=\"201\"}"),
        "{metrics}"
    );
}

#[test]
fn a_postgresql_connection_the_server_lost_is_replaced_not_reused() {
    let Some(url) = postgres_database() else {
        return;
    };
    let register = Register::with(None, url.clone());
    let server = Server::start(&register.db, "rules", &[]);
    let agent = agent();
    let clara = register.token("clara");
    assert_eq!(get(&agent, &server.url("/v1/due"), Some(clara)).status, 200);
    // The database ends every connection the service holds (as a restart would).
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    drop(admin);
    // At most one answer per lost connection is a 503; then it works again.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = get(&agent, &server.url("/v1/due"), Some(clara));
        assert!(
            r.status == 200 || (r.status == 503 && r.error_code() == "unavailable"),
            "{}",
            r.body
        );
        assert!(
            !r.body.contains("127.0.0.1") && !r.body.contains("postgres@"),
            "{}",
            r.body
        );
        statuses.push(r.status);
    }
    assert_eq!(statuses[statuses.len() - 3..], [200, 200, 200], "{statuses:?}");
    drop(server);
    drop_database(&url);
}

/// A raw connection to the server.
fn raw(base: &str) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

/// What the server sends before it closes the connection (or the timeout).
fn read_all(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read as _;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn slow_and_idle_connections_are_closed_and_counted_and_do_not_hold_up_a_shutdown() {
    use std::io::Write as _;
    let register = Register::sqlite();
    let mut server = Server::start(
        &register.db,
        "rules",
        &["--timeout", "2", "--max-connections", "3"],
    );
    let agent = agent();
    // A connection that sends nothing is closed after the head deadline.
    let started = std::time::Instant::now();
    let mut silent = raw(&server.base);
    read_all(&mut silent);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    // Beyond --max-connections, a new connection is closed at once.
    let mut held: Vec<_> = (0..3).map(|_| raw(&server.base)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = raw(&server.base);
    let _ = write!(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = read_all(&mut extra);
    assert!(answer.is_empty(), "{answer}");
    held.clear();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&agent, &server.url("/healthz"), None).status, 200);
    // A client sending its head a line at a time does not keep SIGTERM waiting.
    let mut trickle = raw(&server.base);
    write!(trickle, "GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trickling = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                if write!(trickle, "X: y\r\n").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let signalled = std::time::Instant::now();
    terminate(&server.child);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(8),
            "still running 8 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    trickling.join().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_declared_body_too_large_is_refused_at_once_and_the_authorization_scheme_is_any_case() {
    use std::io::Write as _;
    let register = Register::sqlite();
    let server = Server::start(&register.db, "rules", &["--timeout", "20"]);
    let token = register.token("ana").to_owned();
    let mut stream = raw(&server.base);
    write!(
        stream,
        "POST /v1/assess HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/yaml\r\nContent-Length: 2097152\r\n\r\nid: A"
    )
    .unwrap();
    let started = std::time::Instant::now();
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "413 at once, not after the timeout"
    );
    let agent = agent();
    let url = server.url("/v1/rules");
    let with = |values: &[String]| {
        let mut request = agent.get(&url);
        for v in values {
            request = request.header("Authorization", v);
        }
        reply(request.call())
    };
    assert_eq!(with(&[format!("bearer {token}")]).status, 200);
    assert_eq!(with(&[format!("BEARER {token}")]).status, 200);
    let r = with(&[format!("Bearer {token}"), "Bearer acc_wrong".to_owned()]);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (401, "unauthenticated"),
        "{}",
        r.body
    );
}

#[test]
fn a_register_gone_from_under_the_service_is_not_ready_and_its_location_stays_private() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("office");
    std::fs::create_dir(&home).unwrap();
    let db = home.join("register.db").display().to_string();
    let register = Register::with(Some(dir), db.clone());
    let server = Server::start(&db, "rules", &[]);
    let agent = agent();
    assert_eq!(get(&agent, &server.url("/readyz"), None).status, 200);
    std::fs::remove_dir_all(&home).unwrap();
    let r = get(&agent, &server.url("/readyz"), None);
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (503, "unavailable"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("office") && !r.body.contains("register.db"),
        "{}",
        r.body
    );
    let r = get(
        &agent,
        &server.url("/v1/ledger/export"),
        Some(register.token("aud")),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (503, "unavailable"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("office") && !r.body.contains("register.db"),
        "{}",
        r.body
    );
}

#[test]
fn the_service_holds_at_most_its_db_connections_to_postgresql() {
    let Some(url) = postgres_database() else {
        return;
    };
    let register = Register::with(None, url.clone());
    let server = Server::start(&register.db, "rules", &["--db-connections", "2"]);
    let token = register.token("clara").to_owned();
    let due = server.url("/v1/due");
    // Eight clients at once: they wait their turn for a connection, none is refused.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let (due, token) = (due.clone(), token.clone());
                scope.spawn(move || {
                    let agent = agent();
                    (0..25)
                        .map(|_| get(&agent, &due, Some(&token)).status)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let held: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(held <= 2, "{held} connections held");
    drop(admin);
    drop(server);
    drop_database(&url);
}
