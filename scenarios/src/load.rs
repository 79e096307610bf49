//! Loading a scenario: read, parse (RON), apply `--set` overrides, validate.
//!
//! Parse errors carry the line and column ron reports for the offending token
//! and the field path tracked by `serde_path_to_error`, rewritten in the
//! scenario's vocabulary: `nodes[0].interfaces[0].address` (enum variant names
//! such as `Host` are left out of paths, as they are not fields).
//!
//! RON extensions always on: `implicit_some` (write `gateway: "10.0.1.1"` for an
//! optional field) and `unwrap_variant_newtypes` (write `Host(name: "h1")`).

use std::path::Path;

use ron::error::{Error as RonError, SpannedError};
use ron::extensions::Extensions;
use serde_path_to_error::{Path as FieldPath, Segment};

use crate::error::{Location, ScenarioError, rewrite_serde_message, unknown_name};
use crate::locate::{SourceMap, token_before, unclosed_comment};
use crate::schema::Scenario;

/// Reads, parses, overrides and validates the scenario file at `path`.
///
/// `overrides` are `PATH=VALUE` strings as given to `--set`, applied in order.
/// The result is validated and normalized (see [`crate::validate()`]).
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(&text, &path.display().to_string(), overrides)
}

/// Parses, overrides and validates scenario `text`. `origin` names the source in
/// messages (usually the file path).
pub fn load_str(text: &str, origin: &str, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let scenario = parse_str(text, origin)?;
    let (scenario, overridden) = crate::overrides::apply_tracked(scenario, overrides)?;
    crate::validate::validate_with(scenario, origin, text, &overridden)
}

/// The RON options scenario files are read with.
pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Parses scenario `text` without overrides or semantic validation.
pub fn parse_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let options = ron_options();
    let mut de = ron::Deserializer::from_str_with_options(text, &options)
        .map_err(|e| parse_error(text, origin, &e, String::new()))?;
    let scenario: Result<Scenario, _> = serde_path_to_error::deserialize(&mut de);
    match scenario {
        Ok(scenario) => {
            if let Err(code) = de.end() {
                let e = de.span_error(code);
                return Err(parse_error(text, origin, &e, String::new()));
            }
            Ok(scenario)
        }
        Err(e) => {
            let path = e.path().clone();
            let code = e.into_inner();
            let path = field_path(&path, &code);
            let spanned = de.span_error(code);
            Err(parse_error(text, origin, &spanned, path))
        }
    }
}

/// Formats a serde path as `links[0].a_to_b.loss`, leaving out enum variant
/// names and unknown segments. For an unknown field the path names the struct
/// that has no such field, not the field itself.
fn field_path(path: &FieldPath, code: &RonError) -> String {
    let mut segments: Vec<&Segment> = path
        .iter()
        .filter(|s| matches!(s, Segment::Seq { .. } | Segment::Map { .. }))
        .collect();
    if let RonError::NoSuchStructField { found, .. } = code {
        if matches!(segments.last(), Some(Segment::Map { key }) if key == found) {
            segments.pop();
        }
    }
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Turns a ron error into our message, pointing at the offending token.
fn parse_error(text: &str, origin: &str, e: &SpannedError, path: String) -> ScenarioError {
    // ron's span may start at the whitespace before the offending token.
    let start = skip_whitespace(text, (e.span.start.line, e.span.start.col));
    let (position, message) = describe(text, &path, &e.code, start);
    ScenarioError::Parse {
        location: Location {
            origin: origin.to_string(),
            position: Some(position),
        },
        path,
        message,
    }
}

/// The position and message for one ron error code.
fn describe(
    text: &str,
    path: &str,
    code: &RonError,
    start: (usize, usize),
) -> ((usize, usize), String) {
    let msg = match code {
        RonError::NoSuchStructField {
            expected, found, ..
        } => {
            let msg = unknown_name("field", found, expected);
            // `At(…) At(…)`: a type name where a field should be means the
            // previous value was not closed.
            if found.starts_with(|c: char| c.is_ascii_uppercase()) {
                format!("{msg}; is a \")\" missing before it?")
            } else {
                msg
            }
        }
        RonError::NoSuchEnumVariant {
            expected, found, ..
        } => unknown_name("variant", found, expected),
        RonError::MissingStructField { field, .. } => {
            format!("missing required field {field:?}")
        }
        RonError::DuplicateStructField { field, .. } => {
            format!("field {field:?} is given twice")
        }
        RonError::Message(m) => rewrite_serde_message(m),
        RonError::InvalidValueForType { expected, found } => {
            format!("expected {expected}, got {found}")
        }
        RonError::ExpectedDifferentStructName { expected, found } => {
            format!("expected {expected}(…) here, got {found:?}")
        }
        RonError::ExpectedComma => {
            // ron stops at the token after the missing comma; point just after
            // the value that wants one, or at a string that swallowed lines.
            return match token_before(text, start) {
                Some(prev) if prev.multiline_string => (
                    prev.start,
                    "this string runs over several lines: is its closing '\"' missing?".to_string(),
                ),
                Some(prev) => (
                    prev.end,
                    "expected \",\" here (or a closing bracket)".to_string(),
                ),
                None => (
                    start,
                    "expected \",\" here (or a closing bracket)".to_string(),
                ),
            };
        }
        RonError::Eof | RonError::ExpectedArrayEnd | RonError::ExpectedStructLikeEnd => {
            let unclosed = SourceMap::new(text).unclosed();
            if matches!(code, RonError::Eof) || unclosed.is_some() {
                let msg = match unclosed {
                    Some((c, (l, col))) => {
                        format!("unexpected end of file: {c:?} opened at {l}:{col} is never closed")
                    }
                    None => "unexpected end of file".to_string(),
                };
                return (end_of_text(text), msg);
            }
            match code {
                RonError::ExpectedArrayEnd => "expected \"]\" here".to_string(),
                _ => "expected \")\" here".to_string(),
            }
        }
        RonError::ExpectedString => match string_example(path) {
            Some(example) => format!("expected a string in double quotes, like \"{example}\""),
            None => "expected a string in double quotes".to_string(),
        },
        RonError::ExpectedStringEnd => "unterminated string: missing closing '\"'".to_string(),
        RonError::ExpectedInteger => "expected an integer".to_string(),
        RonError::ExpectedFloat => "expected a number".to_string(),
        RonError::ExpectedBoolean => "expected true or false".to_string(),
        RonError::ExpectedArray => "expected a list in square brackets: [ … ]".to_string(),
        RonError::IntegerOutOfBounds => "integer out of range for this field".to_string(),
        RonError::TrailingCharacters => "unexpected text after the end of the scenario".to_string(),
        RonError::UnclosedBlockComment => {
            let pos = unclosed_comment(text).unwrap_or(start);
            return (pos, "this /* comment is never closed with */".to_string());
        }
        other => {
            let s = other.to_string();
            let mut chars = s.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => s,
            }
        }
    };
    (start, msg)
}

/// An example value for a string field, by the field's name (and for `to`,
/// whether it is a route's destination or an app's target).
fn string_example(path: &str) -> Option<&'static str> {
    let field = path.rsplit(['.', ']']).next().unwrap_or(path);
    Some(match field {
        "address" => "10.0.1.10/24",
        "gateway" | "via" => "10.0.1.1",
        "to" if path.contains(".routes[") => "10.9.0.0/16",
        "to" if path.contains(".drop[") => "5s",
        "to" => "10.0.2.10",
        "a" | "b" => "h1:eth0",
        "rate" => "100Mbps",
        "delay" | "jitter" | "interval" | "timeout" | "retry_interval" | "mac_ageing" => "10ms",
        "stop" | "start" | "time" | "from" => "5s",
        "limit" => "100p",
        "name" if path.starts_with("links[") => "h1-r1",
        "link" => "h1-r1",
        "name" => "h1",
        _ => return None,
    })
}

/// The first non-whitespace position at or after `pos`.
fn skip_whitespace(text: &str, pos: (usize, usize)) -> (usize, usize) {
    let (mut line, mut col) = pos;
    for l in text.lines().skip(line - 1) {
        if let Some(k) = l.chars().skip(col - 1).position(|c| !c.is_whitespace()) {
            return (line, col + k);
        }
        line += 1;
        col = 1;
    }
    pos
}

/// The position just after the last character.
fn end_of_text(text: &str) -> (usize, usize) {
    let line = 1 + text.chars().filter(|&c| c == '\n').count();
    let col = 1 + text.chars().rev().take_while(|&c| c != '\n').count();
    (line, col)
}

/// The scenario written back as RON in the file syntax (struct names, no
/// `Some(…)`, `Host(name: …)`), e.g. to show the effective scenario after
/// overrides. Loading the text gives the same scenario back.
pub fn to_ron(scenario: &Scenario) -> String {
    let config = ron::ser::PrettyConfig::default()
        .struct_names(true)
        .indentor("    ")
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    ron::ser::to_string_pretty(scenario, config).expect("a Scenario always serializes to RON")
}

/// A stable hex digest of a scenario source and its overrides (FNV-1a, 64 bits),
/// for provenance lines in outputs: the same text and overrides always give the
/// same hash, on any machine.
pub fn scenario_hash(text: &str, overrides: &[String]) -> String {
    let mut bytes = Vec::with_capacity(text.len() + 64);
    // Length prefixes keep ("ab", []) apart from ("a", ["b"]).
    for part in std::iter::once(text).chain(overrides.iter().map(String::as_str)) {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    format!("{:016x}", sim_core::stable_hash(&bytes))
}
