//! `accord ledger`: verify the hash chain, replay decisions, export for auditors.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use accord_core::{load_dir, Date};
use accord_register::chain;
use accord_register::{clock, Register};

use crate::cli::{LedgerArgs, LedgerCommand};
use crate::contract::DecisionJson;
use crate::error::CliError;
use crate::output::Output;

/// Runs a ledger command.
pub fn run(args: &LedgerArgs) -> Result<ExitCode, CliError> {
    let register = Register::open(&args.db.db)?;
    match &args.command {
        LedgerCommand::Verify => verify(&register),
        LedgerCommand::Replay { rules } => replay(&register, &rules.rules),
        LedgerCommand::Export { output } => {
            let mut out = Output::open(output.as_deref())?;
            register.scan(None, |entry| {
                let line = serde_json::to_string(&entry).unwrap_or_default();
                out.write_all(line.as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| accord_register::Error::Refused(format!("cannot write output: {e}")))
            })?;
            crate::output::ignore_closed_pipe(out.commit())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(register: &Register) -> Result<ExitCode, CliError> {
    // Streams the entries through the chain check, and checks that each
    // stored input still hashes to the sha256 its entry recorded; the first
    // entry at fault, by sequence, is named.
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
        Ok(())
    })?;
    let head = register.head()?;
    let result = match first {
        Some(reason) => Err(reason),
        None => verifier
            .finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
            .map_err(|b| b.reason),
    };
    match result {
        Ok(count) => {
            let head = head
                .map(|(s, h)| format!(", head entry {s} {h}"))
                .unwrap_or_default();
            super::print(&format!("ledger intact: {count} entries{head}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            eprintln!("accord: ledger broken: {reason}");
            Ok(ExitCode::from(1))
        }
    }
}

fn replay(register: &Register, rules_dir: &Path) -> Result<ExitCode, CliError> {
    let rules = load_dir(rules_dir)?;
    let fingerprint = rules.fingerprint().to_string();
    let mut out = String::new();
    let (mut confirmed, mut failures, mut changed, mut unchanged) = (0u64, 0u64, 0u64, 0u64);
    let mut lines = Vec::new();
    register.scan(None, |entry| {
        let stored: serde_json::Value = serde_json::from_str(&entry.decision).unwrap_or_default();
        let as_of = stored
            .get("as_of")
            .and_then(|v| v.as_str())
            .and_then(|s| Date::parse(s).ok());
        let Some(input) = register.input(&entry.input_sha256)? else {
            failures += 1;
            lines.push(format!("entry {} ({}): INTEGRITY: its stored input is missing", entry.seq, entry.case_id));
            return Ok(());
        };
        let replayed = super::decide_bytes(&rules, Path::new(&input.name), input.bytes, as_of)
            .map(|d| DecisionJson::from(&d).to_line());
        let before = clock::outcome_of(&entry.decision).unwrap_or_default();
        match replayed {
            Err(err) => {
                if entry.ruleset == fingerprint {
                    failures += 1;
                    lines.push(format!("entry {} ({}): INTEGRITY: its input no longer reads: {err}", entry.seq, entry.case_id));
                } else {
                    changed += 1;
                    lines.push(format!("entry {} ({}): {before} -> cannot be assessed under these rules: {err}", entry.seq, entry.case_id));
                }
            }
            Ok(line) if entry.ruleset == fingerprint => {
                if line == entry.decision {
                    confirmed += 1;
                } else {
                    failures += 1;
                    lines.push(format!(
                        "entry {} ({}): INTEGRITY: the same rules and input give a different decision ({before} -> {})",
                        entry.seq,
                        entry.case_id,
                        clock::outcome_of(&line).unwrap_or_default()
                    ));
                }
            }
            Ok(line) => {
                let after = clock::outcome_of(&line).unwrap_or_default();
                if after == before {
                    unchanged += 1;
                } else {
                    changed += 1;
                    lines.push(format!("entry {} ({}): {before} -> {after}", entry.seq, entry.case_id));
                }
            }
        }
        Ok(())
    })?;
    let _ = writeln!(out, "replayed under {} ({fingerprint})", rules_dir.display());
    let _ = writeln!(
        out,
        "confirmed {confirmed} (same rules, same decision); integrity failures {failures}; under other rules: outcome changed {changed}, unchanged {unchanged}"
    );
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    super::print(&out)?;
    Ok(ExitCode::from(u8::from(failures > 0)))
}
