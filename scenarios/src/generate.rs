//! Topology generators: a whole experiment from a few parameters.
//!
//! `generate: Dumbbell(flows: 4, cc: Cubic, bottleneck_rate: "100Mbps", ...)`
//! expands, when the scenario is loaded, into N senders and N receivers on
//! either side of one bottleneck link between two routers, one bulk TCP flow
//! per pair. The generator's fields can be set from the command line without
//! their prefix: `--set flows=4 --set cc=cubic` is `--set generate.flows=4 ...`.
//!
//! Addressing: sender `sI` is 10.1.I.2/24 behind `r1` (10.1.I.1), receiver
//! `dI` is 10.2.I.2/24 behind `r2` (10.2.I.1); the bottleneck is 10.0.0.0/30.
//! Links are `sI-r1`, `bottleneck` (r1 → r2 is its a→b direction, the data
//! direction) and `r2-dI`. Flow I sends to `dI` port 5001.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use sim_core::{ByteSize, DataRate, SimDuration, SimTime};

use crate::link::{Direction, Link, Loss, Queue};
use crate::schema::{App, Host, Interface, Node, Ping, Route, Router, Scenario};
use crate::tcp::{BulkSend, Cc, Sink, Tcp};
use crate::values::{Endpoint, Ipv4Cidr, QueueLimit};

/// The most flows a dumbbell can have (one /24 per flow on each side).
pub const MAX_FLOWS: u32 = 250;

/// A generator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Generate {
    /// N flows over one bottleneck.
    Dumbbell(Dumbbell),
}

/// The dumbbell: N senders → r1 → bottleneck → r2 → N receivers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dumbbell {
    /// Number of flows. Default `1`.
    #[serde(default = "one")]
    pub flows: u32,
    /// Congestion control of every flow. Default `NewReno`.
    #[serde(default = "newreno")]
    pub cc: Cc,
    /// If not empty, flow I uses `cc_mix[(I-1) % len]` instead of `cc`. Default `[]`.
    #[serde(default)]
    pub cc_mix: Vec<Cc>,
    /// Bottleneck rate. Default `"100Mbps"`.
    #[serde(default = "bottleneck_rate")]
    pub bottleneck_rate: DataRate,
    /// Bottleneck one-way delay. Default `"20ms"`.
    #[serde(default = "bottleneck_delay")]
    pub bottleneck_delay: SimDuration,
    /// Bottleneck queue, both directions. Default `DropTail(limit: "100p")`.
    #[serde(default = "bottleneck_queue")]
    pub queue: Queue,
    /// Random loss on the bottleneck's data direction (r1 → r2). Default `None`.
    #[serde(default)]
    pub loss: Loss,
    /// Access link rate. Default `"1Gbps"`.
    #[serde(default = "access_rate")]
    pub access_rate: DataRate,
    /// Access link one-way delay. Default `"1ms"`.
    #[serde(default = "access_delay")]
    pub access_delay: SimDuration,
    /// Bytes per flow. Default `None`: until the scenario stops.
    #[serde(default)]
    pub bytes: Option<ByteSize>,
    /// When the first flow starts. Default `"1s"`.
    #[serde(default = "start")]
    pub start: SimTime,
    /// Flow I starts `(I-1) × stagger` after the first. Default `"0s"`.
    #[serde(default)]
    pub stagger: SimDuration,
    /// Also ping d1 from s1 every 100 ms, to watch the queueing delay. Default `false`.
    #[serde(default)]
    pub ping: bool,
    /// TCP settings of every host (the `cc` fields above win). Default: see `Tcp`.
    #[serde(default)]
    pub tcp: Tcp,
}

fn one() -> u32 {
    1
}
fn newreno() -> Cc {
    Cc::NewReno
}
fn bottleneck_rate() -> DataRate {
    DataRate::from_bps(100_000_000)
}
fn bottleneck_delay() -> SimDuration {
    SimDuration::from_millis(20)
}
fn bottleneck_queue() -> Queue {
    Queue::DropTail {
        limit: QueueLimit::Packets(100),
    }
}
fn access_rate() -> DataRate {
    DataRate::from_bps(1_000_000_000)
}
fn access_delay() -> SimDuration {
    SimDuration::from_millis(1)
}
fn start() -> SimTime {
    SimTime::from_nanos(1_000_000_000)
}

/// A schema value with every field at its documented default but those in `json`.
fn defaults<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).expect("the schema's defaults deserialize")
}

fn host(name: &str) -> Host {
    defaults(serde_json::json!({ "name": name }))
}

fn router(name: &str) -> Router {
    defaults(serde_json::json!({ "name": name }))
}

fn ping_to(to: &str) -> Ping {
    defaults(serde_json::json!({ "to": to }))
}

fn iface(name: &str, addr: Ipv4Addr, prefix: u8) -> Interface {
    defaults(serde_json::json!({ "name": name, "address": format!("{addr}/{prefix}") }))
}

fn link(name: &str, a: Endpoint, b: Endpoint, rate: DataRate, delay: SimDuration) -> Link {
    Link {
        name: name.to_string(),
        rate,
        delay,
        ..Link::new(a, b)
    }
}

impl Dumbbell {
    /// The nodes, links and flows this dumbbell describes, appended to `s`.
    /// `flows` must be between 1 and [`MAX_FLOWS`] (validation reports it otherwise).
    pub fn expand(&self, s: &mut Scenario) {
        let n = self.flows.clamp(1, MAX_FLOWS) as u8;
        let mut r1 = Router {
            name: "r1".into(),
            interfaces: vec![iface("core", Ipv4Addr::new(10, 0, 0, 1), 30)],
            routes: vec![Route {
                to: Ipv4Cidr::new(Ipv4Addr::new(10, 2, 0, 0), 16).expect("valid"),
                via: Some(Ipv4Addr::new(10, 0, 0, 2)),
                interface: None,
            }],
            ..router("r1")
        };
        let mut r2 = Router {
            name: "r2".into(),
            interfaces: vec![iface("core", Ipv4Addr::new(10, 0, 0, 2), 30)],
            routes: vec![Route {
                to: Ipv4Cidr::new(Ipv4Addr::new(10, 1, 0, 0), 16).expect("valid"),
                via: Some(Ipv4Addr::new(10, 0, 0, 1)),
                interface: None,
            }],
            ..router("r2")
        };
        let mut senders = Vec::new();
        let mut receivers = Vec::new();
        let mut links = Vec::new();
        for i in 1..=n {
            let (si, di) = (format!("s{i}"), format!("d{i}"));
            r1.interfaces
                .push(iface(&si, Ipv4Addr::new(10, 1, i, 1), 24));
            r2.interfaces
                .push(iface(&di, Ipv4Addr::new(10, 2, i, 1), 24));
            let cc = if self.cc_mix.is_empty() {
                self.cc
            } else {
                self.cc_mix[(usize::from(i) - 1) % self.cc_mix.len()]
            };
            let tcp = Tcp {
                cc: Some(cc),
                ..self.tcp.clone()
            };
            let mut apps = vec![App::BulkSend(BulkSend {
                to: format!("10.2.{i}.2:5001"),
                bytes: self.bytes,
                start: self.start + self.stagger.saturating_mul(u64::from(i) - 1),
                local_port: None,
                close: true,
                tcp: tcp.clone(),
            })];
            if self.ping && i == 1 {
                apps.push(App::Ping(Ping {
                    count: 0,
                    interval: SimDuration::from_millis(100),
                    start: self.start,
                    ..ping_to("10.2.1.2")
                }));
            }
            senders.push(Node::Host(Host {
                interfaces: vec![iface("eth0", Ipv4Addr::new(10, 1, i, 2), 24)],
                gateway: Some(Ipv4Addr::new(10, 1, i, 1)),
                apps,
                tcp: tcp.clone(),
                ..host(&si)
            }));
            receivers.push(Node::Host(Host {
                interfaces: vec![iface("eth0", Ipv4Addr::new(10, 2, i, 2), 24)],
                gateway: Some(Ipv4Addr::new(10, 2, i, 1)),
                apps: vec![App::Sink(Sink {
                    port: 5001,
                    backlog: 128,
                    syn_cookies: false,
                    read_rate: None,
                    tcp: tcp.clone(),
                })],
                tcp,
                ..host(&di)
            }));
            links.push(link(
                &format!("{si}-r1"),
                Endpoint::new(&si, "eth0"),
                Endpoint::new("r1", &si),
                self.access_rate,
                self.access_delay,
            ));
            links.push(link(
                &format!("r2-{di}"),
                Endpoint::new("r2", &di),
                Endpoint::new(&di, "eth0"),
                self.access_rate,
                self.access_delay,
            ));
        }
        let mut bottleneck = link(
            "bottleneck",
            Endpoint::new("r1", "core"),
            Endpoint::new("r2", "core"),
            self.bottleneck_rate,
            self.bottleneck_delay,
        );
        bottleneck.queue = self.queue.clone();
        bottleneck.a_to_b = Direction {
            loss: self.loss.clone(),
            ..Direction::default()
        };
        s.nodes.extend(senders);
        s.nodes.push(Node::Router(r1));
        s.nodes.push(Node::Router(r2));
        s.nodes.extend(receivers);
        s.links.push(bottleneck);
        s.links.extend(links);
    }
}

/// Expands the scenario's generator, if any, into nodes and links.
pub fn expand(mut s: Scenario) -> Scenario {
    if let Some(Generate::Dumbbell(d)) = s.generate.clone() {
        d.expand(&mut s);
    }
    s
}
