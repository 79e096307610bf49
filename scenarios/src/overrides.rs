//! `--set PATH=VALUE` overrides, so one scenario file serves a whole sweep.
//!
//! The parsed scenario is turned into a JSON value; each override replaces the
//! value at PATH, and the result is deserialized back into a [`Scenario`] at
//! once, so a bad value is reported against the override that brought it.
//!
//! PATH is dotted. A segment names a struct field, or a list element by index
//! (`links.0.rate`) or by its `name` (`links.h1-r1.delay`,
//! `nodes.h1.interfaces.eth0.address`; a link without a name answers to its
//! derived `"<nodeA>-<nodeB>"`). Enum variants are passed through:
//! `nodes.h1.gateway` reaches the `gateway` of `Host(…)`, and
//! `links.0.a_to_b.loss.p` the `p` of `Bernoulli(…)`. Names containing a dot can
//! only be addressed by index.
//!
//! VALUE is read as a RON literal when it is one (`42`, `true`, `None`,
//! `Bernoulli(p: 0.1)`, `[Nth(3)]`, `"text"`), otherwise as a string, so
//! `links.0.rate=10Mbps` and `name=foo` need no quotes. When a literal does not
//! fit the field, the same text is tried as a string (`stop=10` then complains
//! about the missing unit, not about the type).

use serde_json::Value;

use crate::error::{ScenarioError, list, rewrite_serde_message, suggestion};
use crate::literal::ron_literal_to_json;
use crate::schema::Scenario;

/// Applies `overrides` (`PATH=VALUE` each) to `scenario`, in order.
///
/// The result is not validated: [`crate::load_str`] validates after this.
pub fn apply_overrides(
    scenario: Scenario,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    apply_tracked(scenario, overrides).map(|(s, _)| s)
}

/// An override that was applied: the field path it set, written like
/// validation paths (`nodes[0].gateway`), and the override as given.
pub(crate) type Applied = (String, String);

/// [`apply_overrides`], also returning what each override set, so validation can
/// blame a bad value on its override rather than on the file.
pub(crate) fn apply_tracked(
    scenario: Scenario,
    overrides: &[String],
) -> Result<(Scenario, Vec<Applied>), ScenarioError> {
    if overrides.is_empty() {
        return Ok((scenario, Vec::new()));
    }
    let mut json = serde_json::to_value(&scenario).expect("a Scenario always serializes to JSON");
    let mut current = scenario;
    let mut applied = Vec::new();
    for spec in overrides {
        let (next, shown) = apply_one(&mut json, spec)?;
        current = next;
        applied.push((shown, spec.clone()));
    }
    Ok((current, applied))
}

fn override_error(spec: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Override {
        spec: spec.to_string(),
        message: message.into(),
    }
}

/// Applies one override to `root`, returning the scenario it now describes and
/// the path it set.
fn apply_one(root: &mut Value, spec: &str) -> Result<(Scenario, String), ScenarioError> {
    let Some((path, raw)) = spec.split_once('=') else {
        return Err(override_error(
            spec,
            "expected PATH=VALUE, e.g. links.0.delay=5ms",
        ));
    };
    let path = path.trim();
    // A generator's fields may be set without their prefix: `flows=4` is
    // `generate.flows=4` when the top level has no `flows`.
    let has_generator = root.get("generate").is_some_and(|g| !g.is_null());
    let (pointer, shown) = resolve(root, path)
        .or_else(|m| {
            if has_generator {
                resolve(root, &format!("generate.{path}")).map_err(|_| m)
            } else {
                Err(m)
            }
        })
        .map_err(|m| override_error(if path.is_empty() { spec } else { path }, m))?;

    let literal = ron_literal_to_json(raw.trim());
    let mut candidates: Vec<Value> = Vec::new();
    if let Some(lit) = &literal {
        candidates.push(lit.clone());
        if let Some(inner) = struct_body(lit) {
            candidates.push(inner);
        }
    }
    let as_string = Value::String(raw.to_string());
    if literal.as_ref() != Some(&as_string) {
        candidates.push(as_string);
    }

    let mut errors = Vec::new();
    for candidate in candidates {
        let mut attempt = root.clone();
        *attempt
            .pointer_mut(&pointer)
            .expect("resolve returned a pointer into this value") = candidate;
        match serde_path_to_error::deserialize::<_, Scenario>(attempt.clone()) {
            Ok(scenario) => {
                *root = attempt;
                return Ok((scenario, shown));
            }
            Err(e) => errors.push(e.into_inner().to_string()),
        }
    }
    // A number or bool that did not fit may be text with a unit ("stop=10"):
    // then the string attempt (the last) has the better message, unless it
    // only says that a string is the wrong type.
    let scalar = matches!(literal, Some(Value::Number(_) | Value::Bool(_)));
    let message = match errors.last() {
        Some(last) if literal.is_none() || (scalar && !last.starts_with("invalid type:")) => last,
        _ => errors.first().expect("at least one candidate was tried"),
    };
    Err(override_error(spec, rewrite_serde_message(message)))
}

/// `Name(a: 1)` read as `{"Name": {"a": 1}}` may be a plain struct written with
/// its type name (`Direction(jitter: "1ms")`): the body without the name.
fn struct_body(v: &Value) -> Option<Value> {
    let (name, inner) = single_entry(v)?;
    (starts_upper(name) && inner.is_object()).then(|| inner.clone())
}

fn single_entry(v: &Value) -> Option<(&String, &Value)> {
    match v {
        Value::Object(m) if m.len() == 1 => m.iter().next(),
        _ => None,
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// A JSON value that is an externally tagged enum variant: `{"Host": {…}}`.
fn variant_body(v: &Value) -> Option<(&String, &Value)> {
    single_entry(v).filter(|(k, _)| starts_upper(k))
}

/// Walks `path` through `root`, returning the JSON pointer of its target and
/// its path written like parse errors (`links[0].a_to_b`), or a message naming
/// the first segment that does not exist.
fn resolve(root: &Value, path: &str) -> Result<(String, String), String> {
    if path.is_empty() {
        return Err("empty path (write e.g. links.0.delay=5ms)".to_string());
    }
    let mut cur = root;
    let mut pointer = String::new();
    // The path walked so far, written like parse errors: links[0].a_to_b
    let mut shown = String::new();
    let mut parent_key = "";
    for seg in path.split('.') {
        if seg.is_empty() {
            return Err(format!("empty segment in path {path:?}"));
        }
        // Pass through an enum variant unless the segment names it.
        while let Some((variant, body)) = variant_body(cur) {
            if variant == seg {
                break;
            }
            pointer.push('/');
            pointer.push_str(&escape(variant));
            cur = body;
        }
        let here = if shown.is_empty() {
            "the scenario".to_string()
        } else {
            shown.clone()
        };
        match cur {
            Value::Object(map) => {
                let Some(next) = map.get(seg) else {
                    let hint = suggestion(seg, map.keys().map(String::as_str));
                    return Err(format!(
                        "{here} has no field {seg:?}{hint} (fields: {})",
                        list(map.keys().map(String::as_str))
                    ));
                };
                pointer.push('/');
                pointer.push_str(&escape(seg));
                let names_variant = variant_body(cur).is_some_and(|(v, _)| v == seg);
                if !names_variant {
                    if !shown.is_empty() {
                        shown.push('.');
                    }
                    shown.push_str(seg);
                    parent_key = seg;
                }
                cur = next;
            }
            Value::Array(items) => {
                let noun = element_noun(parent_key);
                let index = if let Ok(i) = seg.parse::<usize>() {
                    if i >= items.len() {
                        return Err(format!(
                            "no {here}[{i}] (there {} {} {noun}{})",
                            if items.len() == 1 { "is" } else { "are" },
                            items.len(),
                            if items.len() == 1 { "" } else { "s" },
                        ));
                    }
                    i
                } else {
                    let names: Vec<Option<String>> = items.iter().map(element_name).collect();
                    match names.iter().position(|n| n.as_deref() == Some(seg)) {
                        Some(i) => i,
                        None => {
                            let known: Vec<&str> =
                                names.iter().flatten().map(String::as_str).collect();
                            if known.is_empty() {
                                return Err(format!(
                                    "{here} elements have no names: address them by index, e.g. {}.0",
                                    path.split('.')
                                        .take_while(|s| *s != seg)
                                        .collect::<Vec<_>>()
                                        .join(".")
                                ));
                            }
                            let hint = suggestion(seg, known.iter().copied());
                            return Err(format!(
                                "no {noun} named {seg:?}{hint} (have: {})",
                                list(known.iter().copied())
                            ));
                        }
                    }
                };
                pointer.push('/');
                pointer.push_str(&index.to_string());
                shown.push_str(&format!("[{index}]"));
                cur = &items[index];
            }
            other => {
                let what = match other {
                    Value::Null => "None".to_string(),
                    v => v.to_string(),
                };
                let prefix = path
                    .split('.')
                    .take_while(|s| *s != seg)
                    .collect::<Vec<_>>()
                    .join(".");
                return Err(format!(
                    "{here} is {what}, which has no field {seg:?}; set {prefix} as a whole instead"
                ));
            }
        }
    }
    Ok((pointer, shown))
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// What the elements of the list under `key` are called in messages.
fn element_noun(key: &str) -> &str {
    match key {
        "nodes" => "node",
        "links" => "link",
        "interfaces" => "interface",
        "routes" => "route",
        "apps" => "app",
        "timeline" => "timeline entry",
        "drop" => "drop rule",
        _ => "element",
    }
}

/// The name a list element answers to: its `name` field, or for an unnamed link
/// the derived `"<nodeA>-<nodeB>"`.
fn element_name(v: &Value) -> Option<String> {
    let body = variant_body(v).map_or(v, |(_, b)| b);
    let obj = body.as_object()?;
    match obj.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => Some(n.to_string()),
        _ => {
            let node = |k: &str| obj.get(k)?.as_str()?.split(':').next().map(str::to_string);
            Some(format!("{}-{}", node("a")?, node("b")?))
        }
    }
}
