//! `accord-corpus`: writes synthetic, valid, varied application files for
//! benchmarks and tests, and measures the parse baseline.
//!
//! ```sh
//! accord-corpus generate --count 20000 --seed 7 --out /tmp/corpus
//! accord-corpus baseline /tmp/corpus
//! ```
//!
//! Applications are drawn so that every outcome of the bundled rule set
//! appears (expedited, conditional, referred, incomplete, standard), with
//! scope failures, absent and empty lists, part-time and overlapping
//! periods; about one file in five is JSON. The same seed writes the same
//! bytes. Files go 1,000 to a directory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("accord-corpus: {message}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str =
    "usage: accord-corpus generate --count N --seed S --out DIR | accord-corpus baseline PATH...";

fn run(args: &[String]) -> Result<(), String> {
    match args.split_first() {
        Some((command, rest)) if command == "generate" => {
            let mut count = None;
            let mut seed = None;
            let mut out = None;
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                let value = it.next().ok_or(USAGE)?;
                match flag.as_str() {
                    "--count" => count = Some(value.parse::<usize>().map_err(|e| format!("--count: {e}"))?),
                    "--seed" => seed = Some(value.parse::<u64>().map_err(|e| format!("--seed: {e}"))?),
                    "--out" => out = Some(PathBuf::from(value)),
                    _ => return Err(USAGE.into()),
                }
            }
            let (Some(count), Some(seed), Some(out)) = (count, seed, out) else {
                return Err(USAGE.into());
            };
            accord_corpus::write_corpus(&out, count, seed).map_err(|e| format!("{}: {e}", out.display()))
        }
        Some((command, paths)) if command == "baseline" && !paths.is_empty() => baseline(paths),
        _ => Err(USAGE.into()),
    }
}

/// Reads and parses every file into a generic YAML/JSON value on one
/// thread, and nothing else; prints files and files per second.
fn baseline(paths: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let mut files = 0u64;
    for path in paths {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = entry.map_err(|e| e.to_string())?;
            let Some(format) = accord_core::source::Format::of_path(entry.path()) else {
                continue;
            };
            let text = std::fs::read_to_string(entry.path())
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            accord_core::source::parse_generic(format, &text)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            files += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{files} files in {seconds:.3} s: {:.0} files/s",
        files as f64 / seconds.max(1e-9)
    );
    Ok(())
}
