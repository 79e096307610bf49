//! The world builder: turns a validated [`Scenario`] into a
//! [`protocols::world::WorldSpec`].
//!
//! Interfaces get their ids in scenario order (each node's interfaces, then
//! its switch ports in link order), so MAC addresses are the same on every run.

use std::net::Ipv4Addr;

use protocols::apps::ping::PingConfig;
use protocols::apps::traceroute::TracerouteConfig;
use protocols::link::impair::{self, Impairments, LossModel};
use protocols::link::{LinkParams, QueueLimit as WireQueueLimit};
use protocols::node::arp::ArpConfig;
use protocols::topology::{LinkId, NodeKind};
use protocols::wire;
use protocols::world::{
    self, AppSpec, IfaceSpec, ImpairChange, LinkSpec, NodeSpec, RouteSpec, WorldSpec,
};

use crate::link::{Direction, DropRule, LinkDirection, Loss, Queue};
use crate::schema::{Action, App, Arp, Node, Scenario};
use crate::values::{Ipv4Cidr, QueueLimit};

/// The world a validated scenario describes, for run `run_index` with `seed`.
///
/// # Panics
/// If the scenario was not validated (a link names a missing interface).
pub fn world_spec(s: &Scenario, seed: u64, run_index: u64) -> WorldSpec {
    let mut nodes: Vec<NodeSpec> = s.nodes.iter().map(node_spec).collect();
    let index_of = |name: &str| {
        s.nodes
            .iter()
            .position(|n| n.name() == name)
            .expect("validated node")
    };
    // Switch ports come into being with the links that name them.
    let mut links = Vec::new();
    for l in &s.links {
        let mut end = |e: &crate::values::Endpoint| {
            let n = index_of(&e.node);
            let port = e.port.clone().expect("loading numbers switch ports");
            let node = &mut nodes[n];
            let i = match node.ifaces.iter().position(|i| i.name == port) {
                Some(i) => i,
                None => {
                    assert_eq!(node.kind, NodeKind::Switch, "validated interface {}", e);
                    node.ifaces.push(IfaceSpec {
                        name: port,
                        addr: None,
                        mtu: None,
                    });
                    node.ifaces.len() - 1
                }
            };
            (n, i)
        };
        let (a, b) = (end(&l.a), end(&l.b));
        links.push(LinkSpec {
            name: l.name.clone(),
            a,
            b,
            params: LinkParams {
                rate: l.rate,
                delay: l.delay,
                mtu: l.mtu,
            },
            queue: [
                queue_limit(l.queue_of(LinkDirection::AtoB)),
                queue_limit(l.queue_of(LinkDirection::BtoA)),
            ],
            impair: [impairments(&l.a_to_b), impairments(&l.b_to_a)],
        });
    }
    let link_id = |name: &str| {
        LinkId(
            s.links
                .iter()
                .position(|l| l.name == name)
                .expect("validated link") as u32,
        )
    };
    let timeline = s
        .timeline
        .iter()
        .map(|t| {
            let action = match &t.action {
                Action::LinkDown { link } => world::Action::LinkDown(link_id(link)),
                Action::LinkUp { link } => world::Action::LinkUp(link_id(link)),
                Action::SetLink(set) => world::Action::SetLink {
                    link: link_id(&set.link),
                    dirs: match set.direction {
                        None => [true, true],
                        Some(LinkDirection::AtoB) => [true, false],
                        Some(LinkDirection::BtoA) => [false, true],
                    },
                    rate: set.rate,
                    delay: set.delay,
                    mtu: set.mtu,
                    queue: set.queue.as_ref().map(queue_limit),
                    impair: ImpairChange {
                        loss: set.loss.as_ref().map(loss_model),
                        rules: set.drop.as_ref().map(|r| r.iter().map(drop_rule).collect()),
                        jitter: set.jitter,
                        duplicate: set.duplicate,
                        corrupt: set.corrupt,
                        reorder: set.reorder,
                    },
                },
            };
            (t.time, action)
        })
        .collect();
    WorldSpec {
        seed,
        run_index,
        nodes,
        links,
        timeline,
    }
}

fn cidr(c: Ipv4Cidr) -> wire::Ipv4Cidr {
    wire::Ipv4Cidr::new(c.addr(), c.prefix_len()).expect("validated prefix")
}

fn arp_config(a: &Arp) -> ArpConfig {
    ArpConfig {
        timeout: a.timeout,
        retries: a.retries,
        retry_interval: a.retry_interval,
        queue: a.queue as usize,
        gratuitous: a.gratuitous,
    }
}

fn node_spec(n: &Node) -> NodeSpec {
    let kind = match n {
        Node::Host(_) => NodeKind::Host,
        Node::Router(_) => NodeKind::Router,
        Node::Switch(_) => NodeKind::Switch,
    };
    let mut spec = NodeSpec::new(n.name(), kind);
    spec.ifaces = n
        .interfaces()
        .iter()
        .map(|i| IfaceSpec {
            name: i.name.clone(),
            addr: i.address.map(cidr),
            mtu: i.mtu,
        })
        .collect();
    spec.routes = n
        .routes()
        .iter()
        .map(|r| RouteSpec {
            dest: cidr(r.to),
            via: r.via,
            iface: r.interface.clone(),
        })
        .collect();
    spec.gateway = n.gateway();
    if let Some(arp) = n.arp() {
        spec.arp = arp_config(arp);
    }
    match n {
        Node::Router(r) => spec.proxy_arp = r.proxy_arp,
        Node::Switch(sw) => spec.mac_ageing = sw.mac_ageing,
        Node::Host(_) => {}
    }
    spec.apps = n.apps().iter().map(app_spec).collect();
    spec
}

fn target(to: &str) -> Ipv4Addr {
    to.parse().expect("validated target address")
}

fn app_spec(a: &App) -> AppSpec {
    match a {
        App::Ping(p) => AppSpec::Ping(PingConfig {
            dst: target(&p.to),
            count: if p.count == 0 { u32::MAX } else { p.count },
            interval: p.interval,
            size: p.size as usize,
            start: p.start,
            ttl: p.ttl,
            dont_frag: p.dont_fragment,
            timeout: p.timeout,
            ident: 0,
        }),
        App::Traceroute(t) => AppSpec::Traceroute(TracerouteConfig {
            dst: target(&t.to),
            start: t.start,
            max_hops: t.max_hops,
            probes: t.probes,
            timeout: t.timeout,
            src_port: 0,
        }),
    }
}

fn queue_limit(q: &Queue) -> WireQueueLimit {
    match q {
        Queue::DropTail { limit } => match *limit {
            QueueLimit::Packets(n) => WireQueueLimit::Packets(n as usize),
            QueueLimit::Bytes(b) => WireQueueLimit::Bytes(b.bytes() as usize),
        },
    }
}

fn loss_model(l: &Loss) -> Option<LossModel> {
    match *l {
        Loss::None => None,
        Loss::Bernoulli { p } => Some(LossModel::Bernoulli { p }),
        Loss::GilbertElliott {
            p_good_to_bad,
            p_bad_to_good,
            loss_good,
            loss_bad,
        } => Some(LossModel::GilbertElliott {
            p_good_to_bad,
            p_bad_to_good,
            loss_good,
            loss_bad,
        }),
    }
}

fn drop_rule(r: &DropRule) -> impair::DropRule {
    match *r {
        DropRule::Nth(n) => impair::DropRule::Nth(n),
        DropRule::TcpSeq(s) => impair::DropRule::TcpSeq(s),
        DropRule::IcmpSeq(s) => impair::DropRule::IcmpSeq(s),
        DropRule::During { from, to } => impair::DropRule::During { from, to },
    }
}

fn impairments(d: &Direction) -> Impairments {
    Impairments {
        loss: loss_model(&d.loss),
        rules: d.drop.iter().map(drop_rule).collect(),
        jitter: d.jitter,
        duplicate: d.duplicate,
        corrupt: d.corrupt,
        reorder: d.reorder,
    }
}
