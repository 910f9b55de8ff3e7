//! The register on embedded SQLite: the only module that speaks SQL.
//!
//! The schema is created and migrated here (`PRAGMA user_version`). Every
//! write runs in one `IMMEDIATE` transaction (the write lock is taken first,
//! so two processes never interleave a read-then-write) with a busy timeout,
//! in WAL mode; reads run in a deferred transaction, a consistent snapshot.
//! A process killed mid-write leaves the last committed state.

use std::path::Path;
use std::time::Duration;

use accord_core::rules::model::Outcome;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::chain::Entry;
use crate::store::{CaseRow, Reader, Store, Writer};
use crate::{Error, Event, Input, Version};

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 2;

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
    // The decision's outcome as a column of its own, so that nothing reads
    // it back out of the decision JSON.
    "
    ALTER TABLE ledger ADD COLUMN outcome TEXT;
    UPDATE ledger SET outcome = json_extract(decision, '$.outcome');
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

fn date(text: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn opt_date(text: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    text.as_deref().map(date).transpose()
}

fn outcome(text: &str) -> rusqlite::Result<Outcome> {
    Outcome::parse(text)
        .ok_or_else(|| rusqlite::Error::ToSqlConversionFailure(format!("`{text}` is not an outcome").into()))
}

impl SqliteStore {
    /// Opens (creating and migrating as needed) the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<SqliteStore, Error> {
        let location = path.display().to_string();
        let db = backend(&location);
        let connection = Connection::open(path).map_err(&db)?;
        connection.busy_timeout(Duration::from_secs(60)).map_err(&db)?;
        // WAL lets readers go on while one process writes.
        let _: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&db)?;
        connection
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(&db)?;
        drop(db);
        let mut store = SqliteStore { connection, location };
        store.migrate()?;
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
        if version > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                location: self.location.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(migration).map_err(&db)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(&db)?;
        }
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

fn entry_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        recorded_at: r.get(1)?,
        case_id: r.get(2)?,
        version: r.get(3)?,
        input_sha256: r.get(4)?,
        ruleset: r.get(5)?,
        outcome: outcome(&r.get::<_, String>(6)?)?,
        decision: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

impl Reader for SqliteTx<'_> {
    fn case_row(&self, id: &str) -> Result<Option<CaseRow>, Error> {
        self.conn
            .query_row(
                "SELECT id, home_body, host_body, acknowledged_on, closed_on, closing_outcome FROM cases WHERE id = ?1",
                [id],
                |r| {
                    Ok(CaseRow {
                        id: r.get(0)?,
                        home_body: r.get(1)?,
                        host_body: r.get(2)?,
                        acknowledged_on: opt_date(r.get(3)?)?,
                        closed_on: opt_date(r.get(4)?)?,
                        closing_outcome: r.get::<_, Option<String>>(5)?.as_deref().map(outcome).transpose()?,
                    })
                },
            )
            .optional()
            .map_err(self.db())
    }

    fn versions(&self, id: &str) -> Result<Vec<Version>, Error> {
        let read = || -> rusqlite::Result<Vec<Version>> {
            let mut stmt = self.conn.prepare(
                "SELECT v.number, v.received_on, i.name, v.input_sha256, v.recorded_at, i.bytes
                 FROM versions v JOIN inputs i ON i.sha256 = v.input_sha256
                 WHERE v.case_id = ?1 ORDER BY v.number",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Version {
                    number: r.get(0)?,
                    received_on: date(&r.get::<_, String>(1)?)?,
                    file_name: r.get(2)?,
                    sha256: r.get(3)?,
                    recorded_at: r.get(4)?,
                    bytes: r.get(5)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(self.db())
    }

    fn events(&self, id: &str) -> Result<Vec<Event>, Error> {
        let read = || -> rusqlite::Result<Vec<Event>> {
            let mut stmt = self.conn.prepare(
                "SELECT seq, kind, on_date, recorded_at, detail FROM events WHERE case_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Event {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    on: date(&r.get::<_, String>(2)?)?,
                    recorded_at: r.get(3)?,
                    detail: r.get(4)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(self.db())
    }

    fn open_case_ids(&self) -> Result<Vec<String>, Error> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM cases WHERE closed_on IS NULL ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        };
        read().map_err(self.db())
    }

    fn entries(
        &self,
        case: Option<&str>,
        each: &mut dyn FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let sql = "SELECT seq, recorded_at, case_id, version, input_sha256, ruleset, outcome, decision, prev_hash, hash
                   FROM ledger WHERE (?1 IS NULL OR case_id = ?1) ORDER BY seq";
        let mut stmt = self.conn.prepare(sql).map_err(self.db())?;
        let mut rows = stmt.query([case]).map_err(self.db())?;
        while let Some(r) = rows.next().map_err(self.db())? {
            each(entry_from(r).map_err(self.db())?)?;
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
}

impl Writer for SqliteTx<'_> {
    fn insert_case(&mut self, id: &str, home: &str, host: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO cases (id, home_body, host_body) VALUES (?1, ?2, ?3)",
                params![id, home, host],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn insert_version(
        &mut self,
        id: &str,
        number: i64,
        received_on: NaiveDate,
        sha256: &str,
        recorded_at: &str,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO versions (case_id, number, received_on, input_sha256, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, number, received_on.to_string(), sha256, recorded_at],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn insert_event(
        &mut self,
        id: &str,
        kind: &str,
        on: NaiveDate,
        recorded_at: &str,
        detail: &str,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO events (case_id, kind, on_date, recorded_at, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, kind, on.to_string(), recorded_at, detail],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn set_acknowledged(&mut self, id: &str, on: NaiveDate) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE cases SET acknowledged_on = ?2 WHERE id = ?1",
                params![id, on.to_string()],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn close_case(&mut self, id: &str, on: NaiveDate, outcome: Outcome) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE cases SET closed_on = ?2, closing_outcome = ?3 WHERE id = ?1",
                params![id, on.to_string(), outcome.as_str()],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn put_input(&mut self, input: &Input) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO inputs (sha256, name, bytes) VALUES (?1, ?2, ?3)",
                params![input.sha256, input.name, input.bytes],
            )
            .map(drop)
            .map_err(self.db())
    }

    fn append(&mut self, e: &Entry) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT INTO ledger (seq, recorded_at, case_id, version, input_sha256, ruleset, outcome, decision, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    e.seq,
                    e.recorded_at,
                    e.case_id,
                    e.version,
                    e.input_sha256,
                    e.ruleset,
                    e.outcome.as_str(),
                    e.decision,
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
    use crate::{NewEntry, NewVersion, Register, SystemClock};

    fn input(text: &str) -> Input {
        Input::new("a.yaml", text.as_bytes().to_vec())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn register(path: &Path) -> Register {
        Register::new(Box::new(SqliteStore::open(path).unwrap()), Box::new(SystemClock))
    }

    #[test]
    fn a_case_keeps_every_version_and_refuses_a_second_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = register(&dir.path().join("a.db"));
        assert_eq!(r.schema_version().unwrap(), SCHEMA_VERSION);
        let v1 = input("id: A\n");
        let first = NewVersion {
            received_on: d("2026-01-05"),
            input: &v1,
        };
        r.open_case("A", "PEC", "CSE", &first).unwrap();
        let again = r.open_case("A", "PEC", "CSE", &first);
        assert!(matches!(again, Err(Error::Refused(m)) if m.contains("already open")));
        let v2 = input("id: A\ncpd: []\n");
        let second = NewVersion {
            received_on: d("2026-01-20"),
            input: &v2,
        };
        assert_eq!(r.add_version("A", &second).unwrap(), 2);
        let old = r.add_version(
            "A",
            &NewVersion {
                received_on: d("2026-01-19"),
                input: &v2,
            },
        );
        assert!(matches!(old, Err(Error::Refused(_))));
        let case = r.case("A").unwrap().unwrap();
        assert_eq!(case.versions.len(), 2);
        assert_eq!(case.versions[0].bytes, b"id: A\n");
        assert_eq!(case.events.len(), 2);
    }

    #[test]
    fn reopening_an_existing_database_keeps_its_data_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        register(&path)
            .record(&[NewEntry {
                case_id: "A".into(),
                version: None,
                input: input("x"),
                ruleset: "sha256:r".into(),
                outcome: Outcome::Standard,
                decision: "{}".into(),
            }])
            .unwrap();
        let r = register(&path);
        assert_eq!(r.head().unwrap().map(|h| h.0), Some(1));
    }

    #[test]
    fn a_version_one_database_gains_the_outcome_column_from_its_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO inputs VALUES ('sha256:i', 'a.yaml', X'00');
                 INSERT INTO ledger VALUES (1, 't', 'A', NULL, 'sha256:i', 'sha256:r', '{\"outcome\":\"referred\"}', 'p', 'h');",
            )
            .unwrap();
        }
        let r = register(&path);
        let mut outcomes = Vec::new();
        r.scan(None, |e| {
            outcomes.push(e.outcome);
            Ok(())
        })
        .unwrap();
        assert_eq!(outcomes, [Outcome::Referred]);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&path),
            Err(Error::NewerSchema { found: 99, .. })
        ));
    }
}
