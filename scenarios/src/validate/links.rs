//! Checks of links: endpoints, switch ports, names, rates, MTUs, queues and
//! impairments; also the link changes of `SetLink`.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Checker, Ports, at, check_probability, link_label, link_name, mtu_message, port_number,
};
use crate::error::{list, suggestion};
use crate::link::{Direction, DropRule, Link, MIN_MTU, Queue};
use crate::schema::{Node, Scenario};

impl Checker<'_> {
    /// Checks links and resolves their endpoints' ports.
    pub(super) fn links(&mut self, s: &Scenario) -> Ports {
        let node_names: Vec<&str> = s.nodes.iter().map(Node::name).collect();
        // Explicit switch ports, so auto-numbering skips them: (switch, n).
        let mut explicit: BTreeSet<(&str, u64)> = BTreeSet::new();
        for link in &s.links {
            for ep in [&link.a, &link.b] {
                if let (Some(Node::Switch(_)), Some(n)) =
                    (s.node(&ep.node), ep.port.as_deref().and_then(port_number))
                {
                    explicit.insert((ep.node.as_str(), n));
                }
            }
        }
        let mut next_port: BTreeMap<&str, u64> = BTreeMap::new();
        let mut used: BTreeMap<(String, String), (usize, char)> = BTreeMap::new();
        let mut first_name: BTreeMap<String, usize> = BTreeMap::new();
        let mut ports = Ports::new();
        for (i, link) in s.links.iter().enumerate() {
            let label = link_label(i, link);
            let base = format!("links[{i}]");
            let mut resolved = [None, None];
            for (side, ep, slot) in [('a', &link.a, 0), ('b', &link.b, 1)] {
                let path = format!("{base}.{side}");
                let item = format!("{label}.{side}");
                let Some(node) = s.node(&ep.node) else {
                    self.report(
                        &path,
                        item.clone(),
                        format!(
                            "no node named {:?}{} (nodes: {})",
                            ep.node,
                            suggestion(&ep.node, node_names.iter().copied()),
                            list(node_names.iter().copied())
                        ),
                    );
                    continue;
                };
                let port = match (node, &ep.port) {
                    (Node::Switch(_), None) => {
                        let next = next_port.entry(ep.node.as_str()).or_insert(0);
                        while explicit.contains(&(ep.node.as_str(), *next)) {
                            *next += 1;
                        }
                        let n = *next;
                        *next += 1;
                        format!("p{n}")
                    }
                    (Node::Switch(_), Some(p)) => {
                        if port_number(p).is_none() {
                            self.report(
                                &path,
                                item.clone(),
                                format!("switch ports are named p0, p1, …, got {p:?}"),
                            );
                            continue;
                        }
                        p.clone()
                    }
                    (_, None) => {
                        let names: Vec<&str> =
                            node.interfaces().iter().map(|f| f.name.as_str()).collect();
                        self.report(
                            &path,
                            item.clone(),
                            format!(
                                "{} {:?} needs an interface, like \"{}:{}\" (it has: {})",
                                node.kind(),
                                ep.node,
                                ep.node,
                                names.first().copied().unwrap_or("eth0"),
                                list(names.iter().copied())
                            ),
                        );
                        continue;
                    }
                    (_, Some(p)) => {
                        let names: Vec<&str> =
                            node.interfaces().iter().map(|f| f.name.as_str()).collect();
                        if !names.contains(&p.as_str()) {
                            self.report(
                                &path,
                                item.clone(),
                                format!(
                                    "{} {:?} has no interface {p:?}{} (it has: {})",
                                    node.kind(),
                                    ep.node,
                                    suggestion(p, names.iter().copied()),
                                    list(names.iter().copied())
                                ),
                            );
                            continue;
                        }
                        p.clone()
                    }
                };
                let key = (ep.node.clone(), port.clone());
                if let Some(&(j, other_side)) = used.get(&key) {
                    let what = if matches!(node, Node::Switch(_)) {
                        "switch port"
                    } else {
                        "interface"
                    };
                    self.report(
                        &path,
                        item.clone(),
                        format!(
                            "{what} {}:{port} is already connected by links[{j}] ({}).{other_side}",
                            ep.node,
                            link_name(&s.links[j])
                        ),
                    );
                } else {
                    used.insert(key, (i, side));
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
            let name = link_name(link);
            match first_name.get(&name) {
                Some(&j) => {
                    let (path, how) = if link.name.is_empty() {
                        (base.clone(), " (derived from its endpoints)")
                    } else {
                        (format!("{base}.name"), "")
                    };
                    self.report(
                        &path,
                        label.clone(),
                        format!("link name {name:?}{how} is already used by links[{j}]; give one of them another `name`"),
                    );
                }
                None => {
                    first_name.insert(name, i);
                }
            }
            self.link_parameters(link, &base, &label);
            ports.push(resolved);
        }
        ports
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
