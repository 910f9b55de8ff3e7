//! The case register and the decision ledger.
//!
//! A host body runs applications as cases (Article 6: acknowledgement and
//! decision periods, the clock stopped while incomplete) and keeps every
//! decision in a ledger whose entries are chained by sha256, so that an
//! altered, deleted, inserted or reordered entry is found.
//!
//! Storage is behind [`Register`], a narrow interface implemented on
//! embedded SQLite (`store.rs` is the only module that speaks SQL); a server
//! database can take its place by reimplementing that one module. The
//! clocks (`clock.rs`) and the chain (`chain.rs`) are pure.
//!
//! Invariants: a case's versions are never overwritten; the ledger is only
//! appended to, inside one transaction that reads the head and writes the
//! next entry, so concurrent writers keep one valid chain.

pub mod chain;
pub mod clock;
mod store;

use chrono::NaiveDate;
use serde::Serialize;

pub use store::{NewVersion, Register};

/// What can go wrong with the register.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened, read or written.
    #[error("{path}: {source}")]
    Database {
        /// The database file.
        path: String,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// A request the register refuses (nothing is changed).
    #[error("{0}")]
    Refused(String),
    /// The database was written by a newer Accord.
    #[error("{path}: schema version {found} is newer than this accord understands ({supported})")]
    NewerSchema {
        /// The database file.
        path: String,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
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
    pub closing_outcome: Option<String>,
    /// Every version, oldest first.
    pub versions: Vec<Version>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Every decision recorded for it, in ledger order.
    pub decisions: Vec<chain::Entry>,
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
    /// The decision contract JSON, compact.
    pub decision: String,
}
