//! Validating a merged rule set: unknown and duplicate codes, dangling
//! references, parameter periods that overlap or leave gaps, dependency
//! cycles, and more than one agreement for a pair of bodies. The first
//! problem found is reported with its file, line and field path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::fingerprint::fingerprint;
use super::graph::{dependency_order, RecognitionGraph};
use super::model::*;
use super::{clause_order, RuleSet};
use crate::date::Date;
use crate::error::{Error, Problem};
use crate::source::{FieldPath, Format};

/// Where an item came from: a file and the field path of the item in it.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) file: usize,
    pub(crate) path: FieldPath,
}

struct SourceFile {
    path: PathBuf,
    format: Format,
    text: String,
}

/// The parsed files of a rule set, before merging.
#[derive(Default)]
pub(crate) struct Sources {
    files: Vec<SourceFile>,
    parsed: Vec<RuleFile>,
}

impl Sources {
    pub(crate) fn push(&mut self, path: PathBuf, format: Format, text: String, file: RuleFile) {
        self.files.push(SourceFile { path, format, text });
        self.parsed.push(file);
    }

    fn error(&self, origin: &Origin, path: FieldPath, message: impl Into<String>) -> Error {
        match self.files.get(origin.file) {
            Some(f) => Problem::new(path, message).in_file(f.path.clone(), f.format, &f.text),
            None => Error::Input {
                file: PathBuf::new(),
                position: None,
                path: path.to_string(),
                message: message.into(),
            },
        }
    }

    fn place(&self, origin: &Origin) -> String {
        match self.files.get(origin.file) {
            Some(f) => match crate::source::locate(f.format, &f.text, &origin.path) {
                Some(p) => format!("{}:{}:{}", f.path.display(), p.line, p.column),
                None => f.path.display().to_string(),
            },
            None => String::new(),
        }
    }
}

/// A merged item with its origin.
struct Item<T> {
    value: T,
    origin: Origin,
}

fn merge<T>(
    sources: &Sources,
    section: &str,
    take: impl Fn(&mut RuleFile) -> Vec<T>,
    parsed: &mut [RuleFile],
    key: impl Fn(&T) -> &str,
    what: &str,
) -> Result<Vec<Item<T>>, Error> {
    let mut items: Vec<Item<T>> = Vec::new();
    let mut seen: BTreeMap<String, Origin> = BTreeMap::new();
    for (file, rule_file) in parsed.iter_mut().enumerate() {
        for (index, value) in take(rule_file).into_iter().enumerate() {
            let origin = Origin::item(file, section, index);
            let k = key(&value).to_owned();
            if let Some(first) = seen.get(&k) {
                let at = sources.place(first);
                return Err(sources.error(
                    &origin,
                    origin.path.clone(),
                    format!("duplicate {what} `{k}` (first defined at {at})"),
                ));
            }
            seen.insert(k, origin.clone());
            items.push(Item { value, origin });
        }
    }
    Ok(items)
}

/// Merges, validates and indexes the parsed files.
pub(crate) fn validate(mut sources: Sources) -> Result<RuleSet, Error> {
    let mut parsed = std::mem::take(&mut sources.parsed);
    let header = take_header(&sources, &mut parsed)?;
    let bodies = merge(
        &sources,
        "bodies",
        |f| std::mem::take(&mut f.bodies),
        &mut parsed,
        |b| &b.code,
        "body code",
    )?;
    let disciplines = merge(
        &sources,
        "disciplines",
        |f| std::mem::take(&mut f.disciplines),
        &mut parsed,
        |d| &d.code,
        "discipline code",
    )?;
    let schedules = merge(
        &sources,
        "schedules",
        |f| std::mem::take(&mut f.schedules),
        &mut parsed,
        |s| &s.id,
        "schedule id",
    )?;
    let agreements = merge(
        &sources,
        "agreements",
        |f| std::mem::take(&mut f.agreements),
        &mut parsed,
        |a| &a.id,
        "agreement id",
    )?;

    let checker = Checker {
        sources: &sources,
        bodies: bodies.iter().map(|b| (b.value.code.clone(), &b.value)).collect(),
        disciplines: disciplines.iter().map(|d| d.value.code.clone()).collect(),
        schedules: schedules.iter().map(|s| s.value.id.clone()).collect(),
    };
    for body in &bodies {
        checker.body(&body.value, &body.origin)?;
    }
    for schedule in &schedules {
        checker.schedule(&schedule.value, &schedule.origin)?;
    }
    let mut recognition = RecognitionGraph::default();
    let mut sorted: Vec<&Item<Agreement>> = agreements.iter().collect();
    sorted.sort_by(|a, b| a.value.id.cmp(&b.value.id));
    for (index, item) in sorted.iter().enumerate() {
        checker.agreement(&item.value, &item.origin)?;
        if let [a, b] = item.value.parties.as_slice() {
            if let Some(existing) = recognition.add(a, b, index) {
                let other = sorted
                    .get(existing)
                    .map(|i| i.value.id.as_str())
                    .unwrap_or_default();
                return Err(checker.at(&item.origin, "parties", format!("`{a}` and `{b}` already have agreement `{other}`: a pair of bodies has at most one agreement")));
            }
        }
    }
    drop(checker);

    let files = sources.files.iter().map(|f| f.path.clone()).collect();
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
        agreements: Vec::new(),
        recognition,
        fingerprint: Default::default(),
        files,
    };
    let mut agreements: Vec<Agreement> = agreements.into_iter().map(|a| a.value).collect();
    agreements.sort_by(|a, b| a.id.cmp(&b.id));
    rules.agreements = agreements;
    canonicalise(&mut rules);
    rules.fingerprint = fingerprint(&rules);
    Ok(rules)
}

fn take_header(sources: &Sources, parsed: &mut [RuleFile]) -> Result<RuleSetHeader, Error> {
    let mut header: Option<(RuleSetHeader, usize)> = None;
    for (file, rule_file) in parsed.iter_mut().enumerate() {
        if let Some(h) = rule_file.ruleset.take() {
            let origin = Origin {
                file,
                path: FieldPath::root().key("ruleset"),
            };
            if let Some((_, first)) = &header {
                let at = sources
                    .files
                    .get(*first)
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default();
                return Err(sources.error(
                    &origin,
                    origin.path.clone(),
                    format!("a second `ruleset` header (the first is in {at})"),
                ));
            }
            header = Some((h, file));
        }
    }
    match header {
        Some((h, _)) => Ok(h),
        None => Err(Error::Input {
            file: sources
                .files
                .first()
                .and_then(|f| f.path.parent())
                .map(PathBuf::from)
                .unwrap_or_default(),
            position: None,
            path: "ruleset".into(),
            message: "no rule file has the `ruleset` header (id and title)".into(),
        }),
    }
}

struct Checker<'a> {
    sources: &'a Sources,
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

impl Checker<'_> {
    fn at(&self, origin: &Origin, rest: &str, message: impl Into<String>) -> Error {
        self.sources.error(origin, below(&origin.path, rest), message)
    }

    fn body(&self, body: &Body, origin: &Origin) -> Result<(), Error> {
        if body.roles.is_empty() {
            return Err(self.at(
                origin,
                "roles",
                "a body needs at least one role (`registration`, `accreditation`)",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, credential) in body.credentials.iter().enumerate() {
            if !seen.insert(&credential.code) {
                return Err(self.at(
                    origin,
                    &format!("credentials.{i}.code"),
                    format!(
                        "duplicate credential `{}` of body `{}`",
                        credential.code, body.code
                    ),
                ));
            }
        }
        Ok(())
    }

    fn known_body(&self, origin: &Origin, rest: &str, code: &str) -> Result<&Body, Error> {
        self.bodies
            .get(code)
            .copied()
            .ok_or_else(|| self.at(origin, rest, format!("unknown body `{code}`")))
    }

    fn schedule(&self, schedule: &Schedule, origin: &Origin) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for (i, entry) in schedule.entries.iter().enumerate() {
            let body = self.known_body(origin, &format!("entries.{i}.body"), &entry.body)?;
            if !body.roles.contains(&BodyRole::Accreditation) {
                return Err(self.at(
                    origin,
                    &format!("entries.{i}.body"),
                    format!("body `{}` does not accredit programmes", entry.body),
                ));
            }
            if !seen.insert(&entry.body) {
                return Err(self.at(
                    origin,
                    &format!("entries.{i}.body"),
                    format!(
                        "body `{}` is listed twice in schedule `{}`",
                        entry.body, schedule.id
                    ),
                ));
            }
        }
        Ok(())
    }

    fn agreement(&self, agreement: &Agreement, origin: &Origin) -> Result<(), Error> {
        let [a, b] = agreement.parties.as_slice() else {
            return Err(self.at(origin, "parties", "an agreement has exactly two parties"));
        };
        for (i, party) in [a, b].into_iter().enumerate() {
            let body = self.known_body(origin, &format!("parties.{i}"), party)?;
            if !body.roles.contains(&BodyRole::Registration) {
                return Err(self.at(
                    origin,
                    &format!("parties.{i}"),
                    format!("body `{party}` does not register engineers"),
                ));
            }
        }
        if a == b {
            return Err(self.at(
                origin,
                "parties.1",
                format!("an agreement needs two different parties, not `{a}` twice"),
            ));
        }
        let scope = AgreementScope {
            checker: self,
            agreement,
            origin,
        };
        scope.clauses()?;
        scope.parameters()?;
        scope.measures()?;
        scope.decision()?;
        scope.grant()?;
        scope.requirements()?;
        scope.procedure()
    }
}

struct AgreementScope<'c, 'a> {
    checker: &'c Checker<'a>,
    agreement: &'c Agreement,
    origin: &'c Origin,
}

impl AgreementScope<'_, '_> {
    fn at(&self, rest: &str, message: impl Into<String>) -> Error {
        self.checker.at(self.origin, rest, message)
    }

    fn clause_exists(&self, rest: &str, number: &str) -> Result<(), Error> {
        match self.agreement.clause(number) {
            Some(_) => Ok(()),
            None => Err(self.at(
                rest,
                format!("unknown clause `{number}` in agreement `{}`", self.agreement.id),
            )),
        }
    }

    fn measure_exists(&self, rest: &str, id: &str) -> Result<(), Error> {
        match self.agreement.measure(id) {
            Some(_) => Ok(()),
            None => Err(self.at(
                rest,
                format!("unknown measure `{id}` in agreement `{}`", self.agreement.id),
            )),
        }
    }

    fn discipline_exists(&self, rest: &str, code: &str) -> Result<(), Error> {
        if self.checker.disciplines.contains(code) {
            Ok(())
        } else {
            Err(self.at(rest, format!("unknown discipline `{code}`")))
        }
    }

    /// Checks that parameter `id` exists with `unit`; whole numbers only when `whole`.
    fn parameter(&self, rest: &str, id: &str, unit: Unit, whole: bool) -> Result<(), Error> {
        let Some(parameter) = self.agreement.parameter(id) else {
            return Err(self.at(
                rest,
                format!("unknown parameter `{id}` in agreement `{}`", self.agreement.id),
            ));
        };
        if parameter.unit != unit {
            return Err(self.at(
                rest,
                format!("parameter `{id}` is in {:?}, expected {:?}", parameter.unit, unit).to_lowercase(),
            ));
        }
        if whole && parameter.periods.iter().any(|p| !p.value.is_integer()) {
            return Err(self.at(
                rest,
                format!("parameter `{id}` must be a whole number of years here (calendar windows)"),
            ));
        }
        Ok(())
    }

    fn is_party(&self, code: &str) -> bool {
        self.agreement.parties.iter().any(|p| p == code)
    }

    fn clauses(&self) -> Result<(), Error> {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, clause) in self.agreement.clauses.iter().enumerate() {
            if clause.clause.trim().is_empty() {
                return Err(self.at(&format!("clauses.{i}.clause"), "a clause number cannot be empty"));
            }
            if index.insert(&clause.clause, i).is_some() {
                return Err(self.at(
                    &format!("clauses.{i}.clause"),
                    format!("duplicate clause `{}`", clause.clause),
                ));
            }
        }
        let mut edges = Vec::new();
        for (i, clause) in self.agreement.clauses.iter().enumerate() {
            for (j, dependency) in clause.depends_on.iter().enumerate() {
                let Some(target) = index.get(dependency.as_str()) else {
                    return Err(self.at(
                        &format!("clauses.{i}.depends_on.{j}"),
                        format!(
                            "unknown clause `{dependency}` in agreement `{}`",
                            self.agreement.id
                        ),
                    ));
                };
                edges.push((i, *target));
            }
            if let Some(criterion) = &clause.criterion {
                self.criterion(&format!("clauses.{i}.criterion"), criterion)?;
            }
        }
        if let Err(cycle) = dependency_order(self.agreement.clauses.len(), &edges) {
            let names: Vec<&str> = cycle
                .iter()
                .filter_map(|i| self.agreement.clauses.get(*i))
                .map(|c| c.clause.as_str())
                .collect();
            let first = cycle.first().copied().unwrap_or(0);
            return Err(self.at(
                &format!("clauses.{first}.depends_on"),
                format!("clause dependencies form a cycle: {}", names.join(" -> ")),
            ));
        }
        if !self.agreement.clauses.iter().any(|c| c.criterion.is_some()) {
            return Err(self.at(
                "clauses",
                "an agreement needs at least one clause with a criterion",
            ));
        }
        Ok(())
    }

    fn criterion(&self, at: &str, criterion: &Criterion) -> Result<(), Error> {
        match criterion {
            Criterion::Parties | Criterion::InForce { .. } => Ok(()),
            Criterion::Disciplines { in_scope } => {
                for (i, code) in in_scope.iter().enumerate() {
                    self.discipline_exists(&format!("{at}.disciplines.in_scope.{i}"), code)?;
                }
                Ok(())
            }
            Criterion::CurrentRegistration { credentials } => {
                let here = format!("{at}.current_registration.credentials");
                for (body, codes) in credentials {
                    if !self.is_party(body) {
                        return Err(self.at(
                            &format!("{here}.{body}"),
                            format!(
                                "body `{body}` is not a party to agreement `{}`",
                                self.agreement.id
                            ),
                        ));
                    }
                    for (i, code) in codes.iter().enumerate() {
                        if !self
                            .checker
                            .bodies
                            .get(body)
                            .is_some_and(|b| b.credentials.iter().any(|c| &c.code == code))
                        {
                            return Err(self.at(
                                &format!("{here}.{body}.{i}"),
                                format!("unknown credential `{code}` of body `{body}`"),
                            ));
                        }
                    }
                }
                match self
                    .agreement
                    .parties
                    .iter()
                    .find(|p| !credentials.contains_key(*p))
                {
                    Some(party) => Err(self.at(
                        &here,
                        format!("no qualifying credential given for party `{party}`"),
                    )),
                    None => Ok(()),
                }
            }
            Criterion::RecognisedEducation(education) => {
                let here = format!("{at}.recognised_education");
                self.parameter(
                    &format!("{here}.min_programme_years"),
                    &education.min_programme_years,
                    Unit::Years,
                    true,
                )?;
                if !self.checker.schedules.contains(&education.schedule) {
                    return Err(self.at(
                        &format!("{here}.schedule"),
                        format!("unknown schedule `{}`", education.schedule),
                    ));
                }
                match &education.equivalence {
                    Some(e) => self.measure_exists(&format!("{here}.equivalence.measure"), &e.measure),
                    None => Ok(()),
                }
            }
            Criterion::CountedDays(counted) => {
                let here = format!("{at}.counted_days");
                self.parameter(&format!("{here}.minimum"), &counted.minimum, Unit::Years, false)?;
                if let Some(band) = &counted.with_measure {
                    self.parameter(
                        &format!("{here}.with_measure.minimum"),
                        &band.minimum,
                        Unit::Years,
                        false,
                    )?;
                    self.measure_exists(&format!("{here}.with_measure.measure"), &band.measure)?;
                }
                Ok(())
            }
            Criterion::HoursInWindow { minimum, window } => {
                let here = format!("{at}.hours_in_window");
                self.parameter(&format!("{here}.minimum"), minimum, Unit::Hours, false)?;
                self.parameter(&format!("{here}.window"), window, Unit::Years, true)
            }
            Criterion::NoRecord { window, .. } => match window {
                Some(w) => self.parameter(&format!("{at}.no_record.window"), w, Unit::Years, true),
                None => Ok(()),
            },
        }
    }

    /// The first assessment date the agreement can apply to, when it says.
    fn entry_into_force(&self) -> Option<Date> {
        self.agreement.clauses.iter().find_map(|c| match &c.criterion {
            Some(Criterion::InForce { from }) => Some(*from),
            _ => None,
        })
    }

    fn parameters(&self) -> Result<(), Error> {
        self.parameter("year_length", &self.agreement.year_length, Unit::Days, false)?;
        let mut seen = BTreeSet::new();
        for (i, parameter) in self.agreement.parameters.iter().enumerate() {
            let here = format!("parameters.{i}");
            if !seen.insert(&parameter.id) {
                return Err(self.at(
                    &format!("{here}.id"),
                    format!("duplicate parameter `{}`", parameter.id),
                ));
            }
            self.clause_exists(&format!("{here}.clause"), &parameter.clause)?;
            self.periods(&here, parameter)?;
        }
        Ok(())
    }

    fn periods(&self, here: &str, parameter: &Parameter) -> Result<(), Error> {
        let id = &parameter.id;
        let Some(first) = parameter.periods.first() else {
            return Err(self.at(
                &format!("{here}.periods"),
                format!("parameter `{id}` has no value"),
            ));
        };
        if let Some(start) = self.entry_into_force() {
            if first.from > start {
                return Err(self.at(
                    &format!("{here}.periods.0.from"),
                    format!(
                        "parameter `{id}` has no value from {start} (entry into force) to the day before {}",
                        first.from
                    ),
                ));
            }
        }
        let mut previous: Option<&ParameterPeriod> = None;
        for (j, period) in parameter.periods.iter().enumerate() {
            let at = format!("{here}.periods.{j}");
            if !period.value.is_positive() {
                return Err(self.at(
                    &format!("{at}.value"),
                    format!("parameter `{id}` must be above zero"),
                ));
            }
            if let Some(to) = period.to {
                if to < period.from {
                    return Err(self.at(
                        &format!("{at}.to"),
                        format!("period ends ({to}) before it starts ({})", period.from),
                    ));
                }
            }
            if let Some(cited) = &period.cites {
                self.clause_exists(&format!("{at}.cites"), cited)?;
            }
            if let Some(prev) = previous {
                let Some(prev_to) = prev.to else {
                    return Err(self.at(
                        &format!("{at}.from"),
                        "period overlaps the previous one, which has no end (`to`)",
                    ));
                };
                let next_day = prev_to.get().succ_opt().map(Date);
                if period.from <= prev_to {
                    return Err(self.at(
                        &format!("{at}.from"),
                        format!(
                            "period from {} overlaps the previous one, which runs to {prev_to}",
                            period.from
                        ),
                    ));
                }
                if Some(period.from) != next_day {
                    return Err(self.at(
                        &format!("{at}.from"),
                        format!(
                            "gap: the previous period ends on {prev_to} but this one starts on {}",
                            period.from
                        ),
                    ));
                }
            }
            previous = Some(period);
        }
        match previous.and_then(|p| p.to) {
            Some(to) => Err(self.at(
                &format!("{here}.periods.{}.to", parameter.periods.len() - 1),
                format!("parameter `{id}` has no value after {to}: the last period must have no `to`"),
            )),
            None => Ok(()),
        }
    }

    fn measures(&self) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for (i, measure) in self.agreement.measures.iter().enumerate() {
            if !seen.insert(&measure.id) {
                return Err(self.at(
                    &format!("measures.{i}.id"),
                    format!("duplicate measure `{}`", measure.id),
                ));
            }
            self.clause_exists(&format!("measures.{i}.clause"), &measure.clause)?;
        }
        Ok(())
    }

    fn decision(&self) -> Result<(), Error> {
        let decision = &self.agreement.decision;
        self.clause_exists("decision.clause", &decision.clause)?;
        for (i, step) in decision.precedence.iter().enumerate() {
            if step.when.is_empty() {
                return Err(self.at(
                    &format!("decision.precedence.{i}.when"),
                    "a precedence step needs at least one condition",
                ));
            }
            for (j, condition) in step.when.iter().enumerate() {
                if let Condition::NotMet(clauses) = condition {
                    for (k, number) in clauses.iter().enumerate() {
                        let at = format!("decision.precedence.{i}.when.{j}.not_met.{k}");
                        self.clause_exists(&at, number)?;
                        if self
                            .agreement
                            .clause(number)
                            .is_some_and(|c| c.criterion.is_none())
                        {
                            return Err(self.at(&at, format!("clause `{number}` has no criterion to be met")));
                        }
                    }
                }
            }
        }
        let ends_always = decision
            .precedence
            .last()
            .is_some_and(|s| s.when.contains(&Condition::Always));
        if !ends_always {
            return Err(self.at(
                "decision.precedence",
                "the last precedence step must hold `always`, so that every application gets an outcome",
            ));
        }
        Ok(())
    }

    fn grant(&self) -> Result<(), Error> {
        let grant = &self.agreement.grant;
        self.clause_exists("grant.clause", &grant.clause)?;
        for (i, granted) in grant.credentials.iter().enumerate() {
            if !self.is_party(&granted.host) {
                return Err(self.at(
                    &format!("grant.credentials.{i}.host"),
                    format!(
                        "body `{}` is not a party to agreement `{}`",
                        granted.host, self.agreement.id
                    ),
                ));
            }
            if !self
                .checker
                .bodies
                .get(&granted.host)
                .is_some_and(|b| b.credentials.iter().any(|c| c.code == granted.credential))
            {
                return Err(self.at(
                    &format!("grant.credentials.{i}.credential"),
                    format!(
                        "unknown credential `{}` of body `{}`",
                        granted.credential, granted.host
                    ),
                ));
            }
        }
        match self
            .agreement
            .parties
            .iter()
            .find(|p| !grant.credentials.iter().any(|g| &&g.host == p))
        {
            Some(party) => Err(self.at(
                "grant.credentials",
                format!("no credential granted when `{party}` is the host"),
            )),
            None => Ok(()),
        }
    }

    fn requirements(&self) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for (i, requirement) in self.agreement.requirements.iter().enumerate() {
            let here = format!("requirements.{i}");
            if !seen.insert(&requirement.id) {
                return Err(self.at(
                    &format!("{here}.id"),
                    format!("duplicate requirement `{}`", requirement.id),
                ));
            }
            self.clause_exists(&format!("{here}.clause"), &requirement.clause)?;
            if let Some(host) = &requirement.when.host {
                if !self.is_party(host) {
                    return Err(self.at(
                        &format!("{here}.when.host"),
                        format!(
                            "body `{host}` is not a party to agreement `{}`",
                            self.agreement.id
                        ),
                    ));
                }
            }
            for (j, code) in requirement.when.disciplines.iter().flatten().enumerate() {
                self.discipline_exists(&format!("{here}.when.disciplines.{j}"), code)?;
            }
        }
        Ok(())
    }

    fn procedure(&self) -> Result<(), Error> {
        let Some(procedure) = &self.agreement.procedure else {
            return Ok(());
        };
        self.clause_exists(
            "procedure.acknowledgement_clause",
            &procedure.acknowledgement_clause,
        )?;
        self.clause_exists("procedure.decision_clause", &procedure.decision_clause)?;
        self.parameter(
            "procedure.acknowledgement",
            &procedure.acknowledgement,
            Unit::Days,
            true,
        )?;
        self.parameter("procedure.decision", &procedure.decision, Unit::Days, true)
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
