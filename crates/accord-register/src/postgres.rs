//! The register on a PostgreSQL server: the only module that speaks its SQL.
//!
//! The tables are SQLite's (`ledger`, `ledger_head`, `inputs`, `rulesets`,
//! every value stored as SQLite stores it, dates and times as the text the
//! chain hashes), created in the connection's current schema beside an
//! `accord_meta` row holding Accord's mark and the schema version. Tables
//! named like Accord's without that mark are refused, never touched; a newer
//! schema is refused. Reading commands open a read-only session and never
//! create anything: a database with no register is "no register here".
//!
//! Every write runs in one transaction that first takes a transaction-level
//! advisory lock (`pg_advisory_xact_lock`, released at commit or rollback),
//! then reads the head, checks and appends at READ COMMITTED: each statement
//! after the lock sees every chain extension committed before it, and a
//! second writer waits for the lock (up to 60 s, SQLite's busy timeout)
//! rather than extending the same head, so processes on one database keep
//! one chain. Reads run in one REPEATABLE READ, READ ONLY transaction, a
//! consistent snapshot. A process killed mid-write leaves the last committed
//! state (the server rolls back its transaction).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::time::Duration;

use ::postgres::error::SqlState;
use ::postgres::types::ToSql;
use ::postgres::{Client, Config, NoTls, Row};
use accord_core::rules::model::Outcome;
use accord_core::rules::Source;

use crate::chain::Entry;
use crate::store::{corrupt, Columns, Filter, Reader, Store, Writer};
use crate::{Access, Error, Input};

/// The schema version this code writes: the same tables as SQLite's schema 3.
const SCHEMA_VERSION: i64 = 3;

/// What `accord_meta.application` holds in an Accord register.
const APPLICATION: &str = "accord register";

/// The advisory lock that serialises writers on one database: "ACCD".
const LOCK_KEY: i64 = 0x4143_4344;

/// Every relation Accord creates: one of these names without Accord's mark
/// is someone else's.
const RELATIONS: &[&str] = &["accord_meta", "inputs", "ledger", "ledger_head", "rulesets"];

/// Schema 3, created at once (no PostgreSQL register was ever older).
const SCHEMA: &str = "
    CREATE TABLE accord_meta (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        application TEXT NOT NULL,
        schema_version BIGINT NOT NULL
    );
    CREATE TABLE inputs (
        sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        bytes BYTEA NOT NULL
    );
    CREATE TABLE ledger (
        seq BIGINT PRIMARY KEY,
        format BIGINT NOT NULL,
        recorded_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        case_id TEXT,
        actor TEXT,
        on_date TEXT,
        version BIGINT,
        input_sha256 TEXT,
        ruleset TEXT,
        outcome TEXT,
        decision TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX ledger_case ON ledger (case_id, seq);
    CREATE INDEX ledger_kind ON ledger (kind, seq);
    CREATE TABLE ledger_head (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE rulesets (
        fingerprint TEXT PRIMARY KEY,
        sources TEXT NOT NULL
    );
";

const COLUMNS: &str = "seq, format, recorded_at, kind, case_id, actor, on_date, version, input_sha256, ruleset, outcome, decision, detail, prev_hash, hash";

/// Entries are read this many at a time (keyed on `seq`), so a scan holds
/// no more in memory and the connection is free between pages for the
/// reads a caller makes while it scans.
const PAGE: i64 = 512;

/// The URL with any password hidden, to name the database in messages:
/// the password of `user:password@` and a `password=` parameter, read the
/// way the driver reads them.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (before_params, params) = match rest.split_once('?') {
        Some((before, params)) => (before, Some(params)),
        None => (rest, None),
    };
    let (userinfo, host) = match before_params.rsplit_once('@') {
        Some((userinfo, host)) => (Some(userinfo), host),
        None => (None, before_params),
    };
    let mut out = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        match userinfo.split_once(':') {
            Some((user, _)) => out.push_str(&format!("{user}:***@")),
            None => out.push_str(&format!("{userinfo}@")),
        }
    }
    out.push_str(host);
    if let Some(params) = params {
        let params: Vec<String> = params
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// The driver's error as one line: what failed and the server's reason
/// (the driver's own `Display` says only "db error").
#[derive(Debug)]
struct Failure(String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

fn describe(e: &::postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut message = db.message().to_owned();
        for more in [db.detail(), db.hint()].into_iter().flatten() {
            message.push_str(&format!(" ({more})"));
        }
        return message;
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// Turns the driver's errors into the register's, naming the database
/// without its password.
fn backend(location: &str) -> impl Fn(::postgres::Error) -> Error + '_ {
    move |e| Error::Backend {
        location: location.to_owned(),
        source: Box::new(Failure(describe(&e))),
    }
}

fn refused(location: &str, message: &str) -> Error {
    Error::Refused(format!("{location}: {message}"))
}

/// What a database holds, told by its relations and mark before anything
/// is written to it.
enum Found {
    /// An Accord register at this schema version.
    Register(i64),
    /// None of Accord's relations.
    Empty,
    /// Relations named like Accord's without its mark: someone else's.
    Foreign(String),
}

/// A register in one PostgreSQL database (its current schema), over one
/// connection.
pub(crate) struct PostgresStore {
    client: RefCell<Client>,
    location: String,
    access: Access,
    /// Whether a transaction is open on the connection: a read made during
    /// another (each entry's input during a scan) joins it.
    open: Cell<bool>,
}

impl PostgresStore {
    /// Opens the register in the database at `url`: in a read-only session
    /// for reading (which never creates anything), or read-write, creating
    /// the tables in an empty database.
    pub(crate) fn open(url: &str, access: Access) -> Result<PostgresStore, Error> {
        let location = redact(url);
        let db = backend(&location);
        let mut config: Config = url.parse().map_err(&db)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("accord");
        }
        let mut client = match config.connect(NoTls) {
            Ok(client) => client,
            Err(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {
                return Err(refused(
                    &location,
                    match access {
                        Access::Read => "no register here: the database does not exist (reading commands never create one)",
                        Access::Write => "the database does not exist: create it (`createdb`), and Accord creates its tables in it",
                    },
                ))
            }
            Err(e) => return Err(db(e)),
        };
        // Writers wait for each other's lock as long as SQLite's busy timeout.
        let session = match access {
            Access::Read => "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SET lock_timeout = '60s'",
            Access::Write => "SET lock_timeout = '60s'",
        };
        client.batch_execute(session).map_err(&db)?;
        drop(db);
        let store = PostgresStore {
            client: RefCell::new(client),
            location,
            access,
            open: Cell::new(false),
        };
        match access {
            Access::Read => store.check_for_reading()?,
            Access::Write => store.check_or_create()?,
        }
        Ok(store)
    }

    fn check_for_reading(&self) -> Result<(), Error> {
        let tx = self.begin_read()?;
        let found = tx.found()?;
        drop(tx);
        match found {
            Found::Empty => Err(refused(
                &self.location,
                "no register here (no Accord tables in this database; reading commands never create one)",
            )),
            other => self.accept(other),
        }
    }

    /// Checks the database under the writers' lock and creates the tables
    /// in an empty one, so two processes never both create them.
    fn check_or_create(&self) -> Result<(), Error> {
        let mut tx = self.begin_write()?;
        match tx.found()? {
            Found::Empty => {
                let encoding: String = tx.one(
                    "SELECT pg_encoding_to_char(encoding)::text FROM pg_database WHERE datname = current_database()",
                    &[],
                )?;
                if encoding != "UTF8" {
                    return Err(refused(
                        &self.location,
                        &format!("the database's encoding is {encoding}: Accord's register needs UTF8, so that every text it hashes reads back the same"),
                    ));
                }
                tx.batch(SCHEMA)?;
                tx.execute(
                    "INSERT INTO accord_meta (one, application, schema_version) VALUES (1, $1, $2)",
                    &[&APPLICATION, &SCHEMA_VERSION],
                )?;
                Box::new(tx).commit()
            }
            other => {
                drop(tx);
                self.accept(other)
            }
        }
    }

    /// Refuses what is not a register this code can use.
    fn accept(&self, found: Found) -> Result<(), Error> {
        match found {
            Found::Foreign(why) => Err(refused(
                &self.location,
                &format!("not an Accord register ({why}): refusing to touch it"),
            )),
            Found::Register(version) if version > SCHEMA_VERSION => Err(Error::NewerSchema {
                location: self.location.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            }),
            Found::Register(version) if version < SCHEMA_VERSION => Err(refused(
                &self.location,
                &format!("schema {version}, which no Accord writes on PostgreSQL: refusing to touch it"),
            )),
            Found::Register(_) | Found::Empty => Ok(()),
        }
    }

    /// Runs one call on the connection.
    fn with<T>(&self, call: impl FnOnce(&mut Client) -> Result<T, ::postgres::Error>) -> Result<T, Error> {
        let mut client = self
            .client
            .try_borrow_mut()
            .map_err(|_| refused(&self.location, "the connection is already in use"))?;
        call(&mut client).map_err(backend(&self.location))
    }

    /// A read transaction, or the one already open.
    fn begin_read(&self) -> Result<PgTx<'_>, Error> {
        if self.open.get() {
            return Ok(PgTx::new(self, false));
        }
        self.with(|c| c.batch_execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))?;
        self.open.set(true);
        Ok(PgTx::new(self, true))
    }

    /// A write transaction holding the writers' lock.
    fn begin_write(&self) -> Result<PgTx<'_>, Error> {
        if self.access == Access::Read {
            return Err(refused(&self.location, "opened for reading only"));
        }
        if self.open.get() {
            return Err(refused(&self.location, "a transaction is already open"));
        }
        self.with(|c| c.batch_execute("START TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE"))?;
        self.open.set(true);
        let mut tx = PgTx::new(self, true);
        tx.writer = true;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])?;
        Ok(tx)
    }
}

impl Store for PostgresStore {
    fn schema_version(&self) -> Result<i64, Error> {
        self.begin_read()?
            .one("SELECT schema_version FROM accord_meta WHERE one = 1", &[])
    }

    fn read(&self) -> Result<Box<dyn Reader + '_>, Error> {
        Ok(Box::new(self.begin_read()?))
    }

    fn write(&mut self) -> Result<Box<dyn Writer + '_>, Error> {
        Ok(Box::new(self.begin_write()?))
    }
}

/// One transaction, read or write, or a read joining the one open.
struct PgTx<'s> {
    store: &'s PostgresStore,
    /// It began the transaction, and ends it: commits, or rolls back when
    /// dropped.
    owner: bool,
    /// It holds the writers' lock.
    writer: bool,
    /// A statement failed: the server has aborted the transaction, and a
    /// `COMMIT` would roll back without saying so.
    failed: Cell<bool>,
}

type Params<'a> = [&'a (dyn ToSql + Sync)];

impl<'s> PgTx<'s> {
    fn new(store: &'s PostgresStore, owner: bool) -> PgTx<'s> {
        PgTx {
            store,
            owner,
            writer: false,
            failed: Cell::new(false),
        }
    }

    fn run<T>(&self, call: impl FnOnce(&mut Client) -> Result<T, ::postgres::Error>) -> Result<T, Error> {
        let result = self.store.with(call);
        if result.is_err() {
            self.failed.set(true);
        }
        result
    }

    fn query(&self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, Error> {
        self.run(|c| c.query(sql, params))
    }

    fn optional(&self, sql: &str, params: &Params<'_>) -> Result<Option<Row>, Error> {
        self.run(|c| c.query_opt(sql, params))
    }

    fn one<T: for<'r> ::postgres::types::FromSql<'r>>(
        &self,
        sql: &str,
        params: &Params<'_>,
    ) -> Result<T, Error> {
        let row = self.run(|c| c.query_one(sql, params))?;
        row.try_get(0).map_err(backend(&self.store.location))
    }

    fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<(), Error> {
        self.run(|c| c.execute(sql, params)).map(drop)
    }

    fn batch(&mut self, sql: &str) -> Result<(), Error> {
        self.run(|c| c.batch_execute(sql))
    }

    /// What the database holds, by the relations in the current schema.
    fn found(&self) -> Result<Found, Error> {
        let names: Vec<String> = self
            .query(
                "SELECT relname::text FROM pg_class
                 WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                   AND relname = ANY($1)
                 ORDER BY relname",
                &[&RELATIONS],
            )?
            .iter()
            .filter_map(|r| r.try_get::<_, String>(0).ok())
            .collect();
        if names.is_empty() {
            return Ok(Found::Empty);
        }
        if !names.iter().any(|n| n == "accord_meta") {
            return Ok(Found::Foreign(format!(
                "it holds {} without Accord's mark",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mark = self.query(
            "SELECT application, schema_version FROM accord_meta WHERE one = 1",
            &[],
        );
        let mark = match mark.as_deref() {
            Ok([row]) => row
                .try_get::<_, String>(0)
                .ok()
                .zip(row.try_get::<_, i64>(1).ok()),
            _ => None,
        };
        Ok(match mark {
            Some((application, version)) if application == APPLICATION => Found::Register(version),
            _ => Found::Foreign("its `accord_meta` does not hold Accord's mark".to_owned()),
        })
    }

    /// The next page of entries after `after`.
    fn page(&self, filter: Filter<'_>, after: i64) -> Result<Vec<Row>, Error> {
        match filter {
            Filter::All => self.query(
                &format!("SELECT {COLUMNS} FROM ledger WHERE seq > $1 ORDER BY seq LIMIT {PAGE}"),
                &[&after],
            ),
            Filter::Case(id) => self.query(
                &format!(
                    "SELECT {COLUMNS} FROM ledger WHERE case_id = $2 AND kind <> 'decision' AND seq > $1 ORDER BY seq LIMIT {PAGE}"
                ),
                &[&after, &id],
            ),
            Filter::Kinds(kinds) => {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                self.query(
                    &format!("SELECT {COLUMNS} FROM ledger WHERE kind = ANY($2) AND seq > $1 ORDER BY seq LIMIT {PAGE}"),
                    &[&after, &kinds],
                )
            }
        }
    }
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        if self.owner {
            // Nothing to report it to: the next transaction's BEGIN fails if
            // the connection is gone.
            let _ = self.store.with(|c| c.batch_execute("ROLLBACK"));
            self.store.open.set(false);
        }
    }
}

/// Reads one row as an entry; a value that is not what its column holds
/// (not text, not a number, an unknown kind, a malformed date) names the
/// entry.
fn entry_from(r: &Row) -> Result<Entry, Error> {
    let seq: i64 = r
        .try_get(0)
        .map_err(|_| Error::Corrupt("a ledger row's `seq` is not a number".to_owned()))?;
    let text = |i: usize, column: &str| -> Result<Option<String>, Error> {
        r.try_get(i)
            .map_err(|_| corrupt(seq, column, "is not UTF-8 text"))
    };
    let number = |i: usize, column: &str| -> Result<Option<i64>, Error> {
        r.try_get(i).map_err(|_| corrupt(seq, column, "is not a number"))
    };
    Columns {
        seq,
        format: number(1, "format")?.ok_or_else(|| corrupt(seq, "format", "is not a number"))?,
        recorded_at: text(2, "recorded_at")?,
        kind: text(3, "kind")?,
        case_id: text(4, "case_id")?,
        actor: text(5, "actor")?,
        on_date: text(6, "on_date")?,
        version: number(7, "version")?,
        input_sha256: text(8, "input_sha256")?,
        ruleset: text(9, "ruleset")?,
        outcome: text(10, "outcome")?,
        decision: text(11, "decision")?,
        detail: text(12, "detail")?,
        prev_hash: text(13, "prev_hash")?,
        hash: text(14, "hash")?,
    }
    .entry()
}

impl Reader for PgTx<'_> {
    fn entries(
        &self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut after = i64::MIN;
        loop {
            let rows = self.page(filter, after)?;
            let full = i64::try_from(rows.len()).is_ok_and(|n| n >= PAGE);
            for row in &rows {
                let entry = entry_from(row)?;
                after = entry.seq;
                each(entry)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn head(&self) -> Result<Option<(i64, String)>, Error> {
        // The writers' lock already serialises writers; the row lock keeps
        // anyone else from moving the head under this transaction.
        let sql = if self.writer {
            "SELECT seq, hash FROM ledger_head WHERE one = 1 FOR UPDATE"
        } else {
            "SELECT seq, hash FROM ledger_head WHERE one = 1"
        };
        self.optional(sql, &[])?
            .map(|r| {
                r.try_get::<_, i64>(0)
                    .ok()
                    .zip(r.try_get::<_, String>(1).ok())
                    .ok_or_else(|| {
                        Error::Corrupt(
                            "the ledger's recorded head is not a sequence number and a hash".to_owned(),
                        )
                    })
            })
            .transpose()
    }

    fn input(&self, sha256: &str) -> Result<Option<Input>, Error> {
        self.optional(
            "SELECT sha256, name, bytes FROM inputs WHERE sha256 = $1",
            &[&sha256],
        )?
        .map(|r| {
            Ok(Input {
                sha256: r.try_get(0).ok().ok_or_else(|| stored_input(sha256))?,
                name: r.try_get(1).ok().ok_or_else(|| stored_input(sha256))?,
                bytes: r.try_get(2).ok().ok_or_else(|| stored_input(sha256))?,
            })
        })
        .transpose()
    }

    fn rules(&self, fingerprint: &str) -> Result<Option<Vec<Source>>, Error> {
        let stored = self.optional(
            "SELECT sources FROM rulesets WHERE fingerprint = $1",
            &[&fingerprint],
        )?;
        stored
            .map(|r| {
                let json: String = r.try_get(0).map_err(|_| {
                    Error::Corrupt(format!("the stored rule set {fingerprint} does not read"))
                })?;
                crate::sources_from_json(fingerprint, &json)
            })
            .transpose()
    }

    fn rule_fingerprints(&self) -> Result<Vec<String>, Error> {
        self.query("SELECT fingerprint FROM rulesets ORDER BY fingerprint", &[])?
            .iter()
            .map(|r| {
                r.try_get(0)
                    .map_err(|_| Error::Corrupt("a stored rule set's fingerprint is not text".to_owned()))
            })
            .collect()
    }
}

fn stored_input(sha256: &str) -> Error {
    Error::Corrupt(format!("the stored input {sha256} does not read"))
}

impl Writer for PgTx<'_> {
    fn put_input(&mut self, input: &Input) -> Result<(), Error> {
        self.execute(
            "INSERT INTO inputs (sha256, name, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            &[&input.sha256, &input.name, &input.bytes],
        )
    }

    fn put_rules(&mut self, fingerprint: &str, sources: &[Source]) -> Result<(), Error> {
        self.execute(
            "INSERT INTO rulesets (fingerprint, sources) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING",
            &[&fingerprint, &crate::sources_to_json(sources)],
        )
    }

    fn append(&mut self, e: &Entry) -> Result<(), Error> {
        let on = e.on.map(|d| d.to_string());
        self.execute(
            &format!(
                "INSERT INTO ledger ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            ),
            &[
                &e.seq,
                &e.format,
                &e.recorded_at,
                &e.kind.as_str(),
                &e.case_id,
                &e.actor,
                &on,
                &e.version,
                &e.input_sha256,
                &e.ruleset,
                &e.outcome.map(Outcome::as_str),
                &e.decision,
                &e.detail,
                &e.prev_hash,
                &e.hash,
            ],
        )
    }

    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), Error> {
        self.execute(
            "INSERT INTO ledger_head (one, seq, hash) VALUES (1, $1, $2)
             ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            &[&seq, &hash],
        )
    }

    fn commit(mut self: Box<Self>) -> Result<(), Error> {
        if !self.owner {
            return Ok(());
        }
        if self.failed.get() {
            return Err(refused(
                &self.store.location,
                "a statement of the transaction failed: nothing was written",
            ));
        }
        self.owner = false;
        self.store.open.set(false);
        self.store.with(|c| c.batch_execute("COMMIT"))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Fresh PostgreSQL databases for tests, each its own so tests run in
    //! parallel; found through `ACCORD_TEST_POSTGRES` (a URL to an admin
    //! database), else the local server, else skipped.

    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    use super::*;

    /// The local server CI and developers' machines have.
    const DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

    /// The admin database's URL, or `None` (the tests skip) when no server
    /// was named and the local one is not reachable. A server named by
    /// `ACCORD_TEST_POSTGRES` that is not reachable fails the test.
    pub(crate) fn server() -> Option<String> {
        static SERVER: OnceLock<Result<Option<String>, String>> = OnceLock::new();
        let found = SERVER.get_or_init(|| match std::env::var("ACCORD_TEST_POSTGRES") {
            Ok(url) => match Client::connect(&url, NoTls) {
                Ok(_) => Ok(Some(url)),
                Err(e) => Err(format!("ACCORD_TEST_POSTGRES={}: {}", redact(&url), describe(&e))),
            },
            Err(_) => match Client::connect(DEFAULT, NoTls) {
                Ok(_) => Ok(Some(DEFAULT.to_owned())),
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
            Ok(url) => url.clone(),
            Err(why) => panic!("{why}"),
        }
    }

    /// `url` naming database `name` instead.
    pub(crate) fn with_dbname(url: &str, name: &str) -> String {
        let (base, params) = match url.split_once('?') {
            Some((base, params)) => (base, format!("?{params}")),
            None => (url, String::new()),
        };
        let (scheme, rest) = base.split_once("://").unwrap();
        let host = rest.split_once('/').map_or(rest, |(host, _)| host);
        format!("{scheme}://{host}/{name}{params}")
    }

    /// A database created for one test, dropped with it.
    pub(crate) struct TestDatabase {
        admin: String,
        name: String,
        /// Its URL.
        pub(crate) url: String,
    }

    impl TestDatabase {
        pub(crate) fn new(admin: &str) -> TestDatabase {
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
            Client::connect(admin, NoTls)
                .unwrap()
                .batch_execute(&format!(
                    "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
                ))
                .unwrap();
            TestDatabase {
                admin: admin.to_owned(),
                url: with_dbname(admin, &name),
                name,
            }
        }

        /// A connection to it, to look or tamper.
        pub(crate) fn client(&self) -> Client {
            Client::connect(&self.url, NoTls).unwrap()
        }
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            if let Ok(mut admin) = Client::connect(&self.admin, NoTls) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_appears_in_the_location() {
        for (url, shown) in [
            (
                "postgres://u:s3cret@db.example:5432/reg",
                "postgres://u:***@db.example:5432/reg",
            ),
            (
                "postgresql://u@db/reg?password=s3cret&sslmode=disable",
                "postgresql://u@db/reg?password=***&sslmode=disable",
            ),
            ("postgres://u:p@ss@db/reg", "postgres://u:***@db/reg"),
            ("postgres://db/reg", "postgres://db/reg"),
        ] {
            assert_eq!(redact(url), shown);
        }
    }

    #[test]
    fn an_unreachable_server_is_named_without_its_password() {
        let err = PostgresStore::open("postgres://u:s3cret@127.0.0.1:1/reg", Access::Read)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("postgres://u:***@127.0.0.1:1/reg: "), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn a_database_that_does_not_exist_holds_no_register() {
        let Some(admin) = testing::server() else { return };
        let url = testing::with_dbname(&admin, "accord_t_never_created");
        let err = PostgresStore::open(&url, Access::Read).err().unwrap().to_string();
        assert!(
            err.contains("no register here: the database does not exist"),
            "{err}"
        );
    }

    #[test]
    fn a_mark_of_another_application_is_refused_and_left_untouched() {
        let Some(admin) = testing::server() else { return };
        let db = testing::TestDatabase::new(&admin);
        PostgresStore::open(&db.url, Access::Write).unwrap();
        db.client()
            .batch_execute("UPDATE accord_meta SET application = 'something else'")
            .unwrap();
        for access in [Access::Read, Access::Write] {
            let err = PostgresStore::open(&db.url, access).err().unwrap().to_string();
            assert!(
                err.contains("its `accord_meta` does not hold Accord's mark"),
                "{err}"
            );
        }
    }

    #[test]
    fn unrelated_tables_may_share_the_database() {
        let Some(admin) = testing::server() else { return };
        let db = testing::TestDatabase::new(&admin);
        db.client().batch_execute("CREATE TABLE notes (x TEXT)").unwrap();
        let store = PostgresStore::open(&db.url, Access::Write).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_writer_waits_for_the_lock_another_holds() {
        let Some(admin) = testing::server() else { return };
        let db = testing::TestDatabase::new(&admin);
        let mut first = PostgresStore::open(&db.url, Access::Write).unwrap();
        let mut second = PostgresStore::open(&db.url, Access::Write).unwrap();
        let mut holding = first.write().unwrap();
        holding.set_head(1, "sha256:first").unwrap();
        let waiter = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let writer = second.write().unwrap();
            let head = writer.head().unwrap();
            (started.elapsed(), head)
        });
        std::thread::sleep(Duration::from_millis(300));
        holding.commit().unwrap();
        let (waited, head) = waiter.join().unwrap();
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
        assert_eq!(
            head,
            Some((1, "sha256:first".to_owned())),
            "it read the head after the lock"
        );
    }
}
