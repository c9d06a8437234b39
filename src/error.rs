//! The root crate's error type: scenario files, counterfactual runs, reports and plots.

use std::fmt::Write as _;
use std::ops::Range;

use cge_calibrate::CalibrateError;
use cge_core::CoreError;

/// Everything that can go wrong while reading a scenario, running it or writing its reports.
///
/// Errors in a scenario file carry the file, line and column, what was expected and what was
/// found, and the closest valid names for an unknown name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file that cannot be read as a scenario, with its position.
    #[error("{file}:{line}:{column}: {message}{}", snippet_text(.snippet))]
    Scenario {
        /// The file (or `<scenario>` for a string).
        file: String,
        /// Line (1-based).
        line: usize,
        /// Column (1-based, in characters).
        column: usize,
        /// What is wrong: what was expected and what was found.
        message: String,
        /// The offending line with a caret under the error, when known.
        snippet: Option<String>,
    },
    /// An invalid shock or setting built in Rust (no file position).
    #[error("{context}: {message}")]
    Invalid {
        /// Where: the counterfactual and shock, or the setting.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A counterfactual whose equilibrium the solver did not find.
    #[error("{}", not_solved_text(.counterfactual, .reason, .worst, .continuation_tried))]
    NotSolved {
        /// The counterfactual.
        counterfactual: String,
        /// The solver's account: termination reason, iterations, final error.
        reason: String,
        /// The equations with the largest residuals at the last iterate, largest first.
        worst: Vec<(String, f64)>,
        /// Whether the shock was already applied in steps (continuation).
        continuation_tried: bool,
    },
    /// An error of the model algebra (building, shocking or solving a model).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error of the calibrated datasets.
    #[error(transparent)]
    Calibrate(#[from] CalibrateError),
    /// A file that cannot be read or written.
    #[error("cannot {action} `{path}`: {message}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

fn snippet_text(snippet: &Option<String>) -> String {
    snippet
        .as_ref()
        .map(|s| format!("\n{s}"))
        .unwrap_or_default()
}

fn not_solved_text(
    name: &str,
    reason: &str,
    worst: &[(String, f64)],
    continuation_tried: &bool,
) -> String {
    let mut s = format!("counterfactual `{name}` did not solve: {reason}");
    if !worst.is_empty() {
        s.push_str("\n  largest residuals at the last iterate:");
        for (eq, r) in worst {
            let _ = write!(s, "\n    {eq:<48} {r:+.3e}");
        }
    }
    if *continuation_tried {
        s.push_str(
            "\n  hint: the shock was already applied in steps; check that it is feasible \
             (an endowment, quota or tax that leaves a market without supply), or try \
             `[solver] method = \"dogleg\"` or more `continuation_steps`",
        );
    } else {
        s.push_str(
            "\n  hint: apply the shock in steps: add `continuation = true` under [solver] \
             (or `--continuation` on the command line), or split it into smaller shocks",
        );
    }
    s
}

impl Error {
    /// An error at byte range `span` of `text`, read from `file`.
    pub(crate) fn at(
        file: &str,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, span.start);
        Error::Scenario {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            snippet: Some(snippet(text, span)),
        }
    }

    /// Wraps an error in a context (the counterfactual and shock).
    pub(crate) fn invalid(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            context: context.into(),
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The line holding `span.start`, numbered, with carets under the span (one line at most).
fn snippet(text: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let (line_no, column) = line_column(text, start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let end = span.end.clamp(start, line_end);
    let width = text[start..end].chars().count().max(1);
    let gutter = line_no.to_string().len();
    format!(
        "{:gutter$} |\n{line_no} | {line}\n{:gutter$} | {}{}",
        "",
        "",
        " ".repeat(column - 1),
        "^".repeat(width)
    )
}

/// Rewrites a serde message "invalid type: string \"a\", expected f64" as "expected a number,
/// found the string \"a\"".
pub(crate) fn humanize(message: &str) -> String {
    let message = message.trim();
    let rename = |s: &str| -> String {
        match s.trim() {
            "f64" | "f32" => "a number".into(),
            "usize" | "u64" | "u32" | "i64" | "i32" => "an integer".into(),
            "a boolean" | "bool" => "true or false".into(),
            other => other.to_string(),
        }
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                return format!("expected {}, found {}", rename(expected), found.trim());
            }
        }
    }
    message.to_string()
}

/// Up to three names closest to `name`, best first (the algebra's own rule, shared by every
/// "unknown name" message).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    cge_core::closest_names(name, candidates)
}

/// " (did you mean `a` or `b`?)", or nothing.
pub(crate) fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!(" (did you mean {}?)", quoted.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_say_expected_and_found() {
        assert_eq!(
            humanize("invalid type: string \"a\", expected f64"),
            "expected a number, found string \"a\""
        );
        assert_eq!(humanize("missing field `name`"), "missing field `name`");
    }

    #[test]
    fn errors_at_a_span_show_the_line() {
        let text = "a = 1\nrate = \"x\"\n";
        let e = Error::at("s.toml", text, 13..16, "expected a number");
        let shown = e.to_string();
        assert!(
            shown.starts_with("s.toml:2:8: expected a number"),
            "{shown}"
        );
        assert!(shown.contains("2 | rate = \"x\""), "{shown}");
        assert!(shown.contains("       ^^^"), "{shown}");
    }

    #[test]
    fn closest_names_rank_by_distance() {
        assert_eq!(closest("tarif", ["tariff", "wedge", "quota"]), ["tariff"]);
        assert!(closest("zzzzzz", ["tariff"]).is_empty());
    }

    #[test]
    fn not_solved_suggests_continuation() {
        let e = Error::NotSolved {
            counterfactual: "big".into(),
            reason: "Stalled".into(),
            worst: vec![("market clearance `PL`".into(), 1.5)],
            continuation_tried: false,
        };
        let s = e.to_string();
        assert!(
            s.contains("market clearance `PL`") && s.contains("continuation = true"),
            "{s}"
        );
    }
}
