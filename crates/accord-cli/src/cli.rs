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
    /// Re-assess every application file under some paths, in parallel.
    Batch(BatchArgs),
    /// Compare two rule sets by meaning (exit 0 same meaning, 1 changes, 2 trouble).
    Diff(DiffArgs),
    /// Assess applications under two rule sets and list those whose decision changes.
    Impact(ImpactArgs),
    /// Run the rule tests under DIR/tests, optionally with clause and branch coverage.
    Test(TestArgs),
    /// The case register: open, acknowledge, add evidence, assess, show, list what is due.
    Case(CaseArgs),
    /// The decision ledger: verify its chain, replay its decisions, export it.
    Ledger(LedgerArgs),
}

/// The register database.
#[derive(Debug, clap::Args)]
pub struct DbArg {
    /// SQLite database of the case register and decision ledger (created if absent).
    #[arg(long, env = "ACCORD_DB", default_value = "accord.db", value_name = "PATH")]
    pub db: PathBuf,
}

/// `accord case`.
#[derive(Debug, clap::Args)]
pub struct CaseArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArg,
    /// What to do.
    #[command(subcommand)]
    pub command: CaseCommand,
}

/// Case subcommands.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Register an application as a new case (its id is the application's id).
    Open {
        /// The rule set the application is checked against.
        #[command(flatten)]
        rules: RulesArg,
        /// Date received [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        received: Option<Date>,
        /// The application file.
        file: PathBuf,
    },
    /// Record the acknowledgement of a case (Article 6.1).
    Acknowledge {
        /// Case id.
        id: String,
        /// Date acknowledged.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Date,
    },
    /// Add a newer version of a case's application file (every version is kept).
    Evidence {
        /// The rule set the application is checked against.
        #[command(flatten)]
        rules: RulesArg,
        /// Case id (must match the file's `id`).
        id: String,
        /// The newer application file.
        file: PathBuf,
        /// Date received.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        received: Date,
    },
    /// Assess the current version and record the decision in the ledger.
    Assess {
        /// The rule set.
        #[command(flatten)]
        rules: RulesArg,
        /// Case id.
        id: String,
        /// Assessment date, instead of the application's `applied_on`.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Date the decision is made [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Option<Date>,
    },
    /// Show a case: every version, event and decision, and its clocks.
    Show {
        /// The rule set (for the Article 6 periods).
        #[command(flatten)]
        rules: RulesArg,
        /// Case id.
        id: String,
        /// Date the clocks are read on [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Open cases whose acknowledgement or decision is running, soonest deadline first.
    Due {
        /// The rule set (for the Article 6 periods).
        #[command(flatten)]
        rules: RulesArg,
        /// The day to count from.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Date,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// `accord ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArg,
    /// What to do.
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// Ledger subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute the chain: exit 0 intact, 1 naming the first entry at fault.
    Verify,
    /// Re-evaluate every entry's stored input under a rule set.
    Replay {
        /// The rule set.
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Write the ledger as JSON Lines, with what is needed to re-verify the chain.
    Export {
        /// Write to FILE instead of stdout (written like `batch --output`).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `accord diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old rule set.
    #[arg(value_name = "OLD_RULES")]
    pub old: PathBuf,
    /// The new rule set.
    #[arg(value_name = "NEW_RULES")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `accord impact`.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// The old rule set.
    #[arg(long, value_name = "OLD_RULES")]
    pub old: PathBuf,
    /// The new rule set.
    #[arg(long, value_name = "NEW_RULES")]
    pub new: PathBuf,
    /// Assessment date (YYYY-MM-DD) for every application, instead of each one's `applied_on`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Worker threads, 1 to 64 [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,
    /// Write the report to FILE instead of stdout (written like `batch --output`).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Application files, or directories walked recursively.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Output formats of `impact`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// Transition matrix, counts by clause, then the list.
    Text,
    /// One record per changed application (and per unreadable file).
    Jsonl,
}

/// `accord test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Report the clauses and branches no test exercises; exit 1 below the rule set's `coverage_minimum`.
    #[arg(long)]
    pub coverage: bool,
}

/// `accord batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Assessment date (YYYY-MM-DD) for every application, instead of each one's `applied_on`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Worker threads, 1 to 64 [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
    /// Write the records to FILE instead of stdout: a regular file is
    /// replaced whole at the end (never left half-written; a symbolic link
    /// is followed and its target replaced, keeping the target's mode), a
    /// device or FIFO is written to as it goes.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the summary as JSON to FILE (written like --output).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// An earlier batch output (JSON Lines) to compare outcomes with.
    #[arg(long, value_name = "PREVIOUS.jsonl")]
    pub compare: Option<PathBuf>,
    /// Also record every decision in the ledger of `--db` (one transaction per chunk).
    #[arg(long)]
    pub record: bool,
    /// The database `--record` writes to.
    #[command(flatten)]
    pub db: DbArg,
    /// Application files, or directories walked recursively.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Output formats of `batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BatchFormat {
    /// One decision contract object per line.
    Jsonl,
    /// One row per application, one column per clause.
    Csv,
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
    /// Output format: a summary, or every problem as a JSON array (for editors and CI).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
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
