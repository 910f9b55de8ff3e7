//! `accord batch`: the batch use case with its records written as JSON
//! Lines or CSV, a progress bar on a terminal, and the summary as a table
//! on stderr, optionally as JSON and as an HTML report.
//!
//! The CSV is for an office's spreadsheet: per clause its status with the
//! measure (`met_with_M2`) and, for clauses that count, the key figure in
//! its own column (`clause 3.3 days`); the bodies, discipline and reason of
//! each decision. The rule set's fingerprint is in the summary, once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Instant;

use accord_app::batch::{self, Options, Record, Summary};
use accord_app::contract::{Decision, ErrorRecord};
use accord_core::load_dir;
use accord_core::rules::model::{Criterion, Outcome};
use accord_core::rules::{clause_order, RuleSet};
use accord_eval::FigureValue;

use crate::cli::{BatchArgs, BatchFormat};
use crate::error::CliError;
use crate::escape::{self, Lines};
use crate::exit::Exit;
use crate::output::{write_atomically, Output};

/// Runs a batch.
pub fn run(args: &BatchArgs, context: &super::Context) -> Result<Exit, CliError> {
    let started = Instant::now();
    let rules = load_dir(&args.rules.rules)?;
    let previous = args.compare.as_deref().map(batch::read_previous).transpose()?;
    let cancel = super::interruptible();
    let columns = clause_columns(&rules);
    let output = Output::open(args.output.as_deref())?;
    let mut sink = Sink::new(
        args.format,
        output,
        CsvRow {
            columns: &columns,
            comparing: previous.is_some(),
            outlook: args.outlook,
        },
    )?;
    let mut register = if args.record {
        Some(accord_register::Register::open(
            &context.db,
            accord_register::Access::Write,
        )?)
    } else {
        None
    };
    let options = Options {
        rules: &rules,
        paths: &args.paths,
        as_of: args.as_of,
        jobs: super::jobs(args.jobs),
        previous: previous.as_ref(),
        outlook: args.outlook,
    };
    let csv = CsvRow {
        columns: &columns,
        comparing: previous.is_some(),
        outlook: args.outlook,
    };
    let progress = super::progress_bar(context);
    let run = batch::run(
        &options,
        register.as_mut().map(|register| batch::Recorder {
            register,
            actor: context.actor.as_deref(),
        }),
        cancel,
        started,
        |file, decision, changed| match args.format {
            BatchFormat::Jsonl => Decision::from(decision).with_previous_outcome(changed).to_line(),
            BatchFormat::Csv => csv.decision(file, &decision.decision, decision.outlook.as_ref(), changed),
        },
        |record| {
            progress.inc(1);
            sink.write(record, &csv)
        },
    );
    progress.finish_and_clear();
    let summary = run?;
    if super::interrupted() {
        return Ok(Exit::Interrupted);
    }
    sink.commit()?;
    if !context.quiet {
        say_part!("{}", table(&summary));
        if let Some(n) = summary.recorded {
            say!(
                "recorded {} in the ledger",
                accord_core::prose::count(n, "decision", "decisions")
            );
        }
    }
    if let Some(path) = &args.summary {
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        write_atomically(path, &json)?;
    }
    if let Some(path) = &args.report {
        write_atomically(path, accord_app::batch_report::html(&summary, &rules).as_bytes())?;
    }
    Ok(Exit::from_ok(summary.rejected == 0))
}

/// What a clause's figure column holds: the figure's name and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeyFigure {
    /// Counted days (`counted_days`).
    Days,
    /// CPD hours in the window (`hours`).
    Hours,
}

impl KeyFigure {
    fn of(criterion: &Criterion) -> Option<KeyFigure> {
        match criterion {
            Criterion::CountedDays(_) => Some(KeyFigure::Days),
            Criterion::HoursInWindow { .. } => Some(KeyFigure::Hours),
            _ => None,
        }
    }

    fn figure(self) -> &'static str {
        match self {
            KeyFigure::Days => "counted_days",
            KeyFigure::Hours => "hours",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            KeyFigure::Days => "days",
            KeyFigure::Hours => "hours",
        }
    }
}

/// One clause's columns: its status, and its key figure when it counts.
struct ClauseColumn {
    clause: String,
    /// The key figures this clause number has across the agreements: one
    /// gives a column in that unit; two (a clause number counting days in
    /// one agreement and hours in another) give a column whose cells carry
    /// their unit.
    figures: BTreeSet<KeyFigure>,
}

/// The clause columns of the CSV: every clause with a criterion in any
/// agreement, in clause order.
fn clause_columns(rules: &RuleSet) -> Vec<ClauseColumn> {
    let mut clauses: BTreeMap<&str, BTreeSet<KeyFigure>> = BTreeMap::new();
    for agreement in rules.agreements() {
        for clause in &agreement.clauses {
            if let Some(criterion) = &clause.criterion {
                clauses
                    .entry(clause.clause.as_str())
                    .or_default()
                    .extend(KeyFigure::of(criterion));
            }
        }
    }
    let mut columns: Vec<ClauseColumn> = clauses
        .into_iter()
        .map(|(clause, figures)| ClauseColumn {
            clause: clause.to_owned(),
            figures,
        })
        .collect();
    columns.sort_by(|a, b| clause_order(&a.clause, &b.clause));
    columns
}

/// The CSV's rows, formatted on the worker threads.
struct CsvRow<'a> {
    columns: &'a [ClauseColumn],
    comparing: bool,
    /// With `--outlook`: `expedited_on` and `granted_on` columns.
    outlook: bool,
}

/// The columns before the clauses.
const LEADING: [&str; 9] = [
    "file",
    "application",
    "as_of",
    "outcome",
    "agreement",
    "home_body",
    "host_body",
    "discipline",
    "reason",
];

impl CsvRow<'_> {
    /// Columns per clause, status and figure.
    fn clause_cells(&self) -> usize {
        self.columns
            .iter()
            .map(|c| 1 + usize::from(!c.figures.is_empty()))
            .sum()
    }

    fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = LEADING.iter().map(|s| (*s).to_owned()).collect();
        for c in self.columns {
            header.push(format!("clause {}", c.clause));
            let mut units = c.figures.iter();
            match (units.next(), units.next()) {
                (Some(only), None) => header.push(format!("clause {} {}", c.clause, only.unit())),
                (Some(_), Some(_)) => header.push(format!("clause {} figure", c.clause)),
                _ => {}
            }
        }
        header.extend(
            ["measures", "missing", "grants", "requirements"]
                .iter()
                .map(|s| (*s).to_owned()),
        );
        if self.outlook {
            header.extend(["expedited_on".to_owned(), "granted_on".to_owned()]);
        }
        header.push("error".to_owned());
        if self.comparing {
            header.push("previous_outcome".to_owned());
        }
        header
    }

    fn decision(
        &self,
        file: &str,
        d: &accord_eval::Decision,
        outlook: Option<&accord_eval::Outlook>,
        changed: Option<Outcome>,
    ) -> String {
        let mut row = vec![
            file.to_owned(),
            d.application.clone(),
            d.as_of.to_string(),
            d.outcome.as_str().to_owned(),
            d.agreement.clone().unwrap_or_default(),
            d.home_body.clone(),
            d.host_body.clone(),
            d.discipline.clone(),
            d.reason.clone(),
        ];
        for column in self.columns {
            let result = d.criteria.iter().find(|c| c.clause == column.clause);
            row.push(result.map(crate::render::status_token).unwrap_or_default());
            if column.figures.is_empty() {
                continue;
            }
            let both = column.figures.len() > 1;
            let figure = result.and_then(|c| {
                column.figures.iter().find_map(|key| {
                    c.figures
                        .iter()
                        .find(|f| f.name == key.figure())
                        .and_then(|f| match &f.value {
                            FigureValue::Number(n) if both => Some(format!("{n} {}", key.unit())),
                            FigureValue::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                })
            });
            row.push(figure.unwrap_or_default());
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
        if self.outlook {
            let on = |m: Option<&accord_eval::Milestone>| m.map(|m| m.on.to_string()).unwrap_or_default();
            row.push(on(outlook.and_then(|o| o.expedited_on.as_ref())));
            row.push(on(outlook.and_then(|o| o.granted_on.as_ref())));
        }
        row.push(String::new());
        if self.comparing {
            row.push(changed.map(|o| o.as_str().to_owned()).unwrap_or_default());
        }
        line(&row)
    }

    fn error(&self, file: &str, message: &str) -> String {
        let mut row = vec![file.to_owned()];
        let outlook = if self.outlook { 2 } else { 0 };
        row.resize(LEADING.len() + self.clause_cells() + 4 + outlook, String::new());
        row.push(message.to_owned());
        if self.comparing {
            row.push(String::new());
        }
        line(&row)
    }
}

/// One CSV record, quoted by the csv crate, with its line end; a cell a
/// spreadsheet would run as a formula is written as text.
fn line(row: &[String]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1024)
        .from_writer(Vec::with_capacity(512));
    let _ = writer.write_record(row.iter().map(|cell| escape::cell(cell).into_owned()));
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// Where records go, already formatted: JSON lines or CSV rows (header first).
struct Sink {
    format: BatchFormat,
    output: Output,
}

impl Sink {
    fn new(format: BatchFormat, mut output: Output, csv: CsvRow<'_>) -> Result<Sink, CliError> {
        if format == BatchFormat::Csv {
            let header = csv.header();
            output.write_all(line(&header).as_bytes())?;
        }
        Ok(Sink { format, output })
    }

    fn write(&mut self, record: Record<String>, csv: &CsvRow<'_>) -> Result<(), CliError> {
        let text = match record {
            Record::Skipped => return Ok(()),
            Record::Decided(text) => text,
            Record::Rejected { file, message } => match self.format {
                BatchFormat::Jsonl => ErrorRecord {
                    file: &file,
                    error: &message,
                }
                .to_line(),
                BatchFormat::Csv => csv.error(&file, &message),
            },
        };
        self.output.write_all(text.as_bytes())?;
        if self.format == BatchFormat::Jsonl {
            self.output.write_all(b"\n")?;
        }
        Ok(())
    }

    fn commit(self) -> Result<(), CliError> {
        Ok(crate::output::ignore_closed_pipe(self.output.commit())?)
    }
}

/// How many ids or files a line of the table on stderr names before
/// saying how many more there are (all are in `--summary` and `--report`).
const LISTED: usize = 20;

/// `a, b, c` or `a, b, c and 7 more`.
fn listed(items: &[String]) -> String {
    let shown = items.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    match items.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The summary as the table printed on stderr, every line escaped.
fn table(summary: &Summary) -> String {
    let mut out = Lines::new();
    out.line(format!("files seen {:>9}", summary.files_seen));
    out.line(format!("  decided  {:>9}", summary.decided));
    out.line(format!("  rejected {:>9}", summary.rejected));
    out.line(format!("  skipped  {:>9}", summary.skipped));
    out.line("outcomes");
    for outcome in Outcome::ALL {
        let count = summary.outcomes.get(outcome.as_str()).copied().unwrap_or(0);
        out.line(format!("  {:<12}{count:>9}", outcome.as_str()));
    }
    if !summary.not_met.is_empty() || !summary.unknown.is_empty() {
        out.line("clauses        not met   unknown");
        let mut clauses: Vec<&String> = summary.not_met.keys().chain(summary.unknown.keys()).collect();
        clauses.sort_by(|a, b| clause_order(a, b));
        clauses.dedup();
        for clause in clauses {
            let n = summary.not_met.get(clause).copied().unwrap_or(0);
            let u = summary.unknown.get(clause).copied().unwrap_or(0);
            out.line(format!("  {clause:<10}{n:>10}{u:>10}"));
        }
    }
    if let Some(c) = &summary.compare {
        out.line(format!("compared with {}", c.previous));
        out.line(format!("  unchanged {:>9}", c.unchanged));
        for (transition, count) in &c.transitions {
            out.line(format!("  {transition}: {count}"));
        }
        for (label, ids) in [("new", &c.new), ("gone", &c.gone)] {
            out.line(match ids.len() {
                0 => format!("  {label:<10}{:>9}", 0),
                n => format!("  {label:<10}{n:>9}: {}", listed(ids)),
            });
        }
    }
    if !summary.rejected_files.is_empty() {
        out.line("rejected files");
        for r in summary.rejected_files.iter().take(LISTED) {
            out.line(format!("  {}: {}", r.file, r.error));
        }
        if summary.rejected_files.len() > LISTED {
            out.line(format!(
                "  and {} more (all in --summary and --report)",
                summary.rejected_files.len() - LISTED
            ));
        }
    }
    out.line(format!("rule set {}", summary.ruleset));
    out.line(format!(
        "elapsed {:.3} s, {:.0} files/s",
        summary.elapsed_seconds, summary.files_per_second
    ));
    out.finish()
}
