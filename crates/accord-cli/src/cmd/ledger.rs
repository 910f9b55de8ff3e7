//! `accord ledger`: verify the hash chain, replay decisions, export for auditors.

use std::io::Write as _;

use accord_app::ledger;
use accord_core::load_dir;
use accord_register::Register;

use crate::cli::{LedgerArgs, LedgerCommand};
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;
use crate::output::Output;

/// Runs a ledger command.
pub fn run(args: &LedgerArgs) -> Result<Exit, CliError> {
    let register = Register::open(&args.db.db)?;
    match &args.command {
        LedgerCommand::Verify => match ledger::verify(&register)? {
            Ok(intact) => {
                let head = intact
                    .head
                    .map(|(s, h)| format!(", head entry {s} {h}"))
                    .unwrap_or_default();
                super::print(&format!("ledger intact: {} entries{head}\n", intact.entries))?;
                Ok(Exit::Success)
            }
            Err(reason) => {
                eprintln!("accord: ledger broken: {}", crate::escape::text(&reason));
                Ok(Exit::Failure)
            }
        },
        LedgerCommand::Replay { rules } => {
            let loaded = load_dir(&rules.rules)?;
            let replay = ledger::replay(&register, &loaded)?;
            let mut out = Lines::new();
            out.line(format!(
                "replayed under {} ({})",
                rules.rules.display(),
                replay.fingerprint
            ));
            out.line(format!("confirmed {} (same rules, same decision); integrity failures {}; under other rules: outcome changed {}, unchanged {}",
                replay.confirmed, replay.failures, replay.changed, replay.unchanged));
            for line in &replay.lines {
                out.line(format!("  {line}"));
            }
            super::print(&out.finish())?;
            Ok(Exit::from_ok(replay.failures == 0))
        }
        LedgerCommand::Export { output } => {
            let mut out = Output::open(output.as_deref())?;
            ledger::export(&register, |line| {
                out.write_all(line.as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| accord_register::Error::Refused(format!("cannot write output: {e}")))
            })?;
            crate::output::ignore_closed_pipe(out.commit())?;
            Ok(Exit::Success)
        }
    }
}
