//! Reading input files safely: regular files only (a FIFO, a device or a
//! socket, or a link to one, is refused before a byte is read, so nothing
//! blocks and nothing streams without end), and never more than the
//! contract allows, so a file's size bounds the memory spent on it.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// What is being read, for its size limit and its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An application file: at most 1 MiB (`spec/application-format.md`, Limits).
    Application,
    /// A rule file or a rule-test file.
    Rules,
    /// One line of an earlier batch output (`--compare`).
    BatchLine,
}

impl Kind {
    /// The largest file of this kind, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            Kind::Application | Kind::Rules | Kind::BatchLine => 1 << 20,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Application => "an application file",
            Kind::Rules => "a rule file",
            Kind::BatchLine => "a line of batch output",
        }
    }
}

/// `1 MiB`, `512 KiB`, `100 bytes`: a size for people.
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn refused(path: &Path, message: String) -> Error {
    Error::Input {
        file: path.to_path_buf(),
        position: None,
        path: ".".into(),
        message,
    }
}

/// Opens `path` for reading if it is a regular file (following links).
/// The open itself does not block on a FIFO: it is made non-blocking, and
/// what was opened is checked before anything is read from it.
pub fn open_regular(path: &Path) -> Result<(File, u64), Error> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let io = |source| Error::Io {
        file: path.to_path_buf(),
        source,
    };
    let file = options.open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err(refused(path, "is a folder, not a file".into()));
    }
    if !kind.is_file() {
        return Err(refused(
            path,
            format!(
                "is {}, not a regular file: only regular files are read",
                special(&kind)
            ),
        ));
    }
    Ok((file, metadata.len()))
}

fn special(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = kind;
    "a special file"
}

/// The bytes of the regular file at `path`, refused whole when beyond the
/// limit of its kind (checked before reading, and again while reading, in
/// case the file grows meanwhile).
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, Error> {
    let (file, length) = open_regular(path)?;
    let limit = kind.limit();
    let beyond = |length: u64| {
        refused(
            path,
            format!(
                "the file is {}, beyond the limit of {} for {}",
                size_text(length),
                size_text(limit),
                kind.name()
            ),
        )
    };
    if length > limit {
        return Err(beyond(length));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            file: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(beyond(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(1 << 20), "1 MiB");
        assert_eq!(size_text(3 << 19), "1.5 MiB");
        assert_eq!(size_text(100), "100 bytes");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, vec![b'a'; (1 << 20) + 1]).unwrap();
        let err = read(&path, Kind::Application).unwrap_err().to_string();
        assert!(
            err.ends_with("the file is 1.0 MiB, beyond the limit of 1 MiB for an application file"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_and_a_device_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let err = read(&fifo, Kind::Application).unwrap_err().to_string();
        assert!(
            err.contains("is a FIFO (named pipe), not a regular file"),
            "{err}"
        );
        let zero = dir.path().join("zero.yaml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read(&zero, Kind::Application).unwrap_err().to_string();
        assert!(err.contains("is a character device"), "{err}");
        let err = read(dir.path(), Kind::Application).unwrap_err().to_string();
        assert!(err.contains("is a folder"), "{err}");
    }
}
