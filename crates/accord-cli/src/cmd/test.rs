//! `accord test`: runs the rule tests and, with `--coverage`, reports what
//! they exercise against the rule set's `coverage_minimum`.

use accord_app::ruletest;
use accord_core::{load_dir, Decimal};

use crate::cli::TestArgs;
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;

/// Runs every rule test; exit 1 when one fails or, with `--coverage`, when
/// coverage is below the rule set's `coverage_minimum`.
pub fn run(args: &TestArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let tests = ruletest::load(&args.rules.rules)?;
    let (results, coverage) = ruletest::run(&rules, &tests)?;
    let mut out = Lines::new();
    for result in &results {
        if result.passed() {
            out.line(format!("ok   {}", result.label));
        } else {
            out.line(format!("FAIL {}", result.label));
            for d in &result.differences {
                out.line(format!("       {d}"));
            }
        }
    }
    let total = results.len();
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = total - passed;
    out.line(format!("{total} tests: {passed} passed, {failed} failed"));
    let mut ok = failed == 0 && total > 0;
    if total == 0 {
        out.line(format!("no rule tests under {}", tests.dir.display()));
    }
    if args.coverage {
        let minimum = rules
            .header()
            .coverage_minimum
            .unwrap_or_else(|| Decimal::from_int(100));
        let report = coverage.report(&rules);
        out.line(format!(
            "coverage {}% ({} of {})",
            report.percent, report.covered, report.total
        ));
        for kind in &report.kinds {
            out.line(format!(
                "  {:<18} {:>4} of {:<4}",
                kind.label, kind.hit, kind.total
            ));
        }
        if !report.uncovered.is_empty() {
            out.line("not exercised by any test:");
            for item in &report.uncovered {
                out.line(format!("  {item}"));
            }
        }
        if report.percent < minimum {
            out.line(format!(
                "coverage {}% is below the rule set's minimum of {minimum}%",
                report.percent
            ));
            ok = false;
        }
    }
    super::print(&out.finish())?;
    Ok(Exit::from_ok(ok))
}
