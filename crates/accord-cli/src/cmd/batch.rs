//! `accord batch`: the batch use case with its records written as JSON
//! Lines or CSV, a progress bar on a terminal, and the summary as a table
//! on stderr and optionally as JSON.

use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

use accord_app::batch::{self, Options, Record, Summary};
use accord_app::contract::{Decision, ErrorRecord};
use accord_core::load_dir;
use accord_core::rules::model::Outcome;
use accord_core::rules::{clause_order, RuleSet};

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
    let progress = super::progress_bar();
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
    eprint!("{}", table(&summary));
    if let Some(path) = &args.summary {
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        write_atomically(path, &json)?;
    }
    Ok(Exit::from_ok(summary.rejected == 0))
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

/// The CSV's rows, formatted on the worker threads.
struct CsvRow<'a> {
    columns: &'a [String],
    comparing: bool,
    /// With `--outlook`: `expedited_on` and `granted_on` columns.
    outlook: bool,
}

impl CsvRow<'_> {
    fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = ["file", "application", "as_of", "outcome", "agreement", "ruleset"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        header.extend(self.columns.iter().map(|c| format!("clause {c}")));
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
        row.resize(6 + self.columns.len() + 4 + outlook, String::new());
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
        out.line(format!("  new {}: {}", c.new.len(), c.new.join(", ")));
        out.line(format!("  gone {}: {}", c.gone.len(), c.gone.join(", ")));
    }
    out.line(format!(
        "elapsed {:.3} s, {:.0} files/s",
        summary.elapsed_seconds, summary.files_per_second
    ));
    out.finish()
}
