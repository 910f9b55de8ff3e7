//! The ledger's hash chain, pure: each entry's hash is sha256 over a
//! canonical serialisation of everything else in it, previous hash
//! included, so changing, removing, inserting or reordering any entry
//! breaks the chain at that entry.
//!
//! Canonical serialisation (to re-verify outside Accord): the compact JSON
//! array `[seq, recorded_at, case_id, version, input_sha256, ruleset,
//! decision, prev_hash]` (numbers as integers, `version` null when absent,
//! `decision` as a JSON string), UTF-8, no trailing newline. The hash is
//! `sha256:` + 64 lowercase hex digits. The first entry's `prev_hash` is
//! [`GENESIS`].

use accord_core::rules::model::Outcome;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first entry.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// A ledger entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// 1, 2, ... without gaps.
    pub seq: i64,
    /// When it was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// Case (application) id.
    pub case_id: String,
    /// Case version decided, when recorded by `case assess`.
    pub version: Option<i64>,
    /// sha256 of the exact input bytes.
    pub input_sha256: String,
    /// Rule-set fingerprint.
    pub ruleset: String,
    /// The decision's outcome, as a typed column; it must agree with the
    /// decision it summarises (checked by `ledger verify`).
    #[serde(skip)]
    pub outcome: Outcome,
    /// The decision JSON.
    pub decision: String,
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
    let canonical = serde_json::json!([
        e.seq,
        e.recorded_at,
        e.case_id,
        e.version,
        e.input_sha256,
        e.ruleset,
        e.decision,
        e.prev_hash
    ]);
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
                    recorded_at: "2026-11-23T00:00:00Z".into(),
                    case_id: format!("APP-{seq}"),
                    version: None,
                    input_sha256: sha256_hex(seq.to_string().as_bytes()),
                    ruleset: "sha256:r".into(),
                    outcome: Outcome::Standard,
                    decision: "{}".into(),
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
        altered[2].decision = "{\"outcome\":\"expedited\"}".into();
        assert_eq!(verify(&altered, head(&c)).unwrap_err().seq, 3);

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, head(&c)).unwrap_err().seq, 3);

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped, head(&c)).unwrap_err().seq, 3);

        let mut tail = c.clone();
        tail.pop();
        let err = verify(&tail, head(&c)).unwrap_err();
        assert_eq!(err.seq, 5);

        // An entry rehashed after alteration still breaks its successor's link.
        let mut rehashed = c.clone();
        rehashed[1].decision = "{}x".into();
        rehashed[1].hash = entry_hash(&rehashed[1]);
        assert_eq!(verify(&rehashed, head(&c)).unwrap_err().seq, 3);
    }
}
