//! Rule tests written by rule authors, and what they cover.
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
//!       grants: { body: CSE, credential: PE, provisional: true }   # optional; null for none
//! deadlines:                                     # the procedure's periods
//!   - name: periods read on the amendment's first day
//!     agreement: cse-pec-mra
//!     from: 2026-01-01                           # the day each period starts
//!     expect: { acknowledgement: 2026-01-11, decision: 2026-01-31 }   # also review_request, review_decision
//! accept:                                        # equivalent mutants, with why
//!   - mutant: "cse-pec-mra: parameter days_per_year period 1 from earlier"
//!     reason: no assessment before entry into force reads a parameter
//! ```
//!
//! Tests are loaded once ([`load`]) and run against any rule set
//! ([`run`]), so that the same tests judge a rule set and its mutants.
//!
//! Coverage counts, over every test's decision (passing or not): each
//! clause with a criterion, each branch it can take, each measure, each
//! period of each dated parameter the criteria use, and each step of the
//! order of precedence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use accord_core::rules::clause_order;
use accord_core::rules::criterion::Branch;
use accord_core::rules::model::{Agreement, Outcome};
use accord_core::source::{self, FieldPath, Format};
use accord_core::{Application, Date, Decimal, Error, RuleSet};
use accord_eval::Decision;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    tests: Vec<TestCase>,
    #[serde(default)]
    deadlines: Vec<DeadlineCase>,
    #[serde(default)]
    accept: Vec<AcceptCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineCase {
    name: String,
    agreement: String,
    from: Date,
    expect: BTreeMap<PeriodName, Option<Date>>,
}

/// A period of an agreement's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodName {
    /// To acknowledge an application.
    Acknowledgement,
    /// To decide a complete application.
    Decision,
    /// The applicant's window to request a review.
    ReviewRequest,
    /// To decide a review.
    ReviewDecision,
}

impl PeriodName {
    fn as_str(self) -> &'static str {
        match self {
            PeriodName::Acknowledgement => "acknowledgement",
            PeriodName::Decision => "decision",
            PeriodName::ReviewRequest => "review_request",
            PeriodName::ReviewDecision => "review_decision",
        }
    }

    /// The parameter that sets the period under `agreement`'s procedure.
    fn parameter(self, agreement: &Agreement) -> Option<&str> {
        let p = agreement.procedure.as_ref()?;
        Some(match self {
            PeriodName::Acknowledgement => &p.acknowledgement,
            PeriodName::Decision => &p.decision,
            PeriodName::ReviewRequest => &p.review.as_ref()?.request_within,
            PeriodName::ReviewDecision => &p.review.as_ref()?.decide_within,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptCase {
    mutant: String,
    reason: String,
}

/// A mutant the rule tests cannot kill because it cannot change any
/// decision (an equivalent mutant), with the reason, as a test file lists it.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The mutant's id, as `accord test --mutants` names it.
    pub mutant: String,
    /// Why no decision can change.
    pub reason: String,
    /// Where it is listed: `file: accept[3]`.
    pub at: String,
}

/// A test of the procedure's periods: each deadline from a start date.
#[derive(Debug, Clone)]
pub struct DeadlineTest {
    /// The test file.
    pub file: PathBuf,
    /// The test's name.
    pub name: String,
    agreement: String,
    from: Date,
    /// Each period's deadline; `null`: no such period runs from that day.
    expect: BTreeMap<PeriodName, Option<Date>>,
}

impl DeadlineTest {
    /// What differs from the expectation under `rules`; empty when it holds.
    pub fn check(&self, rules: &RuleSet) -> Vec<String> {
        let Some(agreement) = rules.agreements().iter().find(|a| a.id == self.agreement) else {
            return vec![format!("no agreement `{}` in the rule set", self.agreement)];
        };
        let mut out = Vec::new();
        for (period, want) in &self.expect {
            let got = period
                .parameter(agreement)
                .and_then(|p| accord_register::clock::deadline(agreement, p, self.from.get()));
            match (got, want) {
                (Some(got), Some(want)) if got == want.get() => {}
                (None, None) => {}
                (Some(got), Some(want)) => out.push(format!(
                    "{}: expected the deadline {want}, got {}",
                    period.as_str(),
                    Date(got)
                )),
                (Some(got), None) => out.push(format!(
                    "{}: expected no such period from {}, got the deadline {}",
                    period.as_str(),
                    self.from,
                    Date(got)
                )),
                (None, Some(want)) => out.push(format!(
                    "{}: expected the deadline {want}, but the procedure of `{}` has no such period from {}",
                    period.as_str(),
                    self.agreement,
                    self.from
                )),
            }
        }
        out
    }

    /// `file: name`, the file relative to `dir`.
    pub fn label(&self, dir: &Path) -> String {
        format!(
            "{}: {}",
            self.file.strip_prefix(dir).unwrap_or(&self.file).display(),
            self.name
        )
    }
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

/// What a test expects of the decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
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
    #[serde(default, deserialize_with = "some")]
    grants: Option<Option<GrantExpected>>,
}

/// `agreement: null` means "expect none", an absent key "do not check".
fn some<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantExpected {
    body: String,
    credential: String,
    provisional: bool,
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

/// One rule test, loaded: its application's fields, ready to be checked
/// against whichever rule set runs it.
#[derive(Debug, Clone)]
pub struct Test {
    /// The test file.
    pub file: PathBuf,
    /// The test's name.
    pub name: String,
    /// Where the test sits in its file (`tests[3]`), to locate errors.
    at: FieldPath,
    /// The test file's text, to locate errors.
    text: std::sync::Arc<str>,
    fields: Map<String, Value>,
    as_of: Option<Date>,
    /// What it expects.
    pub expect: Expect,
}

/// A rule set's tests, loaded from `RULES/tests/`.
#[derive(Debug, Clone, Default)]
pub struct Tests {
    /// The folder they were read from.
    pub dir: PathBuf,
    /// Every test, in file order.
    pub tests: Vec<Test>,
    /// Every deadline test, in file order.
    pub deadlines: Vec<DeadlineTest>,
    /// The mutants listed as equivalent, with their reasons.
    pub accepted: Vec<Accepted>,
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// `file: name`, the file relative to the tests folder.
    pub label: String,
    /// What differs from the expectation; empty when the test passed.
    pub differences: Vec<String>,
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

fn located(file: &Path, position: Option<source::Position>, path: &str, message: &str) -> Error {
    Error::Input {
        file: file.to_path_buf(),
        position,
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// Loads every test under `rules_dir/tests/`; a missing folder has none.
pub fn load(rules_dir: &Path) -> Result<Tests, Error> {
    let dir = rules_dir.join(accord_core::rules::TESTS_DIR);
    let mut tests = Vec::new();
    let mut deadlines = Vec::new();
    let mut accepted = Vec::new();
    for file in test_files(&dir)? {
        let text = accord_core::rules::read_text(&file)?;
        let parsed: TestFile = source::parse(Format::Yaml, &text)
            .map_err(|l| located(&file, l.position, &l.path, &l.message))?;
        let shared: std::sync::Arc<str> = text.as_str().into();
        for (index, case) in parsed.tests.into_iter().enumerate() {
            let at = FieldPath::root().key("tests").index(index);
            let fields = fields(&file, &text, &at, &case)?;
            tests.push(Test {
                file: file.clone(),
                name: case.name,
                at,
                text: shared.clone(),
                fields,
                as_of: case.as_of,
                expect: case.expect,
            });
        }
        for case in parsed.deadlines {
            deadlines.push(DeadlineTest {
                file: file.clone(),
                name: case.name,
                agreement: case.agreement,
                from: case.from,
                expect: case.expect,
            });
        }
        let relative = file.strip_prefix(&dir).unwrap_or(&file).display().to_string();
        for (index, case) in parsed.accept.into_iter().enumerate() {
            accepted.push(Accepted {
                mutant: case.mutant,
                reason: case.reason,
                at: format!("{relative}: accept[{index}]"),
            });
        }
    }
    Ok(Tests {
        dir,
        tests,
        deadlines,
        accepted,
    })
}

/// The `.yaml` / `.yml` files under `dir` whose top level has `tests:`,
/// `deadlines:` or `accept:`, sorted.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Io {
            file: e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf),
            source: std::io::Error::other(e.to_string()),
        })?;
        let path = entry.path();
        let is_yaml = matches!(Format::of_path(path), Some(Format::Yaml));
        // Applications referenced by tests live in the tree too; a test file
        // is one whose top level has `tests:`.
        // A special file among them is refused when read, never opened blocking.
        if !entry.file_type().is_dir() && is_yaml {
            let text = accord_core::rules::read_text(path)?;
            if text
                .lines()
                .any(|l| l.starts_with("tests:") || l.starts_with("deadlines:") || l.starts_with("accept:"))
            {
                files.push(path.to_path_buf());
            }
        }
    }
    Ok(files)
}

/// The case's application fields: its file or inline map, with `with` and `without` applied.
fn fields(file: &Path, text: &str, at: &FieldPath, case: &TestCase) -> Result<Map<String, Value>, Error> {
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
    Ok(fields)
}

impl Test {
    /// Decides the test's application under `rules`.
    pub fn decide(&self, rules: &RuleSet) -> Result<Decision, Error> {
        self.decide_with(rules, None)
    }

    /// Whether the test passes under `rules`, with one clause's logic
    /// changed by `tweak` (mutation testing); an error fails it.
    pub fn passes(&self, rules: &RuleSet, tweak: Option<&accord_eval::Tweak>) -> bool {
        self.decide_with(rules, tweak)
            .is_ok_and(|d| compare(&self.expect, &d).is_empty())
    }

    fn decide_with(&self, rules: &RuleSet, tweak: Option<&accord_eval::Tweak>) -> Result<Decision, Error> {
        let json = serde_json::to_string(&Value::Object(self.fields.clone())).unwrap_or_default();
        let application =
            Application::parse(&self.file, Format::Json, &json, rules).map_err(|err| match err {
                Error::Input { path, message, .. } => {
                    let whole = self.at.key("application");
                    located(
                        &self.file,
                        source::locate(Format::Yaml, &self.text, &whole),
                        &format!("{whole}.{path}"),
                        &message,
                    )
                }
                other => other,
            })?;
        let as_of = self.as_of.unwrap_or(application.applied_on()).get();
        let decided = match tweak {
            Some(t) => accord_eval::assess_tweaked(rules, &application, as_of, t),
            None => accord_eval::assess(rules, &application, as_of),
        };
        decided.map_err(|gap| Error::Input {
            file: self.file.clone(),
            position: source::locate(Format::Yaml, &self.text, &self.at),
            path: self.at.to_string(),
            message: gap.to_string(),
        })
    }

    /// `file: name`, the file relative to `dir`.
    pub fn label(&self, dir: &Path) -> String {
        format!(
            "{}: {}",
            self.file.strip_prefix(dir).unwrap_or(&self.file).display(),
            self.name
        )
    }
}

/// Runs every test under `rules`: each test's result, and what the tests covered.
pub fn run(rules: &RuleSet, tests: &Tests) -> Result<(Vec<TestResult>, Coverage), Error> {
    let mut coverage = Coverage::of(rules);
    let mut results = Vec::with_capacity(tests.tests.len());
    for test in &tests.tests {
        let decision = test.decide(rules)?;
        coverage.record(rules, &decision);
        results.push(TestResult {
            label: test.label(&tests.dir),
            differences: compare(&test.expect, &decision),
        });
    }
    for test in &tests.deadlines {
        results.push(TestResult {
            label: test.label(&tests.dir),
            differences: test.check(rules),
        });
    }
    Ok((results, coverage))
}

/// Readable differences between what a test expects and the decision.
pub fn compare(expect: &Expect, d: &Decision) -> Vec<String> {
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
    if let Some(want) = &expect.grants {
        let got = d.grant.as_ref().map(|g| GrantExpected {
            body: g.body.clone(),
            credential: g.credential.clone(),
            provisional: g.provisional,
        });
        if want != &got {
            let show = |g: &Option<GrantExpected>| match g {
                Some(g) => format!(
                    "{}{} of {}",
                    if g.provisional { "provisional " } else { "" },
                    g.credential,
                    g.body
                ),
                None => "none".into(),
            };
            out.push(format!("grants: expected {}, got {}", show(want), show(&got)));
        }
    }
    out
}

/// What the tests exercised, against everything there is to exercise.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Item -> exercised?
    items: BTreeMap<Item, bool>,
}

/// One thing a rule test can exercise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// A clause with a criterion, evaluated.
    Clause(String, String),
    /// A branch of a clause's criterion, taken.
    Branch(String, String, Branch),
    /// A measure, called for.
    Measure(String, String),
    /// A period of a dated parameter, read.
    Period(String, String, usize),
    /// A step of the order of precedence, deciding.
    Step(String, usize),
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Clause(..) => "clause",
            Item::Branch(..) => "branch",
            Item::Measure(..) => "measure",
            Item::Period(..) => "period",
            Item::Step(..) => "step",
        }
    }

    /// A person's description, e.g. `cse-pec-mra clause 3.5 branch not_met`.
    pub fn label(&self, rules: &RuleSet) -> String {
        let agreement = |id: &str| rules.agreements().iter().find(|a| a.id == id);
        match self {
            Item::Clause(a, c) => format!("{a} clause {c}"),
            Item::Branch(a, c, b) => format!("{a} clause {c} branch {}", b.as_str()),
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

/// The parameters the criteria read (the procedure's are exercised by cases, not assessments).
fn used_parameters(agreement: &Agreement) -> BTreeSet<&str> {
    let mut used = BTreeSet::new();
    for criterion in agreement.clauses.iter().filter_map(|c| c.criterion.as_ref()) {
        used.extend(criterion.parameters().iter().map(|p| p.id));
        if criterion.uses_year_length() {
            used.insert(agreement.year_length.as_str());
        }
    }
    used
}

/// Coverage of one kind of item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCount {
    /// `clauses`, `branches`, `measures`, `parameter periods`, `precedence steps`.
    pub label: &'static str,
    /// Exercised.
    pub hit: usize,
    /// There are.
    pub total: usize,
}

/// The coverage of a test run, summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageReport {
    /// Items exercised.
    pub covered: usize,
    /// Items there are.
    pub total: usize,
    /// Exact to a hundredth, rounded down: 99.99% never shows as 100%.
    pub percent: Decimal,
    /// By kind of item.
    pub kinds: Vec<KindCount>,
    /// What no test exercised, described, in agreement and clause order.
    pub uncovered: Vec<String>,
}

impl Coverage {
    /// Everything `rules` has to exercise, none of it yet.
    pub fn of(rules: &RuleSet) -> Coverage {
        let mut items = BTreeMap::new();
        for a in rules.agreements() {
            for clause in &a.clauses {
                let Some(criterion) = &clause.criterion else {
                    continue;
                };
                items.insert(Item::Clause(a.id.clone(), clause.clause.clone()), false);
                for branch in criterion.branches() {
                    items.insert(Item::Branch(a.id.clone(), clause.clause.clone(), branch), false);
                }
            }
            for m in &a.measures {
                items.insert(Item::Measure(a.id.clone(), m.id.clone()), false);
            }
            let used = used_parameters(a);
            for p in a.parameters.iter().filter(|p| used.contains(p.id.as_str())) {
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

    /// Marks what `d` exercised.
    pub fn record(&mut self, rules: &RuleSet, d: &Decision) {
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

    /// The summary, and what was not exercised.
    pub fn report(&self, rules: &RuleSet) -> CoverageReport {
        let total = self.items.len();
        let covered = self.items.values().filter(|v| **v).count();
        let percent = if total == 0 {
            Decimal::from_int(100)
        } else {
            let hundredths = (covered as i64 * 10_000) / total as i64;
            Decimal::from_hundredths(hundredths)
        };
        let kinds = [
            ("clauses", "clause"),
            ("branches", "branch"),
            ("measures", "measure"),
            ("parameter periods", "period"),
            ("precedence steps", "step"),
        ]
        .into_iter()
        .map(|(label, kind)| {
            let of_kind: Vec<&bool> = self
                .items
                .iter()
                .filter(|(i, _)| i.kind() == kind)
                .map(|(_, v)| v)
                .collect();
            KindCount {
                label,
                hit: of_kind.iter().filter(|v| ***v).count(),
                total: of_kind.len(),
            }
        })
        .collect();
        let mut missing: Vec<&Item> = self.items.iter().filter(|(_, v)| !**v).map(|(i, _)| i).collect();
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
        CoverageReport {
            covered,
            total,
            percent,
            kinds,
            uncovered: missing.into_iter().map(|i| i.label(rules)).collect(),
        }
    }
}
