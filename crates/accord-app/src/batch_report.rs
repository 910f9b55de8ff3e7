//! The batch report: one self-contained HTML page for the office that ran
//! a batch — the outcomes as a bar chart, each clause's not-met and
//! unknown rates, the transitions against an earlier run (a from → to
//! table, with the files behind each), the applications new and gone, the
//! rejected files with their errors, and the rule set.
//!
//! Charts are inline SVG; nothing needs JavaScript and nothing is fetched
//! (no link, script, font or image from elsewhere). Every value from a
//! file or a rule set is HTML-escaped.

use std::fmt::Write as _;

use accord_core::rules::clause_order;
use accord_core::rules::model::Outcome;
use accord_core::RuleSet;

use crate::batch::Summary;

/// `text` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of an outcome's bar.
fn colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Expedited => "#2e7d32",
        Outcome::Conditional => "#c88a04",
        Outcome::Referred => "#b23c17",
        Outcome::Incomplete => "#6a4c9c",
        Outcome::Standard => "#9b1c1c",
    }
}

/// `12.5%` of `total`, or `0%` of nothing.
fn percent(count: u64, total: u64) -> String {
    if total == 0 {
        return "0%".to_owned();
    }
    let tenths = (count * 1000 + total / 2) / total;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

const STYLE: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 "Liberation Sans", Arial, sans-serif; color: #161616; max-width: 190mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 15pt; margin: 0 0 1mm; color: #1d3557; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; color: #1d3557; border-bottom: 1px solid #ccd; }
.meta { color: #555; font-size: 9pt; }
.counts { display: flex; gap: 3mm; margin: 3mm 0; }
.counts div { border: 1px solid #ccd; border-radius: 2mm; padding: 2mm 3mm; min-width: 28mm; }
.counts b { display: block; font-size: 14pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 1mm 0 3mm; }
th, td { border-bottom: 1px solid #dde; padding: 1mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef1f6; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.zero { color: #aaa; }
details { margin: 1mm 0; }
summary { cursor: pointer; }
.files { font: 8.5pt "Liberation Mono", monospace; column-width: 60mm; margin: 1mm 0 2mm 4mm; word-break: break-all; }
.error { font: 8.5pt "Liberation Mono", monospace; color: #9b1c1c; word-break: break-word; }
.fingerprint { font: 8.5pt "Liberation Mono", monospace; word-break: break-all; }
svg text { font: 9pt "Liberation Sans", Arial, sans-serif; }
"#;

/// The report of a batch run under `rules`, from its summary.
pub fn html(summary: &Summary, rules: &RuleSet) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let title = format!("Batch report: {}", rules.header().title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">Rule set {} — fingerprint <span class=\"fingerprint\" id=\"ruleset\">{}</span></p>",
        escape(&rules.header().id),
        escape(&summary.ruleset)
    );
    counts(&mut out, summary);
    outcomes(&mut out, summary);
    clauses(&mut out, summary);
    transitions(&mut out, summary);
    rejected(&mut out, summary);
    ruleset(&mut out, rules);
    out.push_str("</body>\n</html>\n");
    out
}

fn counts(out: &mut String, s: &Summary) {
    out.push_str("<div class=\"counts\" id=\"counts\">");
    for (label, n) in [
        ("files seen", s.files_seen),
        ("decided", s.decided),
        ("rejected", s.rejected),
        ("skipped", s.skipped),
    ] {
        let _ = write!(out, "<div><b data-count=\"{label}\">{n}</b>{label}</div>");
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{:.1} s, {:.0} files per second.</p>",
        s.elapsed_seconds, s.files_per_second
    );
}

/// The outcomes as a horizontal bar chart (inline SVG) and a table.
fn outcomes(out: &mut String, s: &Summary) {
    out.push_str("<h2>Outcomes</h2>\n");
    let max = Outcome::ALL
        .iter()
        .map(|o| s.outcomes.get(o.as_str()).copied().unwrap_or(0))
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_width, bar_width, row) = (110u64, 440u64, 26u64);
    let height = row * Outcome::ALL.len() as u64 + 4;
    let _ = writeln!(
        out,
        "<svg id=\"outcomes-chart\" role=\"img\" aria-label=\"Outcomes\" width=\"100%\" viewBox=\"0 0 680 {height}\">"
    );
    for (i, outcome) in Outcome::ALL.iter().enumerate() {
        let n = s.outcomes.get(outcome.as_str()).copied().unwrap_or(0);
        let y = i as u64 * row + 2;
        let width = n * bar_width / max;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_width}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"{}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\">{n} ({})</text>",
            y + 16,
            outcome.as_str(),
            row - 8,
            colour(*outcome),
            outcome.as_str(),
            label_width + width + 6,
            y + 16,
            percent(n, s.decided)
        );
    }
    out.push_str("</svg>\n<table id=\"outcomes\"><thead><tr><th>Outcome</th><th class=\"num\">Decisions</th><th class=\"num\">Share</th></tr></thead><tbody>\n");
    for outcome in Outcome::ALL {
        let n = s.outcomes.get(outcome.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\" data-outcome=\"{}\">{n}</td><td class=\"num\">{}</td></tr>",
            outcome.as_str(),
            outcome.as_str(),
            percent(n, s.decided)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Per clause: how often it was not met and unknown, with small bars.
fn clauses(out: &mut String, s: &Summary) {
    out.push_str("<h2>Clauses not met and unknown</h2>\n");
    let mut clauses: Vec<&String> = s.not_met.keys().chain(s.unknown.keys()).collect();
    clauses.sort_by(|a, b| clause_order(a, b));
    clauses.dedup();
    let bar = |n: u64, fill: &str| {
        let width = n.saturating_mul(120).checked_div(s.decided).unwrap_or(0);
        format!(
            "<svg width=\"124\" height=\"10\" viewBox=\"0 0 124 10\"><rect x=\"0\" y=\"1\" width=\"120\" height=\"8\" fill=\"#eef1f6\"/><rect x=\"0\" y=\"1\" width=\"{width}\" height=\"8\" fill=\"{fill}\"/></svg>"
        )
    };
    out.push_str("<table id=\"clauses\"><thead><tr><th>Clause</th><th class=\"num\">Not met</th><th class=\"num\">Rate</th><th></th><th class=\"num\">Unknown</th><th class=\"num\">Rate</th><th></th></tr></thead><tbody>\n");
    for clause in clauses {
        let n = s.not_met.get(clause).copied().unwrap_or(0);
        let u = s.unknown.get(clause).copied().unwrap_or(0);
        let zero = |x: u64| if x == 0 { " zero" } else { "" };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num{}\" data-not-met=\"{}\">{n}</td><td class=\"num{}\">{}</td><td>{}</td><td class=\"num{}\" data-unknown=\"{}\">{u}</td><td class=\"num{}\">{}</td><td>{}</td></tr>",
            escape(clause),
            zero(n),
            escape(clause),
            zero(n),
            percent(n, s.decided),
            bar(n, "#9b1c1c"),
            zero(u),
            escape(clause),
            zero(u),
            percent(u, s.decided),
            bar(u, "#6a4c9c")
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Against an earlier run: a from → to table, and the files behind each.
fn transitions(out: &mut String, s: &Summary) {
    let Some(c) = &s.compare else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2>Compared with {}</h2>\n<p>{} decisions unchanged; {} applications new, {} gone.</p>",
        escape(&c.previous),
        c.unchanged,
        c.new.len(),
        c.gone.len()
    );
    out.push_str("<table id=\"transitions\"><thead><tr><th>From \\ to</th>");
    for to in Outcome::ALL {
        let _ = write!(out, "<th class=\"num\">{}</th>", to.as_str());
    }
    out.push_str("</tr></thead><tbody>\n");
    for from in Outcome::ALL {
        let _ = write!(out, "<tr><th>{}</th>", from.as_str());
        for to in Outcome::ALL {
            let key = format!("{} -> {}", from.as_str(), to.as_str());
            match c.transitions.get(&key) {
                Some(n) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-transition=\"{}\">{n}</td>",
                        escape(&key)
                    );
                }
                None if from == to => out.push_str("<td class=\"num zero\">·</td>"),
                None => out.push_str("<td class=\"num zero\">0</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    for (key, files) in &c.transition_files {
        let _ = writeln!(
            out,
            "<details class=\"transition\"><summary>{} ({})</summary><div class=\"files\">{}</div></details>",
            escape(&key.replace("->", "→")),
            files.len(),
            files.iter().map(|f| escape(f)).collect::<Vec<_>>().join("<br>")
        );
    }
    for (label, ids) in [("New applications", &c.new), ("Applications gone", &c.gone)] {
        if !ids.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{label} ({})</summary><div class=\"files\">{}</div></details>",
                ids.len(),
                ids.iter().map(|f| escape(f)).collect::<Vec<_>>().join("<br>")
            );
        }
    }
}

fn rejected(out: &mut String, s: &Summary) {
    let _ = writeln!(out, "<h2>Rejected files ({})</h2>", s.rejected_files.len());
    if s.rejected_files.is_empty() {
        out.push_str("<p>None: every application file was decided.</p>\n");
        return;
    }
    out.push_str("<table id=\"rejected\"><thead><tr><th>File</th><th>Error</th></tr></thead><tbody>\n");
    for r in &s.rejected_files {
        let _ = writeln!(
            out,
            "<tr><td class=\"files\">{}</td><td class=\"error\">{}</td></tr>",
            escape(&r.file),
            escape(&r.error)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn ruleset(out: &mut String, rules: &RuleSet) {
    let _ = writeln!(
        out,
        "<h2>Rule set</h2>\n<p>{} ({}), fingerprint <span class=\"fingerprint\">{}</span>.</p>\n<ul>",
        escape(rules.header().title.as_str()),
        escape(&rules.header().id),
        escape(&rules.fingerprint().to_string())
    );
    for a in rules.agreements() {
        let _ = writeln!(
            out,
            "<li>{}: {} ({})</li>",
            escape(&a.id),
            escape(a.title.as_str()),
            escape(&a.parties.join(" – "))
        );
    }
    out.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_errors_are_escaped() {
        let rules =
            accord_core::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules"))
                .unwrap();
        let mut summary = Summary::new(&rules);
        summary.rejected = 1;
        summary.rejected_files.push(crate::batch::Rejected {
            file: "<script>alert(1)</script>.yaml".into(),
            error: "bad & \"worse\"".into(),
        });
        let html = html(&summary, &rules);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;.yaml"));
        assert!(html.contains("bad &amp; &quot;worse&quot;"));
        // Every outcome and clause is there, at 0.
        assert!(html.contains("data-outcome=\"referred\">0<"));
        assert!(html.contains("data-not-met=\"3.7\">0<"));
        assert!(!html.contains("<script") && !html.contains(" src=") && !html.contains("href="));
    }

    #[test]
    fn shares_are_rounded_to_a_tenth() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(0, 0), "0%");
    }
}
