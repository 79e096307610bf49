//! Expectations: assertions on a run's results, checked when it ends.
//!
//! A scenario's `expect: [...]` lists what the run must show. `netsim run`
//! evaluates every expectation after the run, prints a table of each one with
//! its observed and expected values, and exits with code 1 when any fails
//! (the outputs are still written). `netsim check` validates them: the flows,
//! nodes and links they name must exist.
//!
//! ```ron
//! expect: [
//!     // Flow selectors: "<node>[:<port>]->(<node>|<address>)[:<port>]".
//!     Goodput(flow: "s1->d1", min: "45Mbps", max: "55Mbps"),
//!     Goodput(flow: "s1->d1:5001", around: "50Mbps", percent: 5.0),
//!     HandshakeBy(flow: "client->server:80", time: "1.1s"),
//!     NoRto(),                        // no flow had a retransmission timeout
//!     NoRto(flow: "s1->d1"),
//!     Rtos(flow: "client->server", count: 1),
//!     FastRetransmits(flow: "client->server", count: 1),
//!     Retransmits(count: 0),          // segments retransmitted, any cause, all flows
//!     AllDelivered,                   // every BulkSend's bytes written, read and verified
//!     PingSuccess(from: "h1", min: 1.0),
//!     DhcpBoundBy(time: "8s"),             // every DHCP client; count: 3 for exactly 3
//!     QueueMax(link: "bottleneck", direction: AtoB, max: 100, min: 90),
//!     Utilisation(link: "bottleneck", direction: AtoB, min: 0.95),
//!     LinkFrames(link: "client-server", direction: AtoB, frames: 7),
//!     Fairness(flows: ["s1->d1", "s2->d2"], min: 0.95),
//! ]
//! ```
//!
//! A *flow* is one end of a TCP connection that sent data (or an active
//! open that never completed its handshake), as in the flow summary. A
//! selector `"a->b"` picks the flows at node `a` whose peer is node `b` (or
//! address `b`), with the ports when written. When a selector picks several
//! flows (say, five HTTP/1.0 connections), counts and goodputs add up and a
//! handshake time is the latest of them; a selector that picks no flow fails.
//! A link expectation without `direction` looks at both directions (the
//! longest queue, the busiest direction).
//!
//! Rates are strings with units (`"50Mbps"`); fractions (`min` of
//! `PingSuccess`, `Utilisation`, `Fairness`) are numbers from 0 to 1.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::{DataRate, SimTime};

use crate::error::{list, suggestion};
use crate::link::{LinkDirection, derived_link_name};
use crate::schema::{Node, Scenario};

/// One assertion on the results of a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Expect {
    /// The goodput of the selected flows (added up) lies in `[min, max]`
    /// (either bound may be left out), or within `percent` % of `around`.
    Goodput {
        /// Required. Which flows.
        flow: FlowSelector,
        /// Lowest acceptable goodput. Default `None`.
        #[serde(default)]
        min: Option<DataRate>,
        /// Highest acceptable goodput. Default `None`.
        #[serde(default)]
        max: Option<DataRate>,
        /// The goodput expected, give or take `percent`. Default `None`.
        #[serde(default)]
        around: Option<DataRate>,
        /// Tolerance around `around`, in percent. Default `None`; required
        /// with `around`.
        #[serde(default)]
        percent: Option<f64>,
    },
    /// Every selected flow completed its three-way handshake by `time`.
    HandshakeBy {
        /// Required. Which flows.
        flow: FlowSelector,
        /// Required. The latest acceptable time.
        time: SimTime,
    },
    /// No retransmission timeout on the selected flows.
    NoRto {
        /// Which flows. Default `None`: every flow.
        #[serde(default)]
        flow: Option<FlowSelector>,
    },
    /// Exactly `count` retransmission timeouts on the selected flows.
    Rtos {
        /// Which flows. Default `None`: every flow.
        #[serde(default)]
        flow: Option<FlowSelector>,
        /// Required. The number of timer expiries.
        count: u64,
    },
    /// Exactly `count` segments sent by fast retransmit / loss recovery.
    FastRetransmits {
        /// Which flows. Default `None`: every flow.
        #[serde(default)]
        flow: Option<FlowSelector>,
        /// Required. The number of fast retransmissions.
        count: u64,
    },
    /// Exactly `count` segments retransmitted, any cause.
    Retransmits {
        /// Which flows. Default `None`: every flow.
        #[serde(default)]
        flow: Option<FlowSelector>,
        /// Required. The number of retransmissions.
        count: u64,
    },
    /// Every `BulkSend` wrote all its `bytes` (those without a byte count:
    /// what they wrote), the sinks read exactly that many, and no byte read
    /// anywhere differed from the sender's pattern.
    AllDelivered,
    /// The pings (of node `from`, or all) got at least `min` of their
    /// requests answered.
    PingSuccess {
        /// The node whose pings count. Default `None`: every ping.
        #[serde(default)]
        from: Option<String>,
        /// Required. The lowest acceptable fraction answered, 0 to 1.
        min: f64,
    },
    /// Every DHCP client was bound (got its first lease) by `time`; with
    /// `count`, exactly that many were (the others never were).
    DhcpBoundBy {
        /// Required. The latest acceptable time.
        time: SimTime,
        /// How many clients are bound by then. Default `None`: all of them.
        #[serde(default)]
        count: Option<u32>,
    },
    /// The longest a link's egress queue got, in frames, was at most `max`
    /// (and, with `min`, at least `min`: the queue did fill).
    QueueMax {
        /// Required. The link's name.
        link: String,
        /// Which direction. Default `None`: both.
        #[serde(default)]
        direction: Option<LinkDirection>,
        /// Required. The most frames acceptable.
        max: u64,
        /// The fewest frames acceptable. Default `None`: no lower bound.
        #[serde(default)]
        min: Option<u64>,
    },
    /// A link direction carried at least `min` of its capacity over the run.
    Utilisation {
        /// Required. The link's name.
        link: String,
        /// Which direction. Default `None`: the busier one.
        #[serde(default)]
        direction: Option<LinkDirection>,
        /// Required. The lowest acceptable utilisation, 0 to 1.
        min: f64,
    },
    /// Exactly `frames` frames were sent on a link direction (every frame:
    /// ARP, segments, retransmissions), to pin a short exchange.
    LinkFrames {
        /// Required. The link's name.
        link: String,
        /// Required. Which direction.
        direction: LinkDirection,
        /// Required. The number of frames.
        frames: u64,
    },
    /// Jain's fairness index of the selected flows' goodputs,
    /// `(Σx)² / (n·Σx²)`, is at least `min` (1 is perfectly fair).
    Fairness {
        /// The flows compared. Default `[]`: every flow that sent data.
        #[serde(default)]
        flows: Vec<FlowSelector>,
        /// Required. The lowest acceptable index, 0 to 1.
        min: f64,
    },
}

impl Expect {
    /// The variant's name, as written in a scenario.
    pub fn kind(&self) -> &'static str {
        match self {
            Expect::Goodput { .. } => "Goodput",
            Expect::HandshakeBy { .. } => "HandshakeBy",
            Expect::NoRto { .. } => "NoRto",
            Expect::Rtos { .. } => "Rtos",
            Expect::FastRetransmits { .. } => "FastRetransmits",
            Expect::Retransmits { .. } => "Retransmits",
            Expect::AllDelivered => "AllDelivered",
            Expect::PingSuccess { .. } => "PingSuccess",
            Expect::DhcpBoundBy { .. } => "DhcpBoundBy",
            Expect::QueueMax { .. } => "QueueMax",
            Expect::Utilisation { .. } => "Utilisation",
            Expect::LinkFrames { .. } => "LinkFrames",
            Expect::Fairness { .. } => "Fairness",
        }
    }
}

/// Which flows an expectation is about: `"<node>[:<port>]-><peer>[:<port>]"`,
/// e.g. `"s1->d1"`, `"client->server:80"`, `"client:40000->10.0.2.10:80"`.
/// The peer is a node name or an IPv4 address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSelector {
    /// The node of the sending end.
    pub node: String,
    /// Its port, if given.
    pub port: Option<u16>,
    /// The peer: a node name or an address.
    pub peer: String,
    /// The peer's port, if given.
    pub peer_port: Option<u16>,
}

impl fmt::Display for FlowSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.node)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "->{}", self.peer)?;
        if let Some(p) = self.peer_port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// Why a flow selector did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "expected a flow like \"s1->d1\" or \"client->server:80\" (node[:port]->peer[:port]), got {0:?}"
)]
pub struct ParseFlowError(String);

fn end(text: &str) -> Option<(String, Option<u16>)> {
    let text = text.trim();
    let (name, port) = match text.rsplit_once(':') {
        Some((name, port)) => (name, Some(port.parse().ok()?)),
        None => (text, None),
    };
    let ok = !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains(':');
    ok.then(|| (name.to_string(), port))
}

impl FromStr for FlowSelector {
    type Err = ParseFlowError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || ParseFlowError(text.to_string());
        let (a, b) = text.split_once("->").ok_or_else(bad)?;
        let (node, port) = end(a).ok_or_else(bad)?;
        let (peer, peer_port) = end(b).ok_or_else(bad)?;
        Ok(FlowSelector {
            node,
            port,
            peer,
            peer_port,
        })
    }
}

impl Serialize for FlowSelector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FlowSelector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Records a problem: (source path of the value, item label, message).
pub(crate) type Report<'a> = dyn FnMut(&str, String, String) + 'a;

/// Problems found in one expectation: (field, message).
type Found = Vec<(String, String)>;

/// Checks the names and numbers of `s.expect` (after generators ran, so
/// generated nodes and links count).
pub(crate) fn check(s: &Scenario, report: &mut Report<'_>) {
    let nodes: Vec<&str> = s.nodes.iter().map(Node::name).collect();
    let links: Vec<String> = s
        .links
        .iter()
        .map(|l| {
            if l.name.is_empty() {
                derived_link_name(&l.a, &l.b)
            } else {
                l.name.clone()
            }
        })
        .collect();
    for (i, e) in s.expect.iter().enumerate() {
        let mut found = Found::new();
        match e {
            Expect::Goodput { flow: f, .. } | Expect::HandshakeBy { flow: f, .. } => {
                check_flow("flow", f, &nodes, &mut found)
            }
            Expect::NoRto { flow: Some(f) }
            | Expect::Rtos { flow: Some(f), .. }
            | Expect::FastRetransmits { flow: Some(f), .. }
            | Expect::Retransmits { flow: Some(f), .. } => {
                check_flow("flow", f, &nodes, &mut found)
            }
            Expect::Fairness { flows, .. } => {
                for (k, f) in flows.iter().enumerate() {
                    check_flow(&format!("flows[{k}]"), f, &nodes, &mut found);
                }
            }
            Expect::QueueMax { link, .. }
            | Expect::Utilisation { link, .. }
            | Expect::LinkFrames { link, .. }
                if !links.iter().any(|l| l == link) =>
            {
                found.push((
                    "link".into(),
                    format!(
                        "no link named {link:?}{} (links: {})",
                        suggestion(link, links.iter().map(String::as_str)),
                        list(links.iter().map(String::as_str))
                    ),
                ));
            }
            Expect::PingSuccess { from: Some(n), .. } if !nodes.contains(&n.as_str()) => {
                found.push(("from".into(), no_node(n, &nodes)));
            }
            _ => {}
        }
        numbers(e, &mut found);
        let base = format!("expect[{i}]");
        for (field, message) in found {
            let path = if field.is_empty() {
                base.clone()
            } else {
                format!("{base}.{field}")
            };
            report(&path, format!("{base} ({})", e.kind()), message);
        }
    }
}

fn no_node(name: &str, nodes: &[&str]) -> String {
    format!(
        "no node named {name:?}{} (nodes: {})",
        suggestion(name, nodes.iter().copied()),
        list(nodes.iter().copied())
    )
}

/// The nodes a selector names must exist (the peer may be an address).
fn check_flow(field: &str, f: &FlowSelector, nodes: &[&str], found: &mut Found) {
    let peer_is_addr = f.peer.parse::<Ipv4Addr>().is_ok();
    for (name, known) in [(&f.node, false), (&f.peer, peer_is_addr)] {
        if !known && !nodes.contains(&name.as_str()) {
            found.push((
                field.to_string(),
                format!("flow \"{f}\": {}", no_node(name, nodes)),
            ));
        }
    }
}

/// Ranges: fractions in [0, 1], bounds in order, a tolerance with `around`.
fn numbers(e: &Expect, found: &mut Found) {
    let mut problem = |field: &str, msg: String| found.push((field.to_string(), msg));
    match e {
        Expect::PingSuccess { min, .. }
        | Expect::Utilisation { min, .. }
        | Expect::Fairness { min, .. }
            if !(0.0..=1.0).contains(min) =>
        {
            problem("min", format!("{min} is not a fraction from 0 to 1"));
        }
        Expect::QueueMax {
            max, min: Some(lo), ..
        } if lo > max => problem("min", format!("min {lo} is above max {max}")),
        Expect::Goodput {
            min,
            max,
            around,
            percent,
            ..
        } => match (around, percent) {
            (Some(_), Some(p)) if !(p.is_finite() && *p >= 0.0) => {
                problem("percent", format!("{p} is not a percentage"))
            }
            (Some(_), Some(_)) if min.is_some() || max.is_some() => problem(
                "around",
                "give either min/max or around/percent, not both".into(),
            ),
            (Some(_), None) => problem("around", "around needs a percent: tolerance".into()),
            (None, Some(_)) => problem("percent", "percent needs around: the goodput".into()),
            (None, None) => match (min, max) {
                (None, None) => problem(
                    "",
                    "give min and/or max, or around with percent (the expected goodput)".into(),
                ),
                (Some(lo), Some(hi)) if lo > hi => {
                    problem("max", format!("max {hi} is below min {lo}"))
                }
                _ => {}
            },
            _ => {}
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_selectors_parse_and_print_back() {
        let f: FlowSelector = "client->server:80".parse().unwrap();
        assert_eq!(
            f,
            FlowSelector {
                node: "client".into(),
                port: None,
                peer: "server".into(),
                peer_port: Some(80),
            }
        );
        assert_eq!(f.to_string(), "client->server:80");
        let f: FlowSelector = "h1:40000 -> 10.0.2.10:5001".parse().unwrap();
        assert_eq!((f.port, f.peer.as_str()), (Some(40000), "10.0.2.10"));
        assert_eq!(f.to_string(), "h1:40000->10.0.2.10:5001");
        for bad in ["s1", "s1->", "->d1", "s1->d1:http", "s 1->d1"] {
            assert!(bad.parse::<FlowSelector>().is_err(), "{bad}");
        }
    }

    /// Two hosts, a ping and a bulk transfer, with `expect` as given.
    fn scenario(expect: &str) -> String {
        format!(
            r#"Scenario(
    name: "t",
    nodes: [
        Host(name: "client", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
             apps: [Ping(to: "10.0.0.2"), BulkSend(to: "10.0.0.2:5001", bytes: "10kB")]),
        Host(name: "server", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")],
             apps: [Sink(port: 5001)]),
    ],
    links: [Link(a: "client:eth0", b: "server:eth0")],
    expect: [
{expect}
    ],
)"#
        )
    }

    fn error(expect: &str) -> String {
        crate::load_str(&scenario(expect), "t.ron", &[])
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn every_kind_of_expectation_loads() {
        let s = crate::load_str(
            &scenario(
                r#"        Goodput(flow: "client->server", min: "1Mbps", max: "2Mbps"),
        Goodput(flow: "client->server:5001", around: "1.5Mbps", percent: 10.0),
        HandshakeBy(flow: "client->10.0.0.2", time: "1.1s"),
        NoRto(), NoRto(flow: "client->server"), Rtos(count: 0),
        FastRetransmits(count: 0), Retransmits(flow: "client->server", count: 0),
        AllDelivered, PingSuccess(from: "client", min: 1.0),
        QueueMax(link: "client-server", direction: AtoB, max: 10),
        Utilisation(link: "client-server", min: 0.0),
        LinkFrames(link: "client-server", direction: BtoA, frames: 3),
        Fairness(min: 0.9), Fairness(flows: ["client->server"], min: 0.9),"#,
            ),
            "t.ron",
            &[],
        )
        .unwrap();
        assert_eq!(s.expect.len(), 15);
        assert_eq!(s.expect[8], Expect::AllDelivered);
        assert_eq!(
            s.expect[2],
            Expect::HandshakeBy {
                flow: "client->10.0.0.2".parse().unwrap(),
                time: "1.1s".parse().unwrap(),
            }
        );
    }

    #[test]
    fn unknown_names_are_reported_at_their_line_and_column_with_a_suggestion() {
        assert_eq!(
            error(r#"        HandshakeBy(flow: "client->sever", time: "1s"),"#),
            "t.ron:11:27: expect[0] (HandshakeBy): flow \"client->sever\": no node named \"sever\", \
             did you mean \"server\"? (nodes: client, server)"
        );
        assert_eq!(
            error(r#"        NoRto(), QueueMax(link: "client-sevrer", max: 3),"#),
            "t.ron:11:33: expect[1] (QueueMax): no link named \"client-sevrer\", did you mean \
             \"client-server\"? (links: client-server)"
        );
    }

    #[test]
    fn inconsistent_numbers_are_rejected() {
        assert_eq!(
            error(r#"        Goodput(flow: "client->server", around: "1Mbps"),"#),
            "t.ron:11:49: expect[0] (Goodput): around needs a percent: tolerance"
        );
        assert_eq!(
            error(r#"        Goodput(flow: "client->server", min: "2Mbps", max: "1Mbps"),"#),
            "t.ron:11:60: expect[0] (Goodput): max 1Mbps is below min 2Mbps"
        );
        assert_eq!(
            error(r#"        PingSuccess(min: 100.0),"#),
            "t.ron:11:26: expect[0] (PingSuccess): 100 is not a fraction from 0 to 1"
        );
    }

    #[test]
    fn a_malformed_flow_selector_is_a_parse_error_at_its_position() {
        assert_eq!(
            error(r#"        NoRto(flow: "client"),"#),
            "t.ron:11:22: expect[0].flow: expected a flow like \"s1->d1\" or \
             \"client->server:80\" (node[:port]->peer[:port]), got \"client\""
        );
    }
}
