//! Accord's use cases, as library functions over typed values: decide a
//! file or bytes, run a batch, measure a rule change's impact, run rule
//! tests with their coverage, run the case register's workflow, verify,
//! replay and export the ledger — and the decision contract they speak.
//!
//! Invariant: nothing here knows whether it is called from a terminal or
//! from HTTP. Nothing prints, reads the environment or picks an exit code;
//! decisions travel as typed values and become JSON only where a front end
//! writes them. A front end parses its input into these calls' arguments,
//! calls one use case, and renders the result.

pub mod batch;
pub mod batch_report;
pub mod case;
pub mod contract;
pub mod decide;
pub mod explain;
pub mod graph;
mod ids;
pub mod impact;
pub mod ledger;
pub mod letter;
pub mod mutants;
mod pipeline;
pub mod ruletest;
mod walk;

pub use decide::{
    assess, assess_bytes, assess_file, decide, decide_bytes, decide_file, Assessed, DecideError,
};

/// The largest number of worker threads a parallel use case accepts. The
/// work is bound by the processor: more workers than cores only queue for
/// them, and with hundreds, each waits so long for a time slice that an
/// interrupted run takes a second to wind down.
pub const MAX_JOBS: usize = 64;
