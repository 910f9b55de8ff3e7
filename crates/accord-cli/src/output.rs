//! Where output goes: stdout, or a file written whole or not at all — a
//! temporary file in the same directory, renamed over the target only when
//! the run completes. A failed or interrupted run leaves any earlier file
//! untouched and no partial file behind.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// An output destination.
pub enum Output {
    /// Standard output, streamed.
    Stdout(BufWriter<io::Stdout>),
    /// A temporary file that becomes `target` on [`Output::commit`].
    File {
        temp: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
}

impl Output {
    /// Opens `path`'s temporary twin, or stdout when `path` is `None`.
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        let Some(target) = path else {
            return Ok(Output::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())));
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".accord-")
            .suffix(".partial")
            .tempfile_in(dir)?;
        Ok(Output::File {
            temp: BufWriter::with_capacity(1 << 16, temp),
            target: target.to_path_buf(),
        })
    }

    /// Flushes, and for a file renames it over the target.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut out) => ignore_closed_pipe(out.flush()),
            Output::File { temp, target } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                temp.as_file().sync_all()?;
                temp.persist(&target).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { temp, .. } => temp.flush(),
        }
    }
}

/// A reader that went away (`accord batch | head`) is not a failure.
pub fn ignore_closed_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `bytes` to `path` atomically (temporary file, then rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut output = Output::open(Some(path))?;
    output.write_all(bytes)?;
    output.commit()
}
