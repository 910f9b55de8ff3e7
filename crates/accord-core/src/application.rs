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
    #[serde(deserialize_with = "text")]
    pub id: String,
    /// Date lodged: the assessment date unless overridden.
    pub applied_on: Date,
    /// The applicant.
    pub applicant: Applicant,
    /// Body holding the applicant's current registration.
    #[serde(deserialize_with = "text")]
    pub home_body: String,
    /// Body recognition is sought from.
    #[serde(deserialize_with = "text")]
    pub host_body: String,
    /// Discipline of recognition.
    #[serde(deserialize_with = "text")]
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

/// A text field. YAML reads an unquoted `12`, `true`, `null` or `~` as a
/// number, a boolean or nothing; a text field given one is refused (as in
/// JSON), never silently turned into the text "12" or "null".
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(Text)
}

/// An optional text field: absent is `None`; present, it must be text.
fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text(deserializer).map(Some)
}

struct Text;

impl<'de> serde::de::Visitor<'de> for Text {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Err(E::custom(format!(
            "expected text, found the boolean `{v}`: quote it if it is text"
        )))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Err(E::custom(format!(
            "expected text, found the number `{v}`: quote it if it is text"
        )))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Err(E::custom(format!(
            "expected text, found the number `{v}`: quote it if it is text"
        )))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Err(E::custom(format!(
            "expected text, found the number `{v}`: quote it if it is text"
        )))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
        Err(E::custom("expected text, found nothing (`null`, `~` or no value): give the text, or leave out a field that is optional"))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<String, E> {
        self.visit_unit()
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(serde::de::Error::custom("expected text, found a list"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(serde::de::Error::custom("expected text, found a mapping"))
    }
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

/// The bytes of the application file at `file`, read within the contract's
/// limits; a folder's error says how to assess a folder.
pub fn read_bytes(file: &Path) -> Result<Vec<u8>, Error> {
    crate::file::read(file, crate::file::Kind::Application).map_err(|err| match err {
        Error::Input {
            file,
            position,
            path,
            message,
        } if message.starts_with("is a folder") => Error::Input {
            file,
            position,
            path,
            message: format!("{message}: to assess every application in a folder, use `accord batch`"),
        },
        other => other,
    })
}

/// The applicant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// Full name.
    #[serde(deserialize_with = "text")]
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
    #[serde(deserialize_with = "text")]
    pub body: String,
    /// Credential within that body.
    #[serde(deserialize_with = "text")]
    pub credential: String,
    /// Registration number.
    #[serde(default, deserialize_with = "optional_text")]
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
    #[serde(deserialize_with = "text")]
    pub title: String,
    /// Institution.
    #[serde(deserialize_with = "text")]
    pub institution: String,
    /// Accrediting body.
    #[serde(default, deserialize_with = "optional_text")]
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
    #[serde(default, deserialize_with = "optional_text")]
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
    #[serde(deserialize_with = "text")]
    pub employer: String,
    /// Role.
    #[serde(deserialize_with = "text")]
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
    #[serde(deserialize_with = "text")]
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
    #[serde(default, deserialize_with = "optional_text")]
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

    /// Reads and parses the application file at `file`: a regular file of
    /// at most 1 MiB (a folder is named as one, with the command for folders).
    pub fn read(file: &Path, rules: &RuleSet) -> Result<Application, Error> {
        Application::from_bytes(file, read_bytes(file)?, rules)
    }

    /// Parses an application file's bytes, already read (a register's
    /// stored input, a batch that keeps them): `file`'s extension gives the
    /// format, and errors name it.
    pub fn from_bytes(file: &Path, bytes: Vec<u8>, rules: &RuleSet) -> Result<Application, Error> {
        let limit = crate::file::Kind::Application.limit();
        if bytes.len() as u64 > limit {
            return Err(Error::Input {
                file: file.to_path_buf(),
                position: None,
                path: ".".into(),
                message: format!(
                    "the file is {}, beyond the limit of {} for an application file",
                    crate::file::size_text(bytes.len() as u64),
                    crate::file::size_text(limit)
                ),
            });
        }
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

/// The contract's limits (`spec/application-format.md`, Limits).
mod limit {
    /// Characters of an id.
    pub const ID: usize = 128;
    /// Characters of any other text.
    pub const TEXT: usize = 1000;
    /// Items of a list.
    pub const ITEMS: usize = 10_000;
}

/// `` `a`, `b` or `c` `` for messages listing what the rule set defines.
fn listed<'a>(codes: impl IntoIterator<Item = &'a String>) -> String {
    let codes: Vec<String> = codes.into_iter().map(|c| format!("`{c}`")).collect();
    match codes.split_last() {
        None => "nothing".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Checks one text against the contract: not empty, at most `max`
/// characters, no control character (but line breaks where allowed). The
/// path is only built when there is a problem to report.
fn text_limits(
    path: impl Fn() -> FieldPath,
    value: &str,
    max: usize,
    line_breaks: bool,
) -> Result<(), Problem> {
    // Bytes bound characters: a text of at most `max` bytes needs no count.
    if value.len() > max && value.chars().count() > max {
        let length = value.chars().count();
        return Err(Problem::new(
            path(),
            format!("is {length} characters long: the format allows at most {max}"),
        ));
    }
    if value.trim().is_empty() {
        return Err(Problem::new(path(), "cannot be empty"));
    }
    let control = |c: char| c.is_control() && !(line_breaks && matches!(c, '\n' | '\r'));
    // Control characters are ASCII or U+0080..U+009F: a text of printable
    // ASCII (nearly all) is cleared byte by byte.
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(());
    }
    if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| control(*c)) {
        return Err(Problem::new(
            path(),
            format!(
                "holds a control character (U+{:04X}) at character {}: the format allows none here",
                u32::from(c),
                at + 1
            ),
        ));
    }
    Ok(())
}

fn list_limit<T>(path: impl Fn() -> FieldPath, list: &Option<Vec<T>>) -> Result<(), Problem> {
    match list {
        Some(items) if items.len() > limit::ITEMS => Err(Problem::new(
            path(),
            format!(
                "holds {} items: the format allows at most {}",
                items.len(),
                limit::ITEMS
            ),
        )),
        _ => Ok(()),
    }
}

impl Fields {
    /// The contract's limits on every text and list, before anything quotes them.
    fn limits(&self) -> Result<(), Problem> {
        let top = |key: &'static str| move || FieldPath::root().key(key);
        let item = |list: &'static str, i: usize, key: &'static str| {
            move || FieldPath::root().key(list).index(i).key(key)
        };
        let text = |path: &dyn Fn() -> FieldPath, value: &str| text_limits(path, value, limit::TEXT, false);
        text_limits(top("id"), &self.id, limit::ID, false)?;
        text(
            &|| FieldPath::root().key("applicant").key("name"),
            &self.applicant.name,
        )?;
        text(&top("home_body"), &self.home_body)?;
        text(&top("host_body"), &self.host_body)?;
        text(&top("discipline"), &self.discipline)?;
        list_limit(top("registrations"), &self.registrations)?;
        list_limit(top("degrees"), &self.degrees)?;
        list_limit(top("experience"), &self.experience)?;
        list_limit(top("cpd"), &self.cpd)?;
        list_limit(top("sanctions"), &self.sanctions)?;
        for (i, r) in self.registrations.iter().flatten().enumerate() {
            text(&item("registrations", i, "body"), &r.body)?;
            text(&item("registrations", i, "credential"), &r.credential)?;
            if let Some(number) = &r.number {
                text(&item("registrations", i, "number"), number)?;
            }
        }
        for (i, d) in self.degrees.iter().flatten().enumerate() {
            text(&item("degrees", i, "title"), &d.title)?;
            text(&item("degrees", i, "institution"), &d.institution)?;
            if let Some(code) = &d.accredited_by {
                text(&item("degrees", i, "accredited_by"), code)?;
            }
            if let Some(by) = d.equivalence_assessment.as_ref().and_then(|e| e.by.as_ref()) {
                text(&|| item("degrees", i, "equivalence_assessment")().key("by"), by)?;
            }
        }
        for (i, e) in self.experience.iter().flatten().enumerate() {
            text(&item("experience", i, "employer"), &e.employer)?;
            text(&item("experience", i, "role"), &e.role)?;
        }
        for (i, c) in self.cpd.iter().flatten().enumerate() {
            text(&item("cpd", i, "activity"), &c.activity)?;
        }
        for (i, s) in self.sanctions.iter().flatten().enumerate() {
            if let Some(summary) = &s.summary {
                text_limits(item("sanctions", i, "summary"), summary, limit::TEXT, true)?;
            }
        }
        Ok(())
    }

    /// Checks what the types cannot: codes the rule set defines, periods in
    /// order, FTE and hours in range. Reports the first problem.
    fn check(&self, rules: &RuleSet) -> Result<(), Problem> {
        self.limits()?;
        let root = FieldPath::root();
        let body = |path: FieldPath, code: &str| -> Result<(), Problem> {
            if rules.bodies().contains_key(code) {
                Ok(())
            } else {
                Err(Problem::new(
                    path,
                    format!(
                        "unknown body `{code}` (the rule set defines {})",
                        listed(rules.bodies().keys())
                    ),
                ))
            }
        };
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
                format!(
                    "unknown discipline `{}` (the rule set defines {})",
                    self.discipline,
                    listed(rules.disciplines().keys())
                ),
            ));
        }
        for (i, registration) in self.registrations.iter().flatten().enumerate() {
            let at = root.key("registrations").index(i);
            body(at.key("body"), &registration.body)?;
            if !rules.has_credential(&registration.body, &registration.credential) {
                let known = rules
                    .bodies()
                    .get(&registration.body)
                    .map(|b| listed(b.credentials.iter().map(|c| &c.code)))
                    .unwrap_or_default();
                return Err(Problem::new(
                    at.key("credential"),
                    format!(
                        "unknown credential `{}` of body `{}` (it registers {known})",
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

#[cfg(test)]
mod malformed {
    use std::path::Path;

    use proptest::prelude::*;

    use super::Application;
    use crate::{load_dir, Error};

    const EXAMPLE: &str = include_str!("../../../fixtures/examples/spec-example.yaml");

    /// Tokens that break YAML and JSON in the ways people and attackers do.
    const TOKENS: &[&str] = &[
        "&a ",
        "*a",
        "!!str ",
        "!x ",
        "<<: ",
        "{",
        "}",
        "[",
        "]",
        ": ",
        "- ",
        "\t",
        "\"",
        "'",
        "null",
        "~",
        "true",
        "12",
        "1e400",
        "0.000000000001",
        "\u{feff}",
        "\u{1b}",
        "\n",
        "---\n",
        "%YAML 1.2\n",
        "#",
        "|",
        ">",
        "?",
        "@",
        "`",
        "\\",
        ",",
        "2025-02-30",
        "-1",
        "\u{0}",
    ];

    /// The example with a few edits at chosen places: a token inserted,
    /// bytes deleted, or the text cut short.
    fn mutated(text: &str) -> impl Strategy<Value = String> {
        let text = text.to_owned();
        proptest::collection::vec((0usize..text.len(), 0usize..TOKENS.len(), 0u8..3), 1..4).prop_map(
            move |edits| {
                let mut out = text.clone();
                for (at, token, kind) in edits {
                    let mut at = at.min(out.len());
                    while !out.is_char_boundary(at) {
                        at -= 1;
                    }
                    match kind {
                        0 => out.insert_str(at, TOKENS[token]),
                        1 => {
                            let mut end = (at + token + 1).min(out.len());
                            while !out.is_char_boundary(end) {
                                end -= 1;
                            }
                            out.replace_range(at..end, "");
                        }
                        _ => out.truncate(at),
                    }
                }
                out
            },
        )
    }

    fn check(name: &str, text: String) -> Result<(), TestCaseError> {
        let rules = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap();
        match Application::from_bytes(Path::new(name), text.into_bytes(), &rules) {
            Ok(_) => Ok(()),
            Err(err @ Error::Input { .. }) => {
                let shown = err.to_string();
                prop_assert!(shown.starts_with(name), "names the file: {}", shown);
                prop_assert_eq!(shown.lines().count(), 1, "one line: {}", shown);
                if let Error::Input {
                    position,
                    path,
                    message,
                    ..
                } = &err
                {
                    prop_assert!(
                        position.is_some()
                            || path != "."
                            || message.contains("missing field")
                            || message.contains("not UTF-8"),
                        "located: {}",
                        shown
                    );
                }
                Ok(())
            }
            Err(other) => Err(TestCaseError::fail(format!("not an input error: {other}"))),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn malformed_yaml_is_refused_with_a_located_error_never_a_panic(text in mutated(EXAMPLE)) {
            check("app.yaml", text)?;
        }

        #[test]
        fn malformed_json_is_refused_with_a_located_error_never_a_panic(
            text in mutated(r#"{"id": "J-1", "applied_on": "2025-09-15", "applicant": {"name": "A"}, "home_body": "PEC", "host_body": "CSE", "discipline": "civil", "cpd": [{"activity": "a", "hours": 40, "completed_on": "2024-05-10"}], "experience": [{"employer": "e", "role": "r", "from": "2018-09-01", "fte": 0.5}]}"#)
        ) {
            check("app.json", text)?;
        }
    }
}
