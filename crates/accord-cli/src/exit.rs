//! The exit status of every command, in one place.

use std::process::ExitCode;

/// What a command's exit status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did its work (whatever the outcome of a decision).
    Success,
    /// Bad input, a refusal, a failed check, or (for `diff`) changes found.
    Failure,
    /// A usage error; also `diff`'s "trouble".
    Usage,
    /// Interrupted by SIGINT or SIGTERM (128 + 2, as shells report it).
    Interrupted,
}

impl Exit {
    /// 0 when `ok`, else 1.
    pub fn from_ok(ok: bool) -> Exit {
        if ok {
            Exit::Success
        } else {
            Exit::Failure
        }
    }
}

/// The status of an interrupted run (128 + SIGINT).
pub const INTERRUPTED_STATUS: i32 = 130;

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Interrupted => INTERRUPTED_STATUS as u8,
        })
    }
}
