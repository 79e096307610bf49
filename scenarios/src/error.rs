//! Scenario errors. Each displays as one message a user can act on: where
//! (`file:line:column`), which item (a field path such as
//! `nodes[0].interfaces[0].address`, or `links[2] (h1-r1)`), and what was
//! expected, with a "did you mean" when a name is close to a known one.

use std::fmt;
use std::path::PathBuf;

/// Where in a scenario source something is: the origin (file path or another
/// label) and, when known, a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file path or label given to the loader.
    pub origin: String,
    /// 1-based `(line, column)`, when known.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}", self.origin),
            None => f.write_str(&self.origin),
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file could not be read.
    #[error("cannot read scenario {}: {source}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The text is not a well-formed scenario: bad syntax, an unknown field or
    /// variant, a missing field, a value of the wrong type or format.
    #[error("{location}: {}{message}", path_prefix(path))]
    Parse {
        /// Where the parser stopped.
        location: Location,
        /// The field path, e.g. `links[0].delay` (empty at the top level).
        path: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A `--set PATH=VALUE` override could not be applied.
    #[error("--set {spec}: {message}")]
    Override {
        /// The override as given (or only its path, when the path is wrong).
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// The scenario is well formed but inconsistent: an unknown node, a
    /// duplicate address, an out-of-range value… One line per problem.
    #[error("{}", join_lines(problems))]
    Invalid {
        /// Every problem found, in the order of the file.
        problems: Vec<Problem>,
    },
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

fn join_lines(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
    lines.join("\n")
}

/// One semantic problem of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the offending item is written.
    pub location: Location,
    /// The item, e.g. `links[2] (h1-r1)` or `nodes[0] (h1).gateway`.
    pub item: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.item, self.message)
    }
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    let limit = match word.chars().count() {
        0..=3 => 1,
        4..=6 => 2,
        _ => 3,
    };
    // Fewest edits first; among equals, the longest common start, so "r1"
    // suggests "r9" before "h1"; then the first candidate.
    let mut best: Option<(usize, usize, &str)> = None;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let cand_l = cand.to_lowercase();
        let d = strsim::damerau_levenshtein(&word_l, &cand_l);
        let prefix = word_l
            .chars()
            .zip(cand_l.chars())
            .take_while(|(a, b)| a == b)
            .count();
        if d <= limit && best.is_none_or(|(bd, bp, _)| d < bd || (d == bd && prefix > bp)) {
            best = Some((d, prefix, cand));
        }
    }
    best.map(|(_, _, c)| c)
}

/// `, did you mean "x"?` or nothing.
pub(crate) fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!(", did you mean {c:?}?"))
        .unwrap_or_default()
}

/// `a, b, c`, or `none` when empty.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// Rewrites serde's generic messages into our shape:
/// `invalid type: string "abc", expected u64` → `expected u64, got string "abc"`;
/// `unknown field `x`, expected one of `a`, `b`` → with a did-you-mean.
pub(crate) fn rewrite_serde_message(msg: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        let split = msg
            .strip_prefix(prefix)
            .and_then(|r| r.split_once(", expected "));
        if let Some((got, expected)) = split {
            return format!("expected {expected}, got {}", got.replace('`', ""));
        }
    }
    for (prefix, noun) in [
        ("unknown field `", "field"),
        ("unknown variant `", "variant"),
    ] {
        let split = msg
            .strip_prefix(prefix)
            .and_then(|r| r.split_once("`, expected "));
        if let Some((found, expected)) = split {
            let names = expected_names(expected);
            return unknown_name(noun, found, &names);
        }
    }
    msg.to_string()
}

/// Parses serde's `one of `a`, `b`` / `a` or `b`` / `` `a` `` lists.
fn expected_names(expected: &str) -> Vec<&str> {
    expected
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect()
}

/// `unknown field "dealy", did you mean "delay"? (expected one of: a, b)`.
pub(crate) fn unknown_name(noun: &str, found: &str, expected: &[&str]) -> String {
    let hint = suggestion(found, expected.iter().copied());
    if expected.is_empty() {
        format!("unknown {noun} {found:?} (this takes no {noun}s)")
    } else {
        format!(
            "unknown {noun} {found:?}{hint} (expected one of: {})",
            list(expected.iter().copied())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["name", "a", "b", "rate", "delay", "mtu"];
        assert_eq!(did_you_mean("dealy", fields), Some("delay"));
        assert_eq!(did_you_mean("rtae", fields), Some("rate"));
        assert_eq!(
            did_you_mean("Hots", ["Host", "Router", "Switch"]),
            Some("Host")
        );
        assert_eq!(
            did_you_mean("host", ["Host", "Router", "Switch"]),
            Some("Host")
        );
        assert_eq!(did_you_mean("bandwidth", fields), None);
        assert_eq!(did_you_mean("r1", ["h1", "r9", "h2"]), Some("r9"));
    }

    #[test]
    fn rewrites_serde_messages() {
        assert_eq!(
            rewrite_serde_message("invalid type: string \"abc\", expected u64"),
            "expected u64, got string \"abc\""
        );
        assert_eq!(
            rewrite_serde_message("unknown field `q`, expected `p`"),
            "unknown field \"q\", did you mean \"p\"? (expected one of: p)"
        );
        assert_eq!(
            rewrite_serde_message(
                "unknown variant `Bernouli`, expected one of `None`, `Bernoulli`, `GilbertElliott`"
            ),
            "unknown variant \"Bernouli\", did you mean \"Bernoulli\"? (expected one of: None, Bernoulli, GilbertElliott)"
        );
    }
}
