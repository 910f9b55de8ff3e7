//! Command-line arguments (clap derive). Values that have a type (dates,
//! formats) are parsed here, so a malformed one is a usage error (exit 2)
//! before any work starts.

use std::path::PathBuf;

use accord_core::Date;
use clap::{Parser, Subcommand, ValueEnum};

/// Assess engineers' applications for recognition under mutual recognition agreements.
#[derive(Debug, Parser)]
#[command(name = "accord", version, propagate_version = true)]
pub struct Cli {
    /// The register (case register and decision ledger): a SQLite file's
    /// path (or `sqlite:PATH`), or a PostgreSQL database's URL,
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (or `postgresql://`; the
    /// database must exist, and no password is ever printed).
    #[arg(
        long,
        global = true,
        env = "ACCORD_DB",
        default_value = "accord.db",
        value_name = "PATH|URL"
    )]
    pub db: String,
    /// Who is acting: every command that writes to the register names its
    /// actor (for `case list`, the actor whose cases to list).
    #[arg(long, global = true, env = "ACCORD_ACTOR", value_name = "ID")]
    pub actor: Option<String>,
    /// Print nothing on stderr but errors: no summary, counts or progress bar.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
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
    /// The case register: open, acknowledge, add evidence, assess, confirm, review, correct, show, list, due.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The register's actors: add, list, disable.
    #[command(subcommand)]
    Actor(ActorCommand),
    /// The decision ledger: verify its chain, print its head, replay its decisions, export it.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Draw the rule set: bodies and agreements (who recognises whom), schedules, and each agreement's clauses with their dependencies and order of precedence.
    Graph(GraphArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from these definitions.
    Man(ManArgs),
    /// Serve the HTTP decision API (bearer tokens; SQLite or PostgreSQL register).
    Serve(ServeArgs),
    /// Bearer tokens for the HTTP service: create, revoke, list.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `accord serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The rule set decided under.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Address to listen on (port 0: any free port, printed on start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8087")]
    pub listen: std::net::SocketAddr,
    /// Worker threads, 1 to 64 [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Requests handled at once; beyond, 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_in_flight: u32,
    /// The longest a request may take, in seconds; beyond, 503 with Retry-After.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Connections open at once; beyond, new ones are closed at once. Keep it
    /// under the open-file limit (`ulimit -n`).
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// Register connections open at once (a PostgreSQL server allows 100 by
    /// default, for every client); requests beyond wait their turn.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub db_connections: u32,
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a bearer token for an actor (yourself, or anyone as an admin); it is printed once, only its hash is kept.
    Create {
        /// The actor the token authenticates [default: the acting actor, `--actor`].
        #[arg(long = "for", value_name = "ID")]
        for_actor: Option<String>,
    },
    /// Revoke a token by its id (as `token list` and `token create` show it).
    Revoke {
        /// The token's id, `acc_` and 12 hex digits.
        id: String,
    },
    /// List the tokens issued, with their actor and state (never the tokens themselves).
    List,
}

/// Actor subcommands.
#[derive(Debug, Subcommand)]
pub enum ActorCommand {
    /// Add an actor (the first one added to a register becomes an admin; after that, admins add actors).
    Add {
        /// The actor's id, as `--actor` will name them.
        id: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// Their roles: clerk, assessor, auditor, admin.
        #[arg(long = "role", value_name = "ROLE", required = true, value_parser = parse_role)]
        roles: Vec<accord_register::actor::Role>,
    },
    /// List the actors, with their roles.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
    /// Disable an actor: their history stays, they may do nothing more.
    Disable {
        /// The actor's id.
        id: String,
    },
}

/// Case subcommands.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Register an application as a new case (its id is the application's id).
    Open {
        /// The rule set the application is checked against; the register keeps it, and its procedure governs the case.
        #[command(flatten)]
        rules: RulesArg,
        /// Date received [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        received: Option<Date>,
        /// The application file.
        file: PathBuf,
    },
    /// Record the acknowledgement of a case.
    Acknowledge {
        /// Case id.
        id: String,
        /// Date acknowledged [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Option<Date>,
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
        /// Date received [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        received: Option<Date>,
    },
    /// Assess the current version and record the decision: it takes effect, awaits confirmation, or stops the clock.
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
    /// Confirm a proposed decision, as a second assessor: it takes effect and closes the case.
    Confirm {
        /// Case id.
        id: String,
        /// Date confirmed [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Option<Date>,
    },
    /// Record the applicant's request for a review of the decision in effect (or of a deemed refusal).
    RequestReview {
        /// Case id.
        id: String,
        /// Date the request was received [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        received: Option<Date>,
    },
    /// Decide the review: the reviewed decision's evidence, rule set and assessment date, assessed afresh.
    DecideReview {
        /// Case id.
        id: String,
        /// A corrected application file, where the evidence was recorded wrongly (kept as a new version).
        #[arg(long, value_name = "FILE")]
        corrected: Option<PathBuf>,
        /// Date decided [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Option<Date>,
    },
    /// Correct the business date of an entry of a case (both entries stay in the ledger).
    Correct {
        /// Case id.
        id: String,
        /// The ledger entry to correct (as `case show` lists them).
        entry: i64,
        /// The right date.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Date,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Show a case: every version, event and decision, who recorded it, and its clocks.
    Show {
        /// Case id.
        id: String,
        /// Date the clocks are read on [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        /// With `--format html`: the rule-set folder whose
        /// `templates/letter.html` writes the letter (the default letter
        /// when it has none). The decision itself is derived again under
        /// the rule set the register kept.
        #[arg(long, env = "ACCORD_RULES", default_value = "rules", value_name = "DIR")]
        rules: PathBuf,
    },
    /// List the cases (with --actor, those the actor took part in).
    List {
        /// Only open cases.
        #[arg(long, conflicts_with = "closed")]
        open: bool,
        /// Only closed cases.
        #[arg(long)]
        closed: bool,
        /// Date the cases are read on [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
    /// Every running and stopped clock, soonest deadline first.
    Due {
        /// The day to count from [default: today].
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
}

/// Ledger subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute the chain: exit 0 intact, 1 naming the first entry at fault.
    Verify {
        /// The head kept outside the register (`accord ledger head`): the chain must still hold it.
        #[arg(long, value_name = "N:HASH")]
        expect_head: Option<String>,
    },
    /// Print the head, `N:HASH`, to keep outside the register.
    Head,
    /// Re-evaluate every decision's stored input: under the rules it was made with, or under DIR.
    Replay {
        /// A rule set to replay under [default: each decision's own, kept in the register].
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Write the ledger as JSON Lines, with what is needed to re-verify the chain.
    Export {
        /// Write to FILE instead of stdout (written like `batch --output`).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Output formats of reading commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadFormat {
    /// For a person.
    Text,
    /// JSON, for programs.
    Json,
}

/// Output formats of `case show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The case for a person: versions, events, the decision in effect, clocks.
    Text,
    /// The case as JSON, for programs (versions, events, assessments, clocks).
    Json,
    /// The decision letter of the decision in effect (else the latest), with
    /// the last day to request a review: one printable HTML page.
    Html,
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
    /// Mutation testing: change each threshold, date, list element and
    /// precedence step by the smallest step, run the tests against each
    /// change, and report the changes no test notices (exit 1 when one
    /// survives that no test file accepts as equivalent).
    #[arg(long)]
    pub mutants: bool,
    /// Output format of `--mutants`: a report, or JSON for CI.
    #[arg(long, value_enum, default_value_t = Format::Text, requires = "mutants")]
    pub format: Format,
    /// Worker threads for `--mutants`, 1 to 64 [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), requires = "mutants")]
    pub jobs: Option<u16>,
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
    /// Also give each decision its outlook (JSON: `outlook`; CSV:
    /// `expedited_on` and `granted_on` columns).
    #[arg(long)]
    pub outlook: bool,
    /// Also record every decision in the ledger of `--db` (one transaction per 64), as `--actor` (an assessor).
    #[arg(long)]
    pub record: bool,
    /// Also write a report for people to FILE: one self-contained HTML page
    /// (outcomes, clauses not met and unknown, transitions against
    /// --compare with their files, rejected files, the rule set).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
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
    #[arg(long, value_enum, default_value_t = AssessFormat::Text)]
    pub format: AssessFormat,
    /// Also say when time alone would qualify the applicant, and what time
    /// cannot supply (the eligibility outlook, ten years ahead).
    #[arg(long)]
    pub outlook: bool,
    /// The format of standard input (`-`) [default: JSON when it starts with `{`, else YAML].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// The application file (`.yaml`, `.yml` or `.json`), or `-` for standard input (at most 1 MiB).
    pub file: PathBuf,
}

/// Output formats of `assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssessFormat {
    /// A report for a person: the outcome, each clause, what was counted, what to do next.
    Text,
    /// The decision contract (`spec/application-format.md`), for programs.
    Json,
    /// The decision letter: one self-contained, printable HTML page (the
    /// rule set's `templates/letter.html`, else the default).
    Html,
}

/// Formats of an application read from standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// `accord graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format: Graphviz DOT, or a Mermaid flowchart (for Markdown).
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart, for Markdown documents.
    Mermaid,
}

/// `accord man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command into DIR (`accord.1`, `accord-assess.1`, ...) instead of printing `accord.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `accord completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `accord check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format: a summary, or every problem and warning as a JSON array (for editors and CI).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when the rule set loads with warnings (a clause text that
    /// contradicts its parameter, something unused, an unreachable step).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Output formats of `check`, `diff` and `test --mutants`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For a person.
    Text,
    /// JSON, for programs.
    Json,
}

/// Parses a role's name.
pub fn parse_role(text: &str) -> Result<accord_register::actor::Role, String> {
    accord_register::actor::Role::parse(text)
        .ok_or_else(|| format!("`{text}` is not a role: clerk, assessor, auditor or admin"))
}

/// Parses a `YYYY-MM-DD` argument.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
}
