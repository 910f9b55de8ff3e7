//! Fuzzes the rule-set loader, `RuleSet::from_sources`: the first byte of
//! the input picks which bundled rule file the rest replaces (its value
//! modulo 6: 0 `ruleset.yaml`, 1 `bodies.yaml`, 2 `disciplines.yaml`,
//! 3 `schedules.yaml`, 4 `agreements/cse-pec-mra.yaml`, 5 one file in place
//! of all of them), the other files staying as bundled. A rule set that
//! loads is used to assess `fixtures/examples/spec-example.yaml`. Errors are
//! expected; a panic (or a sanitizer report, a timeout, running out of
//! memory) is a bug.

#![no_main]

use std::path::Path;

use accord_core::rules::Source;
use accord_core::{Application, RuleSet};
use libfuzzer_sys::fuzz_target;

mod bundled;

/// The specification's example application.
const EXAMPLE: &str = include_str!("../../fixtures/examples/spec-example.yaml");

/// Slots: one per bundled file, and one for a file replacing them all.
const SLOTS: usize = bundled::FILES.len() + 1;

/// The bundled sources with the file in `slot` given `text` instead; the
/// slot past the last file stands for one file, `rules/fuzzed.yaml`, in
/// place of them all.
fn with_replaced(slot: usize, text: &str) -> Vec<Source> {
    if slot >= bundled::FILES.len() {
        return vec![Source::new("rules/fuzzed.yaml", text)];
    }
    let mut sources = bundled::sources();
    if let Some(source) = sources.get_mut(slot) {
        source.text = text.to_owned();
    }
    sources
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    // Rule files are read as UTF-8 text; anything else never reaches the parser.
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let sources = with_replaced(usize::from(selector) % SLOTS, text);
    let rules = match RuleSet::from_sources(sources) {
        Ok(rules) => rules,
        Err(err) => {
            // Rendering the diagnostics locates them in the text: exercise that too.
            drop(err.to_string());
            return;
        }
    };
    let example = Path::new("fixtures/examples/spec-example.yaml");
    match Application::from_bytes(example, EXAMPLE.as_bytes().to_vec(), &rules) {
        Ok(application) => {
            let _ = accord_eval::assess(&rules, &application, application.applied_on().get());
        }
        Err(err) => drop(err.to_string()),
    }
});
