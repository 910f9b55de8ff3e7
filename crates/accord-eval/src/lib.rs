//! Accord's pure rule evaluation: `(rule set, application, assessment date)
//! -> decision`, with every clause's result, figures and explanation.
//!
//! Invariants: no I/O, no clock, no environment. The same inputs give the
//! same decision. Nothing here names a body, credential, discipline, clause
//! or threshold: all of those come from the rule set.

mod criteria;
pub mod days;
pub mod decision;

use std::cell::RefCell;

use accord_core::rules::model::{Agreement, Condition, Criterion, Outcome};
use accord_core::rules::RuleSet;
use accord_core::{Application, Date};
use chrono::NaiveDate;

pub use decision::{
    CriterionResult, Decision, Figure, FigureValue, GrantMade, MeasureRequired, ParameterUsed,
    RequirementAttached, Status,
};

/// Assesses `application` under `rules` on `as_of`.
pub fn assess(rules: &RuleSet, application: &Application, as_of: NaiveDate) -> Decision {
    let mut decision = Decision {
        application: application.id.clone(),
        as_of: Date(as_of),
        outcome: Outcome::Standard,
        agreement: None,
        ruleset: rules.fingerprint().clone(),
        home_body: application.home_body.clone(),
        host_body: application.host_body.clone(),
        discipline: application.discipline.clone(),
        criteria: Vec::new(),
        measures: Vec::new(),
        missing: Vec::new(),
        grant: None,
        requirements: Vec::new(),
        reason: String::new(),
        precedence_step: None,
        parameters: Vec::new(),
    };
    let Some(agreement) = rules.agreement_between(&application.home_body, &application.host_body) else {
        decision.reason = format!(
            "no agreement in the rule set covers {} → {}: the host body's standard route applies",
            application.home_body, application.host_body
        );
        return decision;
    };
    decision.agreement = Some(agreement.id.clone());
    let context = criteria::Context {
        rules,
        agreement,
        application,
        as_of,
        used: RefCell::new(Vec::new()),
    };
    let mut results = Vec::with_capacity(agreement.clauses.len());
    let in_scope = evaluate(&context, &mut results, is_scope);
    if in_scope {
        evaluate(&context, &mut results, |c| !is_scope(c));
    }
    results.sort_unstable_by_key(|(position, _)| *position);
    decision.criteria = results.into_iter().map(|(_, result)| result).collect();
    decision.parameters = context.used.into_inner();
    decide(agreement, &mut decision, !in_scope);
    decision
}

/// Scope criteria (Article 2) gate the rest: outside the scope, the
/// criteria for expedited recognition are not evaluated.
fn is_scope(criterion: &Criterion) -> bool {
    matches!(
        criterion,
        Criterion::Parties | Criterion::InForce { .. } | Criterion::Disciplines { .. }
    )
}

/// Evaluates the clauses whose criterion passes `select`, in dependency
/// order, each with its position in clause order. Returns whether all of
/// them are met.
fn evaluate(
    context: &criteria::Context<'_>,
    out: &mut Vec<(usize, CriterionResult)>,
    select: impl Fn(&Criterion) -> bool,
) -> bool {
    let mut all_met = true;
    for (position, clause) in context.agreement.evaluation_order() {
        let Some(criterion) = clause.criterion.as_ref().filter(|c| select(c)) else {
            continue;
        };
        let result = criteria::evaluate(context, clause, criterion);
        all_met &= result.status == Status::Met;
        out.push((position, result));
    }
    all_met
}

/// Applies the order of precedence, then lists measures, missing evidence,
/// the grant and its requirements as the outcome calls for.
fn decide(agreement: &Agreement, decision: &mut Decision, out_of_scope: bool) {
    let criteria = &decision.criteria;
    let holds = |condition: &Condition| match condition {
        Condition::OutOfScope => out_of_scope,
        Condition::NotMet(clauses) => criteria
            .iter()
            .any(|c| c.status == Status::NotMet && clauses.contains(&c.clause)),
        Condition::AnyUnknown => criteria.iter().any(|c| c.status == Status::Unknown),
        Condition::AnyMeasure => criteria
            .iter()
            .any(|c| c.status == Status::Met && c.measure.is_some()),
        Condition::Always => true,
    };
    let step = agreement
        .decision
        .precedence
        .iter()
        .position(|s| s.when.iter().any(holds));
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

fn reason(decision: &Decision, out_of_scope: bool) -> String {
    let clauses = |status: Status| -> Vec<&str> {
        decision
            .criteria
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.clause.as_str())
            .collect()
    };
    let not_met = clauses(Status::NotMet);
    match decision.outcome {
        Outcome::Standard if out_of_scope => format!(
            "outside the agreement's scope (clause {} not met)",
            not_met.join(", ")
        ),
        Outcome::Standard | Outcome::Referred => format!("clause {} not met", not_met.join(", ")),
        Outcome::Incomplete => format!(
            "evidence missing for clause {}",
            clauses(Status::Unknown).join(", ")
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
