//! Command-line arguments (clap derive). Values that have a type (dates,
//! formats) are parsed here, so a malformed one is a usage error (exit 2)
//! before any work starts.

use std::path::PathBuf;

use accord_core::Date;
use clap::{Parser, Subcommand, ValueEnum};

/// Assess engineers' applications for recognition under mutual recognition agreements.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The rule set to use.
#[derive(Debug, clap::Args)]
pub struct RulesArg {
    /// Rule-set directory.
    #[arg(long, env = "ACCORD_RULES", default_value = "rules", value_name = "DIR")]
    pub rules: PathBuf,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess one application and print the decision.
    Assess(AssessArgs),
    /// Load and validate a rule set, and summarise it.
    Check(CheckArgs),
}

/// `accord assess`.
#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Assessment date (YYYY-MM-DD), instead of the application's `applied_on`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The application file (`.yaml`, `.yml` or `.json`).
    pub file: PathBuf,
}

/// `accord check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
}

/// Output formats of `assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For a person.
    Text,
    /// The decision contract.
    Json,
}

/// Parses a `YYYY-MM-DD` argument.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
}
