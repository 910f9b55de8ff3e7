//! Semantic difference of two rule sets: what changed in meaning, entity by
//! entity, never by text.
//!
//! Both sides are loaded rule sets, already canonical (comments, layout,
//! file names and the order of unordered lists are gone), so comparing them
//! entity by entity finds exactly the changes of meaning: two rule sets with
//! no change have equal fingerprints and an empty diff, and conversely.
//! Entities are matched by identity (a body by code, a clause by number, a
//! parameter by id...), so a moved clause is not a change; within a changed
//! entity every changed field is named. Dated parameters are compared as
//! timelines, so an amendment reads as `3.5 CPD hours: 90 -> 75 from
//! 2026-01-01 (Amendment No. 1)`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::model::{Agreement, Parameter, ParameterPeriod};
use super::{clause_order, RuleSet};
use crate::date::Date;
use crate::decimal::Decimal;

/// Whether an entity was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the new rule set.
    Added,
    /// Only in the old rule set.
    Removed,
    /// In both, with a different meaning.
    Changed,
}

/// One change of meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// What sort of entity: `rule set`, `body`, `discipline`, `schedule`,
    /// `schedule entry`, `agreement`, `clause`, `parameter`, `measure`,
    /// `decision`, `grant`, `requirement`, `procedure`.
    pub entity: &'static str,
    /// Its identity, e.g. `cse-pec-mra 3.5` or `washington-accord CAST`.
    pub id: String,
    /// The clause it belongs to, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// One line for a person, e.g. `3.5 CPD hours: 90 -> 75 from 2026-01-01 (Amendment No. 1)`.
    pub summary: String,
    /// The changed fields (for `changed`), e.g. `["text"]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The entity before, as data.
    pub before: Option<Value>,
    /// The entity after, as data.
    pub after: Option<Value>,
}

/// Every change of meaning from `old` to `new`, in a stable order (rule-set
/// level first, then by agreement and clause).
pub fn diff(old: &RuleSet, new: &RuleSet) -> Vec<Change> {
    let mut changes = Vec::new();
    compare_one(
        &mut changes,
        "rule set",
        &old.header.id,
        None,
        &old.header,
        &new.header,
    );
    compare_maps(&mut changes, "body", &old.bodies, &new.bodies, |_| None);
    compare_maps(
        &mut changes,
        "discipline",
        &old.disciplines,
        &new.disciplines,
        |_| None,
    );
    schedules(&mut changes, old, new);
    let old_agreements: BTreeMap<&str, &Agreement> =
        old.agreements.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_agreements: BTreeMap<&str, &Agreement> =
        new.agreements.iter().map(|a| (a.id.as_str(), a)).collect();
    for id in union(&old_agreements, &new_agreements) {
        match (old_agreements.get(id), new_agreements.get(id)) {
            (Some(a), Some(b)) => agreement(&mut changes, a, b),
            (a, b) => changes.push(whole("agreement", id, None, a.copied(), b.copied(), |x| {
                format!("agreement {id}: {}", x.title.as_str())
            })),
        }
    }
    if changes.is_empty() && old.fingerprint != new.fingerprint {
        // Cannot happen while every serialised field is compared above; kept so
        // that a field added to the model later is never silently missed.
        changes.push(Change {
            kind: ChangeKind::Changed,
            entity: "rule set",
            id: new.header.id.clone(),
            clause: None,
            summary: "the canonical form differs in a field this diff does not name".into(),
            fields: Vec::new(),
            before: None,
            after: None,
        });
    }
    changes
}

fn union<'a, V>(a: &BTreeMap<&'a str, V>, b: &BTreeMap<&'a str, V>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = a.keys().chain(b.keys()).copied().collect();
    keys.sort_by(|x, y| clause_order(x, y));
    keys.dedup();
    keys
}

fn to_value(x: &impl Serialize) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// The top-level fields in which two serialised entities differ.
fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| a.get(*k) != b.get(*k))
                .map(|k| k.to_string())
                .collect()
        }
        _ if before != after => vec!["value".into()],
        _ => Vec::new(),
    }
}

fn short(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) if s.chars().count() <= 60 => s.clone(),
        Some(Value::String(_)) => "(text)".into(),
        Some(other) => {
            let text = other.to_string();
            if text.chars().count() <= 80 {
                text
            } else {
                "(changed)".into()
            }
        }
    }
}

/// Describes changed fields: `title: A -> B`, `text changed`.
fn describe_fields(before: &Value, after: &Value, fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            let (a, b) = (before.get(f), after.get(f));
            let (sa, sb) = (short(a), short(b));
            if sa == "(text)" || sb == "(text)" || sa == "(changed)" || sb == "(changed)" {
                format!("{f} changed")
            } else {
                format!("{f}: {sa} -> {sb}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn compare_one<T: Serialize>(
    changes: &mut Vec<Change>,
    entity: &'static str,
    id: &str,
    clause: Option<&str>,
    old: &T,
    new: &T,
) {
    let (before, after) = (to_value(old), to_value(new));
    let fields = changed_fields(&before, &after);
    if fields.is_empty() {
        return;
    }
    let title = after.get("title").and_then(Value::as_str);
    let label = match (entity, clause, title) {
        ("clause", _, Some(t)) => format!("clause {id} {t}"),
        (_, Some(c), _) if c != id => format!("{entity} {id} ({c})"),
        _ => format!("{entity} {id}"),
    };
    changes.push(Change {
        kind: ChangeKind::Changed,
        entity,
        id: id.to_owned(),
        clause: clause.map(str::to_owned),
        summary: format!("{label}: {}", describe_fields(&before, &after, &fields)),
        fields,
        before: Some(before),
        after: Some(after),
    });
}

fn whole<T: Serialize>(
    entity: &'static str,
    id: &str,
    clause: Option<&str>,
    old: Option<&T>,
    new: Option<&T>,
    name: impl Fn(&T) -> String,
) -> Change {
    let (kind, label) = match (old, new) {
        (None, Some(x)) => (ChangeKind::Added, format!("added {}", name(x))),
        (Some(x), None) => (ChangeKind::Removed, format!("removed {}", name(x))),
        _ => (ChangeKind::Changed, format!("changed {entity} {id}")),
    };
    Change {
        kind,
        entity,
        id: id.to_owned(),
        clause: clause.map(str::to_owned),
        summary: label,
        fields: Vec::new(),
        before: old.map(to_value),
        after: new.map(to_value),
    }
}

fn compare_maps<T: Serialize>(
    changes: &mut Vec<Change>,
    entity: &'static str,
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
    clause: impl Fn(&T) -> Option<String>,
) {
    let a: BTreeMap<&str, &T> = old.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let b: BTreeMap<&str, &T> = new.iter().map(|(k, v)| (k.as_str(), v)).collect();
    keyed(changes, entity, &a, &b, clause);
}

fn keyed<T: Serialize>(
    changes: &mut Vec<Change>,
    entity: &'static str,
    old: &BTreeMap<&str, &T>,
    new: &BTreeMap<&str, &T>,
    clause: impl Fn(&T) -> Option<String>,
) {
    for id in union(old, new) {
        match (old.get(id), new.get(id)) {
            (Some(a), Some(b)) => compare_one(changes, entity, id, clause(a).as_deref(), *a, *b),
            (a, b) => {
                let c = a.or(b).and_then(|x| clause(x));
                changes.push(whole(entity, id, c.as_deref(), a.copied(), b.copied(), |x| {
                    let v = to_value(x);
                    let title = v
                        .get("title")
                        .or_else(|| v.get("name"))
                        .and_then(Value::as_str)
                        .map(|t| format!(": {t}"))
                        .unwrap_or_default();
                    format!("{entity} {id}{title}")
                }))
            }
        }
    }
}

fn schedules(changes: &mut Vec<Change>, old: &RuleSet, new: &RuleSet) {
    let a: BTreeMap<&str, _> = old.schedules.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let b: BTreeMap<&str, _> = new.schedules.iter().map(|(k, v)| (k.as_str(), v)).collect();
    for id in union(&a, &b) {
        match (a.get(id), b.get(id)) {
            (Some(x), Some(y)) => {
                // The schedule's own fields, then its entries by body.
                let strip = |s: &super::model::Schedule| {
                    let mut v = to_value(s);
                    if let Value::Object(map) = &mut v {
                        map.remove("entries");
                    }
                    v
                };
                compare_one(changes, "schedule", id, Some(&x.clause), &strip(x), &strip(y));
                let ea: BTreeMap<&str, _> = x.entries.iter().map(|e| (e.body.as_str(), e)).collect();
                let eb: BTreeMap<&str, _> = y.entries.iter().map(|e| (e.body.as_str(), e)).collect();
                let before = changes.len();
                keyed(changes, "schedule entry", &ea, &eb, |_| Some(x.clause.clone()));
                for change in changes.iter_mut().skip(before) {
                    change.id = format!("{id} {}", change.id);
                    change.summary = format!("{} ({}): {}", x.clause, x.title.as_str(), change.summary);
                }
            }
            (x, y) => changes.push(whole("schedule", id, None, x.copied(), y.copied(), |s| {
                format!("schedule {id} ({}): {}", s.clause, s.title.as_str())
            })),
        }
    }
}

fn agreement(changes: &mut Vec<Change>, old: &Agreement, new: &Agreement) {
    let id = old.id.as_str();
    let head = |a: &Agreement| {
        serde_json::json!({
            "title": a.title, "parties": a.parties, "year_length": a.year_length,
        })
    };
    compare_one(changes, "agreement", id, None, &head(old), &head(new));

    let before = changes.len();
    let ca: BTreeMap<&str, _> = old.clauses.iter().map(|c| (c.clause.as_str(), c)).collect();
    let cb: BTreeMap<&str, _> = new.clauses.iter().map(|c| (c.clause.as_str(), c)).collect();
    keyed(changes, "clause", &ca, &cb, |c| Some(c.clause.clone()));
    let pa: BTreeMap<&str, _> = old.parameters.iter().map(|p| (p.id.as_str(), p)).collect();
    let pb: BTreeMap<&str, _> = new.parameters.iter().map(|p| (p.id.as_str(), p)).collect();
    for pid in union(&pa, &pb) {
        match (pa.get(pid), pb.get(pid)) {
            (Some(x), Some(y)) => parameter(changes, new, x, y),
            (x, y) => changes.push(whole(
                "parameter",
                pid,
                x.or(y).map(|p| p.clause.as_str()),
                x.copied(),
                y.copied(),
                |p| {
                    format!(
                        "parameter {pid} ({} {}): {}",
                        p.clause,
                        p.title.as_str(),
                        timeline_text(&p.periods)
                    )
                },
            )),
        }
    }
    let ma: BTreeMap<&str, _> = old.measures.iter().map(|m| (m.id.as_str(), m)).collect();
    let mb: BTreeMap<&str, _> = new.measures.iter().map(|m| (m.id.as_str(), m)).collect();
    keyed(changes, "measure", &ma, &mb, |m| Some(m.clause.clone()));
    compare_one(
        changes,
        "decision",
        "precedence",
        Some(&new.decision.clause),
        &old.decision,
        &new.decision,
    );
    compare_one(
        changes,
        "grant",
        "grant",
        Some(&new.grant.clause),
        &old.grant,
        &new.grant,
    );
    let ra: BTreeMap<&str, _> = old.requirements.iter().map(|r| (r.id.as_str(), r)).collect();
    let rb: BTreeMap<&str, _> = new.requirements.iter().map(|r| (r.id.as_str(), r)).collect();
    keyed(changes, "requirement", &ra, &rb, |r| Some(r.clause.clone()));
    compare_one(
        changes,
        "procedure",
        "procedure",
        None,
        &old.procedure,
        &new.procedure,
    );
    for change in changes.iter_mut().skip(before) {
        change.id = format!("{id} {}", change.id);
    }
    // Read in the agreement's order: each clause with its parameters and measures.
    if let Some(tail) = changes.get_mut(before..) {
        tail.sort_by(|a, b| match (&a.clause, &b.clause) {
            (Some(x), Some(y)) => clause_order(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
}

fn parameter(changes: &mut Vec<Change>, new_agreement: &Agreement, old: &Parameter, new: &Parameter) {
    let (before, after) = (to_value(old), to_value(new));
    let fields = changed_fields(&before, &after);
    if fields.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    let others: Vec<String> = fields.iter().filter(|f| *f != "periods").cloned().collect();
    if !others.is_empty() {
        parts.push(describe_fields(&before, &after, &others));
    }
    if fields.iter().any(|f| f == "periods") {
        let segments = timeline_changes(&old.periods, &new.periods);
        if segments.is_empty() {
            parts.push(format!(
                "periods re-dated or re-cited without a change of value: {} -> {}",
                timeline_text(&old.periods),
                timeline_text(&new.periods)
            ));
        }
        for segment in segments {
            let cite = segment
                .cites
                .as_deref()
                .map(|c| match new_agreement.clause(c) {
                    Some(clause) => format!(" ({})", clause.title.as_str()),
                    None => format!(" (clause {c})"),
                })
                .unwrap_or_default();
            let span = match segment.to {
                Some(to) => format!("from {} to {to}", segment.from),
                None => format!("from {}", segment.from),
            };
            parts.push(format!(
                "{} -> {} {span}{cite}",
                value_text(segment.before),
                value_text(segment.after)
            ));
        }
    }
    changes.push(Change {
        kind: ChangeKind::Changed,
        entity: "parameter",
        id: old.id.clone(),
        clause: Some(new.clause.clone()),
        summary: format!("{} {}: {}", new.clause, new.title.as_str(), parts.join("; ")),
        fields,
        before: Some(before),
        after: Some(after),
    });
}

fn value_text(value: Option<Decimal>) -> String {
    value.map_or_else(|| "none".into(), |v| v.to_string())
}

fn timeline_text(periods: &[ParameterPeriod]) -> String {
    periods
        .iter()
        .map(|p| match p.to {
            Some(to) => format!("{} from {} to {to}", p.value, p.from),
            None => format!("{} from {}", p.value, p.from),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stretch of dates on which the value differs.
#[derive(Debug, PartialEq)]
struct Segment {
    from: Date,
    to: Option<Date>,
    before: Option<Decimal>,
    after: Option<Decimal>,
    cites: Option<String>,
}

/// Compares two timelines of values: the maximal stretches of dates on
/// which the value in force differs, with the citation of the new value.
fn timeline_changes(old: &[ParameterPeriod], new: &[ParameterPeriod]) -> Vec<Segment> {
    let value_on = |periods: &[ParameterPeriod], d: Date| {
        periods
            .iter()
            .find(|p| p.from <= d && p.to.is_none_or(|to| d <= to))
            .map(|p| (p.value, p.cites.clone()))
    };
    // Every date on which either timeline may change value.
    let mut breaks: Vec<Date> = Vec::new();
    for p in old.iter().chain(new) {
        breaks.push(p.from);
        if let Some(next) = p.to.and_then(|to| to.get().succ_opt()) {
            breaks.push(Date(next));
        }
    }
    breaks.sort();
    breaks.dedup();
    let mut segments: Vec<Segment> = Vec::new();
    for (i, start) in breaks.iter().enumerate() {
        let end = breaks.get(i + 1).and_then(|next| next.get().pred_opt()).map(Date);
        let before = value_on(old, *start).map(|(v, _)| v);
        let (after, cites) = value_on(new, *start).map_or((None, None), |(v, c)| (Some(v), c));
        if before == after {
            continue;
        }
        if let Some(last) = segments.last_mut() {
            let adjacent = last.to.and_then(|t| t.get().succ_opt()) == Some(start.get());
            if adjacent && last.before == before && last.after == after && last.cites == cites {
                last.to = end;
                continue;
            }
        }
        segments.push(Segment {
            from: *start,
            to: end,
            before,
            after,
            cites,
        });
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(from: &str, to: Option<&str>, value: i64) -> ParameterPeriod {
        ParameterPeriod {
            from: Date::parse(from).unwrap(),
            to: to.map(|t| Date::parse(t).unwrap()),
            value: Decimal::from_int(value),
            cites: None,
        }
    }

    #[test]
    fn an_amendment_is_one_stretch_from_its_date_on() {
        let old = [period("2025-07-01", None, 90)];
        let mut amended = period("2026-01-01", None, 75);
        amended.cites = Some("5.1".into());
        let new = [period("2025-07-01", Some("2025-12-31"), 90), amended];
        let segments = timeline_changes(&old, &new);
        assert_eq!(segments.len(), 1);
        let s = &segments[0];
        assert_eq!(s.from.to_string(), "2026-01-01");
        assert_eq!(
            (s.to, s.before, s.after),
            (None, Some(Decimal::from_int(90)), Some(Decimal::from_int(75)))
        );
        assert_eq!(s.cites.as_deref(), Some("5.1"));
    }

    #[test]
    fn splitting_a_period_without_changing_values_is_no_stretch() {
        let old = [period("2025-07-01", None, 90)];
        let new = [
            period("2025-07-01", Some("2025-12-31"), 90),
            period("2026-01-01", None, 90),
        ];
        assert!(timeline_changes(&old, &new).is_empty());
    }

    #[test]
    fn a_temporary_change_is_bounded() {
        let old = [period("2025-07-01", None, 90)];
        let new = [
            period("2025-07-01", Some("2025-12-31"), 90),
            period("2026-01-01", Some("2026-06-30"), 80),
            period("2026-07-01", None, 90),
        ];
        let segments = timeline_changes(&old, &new);
        assert_eq!(segments.len(), 1);
        assert_eq!(
            segments[0].to.map(|d| d.to_string()).as_deref(),
            Some("2026-06-30")
        );
    }
}
