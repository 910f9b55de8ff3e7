//! The one path from an application file to a decision, shared by every
//! use case that decides (assess, batch, impact, rule tests, the register).

use std::path::{Path, PathBuf};

use accord_core::{Application, Date, RuleSet};
use accord_eval::{Decision, Outlook, RuleGap};

/// Why a file could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// The file cannot be read, or is not a valid application.
    #[error(transparent)]
    Input(#[from] accord_core::Error),
    /// The rule set has a gap on the assessment date.
    #[error("{}: {gap}", .file.display())]
    Gap {
        /// The application file.
        file: PathBuf,
        /// What the rule set lacks.
        gap: RuleGap,
    },
}

/// Decides a checked application on `as_of`, or on its `applied_on` date.
pub fn decide(rules: &RuleSet, application: &Application, as_of: Option<Date>) -> Result<Decision, RuleGap> {
    let as_of = as_of.unwrap_or(application.applied_on());
    accord_eval::assess(rules, application, as_of.get())
}

/// Reads, parses and decides one application file.
pub fn decide_file(rules: &RuleSet, path: &Path, as_of: Option<Date>) -> Result<Decision, DecideError> {
    let application = Application::read(path, rules)?;
    decide(rules, &application, as_of).map_err(|gap| DecideError::Gap {
        file: path.to_path_buf(),
        gap,
    })
}

/// Like [`decide_file`] for bytes already read (the register's stored
/// inputs, a batch that records them): `name` gives the format and the
/// file named in errors.
pub fn decide_bytes(
    rules: &RuleSet,
    name: &Path,
    bytes: Vec<u8>,
    as_of: Option<Date>,
) -> Result<Decision, DecideError> {
    let application = Application::from_bytes(name, bytes, rules)?;
    decide(rules, &application, as_of).map_err(|gap| DecideError::Gap {
        file: name.to_path_buf(),
        gap,
    })
}

/// A decision and, when asked for, its outlook.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// The decision on the assessment date.
    pub decision: Decision,
    /// When time alone would change it (`spec/outlook.md`), if asked for.
    pub outlook: Option<Outlook>,
}

/// Decides `application` and, with `outlook`, looks ahead over the
/// contract's horizon.
pub fn assess(
    rules: &RuleSet,
    application: &Application,
    as_of: Option<Date>,
    outlook: bool,
) -> Result<Assessed, RuleGap> {
    let decision = decide(rules, application, as_of)?;
    let outlook = if outlook {
        Some(accord_eval::outlook(
            rules,
            application,
            &decision,
            accord_eval::HORIZON_DAYS,
        )?)
    } else {
        None
    };
    Ok(Assessed { decision, outlook })
}

/// Like [`decide_bytes`], with the outlook when asked for.
pub fn assess_bytes(
    rules: &RuleSet,
    name: &Path,
    bytes: Vec<u8>,
    as_of: Option<Date>,
    outlook: bool,
) -> Result<Assessed, DecideError> {
    let application = Application::from_bytes(name, bytes, rules)?;
    assess(rules, &application, as_of, outlook).map_err(|gap| DecideError::Gap {
        file: name.to_path_buf(),
        gap,
    })
}

/// Like [`decide_file`], with the outlook when asked for.
pub fn assess_file(
    rules: &RuleSet,
    path: &Path,
    as_of: Option<Date>,
    outlook: bool,
) -> Result<Assessed, DecideError> {
    assess_bytes(
        rules,
        path,
        accord_core::application::read_bytes(path)?,
        as_of,
        outlook,
    )
}
