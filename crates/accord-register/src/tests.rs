//! The register's rules, through the library with an injected clock: dates
//! checked against today, Article 7 of the bundled agreement, and a
//! procedure that differs (the PEC–EA test rule set); and what every store
//! must do (refuse someone else's data and a newer schema, never create a
//! register to read one, name an altered row's entry, keep one chain under
//! concurrent writers). Every test runs on each backend: SQLite in a
//! temporary file, PostgreSQL in a database of its own (see
//! `postgres::testing` for how the server is found).

use std::path::Path;
use std::sync::{Arc, Mutex};

use accord_core::rules::model::{DeadlineConsequence, Outcome};
use accord_core::RuleSet;
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use super::*;
use crate::clock::{Kind as ClockKind, State};
use crate::postgres::testing::{self, TestDatabase};

/// The backend a test runs on.
enum Backend {
    Sqlite,
    /// The admin database's URL.
    Postgres(String),
}

/// A fresh, empty database of one backend, removed after the test.
enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl TestDb {
    fn new(backend: &Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::Sqlite(tempfile::tempdir().unwrap()),
            Backend::Postgres(admin) => TestDb::Postgres(TestDatabase::new(admin)),
        }
    }

    fn location(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => dir.path().join("r.db").display().to_string(),
            TestDb::Postgres(db) => db.url.clone(),
        }
    }

    fn open(&self, access: Access) -> Result<Box<dyn Store>, Error> {
        Ok(match self {
            TestDb::Sqlite(_) => Box::new(sqlite::SqliteStore::open(Path::new(&self.location()), access)?),
            TestDb::Postgres(db) => Box::new(postgres::PostgresStore::open(&db.url, access)?),
        })
    }

    /// Runs statements on the database, as someone with access to it would.
    fn sql(&self, sql: &str) {
        match self {
            TestDb::Sqlite(_) => rusqlite::Connection::open(self.location())
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            TestDb::Postgres(db) => db.client().batch_execute(sql).unwrap(),
        }
    }

    /// How many tables, indexes... the database holds (none for no file).
    fn relations(&self) -> i64 {
        match self {
            TestDb::Sqlite(_) if !Path::new(&self.location()).exists() => 0,
            TestDb::Sqlite(_) => rusqlite::Connection::open(self.location())
                .unwrap()
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .unwrap(),
            TestDb::Postgres(db) => db
                .client()
                .query_one(
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace",
                    &[],
                )
                .unwrap()
                .get(0),
        }
    }

    /// Someone else's data: on SQLite any table, on PostgreSQL a table
    /// named like one of Accord's (unrelated tables may share a database).
    fn foreign(&self) {
        match self {
            TestDb::Sqlite(_) => self.sql("CREATE TABLE mine (x INTEGER); INSERT INTO mine VALUES (1);"),
            TestDb::Postgres(_) => {
                self.sql("CREATE TABLE ledger (x INTEGER); INSERT INTO ledger VALUES (1);")
            }
        }
    }

    fn set_schema(&self, version: i64) {
        match self {
            TestDb::Sqlite(_) => self.sql(&format!("PRAGMA user_version = {version}")),
            TestDb::Postgres(_) => self.sql(&format!("UPDATE accord_meta SET schema_version = {version}")),
        }
    }
}

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    fn set(&self, date: &str) {
        // The last second of the day: "today" is still `date`.
        *self.0.lock().unwrap() = Utc.from_utc_datetime(&d(date).and_hms_opt(23, 59, 59).unwrap());
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn rules(dir: &str) -> RuleSet {
    accord_core::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir)).unwrap()
}

struct Fixture {
    register: Register,
    db: TestDb,
    clock: TestClock,
    rules: RuleSet,
    host: &'static str,
}

impl Fixture {
    fn new(backend: &Backend, rules_dir: &str, today: &str) -> Fixture {
        let db = TestDb::new(backend);
        let clock = TestClock(Arc::new(Mutex::new(Utc::now())));
        clock.set(today);
        let store = db.open(Access::Write).unwrap();
        let mut register = Register::new(store, Box::new(clock.clone()));
        register
            .add_actor(None, "admin", "Admin", &[Role::Admin])
            .unwrap();
        for (id, role) in [
            ("clara", Role::Clerk),
            ("ana", Role::Assessor),
            ("bo", Role::Assessor),
            ("cy", Role::Assessor),
        ] {
            register.add_actor(Some("admin"), id, id, &[role]).unwrap();
        }
        Fixture {
            register,
            db,
            clock,
            rules: rules(rules_dir),
            host: if rules_dir.contains("pec-ea") { "EA" } else { "CSE" },
        }
    }

    fn input(&self, id: &str, note: &str) -> Input {
        Input::new(
            &format!("{id}.yaml"),
            format!("id: {id}\n# {note}\n").into_bytes(),
        )
    }

    fn open(&mut self, id: &str, received: &str) -> Result<Entry, Error> {
        let input = self.input(id, "v1");
        self.register.open_case(
            Some("clara"),
            &NewCase {
                id,
                home_body: "PEC",
                host_body: self.host,
                received_on: d(received),
                input: &input,
                rules: &self.rules,
            },
        )
    }

    fn assess(&mut self, by: &str, id: &str, outcome: Outcome, on: &str) -> Result<(Entry, Effect), Error> {
        let case = self.register.require(id)?;
        let version = case.current().map(|v| v.number);
        let input = self.input(id, &format!("v{}", version.unwrap_or(0)));
        let json = format!(r#"{{"application":"{id}","outcome":"{}"}}"#, outcome.as_str());
        self.register.record_assessment(
            Some(by),
            id,
            &NewDecision {
                version,
                input: &input,
                rules: &self.rules,
                as_of: d(on),
                outcome,
                json,
            },
            d(on),
        )
    }

    fn clock_of(&self, id: &str, kind: ClockKind, on: &str) -> clock::Clock {
        let case = self.register.require(id).unwrap();
        let agreement = Register::agreement_of(&self.rules, &case);
        clock::clocks(&case, agreement, d(on))
            .into_iter()
            .find(|c| c.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} clock on {on}"))
    }

    fn closed(&self, id: &str, on: &str) -> Option<(NaiveDate, String)> {
        let case = self.register.require(id).unwrap();
        clock::closed(&case, Register::agreement_of(&self.rules, &case), d(on))
    }
}

fn today_is_accepted_and_tomorrow_refused_for_every_dated_event(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-03-10");
    let err = f.open("T-1", "2026-03-11").unwrap_err().to_string();
    assert!(err.contains("after today (2026-03-10)"), "{err}");
    assert!(f.register.case("T-1").unwrap().is_none(), "nothing recorded");
    f.open("T-1", "2026-03-10").unwrap();
    let err = f
        .register
        .acknowledge(Some("clara"), "T-1", d("2026-03-11"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("an acknowledgement on 2026-03-11 is after today"),
        "{err}"
    );
    f.register
        .acknowledge(Some("clara"), "T-1", d("2026-03-10"))
        .unwrap();
    let err = f
        .assess("ana", "T-1", Outcome::Standard, "2026-03-11")
        .unwrap_err()
        .to_string();
    assert!(err.contains("a decision on 2026-03-11 is after today"), "{err}");
    let input = f.input("T-1", "v2");
    let err = f
        .register
        .add_version(Some("clara"), "T-1", d("2026-03-11"), &input)
        .unwrap_err()
        .to_string();
    assert!(err.contains("a receipt on 2026-03-11 is after today"), "{err}");
    // The next day, the same receipt is today's.
    f.clock.set("2026-03-11");
    f.register
        .add_version(Some("clara"), "T-1", d("2026-03-11"), &input)
        .unwrap();
}

fn a_date_before_the_receipt_is_refused(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-03-10");
    f.open("T-2", "2026-03-01").unwrap();
    let err = f
        .register
        .acknowledge(Some("clara"), "T-2", d("2026-02-28"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("before") && err.contains("2026-03-01"), "{err}");
    let err = f
        .assess("ana", "T-2", Outcome::Standard, "2026-02-28")
        .unwrap_err()
        .to_string();
    assert!(err.contains("before") && err.contains("2026-03-01"), "{err}");
    assert!(f.register.require("T-2").unwrap().assessments.is_empty());
}

fn a_granting_decision_waits_for_a_second_assessor_and_a_new_version_voids_it(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-04-30");
    f.open("T-3", "2026-03-01").unwrap();
    let (_, effect) = f.assess("ana", "T-3", Outcome::Expedited, "2026-03-05").unwrap();
    assert_eq!(effect, Effect::Proposed);
    // The decision clock keeps running while the proposal waits (7.1).
    let running = f.clock_of("T-3", ClockKind::Decision, "2026-03-06");
    assert_eq!(
        running.state,
        State::Running {
            deadline: d("2026-03-31")
        }
    );
    let err = f
        .register
        .confirm(Some("ana"), "T-3", d("2026-03-06"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("clause 7.1"), "{err}");
    // A newer version voids the proposal (7.2): nothing left to confirm.
    let v2 = f.input("T-3", "v2");
    f.register
        .add_version(Some("clara"), "T-3", d("2026-03-07"), &v2)
        .unwrap();
    let err = f
        .register
        .confirm(Some("bo"), "T-3", d("2026-03-08"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no decision awaiting confirmation"), "{err}");
    // Assessed afresh, confirmed by another assessor: in effect, closed.
    f.assess("ana", "T-3", Outcome::Expedited, "2026-03-09").unwrap();
    f.register.confirm(Some("bo"), "T-3", d("2026-03-10")).unwrap();
    let case = f.register.require("T-3").unwrap();
    let effective = case.effective.as_ref().unwrap();
    assert_eq!(
        (effective.on, effective.outcome),
        (d("2026-03-10"), Outcome::Expedited)
    );
    assert_eq!(f.closed("T-3", "2026-03-10").unwrap().0, d("2026-03-10"));
}

fn a_non_granting_decision_takes_effect_when_made(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-04-30");
    f.open("T-4", "2026-03-01").unwrap();
    let (_, effect) = f.assess("ana", "T-4", Outcome::Referred, "2026-03-05").unwrap();
    assert_eq!(effect, Effect::TakesEffect);
    assert!(
        f.assess("ana", "T-4b", Outcome::Referred, "2026-03-05").is_err(),
        "an unknown case is refused"
    );
    let err = f
        .assess("bo", "T-4", Outcome::Standard, "2026-03-06")
        .unwrap_err()
        .to_string();
    assert!(err.contains("was closed on 2026-03-05"), "{err}");
}

fn the_decision_deadline_passes_into_a_deemed_refusal_the_day_after(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-06-30");
    f.open("T-5", "2026-03-01").unwrap();
    // 6.2: received 2026-03-01 + 30 days = 2026-03-31, due on its day.
    let on_deadline = f.clock_of("T-5", ClockKind::Decision, "2026-03-31");
    assert_eq!(
        on_deadline.state,
        State::Running {
            deadline: d("2026-03-31")
        }
    );
    assert_eq!(on_deadline.passed, None);
    let after = f.clock_of("T-5", ClockKind::Decision, "2026-04-01");
    let passed = after.passed.unwrap();
    assert_eq!(
        (passed.means, passed.from, passed.clause.as_str()),
        (DeadlineConsequence::DeemedRefusal, d("2026-04-01"), "7.5")
    );
    assert_eq!(f.closed("T-5", "2026-04-01"), None, "the duty to decide goes on");
    // A review may be requested from the day of the deemed refusal, not before.
    let err = f
        .register
        .request_review(Some("clara"), "T-5", d("2026-03-31"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no decision in effect to review on 2026-03-31"),
        "{err}"
    );
    f.register
        .request_review(Some("clara"), "T-5", d("2026-04-01"))
        .unwrap();
}

fn the_review_window_ends_on_its_sixtieth_day_and_the_reviewer_took_no_part(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-12-31");
    for id in ["T-6", "T-7"] {
        f.open(id, "2026-03-01").unwrap();
        f.assess("ana", id, Outcome::Expedited, "2026-03-05").unwrap();
        f.register.confirm(Some("bo"), id, d("2026-03-06")).unwrap();
    }
    // In effect on 2026-03-06: 60 days later is 2026-05-05.
    let err = f
        .register
        .request_review(Some("clara"), "T-6", d("2026-05-06"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("from 2026-03-06 to 2026-05-05"), "{err}");
    f.register
        .request_review(Some("clara"), "T-7", d("2026-05-05"))
        .unwrap();
    let basis = f.register.review_basis("T-7").unwrap();
    assert_eq!((basis.version, basis.as_of), (1, Some(d("2026-03-05"))));
    for participant in ["ana", "bo"] {
        let input = f.input("T-7", "v1");
        let err = f
            .register
            .record_review(
                Some(participant),
                "T-7",
                &NewDecision {
                    version: Some(1),
                    input: &input,
                    rules: &f.rules,
                    as_of: d("2026-03-05"),
                    outcome: Outcome::Standard,
                    json: r#"{"application":"T-7","outcome":"standard"}"#.into(),
                },
                false,
                d("2026-05-20"),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("7.4"), "{participant}: {err}");
    }
}

fn a_correction_moves_the_clock_and_both_entries_stay(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-03-20");
    f.open("T-8", "2026-03-01").unwrap();
    let wrong = f
        .register
        .acknowledge(Some("clara"), "T-8", d("2026-03-15"))
        .unwrap();
    let err = f
        .register
        .acknowledge(Some("clara"), "T-8", d("2026-03-09"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("accord case correct T-8"), "{err}");
    f.register
        .correct(
            Some("clara"),
            "T-8",
            wrong.seq,
            d("2026-03-09"),
            "typed the wrong day",
        )
        .unwrap();
    let ack = f.clock_of("T-8", ClockKind::Acknowledgement, "2026-03-20");
    assert_eq!(ack.state, State::Done { on: d("2026-03-09") });
    let case = f.register.require("T-8").unwrap();
    assert!(case.entry(wrong.seq).is_some(), "the corrected entry stays");
}

fn tacit_approval_closes_a_pec_ea_case_the_day_after_its_deadline(backend: &Backend) {
    let mut f = Fixture::new(backend, "fixtures/rulesets/pec-ea", "2026-12-31");
    f.open("E-1", "2026-06-01").unwrap();
    // P.2: 45 days from 2026-06-01 is 2026-07-16.
    assert_eq!(f.closed("E-1", "2026-07-16"), None);
    let (on, how) = f.closed("E-1", "2026-07-17").unwrap();
    assert_eq!(on, d("2026-07-17"));
    assert!(how.contains("deemed approved"), "{how}");
    // A decision made before the deadline, entered late, is still recorded.
    f.open("E-2", "2026-06-01").unwrap();
    let (_, effect) = f.assess("ana", "E-2", Outcome::Expedited, "2026-06-10").unwrap();
    assert_eq!(effect, Effect::TakesEffect, "no second signatory under PEC–EA");
    let err = f
        .assess("ana", "E-1", Outcome::Standard, "2026-07-17")
        .unwrap_err()
        .to_string();
    assert!(err.contains("deemed approved"), "{err}");
}

fn the_clerk_may_not_assess_and_nothing_is_written(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-03-10");
    f.open("T-9", "2026-03-01").unwrap();
    let head = f.register.head().unwrap();
    let err = f
        .assess("clara", "T-9", Outcome::Standard, "2026-03-05")
        .unwrap_err()
        .to_string();
    assert!(err.contains("assessor"), "{err}");
    assert_eq!(f.register.head().unwrap(), head);
}

fn a_write_with_a_revoked_token_is_refused_inside_its_transaction(backend: &Backend) {
    let mut f = Fixture::new(backend, "rules", "2026-03-10");
    let (token, _) = f.register.create_token(Some("admin"), "clara", &[7; 32]).unwrap();
    let id = crate::token_id(&token);
    // The service's connection acts for the caller whose token it holds.
    f.register.set_credential(Some(&token));
    f.open("T-1", "2026-03-01").unwrap();
    // Someone else's token never writes as clara.
    f.register.set_credential(Some("acc_not-a-token"));
    let err = f.open("T-2", "2026-03-01").unwrap_err();
    assert!(matches!(err, Error::Unauthenticated(_)), "{err}");
    // Another process revokes the token between the service's check and its write.
    let mut other = Register::new(f.db.open(Access::Write).unwrap(), Box::new(f.clock.clone()));
    other.revoke_token(Some("admin"), &id).unwrap();
    f.register.set_credential(Some(&token));
    let head = f.register.head().unwrap();
    let err = f.open("T-3", "2026-03-01").unwrap_err();
    assert!(matches!(err, Error::Unauthenticated(_)), "{err}");
    assert_eq!(f.register.head().unwrap(), head, "nothing written");
    // Without a credential the declared actor is trusted, as on the command line.
    f.register.set_credential(None);
    f.open("T-3", "2026-03-01").unwrap();
}

fn someone_elses_database_is_refused_and_left_untouched(backend: &Backend) {
    let db = TestDb::new(backend);
    db.foreign();
    let before = db.relations();
    for access in [Access::Write, Access::Read] {
        let err = db.open(access).err().unwrap().to_string();
        assert!(err.contains("not an Accord register"), "{err}");
    }
    assert_eq!(db.relations(), before, "nothing of Accord's was added");
}

fn reading_never_creates_a_register(backend: &Backend) {
    let db = TestDb::new(backend);
    let err = db.open(Access::Read).err().unwrap().to_string();
    assert!(err.contains("no register here"), "{err}");
    assert_eq!(db.relations(), 0);
    if let TestDb::Sqlite(_) = db {
        assert!(!Path::new(&db.location()).exists());
    }
}

fn a_newer_schema_is_refused(backend: &Backend) {
    let db = TestDb::new(backend);
    let store = db.open(Access::Write).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    drop(store);
    db.set_schema(99);
    for access in [Access::Write, Access::Read] {
        assert!(matches!(
            db.open(access),
            Err(Error::NewerSchema {
                found: 99,
                supported: 3,
                ..
            })
        ));
    }
}

fn register_open_finds_the_backend_by_its_location(backend: &Backend) {
    let db = TestDb::new(backend);
    let location = match backend {
        Backend::Sqlite => format!("sqlite:{}", db.location()),
        Backend::Postgres(_) => db.location(),
    };
    let mut register = Register::open(&location, Access::Write).unwrap();
    register.add_actor(None, "admin", "Admin", &[]).unwrap();
    assert_eq!(
        db.open(Access::Read)
            .unwrap()
            .read()
            .unwrap()
            .head()
            .unwrap()
            .unwrap()
            .0,
        1
    );
    assert_eq!(
        Register::open(&location, Access::Read)
            .unwrap()
            .actors()
            .unwrap()
            .all()
            .count(),
        1
    );
}

fn an_altered_row_names_its_entry_and_nothing_panics(backend: &Backend) {
    for (sql, message) in [
        (
            "UPDATE ledger SET on_date = '2026-02-30' WHERE seq = 2",
            "entry 2: its `on_date` `2026-02-30` is not a date",
        ),
        (
            "UPDATE ledger SET kind = 'promoted' WHERE seq = 3",
            "entry 3: its `kind` `promoted` is no kind of entry",
        ),
        (
            "UPDATE ledger SET outcome = 'maybe' WHERE seq = 4",
            "entry 4: its `outcome` `maybe` is not an outcome",
        ),
    ] {
        let f = Fixture::new(backend, "rules", "2026-03-10");
        f.db.sql(sql);
        let err = f.register.scan(|_| Ok(())).unwrap_err();
        assert!(matches!(&err, Error::Corrupt(m) if m == message), "{sql}: {err}");
    }
    // A head that is not the last entry's is found, not trusted.
    let f = Fixture::new(backend, "rules", "2026-03-10");
    f.db.sql("UPDATE ledger_head SET hash = 'sha256:nonsense'");
    let mut entries = Vec::new();
    f.register
        .scan(|e| {
            entries.push(e);
            Ok(())
        })
        .unwrap();
    let head = f.register.head().unwrap();
    assert!(chain::verify(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str()))).is_err());
}

fn concurrent_writers_keep_one_valid_chain(backend: &Backend) {
    let db = TestDb::new(backend);
    Register::new(db.open(Access::Write).unwrap(), Box::new(SystemClock))
        .add_actor(None, "admin", "Admin", &[])
        .unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let mut register = Register::new(db.open(Access::Write).unwrap(), Box::new(SystemClock));
            scope.spawn(move || {
                for n in 0..25 {
                    register
                        .add_actor(Some("admin"), &format!("t{t}-{n}"), "x", &[Role::Clerk])
                        .unwrap();
                }
            });
        }
    });
    let register = Register::new(db.open(Access::Read).unwrap(), Box::new(SystemClock));
    let mut entries = Vec::new();
    register
        .scan(|e| {
            entries.push(e);
            Ok(())
        })
        .unwrap();
    let head = register.head().unwrap();
    assert_eq!(
        chain::verify(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str()))).unwrap(),
        101
    );
    assert_eq!(register.actors().unwrap().all().count(), 101);
}

impl Backend {
    /// The PostgreSQL backend, when a server is reachable.
    fn postgres() -> Option<Backend> {
        testing::server().map(Backend::Postgres)
    }
}

/// Every test above, once per backend: `on_sqlite::NAME`, `on_postgres::NAME`.
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
    today_is_accepted_and_tomorrow_refused_for_every_dated_event,
    a_date_before_the_receipt_is_refused,
    a_granting_decision_waits_for_a_second_assessor_and_a_new_version_voids_it,
    a_non_granting_decision_takes_effect_when_made,
    the_decision_deadline_passes_into_a_deemed_refusal_the_day_after,
    the_review_window_ends_on_its_sixtieth_day_and_the_reviewer_took_no_part,
    a_correction_moves_the_clock_and_both_entries_stay,
    tacit_approval_closes_a_pec_ea_case_the_day_after_its_deadline,
    the_clerk_may_not_assess_and_nothing_is_written,
    a_write_with_a_revoked_token_is_refused_inside_its_transaction,
    someone_elses_database_is_refused_and_left_untouched,
    reading_never_creates_a_register,
    a_newer_schema_is_refused,
    register_open_finds_the_backend_by_its_location,
    an_altered_row_names_its_entry_and_nothing_panics,
    concurrent_writers_keep_one_valid_chain,
);
