//! The application file, exactly as the contract defines it, and its
//! validation against a rule set's vocabulary (codes are the rule set's).
//!
//! Absent and empty lists differ: `None` is "not provided" (criteria that
//! need it are unknown), `Some(vec![])` is "provided, and there are none".

use std::path::Path;

use serde::de::{Deserializer, Error as _};
use serde::Deserialize;

use crate::date::Date;
use crate::decimal::Decimal;
use crate::error::{Error, Problem};
use crate::rules::model::SanctionStatus;
use crate::rules::RuleSet;
use crate::source::{self, FieldPath, Format};

/// One engineer's request for recognition, checked against a rule set.
///
/// There is no other way to make one than [`Application::parse`] (or
/// [`Application::from_bytes`], [`Application::read`]): the fields are
/// private and the type cannot be deserialised directly, so no caller — a
/// batch, a register, an HTTP handler — can hold an application that has
/// not passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Application(Fields);

/// The application file's fields, exactly as the contract names them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    /// Identifier, unique within a batch.
    pub id: String,
    /// Date lodged: the assessment date unless overridden.
    pub applied_on: Date,
    /// The applicant.
    pub applicant: Applicant,
    /// Body holding the applicant's current registration.
    pub home_body: String,
    /// Body recognition is sought from.
    pub host_body: String,
    /// Discipline of recognition.
    pub discipline: String,
    /// Registrations held; `None` when not provided.
    #[serde(default, deserialize_with = "provided")]
    pub registrations: Option<Vec<Registration>>,
    /// Degrees held; `None` when not provided.
    #[serde(default, deserialize_with = "provided")]
    pub degrees: Option<Vec<Degree>>,
    /// Employment periods; `None` when not provided.
    #[serde(default, deserialize_with = "provided")]
    pub experience: Option<Vec<Experience>>,
    /// CPD completed; `None` when not provided.
    #[serde(default, deserialize_with = "provided")]
    pub cpd: Option<Vec<Cpd>>,
    /// Disciplinary matters; `None` when not provided.
    #[serde(default, deserialize_with = "provided")]
    pub sanctions: Option<Vec<Sanction>>,
}

/// A list field that is present: `null` is refused, since "absent" and
/// "empty" mean different things and a bare `cpd:` says neither.
fn provided<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list: Option<Vec<T>> = Option::deserialize(deserializer)?;
    match list {
        Some(list) => Ok(Some(list)),
        None => Err(D::Error::custom(
            "a list is expected: write `[]` for none, or leave the field out when not provided",
        )),
    }
}

/// The applicant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// Full name.
    pub name: String,
    /// Date of birth.
    #[serde(default)]
    pub date_of_birth: Option<Date>,
}

/// Registration statuses, as declared by the registering body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// In good standing.
    Active,
    /// Suspended.
    Suspended,
    /// Lapsed.
    Lapsed,
    /// Revoked.
    Revoked,
}

/// A professional registration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Registering body.
    pub body: String,
    /// Credential within that body.
    pub credential: String,
    /// Registration number.
    #[serde(default)]
    pub number: Option<String>,
    /// First registered.
    pub since: Date,
    /// Last day of validity.
    #[serde(default)]
    pub expires: Option<Date>,
    /// Declared status.
    pub status: RegistrationStatus,
}

/// An engineering degree.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Degree {
    /// Title.
    pub title: String,
    /// Institution.
    pub institution: String,
    /// Accrediting body.
    #[serde(default)]
    pub accredited_by: Option<String>,
    /// Date conferred.
    pub graduated_on: Date,
    /// Nominal programme length in years.
    #[serde(default)]
    pub programme_years: Option<u32>,
    /// Substantial-equivalence assessment.
    #[serde(default)]
    pub equivalence_assessment: Option<EquivalenceAssessment>,
}

/// A substantial-equivalence assessment of a degree.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquivalenceAssessment {
    /// Assessing body.
    #[serde(default)]
    pub by: Option<String>,
    /// Date of the assessment.
    #[serde(default)]
    pub on: Option<Date>,
}

/// An employment period, inclusive at both ends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experience {
    /// Employer.
    pub employer: String,
    /// Role.
    pub role: String,
    /// First day.
    pub from: Date,
    /// Last day; `None` while ongoing.
    #[serde(default)]
    pub to: Option<Date>,
    /// Fraction of full time, in (0, 1], two decimals at most; 1 when absent.
    #[serde(default)]
    pub fte: Option<Decimal>,
    /// In responsible charge of significant engineering work.
    #[serde(default)]
    pub responsible_charge: bool,
}

impl Experience {
    /// The FTE in hundredths (100 = full time). Valid after [`Application::check`].
    pub fn fte_hundredths(&self) -> i64 {
        self.fte.and_then(Decimal::to_hundredths).unwrap_or(100)
    }
}

/// A CPD activity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cpd {
    /// What.
    pub activity: String,
    /// Hours, above zero.
    pub hours: Decimal,
    /// Date completed.
    pub completed_on: Date,
}

/// A disciplinary matter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sanction {
    /// Date imposed, or opened when pending.
    pub date: Date,
    /// Status.
    pub status: SanctionStatus,
    /// Summary.
    #[serde(default)]
    pub summary: Option<String>,
}

impl Application {
    /// Parses `text` (in `format`) and checks it against `rules`; errors name `file`.
    pub fn parse(file: &Path, format: Format, text: &str, rules: &RuleSet) -> Result<Application, Error> {
        let fields: Fields =
            source::parse(format, text).map_err(|l| Error::from_located(file.to_path_buf(), l))?;
        fields
            .check(rules)
            .map_err(|problem| problem.in_file(file.to_path_buf(), format, text))?;
        Ok(Application(fields))
    }

    /// The application's identifier.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The date it was lodged: the assessment date unless overridden.
    pub fn applied_on(&self) -> Date {
        self.0.applied_on
    }

    /// The applicant.
    pub fn applicant(&self) -> &Applicant {
        &self.0.applicant
    }

    /// The body holding the applicant's current registration.
    pub fn home_body(&self) -> &str {
        &self.0.home_body
    }

    /// The body recognition is sought from.
    pub fn host_body(&self) -> &str {
        &self.0.host_body
    }

    /// The discipline of recognition.
    pub fn discipline(&self) -> &str {
        &self.0.discipline
    }

    /// Registrations held; `None` when not provided.
    pub fn registrations(&self) -> Option<&[Registration]> {
        self.0.registrations.as_deref()
    }

    /// Degrees held; `None` when not provided.
    pub fn degrees(&self) -> Option<&[Degree]> {
        self.0.degrees.as_deref()
    }

    /// Employment periods; `None` when not provided.
    pub fn experience(&self) -> Option<&[Experience]> {
        self.0.experience.as_deref()
    }

    /// CPD completed; `None` when not provided.
    pub fn cpd(&self) -> Option<&[Cpd]> {
        self.0.cpd.as_deref()
    }

    /// Disciplinary matters; `None` when not provided.
    pub fn sanctions(&self) -> Option<&[Sanction]> {
        self.0.sanctions.as_deref()
    }

    /// Reads and parses the application file at `file`.
    pub fn read(file: &Path, rules: &RuleSet) -> Result<Application, Error> {
        let bytes = std::fs::read(file).map_err(|source| Error::Io {
            file: file.to_path_buf(),
            source,
        })?;
        Application::from_bytes(file, bytes, rules)
    }

    /// Parses an application file's bytes, already read (a register's
    /// stored input, a batch that keeps them): `file`'s extension gives the
    /// format, and errors name it.
    pub fn from_bytes(file: &Path, bytes: Vec<u8>, rules: &RuleSet) -> Result<Application, Error> {
        let format = Format::of_path(file).ok_or_else(|| Error::Input {
            file: file.to_path_buf(),
            position: None,
            path: ".".into(),
            message: "unknown file type: expected `.yaml`, `.yml` or `.json`".into(),
        })?;
        let text = crate::rules::text_of(file, bytes)?;
        Application::parse(file, format, &text, rules)
    }
}

impl Fields {
    /// Checks what the types cannot: codes the rule set defines, periods in
    /// order, FTE and hours in range. Reports the first problem.
    fn check(&self, rules: &RuleSet) -> Result<(), Problem> {
        let root = FieldPath::root();
        let body = |path: FieldPath, code: &str| -> Result<(), Problem> {
            if rules.bodies().contains_key(code) {
                Ok(())
            } else {
                Err(Problem::new(path, format!("unknown body `{code}`")))
            }
        };
        if self.id.trim().is_empty() {
            return Err(Problem::new(root.key("id"), "the application id cannot be empty"));
        }
        body(root.key("home_body"), &self.home_body)?;
        body(root.key("host_body"), &self.host_body)?;
        if self.home_body == self.host_body {
            return Err(Problem::new(
                root.key("host_body"),
                format!(
                    "the host body must differ from the home body (`{}`)",
                    self.home_body
                ),
            ));
        }
        if !rules.disciplines().contains_key(&self.discipline) {
            return Err(Problem::new(
                root.key("discipline"),
                format!("unknown discipline `{}`", self.discipline),
            ));
        }
        for (i, registration) in self.registrations.iter().flatten().enumerate() {
            let at = root.key("registrations").index(i);
            body(at.key("body"), &registration.body)?;
            if !rules.has_credential(&registration.body, &registration.credential) {
                return Err(Problem::new(
                    at.key("credential"),
                    format!(
                        "unknown credential `{}` of body `{}`",
                        registration.credential, registration.body
                    ),
                ));
            }
        }
        for (i, degree) in self.degrees.iter().flatten().enumerate() {
            let at = root.key("degrees").index(i);
            if let Some(code) = &degree.accredited_by {
                body(at.key("accredited_by"), code)?;
            }
            if degree.programme_years == Some(0) {
                return Err(Problem::new(at.key("programme_years"), "must be at least 1"));
            }
            if let Some(assessment) = &degree.equivalence_assessment {
                let at = at.key("equivalence_assessment");
                if let Some(by) = &assessment.by {
                    body(at.key("by"), by)?;
                    if assessment.on.is_none() {
                        return Err(Problem::new(
                            at,
                            "missing field `on`: required when `by` is given",
                        ));
                    }
                }
            }
        }
        for (i, period) in self.experience.iter().flatten().enumerate() {
            let at = root.key("experience").index(i);
            if let Some(to) = period.to {
                if to < period.from {
                    return Err(Problem::new(
                        at.key("to"),
                        format!("period ends ({to}) before it starts ({})", period.from),
                    ));
                }
            }
            if let Some(fte) = period.fte {
                let valid = fte.is_positive() && fte <= 1 && fte.to_hundredths().is_some();
                if !valid {
                    return Err(Problem::new(
                        at.key("fte"),
                        format!("`{fte}` is not a fraction in (0, 1] with at most two decimal places"),
                    ));
                }
            }
        }
        for (i, cpd) in self.cpd.iter().flatten().enumerate() {
            if !cpd.hours.is_positive() {
                return Err(Problem::new(
                    root.key("cpd").index(i).key("hours"),
                    format!("hours must be above zero, not `{}`", cpd.hours),
                ));
            }
        }
        Ok(())
    }
}
