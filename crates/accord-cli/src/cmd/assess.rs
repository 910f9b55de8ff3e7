//! `accord assess`: one application, one decision, as a report, the
//! decision contract or the decision letter. `-` reads the application
//! from standard input.

use std::io::Read as _;
use std::path::Path;

use accord_app::contract::Decision;
use accord_app::explain::Explained;
use accord_core::load_dir;
use accord_core::source::Format;

use crate::cli::{AssessArgs, AssessFormat, InputFormat};
use crate::error::CliError;
use crate::exit::Exit;
use crate::render;

/// What errors call standard input.
const STDIN: &str = "<stdin>";

/// Assesses the file and prints the decision; exit 0 whatever the outcome.
pub fn run(args: &AssessArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let explained = if args.file.as_os_str() == "-" {
        let (format, bytes) = stdin(args.input_format)?;
        accord_app::explain::assess_bytes(
            &rules,
            Path::new(STDIN),
            Some(format),
            bytes,
            args.as_of,
            args.outlook,
        )?
    } else {
        accord_app::explain::assess_file(&rules, &args.file, args.as_of, args.outlook)?
    };
    let Explained { assessed, .. } = &explained;
    let text = match args.format {
        AssessFormat::Json => Decision::from(assessed).to_json_pretty() + "\n",
        AssessFormat::Text => render::explained(
            &assessed.decision,
            assessed.outlook.as_ref(),
            &explained.explanation(&rules),
            render::colour_wanted(),
        ),
        AssessFormat::Html => {
            accord_app::letter::letter(&explained.explanation(&rules), Some(&args.rules.rules))?
        }
    };
    super::print(&text)?;
    Ok(Exit::Success)
}

/// Standard input, within the application file's limit (refused whole
/// beyond it), and its format: as asked, else JSON when its first
/// character that is not blank is `{`, else YAML.
fn stdin(asked: Option<InputFormat>) -> Result<(Format, Vec<u8>), CliError> {
    let limit = accord_core::file::Kind::Application.limit();
    let mut bytes = Vec::new();
    std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(CliError::Input(accord_core::Error::Input {
            file: STDIN.into(),
            position: None,
            path: ".".into(),
            message: format!(
                "standard input is beyond the limit of {} for an application file",
                accord_core::file::size_text(limit)
            ),
        }));
    }
    let format = match asked {
        Some(InputFormat::Json) => Format::Json,
        Some(InputFormat::Yaml) => Format::Yaml,
        None => {
            let first = bytes
                .strip_prefix("\u{feff}".as_bytes())
                .unwrap_or(&bytes)
                .iter()
                .find(|b| !b.is_ascii_whitespace());
            if first == Some(&b'{') {
                Format::Json
            } else {
                Format::Yaml
            }
        }
    };
    Ok((format, bytes))
}
