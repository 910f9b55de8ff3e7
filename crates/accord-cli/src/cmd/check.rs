//! `accord check`: load, validate and summarise a rule set.

use accord_core::rules::model::Criterion;
use accord_core::rules::RuleSet;
use accord_core::{load_dir, Diagnostic, DiagnosticKind, Diagnostics, Error};

use crate::cli::{CheckArgs, Format};
use crate::error::CliError;
use crate::escape::Lines;
use crate::exit::Exit;

/// Prints the summary of a valid rule set and its warnings, or every
/// problem of an invalid one (exit 1); `--format json` prints the problems
/// and warnings as an array. Warnings fail only with `--deny-warnings`.
pub fn run(args: &CheckArgs) -> Result<Exit, CliError> {
    let loaded = load_dir(&args.rules.rules);
    let warned = |rules: &RuleSet| args.deny_warnings && !rules.warnings().is_empty();
    match args.format {
        Format::Text => {
            let rules = loaded?;
            super::print(&summary(&rules))?;
            let mut out = Lines::new();
            for warning in rules.warnings() {
                out.line(warning.to_string());
            }
            if !rules.warnings().is_empty() {
                let n = rules.warnings().len();
                out.line(format!(
                    "{n} warning{}{}",
                    if n == 1 { "" } else { "s" },
                    if args.deny_warnings {
                        " (denied: exit 1)"
                    } else {
                        ""
                    }
                ));
            }
            say_part!("{}", out.finish());
            Ok(Exit::from_ok(!warned(&rules)))
        }
        Format::Json => {
            let (diagnostics, denied) = match loaded {
                Ok(rules) => (Diagnostics(rules.warnings().to_vec()), warned(&rules)),
                Err(Error::Rules(found)) => (found, false),
                Err(other) => (
                    Diagnostics(vec![Diagnostic::from_error(DiagnosticKind::Io, other)]),
                    false,
                ),
            };
            super::print(&(serde_json::to_string_pretty(&diagnostics).unwrap_or_default() + "\n"))?;
            Ok(Exit::from_ok(!diagnostics.has_errors() && !denied))
        }
    }
}

fn summary(rules: &RuleSet) -> String {
    let mut out = Lines::new();
    let header = rules.header();
    out.line(format!("rule set {}: {}", header.id, header.title));
    out.line(format!("fingerprint {}", rules.fingerprint()));
    out.line(format!("files {}", rules.files().len()));
    let codes = |it: Vec<&String>| it.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    out.line(format!(
        "bodies {}: {}",
        rules.bodies().len(),
        codes(rules.bodies().keys().collect())
    ));
    out.line(format!(
        "disciplines {}: {}",
        rules.disciplines().len(),
        codes(rules.disciplines().keys().collect())
    ));
    for schedule in rules.schedules().values() {
        let entries: Vec<String> = schedule
            .entries
            .iter()
            .map(|e| format!("{} since {}", e.body, e.since))
            .collect();
        out.line(format!(
            "schedule {} ({}): {}",
            schedule.id,
            schedule.clause,
            entries.join(", ")
        ));
    }
    out.line(format!("agreements {}", rules.agreements().len()));
    for agreement in rules.agreements() {
        let evaluated = agreement.clauses.iter().filter(|c| c.criterion.is_some()).count();
        out.blank();
        out.line(format!("agreement {}: {}", agreement.id, agreement.title));
        out.line(format!("  parties {}", agreement.parties.join(" and ")));
        for clause in &agreement.clauses {
            if let Some(Criterion::InForce { from }) = &clause.criterion {
                out.line(format!("  in force from {from} (clause {})", clause.clause));
            }
        }
        out.line(format!(
            "  clauses {} ({evaluated} with criteria), evaluated in order: {}",
            agreement.clauses.len(),
            agreement
                .evaluation_order()
                .filter(|(_, c)| c.criterion.is_some())
                .map(|(_, c)| c.clause.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        out.line(format!("  parameters {}", agreement.parameters.len()));
        for parameter in &agreement.parameters {
            let periods: Vec<String> = parameter
                .periods
                .iter()
                .map(|p| {
                    let to = p.to.map(|t| format!(" to {t}")).unwrap_or_default();
                    let cites = p
                        .cites
                        .as_ref()
                        .map(|c| format!(" (clause {c})"))
                        .unwrap_or_default();
                    format!("{} from {}{to}{cites}", p.value, p.from)
                })
                .collect();
            let unit = format!("{:?}", parameter.unit).to_lowercase();
            out.line(format!(
                "    {} (clause {}, {unit}): {}",
                parameter.id,
                parameter.clause,
                periods.join("; ")
            ));
        }
        let measures: Vec<String> = agreement
            .measures
            .iter()
            .map(|m| format!("{} (clause {})", m.id, m.clause))
            .collect();
        out.line(format!(
            "  measures {}",
            if measures.is_empty() {
                "none".into()
            } else {
                measures.join(", ")
            }
        ));
        let steps: Vec<&str> = agreement
            .decision
            .precedence
            .iter()
            .map(|s| s.outcome.as_str())
            .collect();
        out.line(format!(
            "  precedence (clause {}): {}",
            agreement.decision.clause,
            steps.join(" > ")
        ));
        let grants: Vec<String> = agreement
            .grant
            .credentials
            .iter()
            .map(|g| format!("{} {}", g.host, g.credential))
            .collect();
        out.line(format!(
            "  grants (clause {}): {}",
            agreement.grant.clause,
            grants.join(", ")
        ));
        let requirements: Vec<String> = agreement
            .requirements
            .iter()
            .map(|r| format!("{} (clause {})", r.id, r.clause))
            .collect();
        out.line(format!(
            "  requirements {}",
            if requirements.is_empty() {
                "none".into()
            } else {
                requirements.join(", ")
            }
        ));
    }
    out.finish()
}
