//! The eligibility outlook's cost, against a baseline measured in the same
//! run: assessing the same applications. Issue 12's bound: on average over
//! the generated corpus, the outlook of an application not already
//! expedited costs at most 20 assessments' time.
//!
//! `cargo bench -p accord-eval --bench outlook`
//!
//! Both benchmarks run over the same set (the non-expedited applications of
//! the first 2,000 of the corpus, seed 7), so their ratio is the average
//! cost of one outlook in assessments. The bench also prints the mean
//! number of criterion evaluations an outlook made, in assessments' worth.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use accord_core::rules::model::Outcome;
use accord_core::source::Format;
use accord_core::{load_dir, Application};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The allocator the `accord` binary ships with (see accord-cli's main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Ok(rules) = load_dir(&root.join("rules")) else {
        eprintln!("the bundled rules do not load");
        return;
    };
    let mut set = Vec::new();
    let (mut evaluations, mut criteria) = (0usize, 0usize);
    for (name, text) in accord_corpus::applications(2000, 7) {
        let format = if name.ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        };
        let Ok(application) = Application::parse(Path::new(&name), format, &text, &rules) else {
            continue;
        };
        let as_of = application.applied_on().get();
        let Ok(decision) = accord_eval::assess(&rules, &application, as_of) else {
            continue;
        };
        if decision.outcome == Outcome::Expedited {
            continue;
        }
        if let Ok(outlook) = accord_eval::outlook(&rules, &application, &decision, accord_eval::HORIZON_DAYS)
        {
            evaluations += outlook.evaluations;
            criteria += decision.criteria.len().max(1);
        }
        set.push((application, decision));
    }
    let n = set.len().max(1);
    eprintln!(
        "{} applications not expedited; an outlook evaluates a criterion {:.1} times on average, \
         {:.2} assessments' worth of criteria",
        set.len(),
        evaluations as f64 / n as f64,
        evaluations as f64 / (criteria as f64 / n as f64) / n as f64,
    );
    let mut group = c.benchmark_group("non-expedited corpus");
    group.throughput(Throughput::Elements(set.len() as u64));
    group.sample_size(20);
    group.bench_function("baseline: assess each", |b| {
        b.iter(|| {
            for (application, decision) in &set {
                black_box(accord_eval::assess(&rules, black_box(application), decision.as_of.get()).is_ok());
            }
        })
    });
    group.bench_function("outlook of each", |b| {
        b.iter(|| {
            for (application, decision) in &set {
                black_box(
                    accord_eval::outlook(
                        &rules,
                        black_box(application),
                        decision,
                        accord_eval::HORIZON_DAYS,
                    )
                    .is_ok(),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
