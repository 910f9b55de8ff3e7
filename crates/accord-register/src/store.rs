//! The backend seam: transactional primitives a database must offer, and
//! nothing about the workflow. [`crate::Register`] reads and checks, then
//! writes, inside one [`Writer`]; every check it makes therefore holds when
//! the write commits. A backend reports its own failures as
//! [`crate::Error::Backend`], naming no type of its own.

use accord_core::rules::model::Outcome;
use chrono::NaiveDate;

use crate::chain::Entry;
use crate::{Error, Event, Input, Version};

/// A case's own row: what is not a version, an event or a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// The application's id.
    pub id: String,
    /// Home body.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
    /// Acknowledged on.
    pub acknowledged_on: Option<NaiveDate>,
    /// Closed on.
    pub closed_on: Option<NaiveDate>,
    /// The outcome that closed it.
    pub closing_outcome: Option<Outcome>,
}

/// Reading, inside a transaction (a consistent snapshot).
pub trait Reader {
    /// A case's row.
    fn case_row(&self, id: &str) -> Result<Option<CaseRow>, Error>;
    /// A case's versions, oldest first, with their bytes.
    fn versions(&self, id: &str) -> Result<Vec<Version>, Error>;
    /// A case's events, in order.
    fn events(&self, id: &str) -> Result<Vec<Event>, Error>;
    /// The ids of the cases not closed, sorted.
    fn open_case_ids(&self) -> Result<Vec<String>, Error>;
    /// Every ledger entry (of one case, or all) in sequence order, streamed.
    fn entries(
        &self,
        case: Option<&str>,
        each: &mut dyn FnMut(Entry) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// The head recorded with the last append: `(seq, hash)`.
    fn head(&self) -> Result<Option<(i64, String)>, Error>;
    /// A stored input by its sha256.
    fn input(&self, sha256: &str) -> Result<Option<Input>, Error>;
}

/// Writing: one transaction holding the database's write lock from its
/// start, so that what it read cannot change before it commits. Dropped
/// without [`Writer::commit`], it changes nothing.
pub trait Writer: Reader {
    /// Adds a case row.
    fn insert_case(&mut self, id: &str, home: &str, host: &str) -> Result<(), Error>;
    /// Adds a version row.
    fn insert_version(
        &mut self,
        id: &str,
        number: i64,
        received_on: NaiveDate,
        sha256: &str,
        recorded_at: &str,
    ) -> Result<(), Error>;
    /// Adds an event.
    fn insert_event(
        &mut self,
        id: &str,
        kind: &str,
        on: NaiveDate,
        recorded_at: &str,
        detail: &str,
    ) -> Result<(), Error>;
    /// Marks a case acknowledged.
    fn set_acknowledged(&mut self, id: &str, on: NaiveDate) -> Result<(), Error>;
    /// Marks a case closed by a decision.
    fn close_case(&mut self, id: &str, on: NaiveDate, outcome: Outcome) -> Result<(), Error>;
    /// Stores an input once by its sha256 (again is a no-op).
    fn put_input(&mut self, input: &Input) -> Result<(), Error>;
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
    /// A write transaction, holding the write lock.
    fn write(&mut self) -> Result<Box<dyn Writer + '_>, Error>;
}
