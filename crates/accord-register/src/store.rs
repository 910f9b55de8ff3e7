//! The register on embedded SQLite: the only module that speaks SQL.
//!
//! The schema is created and migrated here (`PRAGMA user_version`). Every
//! change runs in one `IMMEDIATE` transaction (the write lock is taken
//! first, so two processes never interleave a read-then-write) with a busy
//! timeout, in WAL mode; the ledger's head is read and extended inside that
//! transaction. A process killed mid-write leaves the last committed state.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::chain::{self, Entry, GENESIS};
use crate::{Case, Error, Event, Input, NewEntry, Version};

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 1;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
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
"];

/// The register: cases and the decision ledger in one database file.
pub struct Register {
    connection: Connection,
    path: String,
}

/// A version to add.
pub struct NewVersion<'a> {
    /// Date received.
    pub received_on: NaiveDate,
    /// The input.
    pub input: &'a Input,
}

/// Turns SQLite's errors into the register's, naming the database file.
/// The closure owns its copy of the path, so it can be used while a
/// transaction borrows the register.
fn database_error(path: &str) -> impl Fn(rusqlite::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Database {
        path: path.clone(),
        source,
    }
}

fn no_case(id: &str) -> Error {
    Error::Refused(format!(
        "no case `{id}` in the register: open it with `accord case open`"
    ))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn date(text: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn opt_date(text: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    text.as_deref().map(date).transpose()
}

impl Register {
    /// Opens (creating and migrating as needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Register, Error> {
        let name = path.display().to_string();
        let db = database_error(&name);
        let connection = Connection::open(path).map_err(&db)?;
        connection.busy_timeout(Duration::from_secs(60)).map_err(&db)?;
        // WAL lets readers go on while one process writes.
        let _: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&db)?;
        connection
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .map_err(&db)?;
        let mut register = Register {
            connection,
            path: name,
        };
        register.migrate()?;
        Ok(register)
    }

    fn db(&self, source: rusqlite::Error) -> Error {
        database_error(&self.path)(source)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let db = database_error(&self.path);
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&db)?;
        if version > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                path: self.path.clone(),
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

    fn write(&mut self) -> Result<Transaction<'_>, Error> {
        self.connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(database_error(&self.path))
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.db(e))
    }

    /// Registers a new case with its first version. Refused if the id is taken.
    pub fn open_case(
        &mut self,
        id: &str,
        home: &str,
        host: &str,
        first: &NewVersion<'_>,
    ) -> Result<(), Error> {
        let db = database_error(&self.path);
        let tx = self.write()?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT received_on FROM versions WHERE case_id = ?1 AND number = 1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(&db)?;
        if let Some(received) = existing {
            return Err(Error::Refused(format!(
                "case `{id}` is already open (received on {received}): a newer version is added with `accord case evidence`"
            )));
        }
        tx.execute(
            "INSERT INTO cases (id, home_body, host_body) VALUES (?1, ?2, ?3)",
            params![id, home, host],
        )
        .map_err(&db)?;
        insert_version(&tx, id, 1, first).map_err(&db)?;
        event(
            &tx,
            id,
            "opened",
            first.received_on,
            &format!("version 1 received ({})", first.input.name),
        )
        .map_err(&db)?;
        tx.commit().map_err(&db)
    }

    /// Records the acknowledgement. Refused when already acknowledged or dated before receipt.
    pub fn acknowledge(&mut self, id: &str, on: NaiveDate) -> Result<(), Error> {
        let case = self.require(id)?;
        if let Some(done) = case.acknowledged_on {
            return Err(Error::Refused(format!(
                "case `{id}` was already acknowledged on {done}"
            )));
        }
        if let Some(received) = case.received_on() {
            if on < received {
                return Err(Error::Refused(format!(
                    "case `{id}` cannot be acknowledged on {on}, before it was received ({received})"
                )));
            }
        }
        let db = database_error(&self.path);
        let tx = self.write()?;
        let changed = tx
            .execute(
                "UPDATE cases SET acknowledged_on = ?2 WHERE id = ?1 AND acknowledged_on IS NULL",
                params![id, on.to_string()],
            )
            .map_err(&db)?;
        if changed != 1 {
            return Err(Error::Refused(format!("case `{id}` was acknowledged meanwhile")));
        }
        event(&tx, id, "acknowledged", on, "").map_err(&db)?;
        tx.commit().map_err(&db)
    }

    /// Adds a newer version. Refused for a closed case or a receipt date before the current version's.
    pub fn add_version(&mut self, id: &str, version: &NewVersion<'_>) -> Result<i64, Error> {
        let case = self.require(id)?;
        if let (Some(on), Some(outcome)) = (case.closed_on, &case.closing_outcome) {
            return Err(Error::Refused(format!(
                "case `{id}` was closed on {on} by a decision ({outcome}): no further evidence is taken"
            )));
        }
        let current = case.current().map(|v| (v.number, v.received_on));
        if let Some((_, last)) = current {
            if version.received_on < last {
                return Err(Error::Refused(format!(
                    "evidence received on {} is older than the current version (received {last})",
                    version.received_on
                )));
            }
        }
        let number = current.map_or(1, |(n, _)| n + 1);
        let db = database_error(&self.path);
        let tx = self.write()?;
        insert_version(&tx, id, number, version).map_err(&db)?;
        event(
            &tx,
            id,
            "evidence",
            version.received_on,
            &format!("version {number} received ({})", version.input.name),
        )
        .map_err(&db)?;
        tx.commit().map_err(&db)?;
        Ok(number)
    }

    /// Records a case's decision: a ledger entry, an event, and when
    /// `closes`, the case closed on `on` — all in one transaction.
    pub fn record_case_decision(
        &mut self,
        entry: &NewEntry,
        on: NaiveDate,
        outcome: &str,
        closes: bool,
    ) -> Result<Entry, Error> {
        let db = database_error(&self.path);
        let tx = self.write()?;
        // Checked inside the write transaction, so that two processes
        // cannot both decide the same case.
        let closed: Option<Option<String>> = tx
            .query_row(
                "SELECT closed_on FROM cases WHERE id = ?1",
                [&entry.case_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(&db)?;
        match closed {
            None => return Err(no_case(&entry.case_id)),
            Some(Some(closed)) => {
                return Err(Error::Refused(format!(
                    "case `{}` was already decided (closed on {closed})",
                    entry.case_id
                )))
            }
            Some(None) => {}
        }
        let appended = append(&tx, entry).map_err(&db)?;
        let version = entry.version.unwrap_or_default();
        event(
            &tx,
            &entry.case_id,
            "assessed",
            on,
            &format!(
                "version {version} assessed: {outcome} (ledger entry {})",
                appended.seq
            ),
        )
        .map_err(&db)?;
        if closes {
            tx.execute(
                "UPDATE cases SET closed_on = ?2, closing_outcome = ?3 WHERE id = ?1",
                params![entry.case_id, on.to_string(), outcome],
            )
            .map_err(&db)?;
        }
        tx.commit().map_err(&db)?;
        Ok(appended)
    }

    /// Appends decisions to the ledger in one transaction (a batch chunk).
    pub fn record(&mut self, entries: &[NewEntry]) -> Result<Vec<Entry>, Error> {
        let db = database_error(&self.path);
        let tx = self.write()?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            out.push(append(&tx, entry).map_err(&db)?);
        }
        tx.commit().map_err(&db)?;
        Ok(out)
    }

    /// The case `id`, whole; refused when there is none.
    pub fn require(&self, id: &str) -> Result<Case, Error> {
        self.case(id)?.ok_or_else(|| no_case(id))
    }

    /// The case `id`, whole.
    pub fn case(&self, id: &str) -> Result<Option<Case>, Error> {
        let c = &self.connection;
        let head = c
            .query_row(
                "SELECT id, home_body, host_body, acknowledged_on, closed_on, closing_outcome FROM cases WHERE id = ?1",
                [id],
                |r| {
                    Ok(Case {
                        id: r.get(0)?,
                        home_body: r.get(1)?,
                        host_body: r.get(2)?,
                        acknowledged_on: opt_date(r.get(3)?)?,
                        closed_on: opt_date(r.get(4)?)?,
                        closing_outcome: r.get(5)?,
                        versions: Vec::new(),
                        events: Vec::new(),
                        decisions: Vec::new(),
                    })
                },
            )
            .optional()
            .map_err(|e| self.db(e))?;
        let Some(mut case) = head else { return Ok(None) };
        case.versions = self.versions(id).map_err(|e| self.db(e))?;
        case.events = self.events(id).map_err(|e| self.db(e))?;
        let mut decisions = Vec::new();
        self.scan(Some(id), |e| {
            decisions.push(e);
            Ok(())
        })?;
        case.decisions = decisions;
        Ok(Some(case))
    }

    fn versions(&self, id: &str) -> rusqlite::Result<Vec<Version>> {
        let mut stmt = self.connection.prepare(
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
    }

    fn events(&self, id: &str) -> rusqlite::Result<Vec<Event>> {
        let mut stmt = self.connection.prepare(
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
    }

    /// Every case not closed by a decision, by id.
    pub fn open_cases(&self) -> Result<Vec<Case>, Error> {
        let ids: Vec<String> = {
            let mut stmt = self
                .connection
                .prepare("SELECT id FROM cases WHERE closed_on IS NULL ORDER BY id")
                .map_err(|e| self.db(e))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.db(e))?;
            rows.collect::<rusqlite::Result<_>>().map_err(|e| self.db(e))?
        };
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(case) = self.case(&id)? {
                cases.push(case);
            }
        }
        Ok(cases)
    }

    /// Calls `each` with every ledger entry (of one case, or all) in sequence order, streaming.
    pub fn scan(
        &self,
        case: Option<&str>,
        mut each: impl FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let sql =
            "SELECT seq, recorded_at, case_id, version, input_sha256, ruleset, decision, prev_hash, hash
                   FROM ledger WHERE (?1 IS NULL OR case_id = ?1) ORDER BY seq";
        let mut stmt = self.connection.prepare(sql).map_err(|e| self.db(e))?;
        let mut rows = stmt.query([case]).map_err(|e| self.db(e))?;
        while let Some(r) = rows.next().map_err(|e| self.db(e))? {
            let entry = entry_from(r).map_err(|e| self.db(e))?;
            each(entry)?;
        }
        Ok(())
    }

    /// The head recorded with the last append: `(seq, hash)`.
    pub fn head(&self) -> Result<Option<(i64, String)>, Error> {
        self.connection
            .query_row("SELECT seq, hash FROM ledger_head WHERE one = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.db(e))
    }

    /// A stored input by its sha256.
    pub fn input(&self, sha256: &str) -> Result<Option<Input>, Error> {
        self.connection
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
            .map_err(|e| self.db(e))
    }

    /// Runs raw SQL: for tests that tamper with the database on purpose.
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<(), Error> {
        self.connection.execute_batch(sql).map_err(|e| self.db(e))
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
        decision: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

fn store_input(tx: &Transaction<'_>, input: &Input) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO inputs (sha256, name, bytes) VALUES (?1, ?2, ?3)",
        params![input.sha256, input.name, input.bytes],
    )?;
    Ok(())
}

fn insert_version(tx: &Transaction<'_>, id: &str, number: i64, v: &NewVersion<'_>) -> rusqlite::Result<()> {
    store_input(tx, v.input)?;
    tx.execute(
        "INSERT INTO versions (case_id, number, received_on, input_sha256, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, number, v.received_on.to_string(), v.input.sha256, now()],
    )?;
    Ok(())
}

fn event(tx: &Transaction<'_>, id: &str, kind: &str, on: NaiveDate, detail: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO events (case_id, kind, on_date, recorded_at, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, kind, on.to_string(), now(), detail],
    )?;
    Ok(())
}

/// Extends the chain by one entry, inside the caller's write transaction.
fn append(tx: &Transaction<'_>, new: &NewEntry) -> rusqlite::Result<Entry> {
    store_input(tx, &new.input)?;
    let head: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM ledger_head WHERE one = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (seq, prev_hash) = head.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let mut entry = Entry {
        seq,
        recorded_at: now(),
        case_id: new.case_id.clone(),
        version: new.version,
        input_sha256: new.input.sha256.clone(),
        ruleset: new.ruleset.clone(),
        decision: new.decision.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = chain::entry_hash(&entry);
    tx.execute(
        "INSERT INTO ledger (seq, recorded_at, case_id, version, input_sha256, ruleset, decision, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.seq,
            entry.recorded_at,
            entry.case_id,
            entry.version,
            entry.input_sha256,
            entry.ruleset,
            entry.decision,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    tx.execute(
        "INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        params![entry.seq, entry.hash],
    )?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input::new("a.yaml", text.as_bytes().to_vec())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_case_keeps_every_version_and_refuses_a_second_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Register::open(&dir.path().join("a.db")).unwrap();
        assert_eq!(r.schema_version().unwrap(), SCHEMA_VERSION);
        let v1 = input("id: A\n");
        r.open_case(
            "A",
            "PEC",
            "CSE",
            &NewVersion {
                received_on: d("2026-01-05"),
                input: &v1,
            },
        )
        .unwrap();
        let again = r.open_case(
            "A",
            "PEC",
            "CSE",
            &NewVersion {
                received_on: d("2026-01-06"),
                input: &v1,
            },
        );
        assert!(matches!(again, Err(Error::Refused(m)) if m.contains("already open")));
        let v2 = input("id: A\ncpd: []\n");
        assert_eq!(
            r.add_version(
                "A",
                &NewVersion {
                    received_on: d("2026-01-20"),
                    input: &v2
                }
            )
            .unwrap(),
            2
        );
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
        {
            let mut r = Register::open(&path).unwrap();
            r.record(&[NewEntry {
                case_id: "A".into(),
                version: None,
                input: input("x"),
                ruleset: "sha256:r".into(),
                decision: "{}".into(),
            }])
            .unwrap();
        }
        let r = Register::open(&path).unwrap();
        assert_eq!(r.head().unwrap().map(|h| h.0), Some(1));
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
            Register::open(&path),
            Err(Error::NewerSchema { found: 99, .. })
        ));
    }
}
