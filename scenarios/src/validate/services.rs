//! Checks of DHCP servers, DNS servers, UDP applications, address
//! translation and DHCP client settings.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{Checker, at};
use crate::error::{list, suggestion};
use crate::schema::{App, Node, Scenario};
use crate::services::{DhcpServer, DnsServer, Nat, Record};
use crate::values::Ipv4Cidr;

/// Largest UDP payload in an IPv4 datagram (65535 − 20 − 8).
const MAX_UDP_PAYLOAD: u32 = 65_507;

/// Whether `ip` is a host address of `subnet` (any address of a /31 or /32).
fn host_address(subnet: Ipv4Cidr, ip: Ipv4Addr) -> bool {
    subnet.contains(ip)
        && (subnet.prefix_len() > 30 || (ip != subnet.network() && ip != subnet.broadcast()))
}

fn interface_names(node: &Node) -> Vec<&str> {
    node.interfaces().iter().map(|i| i.name.as_str()).collect()
}

impl Checker<'_> {
    /// The static subnet of interface `name` of `node`, reporting what is wrong.
    fn static_subnet(
        &mut self,
        node: &Node,
        name: &str,
        path: &str,
        item: &str,
        what: &str,
    ) -> Option<Ipv4Cidr> {
        let names = interface_names(node);
        let Some(iface) = node.interfaces().iter().find(|i| i.name == name) else {
            self.report(
                path,
                item.to_string(),
                format!(
                    "{} has no interface {name:?}{} (it has: {})",
                    node.name(),
                    suggestion(name, names.iter().copied()),
                    list(names.iter().copied())
                ),
            );
            return None;
        };
        let cidr = iface.address.and_then(|a| a.static_cidr());
        if cidr.is_none() {
            self.report(
                path,
                item.to_string(),
                format!("{what} needs a static address on {}:{name}", node.name()),
            );
        }
        cidr
    }

    pub(super) fn service_app(
        &mut self,
        s: &Scenario,
        node: &Node,
        app: &App,
        path: &str,
        item: &str,
    ) {
        match app {
            App::DhcpServer(d) => self.dhcp_server(s, node, d, path, item),
            App::DnsServer(d) => self.dns_server(d, path, item),
            App::UdpCbr(u) => self.udp_sender(u.rate.bps(), u.size, path, item),
            App::UdpOnOff(u) => {
                self.udp_sender(u.rate.bps(), u.size, path, item);
                if u.on.as_nanos() == 0 {
                    self.report(
                        &format!("{path}.on"),
                        format!("{item}.on"),
                        "must be more than 0".to_string(),
                    );
                }
            }
            App::UdpSink(u) if u.port == 0 => self.report(
                &format!("{path}.port"),
                format!("{item}.port"),
                "must be 1 to 65535".to_string(),
            ),
            App::UdpEcho(u) if u.port == 0 => self.report(
                &format!("{path}.port"),
                format!("{item}.port"),
                "must be 1 to 65535".to_string(),
            ),
            _ => {}
        }
    }

    fn udp_sender(&mut self, bps: u64, size: u32, path: &str, item: &str) {
        if bps == 0 {
            self.report(
                &format!("{path}.rate"),
                format!("{item}.rate"),
                "must be more than 0bps".to_string(),
            );
        }
        if !(12..=MAX_UDP_PAYLOAD).contains(&size) {
            self.report(
                &format!("{path}.size"),
                format!("{item}.size"),
                format!(
                    "{size} bytes: a datagram carries 12 (sequence number and timestamp) to {MAX_UDP_PAYLOAD} bytes"
                ),
            );
        }
    }

    fn dhcp_server(&mut self, s: &Scenario, node: &Node, d: &DhcpServer, path: &str, item: &str) {
        let Some(subnet) = self.static_subnet(
            node,
            &d.interface,
            &format!("{path}.interface"),
            &format!("{item}.interface"),
            "a DHCP server",
        ) else {
            return;
        };
        self.dhcp_pool(d, subnet, path, item);
        self.dhcp_times(d, path, item);
        if let Some(r) = d.router.filter(|r| !subnet.contains(*r)) {
            self.report(
                &format!("{path}.router"),
                format!("{item}.router"),
                format!(
                    "router {r} is not in the subnet {} it is given for",
                    subnet.trunc()
                ),
            );
        }
        self.dhcp_reservations(s, d, subnet, path, item);
    }

    /// The pool: not empty, host addresses of the subnet, not the server's own.
    fn dhcp_pool(&mut self, d: &DhcpServer, subnet: Ipv4Cidr, path: &str, item: &str) {
        let pool_path = format!("{path}.pool");
        let pool_item = format!("{item}.pool");
        if d.pool.is_empty() {
            self.report(
                &pool_path,
                pool_item.clone(),
                format!(
                    "{} is empty: the first address comes after the last",
                    d.pool
                ),
            );
        }
        for end in [d.pool.first, d.pool.last] {
            if !host_address(subnet, end) {
                self.report(
                    &pool_path,
                    pool_item.clone(),
                    format!(
                        "{end} is not a host address of {}'s subnet {} (the pool must lie inside it)",
                        d.interface,
                        subnet.trunc()
                    ),
                );
            }
        }
        if d.pool.contains(subnet.addr()) {
            self.report(
                &pool_path,
                pool_item,
                format!(
                    "the pool {} includes the server's own address {}",
                    d.pool,
                    subnet.addr()
                ),
            );
        }
    }

    /// Lease, renewal (T1) and rebinding (T2) times.
    fn dhcp_times(&mut self, d: &DhcpServer, path: &str, item: &str) {
        let lease = d.lease.as_nanos();
        if lease < 1_000_000_000 {
            self.report(
                &format!("{path}.lease"),
                format!("{item}.lease"),
                "must be at least 1s".to_string(),
            );
        }
        let t1 = d.renewal.map_or(lease / 2, |t| t.as_nanos());
        let t2 = d.rebinding.map_or(lease / 8 * 7, |t| t.as_nanos());
        if (d.renewal.is_some() || d.rebinding.is_some()) && !(t1 <= t2 && t2 <= lease) {
            self.report(
                &format!("{path}.renewal"),
                format!("{item}.renewal"),
                format!(
                    "renewal (T1 {}) ≤ rebinding (T2 {}) ≤ lease ({}) must hold (RFC 2131 §4.4.5)",
                    at(sim_core::SimTime::from_nanos(t1)),
                    at(sim_core::SimTime::from_nanos(t2)),
                    d.lease
                ),
            );
        }
    }

    /// Each reservation names an existing interface and a free host address
    /// of the subnet, reserved once.
    fn dhcp_reservations(
        &mut self,
        s: &Scenario,
        d: &DhcpServer,
        subnet: Ipv4Cidr,
        path: &str,
        item: &str,
    ) {
        let mut taken: BTreeMap<Ipv4Addr, usize> = BTreeMap::new();
        for (k, r) in d.reservations.iter().enumerate() {
            let rpath = format!("{path}.reservations[{k}]");
            let ritem = format!("{item}.reservations[{k}]");
            self.reserved_host(s, &r.host, &rpath, &ritem);
            if !host_address(subnet, r.address) || r.address == subnet.addr() {
                self.report(
                    &format!("{rpath}.address"),
                    format!("{ritem}.address"),
                    format!(
                        "{} is not a free host address of the subnet {}",
                        r.address,
                        subnet.trunc()
                    ),
                );
            }
            if let Some(j) = taken.insert(r.address, k) {
                self.report(
                    &format!("{rpath}.address"),
                    format!("{ritem}.address"),
                    format!("{} is already reserved by reservations[{j}]", r.address),
                );
            }
        }
    }

    /// A reservation's `host` or `host:interface` exists (a bare host needs
    /// an interface, its first).
    fn reserved_host(&mut self, s: &Scenario, reserved: &str, rpath: &str, ritem: &str) {
        let (host, ifname) = match reserved.split_once(':') {
            Some((h, i)) => (h, Some(i)),
            None => (reserved, None),
        };
        let Some(n) = s.node(host) else {
            let names: Vec<&str> = s.nodes.iter().map(Node::name).collect();
            self.report(
                &format!("{rpath}.host"),
                format!("{ritem}.host"),
                format!(
                    "no node named {host:?}{} (nodes: {})",
                    suggestion(host, names.iter().copied()),
                    list(names.iter().copied())
                ),
            );
            return;
        };
        let ok = match ifname {
            Some(i) => n.interfaces().iter().any(|x| x.name == i),
            None => !n.interfaces().is_empty(),
        };
        if !ok {
            let have = interface_names(n);
            self.report(
                &format!("{rpath}.host"),
                format!("{ritem}.host"),
                format!(
                    "{host} has no interface {:?} (it has: {})",
                    ifname.unwrap_or(""),
                    list(have.iter().copied())
                ),
            );
        }
    }

    fn dns_server(&mut self, d: &DnsServer, path: &str, item: &str) {
        let name_ok = |n: &str| protocols::dns::is_host_name(n);
        for (k, r) in d.records.iter().enumerate() {
            let rpath = format!("{path}.records[{k}]");
            let ritem = format!("{item}.records[{k}]");
            if !name_ok(r.name()) {
                self.report(
                    &format!("{rpath}.name"),
                    format!("{ritem}.name"),
                    format!(
                        "{:?} is not a host name (labels of letters, digits and '-', separated by dots)",
                        r.name()
                    ),
                );
            }
            if let Record::Cname { target, .. } = r {
                if !name_ok(target) {
                    self.report(
                        &format!("{rpath}.target"),
                        format!("{ritem}.target"),
                        format!("{target:?} is not a host name"),
                    );
                }
            }
        }
        for (k, z) in d.zones.iter().enumerate() {
            if !name_ok(z) {
                self.report(
                    &format!("{path}.zones[{k}]"),
                    format!("{item}.zones[{k}]"),
                    format!("{z:?} is not a domain name"),
                );
            }
        }
    }

    /// Per-node checks: UDP port clashes, address translation, DHCP client
    /// and resolver settings.
    pub(super) fn node_services(&mut self, s: &Scenario, node: &Node, base: &str, label: &str) {
        let mut ports: BTreeMap<(u16, Option<&str>), usize> = BTreeMap::new();
        for (k, app) in node.apps().iter().enumerate() {
            let port = match app {
                App::DnsServer(_) => (53, None),
                App::UdpSink(u) => (u.port, None),
                App::UdpEcho(u) => (u.port, None),
                App::DhcpServer(d) => (67, Some(d.interface.as_str())),
                _ => continue,
            };
            if let Some(j) = ports.insert(port, k) {
                let on = port.1.map_or(String::new(), |i| format!(" on {i}"));
                self.report(
                    &format!("{base}.apps[{k}]"),
                    format!("{label}.apps[{k}] ({})", app.kind()),
                    format!("UDP port {}{on} is already taken by apps[{j}]", port.0),
                );
            }
        }
        if let Some(nat) = node.nat() {
            self.nat(node, nat, &format!("{base}.nat"), &format!("{label}.nat"));
        }
        if let Node::Host(h) = node {
            if let Some(t) = h.dhcp.release_at.filter(|&t| t > s.stop) {
                self.report(
                    &format!("{base}.dhcp.release_at"),
                    format!("{label}.dhcp.release_at"),
                    format!("{} is after the scenario stops at {}", at(t), at(s.stop)),
                );
            }
            if h.resolver.attempts == 0 {
                self.report(
                    &format!("{base}.resolver.attempts"),
                    format!("{label}.resolver.attempts"),
                    "must be at least 1".to_string(),
                );
            }
            if h.resolver.timeout.as_nanos() == 0 {
                self.report(
                    &format!("{base}.resolver.timeout"),
                    format!("{label}.resolver.timeout"),
                    "must be more than 0".to_string(),
                );
            }
        }
    }

    fn nat(&mut self, node: &Node, nat: &Nat, path: &str, item: &str) {
        let names = interface_names(node);
        if nat.inside.is_empty() {
            self.report(
                &format!("{path}.inside"),
                format!("{item}.inside"),
                "name at least one inside (LAN) interface".to_string(),
            );
        }
        for (k, i) in nat.inside.iter().enumerate() {
            if !names.contains(&i.as_str()) {
                self.report(
                    &format!("{path}.inside[{k}]"),
                    format!("{item}.inside[{k}]"),
                    format!(
                        "{} has no interface {i:?}{} (it has: {})",
                        node.name(),
                        suggestion(i, names.iter().copied()),
                        list(names.iter().copied())
                    ),
                );
            } else if *i == nat.outside {
                self.report(
                    &format!("{path}.inside[{k}]"),
                    format!("{item}.inside[{k}]"),
                    format!("{i} cannot be both inside and outside"),
                );
            }
        }
        self.static_subnet(
            node,
            &nat.outside,
            &format!("{path}.outside"),
            &format!("{item}.outside"),
            "the outside of address translation",
        );
        for (field, d) in [
            ("udp_timeout", nat.udp_timeout),
            ("tcp_timeout", nat.tcp_timeout),
            ("tcp_transitory_timeout", nat.tcp_transitory_timeout),
            ("icmp_timeout", nat.icmp_timeout),
        ] {
            if d.as_nanos() == 0 {
                self.report(
                    &format!("{path}.{field}"),
                    format!("{item}.{field}"),
                    "must be more than 0".to_string(),
                );
            }
        }
    }
}
