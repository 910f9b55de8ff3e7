//! The decision contract (`../shared/spec/application-format.md`) as typed
//! values: what `assess --format json` prints, what `batch` writes a line
//! of, what the ledger stores and replays.
//!
//! These types are the contract; they are converted from accord-eval's, so
//! renaming something inside the evaluator cannot change the output. They
//! borrow from the decision they describe (a batch writes one per file: no
//! copies of its strings) and own what they read back from JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;

use accord_core::rules::model::Outcome;
use accord_core::Date;
use accord_eval::FigureValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

/// A decision as the contract writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision<'a> {
    /// The application's id.
    #[schema(value_type = String)]
    pub application: Cow<'a, str>,
    /// The assessment date used.
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    /// The outcome.
    #[schema(value_type = String, example = "expedited")]
    pub outcome: Outcome,
    /// The agreement applied, or `null`.
    #[schema(value_type = Option<String>)]
    pub agreement: Option<Cow<'a, str>>,
    /// The rule set's fingerprint.
    #[schema(value_type = String)]
    pub ruleset: Cow<'a, str>,
    /// The home body applied from.
    #[schema(value_type = String)]
    pub home_body: Cow<'a, str>,
    /// The host body applied to.
    #[schema(value_type = String)]
    pub host_body: Cow<'a, str>,
    /// The discipline.
    #[schema(value_type = String)]
    pub discipline: Cow<'a, str>,
    /// Why, in one sentence.
    #[schema(value_type = String)]
    pub reason: Cow<'a, str>,
    /// Every clause evaluated, in clause order.
    pub criteria: Vec<Criterion<'a>>,
    /// Compensation measures required.
    pub measures: Vec<Item<'a>>,
    /// Evidence missing.
    #[schema(value_type = Vec<String>)]
    pub missing: Cow<'a, [String]>,
    /// The credential granted, or `null`.
    pub grants: Option<Grant<'a>>,
    /// Host requirements attached to the grant.
    pub requirements: Vec<Item<'a>>,
    /// With `--outlook`: when time alone would change the decision (`spec/outlook.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlook: Option<Outlook<'a>>,
    /// In a batch compared with an earlier run: the earlier outcome, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub previous_outcome: Option<Outcome>,
}

/// The eligibility outlook as the contract writes it (`spec/outlook.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outlook<'a> {
    /// The last date looked at: the assessment date plus 3,653 days.
    #[schema(value_type = String, format = Date)]
    pub horizon: Date,
    /// The first later date decided `expedited`, or `null`.
    #[schema(value_type = Option<String>, format = Date)]
    pub expedited_on: Option<Date>,
    /// The first later date that grants (`expedited` or `conditional`), or `null`.
    #[schema(value_type = Option<String>, format = Date)]
    pub granted_on: Option<Date>,
    /// Each criterion not met, or met only with a measure, and when time alone meets it.
    pub criteria: Vec<CriterionOutlook<'a>>,
    /// The missing evidence, in words: time cannot supply it.
    #[schema(value_type = Vec<String>)]
    pub to_supply: Vec<Cow<'a, str>>,
}

/// One criterion's outlook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CriterionOutlook<'a> {
    /// Its clause.
    #[schema(value_type = String)]
    pub clause: Cow<'a, str>,
    /// Its status on the assessment date.
    pub status: Status,
    /// The measure it was met with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub measure: Option<Cow<'a, str>>,
    /// The first date it is met without a measure, or `null`.
    #[schema(value_type = Option<String>, format = Date)]
    pub met_on: Option<Date>,
}

impl<'a> Outlook<'a> {
    /// The contract's outlook of `decision` from the evaluator's.
    pub fn new(outlook: &'a accord_eval::Outlook, decision: &'a accord_eval::Decision) -> Outlook<'a> {
        Outlook {
            horizon: Date(outlook.horizon),
            expedited_on: outlook.expedited_on.as_ref().map(|m| Date(m.on)),
            granted_on: outlook.granted_on.as_ref().map(|m| Date(m.on)),
            criteria: outlook
                .criteria
                .iter()
                .map(|c| CriterionOutlook {
                    clause: Cow::Borrowed(&c.now.clause),
                    status: c.now.status.into(),
                    measure: c.now.measure.as_deref().map(Cow::Borrowed),
                    met_on: c.met_on.as_ref().map(|(d, _)| Date(*d)),
                })
                .collect(),
            to_supply: decision.missing.iter().map(|path| to_supply(path)).collect(),
        }
    }
}

/// What an applicant is asked to supply for the missing evidence at `path`:
/// the contract's words for it.
pub fn to_supply(path: &str) -> Cow<'static, str> {
    match accord_core::vocabulary::evidence_words(path) {
        Some(words) => Cow::Borrowed(words),
        None => Cow::Owned(format!("the evidence the application format calls `{path}`")),
    }
}

/// A criterion's status as the contract names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met (perhaps with a measure).
    Met,
    /// Not met.
    NotMet,
    /// Evidence missing.
    Unknown,
}

impl From<accord_eval::Status> for Status {
    fn from(status: accord_eval::Status) -> Status {
        match status {
            accord_eval::Status::Met => Status::Met,
            accord_eval::Status::NotMet => Status::NotMet,
            accord_eval::Status::Unknown => Status::Unknown,
        }
    }
}

impl Status {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::Unknown => "unknown",
        }
    }
}

/// One clause's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion<'a> {
    /// The clause number as the agreement writes it.
    #[schema(value_type = String)]
    pub clause: Cow<'a, str>,
    /// The clause's title.
    #[schema(value_type = String)]
    pub title: Cow<'a, str>,
    /// Met, not met or unknown.
    pub status: Status,
    /// The measure the result calls for, when met with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub measure: Option<Cow<'a, str>>,
    /// The explanation with its figures.
    #[schema(value_type = String)]
    pub detail: Cow<'a, str>,
    /// The figures, by name.
    #[schema(value_type = Object)]
    pub figures: Figures<'a>,
    /// The evidence missing, when unknown.
    #[serde(default, skip_serializing_if = "<[String]>::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub missing: Cow<'a, [String]>,
}

/// A measure or requirement: id, clause and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item<'a> {
    /// Identifier.
    #[schema(value_type = String)]
    pub id: Cow<'a, str>,
    /// Clause.
    #[schema(value_type = String)]
    pub clause: Cow<'a, str>,
    /// What to do.
    #[schema(value_type = String)]
    pub description: Cow<'a, str>,
}

/// The credential granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant<'a> {
    /// The host body.
    #[schema(value_type = String)]
    pub body: Cow<'a, str>,
    /// Its credential.
    #[schema(value_type = String)]
    pub credential: Cow<'a, str>,
    /// A provisional licence?
    pub provisional: bool,
}

/// A criterion's figures: borrowed from an evaluation, or read back from
/// JSON. Written as one JSON object, keys sorted; numbers as JSON numbers
/// (integers exactly, fractions by their shortest decimal).
#[derive(Debug, Clone)]
pub enum Figures<'a> {
    /// As the evaluator produced them.
    Evaluated(&'a [accord_eval::Figure]),
    /// As read from a stored decision.
    Read(BTreeMap<String, Value>),
}

impl Figures<'_> {
    /// The figures as JSON values by name.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        match self {
            Figures::Evaluated(figures) => figures
                .iter()
                .map(|f| (f.name.to_owned(), figure(&f.value)))
                .collect(),
            Figures::Read(map) => map.clone(),
        }
    }
}

impl PartialEq for Figures<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl Serialize for Figures<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Figures::Evaluated(figures) => {
                let mut sorted: Vec<&accord_eval::Figure> = figures.iter().collect();
                sorted.sort_by_key(|f| f.name);
                let mut map = serializer.serialize_map(Some(sorted.len()))?;
                for f in sorted {
                    map.serialize_entry(f.name, &figure(&f.value))?;
                }
                map.end()
            }
            Figures::Read(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Figures<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Figures::Read)
    }
}

/// Numbers as JSON numbers: integers exactly, fractions by their shortest decimal.
pub fn figure(value: &FigureValue) -> Value {
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

impl<'a> From<&'a accord_eval::Decision> for Decision<'a> {
    fn from(d: &'a accord_eval::Decision) -> Decision<'a> {
        Decision {
            application: Cow::Borrowed(&d.application),
            as_of: d.as_of,
            outcome: d.outcome,
            agreement: d.agreement.as_deref().map(Cow::Borrowed),
            ruleset: Cow::Borrowed(d.ruleset.as_str()),
            home_body: Cow::Borrowed(&d.home_body),
            host_body: Cow::Borrowed(&d.host_body),
            discipline: Cow::Borrowed(&d.discipline),
            reason: Cow::Borrowed(&d.reason),
            criteria: d
                .criteria
                .iter()
                .map(|c| Criterion {
                    clause: Cow::Borrowed(&c.clause),
                    title: Cow::Borrowed(&c.title),
                    status: c.status.into(),
                    measure: c.measure.as_deref().map(Cow::Borrowed),
                    detail: Cow::Borrowed(&c.detail),
                    figures: Figures::Evaluated(&c.figures),
                    missing: Cow::Borrowed(&c.missing),
                })
                .collect(),
            measures: d
                .measures
                .iter()
                .map(|m| Item {
                    id: Cow::Borrowed(&m.id),
                    clause: Cow::Borrowed(&m.clause),
                    description: Cow::Borrowed(&m.description),
                })
                .collect(),
            missing: Cow::Borrowed(&d.missing),
            grants: d.grant.as_ref().map(|g| Grant {
                body: Cow::Borrowed(&g.body),
                credential: Cow::Borrowed(&g.credential),
                provisional: g.provisional,
            }),
            requirements: d
                .requirements
                .iter()
                .map(|r| Item {
                    id: Cow::Borrowed(&r.id),
                    clause: Cow::Borrowed(&r.clause),
                    description: Cow::Borrowed(&r.description),
                })
                .collect(),
            outlook: None,
            previous_outcome: None,
        }
    }
}

impl<'a> From<&'a crate::decide::Assessed> for Decision<'a> {
    fn from(a: &'a crate::decide::Assessed) -> Decision<'a> {
        Decision::from(&a.decision).with_outlook(a.outlook.as_ref().map(|o| Outlook::new(o, &a.decision)))
    }
}

impl<'a> Decision<'a> {
    /// Adds the outlook (`--outlook`).
    pub fn with_outlook(mut self, outlook: Option<Outlook<'a>>) -> Self {
        self.outlook = outlook;
        self
    }
}

impl Decision<'_> {
    /// Marks a decision whose outcome differs from an earlier run's.
    pub fn with_previous_outcome(mut self, previous: Option<Outcome>) -> Self {
        self.previous_outcome = previous;
        self
    }

    /// One line of JSON (for JSON Lines and the ledger).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON (for `assess`).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a stored decision (a ledger entry's, an earlier batch's line).
    pub fn read(json: &str) -> Result<Decision<'static>, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The parts of the decision in which `other` differs, by contract
    /// name: what was decided and on what figures, not how it is worded
    /// (explanations may be reworded without a change of decision, and a
    /// field added to the contract later is not a difference).
    pub fn differences(&self, other: &Decision<'_>) -> Vec<&'static str> {
        let ids = |items: &[Item<'_>]| items.iter().map(|i| i.id.to_string()).collect::<Vec<_>>();
        let results = |d: &Decision<'_>| {
            d.criteria
                .iter()
                .map(|c| {
                    (
                        c.clause.to_string(),
                        c.status,
                        c.measure.as_deref().map(str::to_owned),
                        c.figures.to_map(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut out = Vec::new();
        let mut differ = |name: &'static str, different: bool| {
            if different {
                out.push(name);
            }
        };
        differ("application", self.application != other.application);
        differ("as_of", self.as_of != other.as_of);
        differ("outcome", self.outcome != other.outcome);
        differ("agreement", self.agreement != other.agreement);
        differ("ruleset", self.ruleset != other.ruleset);
        differ("criteria", results(self) != results(other));
        differ("measures", ids(&self.measures) != ids(&other.measures));
        differ("missing", self.missing != other.missing);
        differ("grants", self.grants != other.grants);
        differ(
            "requirements",
            ids(&self.requirements) != ids(&other.requirements),
        );
        out
    }
}

/// The record of a file that could not be decided.
#[derive(Debug, Serialize)]
pub struct ErrorRecord<'a> {
    /// The file.
    pub file: &'a str,
    /// The same message `assess` prints.
    pub error: &'a str,
}

impl ErrorRecord<'_> {
    /// One line of JSON.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = r#"{"application":"A","as_of":"2026-03-02","outcome":"conditional","agreement":"cse-pec-mra","ruleset":"sha256:r","home_body":"PEC","host_body":"CSE","discipline":"civil","reason":"r","criteria":[{"clause":"3.3","title":"Experience","status":"met","measure":"M2","detail":"2,467 of 2,557 days","figures":{"counted_days":2467,"required_days":2557}}],"measures":[{"id":"M2","clause":"3.3","description":"d"}],"missing":[],"grants":{"body":"CSE","credential":"PE","provisional":true},"requirements":[]}"#;

    #[test]
    fn a_stored_decision_reads_back_and_writes_the_same_bytes() {
        let decision = Decision::read(STORED).unwrap();
        assert_eq!(decision.to_line(), STORED);
        assert_eq!(decision.outcome, Outcome::Conditional);
    }

    #[test]
    fn rewording_and_new_fields_are_no_difference_but_a_figure_is() {
        let stored = Decision::read(STORED).unwrap();
        let reworded = Decision::read(&STORED.replace("2,467 of 2,557 days", "2467 days of 2557")).unwrap();
        assert!(stored.differences(&reworded).is_empty());
        let extended: Value = serde_json::from_str(STORED).unwrap();
        let mut extended = extended.as_object().unwrap().clone();
        extended.insert("applicant_name".into(), Value::String("X".into()));
        let extended = Decision::read(&Value::Object(extended).to_string()).unwrap();
        assert!(stored.differences(&extended).is_empty());
        let refigured =
            Decision::read(&STORED.replace("\"counted_days\":2467", "\"counted_days\":2468")).unwrap();
        assert_eq!(stored.differences(&refigured), ["criteria"]);
        let other =
            Decision::read(&STORED.replace("\"outcome\":\"conditional\"", "\"outcome\":\"expedited\""))
                .unwrap();
        assert_eq!(stored.differences(&other), ["outcome"]);
    }
}

/// Snapshots of the contract for hand-worked fixtures: their diffs are
/// reviewed like code (`INSTA_UPDATE=always cargo test` to accept).
#[cfg(test)]
mod snapshots {
    use std::path::{Path, PathBuf};

    use accord_core::{load_dir, Application};

    use super::Decision;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn contract(file: &str) -> String {
        let rules = load_dir(&root().join("rules")).unwrap();
        let application = Application::read(&root().join(file), &rules).unwrap();
        let decision = crate::decide(&rules, &application, None).unwrap();
        Decision::from(&decision).to_json_pretty()
    }

    #[test]
    fn the_spec_example_is_expedited() {
        insta::assert_snapshot!(contract("fixtures/examples/spec-example.yaml"));
    }

    #[test]
    fn a_conditional_decision_lists_its_measure_grant_and_requirement() {
        insta::assert_snapshot!(contract(
            "fixtures/cases/a-part-time-half-fte-2556-5-days-m2/application.yaml"
        ));
    }

    #[test]
    fn an_incomplete_decision_lists_the_missing_evidence() {
        insta::assert_snapshot!(contract(
            "fixtures/cases/cpd-and-sanctions-absent-missing-both/application.yaml"
        ));
    }

    #[test]
    fn a_pair_without_an_agreement_has_none() {
        insta::assert_snapshot!(contract(
            "fixtures/cases/pair-without-agreement-ea-to-pec/application.yaml"
        ));
    }
}
