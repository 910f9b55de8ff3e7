//! `accord actor`: who may act on the register.

use accord_register::{Access, Register};

use crate::cli::{ActorCommand, ReadFormat};
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;

use super::Context;

/// Runs an actor command.
pub fn run(command: &ActorCommand, context: &Context) -> Result<Exit, CliError> {
    let by = context.actor.as_deref();
    let text = match command {
        ActorCommand::Add { id, name, roles } => {
            let mut register = Register::open(&context.db, Access::Write)?;
            let entry = register.add_actor(by, id, name, roles)?;
            let added = register.actors()?;
            let actor = added.get(id);
            let roles: Vec<&str> = actor
                .map(|a| a.roles.iter().map(|r| r.as_str()).collect())
                .unwrap_or_default();
            format!(
                "actor {} ({}) added with the roles {}: ledger entry {}\n",
                escape::text(id),
                escape::text(name),
                roles.join(", "),
                entry.seq
            )
        }
        ActorCommand::Disable { id } => {
            let entry = Register::open(&context.db, Access::Write)?.disable_actor(by, id)?;
            format!(
                "actor {} disabled: ledger entry {}\n",
                escape::text(id),
                entry.seq
            )
        }
        ActorCommand::List { format } => {
            let actors = Register::open(&context.db, Access::Read)?.actors()?;
            let all: Vec<&accord_register::actor::Actor> = actors.all().collect();
            match format {
                ReadFormat::Json => serde_json::to_string_pretty(&all).unwrap_or_default() + "\n",
                ReadFormat::Text => {
                    let mut out = Lines::new();
                    for a in all {
                        let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                        let state = if a.disabled { "  (disabled)" } else { "" };
                        out.line(format!("{:<16} {:<24} {}{state}", a.id, a.name, roles.join(", ")));
                    }
                    out.finish()
                }
            }
        }
    };
    super::print(&text)?;
    Ok(Exit::Success)
}
