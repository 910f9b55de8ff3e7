//! One module per subcommand; `run` dispatches. Each parses nothing (clap
//! did), calls one use case of accord-app, renders, and picks the exit status.

mod actor;
mod assess;
mod batch;
mod case;
mod check;
mod completions;
mod diff;
mod graph;
mod impact;
mod ledger;
mod serve;
mod test;
mod token;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::exit::Exit;

/// The global options every subcommand sees.
pub struct Context {
    /// The register's location.
    pub db: String,
    /// Who is acting.
    pub actor: Option<String>,
    /// Nothing on stderr but errors (`--quiet`).
    pub quiet: bool,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Exit, CliError> {
    let context = Context {
        db: cli.db,
        actor: cli.actor,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Assess(args) => assess::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Check(args) => check::run(&args),
        Command::Batch(args) => batch::run(&args, &context),
        Command::Diff(args) => diff::run(&args),
        Command::Impact(args) => impact::run(&args, &context),
        Command::Test(args) => test::run(&args),
        Command::Case(command) => case::run(&command, &context),
        Command::Actor(command) => actor::run(&command, &context),
        Command::Ledger(command) => ledger::run(&command, &context),
        Command::Serve(args) => serve::run(&args, &context),
        Command::Token(command) => token::run(&command, &context),
    }
}

/// Writes `text` to stdout whole; a closed pipe (`accord ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Set by SIGINT/SIGTERM: a parallel run stops, and its output file is not written.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How long a run may take to stop by itself once interrupted: its workers
/// notice at their next file, but with many more threads than cores each
/// may wait for a time slice, and the run joins them all.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Installs the handler that sets [`INTERRUPTED`], and returns the flag.
/// Should the run still be going after [`STOP_GRACE`], the handler removes
/// its partial output files and exits 130 itself, so that every parallel
/// command answers SIGINT within a second whatever its thread count.
fn interruptible() -> &'static AtomicBool {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        std::thread::sleep(STOP_GRACE);
        crate::output::remove_partials();
        say_interrupted();
        std::process::exit(crate::exit::INTERRUPTED_STATUS);
    });
    &INTERRUPTED
}

/// Says once, whoever notices first, that the run was interrupted.
fn say_interrupted() {
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::SeqCst) {
        say!("accord: interrupted; no output written");
    }
}

/// Whether the run was interrupted; if so, says so on stderr.
fn interrupted() -> bool {
    let stopped = INTERRUPTED.load(Ordering::SeqCst);
    if stopped {
        say_interrupted();
    }
    stopped
}

/// Worker threads: as asked (clap bounds it), else the number of cores.
fn jobs(asked: Option<u16>) -> usize {
    asked
        .map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        )
        .clamp(1, accord_app::MAX_JOBS)
}

/// A progress bar on stderr, shown only on a terminal (and not `--quiet`).
fn progress_bar(context: &Context) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if context.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} files {per_sec} {elapsed}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
