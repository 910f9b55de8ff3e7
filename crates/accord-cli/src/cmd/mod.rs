//! One module per subcommand; `run` dispatches.

mod assess;
mod batch;
mod case;
mod check;
mod diff;
mod ids;
mod impact;
mod ledger;
mod test;

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Assess(args) => assess::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Impact(args) => impact::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Case(args) => case::run(&args),
        Command::Ledger(args) => ledger::run(&args),
    }
}

/// Reads, parses and assesses one application file: the one path from a
/// file to a decision, shared by `assess`, `batch` and the commands built on them.
pub fn decide_file(
    rules: &accord_core::RuleSet,
    path: &std::path::Path,
    as_of: Option<accord_core::Date>,
) -> Result<accord_eval::Decision, accord_core::Error> {
    let application = accord_core::Application::read(path, rules)?;
    let as_of = as_of.unwrap_or(application.applied_on);
    Ok(accord_eval::assess(rules, &application, as_of.get()))
}

/// Like [`decide_file`] for bytes already read (the register's stored
/// inputs, a batch that records them): `name` gives the format and the
/// file named in errors.
pub fn decide_bytes(
    rules: &accord_core::RuleSet,
    name: &std::path::Path,
    bytes: Vec<u8>,
    as_of: Option<accord_core::Date>,
) -> Result<accord_eval::Decision, accord_core::Error> {
    let application = accord_core::Application::from_bytes(name, bytes, rules)?;
    let as_of = as_of.unwrap_or(application.applied_on);
    Ok(accord_eval::assess(rules, &application, as_of.get()))
}

/// Writes `text` to stdout whole; a closed pipe (`accord ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
