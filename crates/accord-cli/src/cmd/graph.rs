//! `accord graph`: the rule set drawn as Graphviz DOT or a Mermaid flowchart.

use accord_core::load_dir;

use crate::cli::{GraphArgs, GraphFormat};
use crate::error::CliError;
use crate::exit::Exit;

/// Prints the drawing.
pub fn run(args: &GraphArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let text = match args.format {
        GraphFormat::Dot => accord_app::graph::dot(&rules),
        GraphFormat::Mermaid => accord_app::graph::mermaid(&rules),
    };
    super::print(&text)?;
    Ok(Exit::Success)
}
