//! Semantic validation: what the schema cannot say. Names must resolve and be
//! unique, addresses must be unique and gateways reachable, numbers must be in
//! range, the timeline must act on existing links before the stop time.
//!
//! Every problem names its item (`links[2] (h1-r1)`) and, when the item is
//! written in the source, its line and column. All problems are reported at
//! once, in the order of the file.
//!
//! A valid scenario is then normalized: unnamed links get their derived name
//! `"<nodeA>-<nodeB>"`, and bare switch endpoints (`"sw1"`) get the next free
//! port, `p0`, `p1`, … in link order, skipping ports named explicitly anywhere.

use sim_core::{SimDuration, SimTime};

use crate::error::{Location, Problem, ScenarioError, list, suggestion};
use crate::link::{Link, MIN_MTU, SetLink, derived_link_name};
use crate::locate::SourceMap;
use crate::overrides::Applied;
use crate::schema::{Action, Node, Pcap, Scenario};
use crate::values::Endpoint;

mod links;
mod nodes;
mod services;

/// Checks `scenario` and returns it normalized (see the module docs), or every
/// problem found.
///
/// `origin` and `text` are the source the scenario came from, used to give
/// problems a line and column; pass `""` as `text` for a scenario built in code.
pub fn validate(scenario: Scenario, origin: &str, text: &str) -> Result<Scenario, ScenarioError> {
    validate_with(scenario, origin, text, &[])
}

/// [`validate`], blaming problems inside a path set by an override on that
/// override (`--set nodes.h1.gateway=…`) instead of a file position.
pub(crate) fn validate_with(
    scenario: Scenario,
    origin: &str,
    text: &str,
    overridden: &[Applied],
) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        map: SourceMap::new(text),
        origin,
        overridden,
        problems: Vec::new(),
    };
    if let Some(crate::generate::Generate::Dumbbell(d)) = &scenario.generate {
        if !(1..=crate::generate::MAX_FLOWS).contains(&d.flows) {
            c.report(
                "generate.flows",
                "generate.flows".to_string(),
                format!(
                    "must be 1 to {}, got {}",
                    crate::generate::MAX_FLOWS,
                    d.flows
                ),
            );
        }
    }
    // The generator's nodes and links are checked like hand-written ones.
    let scenario = crate::generate::expand(scenario);
    c.nodes(&scenario);
    let ports = c.links(&scenario);
    c.timeline(&scenario);
    c.outputs(&scenario, &ports);
    crate::expect::check(&scenario, &mut |path, item, msg| c.report(path, item, msg));
    if !c.problems.is_empty() {
        let mut problems = c.problems;
        // Stable: problems without a position keep their order, at the end.
        problems.sort_by_key(|p| p.location.position.unwrap_or((usize::MAX, 0)));
        return Err(ScenarioError::Invalid { problems });
    }
    Ok(normalize(scenario, &ports))
}

struct Checker<'a> {
    map: SourceMap,
    origin: &'a str,
    overridden: &'a [Applied],
    problems: Vec<Problem>,
}

/// The resolved port of each link endpoint, `[a, b]` per link.
type Ports = Vec<[Option<String>; 2]>;

fn node_label(i: usize, node: &Node) -> String {
    format!("nodes[{i}] ({})", node.name())
}

fn link_label(i: usize, link: &Link) -> String {
    format!("links[{i}] ({})", link_name(link))
}

fn link_name(link: &Link) -> String {
    if link.name.is_empty() {
        derived_link_name(&link.a, &link.b)
    } else {
        link.name.clone()
    }
}

/// Node and interface names end up in endpoints (`node:if`) and `--set` paths.
fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("must not be empty")
    } else if name.contains(|c: char| c == ':' || c == '.' || c.is_whitespace()) {
        Some("may not contain ':', '.' or spaces")
    } else {
        None
    }
}

fn check_probability(c: &mut Checker<'_>, path: &str, item: &str, p: f64) {
    if !(0.0..=1.0).contains(&p) {
        c.report(
            path,
            item.to_string(),
            format!("probability {p} is outside [0, 1]"),
        );
    }
}

impl Checker<'_> {
    /// Records a problem with the item's label and the source path of the value.
    fn report(&mut self, path: &str, item: String, message: String) {
        let within = |set: &str| {
            path == set
                || path
                    .strip_prefix(set)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        };
        let location = match self.overridden.iter().rev().find(|(set, _)| within(set)) {
            Some((_, spec)) => Location {
                origin: format!("--set {spec}"),
                position: None,
            },
            None => Location {
                origin: self.origin.to_string(),
                position: self.map.find(path),
            },
        };
        self.problems.push(Problem {
            location,
            item,
            message,
        });
    }

    fn timeline(&mut self, s: &Scenario) {
        let link_names: Vec<String> = s.links.iter().map(link_name).collect();
        for (i, entry) in s.timeline.iter().enumerate() {
            let base = format!("timeline[{i}]");
            let kind = match &entry.action {
                Action::LinkDown { .. } => "LinkDown",
                Action::LinkUp { .. } => "LinkUp",
                Action::SetLink(_) => "SetLink",
                Action::NodeDown { .. } => "NodeDown",
                Action::NodeUp { .. } => "NodeUp",
            };
            let label = format!("{base} ({kind} at {})", at(entry.time));
            if entry.time > s.stop {
                self.report(
                    &format!("{base}.time"),
                    label.clone(),
                    format!(
                        "time {} is after the scenario stops at {}",
                        at(entry.time),
                        at(s.stop)
                    ),
                );
            }
            if let Action::NodeDown { node } | Action::NodeUp { node } = &entry.action {
                let names: Vec<&str> = s.nodes.iter().map(Node::name).collect();
                if !names.contains(&node.as_str()) {
                    self.report(
                        &format!("{base}.action.node"),
                        label.clone(),
                        format!(
                            "no node named {node:?}{} (nodes: {})",
                            suggestion(node, names.iter().copied()),
                            list(names.iter().copied())
                        ),
                    );
                }
                continue;
            }
            let link = entry.action.link();
            if !link_names.iter().any(|n| n == link) {
                self.report(
                    &format!("{base}.action.link"),
                    label.clone(),
                    format!(
                        "no link named {link:?}{} (links: {})",
                        suggestion(link, link_names.iter().map(String::as_str)),
                        list(link_names.iter().map(String::as_str))
                    ),
                );
            }
            if let Action::SetLink(set) = &entry.action {
                self.set_link(set, &format!("{base}.action"), &label);
            }
        }
    }

    fn set_link(&mut self, set: &SetLink, path: &str, item: &str) {
        if !set.changes_something() {
            self.report(path, item.to_string(), "SetLink changes nothing: give at least one of rate, delay, mtu, loss, drop, jitter, duplicate, corrupt, reorder, queue".to_string());
        }
        if set.rate.is_some_and(|r| r.bps() == 0) {
            self.report(
                &format!("{path}.rate"),
                format!("{item}.rate"),
                "must be more than 0bps".to_string(),
            );
        }
        if let Some(mtu) = set.mtu.filter(|&m| m < MIN_MTU) {
            self.report(
                &format!("{path}.mtu"),
                format!("{item}.mtu"),
                mtu_message(mtu),
            );
        }
        if let Some(loss) = &set.loss {
            for (field, p) in loss.probabilities() {
                check_probability(
                    self,
                    &format!("{path}.loss.{field}"),
                    &format!("{item}.loss.{field}"),
                    p,
                );
            }
        }
        for (field, p) in [
            ("duplicate", set.duplicate),
            ("corrupt", set.corrupt),
            ("reorder", set.reorder),
        ] {
            if let Some(p) = p {
                check_probability(
                    self,
                    &format!("{path}.{field}"),
                    &format!("{item}.{field}"),
                    p,
                );
            }
        }
        if let Some(rules) = &set.drop {
            self.drop_rules(rules, &format!("{path}.drop"), &format!("{item}.drop"));
        }
        if let Some(q) = &set.queue {
            self.queue(q, &format!("{path}.queue"), &format!("{item}.queue"));
        }
    }

    fn outputs(&mut self, s: &Scenario, ports: &Ports) {
        let node_names: Vec<&str> = s.nodes.iter().map(Node::name).collect();
        match &s.outputs.pcap {
            Pcap::Nodes(names) => {
                for (k, name) in names.iter().enumerate() {
                    if !node_names.contains(&name.as_str()) {
                        self.report(
                            &format!("outputs.pcap[{k}]"),
                            format!("outputs.pcap[{k}]"),
                            format!(
                                "no node named {name:?}{} (nodes: {})",
                                suggestion(name, node_names.iter().copied()),
                                list(node_names.iter().copied())
                            ),
                        );
                    }
                }
            }
            Pcap::Interfaces(eps) => {
                for (k, ep) in eps.iter().enumerate() {
                    let known = known_interfaces(s, ports);
                    if !known.iter().any(|e| e == &ep.to_string()) {
                        self.report(
                            &format!("outputs.pcap[{k}]"),
                            format!("outputs.pcap[{k}]"),
                            format!(
                                "no interface {:?}{} (write \"node:interface\"; interfaces: {})",
                                ep.to_string(),
                                suggestion(&ep.to_string(), known.iter().map(String::as_str)),
                                list(known.iter().map(String::as_str))
                            ),
                        );
                    }
                }
            }
            Pcap::Links(names) => {
                let link_names: Vec<String> = s.links.iter().map(link_name).collect();
                let link_names: Vec<&str> = link_names.iter().map(String::as_str).collect();
                for (k, name) in names.iter().enumerate() {
                    if !link_names.contains(&name.as_str()) {
                        self.report(
                            &format!("outputs.pcap[{k}]"),
                            format!("outputs.pcap[{k}]"),
                            format!(
                                "no link named {name:?}{} (links: {})",
                                suggestion(name, link_names.iter().copied()),
                                list(link_names.iter().copied())
                            ),
                        );
                    }
                }
            }
            Pcap::All | Pcap::Off => {}
        }
        if s.outputs.snaplen == 0 {
            self.report(
                "outputs.snaplen",
                "outputs.snaplen".to_string(),
                "must be at least 1 byte".to_string(),
            );
        }
        if let Some(Err(message)) = s.outputs.ladder.as_ref().map(|c| c.resolve(&node_names)) {
            self.report("outputs.ladder", "outputs.ladder".to_string(), message);
        }
        if let (Some(from), Some(to)) = (s.outputs.ladder_from, s.outputs.ladder_to)
            && from > to
        {
            let message = format!("{to} is before ladder_from ({from})");
            self.report(
                "outputs.ladder_to",
                "outputs.ladder_to".to_string(),
                message,
            );
        }
    }
}

/// Every `node:interface` of the scenario, switch ports included.
fn known_interfaces(s: &Scenario, ports: &Ports) -> Vec<String> {
    let mut out: Vec<String> = s
        .nodes
        .iter()
        .flat_map(|n| {
            n.interfaces()
                .iter()
                .map(move |i| format!("{}:{}", n.name(), i.name))
        })
        .collect();
    for (link, resolved) in s.links.iter().zip(ports) {
        for (ep, port) in [(&link.a, &resolved[0]), (&link.b, &resolved[1])] {
            if let (Some(Node::Switch(_)), Some(p)) = (s.node(&ep.node), port) {
                out.push(format!("{}:{p}", ep.node));
            }
        }
    }
    out
}

fn mtu_message(mtu: u32) -> String {
    format!("MTU {mtu} is less than {MIN_MTU}, the minimum for IPv4 (RFC 791)")
}

fn list_owned(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    list(v.iter().map(String::as_str))
}

/// `p3` → 3.
fn port_number(port: &str) -> Option<u64> {
    let digits = port.strip_prefix('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Fills in derived link names and resolved switch ports.
fn normalize(mut s: Scenario, ports: &Ports) -> Scenario {
    for (link, resolved) in s.links.iter_mut().zip(ports) {
        if link.name.is_empty() {
            link.name = derived_link_name(&link.a, &link.b);
        }
        let [a, b] = resolved.clone();
        link.a = Endpoint {
            node: link.a.node.clone(),
            port: a,
        };
        link.b = Endpoint {
            node: link.b.node.clone(),
            port: b,
        };
    }
    s
}

/// A time as written in scenarios: `70s`, `1.5s`.
fn at(t: SimTime) -> String {
    SimDuration::from_nanos(t.as_nanos()).to_string()
}
