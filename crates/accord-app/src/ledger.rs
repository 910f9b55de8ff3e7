//! The decision ledger's use cases: verify the chain (and each entry's
//! stored input and typed outcome), replay every decision under a rule set,
//! and export the entries for verification outside Accord.

use std::path::Path;

use accord_core::RuleSet;
use accord_register::chain;
use accord_register::Register;

use crate::contract::Decision;

/// An intact ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intact {
    /// How many entries.
    pub entries: u64,
    /// The head: `(seq, hash)`.
    pub head: Option<(i64, String)>,
}

/// Verifies the ledger: `Ok(Err(reason))` names the first entry at fault.
///
/// Streams the entries through the chain check, checks that each stored
/// input still hashes to the sha256 its entry recorded, and that each
/// entry's outcome column says what its decision says.
pub fn verify(register: &Register) -> Result<Result<Intact, String>, accord_register::Error> {
    let mut verifier = chain::Verifier::default();
    let mut first: Option<String> = None;
    register.scan(None, |entry| {
        if first.is_some() {
            return Ok(());
        }
        if let Err(b) = verifier.push(&entry) {
            first = Some(b.reason);
            return Ok(());
        }
        match register.input(&entry.input_sha256)? {
            Some(input) if chain::sha256_hex(&input.bytes) == entry.input_sha256 => {}
            Some(_) => first = Some(format!("entry {}: its stored input was altered", entry.seq)),
            None => first = Some(format!("entry {}: its stored input is missing", entry.seq)),
        }
        if first.is_none() {
            let decided = Decision::read(&entry.decision).map(|d| d.outcome).ok();
            if decided != Some(entry.outcome) {
                first = Some(format!(
                    "entry {}: its outcome column ({}) does not match its decision",
                    entry.seq,
                    entry.outcome.as_str()
                ));
            }
        }
        Ok(())
    })?;
    let head = register.head()?;
    let result = match first {
        Some(reason) => Err(reason),
        None => verifier
            .finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
            .map_err(|b| b.reason),
    };
    Ok(result.map(|entries| Intact { entries, head }))
}

/// What a replay found.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// The fingerprint of the rules replayed under.
    pub fingerprint: String,
    /// Same rules, same decision.
    pub confirmed: u64,
    /// Same rules, another decision (or an input that no longer reads).
    pub failures: u64,
    /// Other rules, another outcome.
    pub changed: u64,
    /// Other rules, the same outcome.
    pub unchanged: u64,
    /// One line per failure or change, in ledger order.
    pub lines: Vec<String>,
}

/// Re-evaluates each entry's stored input on its recorded assessment date.
/// Under the rules it was recorded with, the decision must come out the
/// same, compared as typed values (wording and fields added since are no
/// difference); under other rules, the changed outcomes are listed.
pub fn replay(register: &Register, rules: &RuleSet) -> Result<Replay, accord_register::Error> {
    let fingerprint = rules.fingerprint().to_string();
    let mut out = Replay {
        fingerprint: fingerprint.clone(),
        ..Replay::default()
    };
    register.scan(None, |entry| {
        let at = format!("entry {} ({})", entry.seq, entry.case_id);
        let Ok(stored) = Decision::read(&entry.decision) else {
            out.failures += 1;
            out.lines.push(format!("{at}: INTEGRITY: its stored decision does not read as a decision"));
            return Ok(());
        };
        let Some(input) = register.input(&entry.input_sha256)? else {
            out.failures += 1;
            out.lines.push(format!("{at}: INTEGRITY: its stored input is missing"));
            return Ok(());
        };
        let before = stored.outcome.as_str();
        let same_rules = entry.ruleset == fingerprint;
        match crate::decide::decide_bytes(rules, Path::new(&input.name), input.bytes, Some(stored.as_of)) {
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
    register.scan(None, |entry| {
        line(serde_json::to_string(&entry).unwrap_or_default())
    })
}
