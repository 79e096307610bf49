//! Checks of links: endpoints, switch ports, names, rates, MTUs, queues and
//! impairments; also the link changes of `SetLink`.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Checker, Ports, at, check_probability, link_label, link_name, mtu_message, port_number,
};
use crate::error::{list, suggestion};
use crate::link::{Direction, DropRule, Link, MIN_MTU, Queue};
use crate::schema::{Node, Scenario};
use crate::values::Endpoint;

/// Numbers the bare switch endpoints: the next free `p<n>` of each switch,
/// in link order, skipping the ports named explicitly anywhere.
struct PortNumbering<'a> {
    /// Explicit switch ports: (switch, n).
    explicit: BTreeSet<(&'a str, u64)>,
    /// The next number to try, per switch.
    next: BTreeMap<&'a str, u64>,
}

impl<'a> PortNumbering<'a> {
    fn new(s: &'a Scenario) -> PortNumbering<'a> {
        let mut explicit = BTreeSet::new();
        for ep in s.links.iter().flat_map(|l| [&l.a, &l.b]) {
            if let (Some(Node::Switch(_)), Some(n)) =
                (s.node(&ep.node), ep.port.as_deref().and_then(port_number))
            {
                explicit.insert((ep.node.as_str(), n));
            }
        }
        PortNumbering {
            explicit,
            next: BTreeMap::new(),
        }
    }

    fn next_port(&mut self, switch: &'a str) -> String {
        let next = self.next.entry(switch).or_insert(0);
        while self.explicit.contains(&(switch, *next)) {
            *next += 1;
        }
        let n = *next;
        *next += 1;
        format!("p{n}")
    }
}

/// Who connects each `(node, port)` so far: `(link index, side)`.
type Connected = BTreeMap<(String, String), (usize, char)>;

/// Records that `link` (index and side) connects `ep.node:port`; what is
/// wrong if another link connects it already.
fn connect_once(
    s: &Scenario,
    connected: &mut Connected,
    link: (usize, char),
    ep: &Endpoint,
    port: &str,
) -> Option<String> {
    let key = (ep.node.clone(), port.to_string());
    let Some(&(j, other_side)) = connected.get(&key) else {
        connected.insert(key, link);
        return None;
    };
    let what = if matches!(s.node(&ep.node), Some(Node::Switch(_))) {
        "switch port"
    } else {
        "interface"
    };
    Some(format!(
        "{what} {}:{port} is already connected by links[{j}] ({}).{other_side}",
        ep.node,
        link_name(&s.links[j])
    ))
}

impl Checker<'_> {
    /// Checks links and resolves their endpoints' ports.
    pub(super) fn links(&mut self, s: &Scenario) -> Ports {
        let mut numbering = PortNumbering::new(s);
        let mut connected = Connected::new();
        let mut first_name: BTreeMap<String, usize> = BTreeMap::new();
        let mut ports = Ports::new();
        for (i, link) in s.links.iter().enumerate() {
            let label = link_label(i, link);
            let base = format!("links[{i}]");
            let mut resolved = [None, None];
            for (side, ep, slot) in [('a', &link.a, 0), ('b', &link.b, 1)] {
                let path = format!("{base}.{side}");
                let item = format!("{label}.{side}");
                let Some(port) = self.endpoint_port(s, ep, &mut numbering, &path, &item) else {
                    continue;
                };
                if let Some(message) = connect_once(s, &mut connected, (i, side), ep, &port) {
                    self.report(&path, item, message);
                }
                resolved[slot] = Some(port);
            }
            if link.a.node == link.b.node {
                self.report(
                    &base,
                    label.clone(),
                    format!("both ends are on node {:?}", link.a.node),
                );
            }
            self.link_name_once(link, i, &mut first_name, &base, &label);
            self.link_parameters(link, &base, &label);
            ports.push(resolved);
        }
        ports
    }

    /// The port an endpoint connects: a switch's named or next free port, or
    /// an existing interface of a host or router; `None` (reported) if there
    /// is none.
    fn endpoint_port<'a>(
        &mut self,
        s: &'a Scenario,
        ep: &'a Endpoint,
        numbering: &mut PortNumbering<'a>,
        path: &str,
        item: &str,
    ) -> Option<String> {
        let Some(node) = s.node(&ep.node) else {
            let node_names: Vec<&str> = s.nodes.iter().map(Node::name).collect();
            self.report(
                path,
                item.to_string(),
                format!(
                    "no node named {:?}{} (nodes: {})",
                    ep.node,
                    suggestion(&ep.node, node_names.iter().copied()),
                    list(node_names.iter().copied())
                ),
            );
            return None;
        };
        let names: Vec<&str> = node.interfaces().iter().map(|f| f.name.as_str()).collect();
        match (node, &ep.port) {
            (Node::Switch(_), None) => Some(numbering.next_port(&ep.node)),
            (Node::Switch(_), Some(p)) if port_number(p).is_none() => {
                self.report(
                    path,
                    item.to_string(),
                    format!("switch ports are named p0, p1, …, got {p:?}"),
                );
                None
            }
            (Node::Switch(_), Some(p)) => Some(p.clone()),
            (_, None) => {
                self.report(
                    path,
                    item.to_string(),
                    format!(
                        "{} {:?} needs an interface, like \"{}:{}\" (it has: {})",
                        node.kind(),
                        ep.node,
                        ep.node,
                        names.first().copied().unwrap_or("eth0"),
                        list(names.iter().copied())
                    ),
                );
                None
            }
            (_, Some(p)) if !names.contains(&p.as_str()) => {
                self.report(
                    path,
                    item.to_string(),
                    format!(
                        "{} {:?} has no interface {p:?}{} (it has: {})",
                        node.kind(),
                        ep.node,
                        suggestion(p, names.iter().copied()),
                        list(names.iter().copied())
                    ),
                );
                None
            }
            (_, Some(p)) => Some(p.clone()),
        }
    }

    /// Reports a link name (given or derived) that an earlier link has.
    fn link_name_once(
        &mut self,
        link: &Link,
        i: usize,
        first_name: &mut BTreeMap<String, usize>,
        base: &str,
        label: &str,
    ) {
        let name = link_name(link);
        let Some(&j) = first_name.get(&name) else {
            first_name.insert(name, i);
            return;
        };
        let (path, how) = if link.name.is_empty() {
            (base.to_string(), " (derived from its endpoints)")
        } else {
            (format!("{base}.name"), "")
        };
        self.report(
            &path,
            label.to_string(),
            format!(
                "link name {name:?}{how} is already used by links[{j}]; give one of them another `name`"
            ),
        );
    }

    fn link_parameters(&mut self, link: &Link, base: &str, label: &str) {
        if link.rate.bps() == 0 {
            self.report(
                &format!("{base}.rate"),
                format!("{label}.rate"),
                "must be more than 0bps".to_string(),
            );
        }
        if link.mtu < MIN_MTU {
            self.report(
                &format!("{base}.mtu"),
                format!("{label}.mtu"),
                mtu_message(link.mtu),
            );
        }
        self.queue(
            &link.queue,
            &format!("{base}.queue"),
            &format!("{label}.queue"),
        );
        for (dir, name) in [(&link.a_to_b, "a_to_b"), (&link.b_to_a, "b_to_a")] {
            self.direction(dir, &format!("{base}.{name}"), &format!("{label}.{name}"));
        }
    }

    pub(super) fn queue(&mut self, queue: &Queue, path: &str, item: &str) {
        if queue.limit().is_zero() {
            self.report(
                &format!("{path}.limit"),
                format!("{item}.limit"),
                "must be more than 0".to_string(),
            );
        }
        match queue {
            Queue::Red {
                min_th,
                max_th,
                max_p,
                w_q,
                ..
            } => {
                if !(*min_th >= 0.0 && min_th < max_th) {
                    self.report(
                        &format!("{path}.max_th"),
                        format!("{item}.max_th"),
                        format!("must be above min_th ({min_th}), got {max_th}"),
                    );
                }
                for (field, p) in [("max_p", *max_p), ("w_q", *w_q)] {
                    if !(p > 0.0 && p <= 1.0) {
                        self.report(
                            &format!("{path}.{field}"),
                            format!("{item}.{field}"),
                            format!("must be in (0, 1], got {p}"),
                        );
                    }
                }
            }
            Queue::CoDel {
                target, interval, ..
            } => {
                if target.as_nanos() == 0 || interval <= target {
                    self.report(
                        &format!("{path}.interval"),
                        format!("{item}.interval"),
                        format!("target ({target}) must be more than 0 and less than interval ({interval})"),
                    );
                }
            }
            Queue::DropTail { .. } => {}
        }
    }

    fn direction(&mut self, d: &Direction, path: &str, item: &str) {
        for (field, p) in d.loss.probabilities() {
            check_probability(
                self,
                &format!("{path}.loss.{field}"),
                &format!("{item}.loss.{field}"),
                p,
            );
        }
        for (field, p) in [
            ("duplicate", d.duplicate),
            ("corrupt", d.corrupt),
            ("reorder", d.reorder),
        ] {
            check_probability(
                self,
                &format!("{path}.{field}"),
                &format!("{item}.{field}"),
                p,
            );
        }
        self.drop_rules(&d.drop, &format!("{path}.drop"), &format!("{item}.drop"));
        if let Some(q) = &d.queue {
            self.queue(q, &format!("{path}.queue"), &format!("{item}.queue"));
        }
    }

    pub(super) fn drop_rules(&mut self, rules: &[DropRule], path: &str, item: &str) {
        for (k, rule) in rules.iter().enumerate() {
            let path = format!("{path}[{k}]");
            let item = format!("{item}[{k}]");
            match rule {
                DropRule::Nth(0) => {
                    self.report(
                        &path,
                        item,
                        "Nth counts from 1: the first frame is Nth(1)".to_string(),
                    );
                }
                DropRule::During { from, to } if from >= to => {
                    self.report(
                        &path,
                        item,
                        format!(
                            "the window is empty: from {} is not before to {}",
                            at(*from),
                            at(*to)
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}
