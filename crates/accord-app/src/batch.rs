//! Re-assessing every application file under some paths: decided in
//! parallel, handed on in sorted path order whatever the thread count, with
//! a record for every file (decision or error), duplicate ids refused,
//! outcomes compared with an earlier run, optionally every decision recorded
//! in the ledger, and the tallies of the run.
//!
//! The caller chooses the record format (a closure run on the worker
//! threads, so that formatting is parallel too) and where records go.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use accord_core::rules::model::Outcome;
use accord_core::{Date, RuleSet};
use accord_eval::{Decision, Status};
use accord_register::{BatchDecision, Input, Register};
use serde::Serialize;

use crate::contract;
use crate::decide::Assessed;
use crate::ids::Ids;
use crate::pipeline;
use crate::walk::{walk, Found};

/// What to run.
pub struct Options<'a> {
    /// The rule set.
    pub rules: &'a RuleSet,
    /// Files, or directories walked recursively.
    pub paths: &'a [PathBuf],
    /// One assessment date for every application, instead of each one's `applied_on`.
    pub as_of: Option<Date>,
    /// Worker threads.
    pub jobs: usize,
    /// An earlier run to compare outcomes with.
    pub previous: Option<&'a Previous>,
    /// Also look ahead: each decision's outlook (`spec/outlook.md`).
    pub outlook: bool,
}

/// Where a recording run appends its decisions, and who records them.
pub struct Recorder<'r> {
    /// The register.
    pub register: &'r mut Register,
    /// The actor recording (an assessor).
    pub actor: Option<&'r str>,
}

/// What the caller receives for each file, in sorted path order.
pub enum Record<R> {
    /// A decision, formatted by the caller's formatter.
    Decided(R),
    /// A file that could not be decided, with the message `assess` gives.
    Rejected {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// Not an application file (counted, not assessed).
    Skipped,
}

/// An earlier batch output: application id -> outcome.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    /// Where it was read from.
    pub path: PathBuf,
    outcomes: HashMap<String, Outcome>,
}

impl Previous {
    /// The earlier outcome of `application`, if it was decided then.
    pub fn outcome(&self, application: &str) -> Option<Outcome> {
        self.outcomes.get(application).copied()
    }
}

/// Counts gathered as records are written. Every outcome and every clause
/// with a criterion is listed, with 0 where nothing counted, so that a
/// summary reads the same whatever the run found.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// The fingerprint of the rule set every decision was made under.
    pub ruleset: String,
    /// Files found (decided + rejected + skipped).
    pub files_seen: u64,
    /// Files decided.
    pub decided: u64,
    /// Files rejected (error records).
    pub rejected: u64,
    /// Files skipped (other extensions, link loops).
    pub skipped: u64,
    /// Decisions by outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Decisions in which each clause was not met.
    pub not_met: BTreeMap<String, u64>,
    /// Decisions in which each clause was unknown.
    pub unknown: BTreeMap<String, u64>,
    /// Each rejected file with its error, in path order.
    pub rejected_files: Vec<Rejected>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// Files seen per second.
    pub files_per_second: f64,
    /// With an earlier run: the comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Comparison>,
    /// With `--record`: the ledger entries written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<u64>,
}

/// How this run compares with a previous one.
#[derive(Debug, Default, Serialize)]
pub struct Comparison {
    /// The previous output compared with.
    pub previous: String,
    /// `previous -> current` outcome changes and their counts.
    pub transitions: BTreeMap<String, u64>,
    /// Decisions whose outcome did not change.
    pub unchanged: u64,
    /// Applications decided now and absent from the previous output.
    pub new: Vec<String>,
    /// Applications in the previous output and not decided now.
    pub gone: Vec<String>,
    /// The files behind each transition, in path order.
    pub transition_files: BTreeMap<String, Vec<String>>,
}

/// A file that could not be decided.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// The file.
    pub file: String,
    /// The message `assess` gives.
    pub error: String,
}

impl Summary {
    /// An empty summary for a run under `rules`: every outcome and every
    /// clause with a criterion at 0.
    pub fn new(rules: &RuleSet) -> Summary {
        let zeros = |clauses: &mut BTreeMap<String, u64>| {
            for agreement in rules.agreements() {
                for clause in agreement.clauses.iter().filter(|c| c.criterion.is_some()) {
                    clauses.insert(clause.clause.clone(), 0);
                }
            }
        };
        let mut summary = Summary {
            ruleset: rules.fingerprint().to_string(),
            outcomes: Outcome::ALL.iter().map(|o| (o.as_str().to_owned(), 0)).collect(),
            ..Summary::default()
        };
        zeros(&mut summary.not_met);
        zeros(&mut summary.unknown);
        summary
    }
}

/// One file, processed by a worker.
enum Processed<R> {
    Decided {
        file: String,
        decision: Box<Decision>,
        record: R,
        ledger: Option<(String, Vec<u8>)>,
    },
    Rejected {
        file: String,
        message: String,
    },
    Skipped,
}

/// Runs a batch. `format` turns a decision (with the earlier outcome, when
/// it changed) into the caller's record, on the worker threads; `sink`
/// receives every record in order. With a `recorder`, every decision is
/// also appended to its ledger, one transaction per 64. Stops early when
/// `cancel` is set (nothing more is recorded); returns the tallies.
pub fn run<R, E>(
    options: &Options<'_>,
    recorder: Option<Recorder<'_>>,
    cancel: &AtomicBool,
    started: Instant,
    format: impl Fn(&str, &Assessed, Option<Outcome>) -> R + Sync,
    mut sink: impl FnMut(Record<R>) -> Result<(), E>,
) -> Result<Summary, E>
where
    R: Send,
    E: From<accord_register::Error>,
{
    let recording = recorder.is_some();
    let ledger = match recorder {
        Some(recorder) => {
            // The rules are kept first, so that every decision recorded can
            // be replayed under them, and an actor without the right is
            // refused before any work.
            recorder
                .register
                .authorize(recorder.actor, accord_register::actor::Action::RecordDecisions)?;
            recorder.register.keep(options.rules)?;
            Some(Ledger {
                register: recorder.register,
                actor: recorder.actor,
                pending: Vec::new(),
                recorded: 0,
            })
        }
        None => None,
    };
    let mut state = State {
        summary: Summary::new(options.rules),
        ledger,
        ids: Ids::new(),
        new: Vec::new(),
        previous: options.previous,
    };
    let changed = |decision: &Decision| {
        let before = options.previous?.outcome(&decision.application)?;
        (before != decision.outcome).then_some(before)
    };
    pipeline::ordered(
        walk(options.paths),
        options.jobs,
        cancel,
        |found| process(found, options, recording, &format, &changed),
        |processed| {
            let record = state.take(processed)?;
            sink(record)
        },
    )?;
    if let Some(ledger) = state.ledger.as_mut() {
        if !cancel.load(Ordering::SeqCst) {
            ledger.flush()?;
        }
    }
    let recorded = state.ledger.as_ref().map(|l| l.recorded);
    let mut summary = state.finish(started);
    summary.recorded = recorded;
    Ok(summary)
}

/// The work of one file, done on a worker thread.
fn process<R>(
    found: Found,
    options: &Options<'_>,
    recording: bool,
    format: &impl Fn(&str, &Assessed, Option<Outcome>) -> R,
    changed: &impl Fn(&Decision) -> Option<Outcome>,
) -> Processed<R> {
    let path = match found {
        Found::Skipped => return Processed::Skipped,
        Found::Error { path, message } => {
            return Processed::Rejected {
                file: path.display().to_string(),
                message,
            }
        }
        Found::File(path) => path,
    };
    let file = path.display().to_string();
    // Read here rather than in decide_file so that a recording run keeps
    // the exact bytes it decided.
    let decided = accord_core::application::read_bytes(&path)
        .map_err(crate::decide::DecideError::from)
        .and_then(|bytes| {
            let input = recording.then(|| bytes.clone());
            crate::decide::assess_bytes(options.rules, &path, bytes, options.as_of, options.outlook)
                .map(|d| (d, input))
        });
    match decided {
        Ok((assessed, input)) => {
            let record = format(&file, &assessed, changed(&assessed.decision));
            // The ledger keeps the decision alone: an outlook is derived from it.
            let ledger = input.map(|bytes| (contract::Decision::from(&assessed.decision).to_line(), bytes));
            Processed::Decided {
                file,
                decision: Box::new(assessed.decision),
                record,
                ledger,
            }
        }
        Err(err) => Processed::Rejected {
            file,
            message: err.to_string(),
        },
    }
}

/// What the writer keeps across records: counts, and the ids seen so far.
struct State<'a, 'r> {
    summary: Summary,
    ledger: Option<Ledger<'r>>,
    ids: Ids,
    new: Vec<String>,
    previous: Option<&'a Previous>,
}

impl State<'_, '_> {
    fn take<R>(&mut self, processed: Processed<R>) -> Result<Record<R>, accord_register::Error> {
        self.summary.files_seen += 1;
        Ok(match processed {
            Processed::Skipped => {
                self.summary.skipped += 1;
                Record::Skipped
            }
            Processed::Rejected { file, message } => self.reject(file, message),
            Processed::Decided {
                file,
                decision,
                record,
                ledger,
            } => {
                if let Err(message) = self.ids.claim(&file, &decision.application) {
                    return Ok(self.reject(file, message));
                }
                self.count(&file, &decision);
                if let (Some(recorder), Some((json, bytes))) = (self.ledger.as_mut(), ledger) {
                    recorder.push(&file, &decision, json, bytes)?;
                }
                Record::Decided(record)
            }
        })
    }

    fn reject<R>(&mut self, file: String, message: String) -> Record<R> {
        self.summary.rejected += 1;
        self.summary.rejected_files.push(Rejected {
            file: file.clone(),
            error: message.clone(),
        });
        Record::Rejected { file, message }
    }

    fn count(&mut self, file: &str, decision: &Decision) {
        let s = &mut self.summary;
        s.decided += 1;
        *s.outcomes
            .entry(decision.outcome.as_str().to_owned())
            .or_default() += 1;
        for c in &decision.criteria {
            match c.status {
                Status::NotMet => *s.not_met.entry(c.clause.clone()).or_default() += 1,
                Status::Unknown => *s.unknown.entry(c.clause.clone()).or_default() += 1,
                Status::Met => {}
            }
        }
        if let Some(previous) = self.previous {
            match previous.outcome(&decision.application) {
                Some(before) if before != decision.outcome => {
                    let key = format!("{} -> {}", before.as_str(), decision.outcome.as_str());
                    let comparison = s.compare.get_or_insert_with(Comparison::default);
                    *comparison.transitions.entry(key.clone()).or_default() += 1;
                    comparison
                        .transition_files
                        .entry(key)
                        .or_default()
                        .push(file.to_owned());
                }
                Some(_) => s.compare.get_or_insert_with(Comparison::default).unchanged += 1,
                None => self.new.push(decision.application.clone()),
            }
        }
    }

    fn finish(mut self, started: Instant) -> Summary {
        let elapsed = started.elapsed().as_secs_f64();
        self.summary.elapsed_seconds = elapsed;
        self.summary.files_per_second = if elapsed > 0.0 {
            self.summary.files_seen as f64 / elapsed
        } else {
            0.0
        };
        if let Some(previous) = self.previous {
            let mut comparison = self.summary.compare.take().unwrap_or_default();
            comparison.previous = previous.path.display().to_string();
            comparison.new = std::mem::take(&mut self.new);
            let mut gone: Vec<String> = previous
                .outcomes
                .keys()
                .filter(|id| !self.ids.contains(id))
                .cloned()
                .collect();
            gone.sort();
            comparison.gone = gone;
            self.summary.compare = Some(comparison);
        }
        self.summary
    }
}

/// Reads an earlier batch output (JSON Lines): application id -> outcome.
/// Error records (`{"file", "error"}`) have no application and are passed
/// over. The file is read line by line (a run of 200,000 files is hundreds
/// of megabytes; only the outcomes are kept), each line within a bound.
pub fn read_previous(path: &Path) -> Result<Previous, accord_core::Error> {
    use std::io::{BufRead, BufReader, Read};
    #[derive(serde::Deserialize)]
    struct Line {
        application: Option<String>,
        outcome: Option<String>,
    }
    let located = |line: usize, column: usize, field: &str, message: String| accord_core::Error::Input {
        file: path.to_path_buf(),
        position: Some(accord_core::source::Position { line, column }),
        path: field.into(),
        message,
    };
    let (file, _) = accord_core::file::open_regular(path)?;
    let limit = accord_core::file::Kind::BatchLine.limit();
    let mut reader = BufReader::new(file);
    let mut outcomes = HashMap::new();
    let mut bytes = Vec::new();
    for number in 1.. {
        bytes.clear();
        let read = (&mut reader)
            .take(limit + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|source| accord_core::Error::Io {
                file: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            break;
        }
        if bytes.len() as u64 > limit {
            return Err(located(
                number,
                1,
                ".",
                format!(
                    "a line longer than {}: not the output of `accord batch`",
                    accord_core::file::size_text(limit)
                ),
            ));
        }
        let text = String::from_utf8_lossy(&bytes);
        if text.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&text).map_err(|err| {
            let expected = "--compare reads the JSON Lines that `accord batch` writes by default";
            if !text.trim_start().starts_with('{') {
                let kind = if number == 1 && text.starts_with("file,") {
                    "this looks like CSV"
                } else {
                    "not JSON"
                };
                return located(
                    number,
                    1,
                    ".",
                    format!("not a line of batch output ({kind}: {expected})"),
                );
            }
            let detail = err.to_string();
            let detail = detail.split(" at line ").next().unwrap_or_default();
            located(
                number,
                err.column(),
                ".",
                format!("not a line of batch output ({expected}): {detail}"),
            )
        })?;
        if let (Some(id), Some(outcome)) = (parsed.application, parsed.outcome) {
            let Some(outcome) = Outcome::parse(&outcome) else {
                return Err(located(
                    number,
                    1,
                    "outcome",
                    format!("unknown outcome `{outcome}`"),
                ));
            };
            outcomes.insert(id, outcome);
        }
    }
    Ok(Previous {
        path: path.to_path_buf(),
        outcomes,
    })
}

/// Decisions on their way to the ledger: appended one transaction per
/// chunk, so a run of 20,000 files takes 313 commits, not 20,000.
struct Ledger<'r> {
    register: &'r mut Register,
    actor: Option<&'r str>,
    pending: Vec<BatchDecision>,
    /// Entries written so far.
    recorded: u64,
}

/// Entries per ledger transaction.
const LEDGER_CHUNK: usize = 64;

impl Ledger<'_> {
    fn push(
        &mut self,
        file: &str,
        decision: &Decision,
        json: String,
        bytes: Vec<u8>,
    ) -> Result<(), accord_register::Error> {
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
        self.pending.push(BatchDecision {
            case_id: decision.application.clone(),
            input: Input::new(&name, bytes),
            ruleset: decision.ruleset.to_string(),
            outcome: decision.outcome,
            json,
        });
        if self.pending.len() >= LEDGER_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), accord_register::Error> {
        if !self.pending.is_empty() {
            let entries = self.register.record(self.actor, &self.pending)?;
            self.recorded += entries.len() as u64;
            self.pending.clear();
        }
        Ok(())
    }
}
