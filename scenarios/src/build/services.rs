//! The DHCP, DNS, NAT and UDP part of the world builder.

use std::net::{Ipv4Addr, SocketAddrV4};

use protocols::apps::udp::UdpSendConfig;
use protocols::dns::{DnsServerConfig, ResolverConfig, ZoneData};
use protocols::world::{AppSpec, DhcpClientSpec, DhcpServerSpec, NatSpec, NodeSpec};

use crate::schema::{Address, App, Node, Record};

/// The spec of a DHCP, DNS or UDP application.
///
/// # Panics
/// For another kind of application (the caller handles those).
pub(super) fn app_spec(a: &App, node: &Node) -> AppSpec {
    match a {
        App::DhcpServer(d) => {
            let iface_addr = node
                .interfaces()
                .iter()
                .find(|i| i.name == d.interface)
                .and_then(|i| i.address)
                .and_then(Address::static_cidr)
                .map(|c| c.addr());
            let router = d
                .router
                .or_else(|| iface_addr.filter(|_| matches!(node, Node::Router(_))));
            AppSpec::DhcpServer(DhcpServerSpec {
                iface: d.interface.clone(),
                pool: (d.pool.first, d.pool.last),
                lease: d.lease,
                renewal: d.renewal,
                rebinding: d.rebinding,
                router,
                dns: d.dns.clone(),
                reservations: d
                    .reservations
                    .iter()
                    .map(|r| {
                        let (host, iface) = match r.host.split_once(':') {
                            Some((h, i)) => (h.to_string(), i.to_string()),
                            None => (r.host.clone(), String::new()),
                        };
                        (host, iface, r.address)
                    })
                    .collect(),
                offer_hold: d.offer_hold,
                decline_hold: d.decline_hold.unwrap_or(d.lease),
            })
        }
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
        other => unreachable!("{} is built elsewhere", other.kind()),
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

/// DNS servers, DHCP client and resolver settings, address translation.
pub(super) fn node_services(n: &Node, spec: &mut NodeSpec) {
    spec.dhcp = n
        .interfaces()
        .iter()
        .filter(|i| i.address == Some(Address::Dhcp))
        .map(|i| i.name.clone())
        .collect();
    spec.dns = n.dns().to_vec();
    if let Node::Host(h) = n {
        spec.dhcp_client = DhcpClientSpec {
            arp_probe: h.dhcp.arp_probe,
            init_delay: h.dhcp.init_delay,
            release_at: h.dhcp.release_at,
        };
        spec.resolver = ResolverConfig {
            timeout: h.resolver.timeout,
            attempts: h.resolver.attempts,
        };
    }
    spec.nat = n.nat().map(|nat| NatSpec {
        inside: nat.inside.clone(),
        outside: nat.outside.clone(),
        udp_timeout: nat.udp_timeout,
        tcp_timeout: nat.tcp_timeout,
        tcp_transitory_timeout: nat.tcp_transitory_timeout,
        icmp_timeout: nat.icmp_timeout,
    });
}
