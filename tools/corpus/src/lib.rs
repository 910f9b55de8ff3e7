//! Synthetic application corpora for Accord's benchmarks and tests.
//!
//! Drawing applications. Each is built as a JSON value and written as JSON
//! or as YAML (JSON strings are valid YAML scalars, so quoting is safe).

use std::fs;
use std::io;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// Writes `count` applications under `out`, 1,000 to a directory.
pub fn write_corpus(out: &Path, count: usize, seed: u64) -> io::Result<()> {
    for (i, (name, text)) in applications(count, seed).enumerate() {
        let dir = out.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            fs::create_dir_all(&dir)?;
        }
        fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// The `count` applications of seed `seed`, as (file name, text): the same
/// ones [`write_corpus`] writes, for benchmarks that keep them in memory.
pub fn applications(count: usize, seed: u64) -> impl Iterator<Item = (String, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count).map(move |i| {
        let application = draw(&mut rng, i);
        if rng.random_bool(0.2) {
            (
                format!("app-{i:06}.json"),
                serde_json::to_string_pretty(&application).unwrap_or_default(),
            )
        } else {
            (format!("app-{i:06}.yaml"), to_yaml(&application, 0))
        }
    })
}

fn date(year: i32, day_of_year: u32) -> String {
    let start = chrono_like(year);
    let (y, m, d) = add_days(start, day_of_year);
    format!("{y:04}-{m:02}-{d:02}")
}

fn chrono_like(year: i32) -> (i32, u32, u32) {
    (year, 1, 1)
}

fn leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_length(year: i32, month: u32) -> u32 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn add_days((mut y, mut m, mut d): (i32, u32, u32), mut days: u32) -> (i32, u32, u32) {
    while days > 0 {
        d += 1;
        if d > month_length(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
        days -= 1;
    }
    (y, m, d)
}

const DISCIPLINES: [&str; 8] = [
    "civil",
    "mechanical",
    "electrical",
    "electronic",
    "chemical",
    "mining",
    "computer",
    "petroleum",
];
const ACCREDITORS: [&str; 6] = ["PEC", "CAST", "ABET", "ECUK", "EA", "ABET"];

/// One of `items`, uniformly.
fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items
        .get(rng.random_range(0..items.len()))
        .copied()
        .unwrap_or_default()
}

fn draw(rng: &mut ChaCha8Rng, index: usize) -> Value {
    let (home, host) = match rng.random_range(0..100) {
        0..=47 => ("PEC", "CSE"),
        48..=95 => ("CSE", "PEC"),
        96..=97 => ("CSE", "EA"),
        _ => ("ECUK", "PEC"),
    };
    let applied_year = rng.random_range(2025..=2026);
    let first_day = if applied_year == 2025 && !rng.random_bool(0.05) {
        190
    } else {
        0
    };
    let applied_on = date(applied_year, rng.random_range(first_day..360));
    let graduation_year = applied_year - rng.random_range(6..16);
    let graduated_on = date(graduation_year, rng.random_range(150..220));
    let discipline = if rng.random_bool(0.03) {
        "aerospace"
    } else {
        pick(rng, &DISCIPLINES)
    };
    let mut app = Map::new();
    app.insert("id".into(), json!(format!("GEN-{index:07}")));
    app.insert("applied_on".into(), json!(applied_on));
    app.insert(
        "applicant".into(),
        json!({ "name": format!("Applicant {index}") }),
    );
    app.insert("home_body".into(), json!(home));
    app.insert("host_body".into(), json!(host));
    app.insert("discipline".into(), json!(discipline));
    if !rng.random_bool(0.03) {
        let credential = match (home, rng.random_range(0..20)) {
            ("CSE", 0) => "AE",
            ("CSE", 1..=5) => "SPE",
            ("PEC", 0) => "RE",
            ("EA", _) => "CPEng",
            ("ECUK", _) => "CEng",
            _ => "PE",
        };
        let status = if rng.random_bool(0.03) { "lapsed" } else { "active" };
        app.insert(
            "registrations".into(),
            json!([{ "body": home, "credential": credential, "number": format!("R-{index}"),
                     "since": date(graduation_year + 3, rng.random_range(0..300)), "status": status }]),
        );
    }
    if !rng.random_bool(0.03) {
        app.insert(
            "degrees".into(),
            degrees(rng, home, &graduated_on, graduation_year),
        );
    }
    if !rng.random_bool(0.02) {
        app.insert("experience".into(), experience(rng, graduation_year));
    }
    if !rng.random_bool(0.04) {
        let courses: Vec<Value> = (0..rng.random_range(2..9))
            .map(|i| {
                json!({ "activity": format!("Course {i}"), "hours": rng.random_range(8..35),
                        "completed_on": date(applied_year - rng.random_range(0..2), rng.random_range(0..150)) })
            })
            .collect();
        app.insert("cpd".into(), Value::Array(courses));
    }
    if !rng.random_bool(0.03) {
        let sanctions: Vec<Value> = match rng.random_range(0..100) {
            0..=2 => vec![
                json!({ "date": date(applied_year - 2, 100), "status": "imposed", "summary": "Negligence" }),
            ],
            3..=7 => vec![json!({ "date": date(applied_year - 1, 10), "status": "pending" })],
            8..=10 => vec![json!({ "date": date(applied_year - 3, 10), "status": "overturned" })],
            _ => vec![],
        };
        app.insert("sanctions".into(), Value::Array(sanctions));
    }
    Value::Object(app)
}

fn degrees(rng: &mut ChaCha8Rng, home: &str, graduated_on: &str, year: i32) -> Value {
    let mut degree = Map::new();
    degree.insert("title".into(), json!("BSc Engineering"));
    degree.insert("institution".into(), json!("Institute of Technology"));
    match rng.random_range(0..10) {
        0 => {
            degree.insert(
                "equivalence_assessment".into(),
                json!({ "by": home, "on": date(year + 1, 20) }),
            );
        }
        1 => {}
        _ => {
            let body = pick(rng, &ACCREDITORS);
            degree.insert("accredited_by".into(), json!(body));
        }
    }
    degree.insert("graduated_on".into(), json!(graduated_on));
    match rng.random_range(0..30) {
        0 => {}
        1 => {
            degree.insert("programme_years".into(), json!(3));
        }
        _ => {
            degree.insert("programme_years".into(), json!(4));
        }
    }
    json!([Value::Object(degree)])
}

fn experience(rng: &mut ChaCha8Rng, graduation_year: i32) -> Value {
    let mut periods = Vec::new();
    let mut year = graduation_year;
    for i in 0..rng.random_range(2..5) {
        let length = rng.random_range(2..6);
        let mut period = Map::new();
        period.insert("employer".into(), json!(format!("Employer {i}")));
        period.insert("role".into(), json!("Engineer"));
        period.insert("from".into(), json!(date(year, rng.random_range(150..250))));
        if i < 1 || rng.random_bool(0.3) {
            period.insert("to".into(), json!(date(year + length, rng.random_range(0..150))));
        }
        match rng.random_range(0..20) {
            0 => {
                period.insert("fte".into(), json!(0.5));
            }
            1 => {
                period.insert("fte".into(), json!(0.75));
            }
            _ => {}
        }
        if i > 0 && rng.random_bool(0.85) {
            period.insert("responsible_charge".into(), json!(true));
        }
        periods.push(Value::Object(period));
        year += length;
    }
    Value::Array(periods)
}

/// Block-style YAML for the values drawn here (maps, lists, strings, numbers, booleans).
fn to_yaml(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    if let Value::Object(map) = value {
        for (key, item) in map {
            match item {
                Value::Object(_) => out.push_str(&format!("{pad}{key}:\n{}", to_yaml(item, indent + 2))),
                Value::Array(items) if items.is_empty() => out.push_str(&format!("{pad}{key}: []\n")),
                Value::Array(items) => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    for entry in items {
                        let body = to_yaml(entry, indent + 4);
                        let body = body.get(indent + 4..).unwrap_or_default();
                        out.push_str(&format!("{pad}  - {body}"));
                    }
                }
                scalar => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(scalar))),
            }
        }
    }
    out
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') => s.clone(),
        other => other.to_string(),
    }
}
