//! Naming one TCP connection for the ladder diagrams: `node[:port]-node[:port]`
//! (`outputs.ladder`, `netsim run --ladder`).
//!
//! Each end is a node name or an IPv4 address, with an optional port:
//! `h1:5000-h2:80`, `s1-d1`, `10.0.1.10-web:80`. Node names may contain `-`
//! themselves (`home-gw-web`), so the text is split at the one `-` that leaves
//! a known node or an address on both sides; [`ConnSpec::resolve`] does that
//! against the scenario's node names.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{list, suggestion};

/// One end of a connection, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnHost {
    /// A node, by name: any of its addresses.
    Node(String),
    /// One address.
    Addr(Ipv4Addr),
}

impl fmt::Display for ConnHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnHost::Node(n) => f.write_str(n),
            ConnHost::Addr(a) => write!(f, "{a}"),
        }
    }
}

/// One end of a connection: a host and, optionally, a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnEnd {
    /// The node or address.
    pub host: ConnHost,
    /// The TCP port; `None`: any.
    pub port: Option<u16>,
}

/// A connection filter as written, `node[:port]-node[:port]`; checked for
/// syntax when parsed, for node names by [`ConnSpec::resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnSpec {
    text: String,
}

/// What a well-formed spec looks like, for error messages.
const EXPECTED: &str = "expected \"node[:port]-node[:port]\", e.g. \"h1:5000-h2:80\" or \"h1-h2\"";

impl ConnSpec {
    /// The spec as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The two ends, with node names checked against `nodes`.
    ///
    /// # Errors
    /// A name that is no node of `nodes` (with a "did you mean"), or a text
    /// that splits into known ends in more than one way.
    pub fn resolve(&self, nodes: &[&str]) -> Result<[ConnEnd; 2], String> {
        let splits = splits(&self.text);
        let known = |e: &ConnEnd| match &e.host {
            ConnHost::Node(n) => nodes.contains(&n.as_str()),
            ConnHost::Addr(_) => true,
        };
        let good: Vec<&[ConnEnd; 2]> = splits.iter().filter(|s| s.iter().all(known)).collect();
        match good.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                // Blame the first unknown name of the first reading.
                let first = splits.first().ok_or_else(|| EXPECTED.to_string())?;
                let unknown = first
                    .iter()
                    .find(|e| !known(e))
                    .map(|e| e.host.to_string())
                    .unwrap_or_default();
                Err(format!(
                    "no node named {unknown:?}{} (nodes: {})",
                    suggestion(&unknown, nodes.iter().copied()),
                    list(nodes.iter().copied())
                ))
            }
            [a, b, ..] => Err(format!(
                "ambiguous: {} or {}; add ports or use addresses",
                show(a),
                show(b)
            )),
        }
    }
}

fn show(ends: &[ConnEnd; 2]) -> String {
    let end = |e: &ConnEnd| match e.port {
        Some(p) => format!("\"{}:{p}\"", e.host),
        None => format!("\"{}\"", e.host),
    };
    format!("{} to {}", end(&ends[0]), end(&ends[1]))
}

/// `host[:port]`, or `None` when it cannot be one.
fn parse_end(text: &str) -> Option<ConnEnd> {
    let (host, port) = match text.split_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
        None => (text, None),
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == ':') {
        return None;
    }
    let host = match host.parse::<Ipv4Addr>() {
        Ok(a) => ConnHost::Addr(a),
        // A dotted name is a mistyped address: node names have no dots.
        Err(_) if host.contains('.') => return None,
        Err(_) => ConnHost::Node(host.to_string()),
    };
    Some(ConnEnd { host, port })
}

/// Every way of reading `text` as two ends split at a `-`, leftmost first.
fn splits(text: &str) -> Vec<[ConnEnd; 2]> {
    text.match_indices('-')
        .filter_map(|(at, _)| Some([parse_end(&text[..at])?, parse_end(&text[at + 1..])?]))
        .collect()
}

impl FromStr for ConnSpec {
    type Err = String;

    /// Checks the syntax: at least one reading as two ends.
    fn from_str(text: &str) -> Result<ConnSpec, String> {
        if splits(text).is_empty() {
            return Err(format!("bad connection {text:?}: {EXPECTED}"));
        }
        Ok(ConnSpec {
            text: text.to_string(),
        })
    }
}

impl fmt::Display for ConnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for ConnSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ConnSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ConnSpec, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: &str, port: Option<u16>) -> ConnEnd {
        ConnEnd {
            host: ConnHost::Node(n.into()),
            port,
        }
    }

    #[test]
    fn ends_with_and_without_ports() {
        let nodes = ["h1", "h2", "r1"];
        let spec: ConnSpec = "h1:5000-h2:80".parse().unwrap();
        assert_eq!(
            spec.resolve(&nodes),
            Ok([node("h1", Some(5000)), node("h2", Some(80))])
        );
        let spec: ConnSpec = "10.0.1.10-h2".parse().unwrap();
        assert_eq!(
            spec.resolve(&nodes).unwrap()[0].host,
            ConnHost::Addr(Ipv4Addr::new(10, 0, 1, 10))
        );
    }

    #[test]
    fn names_with_dashes_split_where_both_ends_are_known() {
        let nodes = ["home-gw", "web-1", "web"];
        let spec: ConnSpec = "home-gw-web-1:80".parse().unwrap();
        assert_eq!(
            spec.resolve(&nodes),
            Ok([node("home-gw", None), node("web-1", Some(80))])
        );
        let spec: ConnSpec = "home-gw-web".parse().unwrap();
        assert_eq!(
            spec.resolve(&nodes),
            Ok([node("home-gw", None), node("web", None)])
        );
        let nodes = ["a", "a-b", "b", "b-c", "c"];
        let err = "a-b-c".parse::<ConnSpec>().unwrap().resolve(&nodes);
        assert_eq!(
            err,
            Err(
                "ambiguous: \"a\" to \"b-c\" or \"a-b\" to \"c\"; add ports or use addresses"
                    .into()
            )
        );
    }

    #[test]
    fn malformed_and_unknown() {
        for bad in ["h1", "h1:http-h2", "-h2", "h1-", "h1:99999-h2", "10.0.1-h2"] {
            let err = bad.parse::<ConnSpec>().unwrap_err();
            assert!(err.starts_with("bad connection"), "{bad}: {err}");
        }
        let err = "h1-h3".parse::<ConnSpec>().unwrap().resolve(&["h1", "h2"]);
        assert_eq!(
            err,
            Err("no node named \"h3\", did you mean \"h1\"? (nodes: h1, h2)".into())
        );
    }
}
