//! The decision contract (../shared/spec/application-format.md) as JSON.
//!
//! These types are the contract; they are converted from accord-eval's, so
//! renaming something inside the evaluator cannot change the output.

use accord_eval::{Decision, FigureValue};
use serde::Serialize;
use serde_json::{Number, Value};

/// A decision as the contract writes it, borrowing from the decision (a
/// batch writes one per file: no copies of its strings).
#[derive(Debug, Serialize)]
pub struct DecisionJson<'a> {
    application: &'a str,
    as_of: String,
    outcome: &'static str,
    agreement: Option<&'a str>,
    ruleset: &'a str,
    home_body: &'a str,
    host_body: &'a str,
    discipline: &'a str,
    reason: &'a str,
    criteria: Vec<CriterionJson<'a>>,
    measures: Vec<ItemJson<'a>>,
    missing: &'a [String],
    grants: Option<GrantJson<'a>>,
    requirements: Vec<ItemJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_outcome: Option<String>,
}

#[derive(Debug, Serialize)]
struct CriterionJson<'a> {
    clause: &'a str,
    title: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<&'a str>,
    detail: &'a str,
    figures: Figures<'a>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    missing: &'a [String],
}

/// Figures as a JSON object, keys in sorted order.
#[derive(Debug)]
struct Figures<'a>(&'a [accord_eval::Figure]);

impl Serialize for Figures<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut sorted: Vec<&accord_eval::Figure> = self.0.iter().collect();
        sorted.sort_by_key(|f| f.name);
        let mut map = serializer.serialize_map(Some(sorted.len()))?;
        for f in sorted {
            map.serialize_entry(f.name, &figure(&f.value))?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
struct ItemJson<'a> {
    id: &'a str,
    clause: &'a str,
    description: &'a str,
}

#[derive(Debug, Serialize)]
struct GrantJson<'a> {
    body: &'a str,
    credential: &'a str,
    provisional: bool,
}

impl<'a> From<&'a Decision> for DecisionJson<'a> {
    fn from(d: &'a Decision) -> DecisionJson<'a> {
        DecisionJson {
            application: &d.application,
            as_of: d.as_of.to_string(),
            outcome: d.outcome.as_str(),
            agreement: d.agreement.as_deref(),
            ruleset: d.ruleset.as_str(),
            home_body: &d.home_body,
            host_body: &d.host_body,
            discipline: &d.discipline,
            reason: &d.reason,
            criteria: d
                .criteria
                .iter()
                .map(|c| CriterionJson {
                    clause: &c.clause,
                    title: &c.title,
                    status: c.status.as_str(),
                    measure: c.measure.as_deref(),
                    detail: &c.detail,
                    figures: Figures(&c.figures),
                    missing: &c.missing,
                })
                .collect(),
            measures: d
                .measures
                .iter()
                .map(|m| ItemJson {
                    id: &m.id,
                    clause: &m.clause,
                    description: &m.description,
                })
                .collect(),
            missing: &d.missing,
            grants: d.grant.as_ref().map(|g| GrantJson {
                body: &g.body,
                credential: &g.credential,
                provisional: g.provisional,
            }),
            requirements: d
                .requirements
                .iter()
                .map(|r| ItemJson {
                    id: &r.id,
                    clause: &r.clause,
                    description: &r.description,
                })
                .collect(),
            previous_outcome: None,
        }
    }
}

impl DecisionJson<'_> {
    /// Marks a decision whose outcome differs from an earlier run's.
    pub fn with_previous_outcome(mut self, previous: Option<String>) -> Self {
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
