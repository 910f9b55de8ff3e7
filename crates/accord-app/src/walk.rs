//! Finding application files: each PATH is a file or a directory walked
//! recursively, in sorted path order, following symbolic links safely (a
//! link back to an ancestor is skipped, not followed forever).

use std::path::PathBuf;

use accord_core::source::Format;
use walkdir::WalkDir;

/// What the walk finds at one path.
#[derive(Debug)]
pub enum Found {
    /// An application file (`.yaml`, `.yml`, `.json`).
    File(PathBuf),
    /// Another kind of file, or a symbolic-link loop: counted, not assessed.
    Skipped,
    /// A path that cannot be read: reported in place of its files.
    Error { path: PathBuf, message: String },
}

/// Walks `roots` (sorted, so the output order does not depend on the order
/// they were given in) and yields what it finds in sorted path order.
/// Directories are read one at a time, so memory does not grow with the tree.
pub fn walk(roots: &[PathBuf]) -> impl Iterator<Item = Found> + Send + use<> {
    let mut roots = roots.to_vec();
    roots.sort();
    roots.dedup();
    roots.into_iter().flat_map(|root| {
        WalkDir::new(&root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_map(move |entry| match entry {
                Ok(entry) if entry.file_type().is_dir() => None,
                Ok(entry) => Some(match Format::of_path(entry.path()) {
                    Some(_) => Found::File(entry.into_path()),
                    None => Found::Skipped,
                }),
                Err(err) if err.loop_ancestor().is_some() => Some(Found::Skipped),
                Err(err) => {
                    let path = err.path().map(PathBuf::from).unwrap_or_else(|| root.clone());
                    let message = match err.io_error() {
                        Some(io) => format!("{}: {io}", path.display()),
                        None => format!("{}: {err}", path.display()),
                    };
                    Some(Found::Error { path, message })
                }
            })
    })
}
