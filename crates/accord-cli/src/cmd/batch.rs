//! `accord batch`: every application file under some paths, decided in
//! parallel, written in sorted path order whatever the thread count, with a
//! record for every file (decision or error) and a summary at the end.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use accord_core::rules::model::Outcome;
use accord_core::rules::{clause_order, RuleSet};
use accord_core::{load_dir, Date};
use accord_eval::{Decision, Status};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{BatchArgs, BatchFormat};
use crate::contract::{DecisionJson, ErrorJson};
use crate::error::CliError;
use crate::output::{write_atomically, Output};
use crate::pipeline;
use crate::summary::{Comparison, Summary};
use crate::walk::{walk, Found};

use super::ids::Ids;

/// Set by SIGINT/SIGTERM: the run stops, and its output file is not written.
pub(super) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit status of an interrupted run (128 + SIGINT), as shells report it.
pub(super) const EXIT_INTERRUPTED: u8 = 130;

/// One file, processed by a worker: its record is already formatted.
pub enum Processed {
    /// A decision, with the input's bytes when the run records to the ledger.
    Decided {
        file: String,
        decision: Box<Decision>,
        record: Record,
        input: Option<Vec<u8>>,
    },
    /// A file that could not be decided.
    Rejected { file: String, message: String },
    /// Not an application file.
    Skipped,
}

/// A formatted record.
pub enum Record {
    /// A JSON line.
    Json(String),
    /// A CSV row.
    Csv(Vec<String>),
}

/// Runs a batch.
pub fn run(args: &BatchArgs) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let rules = load_dir(&args.rules.rules)?;
    let previous = match &args.compare {
        Some(path) => Some(read_previous(path)?),
        None => None,
    };
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let jobs = args.jobs.map_or_else(default_jobs, |n| n.get());
    let columns = clause_columns(&rules);
    let output = Output::open(args.output.as_deref())?;
    let mut sink = Sink::new(args.format, output, &columns, previous.is_some())?;
    let format = Formatter {
        format: args.format,
        columns: &columns,
        previous: previous.as_ref(),
    };
    let mut state = State::new(previous.is_some(), progress_bar(), &args.paths, &rules);
    if args.record {
        state.ledger = Some(Ledger {
            register: accord_register::Register::open(&args.db.db)?,
            pending: Vec::new(),
        });
    }
    let run = pipeline::ordered(
        walk(&args.paths),
        jobs,
        &INTERRUPTED,
        |found| process(found, &rules, args.as_of, &format, args.record),
        |processed| state.write(processed, &format, &mut sink),
    );
    state.progress.finish_and_clear();
    run?;
    if let Some(ledger) = state.ledger.as_mut() {
        if !INTERRUPTED.load(Ordering::SeqCst) {
            ledger.flush()?;
        }
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        eprintln!("accord: interrupted; no output written");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    sink.commit()?;
    let summary = state.finish(previous, args.compare.as_deref(), started);
    eprint!("{}", summary.table());
    if let Some(path) = &args.summary {
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        write_atomically(path, &json)?;
    }
    Ok(if summary.rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(super) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(super) fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} files {per_sec} {elapsed}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Formats records; shared read-only by the workers.
pub struct Formatter<'a> {
    format: BatchFormat,
    columns: &'a [String],
    previous: Option<&'a HashMap<String, String>>,
}

impl Formatter<'_> {
    /// The previous outcome, when it differs from this one.
    fn changed(&self, decision: &Decision) -> Option<String> {
        let previous = self.previous?.get(&decision.application)?;
        (previous != decision.outcome.as_str()).then(|| previous.clone())
    }

    /// The decision contract alone, as one line, for the ledger: the JSONL
    /// record itself unless it carries a `previous_outcome`.
    fn contract_line(&self, decision: &Decision, record: &Record) -> String {
        match record {
            Record::Json(line) if self.changed(decision).is_none() => line.clone(),
            _ => DecisionJson::from(decision).to_line(),
        }
    }

    fn decision(&self, file: &str, decision: &Decision) -> Record {
        let changed = self.changed(decision);
        match self.format {
            BatchFormat::Jsonl => Record::Json(
                DecisionJson::from(decision)
                    .with_previous_outcome(changed)
                    .to_line(),
            ),
            BatchFormat::Csv => Record::Csv(self.decision_row(file, decision, changed)),
        }
    }

    fn decision_row(&self, file: &str, d: &Decision, changed: Option<String>) -> Vec<String> {
        let mut row = vec![
            file.to_owned(),
            d.application.clone(),
            d.as_of.to_string(),
            d.outcome.as_str().to_owned(),
            d.agreement.clone().unwrap_or_default(),
            d.ruleset.to_string(),
        ];
        for column in self.columns {
            let status = d
                .criteria
                .iter()
                .find(|c| &c.clause == column)
                .map(|c| c.status.as_str());
            row.push(status.unwrap_or_default().to_owned());
        }
        let join = |items: Vec<String>| items.join("; ");
        row.push(join(d.measures.iter().map(|m| m.id.clone()).collect()));
        row.push(join(d.missing.clone()));
        row.push(
            d.grant
                .as_ref()
                .map(|g| format!("{} {}", g.body, g.credential))
                .unwrap_or_default(),
        );
        row.push(join(d.requirements.iter().map(|r| r.id.clone()).collect()));
        row.push(String::new());
        if self.previous.is_some() {
            row.push(changed.unwrap_or_default());
        }
        row
    }

    fn error(&self, file: &str, message: &str) -> Record {
        match self.format {
            BatchFormat::Jsonl => Record::Json(ErrorJson { file, error: message }.to_line()),
            BatchFormat::Csv => {
                let mut row = vec![file.to_owned()];
                row.resize(6 + self.columns.len() + 4, String::new());
                row.push(message.to_owned());
                if self.previous.is_some() {
                    row.push(String::new());
                }
                Record::Csv(row)
            }
        }
    }
}

/// The work of one file, done on a worker thread.
fn process(
    found: Found,
    rules: &RuleSet,
    as_of: Option<Date>,
    format: &Formatter<'_>,
    keep_input: bool,
) -> Processed {
    match found {
        Found::Skipped => Processed::Skipped,
        Found::Error { path, message } => Processed::Rejected {
            file: path.display().to_string(),
            message,
        },
        Found::File(path) => {
            let file = path.display().to_string();
            // Read here rather than in decide_file so that a recording run
            // keeps the exact bytes it decided.
            let decided = std::fs::read(&path)
                .map_err(|source| accord_core::Error::Io {
                    file: path.clone(),
                    source,
                })
                .and_then(|bytes| {
                    let input = keep_input.then(|| bytes.clone());
                    super::decide_bytes(rules, &path, bytes, as_of).map(|d| (d, input))
                });
            match decided {
                Ok((decision, input)) => {
                    let record = format.decision(&file, &decision);
                    Processed::Decided {
                        file,
                        decision: Box::new(decision),
                        record,
                        input,
                    }
                }
                Err(err) => Processed::Rejected {
                    file,
                    message: err.to_string(),
                },
            }
        }
    }
}

/// What the writer keeps across records: counts, and the ids seen so far.
struct State<'a> {
    summary: Summary,
    ledger: Option<Ledger>,
    ids: Ids<'a>,
    position: u64,
    new: Vec<String>,
    comparing: bool,
    progress: ProgressBar,
}

impl<'a> State<'a> {
    fn new(comparing: bool, progress: ProgressBar, roots: &'a [PathBuf], rules: &'a RuleSet) -> State<'a> {
        State {
            summary: Summary::default(),
            ledger: None,
            ids: Ids::new(roots, rules),
            position: 0,
            new: Vec::new(),
            comparing,
            progress,
        }
    }

    fn write(
        &mut self,
        processed: Processed,
        format: &Formatter<'_>,
        sink: &mut Sink,
    ) -> Result<(), CliError> {
        self.progress.inc(1);
        self.summary.files_seen += 1;
        let position = self.position;
        self.position += 1;
        let record = match processed {
            Processed::Skipped => {
                self.summary.skipped += 1;
                return Ok(());
            }
            Processed::Rejected { file, message } => {
                self.summary.rejected += 1;
                format.error(&file, &message)
            }
            Processed::Decided {
                file,
                decision,
                record,
                input,
            } => {
                if let Some(message) = self.ids.duplicate(&file, &decision.application) {
                    self.summary.rejected += 1;
                    format.error(&file, &message)
                } else {
                    self.count(&decision, format);
                    self.ids.record(&decision.application, position);
                    if let (Some(ledger), Some(bytes)) = (self.ledger.as_mut(), input) {
                        ledger.push(&file, &decision, format.contract_line(&decision, &record), bytes)?;
                    }
                    record
                }
            }
        };
        sink.write(record)
    }

    fn count(&mut self, decision: &Decision, format: &Formatter<'_>) {
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
        if let Some(previous) = format.previous {
            match previous.get(&decision.application) {
                Some(before) if before != decision.outcome.as_str() => {
                    let key = format!("{before} -> {}", decision.outcome.as_str());
                    let comparison = s.compare.get_or_insert_with(Comparison::default);
                    *comparison.transitions.entry(key).or_default() += 1;
                }
                Some(_) => s.compare.get_or_insert_with(Comparison::default).unchanged += 1,
                None => self.new.push(decision.application.clone()),
            }
        }
    }

    fn finish(
        mut self,
        previous: Option<HashMap<String, String>>,
        compared_with: Option<&Path>,
        started: Instant,
    ) -> Summary {
        let elapsed = started.elapsed().as_secs_f64();
        self.summary.elapsed_seconds = elapsed;
        self.summary.files_per_second = if elapsed > 0.0 {
            self.summary.files_seen as f64 / elapsed
        } else {
            0.0
        };
        if self.comparing {
            let mut comparison = self.summary.compare.take().unwrap_or_default();
            comparison.previous = compared_with.map(|p| p.display().to_string()).unwrap_or_default();
            comparison.new = std::mem::take(&mut self.new);
            let mut gone: Vec<String> = previous
                .into_iter()
                .flatten()
                .map(|(id, _)| id)
                .filter(|id| !self.ids.contains(id))
                .collect();
            gone.sort();
            comparison.gone = gone;
            self.summary.compare = Some(comparison);
        }
        self.summary
    }
}

/// The clause columns of the CSV: every clause with a criterion in any
/// agreement, in clause order.
fn clause_columns(rules: &RuleSet) -> Vec<String> {
    let set: HashSet<&str> = rules
        .agreements()
        .iter()
        .flat_map(|a| {
            a.clauses
                .iter()
                .filter(|c| c.criterion.is_some())
                .map(|c| c.clause.as_str())
        })
        .collect();
    let mut columns: Vec<String> = set.into_iter().map(str::to_owned).collect();
    columns.sort_by(|a, b| clause_order(a, b));
    columns
}

/// Where records go: JSON lines straight to the output, CSV rows through a
/// CSV library (so quoting is right), header first.
pub enum Sink {
    /// JSON Lines.
    Jsonl(Output),
    /// CSV.
    Csv(Box<csv::Writer<Output>>),
}

impl Sink {
    fn new(
        format: BatchFormat,
        output: Output,
        columns: &[String],
        comparing: bool,
    ) -> Result<Sink, CliError> {
        if format == BatchFormat::Jsonl {
            return Ok(Sink::Jsonl(output));
        }
        let mut header: Vec<String> = ["file", "application", "as_of", "outcome", "agreement", "ruleset"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        header.extend(columns.iter().map(|c| format!("clause {c}")));
        header.extend(
            ["measures", "missing", "grants", "requirements", "error"]
                .iter()
                .map(|s| (*s).to_owned()),
        );
        if comparing {
            header.push("previous_outcome".to_owned());
        }
        let mut writer = csv::Writer::from_writer(output);
        writer.write_record(&header).map_err(csv_error)?;
        Ok(Sink::Csv(Box::new(writer)))
    }

    fn write(&mut self, record: Record) -> Result<(), CliError> {
        match (self, record) {
            (Sink::Jsonl(output), Record::Json(line)) => {
                output.write_all(line.as_bytes())?;
                output.write_all(b"\n")?;
            }
            (Sink::Csv(writer), Record::Csv(row)) => writer.write_record(&row).map_err(csv_error)?,
            _ => {}
        }
        Ok(())
    }

    fn commit(self) -> Result<(), CliError> {
        let output = match self {
            Sink::Jsonl(output) => output,
            Sink::Csv(writer) => writer
                .into_inner()
                .map_err(|e| CliError::Output(e.into_error()))?,
        };
        Ok(crate::output::ignore_closed_pipe(output.commit())?)
    }
}

fn csv_error(err: csv::Error) -> CliError {
    CliError::Output(std::io::Error::other(err))
}

/// Reads an earlier batch output: application id -> outcome. Error records
/// (`{"file", "error"}`) have no application and are passed over.
fn read_previous(path: &Path) -> Result<HashMap<String, String>, CliError> {
    #[derive(serde::Deserialize)]
    struct Line {
        application: Option<String>,
        outcome: Option<String>,
    }
    let text = accord_core::rules::read_text(path)?;
    let mut previous = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(line).map_err(|err| accord_core::Error::Input {
            file: path.to_path_buf(),
            position: Some(accord_core::source::Position {
                line: number + 1,
                column: err.column(),
            }),
            path: ".".into(),
            message: format!("not a batch output line: {err}"),
        })?;
        if let (Some(id), Some(outcome)) = (parsed.application, parsed.outcome) {
            if !Outcome::ALL.iter().any(|o| o.as_str() == outcome) {
                return Err(accord_core::Error::Input {
                    file: path.to_path_buf(),
                    position: Some(accord_core::source::Position {
                        line: number + 1,
                        column: 1,
                    }),
                    path: "outcome".into(),
                    message: format!("unknown outcome `{outcome}`"),
                }
                .into());
            }
            previous.insert(id, outcome);
        }
    }
    Ok(previous)
}

/// Decisions on their way to the ledger: appended one transaction per
/// chunk, so a run of 20,000 files takes 313 commits, not 20,000.
struct Ledger {
    register: accord_register::Register,
    pending: Vec<accord_register::NewEntry>,
}

/// Entries per ledger transaction.
const LEDGER_CHUNK: usize = 64;

impl Ledger {
    fn push(
        &mut self,
        file: &str,
        decision: &Decision,
        json: String,
        bytes: Vec<u8>,
    ) -> Result<(), CliError> {
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
        self.pending.push(accord_register::NewEntry {
            case_id: decision.application.clone(),
            version: None,
            input: accord_register::Input::new(&name, bytes),
            ruleset: decision.ruleset.to_string(),
            decision: json,
        });
        if self.pending.len() >= LEDGER_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CliError> {
        if !self.pending.is_empty() {
            self.register.record(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }
}
