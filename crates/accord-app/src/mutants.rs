//! Mutation testing of rule sets: would the rule tests notice a wrong
//! number? Each mutant changes one thing by the smallest step the rule
//! language can express; it is killed when at least one rule test fails
//! under it (or the rule set no longer loads). A mutant that survives shows
//! a boundary no test pins; one that truly cannot change any decision is
//! listed in a test file's `accept:` with its reason, shown, never hidden.
//!
//! Mutants, per agreement:
//! - every parameter period's value one step up and down: one day of the
//!   day threshold a number of years becomes (clause 1.3's arithmetic),
//!   one hundredth of an hour, one year of a window or a programme length,
//!   one day of a year length or a procedural period;
//! - every date one day earlier and later: entry into force, parameter
//!   period boundaries, schedule admissions;
//! - each element of a list removed: disciplines in scope, qualifying
//!   credentials, schedule entries, measures, requirements and their
//!   conditions, granted credentials and granting outcomes, the conditions
//!   of a precedence step and the clauses of a `not_met` condition;
//! - each precedence step removed, each pair of neighbouring steps swapped;
//! - each comparison a criterion makes flipped strict/non-strict, each
//!   window's first day moved by a day, each measure band and equivalence
//!   route removed (through the evaluator's [`Tweak`] where a rule file
//!   cannot express the change).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use accord_core::rules::criterion::ParameterRole;
use accord_core::rules::model::{Agreement, Condition, Criterion, RuleFile};
use accord_core::source::{self, Format};
use accord_core::{Date, Decimal, Error, RuleSet};
use accord_eval::{Tweak, TweakChange};
use serde::Serialize;

use crate::ruletest::Tests;

/// One mutant: what it changes, and how to kill it.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// Stable id, as `accept:` names it: `cse-pec-mra: parameter experience_years period 1 up`.
    pub id: String,
    /// The clause it concerns, when there is one.
    pub clause: Option<String>,
    /// What it changes, for people.
    pub change: String,
    /// The test that would kill it.
    pub hint: String,
    edit: Edit,
}

#[derive(Debug, Clone)]
enum Edit {
    /// An edit of the rule files.
    Model(ModelEdit),
    /// A change the evaluator makes (no rule file can express it).
    Tweak(Tweak),
}

#[derive(Debug, Clone)]
enum ModelEdit {
    ParamValue {
        agreement: String,
        param: String,
        period: usize,
        value: Decimal,
    },
    ParamFrom {
        agreement: String,
        param: String,
        period: usize,
        days: i64,
    },
    ParamTo {
        agreement: String,
        param: String,
        period: usize,
        days: i64,
    },
    InForce {
        agreement: String,
        clause: usize,
        days: i64,
    },
    ScheduleSince {
        schedule: String,
        entry: usize,
        days: i64,
    },
    RemoveScheduleEntry {
        schedule: String,
        entry: usize,
    },
    RemoveDiscipline {
        agreement: String,
        clause: usize,
        index: usize,
    },
    RemoveCredential {
        agreement: String,
        clause: usize,
        body: String,
        index: usize,
    },
    RemoveMeasure {
        agreement: String,
        index: usize,
    },
    RemoveRequirement {
        agreement: String,
        index: usize,
    },
    RemoveRequirementHost {
        agreement: String,
        index: usize,
    },
    RemoveRequirementDiscipline {
        agreement: String,
        index: usize,
        which: usize,
    },
    RemoveGrantCredential {
        agreement: String,
        index: usize,
    },
    RemoveGrantOutcome {
        agreement: String,
        index: usize,
    },
    RemoveStep {
        agreement: String,
        index: usize,
    },
    SwapSteps {
        agreement: String,
        index: usize,
    },
    RemoveCondition {
        agreement: String,
        step: usize,
        index: usize,
    },
    RemoveNotMetClause {
        agreement: String,
        step: usize,
        condition: usize,
        index: usize,
    },
    RemoveBand {
        agreement: String,
        clause: usize,
    },
    RemoveEquivalence {
        agreement: String,
        clause: usize,
    },
}

/// How one mutant fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// A rule test failed under it.
    Killed,
    /// The mutated rule set does not load: `accord check` catches it.
    Rejected,
    /// Every test passed, and a test file accepts it as equivalent.
    Accepted,
    /// Every test passed.
    Survived,
}

/// The result of a run over every mutant.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Mutants run.
    pub total: usize,
    /// Killed by a test.
    pub killed: usize,
    /// Caught by validation.
    pub rejected: usize,
    /// Survived, accepted as equivalent.
    pub accepted: usize,
    /// Survived, not accepted.
    pub surviving: usize,
    /// The survivors not accepted, each with its clause, change and hint.
    pub survivors: Vec<Survivor>,
    /// The accepted survivors, each with the reason given.
    pub equivalent: Vec<Equivalent>,
    /// `accept:` entries that name no surviving mutant (stale: a test kills it, or no such mutant).
    pub stale_accepts: Vec<String>,
    /// The mutants validation rejects, by id (the rule set would not load).
    pub rejected_ids: Vec<String>,
}

/// A mutant no test kills.
#[derive(Debug, Clone, Serialize)]
pub struct Survivor {
    /// Its id.
    pub id: String,
    /// Its clause.
    pub clause: Option<String>,
    /// What it changes.
    pub change: String,
    /// The boundary test that would kill it.
    pub hint: String,
}

/// A mutant accepted as equivalent.
#[derive(Debug, Clone, Serialize)]
pub struct Equivalent {
    /// Its id.
    pub id: String,
    /// What it changes.
    pub change: String,
    /// Why it cannot change a decision.
    pub reason: String,
    /// Where the test files say so.
    pub at: String,
}

fn shift(date: Date, days: i64) -> Option<Date> {
    date.get()
        .checked_add_signed(chrono::Duration::days(days))
        .map(Date)
}

fn way(days: i64) -> &'static str {
    if days < 0 {
        "earlier"
    } else {
        "later"
    }
}

/// The role of each parameter: how the criteria and the procedure use it.
fn roles(agreement: &Agreement) -> BTreeMap<String, ParameterRole> {
    let mut out = BTreeMap::new();
    for criterion in agreement.clauses.iter().filter_map(|c| c.criterion.as_ref()) {
        for u in criterion.parameters() {
            out.entry(u.id.to_owned()).or_insert(u.role);
        }
        if criterion.uses_year_length() {
            out.entry(agreement.year_length.clone())
                .or_insert(ParameterRole::DaysPerYear);
        }
    }
    if let Some(p) = &agreement.procedure {
        for (_, id) in p.parameters() {
            out.entry(id.to_owned()).or_insert(ParameterRole::PeriodDays);
        }
    }
    out
}

/// Every mutant of `rules`, in a stable order.
pub fn mutants(rules: &RuleSet) -> Vec<Mutant> {
    let mut out = Vec::new();
    for agreement in rules.agreements() {
        parameter_mutants(agreement, &mut out);
        clause_mutants(agreement, &mut out);
        decision_mutants(agreement, &mut out);
    }
    for schedule in rules.schedules().values() {
        for (entry, e) in schedule.entries.iter().enumerate() {
            for days in [-1, 1] {
                out.push(Mutant {
                    id: format!("schedule {} entry {} since {}", schedule.id, e.body, way(days)),
                    clause: Some(schedule.clause.clone()),
                    change: format!(
                        "{} lists {} from {} instead of {}",
                        schedule.clause,
                        e.body,
                        shift(e.since, days).map(|d| d.to_string()).unwrap_or_default(),
                        e.since
                    ),
                    hint: format!(
                        "a degree accredited by {} conferred on {} (recognised) and the day before (not)",
                        e.body, e.since
                    ),
                    edit: Edit::Model(ModelEdit::ScheduleSince {
                        schedule: schedule.id.clone(),
                        entry,
                        days,
                    }),
                });
            }
            out.push(Mutant {
                id: format!("schedule {} remove {}", schedule.id, e.body),
                clause: Some(schedule.clause.clone()),
                change: format!("{} no longer lists {}", schedule.clause, e.body),
                hint: format!(
                    "a degree accredited by {} after {} that is recognised",
                    e.body, e.since
                ),
                edit: Edit::Model(ModelEdit::RemoveScheduleEntry {
                    schedule: schedule.id.clone(),
                    entry,
                }),
            });
        }
    }
    out
}

fn parameter_mutants(agreement: &Agreement, out: &mut Vec<Mutant>) {
    let roles = roles(agreement);
    let a = &agreement.id;
    let year_length = |on: Date| {
        agreement
            .parameter(&agreement.year_length)
            .and_then(|p| p.value_on(on))
    };
    for parameter in &agreement.parameters {
        let role = roles.get(&parameter.id).copied();
        for (i, period) in parameter.periods.iter().enumerate() {
            let n = i + 1;
            let base = format!("{a}: parameter {} period {n}", parameter.id);
            let clause = Some(period.cites.clone().unwrap_or_else(|| parameter.clause.clone()));
            // Value: one step of the finest unit the role can express.
            let steps: Vec<(Decimal, &str, String)> = match role {
                Some(ParameterRole::YearsAsDays) => match year_length(period.from) {
                    Some(length) => {
                        let days = accord_eval::days::years_as_days(period.value, length);
                        [(days + 1, "up"), (days - 1, "down")]
                            .into_iter()
                            .filter_map(|(target, dir)| {
                                let value = Decimal::from_int(target).checked_div_floor(length)?;
                                (accord_eval::days::years_as_days(value, length) == target).then(|| {
                                    (
                                        value,
                                        dir,
                                        format!(
                                            "{} days instead of {days}",
                                            Decimal::from_int(target).grouped()
                                        ),
                                    )
                                })
                            })
                            .collect()
                    }
                    None => Vec::new(),
                },
                Some(ParameterRole::Hours) => {
                    let step = Decimal::from_hundredths(1);
                    vec![
                        (
                            period.value.saturating_add(step),
                            "up",
                            "a hundredth of an hour more".to_owned(),
                        ),
                        (
                            period.value.saturating_sub(step),
                            "down",
                            "a hundredth of an hour less".to_owned(),
                        ),
                    ]
                }
                Some(ParameterRole::WindowYears | ParameterRole::WholeYears) => vec![
                    (
                        period.value.saturating_add(Decimal::ONE),
                        "up",
                        "one year more".to_owned(),
                    ),
                    (
                        period.value.saturating_sub(Decimal::ONE),
                        "down",
                        "one year less".to_owned(),
                    ),
                ],
                Some(ParameterRole::DaysPerYear | ParameterRole::PeriodDays) => vec![
                    (
                        period.value.saturating_add(Decimal::ONE),
                        "up",
                        "one day more".to_owned(),
                    ),
                    (
                        period.value.saturating_sub(Decimal::ONE),
                        "down",
                        "one day less".to_owned(),
                    ),
                ],
                None => Vec::new(),
            };
            for (value, dir, what) in steps {
                let hint = match role {
                    Some(ParameterRole::PeriodDays) => format!(
                        "a `deadlines` test of the period that reads `{}` from {}",
                        parameter.id, period.from
                    ),
                    Some(ParameterRole::YearsAsDays | ParameterRole::DaysPerYear) => format!(
                        "an application exactly at the day threshold of `{}` from {} (met) and one day under (not met)",
                        parameter.id, period.from
                    ),
                    Some(ParameterRole::Hours) => format!(
                        "an application with exactly {} hours from {} (met) and {} (not met)",
                        period.value,
                        period.from,
                        period.value.saturating_sub(Decimal::from_hundredths(1))
                    ),
                    _ => format!(
                        "an application at the edge of `{}` = {} from {}, and one just beyond it",
                        parameter.id, period.value, period.from
                    ),
                };
                out.push(Mutant {
                    id: format!("{base} {dir}"),
                    clause: clause.clone(),
                    change: format!(
                        "`{}` from {}: {} → {value} ({what})",
                        parameter.id, period.from, period.value
                    ),
                    hint,
                    edit: Edit::Model(ModelEdit::ParamValue {
                        agreement: a.clone(),
                        param: parameter.id.clone(),
                        period: i,
                        value,
                    }),
                });
            }
            // Dates: the period's first day (with the previous period's last
            // day when they meet), and a closing last day.
            for days in [-1, 1] {
                let moved = shift(period.from, days)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                out.push(Mutant {
                    id: format!("{base} from {}", way(days)),
                    clause: clause.clone(),
                    change: format!(
                        "`{}` takes {} from {moved} instead of {}",
                        parameter.id, period.value, period.from
                    ),
                    hint: format!(
                        "applications assessed on {} and on the day before, reading `{}`",
                        period.from, parameter.id
                    ),
                    edit: Edit::Model(ModelEdit::ParamFrom {
                        agreement: a.clone(),
                        param: parameter.id.clone(),
                        period: i,
                        days,
                    }),
                });
            }
            let last = i + 1 == parameter.periods.len();
            if let (Some(to), true) = (period.to, last) {
                for days in [-1, 1] {
                    out.push(Mutant {
                        id: format!("{base} to {}", way(days)),
                        clause: clause.clone(),
                        change: format!(
                            "`{}`'s last period ends on {} instead of {to}",
                            parameter.id,
                            shift(to, days).map(|d| d.to_string()).unwrap_or_default()
                        ),
                        hint: format!("an application assessed on {to} and on the day after"),
                        edit: Edit::Model(ModelEdit::ParamTo {
                            agreement: a.clone(),
                            param: parameter.id.clone(),
                            period: i,
                            days,
                        }),
                    });
                }
            }
        }
    }
}

fn clause_mutants(agreement: &Agreement, out: &mut Vec<Mutant>) {
    let a = &agreement.id;
    for (ci, clause) in agreement.clauses.iter().enumerate() {
        let Some(criterion) = &clause.criterion else {
            continue;
        };
        let c = &clause.clause;
        let here = Some(c.clone());
        match criterion {
            Criterion::InForce { from } => {
                for days in [-1, 1] {
                    out.push(Mutant {
                        id: format!("{a}: clause {c} in force from {}", way(days)),
                        clause: here.clone(),
                        change: format!(
                            "in force from {} instead of {from}",
                            shift(*from, days).map(|d| d.to_string()).unwrap_or_default()
                        ),
                        hint: format!("applications assessed on {from} (in force) and the day before (not)"),
                        edit: Edit::Model(ModelEdit::InForce {
                            agreement: a.clone(),
                            clause: ci,
                            days,
                        }),
                    });
                }
            }
            Criterion::Disciplines { in_scope } => {
                for (index, d) in in_scope.iter().enumerate() {
                    out.push(Mutant {
                        id: format!("{a}: clause {c} disciplines remove {d}"),
                        clause: here.clone(),
                        change: format!("{d} removed from the disciplines in scope"),
                        hint: format!("an application in {d} that is in scope"),
                        edit: Edit::Model(ModelEdit::RemoveDiscipline {
                            agreement: a.clone(),
                            clause: ci,
                            index,
                        }),
                    });
                }
            }
            Criterion::CurrentRegistration { credentials } => {
                for (body, list) in credentials {
                    for (index, cred) in list.iter().enumerate() {
                        out.push(Mutant {
                            id: format!("{a}: clause {c} credentials {body} remove {cred}"),
                            clause: here.clone(),
                            change: format!("{body} {cred} no longer qualifies"),
                            hint: format!(
                                "an applicant registered with {body} as {cred} only, who qualifies"
                            ),
                            edit: Edit::Model(ModelEdit::RemoveCredential {
                                agreement: a.clone(),
                                clause: ci,
                                body: body.clone(),
                                index,
                            }),
                        });
                    }
                }
            }
            Criterion::RecognisedEducation(r) => {
                if let Some(e) = &r.equivalence {
                    out.push(Mutant {
                        id: format!("{a}: clause {c} equivalence remove"),
                        clause: here.clone(),
                        change: format!("the equivalence route (measure {}) removed", e.measure),
                        hint: "a degree recognised by equivalence only (met with the measure)".into(),
                        edit: Edit::Model(ModelEdit::RemoveEquivalence {
                            agreement: a.clone(),
                            clause: ci,
                        }),
                    });
                }
            }
            Criterion::CountedDays(d) => {
                if let Some(band) = &d.with_measure {
                    out.push(Mutant {
                        id: format!("{a}: clause {c} band remove"),
                        clause: here.clone(),
                        change: format!("the band met with measure {} removed", band.measure),
                        hint: format!(
                            "an application within the band, met with measure {}",
                            band.measure
                        ),
                        edit: Edit::Model(ModelEdit::RemoveBand {
                            agreement: a.clone(),
                            clause: ci,
                        }),
                    });
                }
            }
            _ => {}
        }
        for name in criterion.comparisons() {
            out.push(Mutant {
                id: format!("{a}: clause {c} compare {name} flip"),
                clause: here.clone(),
                change: format!("the {name} comparison made strict (or non-strict)"),
                hint: format!("an application exactly at the {name} boundary of clause {c}"),
                edit: Edit::Tweak(Tweak {
                    clause: c.clone(),
                    change: TweakChange::Flip(name),
                }),
            });
        }
        if criterion.has_window() {
            for days in [-1i64, 1] {
                out.push(Mutant {
                    id: format!("{a}: clause {c} window start {}", way(days)),
                    clause: here.clone(),
                    change: format!("the window starts a day {}", way(days)),
                    hint: format!(
                        "an item dated on the first day of clause {c}'s window, and one the day before"
                    ),
                    edit: Edit::Tweak(Tweak {
                        clause: c.clone(),
                        change: TweakChange::ShiftWindow(days),
                    }),
                });
            }
        }
    }
}

fn decision_mutants(agreement: &Agreement, out: &mut Vec<Mutant>) {
    let a = &agreement.id;
    let rule = &agreement.decision;
    let steps = &rule.precedence;
    let at = Some(rule.clause.clone());
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        out.push(Mutant {
            id: format!("{a}: precedence step {n} remove"),
            clause: at.clone(),
            change: format!("step {n} ({}) removed", step.outcome.as_str()),
            hint: format!("an application decided {} by step {n}", step.outcome.as_str()),
            edit: Edit::Model(ModelEdit::RemoveStep {
                agreement: a.clone(),
                index: i,
            }),
        });
        if let Some(next) = steps.get(i + 1) {
            out.push(Mutant {
                id: format!("{a}: precedence steps {n}-{} swap", n + 1),
                clause: at.clone(),
                change: format!(
                    "steps {n} ({}) and {} ({}) swapped",
                    step.outcome.as_str(),
                    n + 1,
                    next.outcome.as_str()
                ),
                hint: format!(
                    "an application for which both steps {n} and {} hold: {} must win",
                    n + 1,
                    step.outcome.as_str()
                ),
                edit: Edit::Model(ModelEdit::SwapSteps {
                    agreement: a.clone(),
                    index: i,
                }),
            });
        }
        if step.when.len() > 1 {
            for (ci, _) in step.when.iter().enumerate() {
                out.push(Mutant {
                    id: format!("{a}: precedence step {n} condition {} remove", ci + 1),
                    clause: at.clone(),
                    change: format!("condition {} of step {n} removed", ci + 1),
                    hint: format!("an application decided by condition {} of step {n} alone", ci + 1),
                    edit: Edit::Model(ModelEdit::RemoveCondition {
                        agreement: a.clone(),
                        step: i,
                        index: ci,
                    }),
                });
            }
        }
        for (ci, condition) in step.when.iter().enumerate() {
            if let Condition::NotMet(clauses) = condition {
                if clauses.len() > 1 {
                    for (k, clause) in clauses.iter().enumerate() {
                        out.push(Mutant {
                            id: format!("{a}: precedence step {n} not_met remove {clause}"),
                            clause: at.clone(),
                            change: format!(
                                "clause {clause} no longer leads to step {n} ({})",
                                step.outcome.as_str()
                            ),
                            hint: format!("an application whose only unmet clause is {clause}"),
                            edit: Edit::Model(ModelEdit::RemoveNotMetClause {
                                agreement: a.clone(),
                                step: i,
                                condition: ci,
                                index: k,
                            }),
                        });
                    }
                }
            }
        }
    }
    for (index, m) in agreement.measures.iter().enumerate() {
        out.push(Mutant {
            id: format!("{a}: measure {} remove", m.id),
            clause: Some(m.clause.clone()),
            change: format!("measure {} removed", m.id),
            hint: format!("a conditional decision that lists measure {}", m.id),
            edit: Edit::Model(ModelEdit::RemoveMeasure {
                agreement: a.clone(),
                index,
            }),
        });
    }
    for (index, r) in agreement.requirements.iter().enumerate() {
        out.push(Mutant {
            id: format!("{a}: requirement {} remove", r.id),
            clause: Some(r.clause.clone()),
            change: format!("requirement {} removed", r.id),
            hint: format!("a granted application that must carry requirement {}", r.id),
            edit: Edit::Model(ModelEdit::RemoveRequirement {
                agreement: a.clone(),
                index,
            }),
        });
        if r.when.host.is_some() {
            out.push(Mutant {
                id: format!("{a}: requirement {} host remove", r.id),
                clause: Some(r.clause.clone()),
                change: format!("requirement {} applies whatever the host", r.id),
                hint: format!(
                    "a granted application to the other host, without requirement {}",
                    r.id
                ),
                edit: Edit::Model(ModelEdit::RemoveRequirementHost {
                    agreement: a.clone(),
                    index,
                }),
            });
        }
        for (which, d) in r.when.disciplines.iter().flatten().enumerate() {
            out.push(Mutant {
                id: format!("{a}: requirement {} disciplines remove {d}", r.id),
                clause: Some(r.clause.clone()),
                change: format!("requirement {} no longer applies to {d}", r.id),
                hint: format!("a granted application in {d} that carries requirement {}", r.id),
                edit: Edit::Model(ModelEdit::RemoveRequirementDiscipline {
                    agreement: a.clone(),
                    index,
                    which,
                }),
            });
        }
    }
    for (index, g) in agreement.grant.credentials.iter().enumerate() {
        out.push(Mutant {
            id: format!("{a}: grant {} remove", g.host),
            clause: Some(agreement.grant.clause.clone()),
            change: format!("the grant of {} {} removed", g.host, g.credential),
            hint: format!("a granted application to {} that checks `grants`", g.host),
            edit: Edit::Model(ModelEdit::RemoveGrantCredential {
                agreement: a.clone(),
                index,
            }),
        });
    }
    for (index, o) in agreement.grant.outcomes.iter().enumerate() {
        out.push(Mutant {
            id: format!("{a}: grant outcome {} remove", o.as_str()),
            clause: Some(agreement.grant.clause.clone()),
            change: format!("a {} decision no longer grants", o.as_str()),
            hint: format!("a {} decision that checks `grants`", o.as_str()),
            edit: Edit::Model(ModelEdit::RemoveGrantOutcome {
                agreement: a.clone(),
                index,
            }),
        });
    }
}

/// The rule files of `rules`, parsed again from the texts it was read from.
fn rule_files(rules: &RuleSet) -> Result<Vec<(PathBuf, RuleFile)>, Error> {
    rules
        .sources()
        .iter()
        .map(|s| {
            let format = Format::of_path(&s.name).unwrap_or(Format::Yaml);
            source::parse::<RuleFile>(format, &s.text)
                .map(|f| (s.name.clone(), f))
                .map_err(|l| Error::Input {
                    file: s.name.clone(),
                    position: l.position,
                    path: l.path,
                    message: l.message,
                })
        })
        .collect()
}

fn agreement_mut<'f>(files: &'f mut [(PathBuf, RuleFile)], id: &str) -> Option<&'f mut Agreement> {
    files
        .iter_mut()
        .flat_map(|(_, f)| f.agreements.iter_mut())
        .find(|a| a.id == id)
}

/// Applies `edit` to a copy of the rule files; `None` when it no longer applies.
fn apply(files: &[(PathBuf, RuleFile)], edit: &ModelEdit) -> Option<Vec<(PathBuf, RuleFile)>> {
    let mut files = files.to_vec();
    let done = match edit {
        ModelEdit::ScheduleSince {
            schedule,
            entry,
            days,
        } => {
            let s = files
                .iter_mut()
                .flat_map(|(_, f)| f.schedules.iter_mut())
                .find(|s| &s.id == schedule)?;
            let e = s.entries.get_mut(*entry)?;
            e.since = shift(e.since, *days)?;
            Some(())
        }
        ModelEdit::RemoveScheduleEntry { schedule, entry } => {
            let s = files
                .iter_mut()
                .flat_map(|(_, f)| f.schedules.iter_mut())
                .find(|s| &s.id == schedule)?;
            (*entry < s.entries.len()).then(|| {
                s.entries.remove(*entry);
            })
        }
        ModelEdit::ParamValue {
            agreement,
            param,
            period,
            value,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            let p = a.parameters.iter_mut().find(|p| &p.id == param)?;
            p.periods.get_mut(*period)?.value = *value;
            Some(())
        }
        ModelEdit::ParamFrom {
            agreement,
            param,
            period,
            days,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            let p = a.parameters.iter_mut().find(|p| &p.id == param)?;
            let from = p.periods.get(*period)?.from;
            let moved = shift(from, *days)?;
            // The boundary moves: the previous period, if it ends the day before, ends with it.
            if let Some(prev) = period.checked_sub(1).and_then(|i| p.periods.get_mut(i)) {
                if prev.to.and_then(|t| shift(t, 1)) == Some(from) {
                    prev.to = shift(moved, -1);
                }
            }
            p.periods.get_mut(*period)?.from = moved;
            Some(())
        }
        ModelEdit::ParamTo {
            agreement,
            param,
            period,
            days,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            let p = a.parameters.iter_mut().find(|p| &p.id == param)?;
            let pe = p.periods.get_mut(*period)?;
            pe.to = shift(pe.to?, *days);
            Some(())
        }
        ModelEdit::InForce {
            agreement,
            clause,
            days,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.clauses.get_mut(*clause)?.criterion.as_mut()? {
                Criterion::InForce { from } => {
                    *from = shift(*from, *days)?;
                    Some(())
                }
                _ => None,
            }
        }
        ModelEdit::RemoveDiscipline {
            agreement,
            clause,
            index,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.clauses.get_mut(*clause)?.criterion.as_mut()? {
                Criterion::Disciplines { in_scope } if *index < in_scope.len() => {
                    in_scope.remove(*index);
                    Some(())
                }
                _ => None,
            }
        }
        ModelEdit::RemoveCredential {
            agreement,
            clause,
            body,
            index,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.clauses.get_mut(*clause)?.criterion.as_mut()? {
                Criterion::CurrentRegistration { credentials } => {
                    let list = credentials.get_mut(body)?;
                    (*index < list.len()).then(|| {
                        list.remove(*index);
                    })
                }
                _ => None,
            }
        }
        ModelEdit::RemoveBand { agreement, clause } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.clauses.get_mut(*clause)?.criterion.as_mut()? {
                Criterion::CountedDays(c) => c.with_measure.take().map(|_| ()),
                _ => None,
            }
        }
        ModelEdit::RemoveEquivalence { agreement, clause } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.clauses.get_mut(*clause)?.criterion.as_mut()? {
                Criterion::RecognisedEducation(r) => r.equivalence.take().map(|_| ()),
                _ => None,
            }
        }
        ModelEdit::RemoveMeasure { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index < a.measures.len()).then(|| {
                a.measures.remove(*index);
            })
        }
        ModelEdit::RemoveRequirement { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index < a.requirements.len()).then(|| {
                a.requirements.remove(*index);
            })
        }
        ModelEdit::RemoveRequirementHost { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            a.requirements.get_mut(*index)?.when.host.take().map(|_| ())
        }
        ModelEdit::RemoveRequirementDiscipline {
            agreement,
            index,
            which,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            let list = a.requirements.get_mut(*index)?.when.disciplines.as_mut()?;
            (*which < list.len()).then(|| {
                list.remove(*which);
            })
        }
        ModelEdit::RemoveGrantCredential { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index < a.grant.credentials.len()).then(|| {
                a.grant.credentials.remove(*index);
            })
        }
        ModelEdit::RemoveGrantOutcome { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index < a.grant.outcomes.len()).then(|| {
                a.grant.outcomes.remove(*index);
            })
        }
        ModelEdit::RemoveStep { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index < a.decision.precedence.len()).then(|| {
                a.decision.precedence.remove(*index);
            })
        }
        ModelEdit::SwapSteps { agreement, index } => {
            let a = agreement_mut(&mut files, agreement)?;
            (*index + 1 < a.decision.precedence.len()).then(|| a.decision.precedence.swap(*index, *index + 1))
        }
        ModelEdit::RemoveCondition {
            agreement,
            step,
            index,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            let when = &mut a.decision.precedence.get_mut(*step)?.when;
            (*index < when.len()).then(|| {
                when.remove(*index);
            })
        }
        ModelEdit::RemoveNotMetClause {
            agreement,
            step,
            condition,
            index,
        } => {
            let a = agreement_mut(&mut files, agreement)?;
            match a.decision.precedence.get_mut(*step)?.when.get_mut(*condition)? {
                Condition::NotMet(list) if *index < list.len() => {
                    list.remove(*index);
                    Some(())
                }
                _ => None,
            }
        }
    };
    done.map(|()| files)
}

/// Runs every test against `mutant`: its fate (before `accept:` is applied).
fn judge(rules: &RuleSet, files: &[(PathBuf, RuleFile)], tests: &Tests, mutant: &Mutant) -> Fate {
    let (mutated, tweak) = match &mutant.edit {
        Edit::Tweak(t) => (None, Some(t)),
        Edit::Model(edit) => {
            let Some(edited) = apply(files, edit) else {
                return Fate::Rejected;
            };
            match RuleSet::from_rule_files(edited) {
                Ok(r) => (Some(r), None),
                Err(_) => return Fate::Rejected,
            }
        }
    };
    let rules = mutated.as_ref().unwrap_or(rules);
    let dies = tests.tests.iter().any(|t| !t.passes(rules, tweak))
        || (tweak.is_none() && tests.deadlines.iter().any(|d| !d.check(rules).is_empty()));
    if dies {
        Fate::Killed
    } else {
        Fate::Survived
    }
}

/// Runs the tests against every mutant of `rules` on `jobs` threads.
/// The tests are loaded once and shared; the result is in mutant order
/// whatever the number of threads.
pub fn run(rules: &RuleSet, tests: &Tests, jobs: usize) -> Result<Report, Error> {
    let files = rule_files(rules)?;
    let all = mutants(rules);
    let next = AtomicUsize::new(0);
    let mut fates: Vec<Option<Fate>> = vec![None; all.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(mutant) = all.get(i) else {
                            break;
                        };
                        done.push((i, judge(rules, &files, tests, mutant)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            for (i, fate) in worker.join().unwrap_or_default() {
                if let Some(slot) = fates.get_mut(i) {
                    *slot = Some(fate);
                }
            }
        }
    });
    let mut report = Report {
        total: all.len(),
        killed: 0,
        rejected: 0,
        accepted: 0,
        surviving: 0,
        survivors: Vec::new(),
        equivalent: Vec::new(),
        stale_accepts: Vec::new(),
        rejected_ids: Vec::new(),
    };
    let mut used = vec![false; tests.accepted.len()];
    for (mutant, fate) in all.iter().zip(fates) {
        match fate.unwrap_or(Fate::Survived) {
            Fate::Killed => report.killed += 1,
            Fate::Rejected => {
                report.rejected += 1;
                report.rejected_ids.push(mutant.id.clone());
            }
            Fate::Accepted | Fate::Survived => {
                match tests.accepted.iter().position(|a| a.mutant == mutant.id) {
                    Some(k) => {
                        if let (Some(flag), Some(a)) = (used.get_mut(k), tests.accepted.get(k)) {
                            *flag = true;
                            report.accepted += 1;
                            report.equivalent.push(Equivalent {
                                id: mutant.id.clone(),
                                change: mutant.change.clone(),
                                reason: a.reason.clone(),
                                at: a.at.clone(),
                            });
                        }
                    }
                    None => {
                        report.surviving += 1;
                        report.survivors.push(Survivor {
                            id: mutant.id.clone(),
                            clause: mutant.clause.clone(),
                            change: mutant.change.clone(),
                            hint: mutant.hint.clone(),
                        });
                    }
                }
            }
        }
    }
    for (a, used) in tests.accepted.iter().zip(used) {
        if !used {
            report
                .stale_accepts
                .push(format!("{}: `{}` names no surviving mutant", a.at, a.mutant));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> RuleSet {
        accord_core::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap()
    }

    #[test]
    fn a_years_threshold_moves_by_exactly_one_day() {
        let rules = bundled();
        let all = mutants(&rules);
        let up = all
            .iter()
            .find(|m| m.id == "cse-pec-mra: parameter experience_years period 1 up")
            .unwrap();
        assert!(up.change.contains("2,558 days instead of 2557"), "{}", up.change);
        let down = all
            .iter()
            .find(|m| m.id == "cse-pec-mra: parameter experience_years period 1 down")
            .unwrap();
        assert!(
            down.change.contains("2,556 days instead of 2557"),
            "{}",
            down.change
        );
    }

    #[test]
    fn every_mutant_id_is_unique_and_every_model_edit_applies() {
        let rules = bundled();
        let files = rule_files(&rules).unwrap();
        let all = mutants(&rules);
        let mut ids: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "ids are unique");
        for m in &all {
            if let Edit::Model(edit) = &m.edit {
                assert!(apply(&files, edit).is_some(), "{} applies", m.id);
            }
        }
    }

    #[test]
    fn an_unchanged_rule_set_is_no_mutant() {
        // The parse-validate round trip alone changes nothing: same fingerprint.
        let rules = bundled();
        let again = RuleSet::from_rule_files(rule_files(&rules).unwrap()).unwrap();
        assert_eq!(again.fingerprint(), rules.fingerprint());
    }
}
