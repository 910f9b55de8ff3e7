//! A case as its chained entries say it is: a fold of them in ledger order,
//! with each corrected business date applied. Nothing about a case lives
//! outside the chain, so what `case show`, `case due` and the clocks
//! display can only disagree with the ledger if the ledger is broken — and
//! `ledger verify` says where.

use std::collections::BTreeMap;

use accord_core::rules::model::Outcome;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::chain::{Entry, Kind};
use crate::Error;

/// What became of an assessment when it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// It took effect on its date (a decision that needs no confirmation).
    TakesEffect,
    /// It awaits a second assessor's confirmation (clause 7.1).
    Proposed,
    /// It stopped the decision clock (clause 6.3: incomplete).
    StopsClock,
}

/// What an `opened` entry says besides its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedDetail {
    /// The file the first version came from.
    pub file_name: String,
    /// Home body of the application.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
}

/// What a `version` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDetail {
    /// The file it came from.
    pub file_name: String,
    /// The proposal it voided (clause 7.2), if one was waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voids: Option<i64>,
}

/// What an `assessed` entry says besides its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedDetail {
    /// The assessment date the decision was made for.
    pub as_of: NaiveDate,
    /// What became of it.
    pub effect: Effect,
}

/// What a `confirmed` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedDetail {
    /// The `assessed` entry confirmed.
    pub confirms: i64,
}

/// What a `review_requested` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequestedDetail {
    /// The entry of the decision reviewed; none for a deemed refusal.
    pub reviews: Option<i64>,
}

/// Whether a review kept the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewResult {
    /// The reviewed decision stands (same outcome).
    Upheld,
    /// The review's own decision replaces it.
    Replaced,
}

/// What a `review_decided` entry says besides its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecidedDetail {
    /// The `review_requested` entry decided.
    pub request: i64,
    /// The entry of the decision reviewed; none for a deemed refusal.
    pub reviews: Option<i64>,
    /// The assessment date used (the reviewed decision's).
    pub as_of: NaiveDate,
    /// Upheld or replaced.
    pub result: ReviewResult,
}

/// What a `corrected` entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedDetail {
    /// The entry whose business date is corrected.
    pub corrects: i64,
    /// Why.
    pub reason: String,
}

/// A business date with who recorded it, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    /// The business date (corrected, if it was).
    pub on: NaiveDate,
    /// The entry.
    pub entry: i64,
    /// Who.
    pub actor: Option<String>,
}

/// One received version of an application file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// 1, 2, ...
    pub number: i64,
    /// Date received (corrected, if it was).
    pub received_on: NaiveDate,
    /// The file name it came from.
    pub file_name: String,
    /// `sha256:` + hex of the bytes (stored once, by content).
    pub sha256: String,
    /// The entry that recorded it.
    pub entry: i64,
    /// Who recorded it.
    pub actor: Option<String>,
}

/// One assessment of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Its entry.
    pub entry: i64,
    /// The version assessed.
    pub version: i64,
    /// The outcome.
    pub outcome: Outcome,
    /// The assessment date.
    pub as_of: NaiveDate,
    /// The day it was made (corrected, if it was).
    pub on: NaiveDate,
    /// Who made it.
    pub actor: Option<String>,
    /// The rule set's fingerprint.
    pub ruleset: String,
    /// What became of it when recorded.
    pub effect: Effect,
    /// Voided by a newer version before it was confirmed (clause 7.2).
    pub voided: bool,
    /// Confirmed by.
    pub confirmed: Option<Dated>,
}

/// The decision in effect, and how it came to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// Its outcome.
    pub outcome: Outcome,
    /// The day it took effect.
    pub on: NaiveDate,
    /// The entry holding the decision (an assessment or a review decision).
    pub decision: i64,
    /// Who took part: the assessor, and the confirmer where there was one.
    pub participants: Vec<String>,
    /// Whether a review made it.
    pub by_review: bool,
}

/// A review requested, and its decision once made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewState {
    /// The request's receipt.
    pub requested: Dated,
    /// The decision reviewed (its entry); none for a deemed refusal.
    pub reviews: Option<i64>,
    /// The review's decision: its entry, day, reviewer, outcome and result.
    pub decided: Option<ReviewDecision>,
}

/// A review's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDecision {
    /// Its entry and day.
    pub dated: Dated,
    /// Its outcome.
    pub outcome: Outcome,
    /// Upheld or replaced.
    pub result: ReviewResult,
}

/// A case, whole, as its entries say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// The application's id.
    pub id: String,
    /// Home body.
    pub home_body: String,
    /// Host body.
    pub host_body: String,
    /// The rule set (fingerprint) it was opened under: its procedure governs the case.
    pub rules: String,
    /// Every version, oldest first.
    pub versions: Vec<Version>,
    /// The acknowledgement.
    pub acknowledged: Option<Dated>,
    /// Every assessment, in order.
    pub assessments: Vec<Assessment>,
    /// The decision in effect, if one took effect.
    pub effective: Option<Effective>,
    /// The day the first decision took effect (the decision clock's end),
    /// whatever a review did afterwards.
    pub decided_on: Option<NaiveDate>,
    /// Reviews, in order.
    pub reviews: Vec<ReviewState>,
    /// Corrected business dates: entry -> date.
    pub corrections: BTreeMap<i64, NaiveDate>,
    /// Every entry of the case, in ledger order.
    pub entries: Vec<Entry>,
}

fn detail<'a, T: Deserialize<'a>>(entry: &'a Entry) -> Result<T, Error> {
    serde_json::from_str(&entry.detail).map_err(|_| {
        Error::Corrupt(format!(
            "entry {}: its detail does not read as a `{}` entry",
            entry.seq,
            entry.kind.as_str()
        ))
    })
}

fn missing(entry: &Entry, what: &str) -> Error {
    Error::Corrupt(format!(
        "entry {}: a `{}` entry without its {what}",
        entry.seq,
        entry.kind.as_str()
    ))
}

impl Case {
    /// Folds a case's entries (in ledger order) into the case; `None` when
    /// they do not start with its opening.
    pub fn fold(entries: Vec<Entry>) -> Result<Option<Case>, Error> {
        let Some(first) = entries.first() else {
            return Ok(None);
        };
        if first.kind != Kind::Opened {
            return Ok(None);
        }
        let mut corrections = BTreeMap::new();
        for e in entries.iter().filter(|e| e.kind == Kind::Corrected) {
            let corrected: CorrectedDetail = detail(e)?;
            corrections.insert(corrected.corrects, e.on.ok_or_else(|| missing(e, "date"))?);
        }
        let opened: OpenedDetail = detail(first)?;
        let mut case = Case {
            id: first.case_id.clone().unwrap_or_default(),
            home_body: opened.home_body,
            host_body: opened.host_body,
            rules: first.ruleset.clone().unwrap_or_default(),
            versions: Vec::new(),
            acknowledged: None,
            assessments: Vec::new(),
            effective: None,
            decided_on: None,
            reviews: Vec::new(),
            corrections,
            entries: Vec::new(),
        };
        for entry in &entries {
            case.apply(entry)?;
            if case.decided_on.is_none() {
                case.decided_on = case.effective.as_ref().map(|e| e.on);
            }
        }
        case.entries = entries;
        Ok(Some(case))
    }

    /// The business date of `entry`, corrected if it was.
    pub fn date_of(&self, entry: &Entry) -> Option<NaiveDate> {
        self.corrections.get(&entry.seq).copied().or(entry.on)
    }

    fn dated(&self, entry: &Entry) -> Result<Dated, Error> {
        Ok(Dated {
            on: self.date_of(entry).ok_or_else(|| missing(entry, "date"))?,
            entry: entry.seq,
            actor: entry.actor.clone(),
        })
    }

    fn apply(&mut self, e: &Entry) -> Result<(), Error> {
        match e.kind {
            Kind::Opened | Kind::Version => {
                let file_name = if e.kind == Kind::Opened {
                    detail::<OpenedDetail>(e)?.file_name
                } else {
                    let version: VersionDetail = detail(e)?;
                    if let Some(voided) = version.voids {
                        if let Some(a) = self.assessments.iter_mut().find(|a| a.entry == voided) {
                            a.voided = true;
                        }
                    }
                    version.file_name
                };
                let dated = self.dated(e)?;
                self.versions.push(Version {
                    number: e.version.ok_or_else(|| missing(e, "version"))?,
                    received_on: dated.on,
                    file_name,
                    sha256: e.input_sha256.clone().ok_or_else(|| missing(e, "input"))?,
                    entry: e.seq,
                    actor: e.actor.clone(),
                });
            }
            Kind::Acknowledged => self.acknowledged = Some(self.dated(e)?),
            Kind::Assessed => {
                let assessed: AssessedDetail = detail(e)?;
                let dated = self.dated(e)?;
                let outcome = e.outcome.ok_or_else(|| missing(e, "outcome"))?;
                if assessed.effect == Effect::TakesEffect {
                    self.effective = Some(Effective {
                        outcome,
                        on: dated.on,
                        decision: e.seq,
                        participants: e.actor.iter().cloned().collect(),
                        by_review: false,
                    });
                }
                self.assessments.push(Assessment {
                    entry: e.seq,
                    version: e.version.ok_or_else(|| missing(e, "version"))?,
                    outcome,
                    as_of: assessed.as_of,
                    on: dated.on,
                    actor: e.actor.clone(),
                    ruleset: e.ruleset.clone().ok_or_else(|| missing(e, "rule set"))?,
                    effect: assessed.effect,
                    voided: false,
                    confirmed: None,
                });
            }
            Kind::Confirmed => {
                let confirmed: ConfirmedDetail = detail(e)?;
                let dated = self.dated(e)?;
                let proposal = self
                    .assessments
                    .iter_mut()
                    .find(|a| a.entry == confirmed.confirms)
                    .ok_or_else(|| missing(e, "proposal"))?;
                proposal.confirmed = Some(dated.clone());
                self.effective = Some(Effective {
                    outcome: proposal.outcome,
                    on: dated.on,
                    decision: proposal.entry,
                    participants: proposal.actor.iter().chain(e.actor.iter()).cloned().collect(),
                    by_review: false,
                });
            }
            Kind::ReviewRequested => {
                let requested: ReviewRequestedDetail = detail(e)?;
                self.reviews.push(ReviewState {
                    requested: self.dated(e)?,
                    reviews: requested.reviews,
                    decided: None,
                });
            }
            Kind::ReviewDecided => {
                let decided: ReviewDecidedDetail = detail(e)?;
                let dated = self.dated(e)?;
                let outcome = e.outcome.ok_or_else(|| missing(e, "outcome"))?;
                let review = self
                    .reviews
                    .iter_mut()
                    .find(|r| r.requested.entry == decided.request)
                    .ok_or_else(|| missing(e, "request"))?;
                review.decided = Some(ReviewDecision {
                    dated: dated.clone(),
                    outcome,
                    result: decided.result,
                });
                self.effective = Some(Effective {
                    outcome,
                    on: dated.on,
                    decision: e.seq,
                    participants: e.actor.iter().cloned().collect(),
                    by_review: true,
                });
            }
            Kind::Corrected => {}
            Kind::Decision
            | Kind::ActorAdded
            | Kind::ActorDisabled
            | Kind::TokenCreated
            | Kind::TokenRevoked => {
                return Err(Error::Corrupt(format!(
                    "entry {}: a `{}` entry among case `{}`'s events",
                    e.seq,
                    e.kind.as_str(),
                    self.id
                )))
            }
        }
        Ok(())
    }

    /// The latest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The date the case was first received.
    pub fn received_on(&self) -> Option<NaiveDate> {
        self.versions.first().map(|v| v.received_on)
    }

    /// The latest assessment of the current version.
    pub fn latest_of_current(&self) -> Option<&Assessment> {
        let current = self.current()?.number;
        self.assessments.iter().rev().find(|a| a.version == current)
    }

    /// The proposal awaiting confirmation, if there is one.
    pub fn pending_proposal(&self) -> Option<&Assessment> {
        self.latest_of_current()
            .filter(|a| a.effect == Effect::Proposed && !a.voided && a.confirmed.is_none())
    }

    /// The review requested and not yet decided, if there is one.
    pub fn pending_review(&self) -> Option<&ReviewState> {
        self.reviews.iter().rev().find(|r| r.decided.is_none())
    }

    /// The entry `seq` of this case.
    pub fn entry(&self, seq: i64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.seq == seq)
    }

    /// The first way the case's dates contradict each other, if any: what
    /// a correction must not bring about.
    pub fn inconsistency(&self) -> Option<String> {
        let received = self.received_on()?;
        for pair in self.versions.windows(2) {
            if let [earlier, later] = pair {
                if later.received_on < earlier.received_on {
                    return Some(format!(
                        "version {} would be received ({}) before version {} ({})",
                        later.number, later.received_on, earlier.number, earlier.received_on
                    ));
                }
            }
        }
        if let Some(ack) = &self.acknowledged {
            if ack.on < received {
                return Some(format!(
                    "the acknowledgement ({}) would come before the receipt ({received})",
                    ack.on
                ));
            }
        }
        for a in &self.assessments {
            let version = self.versions.iter().find(|v| v.number == a.version)?;
            if a.on < version.received_on {
                return Some(format!(
                    "the assessment of entry {} ({}) would come before version {}'s receipt ({})",
                    a.entry, a.on, a.version, version.received_on
                ));
            }
            if let Some(confirmed) = &a.confirmed {
                if confirmed.on < a.on {
                    return Some(format!(
                        "the confirmation ({}) would come before the proposal ({})",
                        confirmed.on, a.on
                    ));
                }
            }
        }
        for r in &self.reviews {
            if let Some(decided) = &r.decided {
                if decided.dated.on < r.requested.on {
                    return Some(format!(
                        "the review's decision ({}) would come before its request ({})",
                        decided.dated.on, r.requested.on
                    ));
                }
            }
        }
        None
    }
}
