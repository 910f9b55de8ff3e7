//! A deterministic measure of evaluation cost, for machines too noisy for
//! wall-clock comparisons: run N evaluations (or N parses, the baseline)
//! of the spec's example under callgrind and read the instruction count.
//!
//! ```sh
//! cargo build --release --example instructions -p accord-eval
//! valgrind --tool=callgrind target/release/examples/instructions 1000 assess
//! valgrind --tool=callgrind target/release/examples/instructions 2000 assess
//! ```
//!
//! The difference of the two totals over 1,000 is the instructions of one
//! evaluation, start-up excluded; `parse` instead of `assess` measures parsing.

use std::hint::black_box;
use std::path::Path;

use accord_core::source::Format;
use accord_core::{load_dir, Application};

/// The allocator the `accord` binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let parse_only = args.next().as_deref() == Some("parse");
    let (Ok(rules), Ok(text)) = (
        load_dir(&root.join("rules")),
        std::fs::read_to_string(root.join("fixtures/examples/spec-example.yaml")),
    ) else {
        eprintln!("run from the repository: the bundled rules and example are needed");
        return;
    };
    let file = Path::new("spec-example.yaml");
    let Ok(application) = Application::parse(file, Format::Yaml, &text, &rules) else {
        eprintln!("the example does not parse");
        return;
    };
    for _ in 0..count {
        if parse_only {
            black_box(Application::parse(file, Format::Yaml, black_box(&text), &rules).is_ok());
        } else {
            let _ = black_box(accord_eval::assess(
                &rules,
                black_box(&application),
                application.applied_on().get(),
            ));
        }
    }
}
