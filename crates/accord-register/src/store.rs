//! The backend seam: transactional primitives a database must offer over
//! an append-only chain of entries, content-addressed inputs and rule sets,
//! and nothing about the workflow. [`crate::Register`] reads, checks and
//! appends inside one [`Writer`]; every check it makes therefore holds when
//! the write commits. A backend reports its own failures as
//! [`crate::Error::Backend`], naming no type of its own.

use accord_core::rules::Source;

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
