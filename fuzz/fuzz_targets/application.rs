//! Fuzzes the application parser, `Application::from_bytes`, in both of its
//! formats: every input is read as a `.yaml` file and as a `.json` file,
//! against the bundled rule set. An application that parses is assessed on
//! its `applied_on` date. Errors are expected; a panic (or a sanitizer
//! report, a timeout, running out of memory) is a bug.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use accord_core::{Application, RuleSet};
use libfuzzer_sys::fuzz_target;

mod bundled;

/// The bundled rule set, loaded once per process.
fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| match RuleSet::from_sources(bundled::sources()) {
        Ok(rules) => rules,
        Err(err) => panic!("the bundled rule set does not load: {err}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let rules = rules();
    for name in ["fuzzed/application.yaml", "fuzzed/application.json"] {
        match Application::from_bytes(Path::new(name), data.to_vec(), rules) {
            Ok(application) => {
                // A gap in the rule set is an error, not a panic; either is fine here.
                let _ = accord_eval::assess(rules, &application, application.applied_on().get());
            }
            // Rendering the error locates it in the text: exercise that too.
            Err(err) => drop(err.to_string()),
        }
    }
});
