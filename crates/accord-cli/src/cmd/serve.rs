//! `accord serve`: the HTTP decision service (crates/accord-server) on a
//! tokio runtime with as many worker threads as `--jobs`.

use std::io::Write as _;
use std::time::Duration;

use accord_core::load_dir;

use crate::cli::ServeArgs;
use crate::error::CliError;
use crate::exit::Exit;

use super::Context;

/// Serves until SIGTERM or SIGINT, then finishes the requests in flight; exit 0.
pub fn run(args: &ServeArgs, context: &Context) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let fingerprint = rules.fingerprint().to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(super::jobs(args.jobs))
        .enable_all()
        .build()?;
    let config = accord_server::Config {
        listen: args.listen,
        rules_dir: args.rules.rules.display().to_string(),
        db: context.db.clone(),
        max_in_flight: usize::try_from(args.max_in_flight).unwrap_or(usize::MAX),
        timeout: Duration::from_secs(args.timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        db_connections: usize::try_from(args.db_connections).unwrap_or(usize::MAX),
    };
    let shown = accord_register::display_location(&context.db);
    let served = runtime.block_on(accord_server::serve(
        config,
        rules,
        |address| {
            // The first line on stderr names the address: scripts and tests
            // read it. A closed stderr is no reason to stop serving.
            let _ = writeln!(
                std::io::stderr(),
                "accord serve: listening on http://{address} (rules {fingerprint}, register {shown})"
            );
        },
        accord_server::shutdown_signal(),
    ));
    match served {
        Ok(()) => {
            let _ = writeln!(
                std::io::stderr(),
                "accord serve: stopped; every request in flight was answered"
            );
            Ok(Exit::Success)
        }
        Err(err) => {
            say!("accord: {}", crate::escape::text(&err.to_string()));
            Ok(Exit::Failure)
        }
    }
}
