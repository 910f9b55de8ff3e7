//! The outlook against its definition (`spec/outlook.md`): assess on every
//! day of the horizon and take the first. Generated applications move every
//! date the spec names: both directions, both sides of Amendment No. 1,
//! ongoing and ended periods, part time, CPD entering and leaving its
//! window, sanctions ageing out, registrations starting and expiring,
//! degrees and equivalence assessments dated after the assessment date,
//! assessment dates before entry into force; and the PEC–EA rule set, whose
//! parameters and windows differ.

// Test code: a failed check panics.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::Path;

use accord_core::rules::model::Outcome;
use accord_core::source::Format;
use accord_core::{Application, RuleSet};
use accord_eval::{assess, outlook, Status, HORIZON_DAYS};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

fn rules(dir: &str) -> RuleSet {
    accord_core::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir)).unwrap()
}

fn day(base: NaiveDate, offset: i64) -> String {
    (base + chrono::Duration::days(offset)).to_string()
}

/// An application around `applied_on`, every date an offset from it.
#[derive(Debug, Clone)]
struct Drawn {
    json: Value,
}

/// The credentials a body registers (as the rule sets' code lists say),
/// qualifying ones more often.
fn credentials(body: &str) -> &'static [&'static str] {
    match body {
        "PEC" => &["PE", "PE", "PE", "PE", "PE", "PE", "PE", "RE"],
        "CSE" => &["PE", "SPE", "PE", "SPE", "PE", "SPE", "PE", "AE"],
        "EA" => &["CPEng"],
        _ => &["CEng"],
    }
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 30 => s.prop_map(Some)].boxed()
}

/// Offsets in days from the assessment date, mostly where a qualifying
/// applicant's would be, often near the edges that matter.
fn application(
    pairs: &'static [(&'static str, &'static str)],
    accreditors: &'static [&'static str],
) -> impl Strategy<Value = Drawn> {
    let registration = (
        prop_oneof![20 => Just(0usize), 1 => Just(1), 1 => Just(2)], // home, host, another body
        0..8usize,
        prop_oneof![10 => -4000i64..-30, 1 => -30i64..900],
        prop_oneof![6 => Just(None), 1 => (-200i64..3800).prop_map(Some)],
        prop_oneof![25 => Just("active"), 1 => Just("suspended"), 1 => Just("lapsed")],
    );
    let degree = (
        prop_oneof![8 => -5200i64..-2400, 2 => -2400i64..0, 1 => 0i64..700],
        prop_oneof![12 => proptest::sample::select(accreditors).prop_map(Some), 1 => Just(None)],
        prop_oneof![20 => Just(Some(4u32)), 1 => Just(Some(3)), 1 => Just(None)],
        prop_oneof![5 => Just(None), 1 => (0..2usize, -1500i64..700).prop_map(Some)],
    );
    // Main period: from shortly after graduation, ongoing or ended.
    let main = (
        0i64..500,
        prop_oneof![3 => Just(None), 1 => (-2500i64..900).prop_map(Some)],
        prop_oneof![6 => Just(100u32), 1 => Just(60), 1 => Just(50)],
        proptest::bool::weighted(0.9),
    );
    let extra = (
        -4000i64..600,
        maybe(0i64..3000),
        proptest::sample::select(&[25u32, 50, 60, 100][..]),
        any::<bool>(),
    );
    let cpd = (
        prop_oneof![6 => -1100i64..0, 1 => 0i64..600, 1 => -1500i64..-1000],
        10u32..50,
        any::<bool>(),
    );
    let sanction = (
        prop_oneof![2 => Just("imposed"), 1 => Just("pending"), 1 => Just("overturned")],
        -2600i64..400,
    );
    (
        (
            proptest::sample::select(pairs),
            // 2025-01-01 to the end of 2027: before and after entry into
            // force and Amendment No. 1.
            0i64..1095,
            prop_oneof![15 => Just("civil"), 3 => Just("electrical"), 1 => Just("aerospace")],
        ),
        maybe(proptest::collection::vec(registration, 1..3)),
        maybe(proptest::collection::vec(degree, 1..3)),
        maybe((main, proptest::collection::vec(extra, 0..3))),
        maybe(proptest::collection::vec(cpd, 0..11)),
        prop_oneof![10 => Just(Some(Vec::new())), 1 => Just(None), 3 => proptest::collection::vec(sanction, 1..3).prop_map(Some)],
    )
        .prop_map(move |((pair, applied, discipline), registrations, degrees, experience, cpd, sanctions)| {
            let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(applied);
            let (home, host) = pair;
            let mut app = json!({
                "id": "SCAN-1",
                "applied_on": base.to_string(),
                "applicant": { "name": "Scan" },
                "home_body": home,
                "host_body": host,
                "discipline": discipline,
            });
            let o = app.as_object_mut().unwrap();
            if let Some(list) = registrations {
                let list: Vec<Value> = list
                    .into_iter()
                    .map(|(body, credential, since, expires, status)| {
                        let body = [home, host, "ECUK"][body];
                        let choices = credentials(body);
                        let credential = choices[credential % choices.len()];
                        let mut r = json!({ "body": body, "credential": credential, "since": day(base, since), "status": status });
                        if let Some(e) = expires {
                            r["expires"] = json!(day(base, since.max(e)));
                        }
                        r
                    })
                    .collect();
                o.insert("registrations".into(), Value::Array(list));
            }
            let graduated = degrees.as_ref().and_then(|d| d.iter().map(|(g, ..)| *g).min()).unwrap_or(-3000);
            if let Some(list) = degrees {
                let list: Vec<Value> = list
                    .into_iter()
                    .map(|(conferred, accredited, years, equivalence)| {
                        let mut d = json!({ "title": "BEng", "institution": "U", "graduated_on": day(base, conferred) });
                        if let Some(a) = accredited {
                            d["accredited_by"] = json!(a);
                        }
                        if let Some(y) = years {
                            d["programme_years"] = json!(y);
                        }
                        if let Some((by, on)) = equivalence {
                            let by = [home, host][by];
                            d["equivalence_assessment"] = json!({ "by": by, "on": day(base, conferred.max(on)) });
                        }
                        d
                    })
                    .collect();
                o.insert("degrees".into(), Value::Array(list));
            }
            if let Some(((start, end, fte, charge), extra)) = experience {
                let period = |from: i64, to: Option<i64>, fte: u32, charge: bool| {
                    let mut p = json!({ "employer": "E", "role": "R", "from": day(base, from),
                                        "fte": f64::from(fte) / 100.0, "responsible_charge": charge });
                    if let Some(to) = to {
                        p["to"] = json!(day(base, from.max(to)));
                    }
                    p
                };
                let mut list = vec![period(graduated + start, end, fte, charge)];
                list.extend(extra.into_iter().map(|(from, length, fte, charge)| period(from, length.map(|l| from + l), fte, charge)));
                o.insert("experience".into(), Value::Array(list));
            }
            if let Some(list) = cpd {
                let list: Vec<Value> = list
                    .into_iter()
                    .map(|(on, hours, half)| {
                        let hours = if half { json!(f64::from(hours) + 0.5) } else { json!(hours) };
                        json!({ "activity": "C", "hours": hours, "completed_on": day(base, on) })
                    })
                    .collect();
                o.insert("cpd".into(), Value::Array(list));
            }
            if let Some(list) = sanctions {
                let list: Vec<Value> = list
                    .into_iter()
                    .map(|(status, on)| json!({ "date": day(base, on), "status": status }))
                    .collect();
                o.insert("sanctions".into(), Value::Array(list));
            }
            Drawn { json: app }
        })
}

/// First expedited date, first granting date, and each listed clause's `met_on`.
type Scanned = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    Vec<(String, Option<NaiveDate>)>,
);

/// The outlook by its definition: every day from the assessment date's next to the horizon.
fn scan(rules: &RuleSet, app: &Application) -> Scanned {
    let d0 = app.applied_on().get();
    let first = assess(rules, app, d0).unwrap();
    let grants = |o: Outcome| matches!(o, Outcome::Expedited | Outcome::Conditional);
    let mut listed: Vec<(String, Option<NaiveDate>)> = first
        .criteria
        .iter()
        .filter(|c| c.status == Status::NotMet || (c.status == Status::Met && c.measure.is_some()))
        .map(|c| (c.clause.clone(), None))
        .collect();
    let (mut expedited, mut granted) = (None, None);
    let horizon = d0 + chrono::Duration::days(i64::from(HORIZON_DAYS));
    let mut d = d0;
    while d < horizon {
        d = d.succ_opt().unwrap();
        let decision = assess(rules, app, d).unwrap();
        if expedited.is_none()
            && first.outcome != Outcome::Expedited
            && decision.outcome == Outcome::Expedited
        {
            expedited = Some(d);
        }
        if granted.is_none() && !grants(first.outcome) && grants(decision.outcome) {
            granted = Some(d);
        }
        for (clause, met_on) in listed.iter_mut().filter(|(_, m)| m.is_none()) {
            if decision
                .criteria
                .iter()
                .any(|c| &c.clause == clause && c.status == Status::Met && c.measure.is_none())
            {
                *met_on = Some(d);
            }
        }
    }
    (expedited, granted, listed)
}

fn compare(
    rules_dir: &str,
    pairs: &'static [(&'static str, &'static str)],
    accreditors: &'static [&'static str],
    cases: u32,
) {
    let rules = rules(rules_dir);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<String, usize>::new());
    let result = runner.run(&application(pairs, accreditors), |drawn| {
        let text = drawn.json.to_string();
        let app = match Application::parse(Path::new("scan.json"), Format::Json, &text, &rules) {
            Ok(app) => app,
            // The generator may draw what the contract refuses (say, the same
            // body twice): not an application, so nothing to compare.
            Err(e) => {
                *seen
                    .borrow_mut()
                    .entry("refused by the contract".into())
                    .or_default() += 1;
                if std::env::var_os("SCAN_SHOW_REFUSED").is_some() {
                    eprintln!("{e}");
                }
                return Ok(());
            }
        };
        *seen.borrow_mut().entry("compared".into()).or_default() += 1;
        let decision = assess(&rules, &app, app.applied_on().get()).unwrap();
        let found = outlook(&rules, &app, &decision, HORIZON_DAYS).unwrap();
        let (expedited, granted, listed) = scan(&rules, &app);
        *seen
            .borrow_mut()
            .entry(format!("{:?}", decision.outcome))
            .or_default() += 1;
        for c in decision.criteria.iter().filter(|c| c.status != Status::Met) {
            *seen
                .borrow_mut()
                .entry(format!("{} {:?}", c.clause, c.status))
                .or_default() += 1;
        }
        if found.expedited_on.is_some() {
            *seen.borrow_mut().entry("expedited later".into()).or_default() += 1;
        }
        prop_assert_eq!(
            found.expedited_on.as_ref().map(|m| m.on),
            expedited,
            "expedited_on of {}",
            text
        );
        prop_assert_eq!(
            found.granted_on.as_ref().map(|m| m.on),
            granted,
            "granted_on of {}",
            text
        );
        let mine: Vec<(String, Option<NaiveDate>)> = found
            .criteria
            .iter()
            .map(|c| (c.now.clause.clone(), c.met_on.as_ref().map(|(d, _)| *d)))
            .collect();
        prop_assert_eq!(mine, listed, "met_on of {}", text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    eprintln!("{rules_dir}: {seen:?}");
    let compared = seen.get("compared").copied().unwrap_or(0);
    assert!(
        compared * 10 >= cases as usize * 9,
        "only {compared} of {cases} drawn were applications"
    );
    // The draw must reach every kind of answer, or the comparison proves little.
    for needed in [
        "Standard",
        "Conditional",
        "Expedited",
        "Incomplete",
        "expedited later",
    ] {
        assert!(
            seen.get(needed).copied().unwrap_or(0) > 0,
            "no {needed} drawn: {seen:?}"
        );
    }
}

#[test]
fn the_outlook_equals_a_day_by_day_scan_under_the_bundled_rules() {
    compare(
        "rules",
        &[
            ("PEC", "CSE"),
            ("CSE", "PEC"),
            ("PEC", "CSE"),
            ("CSE", "PEC"),
            ("ECUK", "PEC"),
        ],
        &["ABET", "ABET", "EA", "ECUK", "PEC", "CAST"],
        300,
    );
}

#[test]
fn the_outlook_equals_a_day_by_day_scan_under_the_pec_ea_rules() {
    compare(
        "fixtures/rulesets/pec-ea",
        &[("PEC", "EA"), ("EA", "PEC")],
        &["ABET", "EA", "EA", "PEC", "CAST"],
        150,
    );
}
