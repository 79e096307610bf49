//! The applications and services of an IP node, built from their specs.
//!
//! Identifiers and ports the builder assigns, from the application's index
//! `k` in its node's list (so they are the same on every run):
//! - ping: ICMP identifier `k + 1`; traceroute: source port `33000 + k`;
//! - UDP sender: source port `40000 + k`;
//! - an application that names its target: resolver port `41000 + k`;
//! - a forwarding DNS server: upstream port `42000 + k`.
//!
//! Random streams: a DHCP client draws from `node:<name>:dhcp:<iface>`, a
//! resolver from `node:<name>:app<k>:dns`.

use std::net::{Ipv4Addr, SocketAddrV4};

use sim_core::{RngStreams, SimTime};

use super::spec::{AppSpec, NodeSpec};
use crate::apps::App;
use crate::apps::bulk::{BulkSend, Sink};
use crate::apps::dhcpd::DhcpServerApp;
use crate::apps::dns::DnsServerApp;
use crate::apps::http::{HttpClient, HttpServer};
use crate::apps::ping::{Ping, PingConfig};
use crate::apps::resolve::Named;
use crate::apps::synflood::SynFlood;
use crate::apps::traceroute::{Traceroute, TracerouteConfig};
use crate::apps::udp::{UdpSend, UdpSendConfig};
use crate::apps::udp_sink::{UdpEcho, UdpSink};
use crate::dhcp::{DhcpClient, DhcpServer};
use crate::dns::DnsServer;
use crate::nat::Nat;
use crate::node::IpNode;
use crate::topology::Topology;

impl AppSpec {
    /// When the application starts (servers: time zero).
    pub fn start(&self) -> SimTime {
        match self {
            AppSpec::Ping(c) => c.start,
            AppSpec::Traceroute(c) => c.start,
            AppSpec::BulkSend(c) => c.start,
            AppSpec::HttpClient(c) => c.start,
            AppSpec::SynFlood(c) => c.start,
            AppSpec::UdpSend(c) => c.start,
            AppSpec::Named { app, .. } => app.start(),
            AppSpec::Sink(_)
            | AppSpec::HttpServer(_)
            | AppSpec::DhcpServer { .. }
            | AppSpec::DnsServer(_)
            | AppSpec::UdpSink(_)
            | AppSpec::UdpEcho(_) => SimTime::ZERO,
        }
    }

    /// The same application aimed at `ip`, starting at `start` (for an
    /// application whose target name just resolved).
    pub fn retarget(&self, ip: Ipv4Addr, start: SimTime) -> AppSpec {
        let mut app = self.clone();
        match &mut app {
            AppSpec::Ping(c) => (c.dst, c.start) = (ip, start),
            AppSpec::Traceroute(c) => (c.dst, c.start) = (ip, start),
            AppSpec::BulkSend(c) => (c.to.addr, c.start) = (ip, start),
            AppSpec::HttpClient(c) => (c.to.addr, c.start) = (ip, start),
            AppSpec::SynFlood(c) => (c.to.addr, c.start) = (ip, start),
            AppSpec::UdpSend(c) => {
                c.to = SocketAddrV4::new(ip, c.to.port());
                c.start = start;
            }
            _ => {}
        }
        app
    }
}

/// Applications that need nothing from the node but their index.
fn plain(app: &AppSpec, k: usize) -> Option<Box<dyn App>> {
    Some(match app {
        AppSpec::Ping(cfg) => Box::new(Ping::new(PingConfig {
            ident: k as u16 + 1,
            ..cfg.clone()
        })),
        AppSpec::Traceroute(cfg) => Box::new(Traceroute::new(TracerouteConfig {
            src_port: 33000 + k as u16,
            ..cfg.clone()
        })),
        AppSpec::BulkSend(cfg) => Box::new(BulkSend::new(cfg.clone())),
        AppSpec::Sink(cfg) => Box::new(Sink::new(cfg.clone())),
        AppSpec::HttpClient(cfg) => Box::new(HttpClient::new(cfg.clone())),
        AppSpec::HttpServer(cfg) => Box::new(HttpServer::new(cfg.clone())),
        AppSpec::SynFlood(cfg) => Box::new(SynFlood::new(cfg.clone())),
        AppSpec::UdpSend(cfg) => Box::new(UdpSend::new(UdpSendConfig {
            src_port: 40000 + k as u16,
            ..cfg.clone()
        })),
        AppSpec::UdpSink(port) => Box::new(UdpSink::new(*port)),
        AppSpec::UdpEcho(port) => Box::new(UdpEcho::new(*port)),
        AppSpec::DnsServer(cfg) => Box::new(DnsServerApp::new(
            DnsServer::new(cfg.clone()),
            42000 + k as u16,
        )),
        AppSpec::DhcpServer { .. } | AppSpec::Named { .. } => return None,
    })
}

/// Application `k` of node `name`.
///
/// # Panics
/// If a `Named` application wraps a DHCP server or another `Named`.
pub(super) fn build_app(
    name: &str,
    node: &NodeSpec,
    k: usize,
    app: &AppSpec,
    topo: &Topology,
    streams: &RngStreams,
) -> Box<dyn App> {
    if let Some(app) = plain(app, k) {
        return app;
    }
    match app {
        AppSpec::DhcpServer { iface, config } => Box::new(DhcpServerApp::new(
            *iface,
            config.addr.addr,
            DhcpServer::new(config.clone(), &topo.iface(*iface).name),
        )),
        AppSpec::Named { name: host, app } => {
            assert!(
                !matches!(**app, AppSpec::DhcpServer { .. } | AppSpec::Named { .. }),
                "node {name}: application {k} cannot name its target"
            );
            let inner = (**app).clone();
            let make = move |ip: Ipv4Addr, start: SimTime| {
                plain(&inner.retarget(ip, start), k).expect("a named application is a plain one")
            };
            Box::new(Named::new(
                host,
                app.start(),
                41000 + k as u16,
                node.resolver,
                streams.stream(&format!("node:{name}:app{k}:dns")),
                Box::new(make),
            ))
        }
        _ => unreachable!("plain applications are built above"),
    }
}

/// DNS servers, DHCP clients and address translation of node `name`.
pub(super) fn add_services(
    node: &mut IpNode,
    name: &str,
    spec: &NodeSpec,
    topo: &Topology,
    streams: &RngStreams,
) {
    node.set_dns_servers(spec.dns.clone());
    for (iface, cfg) in &spec.dhcp {
        let ifname = &topo.iface(*iface).name;
        let rng = streams.stream(&format!("node:{name}:dhcp:{ifname}"));
        node.add_dhcp_client(
            *iface,
            DhcpClient::new(cfg.clone(), ifname, SimTime::ZERO, rng),
        );
    }
    if let Some(nat) = &spec.nat {
        node.set_nat(Nat::new(nat.clone()));
    }
}
