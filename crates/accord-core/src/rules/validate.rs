//! Validating a merged rule set: unknown and duplicate codes, dangling
//! references, parameter periods that overlap or leave gaps, values the
//! evaluator cannot use, dependency cycles, and more than one agreement for
//! a pair of bodies. Every problem is collected, each with its kind, file,
//! line, column and field path, so that one run reports them all.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::Datelike;

use super::criterion::{ParameterRole, ParameterUse};
use super::fingerprint::fingerprint;
use super::graph::{dependency_order, RecognitionGraph};
use super::model::*;
use super::{clause_order, RuleSet};
use crate::date::Date;
use crate::error::{Diagnostic, DiagnosticKind, Diagnostics, Error, Severity};
use crate::source::{FieldPath, Format};

/// Where an item came from: a file and the field path of the item in it.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) file: usize,
    pub(crate) path: FieldPath,
}

impl Origin {
    /// The origin of item `index` of section `section` in file `file`.
    pub(crate) fn item(file: usize, section: &str, index: usize) -> Origin {
        Origin {
            file,
            path: FieldPath::root().key(section).index(index),
        }
    }
}

/// One rule file's text, kept to locate problems in it.
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    pub(crate) format: Format,
    pub(crate) text: String,
}

/// The parsed files of a rule set, before merging.
#[derive(Default)]
pub(crate) struct Sources {
    files: Vec<SourceFile>,
    parsed: Vec<RuleFile>,
}

impl Sources {
    pub(crate) fn push(&mut self, source: SourceFile, file: RuleFile) {
        self.files.push(source);
        self.parsed.push(file);
    }
}

/// The problems found so far. Checks push into it and go on, so that one
/// run finds every problem; a check that cannot go on without a missing
/// piece (an unknown parameter has no unit to compare) stops only itself.
struct Report<'s> {
    sources: &'s Sources,
    found: RefCell<Vec<Diagnostic>>,
}

impl Report<'_> {
    fn error(&self, kind: DiagnosticKind, origin: &Origin, path: FieldPath, message: impl Into<String>) {
        let diagnostic = self.diagnostic(kind, origin, path, message);
        self.found.borrow_mut().push(diagnostic);
    }

    /// A located error, not recorded (a warning is made of it with `.warning()`).
    fn diagnostic(
        &self,
        kind: DiagnosticKind,
        origin: &Origin,
        path: FieldPath,
        message: impl Into<String>,
    ) -> Diagnostic {
        match self.sources.files.get(origin.file) {
            Some(f) => Diagnostic::error(kind, &f.path, f.format, &f.text, &path, message),
            None => Diagnostic {
                severity: Severity::Error,
                kind,
                file: PathBuf::new(),
                position: None,
                path: path.to_string(),
                message: message.into(),
            },
        }
    }

    fn place(&self, origin: &Origin) -> String {
        match self.sources.files.get(origin.file) {
            Some(f) => match crate::source::locate(f.format, &f.text, &origin.path) {
                Some(p) => format!("{}:{}:{}", f.path.display(), p.line, p.column),
                None => f.path.display().to_string(),
            },
            None => String::new(),
        }
    }

    fn file_name(&self, file: usize) -> String {
        self.sources
            .files
            .get(file)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default()
    }
}

/// A merged item with its origin.
struct Item<T> {
    value: T,
    origin: Origin,
}

fn merge<T>(
    report: &Report<'_>,
    section: &str,
    parsed: &mut [RuleFile],
    take: impl Fn(&mut RuleFile) -> Vec<T>,
    key: impl Fn(&T) -> &str,
    what: &str,
) -> Vec<Item<T>> {
    let mut items: Vec<Item<T>> = Vec::new();
    let mut seen: BTreeMap<String, Origin> = BTreeMap::new();
    for (file, rule_file) in parsed.iter_mut().enumerate() {
        for (index, value) in take(rule_file).into_iter().enumerate() {
            let origin = Origin::item(file, section, index);
            let k = key(&value).to_owned();
            if let Some(first) = seen.get(&k) {
                let at = report.place(first);
                report.error(
                    DiagnosticKind::Duplicate,
                    &origin,
                    origin.path.clone(),
                    format!("duplicate {what} `{k}` (first defined at {at})"),
                );
                continue;
            }
            seen.insert(k, origin.clone());
            items.push(Item { value, origin });
        }
    }
    items
}

/// Merges, validates and indexes the parsed files.
pub(crate) fn validate(mut sources: Sources) -> Result<RuleSet, Error> {
    let mut parsed = std::mem::take(&mut sources.parsed);
    let report = Report {
        sources: &sources,
        found: RefCell::new(Vec::new()),
    };
    let header = take_header(&report, &mut parsed);
    let bodies = merge(
        &report,
        "bodies",
        &mut parsed,
        |f| std::mem::take(&mut f.bodies),
        |b| &b.code,
        "body code",
    );
    let disciplines = merge(
        &report,
        "disciplines",
        &mut parsed,
        |f| std::mem::take(&mut f.disciplines),
        |d| &d.code,
        "discipline code",
    );
    let schedules = merge(
        &report,
        "schedules",
        &mut parsed,
        |f| std::mem::take(&mut f.schedules),
        |s| &s.id,
        "schedule id",
    );
    let mut agreements = merge(
        &report,
        "agreements",
        &mut parsed,
        |f| std::mem::take(&mut f.agreements),
        |a| &a.id,
        "agreement id",
    );
    agreements.sort_by(|a, b| a.value.id.cmp(&b.value.id));

    let checker = Checker {
        report: &report,
        bodies: bodies.iter().map(|b| (b.value.code.clone(), &b.value)).collect(),
        disciplines: disciplines.iter().map(|d| d.value.code.clone()).collect(),
        schedules: schedules.iter().map(|s| s.value.id.clone()).collect(),
    };
    for body in &bodies {
        checker.body(&body.value, &body.origin);
    }
    for schedule in &schedules {
        checker.schedule(&schedule.value, &schedule.origin);
    }
    let mut recognition = RecognitionGraph::default();
    for (index, item) in agreements.iter().enumerate() {
        checker.agreement(&item.value, &item.origin);
        if let [a, b] = item.value.parties.as_slice() {
            if let Some(existing) = recognition.add(a, b, index) {
                let other = agreements
                    .get(existing)
                    .map(|i| i.value.id.as_str())
                    .unwrap_or_default();
                checker.at(
                    DiagnosticKind::Duplicate,
                    &item.origin,
                    "parties",
                    format!("`{a}` and `{b}` already have agreement `{other}`: a pair of bodies has at most one agreement"),
                );
            }
        }
    }
    drop(checker);
    // Warnings only for a set without errors: a broken set has better to fix first.
    let mut warnings = Vec::new();
    if !report
        .found
        .borrow()
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        let mut schedules_used = BTreeSet::new();
        for item in &agreements {
            for finding in super::consistency::check(&item.value, &mut schedules_used) {
                let mut path = item.origin.path.clone();
                for part in &finding.path {
                    path = match part {
                        super::consistency::PathPart::Key(k) => path.key(k),
                        super::consistency::PathPart::Index(i) => path.index(*i),
                    };
                }
                let origin = Origin {
                    file: item.origin.file,
                    path: path.clone(),
                };
                warnings.push(
                    report
                        .diagnostic(finding.kind, &origin, path, finding.message)
                        .warning(),
                );
            }
        }
        for schedule in schedules.iter().filter(|s| !schedules_used.contains(&s.value.id)) {
            let path = schedule.origin.path.clone();
            warnings.push(
                report
                    .diagnostic(
                        DiagnosticKind::Unused,
                        &schedule.origin,
                        path,
                        format!("schedule `{}` is never used by a criterion", schedule.value.id),
                    )
                    .warning(),
            );
        }
    }
    let found = Diagnostics(report.found.into_inner());
    let Some(header) = header.filter(|_| !found.has_errors()) else {
        return Err(Error::Rules(found));
    };

    let files = sources.files.iter().map(|f| f.path.clone()).collect();
    let texts = sources
        .files
        .iter()
        .filter(|f| !f.text.is_empty())
        .map(|f| super::Source::new(f.path.clone(), f.text.clone()))
        .collect();
    let mut rules = RuleSet {
        header,
        bodies: bodies
            .into_iter()
            .map(|b| (b.value.code.clone(), b.value))
            .collect(),
        disciplines: disciplines
            .into_iter()
            .map(|d| (d.value.code.clone(), d.value))
            .collect(),
        schedules: schedules
            .into_iter()
            .map(|s| (s.value.id.clone(), s.value))
            .collect(),
        agreements: agreements.into_iter().map(|a| a.value).collect(),
        recognition,
        fingerprint: Default::default(),
        files,
        sources: texts,
        warnings,
    };
    canonicalise(&mut rules);
    rules.fingerprint = fingerprint(&rules);
    Ok(rules)
}

fn take_header(report: &Report<'_>, parsed: &mut [RuleFile]) -> Option<RuleSetHeader> {
    let mut header: Option<(RuleSetHeader, usize)> = None;
    for (file, rule_file) in parsed.iter_mut().enumerate() {
        if let Some(h) = rule_file.ruleset.take() {
            let origin = Origin {
                file,
                path: FieldPath::root().key("ruleset"),
            };
            if let Some((_, first)) = &header {
                let at = report.file_name(*first);
                report.error(
                    DiagnosticKind::Duplicate,
                    &origin,
                    origin.path.clone(),
                    format!("a second `ruleset` header (the first is in {at})"),
                );
                continue;
            }
            if h.id.trim().is_empty() {
                report.error(
                    DiagnosticKind::InvalidValue,
                    &origin,
                    origin.path.key("id"),
                    "a rule set id cannot be empty",
                );
            }
            header = Some((h, file));
        }
    }
    if header.is_none() {
        let folder = report
            .sources
            .files
            .first()
            .and_then(|f| f.path.parent())
            .map(PathBuf::from)
            .unwrap_or_default();
        report.found.borrow_mut().push(Diagnostic {
            severity: Severity::Error,
            kind: DiagnosticKind::Missing,
            file: folder,
            position: None,
            path: "ruleset".into(),
            message: "no rule file has the `ruleset` header (id and title)".into(),
        });
    }
    header.map(|(h, _)| h)
}

struct Checker<'a> {
    report: &'a Report<'a>,
    bodies: BTreeMap<String, &'a Body>,
    disciplines: BTreeSet<String>,
    schedules: BTreeSet<String>,
}

/// Builds a field path below `base` from a dotted description like `clauses.3.criterion`.
fn below(base: &FieldPath, rest: &str) -> FieldPath {
    rest.split('.')
        .filter(|s| !s.is_empty())
        .fold(base.clone(), |p, seg| match seg.parse::<usize>() {
            Ok(i) => p.index(i),
            Err(_) => p.key(seg),
        })
}

/// `a, b or c`, for messages that list what is allowed.
fn one_of<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match items.split_last() {
        None => "none".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

impl Checker<'_> {
    fn at(&self, kind: DiagnosticKind, origin: &Origin, rest: &str, message: impl Into<String>) {
        self.report
            .error(kind, origin, below(&origin.path, rest), message);
    }

    fn body(&self, body: &Body, origin: &Origin) {
        if body.roles.is_empty() {
            self.at(
                DiagnosticKind::Missing,
                origin,
                "roles",
                "a body needs at least one role (`registration`, `accreditation`)",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, credential) in body.credentials.iter().enumerate() {
            if !seen.insert(&credential.code) {
                self.at(
                    DiagnosticKind::Duplicate,
                    origin,
                    &format!("credentials.{i}.code"),
                    format!(
                        "duplicate credential `{}` of body `{}`",
                        credential.code, body.code
                    ),
                );
            }
        }
    }

    fn known_body(&self, origin: &Origin, rest: &str, code: &str) -> Option<&Body> {
        let found = self.bodies.get(code).copied();
        if found.is_none() {
            self.at(
                DiagnosticKind::UnknownReference,
                origin,
                rest,
                format!(
                    "unknown body `{code}` (the rule set defines {})",
                    one_of(self.bodies.keys().map(String::as_str))
                ),
            );
        }
        found
    }

    fn schedule(&self, schedule: &Schedule, origin: &Origin) {
        let mut seen = BTreeSet::new();
        for (i, entry) in schedule.entries.iter().enumerate() {
            let here = format!("entries.{i}.body");
            if let Some(body) = self.known_body(origin, &here, &entry.body) {
                if !body.roles.contains(&BodyRole::Accreditation) {
                    self.at(
                        DiagnosticKind::InvalidValue,
                        origin,
                        &here,
                        format!("body `{}` does not accredit programmes", entry.body),
                    );
                }
            }
            if !seen.insert(&entry.body) {
                self.at(
                    DiagnosticKind::Duplicate,
                    origin,
                    &here,
                    format!(
                        "body `{}` is listed twice in schedule `{}`",
                        entry.body, schedule.id
                    ),
                );
            }
        }
    }

    /// Checks the agreement; returns whether its parties are sound, since
    /// every check of a party's credentials or grant depends on them (a
    /// mistyped party is one problem, not six).
    fn parties(&self, agreement: &Agreement, origin: &Origin) -> bool {
        let [a, b] = agreement.parties.as_slice() else {
            self.at(
                DiagnosticKind::InvalidValue,
                origin,
                "parties",
                "an agreement has exactly two parties",
            );
            return false;
        };
        let mut sound = true;
        for (i, party) in [a, b].into_iter().enumerate() {
            let here = format!("parties.{i}");
            match self.known_body(origin, &here, party) {
                Some(body) if !body.roles.contains(&BodyRole::Registration) => {
                    self.at(
                        DiagnosticKind::InvalidValue,
                        origin,
                        &here,
                        format!("body `{party}` does not register engineers"),
                    );
                    sound = false;
                }
                Some(_) => {}
                None => sound = false,
            }
        }
        if a == b {
            self.at(
                DiagnosticKind::InvalidValue,
                origin,
                "parties.1",
                format!("an agreement needs two different parties, not `{a}` twice"),
            );
            sound = false;
        }
        sound
    }

    fn agreement(&self, agreement: &Agreement, origin: &Origin) {
        let parties_sound = self.parties(agreement, origin);
        let scope = AgreementScope {
            checker: self,
            agreement,
            origin,
            parties_sound,
        };
        scope.clauses();
        scope.parameters();
        scope.measures();
        scope.decision();
        scope.grant();
        scope.requirements();
        scope.procedure();
    }
}

struct AgreementScope<'c, 'a> {
    checker: &'c Checker<'a>,
    agreement: &'c Agreement,
    origin: &'c Origin,
    /// Whether the parties are two known, distinct registration bodies;
    /// checks against the parties are skipped when they are not.
    parties_sound: bool,
}

impl AgreementScope<'_, '_> {
    fn at(&self, kind: DiagnosticKind, rest: &str, message: impl Into<String>) {
        self.checker.at(kind, self.origin, rest, message);
    }

    fn clause_exists(&self, rest: &str, number: &str) -> bool {
        let found = self.agreement.clause(number).is_some();
        if !found {
            self.at(
                DiagnosticKind::UnknownReference,
                rest,
                format!("unknown clause `{number}` in agreement `{}`", self.agreement.id),
            );
        }
        found
    }

    fn measure_exists(&self, rest: &str, id: &str) {
        if self.agreement.measure(id).is_none() {
            self.at(
                DiagnosticKind::UnknownReference,
                rest,
                format!("unknown measure `{id}` in agreement `{}`", self.agreement.id),
            );
        }
    }

    fn discipline_exists(&self, rest: &str, code: &str) {
        if !self.checker.disciplines.contains(code) {
            self.at(
                DiagnosticKind::UnknownReference,
                rest,
                format!(
                    "unknown discipline `{code}` (the rule set defines {})",
                    one_of(self.checker.disciplines.iter().map(String::as_str))
                ),
            );
        }
    }

    fn credential_exists(&self, rest: &str, body: &str, code: &str) {
        let known = self
            .checker
            .bodies
            .get(body)
            .is_some_and(|b| b.credentials.iter().any(|c| c.code == code));
        if !known {
            self.at(
                DiagnosticKind::UnknownReference,
                rest,
                format!("unknown credential `{code}` of body `{body}`"),
            );
        }
    }

    /// Checks a parameter use: the parameter exists, in the unit the use
    /// needs, whole where it must be, and usable by the evaluator on every
    /// date it is in force.
    fn uses(&self, rest: &str, used: &ParameterUse<'_>) {
        let id = used.id;
        let Some(parameter) = self.agreement.parameter(id) else {
            let defined = self.agreement.parameters.iter().map(|p| p.id.as_str());
            self.at(
                DiagnosticKind::UnknownReference,
                rest,
                format!(
                    "unknown parameter `{id}` in agreement `{}` (it defines {})",
                    self.agreement.id,
                    one_of(defined)
                ),
            );
            return;
        };
        let unit = used.role.unit();
        if parameter.unit != unit {
            self.at(
                DiagnosticKind::InvalidValue,
                rest,
                format!("parameter `{id}` is in {:?}, expected {:?}", parameter.unit, unit).to_lowercase(),
            );
            return;
        }
        if let Some(why) = used.role.whole() {
            if parameter.periods.iter().any(|p| !p.value.is_integer()) {
                self.at(
                    DiagnosticKind::InvalidValue,
                    rest,
                    format!("parameter `{id}` must be {why}"),
                );
                return;
            }
        }
        self.usable(parameter, used.role);
    }

    /// Values the evaluator could not use: a window reaching before year 1,
    /// a count of years no programme can have, a period past the calendar.
    fn usable(&self, parameter: &Parameter, role: ParameterRole) {
        let Some(index) = self
            .agreement
            .parameters
            .iter()
            .position(|p| p.id == parameter.id)
        else {
            return;
        };
        for (j, period) in parameter.periods.iter().enumerate() {
            let at = format!("parameters.{index}.periods.{j}.value");
            let whole = period.value.to_integer();
            let from = period.from.get();
            let problem = match role {
                ParameterRole::WindowYears => match whole {
                    Some(years) if i64::from(from.year()) - years >= 1 => None,
                    _ => Some(format!(
                        "a window of {} years from {} reaches before year 1: the calendar allows at most {}",
                        period.value,
                        period.from,
                        from.year() - 1
                    )),
                },
                ParameterRole::WholeYears => match whole {
                    Some(years) if years <= 9999 => None,
                    _ => Some(format!(
                        "{} years is beyond any programme (at most 9999)",
                        period.value
                    )),
                },
                ParameterRole::PeriodDays => {
                    let reaches =
                        whole.and_then(|days| from.checked_add_signed(chrono::Duration::try_days(days)?));
                    match reaches {
                        Some(end) if end.year() <= 9999 => None,
                        _ => Some(format!(
                            "a period of {} days from {} ends after the year 9999",
                            period.value, period.from
                        )),
                    }
                }
                ParameterRole::YearsAsDays | ParameterRole::Hours | ParameterRole::DaysPerYear => None,
            };
            if let Some(message) = problem {
                self.at(
                    DiagnosticKind::InvalidValue,
                    &at,
                    format!("parameter `{}`: {message}", parameter.id),
                );
            }
        }
    }

    fn is_party(&self, code: &str) -> bool {
        self.agreement.parties.iter().any(|p| p == code)
    }

    fn clauses(&self) {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, clause) in self.agreement.clauses.iter().enumerate() {
            if clause.clause.trim().is_empty() {
                self.at(
                    DiagnosticKind::InvalidValue,
                    &format!("clauses.{i}.clause"),
                    "a clause number cannot be empty",
                );
            }
            if index.insert(&clause.clause, i).is_some() {
                self.at(
                    DiagnosticKind::Duplicate,
                    &format!("clauses.{i}.clause"),
                    format!("duplicate clause `{}`", clause.clause),
                );
            }
        }
        let mut edges = Vec::new();
        for (i, clause) in self.agreement.clauses.iter().enumerate() {
            for (j, dependency) in clause.depends_on.iter().enumerate() {
                match index.get(dependency.as_str()) {
                    Some(target) => edges.push((i, *target)),
                    None => self.at(
                        DiagnosticKind::UnknownReference,
                        &format!("clauses.{i}.depends_on.{j}"),
                        format!(
                            "unknown clause `{dependency}` in agreement `{}`",
                            self.agreement.id
                        ),
                    ),
                }
            }
            if let Some(criterion) = &clause.criterion {
                self.criterion(&format!("clauses.{i}.criterion"), criterion);
            }
        }
        if let Err(cycle) = dependency_order(self.agreement.clauses.len(), &edges) {
            let names: Vec<&str> = cycle
                .iter()
                .filter_map(|i| self.agreement.clauses.get(*i))
                .map(|c| c.clause.as_str())
                .collect();
            let first = cycle.first().copied().unwrap_or(0);
            self.at(
                DiagnosticKind::DependencyCycle,
                &format!("clauses.{first}.depends_on"),
                format!("clause dependencies form a cycle: {}", names.join(" -> ")),
            );
        }
        if !self.agreement.clauses.iter().any(|c| c.criterion.is_some()) {
            self.at(
                DiagnosticKind::Missing,
                "clauses",
                "an agreement needs at least one clause with a criterion",
            );
        }
    }

    fn criterion(&self, at: &str, criterion: &Criterion) {
        for used in criterion.parameters() {
            self.uses(&format!("{at}.{}", used.field), &used);
        }
        for (field, measure) in criterion.measures() {
            self.measure_exists(&format!("{at}.{field}"), measure);
        }
        match criterion {
            Criterion::Disciplines { in_scope } => {
                for (i, code) in in_scope.iter().enumerate() {
                    self.discipline_exists(&format!("{at}.disciplines.in_scope.{i}"), code);
                }
            }
            Criterion::CurrentRegistration { .. } if !self.parties_sound => {}
            Criterion::CurrentRegistration { credentials } => {
                let here = format!("{at}.current_registration.credentials");
                for (body, codes) in credentials {
                    if !self.is_party(body) {
                        self.at(
                            DiagnosticKind::InvalidValue,
                            &format!("{here}.{body}"),
                            format!(
                                "body `{body}` is not a party to agreement `{}`",
                                self.agreement.id
                            ),
                        );
                        continue;
                    }
                    for (i, code) in codes.iter().enumerate() {
                        self.credential_exists(&format!("{here}.{body}.{i}"), body, code);
                    }
                }
                if let Some(party) = self
                    .agreement
                    .parties
                    .iter()
                    .find(|p| !credentials.contains_key(*p))
                {
                    self.at(
                        DiagnosticKind::Missing,
                        &here,
                        format!("no qualifying credential given for party `{party}`"),
                    );
                }
            }
            Criterion::RecognisedEducation(education) => {
                if !self.checker.schedules.contains(&education.schedule) {
                    self.at(
                        DiagnosticKind::UnknownReference,
                        &format!("{at}.recognised_education.schedule"),
                        format!(
                            "unknown schedule `{}` (the rule set defines {})",
                            education.schedule,
                            one_of(self.checker.schedules.iter().map(String::as_str))
                        ),
                    );
                }
            }
            Criterion::Parties
            | Criterion::InForce { .. }
            | Criterion::CountedDays(_)
            | Criterion::HoursInWindow { .. }
            | Criterion::NoRecord { .. } => {}
        }
    }

    /// The first assessment date the agreement can apply to, when it says.
    fn entry_into_force(&self) -> Option<Date> {
        self.agreement.clauses.iter().find_map(|c| match &c.criterion {
            Some(Criterion::InForce { from }) => Some(*from),
            _ => None,
        })
    }

    fn parameters(&self) {
        if self
            .agreement
            .clauses
            .iter()
            .any(|c| c.criterion.as_ref().is_some_and(Criterion::uses_year_length))
        {
            self.uses(
                "year_length",
                &ParameterUse {
                    field: "year_length",
                    id: &self.agreement.year_length,
                    role: ParameterRole::DaysPerYear,
                },
            );
        }
        let mut seen = BTreeSet::new();
        for (i, parameter) in self.agreement.parameters.iter().enumerate() {
            let here = format!("parameters.{i}");
            if !seen.insert(&parameter.id) {
                self.at(
                    DiagnosticKind::Duplicate,
                    &format!("{here}.id"),
                    format!("duplicate parameter `{}`", parameter.id),
                );
            }
            self.clause_exists(&format!("{here}.clause"), &parameter.clause);
            self.periods(&here, parameter);
        }
    }

    fn periods(&self, here: &str, parameter: &Parameter) {
        let id = &parameter.id;
        let Some(first) = parameter.periods.first() else {
            self.at(
                DiagnosticKind::Missing,
                &format!("{here}.periods"),
                format!("parameter `{id}` has no value"),
            );
            return;
        };
        if let Some(start) = self.entry_into_force() {
            if first.from > start {
                self.at(
                    DiagnosticKind::ParameterPeriods,
                    &format!("{here}.periods.0.from"),
                    format!(
                        "parameter `{id}` has no value from {start} (entry into force) to the day before {}",
                        first.from
                    ),
                );
            }
        }
        let mut previous: Option<&ParameterPeriod> = None;
        for (j, period) in parameter.periods.iter().enumerate() {
            let at = format!("{here}.periods.{j}");
            if !period.value.is_positive() {
                self.at(
                    DiagnosticKind::InvalidValue,
                    &format!("{at}.value"),
                    format!("parameter `{id}` must be above zero"),
                );
            }
            if let Some(to) = period.to {
                if to < period.from {
                    self.at(
                        DiagnosticKind::ParameterPeriods,
                        &format!("{at}.to"),
                        format!("period ends ({to}) before it starts ({})", period.from),
                    );
                }
            }
            if let Some(cited) = &period.cites {
                self.clause_exists(&format!("{at}.cites"), cited);
            }
            if let Some(prev) = previous {
                match prev.to {
                    None => self.at(
                        DiagnosticKind::ParameterPeriods,
                        &format!("{at}.from"),
                        "period overlaps the previous one, which has no end (`to`)",
                    ),
                    Some(prev_to) if period.from <= prev_to => self.at(
                        DiagnosticKind::ParameterPeriods,
                        &format!("{at}.from"),
                        format!(
                            "period from {} overlaps the previous one, which runs to {prev_to}",
                            period.from
                        ),
                    ),
                    Some(prev_to) if Some(period.from.get()) != prev_to.get().succ_opt() => self.at(
                        DiagnosticKind::ParameterPeriods,
                        &format!("{at}.from"),
                        format!(
                            "gap: the previous period ends on {prev_to} but this one starts on {}",
                            period.from
                        ),
                    ),
                    Some(_) => {}
                }
            }
            previous = Some(period);
        }
        if let Some(to) = previous.and_then(|p| p.to) {
            self.at(
                DiagnosticKind::ParameterPeriods,
                &format!("{here}.periods.{}.to", parameter.periods.len() - 1),
                format!("parameter `{id}` has no value after {to}: the last period must have no `to`"),
            );
        }
    }

    fn measures(&self) {
        let mut seen = BTreeSet::new();
        for (i, measure) in self.agreement.measures.iter().enumerate() {
            if !seen.insert(&measure.id) {
                self.at(
                    DiagnosticKind::Duplicate,
                    &format!("measures.{i}.id"),
                    format!("duplicate measure `{}`", measure.id),
                );
            }
            self.clause_exists(&format!("measures.{i}.clause"), &measure.clause);
        }
    }

    fn decision(&self) {
        let decision = &self.agreement.decision;
        self.clause_exists("decision.clause", &decision.clause);
        for (i, step) in decision.precedence.iter().enumerate() {
            if step.when.is_empty() {
                self.at(
                    DiagnosticKind::Missing,
                    &format!("decision.precedence.{i}.when"),
                    "a precedence step needs at least one condition",
                );
            }
            for (j, condition) in step.when.iter().enumerate() {
                let Condition::NotMet(clauses) = condition else {
                    continue;
                };
                for (k, number) in clauses.iter().enumerate() {
                    let at = format!("decision.precedence.{i}.when.{j}.not_met.{k}");
                    if self.clause_exists(&at, number)
                        && self
                            .agreement
                            .clause(number)
                            .is_some_and(|c| c.criterion.is_none())
                    {
                        self.at(
                            DiagnosticKind::InvalidValue,
                            &at,
                            format!("clause `{number}` has no criterion to be met"),
                        );
                    }
                }
            }
        }
        let ends_always = decision
            .precedence
            .last()
            .is_some_and(|s| s.when.contains(&Condition::Always));
        if !ends_always {
            self.at(
                DiagnosticKind::Missing,
                "decision.precedence",
                "the last precedence step must hold `always`, so that every application gets an outcome",
            );
        }
    }

    fn grant(&self) {
        let grant = &self.agreement.grant;
        self.clause_exists("grant.clause", &grant.clause);
        if !self.parties_sound {
            return;
        }
        for (i, granted) in grant.credentials.iter().enumerate() {
            if !self.is_party(&granted.host) {
                self.at(
                    DiagnosticKind::InvalidValue,
                    &format!("grant.credentials.{i}.host"),
                    format!(
                        "body `{}` is not a party to agreement `{}`",
                        granted.host, self.agreement.id
                    ),
                );
                continue;
            }
            self.credential_exists(
                &format!("grant.credentials.{i}.credential"),
                &granted.host,
                &granted.credential,
            );
        }
        if let Some(party) = self
            .agreement
            .parties
            .iter()
            .find(|p| !grant.credentials.iter().any(|g| &&g.host == p))
        {
            self.at(
                DiagnosticKind::Missing,
                "grant.credentials",
                format!("no credential granted when `{party}` is the host"),
            );
        }
    }

    fn requirements(&self) {
        let mut seen = BTreeSet::new();
        for (i, requirement) in self.agreement.requirements.iter().enumerate() {
            let here = format!("requirements.{i}");
            if !seen.insert(&requirement.id) {
                self.at(
                    DiagnosticKind::Duplicate,
                    &format!("{here}.id"),
                    format!("duplicate requirement `{}`", requirement.id),
                );
            }
            self.clause_exists(&format!("{here}.clause"), &requirement.clause);
            if let Some(host) = requirement.when.host.as_ref().filter(|_| self.parties_sound) {
                if !self.is_party(host) {
                    self.at(
                        DiagnosticKind::InvalidValue,
                        &format!("{here}.when.host"),
                        format!(
                            "body `{host}` is not a party to agreement `{}`",
                            self.agreement.id
                        ),
                    );
                }
            }
            for (j, code) in requirement.when.disciplines.iter().flatten().enumerate() {
                self.discipline_exists(&format!("{here}.when.disciplines.{j}"), code);
            }
        }
    }

    fn procedure(&self) {
        let Some(procedure) = &self.agreement.procedure else {
            return;
        };
        self.clause_exists(
            "procedure.acknowledgement_clause",
            &procedure.acknowledgement_clause,
        );
        self.clause_exists("procedure.decision_clause", &procedure.decision_clause);
        let days = |field: &str, id: &str| {
            self.uses(
                &format!("procedure.{field}"),
                &ParameterUse {
                    field: "",
                    id,
                    role: ParameterRole::PeriodDays,
                },
            )
        };
        days("acknowledgement", &procedure.acknowledgement);
        days("decision", &procedure.decision);
        if let Some(confirmation) = &procedure.confirmation {
            self.clause_exists("procedure.confirmation.clause", &confirmation.clause);
            if let Some(clause) = &confirmation.voided_by_new_version {
                self.clause_exists("procedure.confirmation.voided_by_new_version", clause);
            }
            if confirmation.outcomes.is_empty() {
                self.at(
                    DiagnosticKind::Missing,
                    "procedure.confirmation.outcomes",
                    "a confirmation needs the outcomes it applies to",
                );
            }
            if confirmation.outcomes.contains(&procedure.clock_stopped_by) {
                self.at(
                    DiagnosticKind::InvalidValue,
                    "procedure.confirmation.outcomes",
                    format!(
                        "`{}` stops the decision clock: it is never a decision to confirm",
                        procedure.clock_stopped_by.as_str()
                    ),
                );
            }
        }
        if let Some(review) = &procedure.review {
            self.clause_exists("procedure.review.request_clause", &review.request_clause);
            self.clause_exists("procedure.review.decision_clause", &review.decision_clause);
            days("review.request_within", &review.request_within);
            days("review.decide_within", &review.decide_within);
        }
        if let Some(missed) = &procedure.missed_deadline {
            self.clause_exists("procedure.missed_deadline.clause", &missed.clause);
            if missed.means == DeadlineConsequence::DeemedRefusal && procedure.review.is_none() {
                self.at(
                    DiagnosticKind::InvalidValue,
                    "procedure.missed_deadline.means",
                    "a deemed refusal only opens a review, and the procedure has no `review`",
                );
            }
        }
    }
}

/// Sorts everything whose order carries no meaning, so that the order of
/// files and of entries within them cannot change the fingerprint or output.
fn canonicalise(rules: &mut RuleSet) {
    for body in rules.bodies.values_mut() {
        body.roles.sort();
        body.roles.dedup();
        body.credentials.sort_by(|a, b| a.code.cmp(&b.code));
    }
    for schedule in rules.schedules.values_mut() {
        schedule.entries.sort_by(|a, b| a.body.cmp(&b.body));
    }
    for agreement in &mut rules.agreements {
        agreement.parties.sort();
        agreement
            .clauses
            .sort_by(|a, b| clause_order(&a.clause, &b.clause));
        for clause in &mut agreement.clauses {
            clause.depends_on.sort_by(|a, b| clause_order(a, b));
            clause.depends_on.dedup();
            match &mut clause.criterion {
                Some(Criterion::Disciplines { in_scope }) => {
                    in_scope.sort();
                    in_scope.dedup();
                }
                Some(Criterion::CurrentRegistration { credentials }) => {
                    for codes in credentials.values_mut() {
                        codes.sort();
                        codes.dedup();
                    }
                }
                _ => {}
            }
        }
        agreement.evaluation_order = evaluation_order(&agreement.clauses);
        agreement.parameters.sort_by(|a, b| a.id.cmp(&b.id));
        agreement.measures.sort_by(|a, b| a.id.cmp(&b.id));
        for step in &mut agreement.decision.precedence {
            for condition in &mut step.when {
                if let Condition::NotMet(clauses) = condition {
                    clauses.sort_by(|a, b| clause_order(a, b));
                    clauses.dedup();
                }
            }
        }
        agreement.grant.outcomes.sort();
        agreement.grant.outcomes.dedup();
        agreement.grant.credentials.sort_by(|a, b| a.host.cmp(&b.host));
        agreement.requirements.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(confirmation) = agreement.procedure.as_mut().and_then(|p| p.confirmation.as_mut()) {
            confirmation.outcomes.sort();
            confirmation.outcomes.dedup();
        }
        for requirement in &mut agreement.requirements {
            if let Some(d) = &mut requirement.when.disciplines {
                d.sort();
                d.dedup();
            }
        }
    }
}

/// Dependency order of already-validated (acyclic) clauses.
fn evaluation_order(clauses: &[Clause]) -> Vec<usize> {
    let index: BTreeMap<&str, usize> = clauses
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clause.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize)> = clauses
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.depends_on
                .iter()
                .filter_map(|d| index.get(d.as_str()))
                .map(move |t| (i, *t))
        })
        .collect();
    dependency_order(clauses.len(), &edges).unwrap_or_else(|_| (0..clauses.len()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSet, Source};

    const BASE: &str = include_str!("../../../../fixtures/rulesets/pec-ea/ruleset.yaml");
    const AGREEMENT: &str = include_str!("../../../../fixtures/rulesets/pec-ea/pec-ea.yaml");

    fn load(agreement: &str) -> Result<RuleSet, Error> {
        RuleSet::from_sources(vec![
            Source::new("ruleset.yaml", BASE),
            Source::new("pec-ea.yaml", agreement),
        ])
    }

    fn diagnostics(agreement: &str) -> Vec<Diagnostic> {
        match load(agreement) {
            Err(Error::Rules(d)) => d.0,
            Err(other) => panic!("not a rule-set error: {other}"),
            Ok(_) => panic!("the rule set loaded"),
        }
    }

    fn edited(from: &str, to: &str) -> String {
        assert!(AGREEMENT.contains(from), "`{from}` is in the agreement");
        AGREEMENT.replacen(from, to, 1)
    }

    #[test]
    fn the_test_rule_set_is_valid() {
        assert!(load(AGREEMENT).is_ok());
    }

    #[test]
    fn every_problem_is_reported_with_its_kind_and_line() {
        let text = edited("schedule: wa", "schedule: nowhere")
            .replacen("measure: X2", "measure: X9", 1)
            .replacen("in_scope: [civil,", "in_scope: [rocketry,", 1);
        let found = diagnostics(&text);
        let kinds: Vec<(DiagnosticKind, &str)> = found.iter().map(|d| (d.kind, d.path.as_str())).collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            kinds.iter().all(|(k, _)| *k == DiagnosticKind::UnknownReference),
            "{kinds:?}"
        );
        assert!(found.iter().all(|d| d.position.is_some()), "{found:#?}");
        assert!(found
            .iter()
            .any(|d| d.message.contains("unknown schedule `nowhere`")));
        assert!(found.iter().any(|d| d.message.contains("unknown measure `X9`")));
        assert!(found.iter().any(|d| d
            .message
            .starts_with("unknown discipline `rocketry` (the rule set defines `aerospace`")));
    }

    #[test]
    fn a_gap_between_parameter_periods_is_named() {
        let text = edited(
            "- { from: 2027-01-01, value: 120, cites: E.1 }",
            "- { from: 2027-01-02, value: 120, cites: E.1 }",
        );
        let found = diagnostics(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, DiagnosticKind::ParameterPeriods);
        assert_eq!(
            found[0].message,
            "gap: the previous period ends on 2026-12-31 but this one starts on 2027-01-02"
        );
    }

    #[test]
    fn a_window_reaching_before_year_one_is_refused() {
        let text = edited(
            "{ id: cpd_window, clause: C.5, title: CPD window, unit: years, periods: [{ from: 2024-03-01, value: 5 }] }",
            "{ id: cpd_window, clause: C.5, title: CPD window, unit: years, periods: [{ from: 2024-03-01, value: 300000 }] }",
        );
        let found = diagnostics(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, DiagnosticKind::InvalidValue);
        assert!(
            found[0].message.contains("reaches before year 1"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_parameter_in_the_wrong_unit_is_refused() {
        let text = edited(
            "{ id: charge, clause: C.4, title: Responsible charge, unit: years",
            "{ id: charge, clause: C.4, title: Responsible charge, unit: hours",
        );
        let found = diagnostics(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].message, "parameter `charge` is in hours, expected years");
    }

    #[test]
    fn a_dependency_cycle_is_named() {
        let text = edited(
            "depends_on: [\"S.0\", \"C.3\"]",
            "depends_on: [\"S.0\", \"C.3\", \"C.4\"]",
        );
        let found = diagnostics(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, DiagnosticKind::DependencyCycle);
    }
}
