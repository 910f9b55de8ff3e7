//! `accord test`: runs the rule tests and, with `--coverage`, reports what
//! they exercise against the rule set's `coverage_minimum`.

use std::fmt::Write as _;

use accord_app::ruletest;
use accord_core::{load_dir, Decimal};

use crate::cli::TestArgs;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs every rule test; exit 1 when one fails or, with `--coverage`, when
/// coverage is below the rule set's `coverage_minimum`.
pub fn run(args: &TestArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let tests = ruletest::load(&args.rules.rules)?;
    let (results, coverage) = ruletest::run(&rules, &tests)?;
    let mut out = String::new();
    for result in &results {
        if result.passed() {
            let _ = writeln!(out, "ok   {}", result.label);
        } else {
            let _ = writeln!(out, "FAIL {}", result.label);
            for d in &result.differences {
                let _ = writeln!(out, "       {d}");
            }
        }
    }
    let total = results.len();
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = total - passed;
    let _ = writeln!(out, "{total} tests: {passed} passed, {failed} failed");
    let mut ok = failed == 0 && total > 0;
    if total == 0 {
        let _ = writeln!(out, "no rule tests under {}", tests.dir.display());
    }
    if args.coverage {
        let minimum = rules
            .header()
            .coverage_minimum
            .unwrap_or_else(|| Decimal::from_int(100));
        let report = coverage.report(&rules);
        let _ = writeln!(
            out,
            "coverage {}% ({} of {})",
            report.percent, report.covered, report.total
        );
        for kind in &report.kinds {
            let _ = writeln!(out, "  {:<18} {:>4} of {:<4}", kind.label, kind.hit, kind.total);
        }
        if !report.uncovered.is_empty() {
            out.push_str("not exercised by any test:\n");
            for item in &report.uncovered {
                let _ = writeln!(out, "  {item}");
            }
        }
        if report.percent < minimum {
            let _ = writeln!(
                out,
                "coverage {}% is below the rule set's minimum of {minimum}%",
                report.percent
            );
            ok = false;
        }
    }
    super::print(&out)?;
    Ok(Exit::from_ok(ok))
}
