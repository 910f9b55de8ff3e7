//! The bundled rule set (`rules/`, without its `tests/` folder), embedded at
//! build time so that a fuzz run reads no files. `tools/fuzz.sh` checks that
//! this list still names every rule file in `rules/`.

use accord_core::rules::Source;

/// Each bundled rule file: its name (as the loader would give it) and text.
pub const FILES: [(&str, &str); 5] = [
    ("rules/ruleset.yaml", include_str!("../../rules/ruleset.yaml")),
    ("rules/bodies.yaml", include_str!("../../rules/bodies.yaml")),
    (
        "rules/disciplines.yaml",
        include_str!("../../rules/disciplines.yaml"),
    ),
    ("rules/schedules.yaml", include_str!("../../rules/schedules.yaml")),
    (
        "rules/agreements/cse-pec-mra.yaml",
        include_str!("../../rules/agreements/cse-pec-mra.yaml"),
    ),
];

/// The bundled rule set's sources, as `load_dir` would read them.
pub fn sources() -> Vec<Source> {
    FILES
        .iter()
        .map(|&(name, text)| Source::new(name, text))
        .collect()
}
