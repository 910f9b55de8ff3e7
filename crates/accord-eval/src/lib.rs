//! Accord's pure rule evaluation: `(rule set, application, assessment date)
//! -> decision`, with every clause's result, figures and explanation.
//!
//! Invariants: no I/O, no clock, no environment. The same inputs give the
//! same decision. Nothing here names a body, credential, discipline, clause
//! or threshold: all of those come from the rule set.

mod criteria;
pub mod days;
pub mod decision;
pub mod outlook;

use std::cell::RefCell;

use accord_core::rules::model::{Agreement, Condition, Criterion, Outcome};
use accord_core::rules::RuleSet;
use accord_core::{Application, Date};
use chrono::NaiveDate;

pub use criteria::{degree_findings, DegreeFinding, Tweak, TweakChange};
pub use decision::{
    CriterionResult, Decision, Figure, FigureValue, GrantMade, MeasureRequired, ParameterUsed,
    RequirementAttached, RuleGap, Status,
};
pub use outlook::{outlook, CriterionOutlook, Milestone, Outlook, HORIZON_DAYS};

/// Assesses `application` under `rules` on `as_of`. The only error is a gap
/// in the rule set itself, which validation rules out for a loaded set.
pub fn assess(rules: &RuleSet, application: &Application, as_of: NaiveDate) -> Result<Decision, RuleGap> {
    assess_with(rules, application, as_of, None)
}

/// Assesses with one clause's logic deliberately changed: mutation testing
/// of rule sets (`accord test --mutants`) only.
pub fn assess_tweaked(
    rules: &RuleSet,
    application: &Application,
    as_of: NaiveDate,
    tweak: &Tweak,
) -> Result<Decision, RuleGap> {
    assess_with(rules, application, as_of, Some(tweak))
}

fn assess_with(
    rules: &RuleSet,
    application: &Application,
    as_of: NaiveDate,
    tweak: Option<&Tweak>,
) -> Result<Decision, RuleGap> {
    let mut decision = Decision {
        application: application.id().to_owned(),
        as_of: Date(as_of),
        outcome: Outcome::Standard,
        agreement: None,
        ruleset: rules.fingerprint().clone(),
        home_body: application.home_body().to_owned(),
        host_body: application.host_body().to_owned(),
        discipline: application.discipline().to_owned(),
        criteria: Vec::new(),
        measures: Vec::new(),
        missing: Vec::new(),
        grant: None,
        requirements: Vec::new(),
        reason: String::new(),
        precedence_step: None,
        parameters: Vec::new(),
    };
    let Some(agreement) = rules.agreement_between(application.home_body(), application.host_body()) else {
        decision.reason = format!(
            "no agreement in the rule set covers {} → {}: the host body's standard route applies",
            application.home_body(),
            application.host_body()
        );
        return Ok(decision);
    };
    decision.agreement = Some(agreement.id.clone());
    let context = criteria::Context {
        rules,
        agreement,
        application,
        as_of,
        used: RefCell::new(Vec::new()),
        tweak,
    };
    let mut results = Vec::with_capacity(agreement.clauses.len());
    // Scope criteria (Article 2) gate the rest: outside the scope, the
    // criteria for expedited recognition are not evaluated.
    let in_scope = evaluate(&context, &mut results, Criterion::is_scope)?;
    if in_scope {
        evaluate(&context, &mut results, |c| !c.is_scope())?;
    }
    results.sort_unstable_by_key(|(position, _)| *position);
    decision.criteria = results.into_iter().map(|(_, result)| result).collect();
    decision.parameters = context.used.into_inner();
    decide(agreement, &mut decision, !in_scope);
    Ok(decision)
}

/// Evaluates the clauses whose criterion passes `select`, in dependency
/// order, each with its position in clause order. Returns whether all of
/// them are met.
fn evaluate(
    context: &criteria::Context<'_>,
    out: &mut Vec<(usize, CriterionResult)>,
    select: impl Fn(&Criterion) -> bool,
) -> Result<bool, RuleGap> {
    let mut all_met = true;
    for (position, clause) in context.agreement.evaluation_order() {
        let Some(criterion) = clause.criterion.as_ref().filter(|c| select(c)) else {
            continue;
        };
        let result = criteria::evaluate(context, clause, criterion).map_err(|problem| RuleGap {
            agreement: context.agreement.id.clone(),
            clause: clause.clause.clone(),
            as_of: Date(context.as_of),
            problem,
        })?;
        all_met &= result.status == Status::Met;
        out.push((position, result));
    }
    Ok(all_met)
}

/// Applies the order of precedence, then lists measures, missing evidence,
/// the grant and its requirements as the outcome calls for.
fn decide(agreement: &Agreement, decision: &mut Decision, out_of_scope: bool) {
    let standing: Vec<(&str, Status, bool)> = decision
        .criteria
        .iter()
        .map(|c| (c.clause.as_str(), c.status, c.measure.is_some()))
        .collect();
    let step = precedence_step(agreement, &standing, out_of_scope);
    decision.precedence_step = step;
    decision.outcome = step
        .and_then(|i| agreement.decision.precedence.get(i))
        .map_or(Outcome::Standard, |s| s.outcome);
    decision.reason = reason(decision, out_of_scope);
    match decision.outcome {
        Outcome::Conditional => decision.measures = measures(agreement, &decision.criteria),
        Outcome::Incomplete => decision.missing = missing(&decision.criteria),
        _ => {}
    }
    if !agreement.grant.outcomes.contains(&decision.outcome) {
        return;
    }
    decision.grant = agreement
        .grant
        .credentials
        .iter()
        .find(|g| g.host == decision.host_body)
        .map(|g| GrantMade {
            body: g.host.clone(),
            credential: g.credential.clone(),
            provisional: agreement.grant.provisional,
        });
    decision.requirements = agreement
        .requirements
        .iter()
        .filter(|r| r.when.host.as_ref().is_none_or(|h| *h == decision.host_body))
        .filter(|r| {
            r.when
                .disciplines
                .as_ref()
                .is_none_or(|d| d.contains(&decision.discipline))
        })
        .map(|r| RequirementAttached {
            id: r.id.clone(),
            clause: r.clause.clone(),
            description: r.description.as_str().to_owned(),
        })
        .collect();
}

/// The first step of the agreement's order of precedence that holds, given
/// each evaluated criterion's clause, status and whether it needs a measure.
fn precedence_step(
    agreement: &Agreement,
    criteria: &[(&str, Status, bool)],
    out_of_scope: bool,
) -> Option<usize> {
    let holds = |condition: &Condition| match condition {
        Condition::OutOfScope => out_of_scope,
        Condition::NotMet(clauses) => criteria
            .iter()
            .any(|(clause, status, _)| *status == Status::NotMet && clauses.iter().any(|c| c == clause)),
        Condition::AnyUnknown => criteria.iter().any(|(_, status, _)| *status == Status::Unknown),
        Condition::AnyMeasure => criteria
            .iter()
            .any(|(_, status, measured)| *status == Status::Met && *measured),
        Condition::Always => true,
    };
    agreement
        .decision
        .precedence
        .iter()
        .position(|s| s.when.iter().any(holds))
}

/// The outcome the order of precedence gives (`standard` when no step holds).
pub(crate) fn outcome_of(
    agreement: &Agreement,
    criteria: &[(&str, Status, bool)],
    out_of_scope: bool,
) -> Outcome {
    precedence_step(agreement, criteria, out_of_scope)
        .and_then(|i| agreement.decision.precedence.get(i))
        .map_or(Outcome::Standard, |s| s.outcome)
}

fn reason(decision: &Decision, out_of_scope: bool) -> String {
    let clauses = |status: Status| -> Vec<&str> {
        decision
            .criteria
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.clause.as_str())
            .collect()
    };
    let not_met = accord_core::prose::clauses(&clauses(Status::NotMet));
    match decision.outcome {
        Outcome::Standard if out_of_scope => format!("outside the agreement's scope ({not_met} not met)"),
        Outcome::Standard | Outcome::Referred => format!("{not_met} not met"),
        Outcome::Incomplete => format!(
            "evidence missing for {}",
            accord_core::prose::clauses(&clauses(Status::Unknown))
        ),
        Outcome::Conditional => "every criterion met, with compensation measures".into(),
        Outcome::Expedited => "every criterion met".into(),
    }
}

fn measures(agreement: &Agreement, criteria: &[CriterionResult]) -> Vec<MeasureRequired> {
    let mut out: Vec<MeasureRequired> = Vec::new();
    for id in criteria
        .iter()
        .filter(|c| c.status == Status::Met)
        .filter_map(|c| c.measure.as_ref())
    {
        if out.iter().any(|m| &m.id == id) {
            continue;
        }
        if let Some(measure) = agreement.measure(id) {
            out.push(MeasureRequired {
                id: measure.id.clone(),
                clause: measure.clause.clone(),
                description: measure.description.as_str().to_owned(),
            });
        }
    }
    out
}

fn missing(criteria: &[CriterionResult]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in criteria
        .iter()
        .filter(|c| c.status == Status::Unknown)
        .flat_map(|c| &c.missing)
    {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::load_dir;
    use accord_core::rules::criterion::Branch;

    fn bundled() -> RuleSet {
        load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap()
    }

    /// A decision whose criteria took these branches, as `assess` would leave it before `decide`.
    fn decided(rules: &RuleSet, branches: &[(&str, Branch, Option<&str>)], out_of_scope: bool) -> Decision {
        let agreement = rules.agreements().first().unwrap();
        let mut decision = Decision {
            application: "T".into(),
            as_of: Date::parse("2026-03-02").unwrap(),
            outcome: Outcome::Standard,
            agreement: Some(agreement.id.clone()),
            ruleset: rules.fingerprint().clone(),
            home_body: "PEC".into(),
            host_body: "CSE".into(),
            discipline: "civil".into(),
            criteria: branches
                .iter()
                .map(|(clause, branch, measure)| CriterionResult {
                    clause: (*clause).into(),
                    title: String::new(),
                    status: Status::of(*branch),
                    measure: measure.map(str::to_owned),
                    detail: String::new(),
                    figures: Vec::new(),
                    missing: if *branch == Branch::Unknown {
                        vec!["cpd".into()]
                    } else {
                        Vec::new()
                    },
                    branch: *branch,
                })
                .collect(),
            measures: Vec::new(),
            missing: Vec::new(),
            grant: None,
            requirements: Vec::new(),
            reason: String::new(),
            precedence_step: None,
            parameters: Vec::new(),
        };
        decide(agreement, &mut decision, out_of_scope);
        decision
    }

    #[test]
    fn a_criterion_not_met_outranks_a_pending_investigation() {
        let rules = bundled();
        let d = decided(
            &rules,
            &[("3.5", Branch::NotMet, None), ("3.7", Branch::NotMet, None)],
            false,
        );
        assert_eq!((d.outcome, d.precedence_step), (Outcome::Standard, Some(0)));
        assert_eq!(d.reason, "clauses 3.5 and 3.7 not met");
    }

    #[test]
    fn a_pending_investigation_outranks_missing_evidence() {
        let rules = bundled();
        let d = decided(
            &rules,
            &[("3.5", Branch::Unknown, None), ("3.7", Branch::NotMet, None)],
            false,
        );
        assert_eq!(d.outcome, Outcome::Referred);
        assert!(
            d.missing.is_empty(),
            "a referred decision lists no missing evidence"
        );
    }

    #[test]
    fn missing_evidence_outranks_a_measure_and_lists_what_is_missing() {
        let rules = bundled();
        let d = decided(
            &rules,
            &[
                ("3.3", Branch::MetWithMeasure, Some("M2")),
                ("3.5", Branch::Unknown, None),
            ],
            false,
        );
        assert_eq!(d.outcome, Outcome::Incomplete);
        assert_eq!(d.missing, vec!["cpd".to_owned()]);
        assert!(d.measures.is_empty() && d.grant.is_none());
    }

    #[test]
    fn a_measure_alone_is_conditional_with_the_grant_and_its_requirement() {
        let rules = bundled();
        let mut d = decided(&rules, &[("3.3", Branch::MetWithMeasure, Some("M2"))], false);
        assert_eq!(d.outcome, Outcome::Conditional);
        assert_eq!(
            d.measures.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["M2"]
        );
        assert_eq!(d.grant.as_ref().map(|g| g.credential.as_str()), Some("PE"));
        assert!(d.requirements.is_empty(), "H1 is for a PEC host only");
        d.host_body = "PEC".into();
        d.home_body = "CSE".into();
        decide(rules.agreements().first().unwrap(), &mut d, false);
        assert_eq!(
            d.requirements.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["H1"]
        );
    }

    #[test]
    fn out_of_scope_is_standard_whatever_else_holds() {
        let rules = bundled();
        let d = decided(&rules, &[("2.3", Branch::NotMet, None)], true);
        assert_eq!(d.outcome, Outcome::Standard);
        assert_eq!(d.reason, "outside the agreement's scope (clause 2.3 not met)");
    }

    #[test]
    fn every_criterion_met_is_expedited() {
        let rules = bundled();
        let d = decided(
            &rules,
            &[("3.1", Branch::Met, None), ("3.5", Branch::Met, None)],
            false,
        );
        assert_eq!((d.outcome, d.precedence_step), (Outcome::Expedited, Some(4)));
    }
}

#[cfg(test)]
mod gaps {
    use std::path::Path;

    use accord_core::rules::Source;
    use accord_core::source::Format;
    use accord_core::{Application, RuleSet};

    const BASE: &str = include_str!("../../../fixtures/rulesets/pec-ea/ruleset.yaml");
    const AGREEMENT: &str = include_str!("../../../fixtures/rulesets/pec-ea/pec-ea.yaml");
    const APPLICATION: &str =
        include_str!("../../../fixtures/rulesets/pec-ea/tests/applications/pec-electrical.yaml");

    /// Issue 9: without an entry into force, a date before the parameters'
    /// first period is a gap in the rule set; it was an `unknown` that
    /// asked the applicant for nothing, and is now an error naming it.
    #[test]
    fn a_parameter_without_a_value_on_the_date_is_an_error_naming_it() {
        let without_entry = AGREEMENT.replacen("criterion: { in_force: { from: 2024-03-01 } }", "", 1);
        assert_ne!(without_entry, AGREEMENT);
        let rules = RuleSet::from_sources(vec![
            Source::new("ruleset.yaml", BASE),
            Source::new("pec-ea.yaml", without_entry),
        ])
        .unwrap();
        let application = Application::parse(Path::new("a.yaml"), Format::Yaml, APPLICATION, &rules).unwrap();
        let before = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let gap = super::assess(&rules, &application, before).unwrap_err();
        assert_eq!(gap.agreement, "pec-ea-mra");
        assert!(gap.problem.contains("is in force on 2024-01-01"), "{gap}");
        assert!(super::assess(&rules, &application, application.applied_on().get()).is_ok());
    }
}
