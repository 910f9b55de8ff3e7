//! The ledger's use cases: verify the chain (and every stored input, typed
//! outcome, kept rule set and case), print its head for safekeeping, replay
//! every decision under the rules it was made with or under other rules,
//! and export the entries for verification outside Accord.

use std::collections::BTreeSet;
use std::path::Path;

use accord_core::RuleSet;
use accord_register::chain::{self, Entry, Kind};
use accord_register::Register;

use crate::contract::Decision;

/// An intact ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intact {
    /// How many entries.
    pub entries: u64,
    /// The head: `(seq, hash)`.
    pub head: Option<(i64, String)>,
    /// How many cases they hold.
    pub cases: usize,
    /// How many rule sets the register keeps.
    pub rule_sets: usize,
}

/// A head as kept outside the database: `N:HASH`.
pub fn parse_head(text: &str) -> Result<(i64, String), String> {
    let (seq, hash) = text.split_once(':').ok_or_else(|| {
        format!("`{text}` is not a head: expected N:sha256:HASH, as `accord ledger head` prints")
    })?;
    let seq: i64 = seq
        .parse()
        .map_err(|_| format!("`{seq}` is not an entry number: expected N:sha256:HASH"))?;
    let well_formed = hash.len() == 71
        && hash.starts_with("sha256:")
        && hash
            .bytes()
            .skip(7)
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    if seq < 1 || !well_formed {
        return Err(format!(
            "`{text}` is not a head: expected N:sha256: and 64 lowercase hex digits"
        ));
    }
    Ok((seq, hash.to_owned()))
}

/// Verifies the ledger: `Ok(Err(reason))` names the first entry at fault.
///
/// Streams the entries through the chain check; checks that each stored
/// input still hashes to the sha256 its entry recorded, that each typed
/// outcome says what its decision says, that each rule set an entry was
/// made under is kept and unaltered, and that every case folds; and, given
/// the head kept outside the database (`expect`), that the chain still
/// holds that entry unchanged — which no rewriting of the database can fake.
pub fn verify(
    register: &Register,
    expect: Option<&(i64, String)>,
) -> Result<Result<Intact, String>, accord_register::Error> {
    let mut verifier = chain::Verifier::default();
    let mut first: Option<String> = None;
    let mut expected_seen = false;
    let mut cases = BTreeSet::new();
    let mut rules = BTreeSet::new();
    let scanned = register.scan(|entry| {
        if first.is_some() {
            return Ok(());
        }
        first = check(register, &mut verifier, &entry)?;
        if let Some((seq, hash)) = expect {
            if entry.seq == *seq {
                expected_seen = true;
                if &entry.hash != hash && first.is_none() {
                    first = Some(format!(
                        "entry {seq} does not have the hash kept outside the register: the ledger was rewritten from there on"
                    ));
                }
            }
        }
        if entry.kind == Kind::Opened {
            cases.extend(entry.case_id.clone());
        }
        if entry.format >= 2 {
            rules.extend(entry.ruleset.clone());
        }
        Ok(())
    });
    match scanned {
        Err(accord_register::Error::Corrupt(reason)) => return Ok(Err(reason)),
        other => other?,
    }
    if let Some(reason) = first {
        return Ok(Err(reason));
    }
    let head = register.head()?;
    let count = match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
        Ok(count) => count,
        Err(b) => return Ok(Err(b.reason)),
    };
    if let Some((seq, _)) = expect {
        if !expected_seen {
            return Ok(Err(format!(
                "the ledger holds {count} entries, but entry {seq} was its head when the head was kept: entries were removed"
            )));
        }
    }
    for fingerprint in &rules {
        match register.stored_rules(fingerprint) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Ok(Err(format!(
                    "the rule set {fingerprint} that entries were made under is not kept"
                )))
            }
            Err(accord_register::Error::Corrupt(reason)) => return Ok(Err(reason)),
            Err(other) => return Err(other),
        }
    }
    for id in &cases {
        match register.case(id) {
            Ok(_) => {}
            Err(accord_register::Error::Corrupt(reason)) => return Ok(Err(reason)),
            Err(other) => return Err(other),
        }
    }
    let rule_sets = register.rule_fingerprints()?.len();
    Ok(Ok(Intact {
        entries: count,
        head,
        cases: cases.len(),
        rule_sets,
    }))
}

/// The first fault of one entry, if any.
fn check(
    register: &Register,
    verifier: &mut chain::Verifier,
    entry: &Entry,
) -> Result<Option<String>, accord_register::Error> {
    if let Err(b) = verifier.push(entry) {
        return Ok(Some(b.reason));
    }
    if let Some(sha) = &entry.input_sha256 {
        match register.input(sha)? {
            Some(input) if &chain::sha256_hex(&input.bytes) == sha => {}
            Some(_) => return Ok(Some(format!("entry {}: its stored input was altered", entry.seq))),
            None => return Ok(Some(format!("entry {}: its stored input is missing", entry.seq))),
        }
    }
    let decided = entry
        .decision
        .as_deref()
        .map(|d| Decision::read(d).map(|d| d.outcome).ok());
    let consistent = match (decided, entry.outcome) {
        (Some(Some(said)), Some(column)) => said == column,
        (None, None) => true,
        _ => false,
    };
    if !consistent {
        return Ok(Some(format!(
            "entry {}: its outcome column ({}) does not match its decision",
            entry.seq,
            entry.outcome.map_or("none", |o| o.as_str())
        )));
    }
    Ok(None)
}

/// What a replay found; as JSON (the service's answer), its tallies and
/// lines.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ReplayView)]
pub struct Replay {
    /// The fingerprint of the rules replayed under, or none for "each
    /// decision under its own kept rules".
    #[serde(skip)]
    pub fingerprint: Option<String>,
    /// Same rules, same decision.
    pub confirmed: u64,
    /// Same rules, another decision (or an input that no longer reads).
    pub failures: u64,
    /// Other rules, another outcome.
    pub changed: u64,
    /// Other rules, the same outcome.
    pub unchanged: u64,
    /// Decisions whose rules the register does not keep (recorded before it kept them).
    pub without_rules: u64,
    /// One line per failure or change, in ledger order.
    pub lines: Vec<String>,
}

/// Re-evaluates each decision's stored input on its recorded assessment
/// date: under `rules` when given, else under the rule set it was made with
/// (the register keeps it). Under the same rules, the decision must come
/// out the same, compared as typed values (wording and fields added since
/// are no difference); under other rules, the changed outcomes are listed.
pub fn replay(register: &Register, rules: Option<&RuleSet>) -> Result<Replay, accord_register::Error> {
    let mut out = Replay {
        fingerprint: rules.map(|r| r.fingerprint().to_string()),
        ..Replay::default()
    };
    register.scan(|entry| {
        let Some(json) = entry.decision.as_deref() else {
            return Ok(());
        };
        let at = format!("entry {} ({})", entry.seq, entry.case_id.as_deref().unwrap_or("-"));
        let Ok(stored) = Decision::read(json) else {
            out.failures += 1;
            out.lines.push(format!("{at}: INTEGRITY: its stored decision does not read as a decision"));
            return Ok(());
        };
        let kept;
        let under: &RuleSet = match rules {
            Some(r) => r,
            None => match entry.ruleset.as_deref().map(|f| register.stored_rules(f)).transpose()? {
                Some(Some(r)) => {
                    kept = r;
                    &kept
                }
                _ => {
                    out.without_rules += 1;
                    return Ok(());
                }
            },
        };
        let Some(input) = entry.input_sha256.as_deref().map(|s| register.input(s)).transpose()?.flatten() else {
            out.failures += 1;
            out.lines.push(format!("{at}: INTEGRITY: its stored input is missing"));
            return Ok(());
        };
        let before = stored.outcome.as_str();
        let same_rules = entry.ruleset.as_deref() == Some(under.fingerprint().as_str());
        match crate::decide::decide_bytes(under, Path::new(&input.name), input.bytes, Some(stored.as_of)) {
            Err(err) if same_rules => {
                out.failures += 1;
                out.lines.push(format!("{at}: INTEGRITY: its input no longer reads: {err}"));
            }
            Err(err) => {
                out.changed += 1;
                out.lines.push(format!("{at}: {before} -> cannot be assessed under these rules: {err}"));
            }
            Ok(decision) => {
                let replayed = Decision::from(&decision);
                let after = replayed.outcome.as_str();
                if same_rules {
                    let differences = stored.differences(&replayed);
                    if differences.is_empty() {
                        out.confirmed += 1;
                    } else {
                        out.failures += 1;
                        out.lines.push(format!(
                            "{at}: INTEGRITY: the same rules and input give a different decision ({before} -> {after}; {} differ)",
                            differences.join(", ")
                        ));
                    }
                } else if after == before {
                    out.unchanged += 1;
                } else {
                    out.changed += 1;
                    out.lines.push(format!("{at}: {before} -> {after}"));
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Every entry as one line of JSON with every hashed field, in order, so the
/// chain can be re-verified outside Accord.
pub fn export(
    register: &Register,
    mut line: impl FnMut(String) -> Result<(), accord_register::Error>,
) -> Result<(), accord_register::Error> {
    register.scan(|entry| line(serde_json::to_string(&entry).unwrap_or_default()))
}
