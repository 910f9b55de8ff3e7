//! The decision letter: an [`Explanation`] written into one self-contained,
//! printable HTML page through a template.
//!
//! The wording is data: the default template is embedded in the binary
//! (`letter.html` beside this file), and a rule set overrides it with
//! `RULES/templates/letter.html`, so a council changes its letterhead and
//! sentences without code. Templates are Jinja (minijinja); every value
//! written into the page is HTML-escaped whatever the template does (the
//! application's strings may hold `<script>`), and a render is bounded
//! (fuel), so a template cannot loop without end.

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::explain::Explanation;

/// The default letter, embedded.
pub const DEFAULT_TEMPLATE: &str = include_str!("letter.html");

/// Where a rule set keeps its own letter, relative to the rule-set folder.
pub const TEMPLATE_PATH: &str = "templates/letter.html";

/// Instructions a render may execute: far beyond any letter (the default
/// letter of a file with 10,000 experience periods takes about a million),
/// short of a loop that would not end.
const FUEL: u64 = 20_000_000;

/// Why a letter cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The rule set's template cannot be read.
    #[error(transparent)]
    Read(#[from] accord_core::Error),
    /// The template is not valid, or failed while rendering.
    #[error("{}{}: {message}", .file.display(), .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template {
        /// The template file (`(default letter)` for the embedded one).
        file: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// The template a rule set in `rules_dir` uses: its own
/// `templates/letter.html` when present, else the default. Returns the
/// file it came from (for messages) and its text.
pub fn template(rules_dir: Option<&Path>) -> Result<(PathBuf, String), LetterError> {
    if let Some(path) = rules_dir.map(|d| d.join(TEMPLATE_PATH)).filter(|p| p.exists()) {
        let bytes = accord_core::file::read(&path, accord_core::file::Kind::Rules)?;
        let text = accord_core::rules::text_of(&path, bytes)?;
        return Ok((path, text));
    }
    Ok((PathBuf::from("(default letter)"), DEFAULT_TEMPLATE.to_owned()))
}

/// Writes `explanation` into the letter template `text` (read from `file`).
pub fn render(explanation: &Explanation, file: &Path, text: &str) -> Result<String, LetterError> {
    let fail = |err: minijinja::Error| LetterError::Template {
        file: file.to_path_buf(),
        line: err.line(),
        message: match err.detail() {
            Some(detail) => format!("{}: {detail}", err.kind()),
            None => err.kind().to_string(),
        },
    };
    let mut env = Environment::new();
    // Whatever the template's name: every value is escaped for HTML.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(FUEL));
    // `sentence`: the first letter capitalised, the rest as written
    // (Jinja's `capitalize` lowers the rest: `PEC PE` would become `Pec pe`).
    env.add_filter("sentence", |text: String| {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
            None => String::new(),
        }
    });
    env.add_template_owned("letter.html", text.to_owned())
        .map_err(fail)?;
    let template = env.get_template("letter.html").map_err(fail)?;
    template
        .render(minijinja::value::Serde(explanation))
        .map_err(fail)
}

/// The letter of `explanation` under the rule set in `rules_dir` (its
/// template, else the default).
pub fn letter(explanation: &Explanation, rules_dir: Option<&Path>) -> Result<String, LetterError> {
    let (file, text) = template(rules_dir)?;
    render(explanation, &file, &text)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use accord_core::load_dir;

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn explanation(yaml: &str) -> Explanation {
        let rules = load_dir(&root().join("rules")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, yaml).unwrap();
        crate::explain::assess_file(&rules, &file, None, true)
            .unwrap()
            .explanation(&rules)
    }

    #[test]
    fn hostile_strings_are_escaped_in_the_letter() {
        let spec = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
        let hostile = spec
            .replace(
                "name: Ayesha Khan",
                "name: \"<script>alert(1)</script> & 'Khan'\"",
            )
            .replace("role: Site engineer", "role: \"<img src=x onerror=alert(2)>\"");
        let html = letter(&explanation(&hostile), None).unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &#x27;Khan&#x27;"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn a_rule_set_template_overrides_the_default_and_is_escaped_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join(TEMPLATE_PATH),
            "<h1>Council of Engineers</h1><p>Dear {{ applicant }}: {{ outcome }}</p>",
        )
        .unwrap();
        let spec = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
        let e = explanation(&spec.replace("name: Ayesha Khan", "name: \"<b>A</b>\""));
        let html = letter(&e, Some(dir.path())).unwrap();
        assert_eq!(
            html,
            "<h1>Council of Engineers</h1><p>Dear &lt;b&gt;A&lt;&#x2f;b&gt;: expedited</p>"
        );
    }

    #[test]
    fn a_broken_template_is_an_error_naming_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join(TEMPLATE_PATH), "<p>\n{% for x in %}\n").unwrap();
        let spec = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
        let err = letter(&explanation(&spec), Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("templates/letter.html:2: syntax error"), "{err}");
    }

    #[test]
    fn a_template_that_never_ends_runs_out_of_fuel() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join(TEMPLATE_PATH),
            "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
        )
        .unwrap();
        let spec = std::fs::read_to_string(root().join("fixtures/examples/spec-example.yaml")).unwrap();
        let err = letter(&explanation(&spec), Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("fuel"), "{err}");
    }
}
