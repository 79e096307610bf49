//! Checks of nodes: names, interfaces, addresses, gateways, routes and apps.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{Checker, at, bad_name, list_owned, mtu_message, node_label};
use crate::error::{list, suggestion};
use crate::link::MIN_MTU;
use crate::schema::{Address, App, Node, Scenario};
use crate::values::{Ipv4Cidr, parse_ipv4};

impl Checker<'_> {
    pub(super) fn nodes(&mut self, s: &Scenario) {
        let mut first_node: BTreeMap<&str, usize> = BTreeMap::new();
        // Address → who has it, for duplicates across the scenario.
        let mut owners: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
        for (i, node) in s.nodes.iter().enumerate() {
            let label = node_label(i, node);
            let base = format!("nodes[{i}]");
            if let Some(why) = bad_name(node.name()) {
                self.report(
                    &format!("{base}.name"),
                    label.clone(),
                    format!("node name {why}"),
                );
            }
            if let Some(&j) = first_node.get(node.name()) {
                self.report(
                    &format!("{base}.name"),
                    label.clone(),
                    format!("node name {:?} is already used by nodes[{j}]", node.name()),
                );
            } else {
                first_node.insert(node.name(), i);
            }
            self.interfaces(node, &base, &label, &mut owners);
            self.gateway_and_routes(node, &base, &label);
            for (k, app) in node.apps().iter().enumerate() {
                self.app(
                    s,
                    node,
                    app,
                    &format!("{base}.apps[{k}]"),
                    &format!("{label}.apps[{k}] ({})", app.kind()),
                );
            }
            self.node_services(s, node, &base, &label);
        }
    }

    fn interfaces(
        &mut self,
        node: &Node,
        base: &str,
        label: &str,
        owners: &mut BTreeMap<Ipv4Addr, String>,
    ) {
        let mut first_if: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, iface) in node.interfaces().iter().enumerate() {
            let path = format!("{base}.interfaces[{k}]");
            let item = format!("{label}.interfaces[{k}] ({})", iface.name);
            if let Some(why) = bad_name(&iface.name) {
                self.report(
                    &format!("{path}.name"),
                    item.clone(),
                    format!("interface name {why}"),
                );
            }
            if let Some(&j) = first_if.get(iface.name.as_str()) {
                self.report(
                    &format!("{path}.name"),
                    item.clone(),
                    format!(
                        "interface name {:?} is already used by interfaces[{j}] of {}",
                        iface.name,
                        node.name()
                    ),
                );
            } else {
                first_if.insert(&iface.name, k);
            }
            if let Some(mtu) = iface.mtu {
                if mtu < MIN_MTU {
                    self.report(
                        &format!("{path}.mtu"),
                        format!("{item}.mtu"),
                        mtu_message(mtu),
                    );
                }
            }
            let apath = format!("{path}.address");
            let item = format!("{item}.address");
            let cidr = match iface.address {
                Some(Address::Static(cidr)) => cidr,
                Some(Address::Dhcp) => {
                    if !matches!(node, Node::Host(_)) {
                        self.report(
                            &apath,
                            item,
                            format!(
                                "only hosts configure interfaces by DHCP; give the {} a static address",
                                node.kind()
                            ),
                        );
                    }
                    continue;
                }
                None => continue,
            };
            if cidr.prefix_len() <= 30 && cidr.addr() == cidr.network() {
                self.report(
                    &apath,
                    item.clone(),
                    format!("{cidr} is the network address of its subnet; use a host address such as {}/{}",
                        Ipv4Addr::from(u32::from(cidr.network()) + 1), cidr.prefix_len()),
                );
            } else if cidr.prefix_len() <= 30 && cidr.addr() == cidr.broadcast() {
                self.report(
                    &apath,
                    item.clone(),
                    format!("{cidr} is the broadcast address of its subnet"),
                );
            }
            let who = format!("{}:{}", node.name(), iface.name);
            match owners.get(&cidr.addr()) {
                Some(other) => self.report(
                    &apath,
                    item.clone(),
                    format!("address {} is already assigned to {other}", cidr.addr()),
                ),
                None => {
                    owners.insert(cidr.addr(), who);
                }
            }
        }
    }

    fn gateway_and_routes(&mut self, node: &Node, base: &str, label: &str) {
        let subnets: Vec<(&str, Ipv4Cidr)> = node
            .interfaces()
            .iter()
            .filter_map(|i| {
                i.address
                    .and_then(Address::static_cidr)
                    .map(|a| (i.name.as_str(), a))
            })
            .collect();
        let connected = || {
            if subnets.is_empty() && node.uses_dhcp() {
                "its subnet comes from DHCP: leave the gateway out, the lease's router option sets the default route".to_string()
            } else if subnets.is_empty() {
                "it has no interface with an address".to_string()
            } else {
                format!(
                    "its subnets: {}",
                    list_owned(subnets.iter().map(|(_, c)| c.trunc().to_string()))
                )
            }
        };
        let on_link = |addr: Ipv4Addr| subnets.iter().find(|(_, c)| c.contains(addr));
        if let Some(gw) = node.gateway() {
            let path = format!("{base}.gateway");
            let item = format!("{label}.gateway");
            if subnets.iter().any(|(_, c)| c.addr() == gw) {
                self.report(
                    &path,
                    item,
                    format!("{gw} is {}'s own address", node.name()),
                );
            } else if on_link(gw).is_none() {
                self.report(
                    &path,
                    item,
                    format!(
                        "{gw} is not in a connected subnet of {} ({})",
                        node.name(),
                        connected()
                    ),
                );
            }
        }
        for (k, route) in node.routes().iter().enumerate() {
            let path = format!("{base}.routes[{k}]");
            let item = format!("{label}.routes[{k}] ({})", route.to);
            if route.to.addr() != route.to.network() {
                self.report(
                    &format!("{path}.to"),
                    format!("{item}.to"),
                    format!(
                        "{} has host bits set, did you mean \"{}\"?",
                        route.to,
                        route.to.trunc()
                    ),
                );
            }
            let names: Vec<&str> = node.interfaces().iter().map(|i| i.name.as_str()).collect();
            let out_if = match &route.interface {
                Some(name) if !names.contains(&name.as_str()) => {
                    self.report(
                        &format!("{path}.interface"),
                        format!("{item}.interface"),
                        format!(
                            "{} has no interface {name:?}{} (it has: {})",
                            node.name(),
                            suggestion(name, names.iter().copied()),
                            list(names.iter().copied())
                        ),
                    );
                    continue;
                }
                Some(name) => node.interfaces().iter().find(|i| &i.name == name),
                None => None,
            };
            let out_subnet = out_if.and_then(|i| i.address.and_then(Address::static_cidr));
            match (route.via, out_if, out_subnet) {
                (Some(via), Some(iface), Some(a)) => {
                    if !a.contains(via) {
                        self.report(
                            &format!("{path}.via"),
                            format!("{item}.via"),
                            format!(
                                "next hop {via} is not in the subnet of {} ({})",
                                iface.name,
                                a.trunc()
                            ),
                        );
                    }
                }
                // Through an interface without a static address (or none
                // named), the next hop must be in another connected subnet.
                (Some(via), _, _) => {
                    if on_link(via).is_none() {
                        self.report(
                            &format!("{path}.via"),
                            format!("{item}.via"),
                            format!(
                                "next hop {via} is not in a connected subnet of {} ({})",
                                node.name(),
                                connected()
                            ),
                        );
                    }
                }
                (None, Some(_), _) => {}
                (None, None, _) => {
                    if names.len() != 1 {
                        self.report(
                            &path,
                            item,
                            "an on-link route (no `via`) needs `interface` when the node has several interfaces"
                                .to_string(),
                        );
                    }
                }
            }
        }
    }

    fn app(&mut self, s: &Scenario, node: &Node, app: &App, path: &str, item: &str) {
        if let Some(target) = app.target() {
            self.target(
                node,
                app,
                target,
                &format!("{path}.to"),
                &format!("{item}.to"),
            );
        }
        self.service_app(s, node, app, path, item);
        if app.start() > s.stop {
            self.report(
                &format!("{path}.start"),
                format!("{item}.start"),
                format!(
                    "starts at {}, after the scenario stops at {}",
                    at(app.start()),
                    at(s.stop)
                ),
            );
        }
        let mut bad = |field: &str, msg: String| {
            self.report(&format!("{path}.{field}"), format!("{item}.{field}"), msg)
        };
        match app {
            App::Ping(p) => {
                if p.ttl == 0 {
                    bad("ttl", "must be at least 1".to_string());
                }
                if p.size > 65_507 {
                    bad(
                        "size",
                        format!(
                            "{} is more than 65507 bytes, the most an IPv4 ICMP echo can carry",
                            p.size
                        ),
                    );
                }
                if p.interval.as_nanos() == 0 {
                    bad("interval", "must be more than 0".to_string());
                }
                if p.timeout.as_nanos() == 0 {
                    bad("timeout", "must be more than 0".to_string());
                }
            }
            App::BulkSend(_)
            | App::Sink(_)
            | App::Echo(_)
            | App::HttpClient(_)
            | App::HttpServer(_)
            | App::DhcpServer(_)
            | App::DnsServer(_)
            | App::UdpCbr(_)
            | App::UdpOnOff(_)
            | App::UdpSink(_)
            | App::UdpEcho(_) => {}
            App::SynFlood(f) => {
                if f.interval.as_nanos() == 0 {
                    bad("interval", "must be more than 0".to_string());
                }
            }
            App::Traceroute(t) => {
                if t.max_hops == 0 {
                    bad("max_hops", "must be at least 1".to_string());
                }
                if t.probes == 0 {
                    bad("probes", "must be at least 1".to_string());
                }
                if t.timeout.as_nanos() == 0 {
                    bad("timeout", "must be more than 0".to_string());
                }
            }
        }
    }
}

impl Checker<'_> {
    /// An application's target: an address, or a host name the node can
    /// resolve (it has a DNS server, configured or from DHCP).
    fn target(&mut self, node: &Node, app: &App, target: &str, path: &str, item: &str) {
        let (host, port) = if app.target_has_port() {
            match target.rsplit_once(':') {
                Some((h, p)) if p.parse::<u16>().is_ok() => (h, true),
                _ => (target, false),
            }
        } else {
            (target, true)
        };
        if !port {
            self.report(
                path,
                item.to_string(),
                format!(
                    "expected an address and port like \"10.0.2.10:80\" or \"server.example:80\", got {target:?}"
                ),
            );
            return;
        }
        if parse_ipv4(host).is_ok() {
            return;
        }
        if !protocols::dns::is_host_name(host) {
            let msg = match parse_ipv4(host) {
                Err(m)
                    if host
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'/') =>
                {
                    m
                }
                _ => format!(
                    "{host:?} is neither an IPv4 address like \"10.0.2.10\" nor a host name like \"server.example\""
                ),
            };
            self.report(path, item.to_string(), msg);
            return;
        }
        if node.dns().is_empty() && !node.uses_dhcp() {
            self.report(
                path,
                item.to_string(),
                format!(
                    "{host:?} is a host name, but {} has no DNS server to resolve it: set `dns: [\"…\"]` on the host or configure an interface by DHCP",
                    node.name()
                ),
            );
        }
    }
}
