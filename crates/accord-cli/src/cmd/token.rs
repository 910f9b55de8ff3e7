//! `accord token`: bearer tokens for the HTTP service. A token is random
//! (32 bytes from the operating system), printed once, and kept in the
//! register only as its sha256, in a chained entry.

use accord_register::{Access, Register};

use crate::cli::TokenCommand;
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;

use super::Context;

/// Runs a token command.
pub fn run(command: &TokenCommand, context: &Context) -> Result<Exit, CliError> {
    let by = context.actor.as_deref();
    match command {
        TokenCommand::Create { for_actor } => {
            let Some(actor) = for_actor.as_deref().or(by) else {
                say!("accord: name the token's actor with `--for ID`, or act as them with `--actor ID`");
                return Ok(Exit::Usage);
            };
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|e| {
                std::io::Error::other(format!("no random bytes from the operating system: {e}"))
            })?;
            let mut register = Register::open(&context.db, Access::Write)?;
            let (token, entry) = register.create_token(by, actor, &secret)?;
            let id = accord_register::token_id(&token);
            say!(
                "token {id} for {} issued (ledger entry {}): it is shown once, keep it secret",
                escape::text(actor),
                entry.seq
            );
            super::print(&format!("{token}\n"))?;
        }
        TokenCommand::Revoke { id } => {
            let mut register = Register::open(&context.db, Access::Write)?;
            let entry = register.revoke_token(by, id)?;
            super::print(&format!(
                "token {} revoked: ledger entry {}\n",
                escape::text(id),
                entry.seq
            ))?;
        }
        TokenCommand::List => {
            let register = Register::open(&context.db, Access::Read)?;
            let actors = register.actors()?;
            let mut out = Lines::new();
            for token in actors.tokens() {
                out.line(format!(
                    "{:<18} {:<16} {:<8} issued in entry {}",
                    token.id,
                    token.actor,
                    if token.revoked { "revoked" } else { "active" },
                    token.issued_in
                ));
            }
            super::print(&out.finish())?;
        }
    }
    Ok(Exit::Success)
}
