//! Evaluating one already-parsed application, against a baseline measured
//! in the same run: parsing that same application from YAML.
//!
//! `cargo bench -p accord-eval --bench assess`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use accord_core::source::Format;
use accord_core::{load_dir, Application};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The allocator the `accord` binary ships with (see accord-cli's main.rs),
/// so that the figures are those of the real tool; the baseline uses it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const APPLICATION: &str = include_str!("../../../fixtures/examples/spec-example.yaml");

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Ok(rules) = load_dir(&root.join("rules")) else {
        eprintln!("the bundled rules do not load");
        return;
    };
    let file = Path::new("spec-example.yaml");
    let Ok(application) = Application::parse(file, Format::Yaml, APPLICATION, &rules) else {
        eprintln!("the example application does not parse");
        return;
    };
    let as_of = application.applied_on().get();
    let mut group = c.benchmark_group("one application");
    group.throughput(Throughput::Elements(1));
    group.bench_function("baseline: parse YAML", |b| {
        b.iter(|| Application::parse(file, Format::Yaml, black_box(APPLICATION), &rules).is_ok())
    });
    group.bench_function("assess", |b| {
        b.iter(|| accord_eval::assess(&rules, black_box(&application), black_box(as_of)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
