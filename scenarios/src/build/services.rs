//! The DHCP, DNS, NAT and UDP part of the world builder: each service gets
//! the configuration it runs with, interfaces and reserved hosts resolved to
//! ids and MAC addresses.

use std::net::{Ipv4Addr, SocketAddrV4};

use protocols::apps::udp::UdpSendConfig;
use protocols::dhcp::{ClientConfig, ServerConfig};
use protocols::dns::{DnsServerConfig, ResolverConfig, ZoneData};
use protocols::nat::NatConfig;
use protocols::topology::{NodeId, Topology};
use protocols::world::{AppSpec, NodeSpec};

use super::{Names, iface};
use crate::schema::{Address, App, DhcpClient, DhcpServer, Node, Record};

/// The spec of a DHCP, DNS or UDP application of node `id`; `None` for
/// another kind (see [`super::apps::app_spec`]).
pub(super) fn app_spec(
    a: &App,
    node: &Node,
    id: NodeId,
    topo: &Topology,
    names: &Names<'_>,
) -> Option<AppSpec> {
    Some(match a {
        App::DhcpServer(d) => dhcp_server(d, node, id, topo, names),
        App::DnsServer(d) => AppSpec::DnsServer(DnsServerConfig {
            records: d
                .records
                .iter()
                .map(|r| match r {
                    Record::A { name, address } => (name.clone(), ZoneData::A(*address)),
                    Record::Cname { name, target } => {
                        (name.clone(), ZoneData::Cname(target.clone()))
                    }
                })
                .collect(),
            zones: d.zones.clone(),
            ttl: d.ttl,
            forward_to: d.forward_to,
            forward_timeout: d.forward_timeout,
        }),
        App::UdpCbr(u) => AppSpec::UdpSend(UdpSendConfig {
            to: socket(&u.to),
            src_port: 0,
            rate: u.rate,
            size: u.size as usize,
            start: u.start,
            duration: u.duration,
            count: u.count,
            on_off: None,
        }),
        App::UdpOnOff(u) => AppSpec::UdpSend(UdpSendConfig {
            to: socket(&u.to),
            src_port: 0,
            rate: u.rate,
            size: u.size as usize,
            start: u.start,
            duration: u.duration,
            count: u.count,
            on_off: Some((u.on, u.off)),
        }),
        App::UdpSink(u) => AppSpec::UdpSink(u.port),
        App::UdpEcho(u) => AppSpec::UdpEcho(u.port),
        _ => return None,
    })
}

/// A DHCP server on its interface, with the defaults filled in: the router
/// option is the interface's address on a router, a declined address is held
/// for a lease time, a reservation without an interface names the host's first.
fn dhcp_server(
    d: &DhcpServer,
    node: &Node,
    id: NodeId,
    topo: &Topology,
    names: &Names<'_>,
) -> AppSpec {
    let served = iface(topo, id, &d.interface);
    let addr = topo
        .iface(served)
        .addr
        .expect("validated: a DHCP server's interface has a static address");
    let reservations = d
        .reservations
        .iter()
        .map(|r| {
            let (host, ifname) = match r.host.split_once(':') {
                Some((h, i)) => (h, Some(i)),
                None => (r.host.as_str(), None),
            };
            let host = names.node(host);
            let reserved = match ifname {
                Some(name) => iface(topo, host, name),
                None => *topo.nodes[host.0 as usize]
                    .ifaces
                    .first()
                    .expect("validated: a reserved host has an interface"),
            };
            (topo.iface(reserved).mac, r.address)
        })
        .collect();
    AppSpec::DhcpServer {
        iface: served,
        config: ServerConfig {
            addr,
            pool: (d.pool.first, d.pool.last),
            lease: d.lease,
            renewal: d.renewal,
            rebinding: d.rebinding,
            router: d
                .router
                .or_else(|| matches!(node, Node::Router(_)).then_some(addr.addr)),
            dns: d.dns.clone(),
            reservations,
            offer_hold: d.offer_hold,
            decline_hold: d.decline_hold.unwrap_or(d.lease),
        },
    }
}

/// `host:port` with an address (a host name becomes 0.0.0.0, see [`named`]).
fn socket(to: &str) -> SocketAddrV4 {
    let (host, port) = to.rsplit_once(':').expect("validated address:port");
    SocketAddrV4::new(
        host.parse().unwrap_or(Ipv4Addr::UNSPECIFIED),
        port.parse().expect("validated port"),
    )
}

/// The host name an application targets, if it names one.
fn host_name(a: &App) -> Option<String> {
    let to = a.target()?;
    let host = if a.target_has_port() {
        to.rsplit_once(':').map_or(to, |(h, _)| h)
    } else {
        to
    };
    host.parse::<Ipv4Addr>()
        .is_err()
        .then(|| host.trim_end_matches('.').to_string())
}

/// `spec`, resolving its target first when `a` names it by host name.
pub(super) fn named(a: &App, spec: AppSpec) -> AppSpec {
    match host_name(a) {
        Some(name) => AppSpec::Named {
            name,
            app: Box::new(spec),
        },
        None => spec,
    }
}

/// DNS servers, DHCP clients and resolver settings, address translation.
pub(super) fn node_services(n: &Node, id: NodeId, topo: &Topology, spec: &mut NodeSpec) {
    let (client, resolver) = match n {
        Node::Host(h) => (
            h.dhcp.clone(),
            ResolverConfig {
                timeout: h.resolver.timeout,
                attempts: h.resolver.attempts,
            },
        ),
        Node::Router(_) | Node::Switch(_) => (DhcpClient::default(), ResolverConfig::default()),
    };
    spec.dhcp = n
        .interfaces()
        .iter()
        .filter(|i| i.address == Some(Address::Dhcp))
        .map(|i| {
            let dhcp = iface(topo, id, &i.name);
            let cfg = ClientConfig {
                mac: topo.iface(dhcp).mac,
                hostname: Some(n.name().to_string()),
                arp_probe: client.arp_probe,
                init_delay: client.init_delay,
                release_at: client.release_at,
            };
            (dhcp, cfg)
        })
        .collect();
    spec.dns = n.dns().to_vec();
    spec.resolver = resolver;
    spec.nat = n.nat().map(|nat| NatConfig {
        udp_timeout: nat.udp_timeout,
        tcp_timeout: nat.tcp_timeout,
        tcp_transitory_timeout: nat.tcp_transitory_timeout,
        icmp_timeout: nat.icmp_timeout,
        ..NatConfig::new(
            nat.inside.iter().map(|i| iface(topo, id, i)).collect(),
            iface(topo, id, &nat.outside),
        )
    });
}
