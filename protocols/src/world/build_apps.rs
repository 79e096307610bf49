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

use super::spec::{AppSpec, NodeSpec, SpecError};
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
use crate::dhcp::{ClientConfig, DhcpClient, DhcpServer, ServerConfig};
use crate::dns::DnsServer;
use crate::nat::{Nat, NatConfig};
use crate::node::IpNode;
use crate::topology::{IfaceId, Topology};

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
            | AppSpec::DhcpServer(_)
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
        AppSpec::DhcpServer(_) | AppSpec::Named { .. } => return None,
    })
}

fn find_iface(ifaces: &[IfaceId], topo: &Topology, name: &str) -> Option<IfaceId> {
    ifaces.iter().copied().find(|&i| topo.iface(i).name == name)
}

/// Application `k` of `node`.
pub(super) fn build_app(
    node: &NodeSpec,
    k: usize,
    app: &AppSpec,
    ifaces: &[IfaceId],
    topo: &Topology,
    streams: &RngStreams,
) -> Result<Box<dyn App>, SpecError> {
    let bad = |why: String| SpecError::BadService {
        node: node.name.clone(),
        why,
    };
    if let Some(app) = plain(app, k) {
        return Ok(app);
    }
    match app {
        AppSpec::DhcpServer(d) => {
            let iface = find_iface(ifaces, topo, &d.iface)
                .ok_or_else(|| bad(format!("DHCP server: no interface {:?}", d.iface)))?;
            let addr = topo.iface(iface).addr.ok_or_else(|| {
                bad(format!(
                    "DHCP server: interface {} has no static address",
                    d.iface
                ))
            })?;
            let mut reservations = Vec::new();
            for (host, ifname, ip) in &d.reservations {
                let mac = topo
                    .nodes
                    .iter()
                    .find(|n| n.name == *host)
                    .and_then(|n| match ifname.as_str() {
                        // No interface named: the host's first.
                        "" => n.ifaces.first().copied(),
                        name => find_iface(&n.ifaces, topo, name),
                    })
                    .map(|i| topo.iface(i).mac)
                    .ok_or_else(|| {
                        bad(format!("DHCP reservation: no interface {host}:{ifname}"))
                    })?;
                reservations.push((mac, *ip));
            }
            let cfg = ServerConfig {
                addr,
                pool: d.pool,
                lease: d.lease,
                renewal: d.renewal,
                rebinding: d.rebinding,
                router: d.router,
                dns: d.dns.clone(),
                reservations,
                offer_hold: d.offer_hold,
                decline_hold: d.decline_hold,
            };
            Ok(Box::new(DhcpServerApp::new(
                iface,
                addr.addr,
                DhcpServer::new(cfg, &d.iface),
            )))
        }
        AppSpec::Named { name, app } => {
            let inner = (**app).clone();
            let make = move |ip: Ipv4Addr, start: SimTime| {
                plain(&inner.retarget(ip, start), k).expect("a named application is a plain one")
            };
            if plain(app, k).is_none() {
                return Err(bad(format!("application {k} cannot name its target")));
            }
            Ok(Box::new(Named::new(
                name,
                app.start(),
                41000 + k as u16,
                node.resolver,
                streams.stream(&format!("node:{}:app{k}:dns", node.name)),
                Box::new(make),
            )))
        }
        _ => unreachable!("plain applications are built above"),
    }
}

/// DNS servers, DHCP clients and address translation of `node`.
pub(super) fn add_services(
    node: &mut IpNode,
    spec: &NodeSpec,
    ifaces: &[IfaceId],
    topo: &Topology,
    streams: &RngStreams,
) -> Result<(), SpecError> {
    let bad = |why: String| SpecError::BadService {
        node: spec.name.clone(),
        why,
    };
    node.set_dns_servers(spec.dns.clone());
    for name in &spec.dhcp {
        let iface = find_iface(ifaces, topo, name)
            .ok_or_else(|| bad(format!("DHCP client: no interface {name:?}")))?;
        let cfg = ClientConfig {
            mac: topo.iface(iface).mac,
            hostname: Some(spec.name.clone()),
            arp_probe: spec.dhcp_client.arp_probe,
            init_delay: spec.dhcp_client.init_delay,
            release_at: spec.dhcp_client.release_at,
        };
        let rng = streams.stream(&format!("node:{}:dhcp:{name}", spec.name));
        node.add_dhcp_client(iface, DhcpClient::new(cfg, name, SimTime::ZERO, rng));
    }
    if let Some(n) = &spec.nat {
        let find = |name: &String| {
            find_iface(ifaces, topo, name).ok_or_else(|| bad(format!("NAT: no interface {name:?}")))
        };
        let inside = n.inside.iter().map(find).collect::<Result<Vec<_>, _>>()?;
        let outside = find(&n.outside)?;
        node.set_nat(Nat::new(NatConfig {
            udp_timeout: n.udp_timeout,
            tcp_timeout: n.tcp_timeout,
            tcp_transitory_timeout: n.tcp_transitory_timeout,
            icmp_timeout: n.icmp_timeout,
            ..NatConfig::new(inside, outside)
        }));
    }
    Ok(())
}
