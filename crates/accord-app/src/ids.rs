//! Duplicate application ids across a run, found in one pass.
//!
//! Each id decided is kept with the file that first used it, as the run
//! writes its records in path order: a second use is refused naming the
//! first, without reading anything again. Memory grows by the id and the
//! path of each distinct application (about 100 bytes for a corpus's
//! typical names), and the answer holds whatever happens to the files
//! during the run: it is made from what was decided, never re-read.

use std::collections::HashMap;

/// Ids seen so far in a run, each with the file that first used it.
#[derive(Debug, Default)]
pub struct Ids {
    first: HashMap<Box<str>, Box<str>>,
}

impl Ids {
    /// An empty registry.
    pub fn new() -> Ids {
        Ids::default()
    }

    /// Records that `file` uses `id`; the error message when an earlier
    /// file already did (the first use is kept).
    pub fn claim(&mut self, file: &str, id: &str) -> Result<(), String> {
        match self.first.get(id) {
            Some(first) => Err(format!(
                "{file}: application id `{id}` is already used by {first}"
            )),
            None => {
                self.first.insert(id.into(), file.into());
                Ok(())
            }
        }
    }

    /// Whether `id` has been claimed.
    pub fn contains(&self, id: &str) -> bool {
        self.first.contains_key(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_use_names_the_first_and_the_first_stays() {
        let mut ids = Ids::new();
        assert_eq!(ids.claim("a.yaml", "APP-1"), Ok(()));
        assert_eq!(
            ids.claim("b.yaml", "APP-1"),
            Err("b.yaml: application id `APP-1` is already used by a.yaml".to_owned())
        );
        assert_eq!(
            ids.claim("c.yaml", "APP-1"),
            Err("c.yaml: application id `APP-1` is already used by a.yaml".to_owned())
        );
        assert!(ids.contains("APP-1") && !ids.contains("APP-2"));
    }
}
