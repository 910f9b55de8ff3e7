//! `accord completions SHELL` and `accord man`: generated from the clap
//! definitions (`cli.rs`), so that they can never drift from the arguments
//! the binary really takes.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::CliError;
use crate::exit::Exit;

/// Prints the completion script for a shell.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "accord", &mut script);
    super::print(&String::from_utf8_lossy(&script))?;
    Ok(Exit::Success)
}

/// Prints the manual page, or writes every command's into a folder.
pub fn man(args: &ManArgs) -> Result<Exit, CliError> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)?;
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            super::print(&String::from_utf8_lossy(&page))?;
        }
    }
    Ok(Exit::Success)
}
