//! Accord's domain model: rule sets and applications, loaded and validated.
//!
//! Invariants: no stdout, no clap, no exit codes. A [`RuleSet`] or an
//! [`Application`] that exists has passed validation; every input error is
//! an [`Error`] naming the file, and where there is one, the line, column
//! and field path. Nothing here panics on any input.

pub mod application;
pub mod date;
pub mod decimal;
pub mod error;
pub mod file;
pub mod prose;
pub mod rules;
pub mod source;
pub mod vocabulary;
mod yaml;

pub use application::Application;
pub use date::Date;
pub use decimal::Decimal;
pub use error::{Diagnostic, DiagnosticKind, Diagnostics, Error, Problem, Severity};
pub use rules::{load_dir, RuleSet};
