//! Duplicate application ids across a run, in bounded memory.
//!
//! Ids are kept as 64-bit hashes mapped to the walk position of the file
//! that first used them: 16 bytes an id rather than the id and its path, so
//! that 200,000 files cost 3 MiB, not 20. The rare hit is confirmed by
//! walking to that position again and re-reading the file's id, so a hash
//! collision is never reported as a duplicate.

use std::collections::HashMap;
use std::path::PathBuf;

use accord_core::RuleSet;

use crate::walk::{walk, Found};

/// Ids seen so far in a walk over `roots`.
pub struct Ids<'a> {
    seen: HashMap<u64, u64>,
    roots: &'a [PathBuf],
    rules: &'a RuleSet,
}

fn hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

impl<'a> Ids<'a> {
    /// An empty registry for a walk over `roots`, reading files with `rules`.
    pub fn new(roots: &'a [PathBuf], rules: &'a RuleSet) -> Ids<'a> {
        Ids {
            seen: HashMap::new(),
            roots,
            rules,
        }
    }

    /// The file that first used `id`, if any.
    pub fn first_use(&self, id: &str) -> Option<String> {
        let position = *self.seen.get(&hash(id))?;
        let index = usize::try_from(position).ok()?;
        let Some(Found::File(path)) = walk(self.roots).nth(index) else {
            return None;
        };
        let application = accord_core::Application::read(&path, self.rules).ok()?;
        (application.id() == id).then(|| path.display().to_string())
    }

    /// Records that the item at walk `position` uses `id` (first use wins).
    pub fn record(&mut self, id: &str, position: u64) {
        self.seen.entry(hash(id)).or_insert(position);
    }

    /// Whether `id` has been recorded.
    pub fn contains(&self, id: &str) -> bool {
        self.seen.contains_key(&hash(id))
    }

    /// The error message for a second use of `id` in `file`, if it is one.
    pub fn duplicate(&self, file: &str, id: &str) -> Option<String> {
        self.first_use(id)
            .map(|first| format!("{file}: application id `{id}` is already used by {first}"))
    }
}
