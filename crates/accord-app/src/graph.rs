//! The rule set drawn, for auditors' documents and READMEs: the bodies and
//! the agreements joining them (who recognises whom: one edge per
//! agreement, never a path through a third body), the schedules and the
//! bodies they list, and for each agreement its clauses with what each
//! depends on and the order of precedence, step by step.
//!
//! Two notations of the same graph: Graphviz DOT and a Mermaid flowchart.
//! Every label is data from the rule set, so each is escaped for its
//! notation; node names are generated, never taken from the data.

use std::fmt::Write as _;

use accord_core::rules::model::{Agreement, Condition, Criterion};
use accord_core::RuleSet;

/// A node of the drawing: its generated name and its label.
struct Node {
    id: String,
    label: String,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Body,
    Schedule,
    Clause,
    Criterion,
    Step,
}

/// An edge and how it is drawn.
struct Edge {
    from: String,
    to: String,
    label: Option<String>,
    style: Style,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// An agreement: mutual recognition.
    Agreement,
    /// A schedule listing a body, or a clause citing a schedule.
    Lists,
    /// A clause depending on another.
    DependsOn,
    /// The next step of the order of precedence.
    Next,
}

/// An agreement's part of the drawing.
struct Cluster {
    id: String,
    label: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// The whole drawing, notation aside.
struct Drawing {
    title: String,
    nodes: Vec<Node>,
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
}

/// How to read the drawing, written into it as a comment.
const LEGEND: &str = "Bodies are joined by one edge per agreement (mutual recognition, never through a third body); \
a schedule points to the bodies it lists, with the date each was listed; in each agreement, a clause points \
(dotted) to the clauses it depends on, a criterion for recognised education to its schedule, and the order of \
precedence runs step by step, the first step that holds deciding.";

fn body_id(index: usize) -> String {
    format!("b{index}")
}

fn drawing(rules: &RuleSet) -> Drawing {
    let bodies: Vec<&String> = rules.bodies().keys().collect();
    let body = |code: &str| bodies.iter().position(|b| b.as_str() == code).map(body_id);
    let mut nodes: Vec<Node> = rules
        .bodies()
        .values()
        .enumerate()
        .map(|(i, b)| Node {
            id: body_id(i),
            label: format!("{} — {}", b.code, b.name),
            kind: Kind::Body,
        })
        .collect();
    let mut edges = Vec::new();
    let schedules: Vec<&String> = rules.schedules().keys().collect();
    let schedule = |id: &str| {
        schedules
            .iter()
            .position(|s| s.as_str() == id)
            .map(|i| format!("s{i}"))
    };
    for (i, s) in rules.schedules().values().enumerate() {
        let id = format!("s{i}");
        nodes.push(Node {
            id: id.clone(),
            label: format!("{}: {}", s.clause, s.title),
            kind: Kind::Schedule,
        });
        for entry in &s.entries {
            if let Some(to) = body(&entry.body) {
                edges.push(Edge {
                    from: id.clone(),
                    to,
                    label: Some(format!("since {}", entry.since)),
                    style: Style::Lists,
                });
            }
        }
    }
    let mut clusters = Vec::new();
    for (a, agreement) in rules.agreements().iter().enumerate() {
        if let [first, second] = agreement.parties.as_slice() {
            if let (Some(from), Some(to)) = (body(first), body(second)) {
                edges.push(Edge {
                    from,
                    to,
                    label: Some(agreement.id.clone()),
                    style: Style::Agreement,
                });
            }
        }
        clusters.push(cluster(a, agreement, &schedule, &mut edges));
    }
    Drawing {
        title: format!("{} ({})", rules.header().title, rules.fingerprint()),
        nodes,
        clusters,
        edges,
    }
}

fn cluster(
    a: usize,
    agreement: &Agreement,
    schedule: &impl Fn(&str) -> Option<String>,
    outer: &mut Vec<Edge>,
) -> Cluster {
    let clause_id = |number: &str| {
        agreement
            .clauses
            .iter()
            .position(|c| c.clause == number)
            .map(|i| format!("a{a}c{i}"))
    };
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, clause) in agreement.clauses.iter().enumerate() {
        let id = format!("a{a}c{i}");
        let kind = match &clause.criterion {
            Some(criterion) => {
                if let Criterion::RecognisedEducation(rule) = criterion {
                    if let Some(to) = schedule(&rule.schedule) {
                        outer.push(Edge {
                            from: id.clone(),
                            to,
                            label: None,
                            style: Style::Lists,
                        });
                    }
                }
                Kind::Criterion
            }
            None => Kind::Clause,
        };
        nodes.push(Node {
            id: id.clone(),
            label: format!("{} {}", clause.clause, clause.title),
            kind,
        });
        for dependency in &clause.depends_on {
            if let Some(to) = clause_id(dependency) {
                edges.push(Edge {
                    from: id.clone(),
                    to,
                    label: None,
                    style: Style::DependsOn,
                });
            }
        }
    }
    for (i, step) in agreement.decision.precedence.iter().enumerate() {
        let id = format!("a{a}p{i}");
        let when: Vec<String> = step.when.iter().map(condition).collect();
        let label = if step.when.contains(&Condition::Always) {
            format!("{}. {} otherwise", i + 1, step.outcome.as_str())
        } else {
            format!("{}. {} when {}", i + 1, step.outcome.as_str(), when.join(", or "))
        };
        nodes.push(Node {
            id: id.clone(),
            label,
            kind: Kind::Step,
        });
        if i > 0 {
            edges.push(Edge {
                from: format!("a{a}p{}", i - 1),
                to: id,
                label: Some("else".to_owned()),
                style: Style::Next,
            });
        }
    }
    Cluster {
        id: format!("a{a}"),
        label: format!(
            "{}: {} (order of precedence: clause {})",
            agreement.id, agreement.title, agreement.decision.clause
        ),
        nodes,
        edges,
    }
}

fn condition(condition: &Condition) -> String {
    match condition {
        Condition::OutOfScope => "out of scope".to_owned(),
        // The step holds when any one of its clauses is not met: never "clauses 3.1 and 3.2 not met".
        Condition::NotMet(clauses) => format!("{} not met", accord_core::prose::any_clause(clauses)),
        Condition::AnyUnknown => "any criterion unknown".to_owned(),
        Condition::AnyMeasure => "any measure applies".to_owned(),
        Condition::Always => "always".to_owned(),
    }
}

/// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The rule set as a Graphviz DOT digraph (`dot -Tsvg`).
pub fn dot(rules: &RuleSet) -> String {
    let d = drawing(rules);
    let mut out = String::new();
    let _ = writeln!(out, "// {LEGEND}");
    let _ = writeln!(out, "digraph accord {{");
    let _ = writeln!(out, "  label={};", dot_text(&d.title));
    let _ = writeln!(out, "  labelloc=t; rankdir=LR; fontname=\"Helvetica\";");
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    let shape = |kind: Kind| match kind {
        Kind::Body => "shape=box, style=\"rounded,filled\", fillcolor=\"#e8eef7\"",
        Kind::Schedule => "shape=folder",
        Kind::Clause => "shape=note, color=\"#888888\"",
        Kind::Criterion => "shape=box",
        Kind::Step => "shape=cds, style=filled, fillcolor=\"#fff4e0\"",
    };
    let node = |n: &Node| format!("{} [label={}, {}];", n.id, dot_text(&n.label), shape(n.kind));
    for n in &d.nodes {
        let _ = writeln!(out, "  {}", node(n));
    }
    let style = |s: Style| match s {
        Style::Agreement => "dir=both, penwidth=2, color=\"#1d3557\"",
        Style::Lists => "style=dashed",
        Style::DependsOn => "style=dotted, arrowhead=empty",
        Style::Next => "",
    };
    let edge = |e: &Edge| {
        let label = e
            .label
            .as_deref()
            .map(|l| format!("label={}, ", dot_text(l)))
            .unwrap_or_default();
        format!("{} -> {} [{label}{}];", e.from, e.to, style(e.style))
    };
    for c in &d.clusters {
        let _ = writeln!(out, "  subgraph cluster_{} {{", c.id);
        let _ = writeln!(out, "    label={};", dot_text(&c.label));
        for n in &c.nodes {
            let _ = writeln!(out, "    {}", node(n));
        }
        for e in &c.edges {
            let _ = writeln!(out, "    {}", edge(e));
        }
        let _ = writeln!(out, "  }}");
    }
    for e in &d.edges {
        let _ = writeln!(out, "  {}", edge(e));
    }
    let _ = writeln!(out, "}}");
    out
}

/// Mermaid label text: quotes and angle brackets as entity codes, one line.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The rule set as a Mermaid flowchart, for Markdown documents.
pub fn mermaid(rules: &RuleSet) -> String {
    let d = drawing(rules);
    let mut out = String::new();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "title: {}", mermaid_text(&d.title));
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "flowchart LR");
    let _ = writeln!(out, "  %% {LEGEND}");
    let node = |n: &Node| {
        let label = mermaid_text(&n.label);
        match n.kind {
            Kind::Body => format!("{}([{label}])", n.id),
            Kind::Schedule => format!("{}[[{label}]]", n.id),
            Kind::Clause => format!("{}[/{label}/]", n.id),
            Kind::Criterion => format!("{}[{label}]", n.id),
            Kind::Step => format!("{}{{{{{label}}}}}", n.id),
        }
    };
    let edge = |e: &Edge| {
        let arrow = match e.style {
            Style::Agreement => "<==>",
            Style::Lists => "-.->",
            Style::DependsOn => "-.->",
            Style::Next => "-->",
        };
        match &e.label {
            Some(label) => format!("{} {arrow}|{}| {}", e.from, mermaid_text(label), e.to),
            None => format!("{} {arrow} {}", e.from, e.to),
        }
    };
    for n in &d.nodes {
        let _ = writeln!(out, "  {}", node(n));
    }
    for c in &d.clusters {
        let _ = writeln!(out, "  subgraph {}[{}]", c.id, mermaid_text(&c.label));
        for n in &c.nodes {
            let _ = writeln!(out, "    {}", node(n));
        }
        for e in &c.edges {
            let _ = writeln!(out, "    {}", edge(e));
        }
        let _ = writeln!(out, "  end");
    }
    for e in &d.edges {
        let _ = writeln!(out, "  {}", edge(e));
    }
    out
}

/// Snapshots of both notations for the bundled rules: their diffs are
/// reviewed like code (`INSTA_UPDATE=always cargo test` to accept).
#[cfg(test)]
mod tests {
    use std::path::Path;

    use accord_core::load_dir;

    fn bundled() -> accord_core::RuleSet {
        load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap()
    }

    #[test]
    fn the_bundled_rules_as_dot() {
        insta::assert_snapshot!(super::dot(&bundled()));
    }

    #[test]
    fn the_bundled_rules_as_mermaid() {
        insta::assert_snapshot!(super::mermaid(&bundled()));
    }

    #[test]
    fn recognition_is_drawn_per_agreement_never_through_a_third_body() {
        let pec_ea =
            load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rulesets/pec-ea")).unwrap();
        let dot = super::dot(&pec_ea);
        let agreements = dot.lines().filter(|l| l.contains("dir=both")).count();
        assert_eq!(agreements, pec_ea.agreements().len());
    }

    #[test]
    fn issue_14_a_step_that_any_clause_triggers_reads_as_any_not_all() {
        let dot = super::dot(&bundled());
        assert!(
            dot.contains(
                "standard when out of scope, or any of clauses 3.1, 3.2, 3.3, 3.4, 3.5 or 3.6 not met"
            ),
            "{dot}"
        );
        assert!(dot.contains("referred when clause 3.7 not met"), "{dot}");
        assert!(!dot.contains("and 3.6 not met"), "{dot}");
    }

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(super::dot_text("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(
            super::mermaid_text("x\"]; click y <b>#"),
            "\"x#quot;]; click y #lt;b#gt;#35;\""
        );
    }
}
