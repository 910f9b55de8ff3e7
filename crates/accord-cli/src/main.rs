//! `accord`: assess engineers' applications for recognition under mutual
//! recognition agreements written as data.
//!
//! The binary is glue: it parses arguments, reads files, formats output and
//! turns the result into an exit code (0 done, 1 bad input, 2 usage error).

mod cli;
mod cmd;
mod contract;
mod error;
mod output;
mod pipeline;
mod render;
mod summary;
mod walk;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: batch workers allocate and
/// free on different threads, and glibc's arena locks made a quarter of a
/// run kernel time (perf: `__lll_lock_wait_private`, `finish_task_switch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("accord: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
