//! `accord ledger`: verify the hash chain, print its head, replay decisions, export for auditors.

use std::io::Write as _;

use accord_app::ledger;
use accord_core::load_dir;
use accord_register::actor::Action;
use accord_register::{Access, Register};

use crate::cli::LedgerCommand;
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;
use crate::output::Output;

use super::Context;

/// Runs a ledger command (each only reads: the register is opened read-only).
pub fn run(command: &LedgerCommand, context: &Context) -> Result<Exit, CliError> {
    let register = Register::open(&context.db, Access::Read)?;
    // Anyone with the file may read it; a named actor must be allowed to audit.
    if context.actor.is_some() {
        register.authorize(context.actor.as_deref(), Action::Audit)?;
    }
    match command {
        LedgerCommand::Verify { expect_head } => {
            let expected = match expect_head.as_deref().map(ledger::parse_head).transpose() {
                Ok(expected) => expected,
                Err(message) => {
                    say!("accord: {}", escape::text(&message));
                    return Ok(Exit::Usage);
                }
            };
            match ledger::verify(&register, expected.as_ref())? {
                Ok(intact) => {
                    let head = intact
                        .head
                        .map(|(s, h)| format!(", head entry {s} {h}"))
                        .unwrap_or_default();
                    let held = expected
                        .map(|(s, _)| format!("; entry {s} is as it was kept"))
                        .unwrap_or_default();
                    super::print(&format!(
                        "ledger intact: {} entries{head}{held}\n",
                        intact.entries
                    ))?;
                    Ok(Exit::Success)
                }
                Err(reason) => {
                    say!("accord: ledger broken: {}", escape::text(&reason));
                    Ok(Exit::Failure)
                }
            }
        }
        LedgerCommand::Head => match register.head()? {
            Some((seq, hash)) => {
                super::print(&format!("{seq}:{hash}\n"))?;
                Ok(Exit::Success)
            }
            None => {
                say!("accord: the ledger has no entry yet, so no head");
                Ok(Exit::Failure)
            }
        },
        LedgerCommand::Replay { rules } => {
            let loaded = rules.as_deref().map(load_dir).transpose()?;
            let replay = ledger::replay(&register, loaded.as_ref())?;
            let mut out = Lines::new();
            match (rules, &replay.fingerprint) {
                (Some(dir), Some(fingerprint)) => {
                    out.line(format!("replayed under {} ({fingerprint})", dir.display()))
                }
                _ => out.line(
                    "replayed each decision under the rule set it was made with, as the register keeps it",
                ),
            }
            out.line(format!(
                "confirmed {} (same rules, same decision); integrity failures {}; under other rules: outcome changed {}, unchanged {}",
                replay.confirmed, replay.failures, replay.changed, replay.unchanged
            ));
            if replay.without_rules > 0 {
                out.line(format!(
                    "not replayed: {} decisions recorded before the register kept rule sets (give --rules)",
                    replay.without_rules
                ));
            }
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
