//! What stops a command; every one of them exits 1.

/// What stops a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An application or rule set that cannot be read or is invalid.
    #[error("{0}")]
    Input(#[from] accord_core::Error),
    /// A file that cannot be decided.
    #[error("{0}")]
    Decide(#[from] accord_app::DecideError),
    /// The register refused a request or could not be used.
    #[error("{0}")]
    Register(#[from] accord_register::Error),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// A decision letter's template is invalid or cannot be read.
    #[error("{0}")]
    Letter(#[from] accord_app::letter::LetterError),
}

impl From<accord_app::explain::CaseError> for CliError {
    fn from(err: accord_app::explain::CaseError) -> CliError {
        match err {
            accord_app::explain::CaseError::Register(e) => CliError::Register(e),
            accord_app::explain::CaseError::Decide(e) => CliError::Decide(e),
        }
    }
}

impl From<accord_app::case::Error> for CliError {
    fn from(err: accord_app::case::Error) -> CliError {
        match err {
            accord_app::case::Error::Input(e) => CliError::Input(e),
            accord_app::case::Error::Decide(e) => CliError::Decide(e),
            accord_app::case::Error::Register(e) => CliError::Register(e),
        }
    }
}

impl CliError {
    /// The lines to print, each after `accord: `: a rule set's problems one a line.
    pub fn lines(&self) -> Vec<String> {
        match self {
            CliError::Input(accord_core::Error::Rules(diagnostics)) => {
                diagnostics.0.iter().map(ToString::to_string).collect()
            }
            other => vec![other.to_string()],
        }
    }
}
