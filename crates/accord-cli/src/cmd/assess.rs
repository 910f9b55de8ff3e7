//! `accord assess`: one application, one decision.

use accord_app::contract::Decision;
use accord_core::load_dir;

use crate::cli::{AssessArgs, Format};
use crate::error::CliError;
use crate::exit::Exit;
use crate::render;

/// Assesses the file and prints the decision; exit 0 whatever the outcome.
pub fn run(args: &AssessArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let assessed = accord_app::assess_file(&rules, &args.file, args.as_of, args.outlook)?;
    let text = match args.format {
        Format::Json => Decision::from(&assessed).to_json_pretty() + "\n",
        Format::Text => render::assessed(&assessed),
    };
    super::print(&text)?;
    Ok(Exit::Success)
}
