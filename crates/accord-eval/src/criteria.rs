//! Each criterion kind of the rule language, evaluated generically: the
//! rule supplies every code, threshold and window; this module supplies the
//! logic of the kind and the explanation of its result.

use std::cell::RefCell;

use chrono::NaiveDate;

use accord_core::application::{Application, Degree, RegistrationStatus};
use accord_core::rules::criterion::Branch;
use accord_core::rules::model::{
    Agreement, Clause, CountedDays, Criterion, PeriodFilter, RecognisedEducation, SanctionStatus, Side,
};
use accord_core::rules::RuleSet;
use accord_core::{prose, Date, Decimal};

use crate::days::{
    counted_hundredths, hundredths_to_decimal, leaves_window, window_start, years_as_days, Span,
};
use crate::decision::{CriterionResult, Figure, FigureValue, ParameterUsed, Status};

/// What every criterion sees.
pub(crate) struct Context<'a> {
    pub rules: &'a RuleSet,
    pub agreement: &'a Agreement,
    pub application: &'a Application,
    pub as_of: NaiveDate,
    /// Parameters looked up so far, in order of first use.
    pub used: RefCell<Vec<ParameterUsed>>,
    /// A deliberate change of one clause's logic (mutation testing only).
    pub tweak: Option<&'a Tweak>,
}

/// A deliberate change of one clause's evaluation, for mutation testing of
/// rule sets: what a rule file cannot express (a comparison made strict or
/// non-strict, a window moved by a day). Never set in a real assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tweak {
    /// The clause changed.
    pub clause: String,
    /// How.
    pub change: TweakChange,
}

/// What a [`Tweak`] changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TweakChange {
    /// The named comparison of the kind (see `Criterion::comparisons`)
    /// strict where it is not, or not where it is.
    Flip(&'static str),
    /// The window's first day moved by this many days.
    ShiftWindow(i64),
}

/// One clause's share of a tweak: the comparisons a kind makes, as the
/// kind declares them.
#[derive(Debug, Clone, Copy, Default)]
struct Knobs {
    flip: Option<&'static str>,
    shift: i64,
}

impl Knobs {
    fn of(tweak: Option<&Tweak>, clause: &str) -> Knobs {
        match tweak {
            Some(t) if t.clause == clause => match t.change {
                TweakChange::Flip(name) => Knobs {
                    flip: Some(name),
                    shift: 0,
                },
                TweakChange::ShiftWindow(days) => Knobs {
                    flip: None,
                    shift: days,
                },
            },
            _ => Knobs::default(),
        }
    }

    /// `a >= b`, or `a > b` when the comparison `name` is flipped.
    fn ge<T: PartialOrd>(self, name: &str, a: T, b: T) -> bool {
        if self.flip == Some(name) {
            a > b
        } else {
            a >= b
        }
    }

    /// `a <= b`, or `a < b` when the comparison `name` is flipped.
    fn le<T: PartialOrd>(self, name: &str, a: T, b: T) -> bool {
        if self.flip == Some(name) {
            a < b
        } else {
            a <= b
        }
    }

    /// A window's first day, moved when the tweak says so.
    fn window(self, start: NaiveDate) -> NaiveDate {
        start
            .checked_add_signed(chrono::Duration::days(self.shift))
            .unwrap_or(start)
    }
}

impl Context<'_> {
    /// The value of parameter `id` on the assessment date, recorded as used.
    fn parameter(&self, id: &str) -> Result<Decimal, String> {
        let parameter = self
            .agreement
            .parameter(id)
            .ok_or_else(|| format!("parameter `{id}` is not defined"))?;
        let date = Date(self.as_of);
        let (index, period) = parameter
            .periods
            .iter()
            .enumerate()
            .find(|(_, p)| p.from <= date && p.to.is_none_or(|to| date <= to))
            .ok_or_else(|| format!("no value of `{id}` is in force on {date}"))?;
        let mut used = self.used.borrow_mut();
        if !used.iter().any(|u| u.id == id) {
            used.push(ParameterUsed {
                id: id.to_owned(),
                period: index,
                value: period.value,
            });
        }
        Ok(period.value)
    }

    /// A parameter in years, as days under clause 1.3.
    fn years_in_days(&self, id: &str) -> Result<(Decimal, i64), String> {
        let years = self.parameter(id)?;
        let year_length = self.parameter(&self.agreement.year_length)?;
        Ok((years, years_as_days(years, year_length)))
    }

    /// A whole number of years (windows, programme lengths).
    fn whole_years(&self, id: &str) -> Result<u32, String> {
        let value = self.parameter(id)?;
        value
            .to_integer()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("parameter `{id}` is not a whole number of years"))
    }

    /// The graduation date of clause 1.4: the earliest degree conferred on or before the assessment date.
    fn graduation(&self) -> Option<NaiveDate> {
        self.application
            .degrees()
            .into_iter()
            .flatten()
            .map(|d| d.graduated_on.get())
            .filter(|d| *d <= self.as_of)
            .min()
    }

    fn home(&self) -> &str {
        self.application.home_body()
    }
}

/// A result under construction.
struct Outcome {
    branch: Branch,
    measure: Option<String>,
    detail: String,
    figures: Vec<Figure>,
    missing: Vec<String>,
}

impl Outcome {
    fn new(branch: Branch, detail: String) -> Outcome {
        Outcome {
            branch,
            measure: None,
            detail,
            figures: Vec::new(),
            missing: Vec::new(),
        }
    }

    fn unknown(missing: &[&str], detail: String) -> Outcome {
        let mut outcome = Outcome::new(Branch::Unknown, detail);
        outcome.missing = missing.iter().map(|m| (*m).to_owned()).collect();
        outcome
    }

    fn figure(mut self, name: &'static str, value: FigureValue) -> Outcome {
        self.figures.push(Figure { name, value });
        self
    }
}

fn number(n: i64) -> FigureValue {
    FigureValue::Number(Decimal::from_int(n))
}

/// Evaluates `clause`'s criterion; a gap in the rule set (a parameter with
/// no value on the date) is an error naming what is missing.
pub(crate) fn evaluate(
    context: &Context<'_>,
    clause: &Clause,
    criterion: &Criterion,
) -> Result<CriterionResult, String> {
    let k = Knobs::of(context.tweak, &clause.clause);
    let outcome = match criterion {
        Criterion::Parties => parties(context),
        Criterion::InForce { from } => in_force(context, *from, k),
        Criterion::Disciplines { in_scope } => disciplines(context, in_scope),
        Criterion::CurrentRegistration { credentials } => {
            current_registration(context, credentials.get(context.home()), k)
        }
        Criterion::RecognisedEducation(rule) => recognised_education(context, rule, k)?,
        Criterion::CountedDays(rule) => counted_days(context, rule, k)?,
        Criterion::HoursInWindow { minimum, window } => hours_in_window(context, minimum, window, k)?,
        Criterion::NoRecord { status, window } => no_record(context, *status, window.as_deref(), k)?,
    };
    Ok(CriterionResult {
        clause: clause.clause.clone(),
        title: clause.title.as_str().to_owned(),
        status: Status::of(outcome.branch),
        measure: outcome.measure,
        detail: outcome.detail,
        figures: outcome.figures,
        missing: outcome.missing,
        branch: outcome.branch,
    })
}

/// Where a criterion's status can change as the assessment date moves on,
/// declared by each kind beside its evaluation: the outlook evaluates the
/// criterion on these dates only (and bisects between them where the kind
/// is monotone), so these must be every date on which the result can
/// differ from the day before.
pub(crate) struct Changes {
    /// Dates from which the status may differ from the day before.
    pub points: Vec<NaiveDate>,
    /// Between two points the status only ever moves one way as the date
    /// advances (a count crossing a threshold); otherwise it is constant.
    pub monotone: bool,
}

/// The [`Changes`] of `criterion` for this application.
pub(crate) fn changes(context: &Context<'_>, criterion: &Criterion) -> Changes {
    let mut points = parameter_boundaries(context, criterion);
    let app = context.application;
    let degrees = || app.degrees().into_iter().flatten();
    let monotone = match criterion {
        // Fixed by the file: the date moves nothing.
        Criterion::Parties | Criterion::Disciplines { .. } => false,
        Criterion::InForce { from } => {
            points.push(from.get());
            false
        }
        // A registration starts on its `since` and ends the day after `expires`.
        Criterion::CurrentRegistration { .. } => {
            for r in app
                .registrations()
                .into_iter()
                .flatten()
                .filter(|r| r.body == context.home())
            {
                points.push(r.since.get());
                points.extend(r.expires.and_then(|e| e.get().succ_opt()));
            }
            false
        }
        // A degree counts from its conferral, an equivalence from its assessment.
        Criterion::RecognisedEducation(_) => {
            for degree in degrees() {
                points.push(degree.graduated_on.get());
                points.extend(
                    degree
                        .equivalence_assessment
                        .as_ref()
                        .and_then(|e| e.on)
                        .map(Date::get),
                );
            }
            false
        }
        // The graduation date moves with each conferral; between them the
        // counted days only grow, crossing the thresholds once each.
        Criterion::CountedDays(_) => {
            points.extend(degrees().map(|d| d.graduated_on.get()));
            true
        }
        // Hours enter the window when completed and leave it with the window.
        Criterion::HoursInWindow { window, .. } => {
            let years = window_values(context, window);
            for item in app.cpd().into_iter().flatten() {
                let done = item.completed_on.get();
                points.push(done);
                points.extend(years.iter().filter_map(|&y| leaves_window(done, y)));
            }
            false
        }
        // A sanction counts from its date, and ages out of a window.
        Criterion::NoRecord { status, window } => {
            let years = window
                .as_deref()
                .map(|w| window_values(context, w))
                .unwrap_or_default();
            for sanction in app
                .sanctions()
                .into_iter()
                .flatten()
                .filter(|s| s.status == *status)
            {
                let date = sanction.date.get();
                points.push(date);
                points.extend(years.iter().filter_map(|&y| leaves_window(date, y)));
            }
            false
        }
    };
    Changes { points, monotone }
}

/// The first and the day-after-last assessment dates of every value of
/// every parameter the criterion reads.
fn parameter_boundaries(context: &Context<'_>, criterion: &Criterion) -> Vec<NaiveDate> {
    let year_length = criterion
        .uses_year_length()
        .then_some(context.agreement.year_length.as_str());
    criterion
        .parameters()
        .iter()
        .map(|u| u.id)
        .chain(year_length)
        .filter_map(|id| context.agreement.parameter(id))
        .flat_map(|p| &p.periods)
        .flat_map(|period| {
            [
                Some(period.from.get()),
                period.to.and_then(|t| t.get().succ_opt()),
            ]
        })
        .flatten()
        .collect()
}

/// Every window length (whole years) the parameter `id` takes in any period.
fn window_values(context: &Context<'_>, id: &str) -> Vec<u32> {
    let mut years: Vec<u32> = context
        .agreement
        .parameter(id)
        .into_iter()
        .flat_map(|p| &p.periods)
        .filter_map(|period| period.value.to_integer().and_then(|n| u32::try_from(n).ok()))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Why time alone never meets a criterion (not met, or met only with a
/// measure, on the assessment date `now`, and still so on the horizon), in
/// words fit for the applicant, from the kind's own figures.
pub(crate) fn never(
    criterion: &Criterion,
    now: &CriterionResult,
    at_horizon: Option<&CriterionResult>,
) -> String {
    let number =
        |r: &CriterionResult, name: &str| match r.figures.iter().find(|f| f.name == name).map(|f| &f.value) {
            Some(FigureValue::Number(n)) => Some(*n),
            _ => None,
        };
    let measured = |r: &CriterionResult| {
        r.measure
            .as_deref()
            .map(|m| format!("met only with measure {m}: "))
    };
    match criterion {
        Criterion::CountedDays(rule) => {
            let last = at_horizon.unwrap_or(now);
            let what = match rule.periods {
                PeriodFilter::All => "days of experience",
                PeriodFilter::ResponsibleCharge => "responsible-charge days",
            };
            match (number(last, "counted_days"), number(last, "required_days")) {
                (Some(counted), Some(required)) => format!(
                    "{}the periods listed reach {} of the {} {what} needed within the horizon; {} more are needed",
                    measured(last).unwrap_or_default(),
                    counted.grouped(),
                    required.grouped(),
                    required.saturating_sub(counted).grouped()
                ),
                _ => now.detail.clone(),
            }
        }
        Criterion::HoursInWindow { .. } => match (number(now, "hours"), number(now, "required_hours")) {
            (Some(hours), Some(required)) => format!(
                "the CPD already completed only leaves the window as time passes; {} more {} needed",
                required.saturating_sub(hours).grouped(),
                if required.saturating_sub(hours) == 1 {
                    "hour is"
                } else {
                    "hours are"
                }
            ),
            _ => now.detail.clone(),
        },
        Criterion::NoRecord { window: Some(_), .. } => {
            format!("{}, and it is still within the window on the horizon", now.detail)
        }
        Criterion::NoRecord { window: None, .. } => {
            format!("{}; it stays on record as the file stands", now.detail)
        }
        Criterion::CurrentRegistration { .. } => {
            format!("{}; time alone does not make a registration current", now.detail)
        }
        Criterion::RecognisedEducation(_) => match measured(now) {
            Some(prefix) => format!(
                "{prefix}{}; time does not change the route a degree is recognised by",
                now.detail
            ),
            None => format!("{}; time does not change a degree", now.detail),
        },
        Criterion::Parties | Criterion::InForce { .. } | Criterion::Disciplines { .. } => now.detail.clone(),
    }
}

fn parties(context: &Context<'_>) -> Outcome {
    let app = context.application;
    let parties = &context.agreement.parties;
    let (home, host) = (app.home_body(), app.host_body());
    let covered = parties.iter().any(|p| p == home) && parties.iter().any(|p| p == host) && home != host;
    if covered {
        Outcome::new(
            Branch::Met,
            format!("home body {home} and host body {host} are the two parties"),
        )
    } else {
        Outcome::new(
            Branch::NotMet,
            format!(
                "{home} → {host} is not between the parties {}",
                parties.join(" and ")
            ),
        )
    }
}

fn in_force(context: &Context<'_>, from: Date, k: Knobs) -> Outcome {
    let as_of = Date(context.as_of);
    let (branch, relation) = if k.ge("from", as_of, from) {
        (Branch::Met, "on or after")
    } else {
        (Branch::NotMet, "before")
    };
    Outcome::new(
        branch,
        format!("assessment date {as_of} is {relation} the entry into force on {from}"),
    )
    .figure("entry_into_force", FigureValue::Date(from))
}

fn disciplines(context: &Context<'_>, in_scope: &[String]) -> Outcome {
    let discipline = context.application.discipline();
    if in_scope.iter().any(|d| d == discipline) {
        Outcome::new(Branch::Met, format!("{discipline} is in the agreement's scope"))
    } else {
        Outcome::new(
            Branch::NotMet,
            format!(
                "{discipline} is outside the agreement's scope ({})",
                in_scope.join(", ")
            ),
        )
    }
}

fn current_registration(context: &Context<'_>, qualifying: Option<&Vec<String>>, k: Knobs) -> Outcome {
    let home = context.home();
    let Some(registrations) = context.application.registrations() else {
        return Outcome::unknown(&["registrations"], "registrations not provided".into());
    };
    let qualifying: &[String] = qualifying.map(Vec::as_slice).unwrap_or_default();
    let wanted = if qualifying.is_empty() {
        "none".to_owned()
    } else {
        qualifying.join(" or ")
    };
    let mut reasons = Vec::new();
    for registration in registrations.iter().filter(|r| r.body == home) {
        let name = format!("{} {}", registration.body, registration.credential);
        let why = if !qualifying.contains(&registration.credential) {
            format!("{name} does not qualify")
        } else if registration.status != RegistrationStatus::Active {
            format!(
                "{name} is {}",
                format!("{:?}", registration.status).to_lowercase()
            )
        } else if !k.le("since", registration.since.get(), context.as_of) {
            format!(
                "{name} starts on {}, after the assessment date",
                registration.since
            )
        } else if registration
            .expires
            .is_some_and(|e| !k.ge("expires", e.get(), context.as_of))
        {
            format!(
                "{name} expired on {}",
                registration.expires.map(|e| e.to_string()).unwrap_or_default()
            )
        } else {
            let until = match registration.expires {
                Some(e) => format!(", valid until {e}"),
                None => String::new(),
            };
            return Outcome::new(
                Branch::Met,
                format!("{name} active since {}{until}", registration.since),
            )
            .figure("credential", FigureValue::Text(registration.credential.clone()));
        };
        reasons.push(why);
    }
    let detail = if reasons.is_empty() {
        format!("no registration with the home body {home} listed (qualifying: {wanted})")
    } else {
        format!(
            "no current qualifying registration with {home} ({wanted}) on {}: {}",
            Date(context.as_of),
            reasons.join("; ")
        )
    };
    Outcome::new(Branch::NotMet, detail)
}

/// How one degree fares under a recognised-education criterion's two
/// routes (accreditation by a schedule body, equivalence), as the
/// evaluation examined it: explanations show it degree by degree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DegreeFinding {
    /// Accredited by a body the schedule listed on the day of conferral.
    pub accredited: bool,
    /// Assessed as substantially equivalent by the body the route names, in time.
    pub equivalent: bool,
    /// Whether the programme is long enough; `None` when its length is not given.
    pub long_enough: Option<bool>,
    /// The finding in words, with the degree's title and institution.
    pub note: String,
}

/// Each listed degree examined as `rule` examines it on `as_of`, in the
/// order listed: the same function the evaluation uses, so that an
/// explanation's table of degrees never disagrees with the decision.
pub fn degree_findings(
    rules: &RuleSet,
    agreement: &Agreement,
    application: &Application,
    as_of: NaiveDate,
    rule: &RecognisedEducation,
) -> Result<Vec<DegreeFinding>, String> {
    let context = Context {
        rules,
        agreement,
        application,
        as_of,
        used: RefCell::new(Vec::new()),
        tweak: None,
    };
    let min_years = context.whole_years(&rule.min_programme_years)?;
    Ok(application
        .degrees()
        .into_iter()
        .flatten()
        .map(|d| examine_degree(&context, rule, d, min_years, Knobs::default()))
        .collect())
}

fn examine_degree(
    context: &Context<'_>,
    rule: &RecognisedEducation,
    degree: &Degree,
    min_years: u32,
    k: Knobs,
) -> DegreeFinding {
    let name = format!("{} ({})", degree.title, degree.institution);
    let conferred = degree.graduated_on;
    if !k.le("conferred", conferred.get(), context.as_of) {
        return DegreeFinding {
            accredited: false,
            equivalent: false,
            long_enough: None,
            note: format!("{name} conferred {conferred}, after the assessment date"),
        };
    }
    let schedule = context.rules.schedules().get(&rule.schedule);
    let mut notes = Vec::new();
    let accredited = match &degree.accredited_by {
        Some(body) => match schedule.and_then(|s| s.entries.iter().find(|e| &e.body == body)) {
            Some(entry) if k.le("signatory since", entry.since, conferred) => {
                notes.push(format!(
                    "accredited by {body}, a full signatory since {} when conferred on {conferred}",
                    entry.since
                ));
                true
            }
            Some(entry) => {
                notes.push(format!(
                    "conferred on {conferred}, before {body} became a full signatory on {}",
                    entry.since
                ));
                false
            }
            None => {
                notes.push(format!(
                    "accredited by {body}, which is not in {}",
                    schedule.map(|s| s.clause.as_str()).unwrap_or("the schedule")
                ));
                false
            }
        },
        None => false,
    };
    let equivalent = match (&rule.equivalence, &degree.equivalence_assessment) {
        (Some(route), Some(assessment)) => {
            let wanted = match route.assessed_by {
                Side::HomeBody => context.application.home_body(),
                Side::HostBody => context.application.host_body(),
            };
            match (&assessment.by, assessment.on) {
                (Some(by), Some(on)) if by == wanted && k.le("equivalence date", on.get(), context.as_of) => {
                    notes.push(format!("assessed substantially equivalent by {by} on {on}"));
                    true
                }
                (Some(by), Some(on)) if by == wanted => {
                    notes.push(format!(
                        "equivalence assessment dated {on}, after the assessment date"
                    ));
                    false
                }
                (Some(by), _) => {
                    notes.push(format!("equivalence assessed by {by}, not by {wanted}"));
                    false
                }
                _ => false,
            }
        }
        _ => false,
    };
    if !accredited && !equivalent && notes.is_empty() {
        notes.push("neither accredited nor assessed as equivalent".into());
    }
    let long_enough = degree
        .programme_years
        .map(|y| k.ge("programme length", y, min_years));
    match degree.programme_years {
        Some(y) if y < min_years => notes.push(format!("a {y}-year programme, under {min_years} years")),
        Some(y) => notes.push(format!("a {y}-year programme")),
        None => notes.push("programme length not given".into()),
    }
    DegreeFinding {
        accredited,
        equivalent,
        long_enough,
        note: format!("{name}: {}", notes.join(", ")),
    }
}

fn recognised_education(
    context: &Context<'_>,
    rule: &RecognisedEducation,
    k: Knobs,
) -> Result<Outcome, String> {
    let Some(degrees) = context.application.degrees() else {
        return Ok(Outcome::unknown(&["degrees"], "degrees not provided".into()));
    };
    let min_years = context.whole_years(&rule.min_programme_years)?;
    let findings: Vec<DegreeFinding> = degrees
        .iter()
        .map(|d| examine_degree(context, rule, d, min_years, k))
        .collect();
    if let Some(f) = findings
        .iter()
        .find(|f| f.accredited && f.long_enough == Some(true))
    {
        return Ok(Outcome::new(Branch::Met, f.note.clone()));
    }
    if let Some(f) = findings
        .iter()
        .find(|f| (f.accredited || f.equivalent) && f.long_enough.is_none())
    {
        return Ok(Outcome::unknown(&["degrees[].programme_years"], f.note.clone()));
    }
    if let Some(f) = findings
        .iter()
        .find(|f| f.equivalent && f.long_enough == Some(true))
    {
        let mut outcome = Outcome::new(
            Branch::MetWithMeasure,
            format!("{}; recognised under the equivalence route only", f.note),
        );
        outcome.measure = rule.equivalence.as_ref().map(|e| e.measure.clone());
        return Ok(outcome);
    }
    let detail = if findings.is_empty() {
        "no degree listed".to_owned()
    } else {
        findings
            .iter()
            .map(|f| f.note.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    Ok(Outcome::new(Branch::NotMet, detail))
}

fn counted_days(context: &Context<'_>, rule: &CountedDays, k: Knobs) -> Result<Outcome, String> {
    let what = match rule.periods {
        PeriodFilter::All => "days",
        PeriodFilter::ResponsibleCharge => "responsible-charge days",
    };
    let app = context.application;
    let (Some(experience), Some(graduation)) = (app.experience(), context.graduation()) else {
        let mut missing = Vec::new();
        let mut why = Vec::new();
        if context.graduation().is_none() {
            missing.push("degrees");
            why.push("no degree conferred on or before the assessment date is listed, so there is no graduation date to count from");
        }
        if app.experience().is_none() {
            missing.push("experience");
            why.push("experience not provided");
        }
        return Ok(Outcome::unknown(&missing, why.join("; ")));
    };
    let (years, required) = context.years_in_days(&rule.minimum)?;
    let spans = experience
        .iter()
        .filter(|p| rule.periods == PeriodFilter::All || p.responsible_charge)
        .map(|p| Span {
            from: p.from.get(),
            to: p.to.map(Date::get),
            fte: p.fte_hundredths(),
        });
    let counted = counted_hundredths(spans, graduation, context.as_of);
    let counted_days = hundredths_to_decimal(counted);
    let base = format!(
        "{} of {} {what} counted since graduation on {}",
        counted_days.grouped(),
        Decimal::from_int(required).grouped(),
        Date(graduation)
    );
    let figures = |o: Outcome| {
        o.figure("counted_days", FigureValue::Number(counted_days))
            .figure("required_days", number(required))
            .figure("required_years", FigureValue::Number(years))
            .figure("graduated_on", FigureValue::Date(Date(graduation)))
    };
    if k.ge("threshold", counted, required.saturating_mul(100)) {
        return Ok(figures(Outcome::new(Branch::Met, base)));
    }
    if let Some(band) = &rule.with_measure {
        let (band_years, band_days) = context.years_in_days(&band.minimum)?;
        let banded = |o: Outcome| o.figure("measure_days", number(band_days));
        if k.ge("band", counted, band_days.saturating_mul(100)) {
            let mut outcome = Outcome::new(
                Branch::MetWithMeasure,
                format!(
                    "{base}; at least {} ({band_years} years) meets it with measure {}",
                    Decimal::from_int(band_days).grouped(),
                    band.measure
                ),
            );
            outcome.measure = Some(band.measure.clone());
            return Ok(banded(figures(outcome)));
        }
        let short = hundredths_to_decimal(band_days.saturating_mul(100) - counted);
        let detail = format!(
            "{base}; {} short of the {} needed even with measure {}",
            prose::count(short.grouped(), "day", "days"),
            Decimal::from_int(band_days).grouped(),
            band.measure
        );
        return Ok(banded(figures(Outcome::new(Branch::NotMet, detail))));
    }
    let short = hundredths_to_decimal(required.saturating_mul(100) - counted);
    Ok(figures(Outcome::new(
        Branch::NotMet,
        format!("{base}: {} short", prose::count(short.grouped(), "day", "days")),
    )))
}

fn hours_in_window(context: &Context<'_>, minimum: &str, window: &str, k: Knobs) -> Result<Outcome, String> {
    let Some(cpd) = context.application.cpd() else {
        return Ok(Outcome::unknown(&["cpd"], "CPD not provided".into()));
    };
    let required = context.parameter(minimum)?;
    let years = context.whole_years(window)?;
    let start = k.window(window_start(context.as_of, years).ok_or("the window is outside the calendar")?);
    let hours = cpd
        .iter()
        .filter(|c| (start..=context.as_of).contains(&c.completed_on.get()))
        .fold(Decimal::ZERO, |sum, c| sum.saturating_add(c.hours));
    let citation = cited_amendment(context, minimum);
    let base = format!(
        "{} of {} hours of CPD completed from {} to {}{citation}",
        hours.grouped(),
        required.grouped(),
        Date(start),
        Date(context.as_of)
    );
    let outcome = if k.ge("threshold", hours, required) {
        Outcome::new(Branch::Met, base)
    } else {
        let short = required.saturating_sub(hours);
        Outcome::new(
            Branch::NotMet,
            format!("{base}: {} short", prose::count(short.grouped(), "hour", "hours")),
        )
    };
    Ok(outcome
        .figure("hours", FigureValue::Number(hours))
        .figure("required_hours", FigureValue::Number(required))
        .figure("window_from", FigureValue::Date(Date(start)))
        .figure("window_to", FigureValue::Date(Date(context.as_of))))
}

/// ` (Amendment No. 1, clause 5.1)` when the parameter's value in force comes from an amendment.
fn cited_amendment(context: &Context<'_>, id: &str) -> String {
    let date = Date(context.as_of);
    let cited = context
        .agreement
        .parameter(id)
        .and_then(|p| p.period_on(date))
        .and_then(|p| p.cites.as_deref());
    match cited.and_then(|c| context.agreement.clause(c)) {
        Some(clause) => format!(" ({}, clause {})", clause.title, clause.clause),
        None => String::new(),
    }
}

fn no_record(
    context: &Context<'_>,
    status: SanctionStatus,
    window: Option<&str>,
    k: Knobs,
) -> Result<Outcome, String> {
    let Some(sanctions) = context.application.sanctions() else {
        return Ok(Outcome::unknown(&["sanctions"], "sanctions not provided".into()));
    };
    let start = match window {
        Some(id) => Some(
            k.window(
                window_start(context.as_of, context.whole_years(id)?)
                    .ok_or("the window is outside the calendar")?,
            ),
        ),
        None => None,
    };
    let label = format!("{status:?}").to_lowercase();
    let span = match start {
        Some(s) => format!("from {} to {}", Date(s), Date(context.as_of)),
        None => format!("on or before {}", Date(context.as_of)),
    };
    let hit = sanctions
        .iter()
        .filter(|s| s.status == status)
        .filter(|s| {
            k.le("on or before", s.date.get(), context.as_of) && start.is_none_or(|st| s.date.get() >= st)
        })
        .min_by_key(|s| s.date);
    let outcome = match hit {
        Some(s) => {
            let summary = s
                .summary
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            Outcome::new(
                Branch::NotMet,
                format!(
                    "a sanction {label} on {}{summary}, within the period {span}",
                    s.date
                ),
            )
            .figure("sanction_date", FigureValue::Date(s.date))
        }
        None => Outcome::new(Branch::Met, format!("no sanction {label} {span}")),
    };
    Ok(match start {
        Some(s) => outcome.figure("window_from", FigureValue::Date(Date(s))),
        None => outcome,
    })
}
