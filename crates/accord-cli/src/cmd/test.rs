//! `accord test`: rule tests written by rule authors, and what they cover.
//!
//! Test files are YAML under `RULES/tests/` (walked recursively):
//!
//! ```yaml
//! tests:
//!   - name: CPD of exactly 75 hours after Amendment No. 1
//!     application_file: applications/base.yaml   # relative to this file, or
//!     application: { id: ..., ... }              # inline
//!     with: { cpd: [...] }                       # optional: replace top-level fields
//!     without: [sanctions]                       # optional: remove top-level fields
//!     as_of: 2026-01-01                          # optional, else applied_on
//!     expect:
//!       outcome: expedited
//!       agreement: cse-pec-mra                   # optional
//!       criteria: { "3.5": met }                 # only the clauses named
//!       measures: []                             # optional, exact
//!       missing: []                              # optional, exact
//!       requirements: [H1]                       # optional, exact
//! ```
//!
//! Coverage counts, over every test's decision (passing or not): each
//! clause with a criterion, each branch it can take (met, not met, unknown,
//! met with a measure), each measure, each period of each dated parameter
//! the criteria use, and each step of the order of precedence.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::rules::model::{Agreement, Criterion, Outcome};
use accord_core::rules::{clause_order, TESTS_DIR};
use accord_core::source::{self, FieldPath, Format};
use accord_core::{load_dir, Application, Date, Decimal, Error, RuleSet};
use accord_eval::Decision;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::cli::TestArgs;
use crate::error::CliError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    tests: Vec<TestCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    name: String,
    #[serde(default)]
    application: Option<Map<String, Value>>,
    #[serde(default)]
    application_file: Option<PathBuf>,
    #[serde(default)]
    with: Option<Map<String, Value>>,
    #[serde(default)]
    without: Vec<String>,
    #[serde(default)]
    as_of: Option<Date>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcome: Outcome,
    #[serde(default, deserialize_with = "some")]
    agreement: Option<Option<String>>,
    #[serde(default)]
    criteria: BTreeMap<String, StatusName>,
    #[serde(default)]
    measures: Option<Vec<String>>,
    #[serde(default)]
    missing: Option<Vec<String>>,
    #[serde(default)]
    requirements: Option<Vec<String>>,
}

/// `agreement: null` means "expect none", an absent key "do not check".
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusName {
    Met,
    NotMet,
    Unknown,
}

impl StatusName {
    fn as_str(self) -> &'static str {
        match self {
            StatusName::Met => "met",
            StatusName::NotMet => "not_met",
            StatusName::Unknown => "unknown",
        }
    }
}

/// Runs every rule test; exit 1 when one fails or, with `--coverage`, when
/// coverage is below the rule set's `coverage_minimum`.
pub fn run(args: &TestArgs) -> Result<ExitCode, CliError> {
    let rules = load_dir(&args.rules.rules)?;
    let dir = args.rules.rules.join(TESTS_DIR);
    let files = test_files(&dir)?;
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut coverage = Coverage::of(&rules);
    for file in &files {
        let text = accord_core::rules::read_text(file)?;
        let tests: TestFile =
            source::parse(Format::Yaml, &text).map_err(|l| located(file, l.position, &l.path, &l.message))?;
        for (index, case) in tests.tests.iter().enumerate() {
            let at = FieldPath::root().key("tests").index(index);
            let decision = decide(&rules, file, &text, &at, case)?;
            coverage.record(&rules, &decision);
            let differences = compare(&case.expect, &decision);
            let name = format!("{}: {}", relative(file, &dir), case.name);
            if differences.is_empty() {
                passed += 1;
                let _ = writeln!(out, "ok   {name}");
            } else {
                failed += 1;
                let _ = writeln!(out, "FAIL {name}");
                for d in differences {
                    let _ = writeln!(out, "       {d}");
                }
            }
        }
    }
    let total = passed + failed;
    let _ = writeln!(out, "{total} tests: {passed} passed, {failed} failed");
    let mut ok = failed == 0 && total > 0;
    if total == 0 {
        let _ = writeln!(out, "no rule tests under {}", dir.display());
    }
    if args.coverage {
        let minimum = rules
            .header()
            .coverage_minimum
            .unwrap_or_else(|| Decimal::from_int(100));
        let (report, percent) = coverage.report(&rules);
        out.push_str(&report);
        if percent < minimum {
            let _ = writeln!(
                out,
                "coverage {percent}% is below the rule set's minimum of {minimum}%"
            );
            ok = false;
        }
    }
    super::print(&out)?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn located(file: &Path, position: Option<source::Position>, path: &str, message: &str) -> Error {
    Error::Input {
        file: file.to_path_buf(),
        position,
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

fn relative(file: &Path, dir: &Path) -> String {
    file.strip_prefix(dir).unwrap_or(file).display().to_string()
}

/// The `.yaml` / `.yml` files under `dir`, sorted; a missing directory has none.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| CliError::Output(std::io::Error::other(format!("{}: {e}", dir.display()))))?;
        let path = entry.path();
        let is_yaml = matches!(Format::of_path(path), Some(Format::Yaml));
        // Applications referenced by tests live in the tree too; a test file
        // is one whose top level has `tests:`.
        if entry.file_type().is_file() && is_yaml {
            let text = accord_core::rules::read_text(path)?;
            if text.lines().any(|l| l.starts_with("tests:")) {
                files.push(path.to_path_buf());
            }
        }
    }
    Ok(files)
}

/// Builds the case's application and decides it.
fn decide(
    rules: &RuleSet,
    file: &Path,
    text: &str,
    at: &FieldPath,
    case: &TestCase,
) -> Result<Decision, Error> {
    let here = |field: &str, message: String| {
        let path = at.key(field);
        located(
            file,
            source::locate(Format::Yaml, text, &path),
            &path.to_string(),
            &message,
        )
    };
    let mut fields = match (&case.application, &case.application_file) {
        (Some(inline), None) => inline.clone(),
        (None, Some(relative)) => {
            let path = file.parent().unwrap_or(Path::new(".")).join(relative);
            let format = Format::of_path(&path).ok_or_else(|| {
                here(
                    "application_file",
                    "expected a `.yaml`, `.yml` or `.json` file".into(),
                )
            })?;
            let base = accord_core::rules::read_text(&path)?;
            source::parse::<Map<String, Value>>(format, &base)
                .map_err(|l| located(&path, l.position, &l.path, &l.message))?
        }
        _ => {
            return Err(here(
                "name",
                "a test needs exactly one of `application` and `application_file`".into(),
            ))
        }
    };
    for (key, value) in case.with.iter().flatten() {
        fields.insert(key.clone(), value.clone());
    }
    for key in &case.without {
        if fields.remove(key).is_none() {
            return Err(here(
                "without",
                format!("the application has no field `{key}` to remove"),
            ));
        }
    }
    let json = serde_json::to_string(&Value::Object(fields)).unwrap_or_default();
    let application = Application::parse(file, Format::Json, &json, rules).map_err(|err| match err {
        Error::Input { path, message, .. } => {
            let whole = at.key("application");
            located(
                file,
                source::locate(Format::Yaml, text, &whole),
                &format!("{whole}.{path}"),
                &message,
            )
        }
        other => other,
    })?;
    let as_of = case.as_of.unwrap_or(application.applied_on);
    Ok(accord_eval::assess(rules, &application, as_of.get()))
}

/// Readable differences between what a test expects and the decision.
fn compare(expect: &Expect, d: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    if expect.outcome != d.outcome {
        out.push(format!(
            "outcome: expected {}, got {} ({})",
            expect.outcome.as_str(),
            d.outcome.as_str(),
            d.reason
        ));
    }
    if let Some(agreement) = &expect.agreement {
        if agreement != &d.agreement {
            out.push(format!(
                "agreement: expected {agreement:?}, got {:?}",
                d.agreement
            ));
        }
    }
    for (clause, want) in &expect.criteria {
        match d.criteria.iter().find(|c| &c.clause == clause) {
            None => out.push(format!(
                "{clause}: expected {}, but it was not evaluated",
                want.as_str()
            )),
            Some(c) if c.status.as_str() != want.as_str() => out.push(format!(
                "{clause}: expected {}, got {} — {}",
                want.as_str(),
                c.status.as_str(),
                c.detail
            )),
            Some(_) => {}
        }
    }
    let ids = |items: Vec<&String>| items.into_iter().cloned().collect::<Vec<_>>();
    let lists = [
        (
            "measures",
            &expect.measures,
            ids(d.measures.iter().map(|m| &m.id).collect()),
        ),
        ("missing", &expect.missing, d.missing.clone()),
        (
            "requirements",
            &expect.requirements,
            ids(d.requirements.iter().map(|r| &r.id).collect()),
        ),
    ];
    for (what, want, got) in lists {
        if let Some(want) = want {
            if want != &got {
                out.push(format!("{what}: expected {want:?}, got {got:?}"));
            }
        }
    }
    out
}

/// What the tests exercised, against everything there is to exercise.
struct Coverage {
    /// Item -> exercised?
    items: BTreeMap<Item, bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Clause(String, String),
    Branch(String, String, &'static str),
    Measure(String, String),
    Period(String, String, usize),
    Step(String, usize),
}

impl Item {
    fn label(&self, rules: &RuleSet) -> String {
        let agreement = |id: &str| rules.agreements().iter().find(|a| a.id == id);
        match self {
            Item::Clause(a, c) => format!("{a} clause {c}"),
            Item::Branch(a, c, b) => format!("{a} clause {c} branch {b}"),
            Item::Measure(a, m) => format!("{a} measure {m}"),
            Item::Period(a, p, i) => {
                let period = agreement(a)
                    .and_then(|x| x.parameter(p))
                    .and_then(|x| x.periods.get(*i))
                    .map(|x| match x.to {
                        Some(to) => format!(" ({} from {} to {to})", x.value, x.from),
                        None => format!(" ({} from {})", x.value, x.from),
                    })
                    .unwrap_or_default();
                format!("{a} parameter {p} period {}{period}", i + 1)
            }
            Item::Step(a, i) => {
                let outcome = agreement(a)
                    .and_then(|x| x.decision.precedence.get(*i))
                    .map(|s| s.outcome.as_str())
                    .unwrap_or("?");
                format!("{a} precedence step {} ({outcome})", i + 1)
            }
        }
    }
}

/// The branches a criterion can take on some application.
fn branches(criterion: &Criterion) -> Vec<&'static str> {
    match criterion {
        // Only the agreement between the pair is ever evaluated: always met.
        Criterion::Parties => vec!["met"],
        Criterion::InForce { .. } | Criterion::Disciplines { .. } => vec!["met", "not_met"],
        Criterion::RecognisedEducation(r) if r.equivalence.is_some() => {
            vec!["met", "met_with_measure", "not_met", "unknown"]
        }
        Criterion::CountedDays(c) if c.with_measure.is_some() => {
            vec!["met", "met_with_measure", "not_met", "unknown"]
        }
        _ => vec!["met", "not_met", "unknown"],
    }
}

/// Parameters the criteria use (the procedure's are exercised by cases, not assessments).
fn used_parameters(agreement: &Agreement) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    used.insert(agreement.year_length.clone());
    for clause in &agreement.clauses {
        let Some(criterion) = &clause.criterion else {
            continue;
        };
        match criterion {
            Criterion::RecognisedEducation(r) => {
                used.insert(r.min_programme_years.clone());
            }
            Criterion::CountedDays(c) => {
                used.insert(c.minimum.clone());
                if let Some(band) = &c.with_measure {
                    used.insert(band.minimum.clone());
                }
            }
            Criterion::HoursInWindow { minimum, window } => {
                used.insert(minimum.clone());
                used.insert(window.clone());
            }
            Criterion::NoRecord {
                window: Some(window), ..
            } => {
                used.insert(window.clone());
            }
            _ => {}
        }
    }
    used
}

impl Coverage {
    fn of(rules: &RuleSet) -> Coverage {
        let mut items = BTreeMap::new();
        for a in rules.agreements() {
            for clause in &a.clauses {
                let Some(criterion) = &clause.criterion else {
                    continue;
                };
                items.insert(Item::Clause(a.id.clone(), clause.clause.clone()), false);
                for branch in branches(criterion) {
                    items.insert(Item::Branch(a.id.clone(), clause.clause.clone(), branch), false);
                }
            }
            for m in &a.measures {
                items.insert(Item::Measure(a.id.clone(), m.id.clone()), false);
            }
            let used = used_parameters(a);
            for p in a.parameters.iter().filter(|p| used.contains(&p.id)) {
                for i in 0..p.periods.len() {
                    items.insert(Item::Period(a.id.clone(), p.id.clone(), i), false);
                }
            }
            for i in 0..a.decision.precedence.len() {
                items.insert(Item::Step(a.id.clone(), i), false);
            }
        }
        Coverage { items }
    }

    fn hit(&mut self, item: Item) {
        if let Some(seen) = self.items.get_mut(&item) {
            *seen = true;
        }
    }

    fn record(&mut self, rules: &RuleSet, d: &Decision) {
        let Some(agreement) = d.agreement.as_ref() else {
            return;
        };
        if rules.agreements().iter().all(|a| &a.id != agreement) {
            return;
        }
        for c in &d.criteria {
            self.hit(Item::Clause(agreement.clone(), c.clause.clone()));
            self.hit(Item::Branch(agreement.clone(), c.clause.clone(), c.branch));
            if let Some(m) = &c.measure {
                self.hit(Item::Measure(agreement.clone(), m.clone()));
            }
        }
        for p in &d.parameters {
            self.hit(Item::Period(agreement.clone(), p.id.clone(), p.period));
        }
        if let Some(step) = d.precedence_step {
            self.hit(Item::Step(agreement.clone(), step));
        }
    }

    /// The report, and the percentage of items exercised.
    fn report(&self, rules: &RuleSet) -> (String, Decimal) {
        let total = self.items.len();
        let covered = self.items.values().filter(|v| **v).count();
        let percent = if total == 0 {
            Decimal::from_int(100)
        } else {
            // Exact to a hundredth, rounded down: 99.99% never shows as 100%.
            let hundredths = (covered as i64 * 10_000) / total as i64;
            Decimal::from_hundredths(hundredths)
        };
        let mut out = String::new();
        let kinds = [
            ("clauses", "clause"),
            ("branches", "branch"),
            ("measures", "measure"),
            ("parameter periods", "period"),
            ("precedence steps", "step"),
        ];
        let _ = writeln!(out, "coverage {percent}% ({covered} of {total})");
        for (label, kind) in kinds {
            let of_kind: Vec<(&Item, &bool)> =
                self.items.iter().filter(|(i, _)| kind_of(i) == kind).collect();
            let hit = of_kind.iter().filter(|(_, v)| **v).count();
            let _ = writeln!(out, "  {label:<18} {hit:>4} of {:<4}", of_kind.len());
        }
        out.push_str(&self.uncovered_text(rules));
        (out, percent)
    }

    fn uncovered_text(&self, rules: &RuleSet) -> String {
        let mut missing: Vec<&Item> = self.items.iter().filter(|(_, v)| !**v).map(|(i, _)| i).collect();
        if missing.is_empty() {
            return String::new();
        }
        missing.sort_by(|a, b| {
            let key = |i: &Item| match i {
                Item::Clause(a, c) | Item::Branch(a, c, _) => (a.clone(), c.clone()),
                Item::Measure(a, m) => (a.clone(), m.clone()),
                Item::Period(a, p, _) => (a.clone(), p.clone()),
                Item::Step(a, _) => (a.clone(), String::new()),
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then_with(|| clause_order(&ka.1, &kb.1))
                .then_with(|| a.cmp(b))
        });
        let mut out = String::from("not exercised by any test:\n");
        for item in missing {
            let _ = writeln!(out, "  {}", item.label(rules));
        }
        out
    }
}

fn kind_of(item: &Item) -> &'static str {
    match item {
        Item::Clause(..) => "clause",
        Item::Branch(..) => "branch",
        Item::Measure(..) => "measure",
        Item::Period(..) => "period",
        Item::Step(..) => "step",
    }
}
