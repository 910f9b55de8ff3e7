//! The case register and the decision ledger.
//!
//! A host body runs applications as cases (Article 6: acknowledgement and
//! decision periods, the clock stopped while incomplete) and keeps every
//! decision in a ledger whose entries are chained by sha256, so that an
//! altered, deleted, inserted or reordered entry is found.
//!
//! [`Register`] owns the workflow rules (a case is opened once, acknowledged
//! once and not before its receipt, versions come in order, what closes a
//! case) and runs each request as one transaction of a [`Store`], the
//! backend's narrow interface of transactional primitives: SQLite is one
//! implementation (`sqlite.rs`, the only module that speaks SQL), and a
//! server database needs no change outside its own module. The clocks
//! (`clock.rs`) and the chain (`chain.rs`) are pure.
//!
//! Invariants: a case's versions are never overwritten; the ledger is only
//! appended to, inside one transaction that reads the head and writes the
//! next entry, so concurrent writers keep one valid chain; every workflow
//! check is made inside the transaction that writes, so two processes
//! cannot both pass it; the clock is passed in, never read here.

pub mod chain;
pub mod clock;
mod sqlite;
pub mod store;

use std::path::Path;

use accord_core::rules::model::{Outcome, Procedure};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use chain::{Entry, GENESIS};
use store::{CaseRow, Store, Writer};

/// What can go wrong with the register.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The backend could not be opened, read or written.
    #[error("{location}: {source}")]
    Backend {
        /// Which database (a file path, or a server without its password).
        location: String,
        /// The backend's reason.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A request the register refuses (nothing is changed).
    #[error("{0}")]
    Refused(String),
    /// The database was written by a newer Accord.
    #[error("{location}: schema version {found} is newer than this accord understands ({supported})")]
    NewerSchema {
        /// Which database.
        location: String,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
}

/// Where the register's time comes from: the system's, or a test's.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date (UTC).
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant: for tests that choose today.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// One received version of an application file, kept byte for byte.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// 1, 2, ...
    pub number: i64,
    /// Date received.
    pub received_on: NaiveDate,
    /// The file name it came from.
    pub file_name: String,
    /// `sha256:` + hex of the bytes.
    pub sha256: String,
    /// When it was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// The exact bytes.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Something that happened to a case.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Order of recording.
    pub seq: i64,
    /// `opened`, `acknowledged`, `evidence`, `assessed`.
    pub kind: String,
    /// The date it happened on (receipt, acknowledgement, assessment).
    pub on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: String,
    /// Details for a person.
    pub detail: String,
}

/// A case, whole.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// The application's id.
    pub id: String,
    /// Home body of the application.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
    /// Acknowledged on, if it was.
    pub acknowledged_on: Option<NaiveDate>,
    /// Closed by a decision on, if it was.
    pub closed_on: Option<NaiveDate>,
    /// The outcome that closed it.
    pub closing_outcome: Option<Outcome>,
    /// Every version, oldest first.
    pub versions: Vec<Version>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Every decision recorded for it, in ledger order.
    pub decisions: Vec<Entry>,
}

impl Case {
    /// The latest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The date the case was first received.
    pub fn received_on(&self) -> Option<NaiveDate> {
        self.versions.first().map(|v| v.received_on)
    }
}

/// An application's input, stored once by content.
#[derive(Debug, Clone)]
pub struct Input {
    /// `sha256:` + hex of the bytes.
    pub sha256: String,
    /// File name (its extension tells the format).
    pub name: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// An input from its bytes.
    pub fn new(name: &str, bytes: Vec<u8>) -> Input {
        Input {
            sha256: chain::sha256_hex(&bytes),
            name: name.to_owned(),
            bytes,
        }
    }
}

/// A decision to append to the ledger.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Case (application) id.
    pub case_id: String,
    /// The case version decided, for `case assess`.
    pub version: Option<i64>,
    /// The input decided.
    pub input: Input,
    /// Rule-set fingerprint.
    pub ruleset: String,
    /// The decision's outcome.
    pub outcome: Outcome,
    /// The decision contract JSON, compact.
    pub decision: String,
}

/// A version to add.
pub struct NewVersion<'a> {
    /// Date received.
    pub received_on: NaiveDate,
    /// The input.
    pub input: &'a Input,
}

fn no_case(id: &str) -> Error {
    Error::Refused(format!(
        "no case `{id}` in the register: open it with `accord case open`"
    ))
}

/// The case register and decision ledger: the workflow's rules over a store.
pub struct Register {
    store: Box<dyn Store>,
    clock: Box<dyn Clock>,
}

impl Register {
    /// Opens (creating and migrating as needed) the SQLite register at `path`,
    /// on the system clock.
    pub fn open(path: &Path) -> Result<Register, Error> {
        Ok(Register::new(
            Box::new(sqlite::SqliteStore::open(path)?),
            Box::new(SystemClock),
        ))
    }

    /// A register over any store, on any clock.
    pub fn new(store: Box<dyn Store>, clock: Box<dyn Clock>) -> Register {
        Register { store, clock }
    }

    /// Today, by the register's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.store.schema_version()
    }

    fn now(&self) -> String {
        self.clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    /// Registers a new case with its first version. Refused if the id is taken.
    pub fn open_case(
        &mut self,
        id: &str,
        home: &str,
        host: &str,
        first: &NewVersion<'_>,
    ) -> Result<(), Error> {
        let now = self.now();
        let mut tx = self.store.write()?;
        if let Some(received) = tx.versions(id)?.first().map(|v| v.received_on) {
            return Err(Error::Refused(format!(
                "case `{id}` is already open (received on {received}): a newer version is added with `accord case evidence`"
            )));
        }
        tx.insert_case(id, home, host)?;
        tx.put_input(first.input)?;
        tx.insert_version(id, 1, first.received_on, &first.input.sha256, &now)?;
        tx.insert_event(
            id,
            "opened",
            first.received_on,
            &now,
            &format!("version 1 received ({})", first.input.name),
        )?;
        tx.commit()
    }

    /// Records the acknowledgement. Refused when already acknowledged or dated before receipt.
    pub fn acknowledge(&mut self, id: &str, on: NaiveDate) -> Result<(), Error> {
        let now = self.now();
        let mut tx = self.store.write()?;
        let row = tx.case_row(id)?.ok_or_else(|| no_case(id))?;
        if let Some(done) = row.acknowledged_on {
            return Err(Error::Refused(format!(
                "case `{id}` was already acknowledged on {done}"
            )));
        }
        if let Some(received) = tx.versions(id)?.first().map(|v| v.received_on) {
            if on < received {
                return Err(Error::Refused(format!(
                    "case `{id}` cannot be acknowledged on {on}, before it was received ({received})"
                )));
            }
        }
        tx.set_acknowledged(id, on)?;
        tx.insert_event(id, "acknowledged", on, &now, "")?;
        tx.commit()
    }

    /// Adds a newer version. Refused for a closed case or a receipt date
    /// before the current version's; the number is taken inside the write,
    /// so two processes cannot add the same one.
    pub fn add_version(&mut self, id: &str, version: &NewVersion<'_>) -> Result<i64, Error> {
        let now = self.now();
        let mut tx = self.store.write()?;
        let row = tx.case_row(id)?.ok_or_else(|| no_case(id))?;
        if let (Some(on), Some(outcome)) = (row.closed_on, row.closing_outcome) {
            return Err(Error::Refused(format!(
                "case `{id}` was closed on {on} by a decision ({}): no further evidence is taken",
                outcome.as_str()
            )));
        }
        let current = tx.versions(id)?.last().map(|v| (v.number, v.received_on));
        if let Some((_, last)) = current {
            if version.received_on < last {
                return Err(Error::Refused(format!(
                    "evidence received on {} is older than the current version (received {last})",
                    version.received_on
                )));
            }
        }
        let number = current.map_or(1, |(n, _)| n + 1);
        tx.put_input(version.input)?;
        tx.insert_version(id, number, version.received_on, &version.input.sha256, &now)?;
        tx.insert_event(
            id,
            "evidence",
            version.received_on,
            &now,
            &format!("version {number} received ({})", version.input.name),
        )?;
        tx.commit()?;
        Ok(number)
    }

    /// Records a case's decision: a ledger entry, an event, and unless the
    /// procedure's clock-stopping outcome says otherwise, the case closed on
    /// `on` — all in one transaction. Returns the entry and whether it closed the case.
    pub fn record_case_decision(
        &mut self,
        entry: &NewEntry,
        on: NaiveDate,
        procedure: Option<&Procedure>,
    ) -> Result<(Entry, bool), Error> {
        let now = self.now();
        let id = &entry.case_id;
        let mut tx = self.store.write()?;
        let row = tx.case_row(id)?.ok_or_else(|| no_case(id))?;
        if let Some(closed) = row.closed_on {
            return Err(Error::Refused(format!(
                "case `{id}` was already decided (closed on {closed})"
            )));
        }
        let closes = closes(procedure, entry.outcome);
        let appended = append(tx.as_mut(), entry, &now)?;
        let version = entry.version.unwrap_or_default();
        tx.insert_event(
            id,
            "assessed",
            on,
            &now,
            &format!(
                "version {version} assessed: {} (ledger entry {})",
                entry.outcome.as_str(),
                appended.seq
            ),
        )?;
        if closes {
            tx.close_case(id, on, entry.outcome)?;
        }
        tx.commit()?;
        Ok((appended, closes))
    }

    /// Appends decisions to the ledger in one transaction (a batch chunk).
    pub fn record(&mut self, entries: &[NewEntry]) -> Result<Vec<Entry>, Error> {
        let now = self.now();
        let mut tx = self.store.write()?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            out.push(append(tx.as_mut(), entry, &now)?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// The case `id`, whole; refused when there is none.
    pub fn require(&self, id: &str) -> Result<Case, Error> {
        self.case(id)?.ok_or_else(|| no_case(id))
    }

    /// The case `id`, whole.
    pub fn case(&self, id: &str) -> Result<Option<Case>, Error> {
        let tx = self.store.read()?;
        let Some(row) = tx.case_row(id)? else {
            return Ok(None);
        };
        let mut decisions = Vec::new();
        tx.entries(Some(id), &mut |e| {
            decisions.push(e);
            Ok(())
        })?;
        Ok(Some(case_from(row, tx.versions(id)?, tx.events(id)?, decisions)))
    }

    /// Every case not closed by a decision, by id.
    pub fn open_cases(&self) -> Result<Vec<Case>, Error> {
        let ids = self.store.read()?.open_case_ids()?;
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
        self.store.read()?.entries(case, &mut each)
    }

    /// The head recorded with the last append: `(seq, hash)`.
    pub fn head(&self) -> Result<Option<(i64, String)>, Error> {
        self.store.read()?.head()
    }

    /// A stored input by its sha256.
    pub fn input(&self, sha256: &str) -> Result<Option<Input>, Error> {
        self.store.read()?.input(sha256)
    }
}

/// Whether a decision with `outcome` closes its case: any outcome but the
/// one the procedure says stops the clock (6.3, `incomplete`).
fn closes(procedure: Option<&Procedure>, outcome: Outcome) -> bool {
    procedure.is_none_or(|p| p.clock_stopped_by != outcome)
}

fn case_from(row: CaseRow, versions: Vec<Version>, events: Vec<Event>, decisions: Vec<Entry>) -> Case {
    Case {
        id: row.id,
        home_body: row.home_body,
        host_body: row.host_body,
        acknowledged_on: row.acknowledged_on,
        closed_on: row.closed_on,
        closing_outcome: row.closing_outcome,
        versions,
        events,
        decisions,
    }
}

/// Extends the chain by one entry, inside the caller's write transaction.
fn append(tx: &mut dyn Writer, new: &NewEntry, now: &str) -> Result<Entry, Error> {
    tx.put_input(&new.input)?;
    let (seq, prev_hash) = tx.head()?.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let mut entry = Entry {
        seq,
        recorded_at: now.to_owned(),
        case_id: new.case_id.clone(),
        version: new.version,
        input_sha256: new.input.sha256.clone(),
        ruleset: new.ruleset.clone(),
        outcome: new.outcome,
        decision: new.decision.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = chain::entry_hash(&entry);
    tx.append(&entry)?;
    tx.set_head(entry.seq, &entry.hash)?;
    Ok(entry)
}
