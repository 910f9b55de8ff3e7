//! The backend seam: transactional primitives a database must offer over
//! an append-only chain of entries, content-addressed inputs and rule sets,
//! and nothing about the workflow. [`crate::Register`] reads, checks and
//! appends inside one [`Writer`]; every check it makes therefore holds when
//! the write commits. A backend reports its own failures as
//! [`crate::Error::Backend`], naming no type of its own.

use accord_core::rules::model::Outcome;
use accord_core::rules::Source;
use chrono::NaiveDate;

use crate::chain::{Entry, Kind};
use crate::{Error, Input};

/// Which entries a scan returns, always in sequence order.
#[derive(Debug, Clone, Copy)]
pub enum Filter<'a> {
    /// Every entry.
    All,
    /// The entries of one case.
    Case(&'a str),
    /// The entries of these kinds.
    Kinds(&'a [Kind]),
}

/// Reading, inside a transaction (a consistent snapshot).
pub trait Reader {
    /// The entries the filter selects, in sequence order, streamed.
    fn entries(
        &self,
        filter: Filter<'_>,
        each: &mut dyn FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// The head recorded with the last append: `(seq, hash)`.
    fn head(&self) -> Result<Option<(i64, String)>, Error>;
    /// A stored input by its sha256.
    fn input(&self, sha256: &str) -> Result<Option<Input>, Error>;
    /// A stored rule set's files by its fingerprint.
    fn rules(&self, fingerprint: &str) -> Result<Option<Vec<Source>>, Error>;
    /// Every stored rule set's fingerprint, sorted.
    fn rule_fingerprints(&self) -> Result<Vec<String>, Error>;
}

/// Writing: one transaction holding the chain's write lock from its start,
/// so that what it read cannot change before it commits. Dropped without
/// [`Writer::commit`], it changes nothing.
pub trait Writer: Reader {
    /// Stores an input once by its sha256 (again is a no-op).
    fn put_input(&mut self, input: &Input) -> Result<(), Error>;
    /// Stores a rule set's files once by its fingerprint (again is a no-op).
    fn put_rules(&mut self, fingerprint: &str, sources: &[Source]) -> Result<(), Error>;
    /// Appends a ledger entry.
    fn append(&mut self, entry: &Entry) -> Result<(), Error>;
    /// Records the head after an append.
    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), Error>;
    /// Makes every write of the transaction durable, or none.
    fn commit(self: Box<Self>) -> Result<(), Error>;
}

/// A database holding a register.
pub trait Store: Send {
    /// The schema version of the database.
    fn schema_version(&self) -> Result<i64, Error>;
    /// A read transaction.
    fn read(&self) -> Result<Box<dyn Reader + '_>, Error>;
    /// A write transaction, holding the chain's write lock.
    fn write(&mut self) -> Result<Box<dyn Writer + '_>, Error>;
}

/// An entry's columns as a backend read them, before they are checked:
/// [`Columns::entry`] checks them alike for every backend, so a register
/// verifies the same on each, and a value that is not what its column holds
/// (an unknown kind, a malformed date) names its entry.
pub(crate) struct Columns {
    pub(crate) seq: i64,
    pub(crate) format: i64,
    pub(crate) recorded_at: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) case_id: Option<String>,
    pub(crate) actor: Option<String>,
    pub(crate) on_date: Option<String>,
    pub(crate) version: Option<i64>,
    pub(crate) input_sha256: Option<String>,
    pub(crate) ruleset: Option<String>,
    pub(crate) outcome: Option<String>,
    pub(crate) decision: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) prev_hash: Option<String>,
    pub(crate) hash: Option<String>,
}

/// A stored value of entry `seq` that cannot be what its column holds.
pub(crate) fn corrupt(seq: i64, column: &str, why: &str) -> Error {
    Error::Corrupt(format!("entry {seq}: its `{column}` {why}"))
}

impl Columns {
    /// The entry these columns hold, or which of them is not what it claims.
    pub(crate) fn entry(self) -> Result<Entry, Error> {
        let seq = self.seq;
        let required =
            |value: Option<String>, column: &str| value.ok_or_else(|| corrupt(seq, column, "is missing"));
        let kind_text = required(self.kind, "kind")?;
        Ok(Entry {
            seq,
            format: self.format,
            recorded_at: required(self.recorded_at, "recorded_at")?,
            kind: Kind::parse(&kind_text)
                .ok_or_else(|| corrupt(seq, "kind", &format!("`{kind_text}` is no kind of entry")))?,
            case_id: self.case_id,
            actor: self.actor,
            on: self
                .on_date
                .map(|d| {
                    NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                        .map_err(|_| corrupt(seq, "on_date", &format!("`{d}` is not a date")))
                })
                .transpose()?,
            version: self.version,
            input_sha256: self.input_sha256,
            ruleset: self.ruleset,
            outcome: self
                .outcome
                .map(|o| {
                    Outcome::parse(&o)
                        .ok_or_else(|| corrupt(seq, "outcome", &format!("`{o}` is not an outcome")))
                })
                .transpose()?,
            decision: self.decision,
            detail: self.detail.unwrap_or_default(),
            prev_hash: required(self.prev_hash, "prev_hash")?,
            hash: required(self.hash, "hash")?,
        })
    }
}
