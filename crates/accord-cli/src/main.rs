//! `accord`: assess engineers' applications for recognition under mutual
//! recognition agreements written as data.
//!
//! The binary is glue: it parses arguments into typed options, calls one
//! use case of accord-app, renders the result and turns it into an exit
//! status ([`exit::Exit`]).

/// `eprintln!` that never panics: a closed or full standard error (a
/// detached terminal, `2>&-`) loses the message, not the exit status.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see `say!`).
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod cmd;
mod error;
mod escape;
mod exit;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

use exit::Exit;

/// mimalloc rather than the system allocator: batch workers allocate and
/// free on different threads, and glibc's arena locks made a quarter of a
/// run kernel time (perf: `__lll_lock_wait_private`, `finish_task_switch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let exit = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = err.print();
            return exit.into();
        }
    };
    match cmd::run(args) {
        Ok(exit) => exit.into(),
        Err(err) => {
            for line in err.lines() {
                say!("accord: {}", escape::text(&line));
            }
            Exit::Failure.into()
        }
    }
}
