//! End-to-end tests of the accountable case register and the decision
//! ledger, on the real binary and a real database: a case's whole life
//! with two signatories and a review, every clock on chosen dates, every
//! refusal changing nothing, every kind of stored row altered and named by
//! `ledger verify`, concurrent writers, a killed writer, replay, and the
//! PEC–EA test rule set's different procedure.
//!
//! Every test runs on each backend (`on_sqlite::NAME`, `on_postgres::NAME`):
//! a SQLite file in a temporary folder, and a PostgreSQL database created
//! for the test and dropped after it, on the server `ACCORD_TEST_POSTGRES`
//! names (unreachable: the test fails) or else the local one (unreachable:
//! the PostgreSQL tests say they are skipped and pass). Tests of what only
//! one backend has (file permissions, bytes that are not UTF-8, a foreign
//! SQLite file; a read-only role, a foreign database) run on that one.

// Test code: indexing into parsed output and panicking on a failed check is the point.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use serde_json::Value;
use support::root;

mod support;

/// The backend a test's register is on.
enum Backend {
    Sqlite,
    /// The admin database's URL.
    Postgres(String),
}

/// The local server CI and developers' machines have.
const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

impl Backend {
    /// PostgreSQL on the server `ACCORD_TEST_POSTGRES` names (which must
    /// answer), else on the local one, else `None`: skipped, and said so.
    fn postgres() -> Option<Backend> {
        static SERVER: OnceLock<Result<Option<String>, String>> = OnceLock::new();
        let found = SERVER.get_or_init(|| match std::env::var("ACCORD_TEST_POSTGRES") {
            Ok(url) => match postgres::Client::connect(&url, postgres::NoTls) {
                Ok(_) => Ok(Some(url)),
                Err(e) => Err(format!("ACCORD_TEST_POSTGRES is set but does not answer: {e:?}")),
            },
            Err(_) => match postgres::Client::connect(LOCAL_POSTGRES, postgres::NoTls) {
                Ok(_) => Ok(Some(LOCAL_POSTGRES.to_owned())),
                Err(_) => {
                    // Past the test harness's capture: a skip must be seen.
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipped: PostgreSQL not reachable (set ACCORD_TEST_POSTGRES)"
                    );
                    Ok(None)
                }
            },
        });
        match found {
            Ok(url) => url.clone().map(Backend::Postgres),
            Err(why) => panic!("{why}"),
        }
    }
}

/// `url` naming database `name` (and user `user`, if given) instead.
fn postgres_url(url: &str, user: Option<&str>, name: &str) -> String {
    let (base, params) = match url.split_once('?') {
        Some((base, params)) => (base, format!("?{params}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split_once('/').map_or(rest, |(authority, _)| authority);
    let authority = match user {
        Some(user) => format!(
            "{user}@{}",
            authority.rsplit_once('@').map_or(authority, |(_, host)| host)
        ),
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}/{name}{params}")
}

/// A PostgreSQL database created for one test (and roles it made), dropped after it.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
    roles: std::cell::RefCell<Vec<String>>,
}

impl PgDatabase {
    fn new(admin: &str) -> PgDatabase {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "accord_t_{}_{nanos:x}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        postgres::Client::connect(admin, postgres::NoTls)
            .unwrap()
            .batch_execute(&format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
            ))
            .unwrap();
        PgDatabase {
            admin: admin.to_owned(),
            url: postgres_url(admin, None, &name),
            name,
            roles: Default::default(),
        }
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }

    /// A login role allowed only to read Accord's tables: its URL.
    fn reader(&self) -> String {
        let role = format!("{}_reader", self.name);
        postgres::Client::connect(&self.admin, postgres::NoTls)
            .unwrap()
            .batch_execute(&format!("CREATE ROLE {role} LOGIN"))
            .unwrap();
        self.roles.borrow_mut().push(role.clone());
        self.client()
            .batch_execute(&format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
            .unwrap();
        postgres_url(&self.url, Some(&role), &self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
            for role in self.roles.borrow().iter() {
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
            }
        }
    }
}

struct Db {
    dir: tempfile::TempDir,
    /// The register's database when it is on PostgreSQL.
    pg: Option<PgDatabase>,
}

/// The register's staff in these tests: an admin, a clerk, three assessors, an auditor.
const STAFF: &[(&str, &str)] = &[
    ("clara", "clerk"),
    ("ana", "assessor"),
    ("ben", "assessor"),
    ("carl", "assessor"),
    ("audrey", "auditor"),
];

impl Db {
    /// An empty register.
    fn empty(backend: &Backend) -> Db {
        Db {
            dir: tempfile::tempdir().unwrap(),
            pg: match backend {
                Backend::Sqlite => None,
                Backend::Postgres(admin) => Some(PgDatabase::new(admin)),
            },
        }
    }

    /// A register with its staff added.
    fn new(backend: &Backend) -> Db {
        let db = Db::empty(backend);
        db.ok(
            None,
            &[
                "actor",
                "add",
                "admin",
                "--name",
                "Adele Admin",
                "--role",
                "admin",
            ],
        );
        for (id, role) in STAFF {
            db.ok(Some("admin"), &["actor", "add", id, "--name", id, "--role", role]);
        }
        db
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("accord.db")
    }

    /// What `--db` says: the SQLite file's path, or the database's URL.
    fn location(&self) -> String {
        match &self.pg {
            None => self.path().display().to_string(),
            Some(pg) => pg.url.clone(),
        }
    }

    /// `sqlite` or `postgres`, whichever SQL the register's backend speaks.
    fn pick<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self.pg {
            None => sqlite,
            Some(_) => postgres,
        }
    }

    fn accord(&self, actor: Option<&str>, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .env("ACCORD_DB", self.location())
            .env("ACCORD_RULES", root().join("rules"))
            .env_remove("ACCORD_ACTOR")
            .current_dir(self.dir.path())
            .args(args);
        if let Some(actor) = actor {
            command.env("ACCORD_ACTOR", actor);
        }
        command
    }

    fn run(&self, actor: Option<&str>, args: &[&str]) -> (i32, String, String) {
        support::run(&mut self.accord(actor, args))
    }

    fn ok(&self, actor: Option<&str>, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(actor, args);
        assert_eq!(code, 0, "accord {args:?} as {actor:?}: {stderr}");
        stdout
    }

    /// Runs a command that must be refused: exit 1 and `message` on stderr.
    fn refused(&self, actor: Option<&str>, args: &[&str], message: &str) {
        let (code, stdout, stderr) = self.run(actor, args);
        assert_eq!(
            code, 1,
            "accord {args:?} as {actor:?} must be refused: {stdout}{stderr}"
        );
        assert!(
            stderr.contains(message),
            "accord {args:?}: expected `{message}` in {stderr}"
        );
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(None, args)).unwrap()
    }

    fn show(&self, id: &str, on: &str) -> Value {
        self.json(&["case", "show", id, "--format", "json", "--as-of", on])
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        name.to_owned()
    }

    /// Tampers with the register as someone with access to its database would.
    fn sql(&self, sql: &str) {
        match &self.pg {
            None => rusqlite::Connection::open(self.path())
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Some(pg) => pg.client().batch_execute(sql).unwrap(),
        }
    }

    /// One number the register's database answers.
    fn number(&self, sql: &str) -> i64 {
        match &self.pg {
            None => rusqlite::Connection::open(self.path())
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
            Some(pg) => pg.client().query_one(sql, &[]).unwrap().get(0),
        }
    }

    fn verify(&self) -> (i32, String) {
        let (code, stdout, stderr) = self.run(None, &["ledger", "verify"]);
        (code, format!("{stdout}{stderr}"))
    }
}

const EXAMPLE: &str = include_str!("../fixtures/examples/spec-example.yaml");

fn application(id: &str) -> String {
    EXAMPLE.replace("APP-2025-000123", id)
}

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
        .unwrap_or_else(|| panic!("no {kind} clock in {shown}"))
}

fn has_clock(shown: &Value, kind: &str) -> bool {
    shown["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == kind)
}

/// Issue 11, done when: a whole case life with every clock on chosen dates.
fn a_case_lives_from_receipt_through_two_signatories_to_a_review(backend: &Backend) {
    let db = Db::new(backend);
    let v1 = db.write("v1.yaml", &without_cpd("CASE-1"));
    db.ok(Some("clara"), &["case", "open", &v1, "--received", "2026-01-05"]);

    // 6.1: acknowledge by 2026-01-15; 6.2: decide by 2026-02-04.
    let opened = db.show("CASE-1", "2026-01-05");
    assert_eq!(clock(&opened, "acknowledgement")["deadline"], "2026-01-15");
    assert_eq!(clock(&opened, "decision")["deadline"], "2026-02-04");
    assert_eq!(clock(&opened, "decision")["days_left"], 30);
    assert_eq!(opened["events"][0]["actor"], "clara");

    db.ok(
        Some("clara"),
        &["case", "acknowledge", "CASE-1", "--on", "2026-01-14"],
    );
    db.refused(
        Some("clara"),
        &["case", "acknowledge", "CASE-1", "--on", "2026-01-15"],
        "already acknowledged on 2026-01-14",
    );

    // Incomplete: the decision clock stops (6.3); `due` shows it stopped.
    let assessed = db.ok(Some("ana"), &["case", "assess", "CASE-1", "--on", "2026-01-20"]);
    assert!(
        assessed.contains("INCOMPLETE") && assessed.contains("the decision clock is stopped"),
        "{assessed}"
    );
    let paused = db.show("CASE-1", "2026-03-01");
    assert_eq!(clock(&paused, "acknowledgement")["state"], "done");
    assert_eq!(clock(&paused, "decision")["state"], "stopped");
    let due = db.json(&["case", "due", "--as-of", "2026-03-01", "--format", "json"]);
    assert_eq!(due.as_array().unwrap().len(), 1);
    assert_eq!(due[0]["state"], "stopped");

    // A newer version restarts the clock from its receipt: 2026-03-10 + 30.
    let v2 = db.write("v2.yaml", &application("CASE-1"));
    db.ok(
        Some("clara"),
        &["case", "evidence", "CASE-1", &v2, "--received", "2026-03-10"],
    );
    assert_eq!(
        clock(&db.show("CASE-1", "2026-04-09"), "decision")["status"],
        "due today"
    );
    assert_eq!(
        clock(&db.show("CASE-1", "2026-04-11"), "decision")["status"],
        "overdue by 2 days"
    );

    // 7.1: ana proposes; the case stays open and the clock keeps running.
    let proposed = db.ok(Some("ana"), &["case", "assess", "CASE-1", "--on", "2026-04-01"]);
    assert!(
        proposed.contains("EXPEDITED")
            && proposed.contains("once a second assessor confirms it (clause 7.1)"),
        "{proposed}"
    );
    let pending = db.show("CASE-1", "2026-04-01");
    assert_eq!(pending["state"], "open");
    assert_eq!(clock(&pending, "decision")["state"], "running");
    let before = db.show("CASE-1", "2026-04-02");
    db.refused(
        Some("ana"),
        &["case", "confirm", "CASE-1", "--on", "2026-04-02"],
        "`ana` proposed this decision and cannot also confirm it: clause 7.1 requires a second assessor",
    );
    assert_eq!(
        db.show("CASE-1", "2026-04-02"),
        before,
        "the refusal changed nothing"
    );
    db.ok(Some("ben"), &["case", "confirm", "CASE-1", "--on", "2026-04-02"]);
    let decided = db.show("CASE-1", "2026-04-02");
    assert_eq!(decided["state"], "closed");
    assert_eq!(decided["effective"]["outcome"], "expedited");
    assert_eq!(
        decided["effective"]["participants"],
        serde_json::json!(["ana", "ben"])
    );
    assert_eq!(clock(&decided, "decision")["status"], "done on 2026-04-02");
    // 7.3: a review may be requested until 60 days after 2026-04-02.
    assert_eq!(clock(&decided, "review_request")["deadline"], "2026-06-01");
    db.refused(
        Some("clara"),
        &["case", "evidence", "CASE-1", &v2, "--received", "2026-04-03"],
        "was closed on 2026-04-02",
    );

    // Day 61 is refused, day 60 accepted.
    db.refused(
        Some("clara"),
        &["case", "request-review", "CASE-1", "--received", "2026-06-02"],
        "may be requested from 2026-04-02 to 2026-06-01",
    );
    db.ok(
        Some("clara"),
        &["case", "request-review", "CASE-1", "--received", "2026-06-01"],
    );
    let requested = db.show("CASE-1", "2026-06-05");
    assert_eq!(clock(&requested, "review_request")["state"], "done");
    assert_eq!(clock(&requested, "review_decision")["deadline"], "2026-07-01");
    assert_eq!(clock(&requested, "review_decision")["status"], "due in 26 days");

    // 7.4: neither the proposer nor the confirmer may review.
    for participant in ["ana", "ben"] {
        db.refused(
            Some(participant),
            &["case", "decide-review", "CASE-1", "--on", "2026-06-10"],
            "took part in the decision reviewed (ana and ben) and cannot review it: clause 7.4",
        );
    }
    let reviewed = db.ok(
        Some("carl"),
        &["case", "decide-review", "CASE-1", "--on", "2026-06-10"],
    );
    assert!(
        reviewed.contains("upholds the decision (expedited)"),
        "{reviewed}"
    );
    // The reviewer reads the full report: the applicant and what was counted.
    assert!(
        reviewed.contains("Ayesha Khan, PEC → CSE") && reviewed.contains("counted"),
        "{reviewed}"
    );
    let after = db.show("CASE-1", "2026-06-30");
    assert_eq!(clock(&after, "review_decision")["status"], "done on 2026-06-10");
    assert_eq!(after["effective"]["by_review"], true);
    let actors: Vec<&str> = after["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        ["clara", "clara", "ana", "clara", "ana", "ben", "clara", "carl"]
    );
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
}

fn a_missed_decision_deadline_is_a_deemed_refusal_that_opens_a_review(backend: &Backend) {
    let db = Db::new(backend);
    let file = db.write("late.yaml", &application("LATE-1"));
    db.ok(
        Some("clara"),
        &["case", "open", &file, "--received", "2026-06-01"],
    );
    let on_deadline = db.show("LATE-1", "2026-07-01");
    assert!(clock(&on_deadline, "decision")["passed"].is_null());
    assert!(!has_clock(&on_deadline, "review_request"));
    let late = db.show("LATE-1", "2026-07-02");
    let passed = &clock(&late, "decision")["passed"];
    assert_eq!(passed["means"], "deemed_refusal");
    assert_eq!(passed["from"], "2026-07-02");
    assert_eq!(clock(&late, "decision")["status"], "overdue by 1 day");
    assert_eq!(late["state"], "open", "the duty to decide goes on");
    let text = db.ok(None, &["case", "show", "LATE-1", "--as-of", "2026-07-02"]);
    assert!(
        text.contains("deemed refused from 2026-07-02 under clause 7.5; the applicant may request a review from that day"),
        "{text}"
    );
    assert_eq!(clock(&late, "review_request")["deadline"], "2026-08-31");
    db.refused(
        Some("clara"),
        &["case", "request-review", "LATE-1", "--received", "2026-07-01"],
        "has no decision in effect to review on 2026-07-01",
    );
    db.ok(
        Some("clara"),
        &["case", "request-review", "LATE-1", "--received", "2026-07-02"],
    );
    let reviewed = db.ok(
        Some("ana"),
        &["case", "decide-review", "LATE-1", "--on", "2026-07-10"],
    );
    assert!(
        reviewed.contains("decides the deemed refusal's review: expedited"),
        "{reviewed}"
    );
    assert_eq!(db.show("LATE-1", "2026-07-10")["state"], "closed");
}

/// Issue 11: the PEC–EA test rule set's procedure differs — no second
/// signatory, a 30-day review window, and tacit approval.
fn the_pec_ea_procedure_needs_no_second_signatory_and_approves_tacitly(backend: &Backend) {
    let db = Db::new(backend);
    let rules = root().join("fixtures/rulesets/pec-ea");
    let rules = rules.to_str().unwrap();
    let base = std::fs::read_to_string(
        root().join("fixtures/rulesets/pec-ea/tests/applications/pec-electrical.yaml"),
    )
    .unwrap();
    let id = |s: &str| {
        base.replace(
            &base[base.find("id: ").unwrap()
                ..base[base.find("id: ").unwrap()..].find('\n').unwrap() + base.find("id: ").unwrap()],
            &format!("id: {s}"),
        )
    };
    let quick = db.write("quick.yaml", &id("EA-1"));
    db.ok(
        Some("clara"),
        &[
            "case",
            "open",
            "--rules",
            rules,
            &quick,
            "--received",
            "2026-06-01",
        ],
    );
    let decided = db.ok(
        Some("ana"),
        &["case", "assess", "--rules", rules, "EA-1", "--on", "2026-06-10"],
    );
    assert!(
        decided.contains("it takes effect and closes the case"),
        "{decided}"
    );
    let shown = db.show("EA-1", "2026-06-10");
    assert_eq!(shown["state"], "closed");
    assert_eq!(clock(&shown, "acknowledgement")["clause"], "P.1");
    assert_eq!(clock(&shown, "acknowledgement")["days"], 14);
    assert_eq!(clock(&shown, "review_request")["deadline"], "2026-07-10");
    db.refused(
        Some("clara"),
        &["case", "request-review", "EA-1", "--received", "2026-07-11"],
        "clause P.3: at the latest 30 days after",
    );

    // Undecided for 45 days: deemed approved the next day, and closed.
    let tacit = db.write("tacit.yaml", &id("EA-2"));
    db.ok(
        Some("clara"),
        &[
            "case",
            "open",
            "--rules",
            rules,
            &tacit,
            "--received",
            "2026-06-01",
        ],
    );
    let waiting = db.show("EA-2", "2026-07-16");
    assert_eq!(clock(&waiting, "decision")["deadline"], "2026-07-16");
    assert_eq!(waiting["state"], "open");
    let approved = db.show("EA-2", "2026-07-17");
    assert_eq!(approved["state"], "closed");
    assert_eq!(approved["closed"]["how"], "deemed approved (clause P.4)");
    assert_eq!(clock(&approved, "decision")["passed"]["means"], "deemed_approval");
    db.refused(
        Some("ana"),
        &["case", "assess", "--rules", rules, "EA-2", "--on", "2026-07-20"],
        "case `EA-2` was closed on 2026-07-17: deemed approved (clause P.4)",
    );
}

/// Issue 11, done when: each refusal exits 1 with a message and changes nothing.
fn refusals_exit_1_and_leave_the_case_unchanged(backend: &Backend) {
    let db = Db::new(backend);
    let file = db.write("a.yaml", &application("REF-1"));
    db.ok(
        Some("clara"),
        &["case", "open", &file, "--received", "2026-01-05"],
    );
    db.ok(Some("ana"), &["case", "assess", "REF-1", "--on", "2026-01-10"]);
    let before = db.show("REF-1", "2026-02-01");
    let cases: &[(Option<&str>, &[&str], &str)] = &[
        (
            Some("clara"),
            &["case", "acknowledge", "REF-1", "--on", "2099-01-01"],
            "is after today",
        ),
        (
            Some("ana"),
            &["case", "confirm", "REF-1", "--on", "2026-01-11"],
            "cannot also confirm it: clause 7.1",
        ),
        (
            None,
            &["case", "acknowledge", "REF-1", "--on", "2026-01-06"],
            "an actor must be named: give `--actor ID` or set ACCORD_ACTOR",
        ),
        (
            Some("clara"),
            &["case", "confirm", "REF-1", "--on", "2026-01-11"],
            "it needs the role `assessor`",
        ),
        (
            Some("clara"),
            &["case", "assess", "REF-1", "--on", "2026-01-11"],
            "actor `clara` may not assess a case: it needs the role `assessor`",
        ),
        (
            Some("audrey"),
            &["case", "acknowledge", "REF-1", "--on", "2026-01-06"],
            "needs the role `clerk` or `assessor`",
        ),
        (
            Some("mallory"),
            &["case", "acknowledge", "REF-1", "--on", "2026-01-06"],
            "`mallory` is not an actor of this register",
        ),
        (
            Some("clara"),
            &["case", "acknowledge", "REF-1", "--on", "2026-01-04"],
            "before it was received (2026-01-05)",
        ),
        (
            Some("ana"),
            &["case", "assess", "REF-1", "--on", "2031-05-05"],
            "is after today",
        ),
        (
            Some("clara"),
            &["case", "request-review", "REF-1", "--received", "2026-01-12"],
            "no decision in effect",
        ),
        (
            Some("clara"),
            &["actor", "add", "eve", "--name", "Eve", "--role", "admin"],
            "needs the role `admin`",
        ),
    ];
    for (actor, args, message) in cases {
        db.refused(*actor, args, message);
        assert_eq!(
            db.show("REF-1", "2026-02-01"),
            before,
            "{args:?} changed the case"
        );
    }
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
}

fn a_wrong_date_is_corrected_by_a_new_entry_and_the_clocks_follow(backend: &Backend) {
    let db = Db::new(backend);
    let file = db.write("a.yaml", &without_cpd("COR-1"));
    db.ok(
        Some("clara"),
        &["case", "open", &file, "--received", "2026-01-05"],
    );
    db.ok(
        Some("clara"),
        &["case", "acknowledge", "COR-1", "--on", "2026-01-16"],
    );
    let shown = db.show("COR-1", "2026-01-20");
    let ack_entry = shown["acknowledged"]["entry"].as_i64().unwrap().to_string();
    db.refused(
        Some("clara"),
        &[
            "case",
            "correct",
            "COR-1",
            &ack_entry,
            "--on",
            "2026-01-04",
            "--reason",
            "typo",
        ],
        "would come before the receipt",
    );
    db.refused(
        Some("clara"),
        &[
            "case",
            "correct",
            "COR-1",
            &ack_entry,
            "--on",
            "2099-01-04",
            "--reason",
            "typo",
        ],
        "is after today",
    );
    db.ok(
        Some("clara"),
        &[
            "case",
            "correct",
            "COR-1",
            &ack_entry,
            "--on",
            "2026-01-12",
            "--reason",
            "entered the filing date, not the letter's",
        ],
    );
    let corrected = db.show("COR-1", "2026-01-20");
    assert_eq!(
        clock(&corrected, "acknowledgement")["status"],
        "done on 2026-01-12"
    );
    let events = corrected["events"].as_array().unwrap();
    let original = events.iter().find(|e| e["kind"] == "acknowledged").unwrap();
    assert_eq!(
        (original["on"].as_str(), original["recorded_on"].as_str()),
        (Some("2026-01-12"), Some("2026-01-16"))
    );
    assert!(events
        .iter()
        .any(|e| e["kind"] == "corrected"
            && e["summary"].as_str().unwrap().contains("entered the filing date")));
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
}

fn a_newer_version_voids_a_pending_proposal(backend: &Backend) {
    let db = Db::new(backend);
    let file = db.write("a.yaml", &application("VOID-1"));
    db.ok(
        Some("clara"),
        &["case", "open", &file, "--received", "2026-01-05"],
    );
    db.ok(Some("ana"), &["case", "assess", "VOID-1", "--on", "2026-01-10"]);
    db.refused(
        Some("ben"),
        &["case", "assess", "VOID-1", "--on", "2026-01-11"],
        "awaits confirmation",
    );
    let added = db.ok(
        Some("clara"),
        &["case", "evidence", "VOID-1", &file, "--received", "2026-01-12"],
    );
    assert!(added.contains("the proposal of entry"), "{added}");
    db.refused(
        Some("ben"),
        &["case", "confirm", "VOID-1", "--on", "2026-01-12"],
        "has no decision awaiting confirmation",
    );
    db.ok(Some("ben"), &["case", "assess", "VOID-1", "--on", "2026-01-13"]);
    db.ok(Some("carl"), &["case", "confirm", "VOID-1", "--on", "2026-01-14"]);
    assert_eq!(
        db.show("VOID-1", "2026-01-14")["effective"]["participants"],
        serde_json::json!(["ben", "carl"])
    );
}

fn case_list_and_due_read_every_case_and_default_to_today(backend: &Backend) {
    let db = Db::new(backend);
    for (id, received) in [("A", "2026-01-01"), ("B", "2026-01-10"), ("C", "2026-01-03")] {
        let file = db.write(&format!("{id}.yaml"), &application(id));
        db.ok(Some("clara"), &["case", "open", &file, "--received", received]);
    }
    db.ok(Some("clara"), &["case", "acknowledge", "C", "--on", "2026-01-04"]);
    db.ok(Some("ana"), &["case", "assess", "B", "--on", "2026-01-11"]);
    db.ok(Some("ben"), &["case", "confirm", "B", "--on", "2026-01-12"]);
    // On 2026-01-12: A ack due 01-11 (overdue 1), A decision 01-31, C decision 02-02; B is closed.
    let due = db.json(&["case", "due", "--as-of", "2026-01-12", "--format", "json"]);
    let rows: Vec<(String, String, i64)> = due
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] != "review_request")
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
        ("A", "decision", 19),
        ("C", "decision", 21),
    ]
    .iter()
    .map(|(c, k, n)| ((*c).to_owned(), (*k).to_owned(), *n))
    .collect();
    assert_eq!(rows, expected);
    let text = db.ok(None, &["case", "due", "--as-of", "2026-01-12"]);
    assert!(text.contains("overdue by 1 day"), "{text}");
    // Without --as-of, today: long after 2026, everything is overdue.
    let today = db.ok(None, &["case", "due"]);
    assert!(today.contains("overdue by"), "{today}");

    let listed = db.json(&["case", "list", "--format", "json"]);
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let open = db.json(&[
        "case",
        "list",
        "--open",
        "--as-of",
        "2026-01-12",
        "--format",
        "json",
    ]);
    let ids: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A", "C"]);
    let closed = db.json(&[
        "case",
        "list",
        "--closed",
        "--as-of",
        "2026-01-12",
        "--format",
        "json",
    ]);
    assert_eq!(closed[0]["id"], "B");
    let (_, by_ben, _) = db.run(Some("ben"), &["case", "list", "--format", "json"]);
    let by_ben: Value = serde_json::from_str(&by_ben).unwrap();
    assert_eq!(by_ben.as_array().unwrap().len(), 1);
}

fn db_and_actor_are_accepted_before_or_after_the_subcommand(backend: &Backend) {
    let db = Db::new(backend);
    let path = db.location();
    let file = db.write("a.yaml", &application("POS-1"));
    let mut first = Command::new(env!("CARGO_BIN_EXE_accord"));
    first
        .current_dir(db.dir.path())
        .env_remove("ACCORD_DB")
        .env_remove("ACCORD_ACTOR")
        .env("ACCORD_RULES", root().join("rules"))
        .args([
            "--db",
            &path,
            "--actor",
            "clara",
            "case",
            "open",
            &file,
            "--received",
            "2026-01-05",
        ]);
    assert_eq!(support::run(&mut first).0, 0);
    let mut second = Command::new(env!("CARGO_BIN_EXE_accord"));
    second
        .current_dir(db.dir.path())
        .env_remove("ACCORD_DB")
        .env_remove("ACCORD_ACTOR")
        .args([
            "case",
            "acknowledge",
            "POS-1",
            "--on",
            "2026-01-06",
            "--db",
            &path,
            "--actor",
            "clara",
        ]);
    let (code, _, stderr) = support::run(&mut second);
    assert_eq!(code, 0, "{stderr}");
    let mut third = Command::new(env!("CARGO_BIN_EXE_accord"));
    third
        .current_dir(db.dir.path())
        .env_remove("ACCORD_DB")
        .args(["ledger", "verify", "--db", &path]);
    assert_eq!(support::run(&mut third).0, 0);
}

/// Issue 11, done when: four processes with four actors, 250 events each.
fn four_processes_with_four_actors_keep_one_valid_chain(backend: &Backend) {
    let db = Db::new(backend);
    for extra in ["dora", "eli"] {
        db.ok(
            Some("admin"),
            &["actor", "add", extra, "--name", extra, "--role", "assessor"],
        );
    }
    let actors = ["ana", "ben", "dora", "eli"];
    for (p, _) in actors.iter().enumerate() {
        accord_corpus::write_corpus(&db.dir.path().join(format!("apps-{p}")), 250, 100 + p as u64).unwrap();
    }
    let before: usize = db.ok(None, &["ledger", "export"]).lines().count();
    let children: Vec<_> = actors
        .iter()
        .enumerate()
        .map(|(p, actor)| {
            db.accord(Some(actor), &["batch", "--record", "--jobs", "1", "--output"])
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
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
    let entries: Vec<Value> = db
        .ok(None, &["ledger", "export"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), before + 1_000);
    for actor in actors {
        let recorded = entries
            .iter()
            .filter(|e| e["kind"] == "decision" && e["actor"] == actor)
            .count();
        assert_eq!(recorded, 250, "{actor}");
    }
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=entries.len() as i64).collect::<Vec<_>>());
}

fn recording_a_batch_needs_an_assessor(backend: &Backend) {
    let db = Db::new(backend);
    accord_corpus::write_corpus(&db.dir.path().join("apps"), 5, 1).unwrap();
    db.refused(None, &["batch", "--record", "apps"], "an actor must be named");
    db.refused(
        Some("clara"),
        &["batch", "--record", "apps"],
        "needs the role `assessor`",
    );
    db.ok(
        Some("ana"),
        &["batch", "--record", "--output", "out.jsonl", "apps"],
    );
}

// ---- tampering: every kind of stored row, named by `ledger verify` ----

/// A register holding a decided case: entries 1–6 are actors, then
/// opened (7), acknowledged (8), assessed (9), confirmed (10).
fn decided_case(backend: &Backend) -> Db {
    let db = Db::new(backend);
    let file = db.write("a.yaml", &application("T-1"));
    db.ok(
        Some("clara"),
        &["case", "open", &file, "--received", "2026-01-05"],
    );
    db.ok(
        Some("clara"),
        &["case", "acknowledge", "T-1", "--on", "2026-01-10"],
    );
    db.ok(Some("ana"), &["case", "assess", "T-1", "--on", "2026-01-20"]);
    db.ok(Some("ben"), &["case", "confirm", "T-1", "--on", "2026-01-21"]);
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
    db
}

fn broken(db: &Db, sql: &str, entry: &str) {
    db.sql(sql);
    let (code, out) = db.verify();
    assert_eq!(code, 1, "{sql}: {out}");
    assert!(out.contains(entry), "{sql}: expected `{entry}` in {out}");
}

fn an_altered_acknowledgement_date_is_named(backend: &Backend) {
    broken(
        &decided_case(backend),
        "UPDATE ledger SET on_date = '2026-01-06' WHERE kind = 'acknowledged'",
        "entry 8 was altered",
    );
}

fn an_altered_version_is_named(backend: &Backend) {
    broken(
        &decided_case(backend),
        "UPDATE ledger SET version = 2 WHERE kind = 'opened'",
        "entry 7 was altered",
    );
}

fn an_altered_outcome_is_named_in_the_column_and_in_the_decision(backend: &Backend) {
    broken(
        &decided_case(backend),
        "UPDATE ledger SET outcome = 'standard' WHERE kind = 'assessed'",
        "entry 9: its outcome column (standard) does not match its decision",
    );
    broken(
        &decided_case(backend),
        "UPDATE ledger SET decision = replace(decision, '\"outcome\":\"expedited\"', '\"outcome\":\"standard\"'), outcome = 'standard' WHERE kind = 'assessed'",
        "entry 9 was altered",
    );
}

fn an_altered_actor_is_named(backend: &Backend) {
    broken(
        &decided_case(backend),
        "UPDATE ledger SET actor = 'ana' WHERE kind = 'confirmed'",
        "entry 10 was altered",
    );
    broken(
        &decided_case(backend),
        "UPDATE ledger SET detail = replace(detail, '\"assessor\"', '\"admin\"') WHERE seq = 3",
        "entry 3 was altered",
    );
}

fn an_altered_stored_input_or_rule_set_is_named(backend: &Backend) {
    let db = decided_case(backend);
    broken(
        &db,
        db.pick(
            "UPDATE inputs SET bytes = X'00'",
            "UPDATE inputs SET bytes = '\\x00'::bytea",
        ),
        "entry 7: its stored input was altered",
    );
    broken(
        &decided_case(backend),
        "UPDATE rulesets SET sources = replace(sources, 'value: 30', 'value: 300')",
        "was altered: it now has the fingerprint",
    );
}

fn deleted_swapped_and_inserted_entries_are_named(backend: &Backend) {
    broken(
        &decided_case(backend),
        "DELETE FROM ledger WHERE seq = 8",
        "entry 8 is missing",
    );
    broken(
        &decided_case(backend),
        "UPDATE ledger SET seq = -1 WHERE seq = 8; UPDATE ledger SET seq = 8 WHERE seq = 9; UPDATE ledger SET seq = 9 WHERE seq = -1;",
        "entry 8",
    );
    broken(
        &decided_case(backend),
        "INSERT INTO ledger SELECT 11, format, recorded_at, kind, case_id, actor, on_date, version, input_sha256, ruleset, outcome, decision, detail, hash, hash FROM ledger WHERE seq = 10;
         UPDATE ledger_head SET seq = 11, hash = (SELECT hash FROM ledger WHERE seq = 11);",
        "entry 11",
    );
    broken(
        &decided_case(backend),
        "DELETE FROM ledger WHERE seq >= 9",
        "ends at entry 8 but entry 10 was recorded last",
    );
}

fn a_rewritten_tail_is_found_against_the_head_kept_outside(backend: &Backend) {
    let db = decided_case(backend);
    let head = db.ok(None, &["ledger", "head"]);
    let head = head.trim();
    assert!(head.starts_with("10:sha256:"), "{head}");
    let (code, stdout, _) = db.run(None, &["ledger", "verify", "--expect-head", head]);
    assert_eq!(code, 0);
    assert!(stdout.contains("entry 10 is as it was kept"), "{stdout}");
    // Deleting the newest entries and moving the head back passes the chain
    // check alone; the head kept outside catches it.
    db.sql("DELETE FROM ledger WHERE seq >= 9; UPDATE ledger_head SET seq = 8, hash = (SELECT hash FROM ledger WHERE seq = 8);");
    assert_eq!(db.verify().0, 0, "the shortened chain is valid by itself");
    let (code, _, stderr) = db.run(None, &["ledger", "verify", "--expect-head", head]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the ledger holds 8 entries, but entry 10 was its head"),
        "{stderr}"
    );
    // Emptied whole: still refused.
    db.sql("DELETE FROM ledger; DELETE FROM ledger_head;");
    let (code, _, stderr) = db.run(None, &["ledger", "verify", "--expect-head", head]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = db.run(None, &["ledger", "verify", "--expect-head", "ten"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn reading_commands_never_create_or_touch_a_register_they_should_not() {
    let db = Db::new(&Backend::Sqlite);
    let (code, _, stderr) = db.run(None, &["ledger", "--db", "typo.db", "verify"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("typo.db: no register here"), "{stderr}");
    assert!(!db.dir.path().join("typo.db").exists());
    std::fs::write(db.dir.path().join("zero.db"), b"").unwrap();
    let (code, _, stderr) = db.run(None, &["ledger", "--db", "zero.db", "verify"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("an empty file, not an Accord register"),
        "{stderr}"
    );
    let other = db.dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT);")
        .unwrap();
    for args in [&["ledger", "verify"][..], &["case", "list"][..]] {
        let mut full = vec!["--db", other.to_str().unwrap()];
        full.extend_from_slice(args);
        let (code, _, stderr) = db.run(Some("admin"), &full);
        assert_eq!(code, 1);
        assert!(stderr.contains("not an Accord register"), "{stderr}");
    }
    let (code, _, stderr) = db.run(
        None,
        &[
            "--db",
            other.to_str().unwrap(),
            "actor",
            "add",
            "x",
            "--name",
            "x",
            "--role",
            "admin",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let tables: i64 = rusqlite::Connection::open(&other)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "no table of Accord's was added");
}

#[cfg(unix)]
#[test]
fn a_read_only_register_verifies() {
    use std::os::unix::fs::PermissionsExt;
    let db = decided_case(&Backend::Sqlite);
    for path in [
        db.path(),
        db.dir.path().join("accord.db-wal"),
        db.dir.path().join("accord.db-shm"),
    ] {
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
}

#[test]
fn invalid_utf8_in_a_row_names_its_entry() {
    let db = decided_case(&Backend::Sqlite);
    db.sql("UPDATE ledger SET actor = CAST(X'FF41' AS TEXT) WHERE seq = 8");
    let (code, out) = db.verify();
    assert_eq!(code, 1);
    assert!(out.contains("entry 8: its `actor` is not UTF-8 text"), "{out}");
}

fn an_impossible_date_in_a_row_names_its_entry(backend: &Backend) {
    let db = decided_case(backend);
    db.sql("UPDATE ledger SET on_date = '2026-02-30' WHERE seq = 8");
    let (code, out) = db.verify();
    assert_eq!(code, 1);
    assert!(
        out.contains("entry 8: its `on_date` `2026-02-30` is not a date"),
        "{out}"
    );
}

// ---- PostgreSQL's own: its URL, a database that is not a register, a role that reads ----

#[test]
fn a_password_in_a_postgres_url_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["ledger", "verify"][..],
        &["actor", "add", "x", "--name", "x", "--role", "admin"][..],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .current_dir(dir.path())
            .env(
                "ACCORD_DB",
                "postgres://postgres:s3cret@127.0.0.1:1/reg?password=s3cret",
            )
            .env_remove("ACCORD_ACTOR")
            .args(args);
        let (code, stdout, stderr) = support::run(&mut command);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("postgres://postgres:***@127.0.0.1:1/reg?password=***: "),
            "{stderr}"
        );
        assert!(!format!("{stdout}{stderr}").contains("s3cret"), "{stderr}");
    }
}

#[test]
fn postgres_reading_never_creates_and_someone_elses_tables_are_refused() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let db = Db::empty(&backend);
    let pg = db.pg.as_ref().unwrap();
    let relations = || db.number("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace");
    let missing = postgres_url(&pg.url, None, "accord_t_never_created");
    let (code, _, stderr) = db.run(None, &["ledger", "--db", &missing, "verify"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no register here: the database does not exist"),
        "{stderr}"
    );
    for args in [
        &["ledger", "verify"][..],
        &["ledger", "head"][..],
        &["case", "list"][..],
        &["actor", "list"][..],
    ] {
        let (code, _, stderr) = db.run(None, args);
        assert_eq!(code, 1, "{args:?}");
        assert!(stderr.contains("no register here"), "{args:?}: {stderr}");
    }
    assert_eq!(relations(), 0, "reading created nothing");
    db.sql("CREATE TABLE ledger (x TEXT); INSERT INTO ledger VALUES ('mine');");
    for args in [
        &["ledger", "verify"][..],
        &["case", "list"][..],
        &["actor", "add", "x", "--name", "x", "--role", "admin"][..],
    ] {
        let (code, _, stderr) = db.run(Some("admin"), args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            stderr.contains("not an Accord register (it holds `ledger` without Accord's mark)"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(relations(), 1, "no table of Accord's was added");
}

#[test]
fn postgres_a_role_that_may_only_read_verifies_and_cannot_write() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let db = decided_case(&backend);
    let reader = db.pg.as_ref().unwrap().reader();
    let (code, stdout, stderr) = db.run(None, &["ledger", "--db", &reader, "verify"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ledger intact: 10 entries"), "{stdout}");
    let (code, _, stderr) = db.run(
        Some("admin"),
        &[
            "actor", "--db", &reader, "add", "x", "--name", "x", "--role", "clerk",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert_eq!(db.verify().0, 0);
}

// ---- batch recording, replay, a killed writer ----

/// A ledger of `n` batch-recorded decisions, recorded by ana.
fn recorded(db: &Db, n: usize) {
    accord_corpus::write_corpus(&db.dir.path().join("apps"), n, 9).unwrap();
    db.ok(
        Some("ana"),
        &["batch", "--record", "--output", "out.jsonl", "apps"],
    );
}

fn a_writer_killed_mid_run_leaves_a_consistent_ledger(backend: &Backend) {
    let db = Db::new(backend);
    accord_corpus::write_corpus(&db.dir.path().join("apps"), 4000, 4).unwrap();
    let actors: usize = db.ok(None, &["ledger", "export"]).lines().count();
    let mut child = db
        .accord(
            Some("ana"),
            &[
                "batch",
                "--record",
                "--jobs",
                "1",
                "--output",
                "out.jsonl",
                "apps",
            ],
        )
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let exported = db.run(None, &["ledger", "export"]).1;
        if exported.lines().count() >= actors + 64 {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "nothing recorded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, out) = db.verify();
    assert_eq!(code, 0, "{out}");
    // Whole chunks only: every committed transaction holds 64 entries.
    let count = db.run(None, &["ledger", "export"]).1.lines().count() - actors;
    assert_eq!(count % 64, 0, "{count} entries");
}

fn replay_confirms_every_decision_under_its_kept_rules_and_lists_what_other_rules_change(backend: &Backend) {
    let db = Db::new(backend);
    recorded(&db, 400);
    let kept = db.ok(None, &["ledger", "replay"]);
    assert!(
        kept.contains("under the rule set it was made with") && kept.contains("confirmed 400"),
        "{kept}"
    );
    let same = db.ok(
        None,
        &[
            "ledger",
            "replay",
            "--rules",
            root().join("rules").to_str().unwrap(),
        ],
    );
    assert!(
        same.contains("confirmed 400") && same.contains("integrity failures 0"),
        "{same}"
    );

    let before = root().join("fixtures/rulesets/before-amendment-1");
    let other = db.ok(None, &["ledger", "replay", "--rules", before.to_str().unwrap()]);
    let impact = db.ok(
        None,
        &[
            "impact",
            "--old",
            root().join("rules").to_str().unwrap(),
            "--new",
            before.to_str().unwrap(),
            "--format",
            "jsonl",
            "apps",
        ],
    );
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
    let first = 7;
    let tamper = db.pick(
        "UPDATE ledger SET decision = json_set(decision, '$.missing', json('[\"tampered\"]')) WHERE seq = {first};
         UPDATE ledger SET decision = json_set(decision, '$.added_later', 'a new contract field') WHERE seq = {second};",
        "UPDATE ledger SET decision = jsonb_set(decision::jsonb, '{missing}', '[\"tampered\"]')::text WHERE seq = {first};
         UPDATE ledger SET decision = jsonb_set(decision::jsonb, '{added_later}', '\"a new contract field\"')::text WHERE seq = {second};",
    );
    db.sql(
        &tamper
            .replace("{first}", &first.to_string())
            .replace("{second}", &(first + 1).to_string()),
    );
    db.sql(&format!(
        "UPDATE ledger SET decision = replace(decision, '\"as_of\":', '\"as_of\" :') WHERE seq = {};",
        first + 2
    ));
    let (code, stdout, _) = db.run(None, &["ledger", "replay"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!("entry {first} "))
            && stdout.contains("INTEGRITY")
            && stdout.contains("missing differ"),
        "{stdout}"
    );
    assert!(stdout.contains("confirmed 399"), "{stdout}");
}

fn the_schema_is_versioned(backend: &Backend) {
    let db = Db::new(backend);
    let version = db.number(db.pick("PRAGMA user_version", "SELECT schema_version FROM accord_meta"));
    assert_eq!(version, 3);
    db.sql(db.pick(
        "PRAGMA user_version = 7",
        "UPDATE accord_meta SET schema_version = 7",
    ));
    let (code, out) = db.verify();
    assert_eq!(code, 1);
    assert!(out.contains("schema version 7 is newer"), "{out}");
}

fn a_recorded_batch_with_compare_stores_the_plain_decision(backend: &Backend) {
    let db = Db::new(backend);
    accord_corpus::write_corpus(&db.dir.path().join("apps"), 60, 12).unwrap();
    db.ok(
        None,
        &[
            "batch",
            "--as-of",
            "2025-09-01",
            "--output",
            "before.jsonl",
            "apps",
        ],
    );
    // Re-run on another date, recording: many outcomes change, so many JSONL
    // records carry `previous_outcome`; the ledger must hold the decision alone.
    let stdout = db.ok(
        Some("ana"),
        &[
            "batch",
            "--record",
            "--as-of",
            "2026-09-01",
            "--compare",
            "before.jsonl",
            "apps",
        ],
    );
    assert!(
        stdout.contains("\"previous_outcome\""),
        "the dates change some outcomes"
    );
    let exported = db.ok(None, &["ledger", "export"]);
    assert!(!exported.contains("previous_outcome"), "{exported}");
    let replay = db.ok(None, &["ledger", "replay"]);
    assert!(replay.contains("confirmed 60"), "{replay}");
}

fn the_readme_check_reverifies_an_export_outside_accord(backend: &Backend) {
    let db = decided_case(backend);
    db.ok(None, &["ledger", "export", "--output", "ledger.jsonl"]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```python\n").expect("README has the Python check") + "```python\n".len();
    let script = &readme[start..start + readme[start..].find("```").unwrap()];
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .current_dir(db.dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "the README's check fails on a real export");
    db.sql("UPDATE ledger SET on_date = '2026-01-06' WHERE kind = 'acknowledged'");
    db.ok(None, &["ledger", "export", "--output", "ledger.jsonl"]);
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .current_dir(db.dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the README's check finds the altered entry");
}

/// Every test above that takes a backend, once on each.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::Backend::Sqlite);
                }
            )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = super::Backend::postgres() {
                        super::$name(&backend);
                    }
                }
            )*
        }
    };
}

on_every_backend!(
    a_case_lives_from_receipt_through_two_signatories_to_a_review,
    a_missed_decision_deadline_is_a_deemed_refusal_that_opens_a_review,
    the_pec_ea_procedure_needs_no_second_signatory_and_approves_tacitly,
    refusals_exit_1_and_leave_the_case_unchanged,
    a_wrong_date_is_corrected_by_a_new_entry_and_the_clocks_follow,
    a_newer_version_voids_a_pending_proposal,
    case_list_and_due_read_every_case_and_default_to_today,
    db_and_actor_are_accepted_before_or_after_the_subcommand,
    four_processes_with_four_actors_keep_one_valid_chain,
    recording_a_batch_needs_an_assessor,
    an_altered_acknowledgement_date_is_named,
    an_altered_version_is_named,
    an_altered_outcome_is_named_in_the_column_and_in_the_decision,
    an_altered_actor_is_named,
    an_altered_stored_input_or_rule_set_is_named,
    deleted_swapped_and_inserted_entries_are_named,
    a_rewritten_tail_is_found_against_the_head_kept_outside,
    an_impossible_date_in_a_row_names_its_entry,
    a_writer_killed_mid_run_leaves_a_consistent_ledger,
    replay_confirms_every_decision_under_its_kept_rules_and_lists_what_other_rules_change,
    the_schema_is_versioned,
    a_recorded_batch_with_compare_stores_the_plain_decision,
    the_readme_check_reverifies_an_export_outside_accord,
);
