//! The ledger's entries and their hash chain, pure. Every event of the
//! register — an actor added, a case opened, a version received, an
//! acknowledgement, an assessment, a confirmation, a review, a correction,
//! a batch decision — is one entry; each entry's hash is sha256 over a
//! canonical serialisation of everything else in it, previous hash
//! included, so changing, removing, inserting or reordering any entry
//! breaks the chain at that entry.
//!
//! Canonical serialisation (to re-verify outside Accord), format 2: the
//! compact JSON array `[seq, recorded_at, kind, case_id, actor, on,
//! version, input_sha256, ruleset, decision, detail, prev_hash]` (numbers
//! as integers, absent values as `null`, `decision` and `detail` as JSON
//! strings), UTF-8, no trailing newline. Entries written before this format
//! (format 1, batch decisions only) hash `[seq, recorded_at, case_id,
//! version, input_sha256, ruleset, decision, prev_hash]`. The hash is
//! `sha256:` + 64 lowercase hex digits; the first entry's `prev_hash` is
//! [`GENESIS`].

use accord_core::rules::model::Outcome;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The previous hash of the first entry.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// The hash format entries are written in now.
pub const FORMAT: i64 = 2;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A decision recorded by `batch --record`, outside any case.
    Decision,
    /// A case opened, with its first version.
    Opened,
    /// A newer version of a case's application received.
    Version,
    /// A case acknowledged.
    Acknowledged,
    /// A case's version assessed: the decision, and whether it took effect,
    /// awaits confirmation, or stopped the clock.
    Assessed,
    /// A proposed decision confirmed by a second assessor.
    Confirmed,
    /// A review requested.
    ReviewRequested,
    /// A review decided.
    ReviewDecided,
    /// The business date of an earlier entry corrected.
    Corrected,
    /// An actor added to the register.
    ActorAdded,
    /// An actor disabled (their history stays).
    ActorDisabled,
    /// A bearer token issued to an actor (its hash only).
    TokenCreated,
    /// A bearer token revoked.
    TokenRevoked,
}

impl Kind {
    /// Its name in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Decision => "decision",
            Kind::Opened => "opened",
            Kind::Version => "version",
            Kind::Acknowledged => "acknowledged",
            Kind::Assessed => "assessed",
            Kind::Confirmed => "confirmed",
            Kind::ReviewRequested => "review_requested",
            Kind::ReviewDecided => "review_decided",
            Kind::Corrected => "corrected",
            Kind::ActorAdded => "actor_added",
            Kind::ActorDisabled => "actor_disabled",
            Kind::TokenCreated => "token_created",
            Kind::TokenRevoked => "token_revoked",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Decision,
            Kind::Opened,
            Kind::Version,
            Kind::Acknowledged,
            Kind::Assessed,
            Kind::Confirmed,
            Kind::ReviewRequested,
            Kind::ReviewDecided,
            Kind::Corrected,
            Kind::ActorAdded,
            Kind::ActorDisabled,
            Kind::TokenCreated,
            Kind::TokenRevoked,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// Whether entries of this kind belong to a case's workflow.
    pub fn is_case_event(self) -> bool {
        matches!(
            self,
            Kind::Opened
                | Kind::Version
                | Kind::Acknowledged
                | Kind::Assessed
                | Kind::Confirmed
                | Kind::ReviewRequested
                | Kind::ReviewDecided
                | Kind::Corrected
        )
    }
}

/// A ledger entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 1, 2, ... without gaps.
    pub seq: i64,
    /// The hash format (1 for entries written before events were chained).
    pub format: i64,
    /// When it was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// What it records.
    pub kind: Kind,
    /// The case (application) it belongs to, if any.
    pub case_id: Option<String>,
    /// Who did it.
    pub actor: Option<String>,
    /// The business date it happened on (received, acknowledged, decided...).
    pub on: Option<NaiveDate>,
    /// The case version it concerns.
    pub version: Option<i64>,
    /// sha256 of the exact input bytes it concerns.
    pub input_sha256: Option<String>,
    /// The rule set's fingerprint it was made under.
    pub ruleset: Option<String>,
    /// The decision's outcome, as a typed column; it must agree with the
    /// decision it summarises (checked by `ledger verify`). Not hashed.
    #[serde(skip)]
    pub outcome: Option<Outcome>,
    /// The decision contract JSON, compact, for decisions.
    pub decision: Option<String>,
    /// What else the event says, as a compact JSON object.
    pub detail: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// `sha256:` + hex of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The hash an entry must have, from all its other fields.
pub fn entry_hash(e: &Entry) -> String {
    let canonical = if e.format == 1 {
        serde_json::json!([
            e.seq,
            e.recorded_at,
            e.case_id,
            e.version,
            e.input_sha256,
            e.ruleset,
            e.decision,
            e.prev_hash
        ])
    } else {
        serde_json::json!([
            e.seq,
            e.recorded_at,
            e.kind.as_str(),
            e.case_id,
            e.actor,
            e.on.map(|d| d.to_string()),
            e.version,
            e.input_sha256,
            e.ruleset,
            e.decision,
            e.detail,
            e.prev_hash
        ])
    };
    sha256_hex(canonical.to_string().as_bytes())
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The sequence number of the first entry at fault.
    pub seq: i64,
    /// What is wrong there.
    pub reason: String,
}

/// Checks entries one at a time, in stored order, against the chain rule:
/// memory stays constant however long the ledger is.
#[derive(Debug)]
pub struct Verifier {
    previous_hash: String,
    expected_seq: i64,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier {
            previous_hash: GENESIS.to_owned(),
            expected_seq: 1,
        }
    }
}

impl Verifier {
    /// Checks the next entry.
    pub fn push(&mut self, e: &Entry) -> Result<(), Break> {
        let expected_seq = self.expected_seq;
        if e.seq != expected_seq {
            return Err(Break {
                seq: e.seq,
                reason: if e.seq > expected_seq {
                    format!(
                        "entry {expected_seq} is missing (deleted or moved): the ledger goes from {} to {}",
                        expected_seq - 1,
                        e.seq
                    )
                } else {
                    format!("entry {} is out of order after entry {}", e.seq, expected_seq - 1)
                },
            });
        }
        if e.hash != entry_hash(e) {
            return Err(Break {
                seq: e.seq,
                reason: format!("entry {} was altered: its content does not match its hash", e.seq),
            });
        }
        if e.prev_hash != self.previous_hash {
            return Err(Break {
                seq: e.seq,
                reason: format!(
                    "entry {} does not follow entry {}: an entry was inserted, deleted or reordered here",
                    e.seq,
                    e.seq - 1
                ),
            });
        }
        self.previous_hash.clone_from(&e.hash);
        self.expected_seq += 1;
        Ok(())
    }

    /// Checks the end of the ledger against the recorded head (`(seq, hash)`
    /// of the last entry written, kept apart so that deleting the newest
    /// entries is found too). Returns the number of entries.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, Break> {
        let last = self.expected_seq - 1;
        match head {
            Some((seq, hash)) if seq != last || hash != self.previous_hash => Err(Break {
                seq: last + 1,
                reason: format!(
                    "the ledger ends at entry {last} but entry {seq} was recorded last: entries were deleted from the end or the head was altered"
                ),
            }),
            None if last > 0 => Err(Break {
                seq: 1,
                reason: "the ledger has entries but no recorded head".into(),
            }),
            _ => Ok(u64::try_from(last).unwrap_or_default()),
        }
    }
}

/// Checks a whole ledger given in stored order; the first break wins.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    head: Option<(i64, &str)>,
) -> Result<u64, Break> {
    let mut verifier = Verifier::default();
    for e in entries {
        verifier.push(e)?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    format: FORMAT,
                    recorded_at: "2026-11-23T00:00:00Z".into(),
                    kind: Kind::Acknowledged,
                    case_id: Some(format!("APP-{seq}")),
                    actor: Some("clerk".into()),
                    on: NaiveDate::from_ymd_opt(2026, 1, 5),
                    version: None,
                    input_sha256: None,
                    ruleset: None,
                    outcome: None,
                    decision: None,
                    detail: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn head(c: &[Entry]) -> Option<(i64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn each_kind_of_tampering_names_the_first_entry_at_fault() {
        let c = chain(5);
        let mut altered = c.clone();
        altered[2].on = NaiveDate::from_ymd_opt(2030, 1, 1);
        assert_eq!(verify(&altered, head(&c)).unwrap_err().seq, 3);

        let mut actor = c.clone();
        actor[3].actor = Some("someone else".into());
        assert_eq!(verify(&actor, head(&c)).unwrap_err().seq, 4);

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, head(&c)).unwrap_err().seq, 3);

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped, head(&c)).unwrap_err().seq, 3);

        let mut tail = c.clone();
        tail.pop();
        assert_eq!(verify(&tail, head(&c)).unwrap_err().seq, 5);

        // An entry rehashed after alteration still breaks its successor's link.
        let mut rehashed = c.clone();
        rehashed[1].detail = "{\"x\":1}".into();
        rehashed[1].hash = entry_hash(&rehashed[1]);
        assert_eq!(verify(&rehashed, head(&c)).unwrap_err().seq, 3);
    }

    #[test]
    fn a_format_one_entry_hashes_as_it_was_written() {
        let mut e = chain(1).remove(0);
        e.format = 1;
        e.kind = Kind::Decision;
        e.hash = entry_hash(&e);
        // The fields format 1 did not hash do not change its hash.
        let mut other = e.clone();
        other.actor = None;
        other.detail = String::new();
        assert_eq!(entry_hash(&other), e.hash);
    }
}
