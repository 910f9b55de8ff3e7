//! The case register and the decision ledger, accountable.
//!
//! Every event is a ledger entry chained by sha256 — actors added and
//! disabled, cases opened, versions received, acknowledgements, assessments
//! (decisions that take effect, proposals that await a second signatory,
//! assessments that stop the clock), confirmations, review requests and
//! decisions, corrections, batch decisions — each with its actor, its
//! business date and the time it was recorded. A case is a fold of its
//! entries ([`case::Case`]); who may do what is a fold of the actor entries
//! ([`actor::Actors`]). Altering, deleting or reordering any stored row
//! that carries a case's dates, versions, outcome or actor breaks the chain
//! at that entry.
//!
//! [`Register`] owns the workflow's rules — the procedure of the case's
//! agreement is data (second signatory, review windows, what a missed
//! deadline means) — and runs each request as one transaction of a
//! [`Store`], the backend's narrow interface: SQLite is one implementation
//! (`sqlite.rs`), PostgreSQL another (`postgres.rs`), and neither knows the
//! workflow.
//!
//! Invariants: nothing is ever edited (a wrong date is corrected by a new
//! entry); the chain is extended inside one transaction that reads the head
//! and checks the workflow, so concurrent writers keep one valid chain and
//! two cannot both pass a check; the clock is passed in, never read here;
//! business dates are never after today or before the case's receipt.

pub mod actor;
pub mod case;
pub mod chain;
pub mod clock;
mod postgres;
mod sqlite;
pub mod store;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use accord_core::rules::model::{Agreement, DeadlineConsequence, Outcome, Procedure};
use accord_core::rules::{RuleSet, Source};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use actor::{Action, Actors, Added, Disabled, Role};
use case::{
    AssessedDetail, Case, ConfirmedDetail, CorrectedDetail, Effect, OpenedDetail, ReviewDecidedDetail,
    ReviewRequestedDetail, ReviewResult, VersionDetail,
};
use chain::{Entry, Kind, FORMAT, GENESIS};
use store::{Filter, Reader, Store, Writer};

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
    /// A request the workflow refuses (nothing is changed).
    #[error("{0}")]
    Refused(String),
    /// An actor without the role a request needs (nothing is changed).
    #[error("{0}")]
    Forbidden(String),
    /// The credential the request was made with no longer names its actor:
    /// a token revoked, or its actor disabled (nothing is changed).
    #[error("{0}")]
    Unauthenticated(String),
    /// A stored row that cannot be what it claims: the database was altered.
    #[error("{0}")]
    Corrupt(String),
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

/// Whether a command only reads (the register is opened read-only and
/// never created) or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Read,
    /// Read and write; created and migrated as needed.
    Write,
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

/// A decision to record: what was decided, on what input, under which rules.
pub struct NewDecision<'a> {
    /// The case version decided (for a case's assessment or review).
    pub version: Option<i64>,
    /// The input decided.
    pub input: &'a Input,
    /// The rule set used (kept in the register by its fingerprint).
    pub rules: &'a RuleSet,
    /// The assessment date.
    pub as_of: NaiveDate,
    /// The outcome.
    pub outcome: Outcome,
    /// The decision contract JSON, compact.
    pub json: String,
}

/// A decision recorded by a batch, outside any case.
pub struct BatchDecision {
    /// The application's id.
    pub case_id: String,
    /// The input decided.
    pub input: Input,
    /// The rule set's fingerprint.
    pub ruleset: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The decision contract JSON, compact.
    pub json: String,
}

/// A case to open.
pub struct NewCase<'a> {
    /// Its id (the application's).
    pub id: &'a str,
    /// Home body.
    pub home_body: &'a str,
    /// Host body.
    pub host_body: &'a str,
    /// Date received.
    pub received_on: NaiveDate,
    /// The application file.
    pub input: &'a Input,
    /// The rule set it is opened under: its procedure governs the case.
    pub rules: &'a RuleSet,
}

/// What a reviewer assesses (clause 7.4): the evidence of the decision
/// reviewed, with its rule set and assessment date.
#[derive(Debug, Clone)]
pub struct ReviewBasis {
    /// The version whose evidence is reviewed.
    pub version: i64,
    /// Its input.
    pub input: Input,
    /// The rule set of the decision reviewed (or the case's, for a deemed refusal).
    pub rules: Arc<RuleSet>,
    /// The assessment date of the decision reviewed (none for a deemed refusal: the file's own).
    pub as_of: Option<NaiveDate>,
    /// The outcome reviewed (none for a deemed refusal).
    pub outcome: Option<Outcome>,
}

pub(crate) fn sources_to_json(sources: &[Source]) -> String {
    let pairs: Vec<(String, &str)> = sources
        .iter()
        .map(|s| (s.name.display().to_string(), s.text.as_str()))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

pub(crate) fn sources_from_json(fingerprint: &str, json: &str) -> Result<Vec<Source>, Error> {
    let pairs: Vec<(String, String)> = serde_json::from_str(json)
        .map_err(|_| Error::Corrupt(format!("the stored rule set {fingerprint} does not read")))?;
    Ok(pairs
        .into_iter()
        .map(|(name, text)| Source::new(name, text))
        .collect())
}

fn refused(message: String) -> Error {
    Error::Refused(message)
}

fn no_case(id: &str) -> Error {
    refused(format!(
        "no case `{id}` in the register: open it with `accord case open`"
    ))
}

/// A business date may not be after today.
fn not_future(date: NaiveDate, today: NaiveDate, what: &str) -> Result<(), Error> {
    if date > today {
        return Err(refused(format!(
            "{what} on {date} is after today ({today}): a date in the future cannot be recorded"
        )));
    }
    Ok(())
}

/// An entry to append, before the chain gives it its place.
#[derive(Default)]
struct Draft {
    kind: Option<Kind>,
    case_id: Option<String>,
    actor: Option<String>,
    on: Option<NaiveDate>,
    version: Option<i64>,
    input_sha256: Option<String>,
    ruleset: Option<String>,
    outcome: Option<Outcome>,
    decision: Option<String>,
    detail: String,
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A write transaction with the chain's head in hand.
struct Tx<'s> {
    writer: Box<dyn Writer + 's>,
    head: Option<(i64, String)>,
    now: String,
    /// The request's bearer token, when a service acts for a caller.
    credential: Option<&'s str>,
}

impl Tx<'_> {
    /// The actor `by`, if they may do `action` as the ledger in this
    /// transaction stands, and if the request's credential (when there is
    /// one) is still theirs.
    fn authorize(&self, by: Option<&str>, action: Action) -> Result<String, Error> {
        let actors = self.actors()?;
        if let Some(token) = self.credential {
            let holder = actors.authenticate(token).map(|a| a.id.as_str());
            if holder.is_none() || holder != by {
                return Err(Error::Unauthenticated(
                    "the bearer token is not valid: unknown, revoked, or its actor disabled".into(),
                ));
            }
        }
        Ok(actors.authorize(by, action)?.id.clone())
    }

    fn append(&mut self, draft: Draft) -> Result<Entry, Error> {
        let (seq, prev_hash) = self
            .head
            .as_ref()
            .map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h.clone()));
        let mut entry = Entry {
            seq,
            format: FORMAT,
            recorded_at: self.now.clone(),
            kind: draft.kind.unwrap_or(Kind::Decision),
            case_id: draft.case_id,
            actor: draft.actor,
            on: draft.on,
            version: draft.version,
            input_sha256: draft.input_sha256,
            ruleset: draft.ruleset,
            outcome: draft.outcome,
            decision: draft.decision,
            detail: draft.detail,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = chain::entry_hash(&entry);
        self.writer.append(&entry)?;
        self.writer.set_head(entry.seq, &entry.hash)?;
        self.head = Some((entry.seq, entry.hash.clone()));
        Ok(entry)
    }

    fn actors(&self) -> Result<Actors, Error> {
        actors_in(self.writer.as_ref())
    }

    fn case(&self, id: &str) -> Result<Case, Error> {
        case_in(self.writer.as_ref(), id)?.ok_or_else(|| no_case(id))
    }

    fn commit(self) -> Result<(), Error> {
        self.writer.commit()
    }
}

fn actors_in(reader: &dyn Reader) -> Result<Actors, Error> {
    let mut actors = Actors::default();
    reader.entries(
        Filter::Kinds(&[
            Kind::ActorAdded,
            Kind::ActorDisabled,
            Kind::TokenCreated,
            Kind::TokenRevoked,
        ]),
        &mut |e| actors.apply(&e),
    )?;
    Ok(actors)
}

fn case_in(reader: &dyn Reader, id: &str) -> Result<Option<Case>, Error> {
    let mut entries = Vec::new();
    reader.entries(Filter::Case(id), &mut |e| {
        entries.push(e);
        Ok(())
    })?;
    Case::fold(entries)
}

/// Whether a register's location names a PostgreSQL database.
fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The case register and decision ledger: the workflow's rules over a store.
pub struct Register {
    store: Box<dyn Store>,
    clock: Box<dyn Clock>,
    /// Rule sets read back from the register, by fingerprint.
    rules: Mutex<HashMap<String, Arc<RuleSet>>>,
    /// The bearer token the requests are made with, when a service acts for
    /// a caller: every write checks it inside its own transaction.
    credential: Option<String>,
}

/// A token's public id, `tok_` and 12 hex digits of its sha256: it names the
/// token in `token list` and `token revoke` and in the ledger, and reveals
/// nothing of the secret that the ledger's hash does not.
pub fn token_id(token: &str) -> String {
    let hash = chain::sha256_hex(token.as_bytes());
    let hex = hash.strip_prefix("sha256:").unwrap_or(&hash);
    format!("tok_{}", hex.get(..12).unwrap_or_default())
}

/// `location` as it may be shown: a PostgreSQL URL's password hidden.
pub fn display_location(location: &str) -> String {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        postgres::redact(location)
    } else {
        location.to_owned()
    }
}

impl Register {
    /// Opens the register at `location` on the system clock: a SQLite
    /// file's path (or `sqlite:PATH`), or a PostgreSQL database's URL
    /// (`postgres://` or `postgresql://`); read-only, or for writing
    /// (created and migrated as needed). Errors name the location without
    /// any password.
    pub fn open(location: &str, access: Access) -> Result<Register, Error> {
        let store: Box<dyn Store> = if is_postgres(location) {
            Box::new(postgres::PostgresStore::open(location, access)?)
        } else {
            let path = location.strip_prefix("sqlite:").unwrap_or(location);
            Box::new(sqlite::SqliteStore::open(Path::new(path), access)?)
        };
        Ok(Register::new(store, Box::new(SystemClock)))
    }

    /// A register over any store, on any clock.
    pub fn new(store: Box<dyn Store>, clock: Box<dyn Clock>) -> Register {
        Register {
            store,
            clock,
            rules: Mutex::new(HashMap::new()),
            credential: None,
        }
    }

    /// The bearer token the following requests are made with (`None`: the
    /// declared actor is trusted, as on the command line). Each write then
    /// checks, inside its transaction, that the token still authenticates
    /// the acting actor, so that a token revoked a moment before never
    /// writes.
    pub fn set_credential(&mut self, token: Option<&str>) {
        self.credential = token.map(str::to_owned);
    }

    /// Today, by the register's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.store.schema_version()
    }

    fn begin(&mut self) -> Result<Tx<'_>, Error> {
        let now = self
            .clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let writer = self.store.write()?;
        let head = writer.head()?;
        Ok(Tx {
            writer,
            head,
            now,
            credential: self.credential.as_deref(),
        })
    }

    // ---- actors --------------------------------------------------------

    /// Every actor.
    pub fn actors(&self) -> Result<Actors, Error> {
        actors_in(self.store.read()?.as_ref())
    }

    /// Checks that `by` may do `action` (for reading requests; writing ones
    /// check inside their own transaction).
    pub fn authorize(&self, by: Option<&str>, action: Action) -> Result<actor::Actor, Error> {
        self.actors()?.authorize(by, action).cloned()
    }

    /// Adds an actor. On a register with no actor the first one added
    /// becomes an admin, whoever asks; after that only an admin adds actors.
    pub fn add_actor(
        &mut self,
        by: Option<&str>,
        id: &str,
        name: &str,
        roles: &[Role],
    ) -> Result<Entry, Error> {
        if id.trim().is_empty() || id.chars().any(char::is_control) {
            return Err(refused(format!(
                "`{id}` cannot be an actor's id: give a non-empty id without control characters"
            )));
        }
        let today = self.clock.today();
        let mut tx = self.begin()?;
        let actors = tx.actors()?;
        let mut roles = roles.to_vec();
        let by = if actors.is_empty() {
            roles.push(Role::Admin);
            id.to_owned()
        } else {
            actors.authorize(by, Action::ManageActors)?.id.clone()
        };
        if actors.get(id).is_some() {
            return Err(refused(format!("actor `{id}` already exists")));
        }
        roles.sort();
        roles.dedup();
        let entry = tx.append(Draft {
            kind: Some(Kind::ActorAdded),
            actor: Some(by),
            on: Some(today),
            detail: json(&Added {
                id: id.to_owned(),
                name: name.to_owned(),
                roles,
            }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// Issues a bearer token for `actor` (an actor for themselves, an admin
    /// for anyone): the token is returned once and only its hash is kept,
    /// in a chained entry. `secret` is the token's random bytes.
    pub fn create_token(
        &mut self,
        by: Option<&str>,
        actor: &str,
        secret: &[u8; 32],
    ) -> Result<(String, Entry), Error> {
        let today = self.clock.today();
        let mut tx = self.begin()?;
        let actors = tx.actors()?;
        let by = if by == Some(actor) {
            actors.authorize(by, Action::ReadCases)?.id.clone()
        } else {
            actors.authorize(by, Action::ManageActors)?.id.clone()
        };
        match actors.get(actor) {
            None => return Err(refused(format!("no actor `{actor}`"))),
            Some(a) if a.disabled => return Err(refused(format!("actor `{actor}` is disabled"))),
            Some(_) => {}
        }
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("acc_{hex}");
        let id = token_id(&token);
        if actors.token(&id).is_some() {
            return Err(refused("a token with this id already exists: try again".into()));
        }
        let entry = tx.append(Draft {
            kind: Some(Kind::TokenCreated),
            actor: Some(by),
            on: Some(today),
            detail: json(&actor::TokenIssued {
                id,
                actor: actor.to_owned(),
                sha256: chain::sha256_hex(token.as_bytes()),
            }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok((token, entry))
    }

    /// Revokes the token `id` (its holder, or an admin).
    pub fn revoke_token(&mut self, by: Option<&str>, id: &str) -> Result<Entry, Error> {
        let today = self.clock.today();
        let mut tx = self.begin()?;
        let actors = tx.actors()?;
        let token = actors
            .token(id)
            .ok_or_else(|| refused(format!("no token `{id}`")))?
            .clone();
        if token.revoked {
            return Err(refused(format!("token `{id}` is already revoked")));
        }
        let by = if by == Some(token.actor.as_str()) {
            actors.authorize(by, Action::ReadCases)?.id.clone()
        } else {
            actors.authorize(by, Action::ManageActors)?.id.clone()
        };
        let entry = tx.append(Draft {
            kind: Some(Kind::TokenRevoked),
            actor: Some(by),
            on: Some(today),
            detail: json(&actor::TokenRevoked { id: id.to_owned() }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// Disables an actor: their history stays, they may do nothing more.
    pub fn disable_actor(&mut self, by: Option<&str>, id: &str) -> Result<Entry, Error> {
        let today = self.clock.today();
        let mut tx = self.begin()?;
        let actors = tx.actors()?;
        let by = actors.authorize(by, Action::ManageActors)?.id.clone();
        match actors.get(id) {
            None => return Err(refused(format!("no actor `{id}`"))),
            Some(a) if a.disabled => return Err(refused(format!("actor `{id}` is already disabled"))),
            Some(_) => {}
        }
        if by == id {
            return Err(refused(
                "an admin cannot disable themselves: another admin must".into(),
            ));
        }
        let entry = tx.append(Draft {
            kind: Some(Kind::ActorDisabled),
            actor: Some(by),
            on: Some(today),
            detail: json(&Disabled { id: id.to_owned() }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    // ---- rule sets -----------------------------------------------------

    /// The rule set with `fingerprint` the register keeps, if it keeps it.
    pub fn stored_rules(&self, fingerprint: &str) -> Result<Option<Arc<RuleSet>>, Error> {
        if let Some(found) = self.rules.lock().ok().and_then(|c| c.get(fingerprint).cloned()) {
            return Ok(Some(found));
        }
        let Some(sources) = self.store.read()?.rules(fingerprint)? else {
            return Ok(None);
        };
        let loaded = RuleSet::from_sources(sources)
            .map_err(|e| Error::Corrupt(format!("the stored rule set {fingerprint} no longer loads: {e}")))?;
        if loaded.fingerprint().as_str() != fingerprint {
            return Err(Error::Corrupt(format!(
                "the stored rule set {fingerprint} was altered: it now has the fingerprint {}",
                loaded.fingerprint()
            )));
        }
        let loaded = Arc::new(loaded);
        if let Ok(mut cache) = self.rules.lock() {
            cache.insert(fingerprint.to_owned(), loaded.clone());
        }
        Ok(Some(loaded))
    }

    /// Every rule set the register keeps, by fingerprint.
    pub fn rule_fingerprints(&self) -> Result<Vec<String>, Error> {
        self.store.read()?.rule_fingerprints()
    }

    /// The rule set a case was opened under (its procedure governs the case).
    pub fn case_rules(&self, case: &Case) -> Result<Arc<RuleSet>, Error> {
        self.stored_rules(&case.rules)?.ok_or_else(|| {
            Error::Corrupt(format!(
                "case `{}`: its rule set {} is not in the register",
                case.id, case.rules
            ))
        })
    }

    fn procedure_of(&self, case: &Case) -> Result<(Arc<RuleSet>, Option<Procedure>), Error> {
        let rules = self.case_rules(case)?;
        let procedure = rules
            .agreement_between(&case.home_body, &case.host_body)
            .and_then(|a| a.procedure.clone());
        Ok((rules, procedure))
    }

    /// The agreement of a case's pair under its rule set.
    pub fn agreement_of<'r>(rules: &'r RuleSet, case: &Case) -> Option<&'r Agreement> {
        rules.agreement_between(&case.home_body, &case.host_body)
    }

    fn keep_rules(tx: &mut Tx<'_>, rules: &RuleSet) -> Result<(), Error> {
        if !rules.sources().is_empty() {
            tx.writer
                .put_rules(rules.fingerprint().as_str(), rules.sources())?;
        }
        Ok(())
    }

    /// Why a case can take no more evidence or decision on `date`, if it cannot.
    fn closed_reason(case: &Case, rules: &RuleSet, date: NaiveDate) -> Option<String> {
        let (on, how) = clock::closed(case, Register::agreement_of(rules, case), date)?;
        Some(format!("case `{}` was closed on {on}: {how}", case.id))
    }

    // ---- cases ---------------------------------------------------------

    /// Opens a case with its first version, under a rule set the register keeps.
    pub fn open_case(&mut self, by: Option<&str>, new: &NewCase<'_>) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(new.received_on, today, "a receipt")?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::Open)?;
        if let Some(existing) = case_in(tx.writer.as_ref(), new.id)? {
            return Err(refused(format!(
                "case `{}` is already open (received on {}): a newer version is added with `accord case evidence`",
                new.id,
                existing.received_on().map(|d| d.to_string()).unwrap_or_default()
            )));
        }
        tx.writer.put_input(new.input)?;
        Register::keep_rules(&mut tx, new.rules)?;
        let entry = tx.append(Draft {
            kind: Some(Kind::Opened),
            case_id: Some(new.id.to_owned()),
            actor: Some(actor),
            on: Some(new.received_on),
            version: Some(1),
            input_sha256: Some(new.input.sha256.clone()),
            ruleset: Some(new.rules.fingerprint().to_string()),
            detail: json(&OpenedDetail {
                file_name: new.input.name.clone(),
                home_body: new.home_body.to_owned(),
                host_body: new.host_body.to_owned(),
            }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// Records the acknowledgement (once; not before the receipt, not after today).
    pub fn acknowledge(&mut self, by: Option<&str>, id: &str, on: NaiveDate) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(on, today, "an acknowledgement")?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::Acknowledge)?;
        let case = tx.case(id)?;
        if let Some(done) = &case.acknowledged {
            return Err(refused(format!(
                "case `{id}` was already acknowledged on {} (entry {}): a wrong date is corrected with `accord case correct {id} {} --on DATE --reason TEXT`",
                done.on, done.entry, done.entry
            )));
        }
        if let Some(received) = case.received_on() {
            if on < received {
                return Err(refused(format!(
                    "case `{id}` cannot be acknowledged on {on}, before it was received ({received})"
                )));
            }
        }
        let entry = tx.append(Draft {
            kind: Some(Kind::Acknowledged),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(on),
            detail: "{}".into(),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// Adds a newer version (refused once the case is closed, or dated before
    /// the current version); a proposal awaiting confirmation is voided when
    /// the procedure says so (clause 7.2). Returns its number and entry.
    pub fn add_version(
        &mut self,
        by: Option<&str>,
        id: &str,
        received_on: NaiveDate,
        input: &Input,
    ) -> Result<(i64, Entry), Error> {
        let today = self.clock.today();
        not_future(received_on, today, "a receipt")?;
        let case = self.require(id)?;
        let (rules, procedure) = self.procedure_of(&case)?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::AddEvidence)?;
        let case = tx.case(id)?;
        // Closed by a decision at any date, or by a deemed approval due by the receipt.
        if let Some(reason) = Register::closed_reason(&case, &rules, received_on) {
            return Err(refused(format!("{reason}: no further evidence is taken")));
        }
        let current = case.current().map(|v| (v.number, v.received_on));
        if let Some((_, last)) = current {
            if received_on < last {
                return Err(refused(format!(
                    "evidence received on {received_on} is older than the current version (received {last})"
                )));
            }
        }
        let number = current.map_or(1, |(n, _)| n + 1);
        let voids = procedure
            .as_ref()
            .and_then(|p| p.confirmation.as_ref())
            .filter(|c| c.voided_by_new_version.is_some())
            .and_then(|_| case.pending_proposal())
            .map(|p| p.entry);
        tx.writer.put_input(input)?;
        let entry = tx.append(Draft {
            kind: Some(Kind::Version),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(received_on),
            version: Some(number),
            input_sha256: Some(input.sha256.clone()),
            detail: json(&VersionDetail {
                file_name: input.name.clone(),
                voids,
            }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok((number, entry))
    }

    /// Records the assessment of a case's current version made on `on`: it
    /// takes effect and closes the case, awaits a second assessor (the
    /// procedure's confirmation outcomes), or stops the clock.
    pub fn record_assessment(
        &mut self,
        by: Option<&str>,
        id: &str,
        decision: &NewDecision<'_>,
        on: NaiveDate,
    ) -> Result<(Entry, Effect), Error> {
        let today = self.clock.today();
        not_future(on, today, "a decision")?;
        let case = self.require(id)?;
        let (rules, procedure) = self.procedure_of(&case)?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::Assess)?;
        let case = tx.case(id)?;
        // A decision made before a deemed approval fell due is recorded even
        // when it is entered later; one made after is refused.
        if let Some(reason) = Register::closed_reason(&case, &rules, on) {
            return Err(refused(format!("{reason}: it takes no further decision")));
        }
        let current = case
            .current()
            .ok_or_else(|| refused(format!("case `{id}` has no version")))?;
        if decision.version != Some(current.number) {
            return Err(refused(format!(
                "case `{id}` now stands at version {}: assess it again",
                current.number
            )));
        }
        if on < current.received_on {
            return Err(refused(format!(
                "case `{id}` cannot be decided on {on}, before its version {} was received ({})",
                current.number, current.received_on
            )));
        }
        if let Some(pending) = case.pending_proposal() {
            let clause = procedure
                .as_ref()
                .and_then(|p| p.confirmation.as_ref())
                .map(|c| format!(" (clause {})", c.clause))
                .unwrap_or_default();
            return Err(refused(format!(
                "case `{id}`: a decision ({}) proposed by {} on {} awaits confirmation{clause}: confirm it with `accord case confirm {id}`, or add a newer version",
                pending.outcome.as_str(),
                pending.actor.as_deref().unwrap_or("?"),
                pending.on
            )));
        }
        let effect = match &procedure {
            Some(p) if p.clock_stopped_by == decision.outcome => Effect::StopsClock,
            Some(p)
                if p.confirmation
                    .as_ref()
                    .is_some_and(|c| c.outcomes.contains(&decision.outcome)) =>
            {
                Effect::Proposed
            }
            _ => Effect::TakesEffect,
        };
        tx.writer.put_input(decision.input)?;
        Register::keep_rules(&mut tx, decision.rules)?;
        let entry = tx.append(Draft {
            kind: Some(Kind::Assessed),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(on),
            version: decision.version,
            input_sha256: Some(decision.input.sha256.clone()),
            ruleset: Some(decision.rules.fingerprint().to_string()),
            outcome: Some(decision.outcome),
            decision: Some(decision.json.clone()),
            detail: json(&AssessedDetail {
                as_of: decision.as_of,
                effect,
            }),
        })?;
        tx.commit()?;
        Ok((entry, effect))
    }

    /// Confirms the proposal awaiting a second signatory: another assessor
    /// than the proposer; it takes effect on `on` and closes the case.
    pub fn confirm(&mut self, by: Option<&str>, id: &str, on: NaiveDate) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(on, today, "a confirmation")?;
        let case = self.require(id)?;
        let (_, procedure) = self.procedure_of(&case)?;
        let clause = procedure
            .as_ref()
            .and_then(|p| p.confirmation.as_ref())
            .map(|c| c.clause.clone());
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::Confirm)?;
        let case = tx.case(id)?;
        let Some(proposal) = case.pending_proposal() else {
            return Err(refused(format!(
                "case `{id}` has no decision awaiting confirmation"
            )));
        };
        if proposal.actor.as_deref() == Some(actor.as_str()) {
            return Err(Error::Forbidden(format!(
                "`{actor}` proposed this decision and cannot also confirm it: clause {} requires a second assessor",
                clause.unwrap_or_default()
            )));
        }
        if on < proposal.on {
            return Err(refused(format!(
                "a decision proposed on {} cannot be confirmed on {on}, before it",
                proposal.on
            )));
        }
        let entry = tx.append(Draft {
            kind: Some(Kind::Confirmed),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(on),
            detail: json(&ConfirmedDetail {
                confirms: proposal.entry,
            }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// The decision a review may be requested of on `received`, or why none:
    /// the decision in effect (not a review's), or a deemed refusal, within
    /// the procedure's window.
    fn reviewable(
        case: &Case,
        rules: &RuleSet,
        procedure: &Procedure,
        received: NaiveDate,
    ) -> Result<Option<i64>, Error> {
        let review = procedure
            .review
            .as_ref()
            .ok_or_else(|| refused(format!("the procedure of case `{}` has no review", case.id)))?;
        if case.pending_review().is_some() {
            return Err(refused(format!(
                "case `{}` already has a review awaiting its decision",
                case.id
            )));
        }
        if case.reviews.iter().any(|r| r.decided.is_some()) {
            return Err(refused(format!(
                "case `{}` was already reviewed: a review's decision is final",
                case.id
            )));
        }
        let agreement = Register::agreement_of(rules, case);
        let (opened, reviews, what) = match &case.effective {
            Some(effective) => (
                effective.on,
                Some(effective.decision),
                format!("the decision took effect on {}", effective.on),
            ),
            None => {
                let passed = clock::decision(case, agreement, received)
                    .and_then(|c| c.passed)
                    .filter(|p| p.means == DeadlineConsequence::DeemedRefusal);
                match passed {
                    Some(p) => (
                        p.from,
                        None,
                        format!("deemed refused on {} (clause {})", p.from, p.clause),
                    ),
                    None => {
                        return Err(refused(format!(
                            "case `{}` has no decision in effect to review on {received}",
                            case.id
                        )))
                    }
                }
            }
        };
        let days = agreement
            .and_then(|a| a.parameter(&review.request_within))
            .and_then(|p| p.value_on(accord_core::Date(opened)))
            .and_then(|v| v.to_integer())
            .unwrap_or(0);
        // A window past the calendar's end never closes.
        let last = chrono::Duration::try_days(days)
            .and_then(|d| opened.checked_add_signed(d))
            .unwrap_or(NaiveDate::MAX);
        if received < opened || received > last {
            return Err(refused(format!(
                "a review of case `{}` may be requested from {opened} to {last} ({what}; clause {}: at the latest {days} days after): {received} is outside",
                case.id, review.request_clause
            )));
        }
        Ok(reviews)
    }

    /// Records a review request received on `received` (clause 7.3).
    pub fn request_review(
        &mut self,
        by: Option<&str>,
        id: &str,
        received: NaiveDate,
    ) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(received, today, "a review request")?;
        let case = self.require(id)?;
        let (rules, procedure) = self.procedure_of(&case)?;
        let procedure =
            procedure.ok_or_else(|| refused(format!("case `{id}` has no procedure with a review")))?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::RequestReview)?;
        let case = tx.case(id)?;
        let reviews = Register::reviewable(&case, &rules, &procedure, received)?;
        let entry = tx.append(Draft {
            kind: Some(Kind::ReviewRequested),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(received),
            detail: json(&ReviewRequestedDetail { reviews }),
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// What the reviewer of case `id` assesses: the evidence of the decision
    /// reviewed, its rule set and assessment date (clause 7.4).
    pub fn review_basis(&self, id: &str) -> Result<ReviewBasis, Error> {
        let case = self.require(id)?;
        let request = case
            .pending_review()
            .ok_or_else(|| refused(format!("case `{id}` has no review awaiting its decision")))?;
        let reviewed = request
            .reviews
            .and_then(|seq| case.assessments.iter().find(|a| a.entry == seq));
        let (version, rules, as_of, outcome) = match reviewed {
            Some(a) => (a.version, a.ruleset.clone(), Some(a.as_of), Some(a.outcome)),
            None => {
                let current = case
                    .current()
                    .ok_or_else(|| refused(format!("case `{id}` has no version")))?;
                (current.number, case.rules.clone(), None, None)
            }
        };
        let sha = case
            .versions
            .iter()
            .find(|v| v.number == version)
            .map(|v| v.sha256.clone())
            .ok_or_else(|| Error::Corrupt(format!("case `{id}`: version {version} is not recorded")))?;
        let input = self.input(&sha)?.ok_or_else(|| {
            Error::Corrupt(format!("case `{id}`: the input of version {version} is missing"))
        })?;
        let rules = self.stored_rules(&rules)?.ok_or_else(|| {
            Error::Corrupt(format!(
                "case `{id}`: its rule set {rules} is not in the register"
            ))
        })?;
        Ok(ReviewBasis {
            version,
            input,
            rules,
            as_of,
            outcome,
        })
    }

    /// Records the review's decision, made on `on` by an assessor who took
    /// no part in the decision reviewed (where the procedure says so). A
    /// `corrected` input (evidence the reviewer found recorded wrongly) is
    /// kept as a new version. It takes effect when made and closes the case.
    pub fn record_review(
        &mut self,
        by: Option<&str>,
        id: &str,
        decision: &NewDecision<'_>,
        corrected: bool,
        on: NaiveDate,
    ) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(on, today, "a review's decision")?;
        let case = self.require(id)?;
        let (_, procedure) = self.procedure_of(&case)?;
        let review = procedure
            .as_ref()
            .and_then(|p| p.review.clone())
            .ok_or_else(|| refused(format!("the procedure of case `{id}` has no review")))?;
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::DecideReview)?;
        let case = tx.case(id)?;
        let request = case
            .pending_review()
            .ok_or_else(|| refused(format!("case `{id}` has no review awaiting its decision")))?
            .clone();
        if on < request.requested.on {
            return Err(refused(format!(
                "a review requested on {} cannot be decided on {on}, before it",
                request.requested.on
            )));
        }
        let participants = request
            .reviews
            .and_then(|seq| {
                case.assessments.iter().find(|a| a.entry == seq).map(|a| {
                    a.actor
                        .iter()
                        .chain(a.confirmed.iter().filter_map(|c| c.actor.as_ref()))
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default();
        if review.independent && participants.contains(&actor) {
            return Err(Error::Forbidden(format!(
                "`{actor}` took part in the decision reviewed ({}) and cannot review it: clause {} requires an assessor who neither proposed nor confirmed it",
                participants.join(" and "),
                review.decision_clause
            )));
        }
        let reviewed_outcome = request
            .reviews
            .and_then(|seq| case.assessments.iter().find(|a| a.entry == seq))
            .map(|a| a.outcome);
        let result = if reviewed_outcome == Some(decision.outcome) {
            ReviewResult::Upheld
        } else {
            ReviewResult::Replaced
        };
        let mut version = decision.version;
        if corrected {
            let number = case.current().map_or(1, |v| v.number + 1);
            tx.writer.put_input(decision.input)?;
            tx.append(Draft {
                kind: Some(Kind::Version),
                case_id: Some(id.to_owned()),
                actor: Some(actor.clone()),
                on: Some(on),
                version: Some(number),
                input_sha256: Some(decision.input.sha256.clone()),
                detail: json(&VersionDetail {
                    file_name: decision.input.name.clone(),
                    voids: None,
                }),
                ..Draft::default()
            })?;
            version = Some(number);
        }
        tx.writer.put_input(decision.input)?;
        Register::keep_rules(&mut tx, decision.rules)?;
        let entry = tx.append(Draft {
            kind: Some(Kind::ReviewDecided),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(on),
            version,
            input_sha256: Some(decision.input.sha256.clone()),
            ruleset: Some(decision.rules.fingerprint().to_string()),
            outcome: Some(decision.outcome),
            decision: Some(decision.json.clone()),
            detail: json(&ReviewDecidedDetail {
                request: request.requested.entry,
                reviews: request.reviews,
                as_of: decision.as_of,
                result,
            }),
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// Corrects the business date of entry `seq` of case `id` to `on`, for
    /// `reason`: a new entry, both kept; refused if the corrected date would
    /// be in the future or contradict the case's other dates.
    pub fn correct(
        &mut self,
        by: Option<&str>,
        id: &str,
        seq: i64,
        on: NaiveDate,
        reason: &str,
    ) -> Result<Entry, Error> {
        let today = self.clock.today();
        not_future(on, today, "a corrected date")?;
        if reason.trim().is_empty() {
            return Err(refused("a correction needs its reason (`--reason TEXT`)".into()));
        }
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::Correct)?;
        let case = tx.case(id)?;
        let target = case
            .entry(seq)
            .ok_or_else(|| refused(format!("entry {seq} is not an entry of case `{id}`")))?;
        if target.kind == Kind::Corrected || target.on.is_none() {
            return Err(refused(format!(
                "entry {seq} ({}) has no business date to correct",
                target.kind.as_str()
            )));
        }
        let mut entries = case.entries.clone();
        let draft_detail = json(&CorrectedDetail {
            corrects: seq,
            reason: reason.to_owned(),
        });
        let mut probe = target.clone();
        probe.seq = i64::MAX;
        probe.kind = Kind::Corrected;
        probe.on = Some(on);
        probe.detail = draft_detail.clone();
        entries.push(probe);
        if let Some(problem) = Case::fold(entries)?.and_then(|c| c.inconsistency()) {
            return Err(refused(format!(
                "entry {seq} cannot be corrected to {on}: {problem}"
            )));
        }
        let entry = tx.append(Draft {
            kind: Some(Kind::Corrected),
            case_id: Some(id.to_owned()),
            actor: Some(actor),
            on: Some(on),
            detail: draft_detail,
            ..Draft::default()
        })?;
        tx.commit()?;
        Ok(entry)
    }

    /// The case `id`, whole; refused when there is none.
    pub fn require(&self, id: &str) -> Result<Case, Error> {
        self.case(id)?.ok_or_else(|| no_case(id))
    }

    /// The case `id`, whole.
    pub fn case(&self, id: &str) -> Result<Option<Case>, Error> {
        case_in(self.store.read()?.as_ref(), id)
    }

    /// Every case, by id.
    pub fn cases(&self) -> Result<Vec<Case>, Error> {
        let reader = self.store.read()?;
        let mut ids = std::collections::BTreeSet::new();
        reader.entries(Filter::Kinds(&[Kind::Opened]), &mut |e| {
            ids.extend(e.case_id);
            Ok(())
        })?;
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            cases.extend(case_in(reader.as_ref(), &id)?);
        }
        Ok(cases)
    }

    // ---- ledger --------------------------------------------------------

    /// Appends a batch's decisions, outside any case, in one transaction.
    pub fn record(&mut self, by: Option<&str>, decisions: &[BatchDecision]) -> Result<Vec<Entry>, Error> {
        let today = self.clock.today();
        let mut tx = self.begin()?;
        let actor = tx.authorize(by, Action::RecordDecisions)?;
        let mut out = Vec::with_capacity(decisions.len());
        for d in decisions {
            tx.writer.put_input(&d.input)?;
            out.push(tx.append(Draft {
                kind: Some(Kind::Decision),
                case_id: Some(d.case_id.clone()),
                actor: Some(actor.clone()),
                on: Some(today),
                input_sha256: Some(d.input.sha256.clone()),
                ruleset: Some(d.ruleset.clone()),
                outcome: Some(d.outcome),
                decision: Some(d.json.clone()),
                detail: "{}".into(),
                ..Draft::default()
            })?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Keeps a rule set in the register (for a batch that records under it).
    pub fn keep(&mut self, rules: &RuleSet) -> Result<(), Error> {
        let mut tx = self.begin()?;
        Register::keep_rules(&mut tx, rules)?;
        tx.commit()
    }

    /// Calls `each` with every ledger entry in sequence order, streaming.
    pub fn scan(&self, mut each: impl FnMut(Entry) -> Result<(), Error>) -> Result<(), Error> {
        self.store.read()?.entries(Filter::All, &mut each)
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
