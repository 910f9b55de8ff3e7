//! Properties of the canonical form: the fingerprint ignores every order
//! that carries no meaning, and the diff is empty exactly when the
//! fingerprints are equal.

use proptest::prelude::*;

use super::diff::diff;
use super::model::{Criterion, RuleFile};
use super::RuleSet;
use crate::source::{self, Format};

const FILES: [(&str, &str); 2] = [
    (
        "ruleset.yaml",
        include_str!("../../../../fixtures/rulesets/pec-ea/ruleset.yaml"),
    ),
    (
        "pec-ea.yaml",
        include_str!("../../../../fixtures/rulesets/pec-ea/pec-ea.yaml"),
    ),
];

fn parsed() -> Vec<RuleFile> {
    FILES
        .iter()
        .map(|(_, text)| source::parse(Format::Yaml, text).unwrap())
        .collect()
}

/// The files, in the order given.
fn load(files: &[RuleFile]) -> RuleSet {
    let named = files
        .iter()
        .enumerate()
        .map(|(i, f)| (std::path::PathBuf::from(format!("{i}.yaml")), f.clone()))
        .collect();
    RuleSet::from_rule_files(named).unwrap()
}

/// A deterministic shuffle driven by `seed` (a small xorshift).
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Every list whose order carries no meaning, shuffled; files too.
fn reordered(mut files: Vec<RuleFile>, mut seed: u64) -> Vec<RuleFile> {
    let seed = &mut seed;
    for file in &mut files {
        shuffle(&mut file.bodies, seed);
        for body in &mut file.bodies {
            shuffle(&mut body.credentials, seed);
            shuffle(&mut body.roles, seed);
        }
        shuffle(&mut file.disciplines, seed);
        for schedule in &mut file.schedules {
            shuffle(&mut schedule.entries, seed);
        }
        for agreement in &mut file.agreements {
            shuffle(&mut agreement.parties, seed);
            shuffle(&mut agreement.clauses, seed);
            for clause in &mut agreement.clauses {
                shuffle(&mut clause.depends_on, seed);
                if let Some(Criterion::Disciplines { in_scope }) = &mut clause.criterion {
                    shuffle(in_scope, seed);
                }
            }
            shuffle(&mut agreement.parameters, seed);
            shuffle(&mut agreement.measures, seed);
            shuffle(&mut agreement.requirements, seed);
            shuffle(&mut agreement.grant.credentials, seed);
        }
    }
    shuffle(&mut files, seed);
    files
}

/// One small edit, some of meaning and some of layout only.
fn edited(mut files: Vec<RuleFile>, which: usize, amount: i64) -> Vec<RuleFile> {
    let Some(agreement) = files.iter_mut().flat_map(|f| f.agreements.iter_mut()).next() else {
        return files;
    };
    match which % 6 {
        0 => {
            let n = agreement.parameters.len();
            if let Some(p) = agreement.parameters.get_mut(amount.unsigned_abs() as usize % n) {
                if let Some(period) = p.periods.first_mut() {
                    period.value = period
                        .value
                        .saturating_add(crate::Decimal::from_int(amount.rem_euclid(3)));
                }
            }
        }
        1 => {
            let n = agreement.clauses.len();
            if let Some(c) = agreement.clauses.get_mut(amount.unsigned_abs() as usize % n) {
                c.title = crate::prose::Prose::new(&format!("{}  ", c.title));
            }
        }
        2 => {
            let n = agreement.clauses.len();
            if let Some(c) = agreement.clauses.get_mut(amount.unsigned_abs() as usize % n) {
                c.text = crate::prose::Prose::new(&format!("{} (amended {amount})", c.text));
            }
        }
        3 => {
            for c in &mut agreement.clauses {
                if let Some(Criterion::Disciplines { in_scope }) = &mut c.criterion {
                    if amount % 2 == 0 && in_scope.len() > 1 {
                        in_scope.pop();
                    }
                }
            }
        }
        4 => agreement.title = crate::prose::Prose::new(&format!("{}\n", agreement.title)),
        _ => {
            if let Some(m) = agreement.measures.first_mut() {
                m.description = crate::prose::Prose::new(&format!("{} {}", m.description, amount % 2));
            }
        }
    }
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reordering_changes_neither_the_fingerprint_nor_the_diff(seed in 1u64..u64::MAX) {
        let original = load(&parsed());
        let shuffled = load(&reordered(parsed(), seed));
        prop_assert_eq!(original.fingerprint(), shuffled.fingerprint());
        prop_assert!(diff(&original, &shuffled).is_empty());
    }

    #[test]
    fn the_diff_is_empty_exactly_when_the_fingerprints_are_equal(
        which in 0usize..6,
        amount in -20i64..20,
        seed in 1u64..u64::MAX,
    ) {
        let original = load(&parsed());
        let changed = load(&reordered(edited(parsed(), which, amount), seed));
        let same_print = original.fingerprint() == changed.fingerprint();
        prop_assert_eq!(diff(&original, &changed).is_empty(), same_print);
    }
}
