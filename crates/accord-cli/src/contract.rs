//! The decision contract (../shared/spec/application-format.md) as JSON.
//!
//! These types are the contract; they are converted from accord-eval's, so
//! renaming something inside the evaluator cannot change the output.

use accord_eval::{Decision, FigureValue};
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// A decision as the contract writes it.
#[derive(Debug, Serialize)]
pub struct DecisionJson {
    application: String,
    as_of: String,
    outcome: &'static str,
    agreement: Option<String>,
    ruleset: String,
    home_body: String,
    host_body: String,
    discipline: String,
    reason: String,
    criteria: Vec<CriterionJson>,
    measures: Vec<ItemJson>,
    missing: Vec<String>,
    grants: Option<GrantJson>,
    requirements: Vec<ItemJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_outcome: Option<String>,
}

#[derive(Debug, Serialize)]
struct CriterionJson {
    clause: String,
    title: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<String>,
    detail: String,
    figures: Map<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ItemJson {
    id: String,
    clause: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct GrantJson {
    body: String,
    credential: String,
    provisional: bool,
}

impl From<&Decision> for DecisionJson {
    fn from(d: &Decision) -> DecisionJson {
        DecisionJson {
            application: d.application.clone(),
            as_of: d.as_of.to_string(),
            outcome: d.outcome.as_str(),
            agreement: d.agreement.clone(),
            ruleset: d.ruleset.to_string(),
            home_body: d.home_body.clone(),
            host_body: d.host_body.clone(),
            discipline: d.discipline.clone(),
            reason: d.reason.clone(),
            criteria: d
                .criteria
                .iter()
                .map(|c| CriterionJson {
                    clause: c.clause.clone(),
                    title: c.title.clone(),
                    status: c.status.as_str(),
                    measure: c.measure.clone(),
                    detail: c.detail.clone(),
                    figures: c
                        .figures
                        .iter()
                        .map(|f| (f.name.to_owned(), figure(&f.value)))
                        .collect(),
                    missing: c.missing.clone(),
                })
                .collect(),
            measures: d
                .measures
                .iter()
                .map(|m| ItemJson {
                    id: m.id.clone(),
                    clause: m.clause.clone(),
                    description: m.description.clone(),
                })
                .collect(),
            missing: d.missing.clone(),
            grants: d.grant.as_ref().map(|g| GrantJson {
                body: g.body.clone(),
                credential: g.credential.clone(),
                provisional: g.provisional,
            }),
            requirements: d
                .requirements
                .iter()
                .map(|r| ItemJson {
                    id: r.id.clone(),
                    clause: r.clause.clone(),
                    description: r.description.clone(),
                })
                .collect(),
            previous_outcome: None,
        }
    }
}

impl DecisionJson {
    /// Marks a decision whose outcome differs from an earlier run's.
    pub fn with_previous_outcome(mut self, previous: Option<String>) -> DecisionJson {
        self.previous_outcome = previous;
        self
    }

    /// One line of JSON (for JSON Lines).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The record of a file that could not be decided.
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// The file.
    pub file: &'a str,
    /// The same message `assess` prints.
    pub error: &'a str,
}

impl ErrorJson<'_> {
    /// One line of JSON.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Numbers as JSON numbers: integers exactly, fractions by their shortest decimal.
fn figure(value: &FigureValue) -> Value {
    match value {
        FigureValue::Number(n) => match n.to_integer() {
            Some(i) => Value::Number(i.into()),
            None => n
                .to_string()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or(Value::String(n.to_string()), Value::Number),
        },
        FigureValue::Date(d) => Value::String(d.to_string()),
        FigureValue::Text(t) => Value::String(t.clone()),
    }
}

/// The decision as indented JSON (for `assess`).
pub fn to_json_pretty(decision: &Decision) -> String {
    serde_json::to_string_pretty(&DecisionJson::from(decision)).unwrap_or_default()
}
