//! `accord assess`: one application, one decision.

use std::process::ExitCode;

use accord_core::load_dir;

use crate::cli::{AssessArgs, Format};
use crate::error::CliError;
use crate::{contract, render};

/// Assesses the file and prints the decision; exit 0 whatever the outcome.
pub fn run(args: &AssessArgs) -> Result<ExitCode, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let decision = super::decide_file(&rules, &args.file, args.as_of)?;
    let text = match args.format {
        Format::Json => contract::to_json_pretty(&decision) + "\n",
        Format::Text => render::decision(&decision),
    };
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
