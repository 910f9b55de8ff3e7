//! The register on embedded SQLite: the only module that speaks its SQL.
//!
//! The schema is created and migrated here (`PRAGMA user_version`), and the
//! file is marked as an Accord register (`PRAGMA application_id`): a SQLite
//! file that is not one is refused, never given Accord's tables. Every write
//! runs in one `IMMEDIATE` transaction (the write lock is taken first, so
//! two processes never interleave a read-then-write) with a busy timeout,
//! in WAL mode; reads run in a deferred transaction, a consistent snapshot.
//! Reading commands open the file read-only. A process killed mid-write
//! leaves the last committed state.

use std::path::Path;
use std::time::Duration;

use accord_core::rules::model::Outcome;
use accord_core::rules::Source;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::chain::Entry;
use crate::store::{corrupt, Columns, Filter, Reader, Store, Writer};
use crate::{Access, Error, Input};

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 3;

/// `PRAGMA application_id` of an Accord register: "ACCD".
const APPLICATION_ID: i64 = 0x4143_4344;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        home_body TEXT NOT NULL,
        host_body TEXT NOT NULL,
        acknowledged_on TEXT,
        closed_on TEXT,
        closing_outcome TEXT
    );
    CREATE TABLE inputs (
        sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        bytes BLOB NOT NULL
    );
    CREATE TABLE versions (
        case_id TEXT NOT NULL REFERENCES cases(id),
        number INTEGER NOT NULL,
        received_on TEXT NOT NULL,
        input_sha256 TEXT NOT NULL REFERENCES inputs(sha256),
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (case_id, number)
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL,
        on_date TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        case_id TEXT NOT NULL,
        version INTEGER,
        input_sha256 TEXT NOT NULL REFERENCES inputs(sha256),
        ruleset TEXT NOT NULL,
        decision TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX ledger_case ON ledger(case_id);
    CREATE TABLE ledger_head (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    ",
    "
    ALTER TABLE ledger ADD COLUMN outcome TEXT;
    UPDATE ledger SET outcome = json_extract(decision, '$.outcome');
    ",
    // Every event in the chain: the ledger holds actors, cases and their
    // events; the unchained case tables go (a register holding cases in
    // them is refused before this runs); rule sets are kept by fingerprint.
    "
    CREATE TABLE ledger_v3 (
        seq INTEGER PRIMARY KEY,
        format INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        case_id TEXT,
        actor TEXT,
        on_date TEXT,
        version INTEGER,
        input_sha256 TEXT,
        ruleset TEXT,
        outcome TEXT,
        decision TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    INSERT INTO ledger_v3
        SELECT seq, 1, recorded_at, 'decision', case_id, NULL, NULL, version, input_sha256,
               ruleset, outcome, decision, '', prev_hash, hash
        FROM ledger;
    DROP TABLE ledger;
    ALTER TABLE ledger_v3 RENAME TO ledger;
    CREATE INDEX ledger_case ON ledger(case_id, seq);
    CREATE INDEX ledger_kind ON ledger(kind, seq);
    DROP TABLE events;
    DROP TABLE versions;
    DROP TABLE cases;
    CREATE TABLE rulesets (
        fingerprint TEXT PRIMARY KEY,
        sources TEXT NOT NULL
    );
    ",
];

/// A register in one SQLite file.
pub(crate) struct SqliteStore {
    connection: Connection,
    location: String,
}

/// Turns SQLite's errors into the register's, naming the database file.
fn backend(location: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Backend {
        location: location.to_owned(),
        source: Box::new(source),
    }
}

fn refused(location: &str, message: &str) -> Error {
    Error::Refused(format!("{location}: {message}"))
}

/// What a file holds, told by its marks before anything is written to it.
enum Found {
    /// An Accord register at this schema version.
    Register(i64),
    /// A SQLite file with nothing in it (or a zero-byte file).
    Empty,
    /// Something else.
    Foreign,
}

fn found(connection: &Connection) -> rusqlite::Result<Found> {
    let id: i64 = connection.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = connection.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    let ledger: i64 = connection.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('ledger', 'ledger_head')",
        [],
        |r| r.get(0),
    )?;
    Ok(match (id, version, tables) {
        (APPLICATION_ID, v, _) => Found::Register(v),
        // Registers written before the file was marked.
        (0, 1 | 2, _) if ledger == 2 => Found::Register(version),
        (0, 0, 0) => Found::Empty,
        _ => Found::Foreign,
    })
}

impl SqliteStore {
    /// Opens the register at `path`: read-only for reading (which never
    /// creates one), or read-write, creating and migrating as needed.
    pub(crate) fn open(path: &Path, access: Access) -> Result<SqliteStore, Error> {
        let location = path.display().to_string();
        let db = backend(&location);
        let connection = match access {
            Access::Read => {
                if !path.exists() {
                    return Err(refused(
                        &location,
                        "no register here (reading commands never create one)",
                    ));
                }
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI;
                Connection::open_with_flags(path, flags)
                    .or_else(|_| {
                        // A read-only file in a read-only folder cannot get
                        // its shared-memory file: read it as immutable.
                        let uri = format!("file:{}?immutable=1", path.display());
                        Connection::open_with_flags(uri, flags)
                    })
                    .map_err(&db)?
            }
            Access::Write => Connection::open(path).map_err(&db)?,
        };
        connection.busy_timeout(Duration::from_secs(60)).map_err(&db)?;
        match found(&connection).map_err(&db)? {
            Found::Foreign => {
                return Err(refused(
                    &location,
                    "not an Accord register (another SQLite database, or not a database): refusing to touch it",
                ))
            }
            Found::Empty if access == Access::Read => {
                return Err(refused(&location, "an empty file, not an Accord register"))
            }
            Found::Register(version) if version > SCHEMA_VERSION => {
                return Err(Error::NewerSchema {
                    location: location.clone(),
                    found: version,
                    supported: SCHEMA_VERSION,
                })
            }
            Found::Register(version) if version < SCHEMA_VERSION && access == Access::Read => {
                return Err(refused(
                    &location,
                    &format!("written by an earlier Accord (schema {version}): run a writing command on it once to bring it to schema {SCHEMA_VERSION}"),
                ))
            }
            Found::Register(_) | Found::Empty => {}
        }
        if access == Access::Write {
            // WAL lets readers go on while one process writes.
            let _: String = connection
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(&db)?;
            connection
                .execute_batch("PRAGMA synchronous = FULL;")
                .map_err(&db)?;
        }
        drop(db);
        let mut store = SqliteStore { connection, location };
        if access == Access::Write {
            store.migrate()?;
        }
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let db = backend(&self.location);
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&db)?;
        for (i, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            if i == 2 {
                let cases: i64 = tx
                    .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
                    .map_err(&db)?;
                if cases > 0 {
                    return Err(refused(
                        &self.location,
                        &format!(
                            "holds {cases} cases an earlier Accord kept outside the chain; they cannot be chained after the fact, so the file is left as it is (its ledger still verifies with that version)"
                        ),
                    ));
                }
            }
            tx.execute_batch(migration).map_err(&db)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(&db)?;
        }
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
            .map_err(&db)?;
        tx.commit().map_err(&db)
    }
}

impl Store for SqliteStore {
    fn schema_version(&self) -> Result<i64, Error> {
        self.connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(backend(&self.location))
    }

    /// A snapshot; a read made while another is open (reading each
    /// entry's input during a scan) joins the one already open.
    fn read(&self) -> Result<Box<dyn Reader + '_>, Error> {
        let tx = if self.connection.is_autocommit() {
            Some(
                Transaction::new_unchecked(&self.connection, TransactionBehavior::Deferred)
                    .map_err(backend(&self.location))?,
            )
        } else {
            None
        };
        Ok(Box::new(SqliteTx {
            conn: &self.connection,
            tx,
            location: &self.location,
        }))
    }

    fn write(&mut self) -> Result<Box<dyn Writer + '_>, Error> {
        let tx = Transaction::new_unchecked(&self.connection, TransactionBehavior::Immediate)
            .map_err(backend(&self.location))?;
        Ok(Box::new(SqliteTx {
            conn: &self.connection,
            tx: Some(tx),
            location: &self.location,
        }))
    }
}

/// One transaction, read or write; statements run on its connection.
struct SqliteTx<'c> {
    conn: &'c Connection,
    tx: Option<Transaction<'c>>,
    location: &'c str,
}

impl SqliteTx<'_> {
    fn db(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        backend(self.location)
    }
}

const COLUMNS: &str = "seq, format, recorded_at, kind, case_id, actor, on_date, version, input_sha256, ruleset, outcome, decision, detail, prev_hash, hash";

/// Reads one row as an entry; a value that is not what its column holds
/// (text that is not UTF-8, a number that is not one, an unknown kind, a
/// malformed date) names the entry.
fn entry_from(r: &rusqlite::Row<'_>, location: &str) -> Result<Entry, Error> {
    let db = backend(location);
    let seq: i64 = r.get(0).map_err(&db)?;
    let text = |i: usize, column: &str| -> Result<Option<String>, Error> {
        match r.get_ref(i).map_err(&db)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Ok(Some(s.to_owned())),
                Err(_) => Err(corrupt(seq, column, "is not UTF-8 text")),
            },
            ValueRef::Integer(n) => Ok(Some(n.to_string())),
            ValueRef::Real(x) => Ok(Some(x.to_string())),
        }
    };
    Columns {
        seq,
        format: r.get(1).map_err(|_| corrupt(seq, "format", "is not a number"))?,
        recorded_at: text(2, "recorded_at")?,
        kind: text(3, "kind")?,
        case_id: text(4, "case_id")?,
        actor: text(5, "actor")?,
        on_date: text(6, "on_date")?,
        version: r.get(7).map_err(|_| corrupt(seq, "version", "is not a number"))?,
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

impl Reader for SqliteTx<'_> {
    fn entries(
        &self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let kinds: Vec<&str> = match filter {
            Filter::Kinds(kinds) => kinds.iter().map(|k| k.as_str()).collect(),
            _ => Vec::new(),
        };
        let sql = match filter {
            Filter::All => format!("SELECT {COLUMNS} FROM ledger ORDER BY seq"),
            Filter::Case(_) => {
                format!("SELECT {COLUMNS} FROM ledger WHERE case_id = ?1 AND kind != 'decision' ORDER BY seq")
            }
            Filter::Kinds(_) => format!(
                "SELECT {COLUMNS} FROM ledger WHERE kind IN (SELECT value FROM json_each(?1)) ORDER BY seq"
            ),
        };
        let mut stmt = self.conn.prepare(&sql).map_err(self.db())?;
        let mut rows = match filter {
            Filter::All => stmt.query([]),
            Filter::Case(id) => stmt.query([id]),
            Filter::Kinds(_) => stmt.query([serde_json::to_string(&kinds).unwrap_or_default()]),
        }
        .map_err(self.db())?;
        while let Some(r) = rows.next().map_err(self.db())? {
            each(entry_from(r, self.location)?)?;
        }
        Ok(())
    }

    fn head(&self) -> Result<Option<(i64, String)>, Error> {
        self.conn
            .query_row("SELECT seq, hash FROM ledger_head WHERE one = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.db())
    }

    fn input(&self, sha256: &str) -> Result<Option<Input>, Error> {
        self.conn
            .query_row(
                "SELECT sha256, name, bytes FROM inputs WHERE sha256 = ?1",
                [sha256],
                |r| {
                    Ok(Input {
                        sha256: r.get(0)?,
                        name: r.get(1)?,
                        bytes: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(self.db())
    }

    fn rules(&self, fingerprint: &str) -> Result<Option<Vec<Source>>, Error> {
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT sources FROM rulesets WHERE fingerprint = ?1",
                [fingerprint],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db())?;
        stored
            .map(|json| crate::sources_from_json(fingerprint, &json))
            .transpose()
    }

    fn rule_fingerprints(&self) -> Result<Vec<String>, Error> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self
                .conn
                .prepare("SELECT fingerprint FROM rulesets ORDER BY fingerprint")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        };
        read().map_err(self.db())
    }
}

impl Writer for SqliteTx<'_> {
    fn put_input(&mut self, input: &Input) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO inputs (sha256, name, bytes) VALUES (?1, ?2, ?3)",
                params![input.sha256, input.name, input.bytes],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn put_rules(&mut self, fingerprint: &str, sources: &[Source]) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO rulesets (fingerprint, sources) VALUES (?1, ?2)",
                params![fingerprint, crate::sources_to_json(sources)],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn append(&mut self, e: &Entry) -> Result<(), Error> {
        self.conn
            .execute(
                &format!("INSERT INTO ledger ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
                params![
                    e.seq,
                    e.format,
                    e.recorded_at,
                    e.kind.as_str(),
                    e.case_id,
                    e.actor,
                    e.on.map(|d| d.to_string()),
                    e.version,
                    e.input_sha256,
                    e.ruleset,
                    e.outcome.map(Outcome::as_str),
                    e.decision,
                    e.detail,
                    e.prev_hash,
                    e.hash
                ],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?1, ?2)
                 ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                params![seq, hash],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn commit(self: Box<Self>) -> Result<(), Error> {
        let location = self.location;
        match self.tx {
            Some(tx) => tx.commit().map_err(backend(location)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Kind;

    // Refusing someone else's data, reading without creating and a newer
    // schema are tested on every backend in `crate::tests`.

    #[test]
    fn a_zero_byte_file_is_not_a_register() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zero.db");
        std::fs::write(&path, b"").unwrap();
        let err = SqliteStore::open(&path, Access::Read).err().unwrap().to_string();
        assert!(err.contains("an empty file, not an Accord register"), "{err}");
    }

    #[test]
    fn a_schema_two_ledger_is_kept_as_format_one_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(MIGRATIONS[1]).unwrap();
            c.execute_batch(
                "PRAGMA user_version = 2;
                 INSERT INTO inputs VALUES ('sha256:i', 'a.yaml', X'00');
                 INSERT INTO ledger (seq, recorded_at, case_id, version, input_sha256, ruleset, decision, prev_hash, hash, outcome)
                   VALUES (1, 't', 'A', NULL, 'sha256:i', 'sha256:r', '{\"outcome\":\"referred\"}', 'p', 'h', 'referred');
                 INSERT INTO ledger_head VALUES (1, 1, 'h');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path, Access::Write).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mut seen = Vec::new();
        store
            .read()
            .unwrap()
            .entries(Filter::All, &mut |e| {
                seen.push((e.format, e.kind, e.outcome));
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, [(1, Kind::Decision, Some(Outcome::Referred))]);
    }

    #[test]
    fn a_schema_two_register_with_cases_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(MIGRATIONS[1]).unwrap();
            c.execute_batch("PRAGMA user_version = 2; INSERT INTO cases (id, home_body, host_body) VALUES ('A', 'PEC', 'CSE');")
                .unwrap();
        }
        let err = SqliteStore::open(&path, Access::Write).err().unwrap().to_string();
        assert!(err.contains("holds 1 cases"), "{err}");
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
    }
}
