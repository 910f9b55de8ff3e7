//! Where output goes: stdout; a device or FIFO, written to as it goes (it
//! is a stream, like stdout); or a regular file, written whole or not at
//! all — a temporary twin in the same folder, renamed over the target only
//! when the run completes, with the target's mode (0644 for a new file).
//! A symbolic link given as the target is followed: its target is replaced
//! and the link stays. A failed or interrupted run leaves any earlier file
//! untouched; the twin a killed run could not remove is removed by the next
//! run writing to the same target.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// An output destination.
pub enum Output {
    /// Standard output, streamed.
    Stdout(BufWriter<io::Stdout>),
    /// A device or FIFO, streamed.
    Stream(BufWriter<File>),
    /// A temporary file that becomes `target` on [`Output::commit`].
    File {
        /// The twin being written.
        temp: BufWriter<NamedTempFile>,
        /// The file it replaces (links resolved).
        target: PathBuf,
        /// The mode the target keeps (unix).
        mode: u32,
    },
}

/// The partial files being written, for a forced exit to remove.
static PARTIALS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes every partial file still being written (an interrupted run
/// that cannot wait for its own clean-up).
pub fn remove_partials() {
    if let Ok(partials) = PARTIALS.lock() {
        for path in partials.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn forget_partial(path: &Path) {
    if let Ok(mut partials) = PARTIALS.lock() {
        partials.retain(|p| p != path);
    }
}

/// Links followed at most, as the kernel does before giving up (ELOOP).
const MAX_LINKS: usize = 40;

/// `path` with every symbolic link along its last component followed.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "{}: more than {MAX_LINKS} symbolic links to follow",
        path.display()
    )))
}

/// The prefix of the twins of `target`: `.accord-NAME.` then the writer's pid.
fn twin_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    format!(".accord-{name}.")
}

/// Removes the twins of `target` whose writer is no longer running (a run
/// killed before it could clean up); a running writer's twin is left alone.
fn remove_stale_twins(dir: &Path, target: &Path) {
    let prefix = twin_prefix(target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix).filter(|_| name.ends_with(".partial")) else {
            continue;
        };
        let pid = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
        let alive =
            pid.is_some_and(|pid| pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists());
        if pid.is_some() && !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Output {
    /// Opens the destination `path`, or stdout when `path` is `None`.
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())));
        };
        let target = resolve(path)?;
        let mode = match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::other(format!(
                    "{}: is a folder, not a file",
                    path.display()
                )))
            }
            Ok(m) if !m.is_file() => {
                let stream = OpenOptions::new().write(true).open(&target)?;
                return Ok(Output::Stream(BufWriter::with_capacity(1 << 16, stream)));
            }
            Ok(m) => permissions_mode(&m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0o644,
            Err(e) => return Err(e),
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        remove_stale_twins(&dir, &target);
        let temp = tempfile::Builder::new()
            .prefix(&format!("{}{}.", twin_prefix(&target), std::process::id()))
            .suffix(".partial")
            .tempfile_in(&dir)?;
        if let Ok(mut partials) = PARTIALS.lock() {
            partials.push(temp.path().to_path_buf());
        }
        Ok(Output::File {
            temp: BufWriter::with_capacity(1 << 16, temp),
            target,
            mode,
        })
    }

    /// Flushes, and for a file gives it its mode and renames it over the target.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut out) => ignore_closed_pipe(out.flush()),
            Output::Stream(mut out) => out.flush(),
            Output::File { temp, target, mode } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                forget_partial(temp.path());
                set_mode(temp.as_file(), mode)?;
                temp.as_file().sync_all()?;
                temp.persist(&target).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn permissions_mode(metadata: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permissions_mode(_: &std::fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::Stream(out) => out.write(buf),
            Output::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Stream(out) => out.flush(),
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

/// Writes `bytes` to `path` as [`Output`] does (whole, or streamed to a device).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut output = Output::open(Some(path))?;
    output.write_all(bytes)?;
    output.commit()
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_0644_and_an_existing_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.jsonl");
        write_atomically(&new, b"a").unwrap();
        assert_eq!(mode(&new), 0o644);
        let kept = dir.path().join("kept.jsonl");
        std::fs::write(&kept, b"old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&kept, b"new").unwrap();
        assert_eq!(
            (mode(&kept), std::fs::read(&kept).unwrap()),
            (0o640, b"new".to_vec())
        );
    }

    #[test]
    fn a_link_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_device_is_written_through_not_replaced() {
        write_atomically(Path::new("/dev/null"), b"x").unwrap();
        let m = std::fs::metadata("/dev/null").unwrap();
        assert!(!m.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn a_twin_left_by_a_dead_writer_is_removed_and_a_living_ones_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        // No process has pid 4,000,000 (Linux's pid_max is at most 2^22).
        let dead = dir.path().join(".accord-out.jsonl.4000000.abc123.partial");
        let living = dir
            .path()
            .join(format!(".accord-out.jsonl.{}.zzz999.partial", std::process::id()));
        let other = dir.path().join(".accord-other.jsonl.4000000.abc123.partial");
        for p in [&dead, &living, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        write_atomically(&target, b"new").unwrap();
        assert!(!dead.exists(), "the dead writer's twin is gone");
        assert!(
            living.exists() && other.exists(),
            "the living writer's twin and another target's stay"
        );
    }
}
