//! `accord test`: runs the rule tests and, with `--coverage`, reports what
//! they exercise against the rule set's `coverage_minimum`.

use accord_app::ruletest;
use accord_core::{load_dir, Decimal, RuleSet};

use crate::cli::{Format, TestArgs};
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;

/// Runs every rule test; exit 1 when one fails or, with `--coverage`, when
/// coverage is below the rule set's `coverage_minimum`.
pub fn run(args: &TestArgs) -> Result<Exit, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let tests = ruletest::load(&args.rules.rules)?;
    if args.mutants {
        return mutants(args, &rules, &tests);
    }
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

/// `--mutants`: runs the tests against every mutant (the tests must pass
/// on the rule set itself first, or every mutant would look killed).
fn mutants(args: &TestArgs, rules: &RuleSet, tests: &ruletest::Tests) -> Result<Exit, CliError> {
    let (results, _) = ruletest::run(rules, tests)?;
    let failing = results.iter().filter(|r| !r.passed()).count();
    if failing > 0 || results.is_empty() {
        say!(
            "accord: mutation testing needs passing rule tests: {failing} of {} fail (run `accord test`)",
            results.len()
        );
        return Ok(Exit::Failure);
    }
    let started = std::time::Instant::now();
    let report = accord_app::mutants::run(rules, tests, super::jobs(args.jobs))?;
    let elapsed = started.elapsed();
    let ok = report.surviving == 0;
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        Format::Text => {
            let mut out = Lines::new();
            out.line(format!(
                "mutants: {} killed of {} ({} by a test, {} rejected by validation), {} accepted as equivalent, {} surviving ({:.1} s, {} tests each)",
                report.killed + report.rejected,
                report.total,
                report.killed,
                report.rejected,
                report.accepted,
                report.surviving,
                elapsed.as_secs_f64(),
                results.len()
            ));
            if !report.survivors.is_empty() {
                out.line("surviving (no test notices the change):");
                for s in &report.survivors {
                    let clause = s
                        .clause
                        .as_deref()
                        .map(|c| format!("clause {c}: "))
                        .unwrap_or_default();
                    out.line(format!("  {clause}{}", s.change));
                    out.line(format!("      id:   {}", s.id));
                    out.line(format!("      hint: {}", s.hint));
                }
            }
            if !report.equivalent.is_empty() {
                out.line("accepted as equivalent:");
                for e in &report.equivalent {
                    out.line(format!("  {}: {} ({})", e.id, e.reason, e.at));
                }
            }
            for stale in &report.stale_accepts {
                out.line(format!("warning: {stale}"));
            }
            out.finish()
        }
    };
    super::print(&text)?;
    Ok(Exit::from_ok(ok))
}
