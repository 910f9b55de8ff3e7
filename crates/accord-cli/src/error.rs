//! Errors of the binary and the exit code each one means.

/// What stops a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An application or rule set that cannot be read or is invalid.
    #[error("{0}")]
    Input(#[from] accord_core::Error),
    /// The register refused a request or could not be used.
    #[error("{0}")]
    Register(#[from] accord_register::Error),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// 1 for bad input or failed output; usage errors (2) are clap's.
    pub fn exit_code(&self) -> u8 {
        1
    }
}
