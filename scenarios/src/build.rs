//! The world builder: turns a validated [`Scenario`] into a
//! [`protocols::world::WorldSpec`].
//!
//! Interfaces get their ids in scenario order (each node's interfaces, then
//! its switch ports in link order), so MAC addresses are the same on every run.

use std::net::Ipv4Addr;

use protocols::apps::ping::PingConfig;
use protocols::apps::traceroute::TracerouteConfig;
use protocols::link::aqm::{CoDelConfig, RedConfig};
use protocols::link::impair::{self, Impairments, LossModel};
use protocols::link::{Discipline, LinkParams, QueueConfig, QueueLimit as WireQueueLimit};
use protocols::node::ipv4::arp::ArpConfig;
use protocols::topology::{LinkId, NodeId, NodeKind};
use protocols::wire;
use protocols::world::{
    self, AppSpec, IfaceSpec, ImpairChange, LinkSpec, NodeSpec, RouteSpec, WorldSpec,
};

use crate::link::{Direction, DropRule, LinkDirection, Loss, Queue};
use std::net::SocketAddrV4;

use protocols::apps::bulk::{BulkConfig, SinkConfig};
use protocols::apps::http::{HttpClientConfig, HttpServerConfig, HttpVersion};
use protocols::apps::synflood::SynFloodConfig;
use protocols::tcp::{BbrConfig, CcAlgorithm, CubicConfig, Endpoint, KeepaliveConfig, TcpConfig};

use crate::schema::{Action, Address, App, Arp, Node, Scenario};

mod services;
use crate::tcp::{Cc, Tcp};
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
                queue_config(l.queue_of(LinkDirection::AtoB)),
                queue_config(l.queue_of(LinkDirection::BtoA)),
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
                Action::NodeDown { node } => world::Action::NodeDown(NodeId(index_of(node) as u32)),
                Action::NodeUp { node } => world::Action::NodeUp(NodeId(index_of(node) as u32)),
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
                    queue: set.queue.as_ref().map(queue_config),
                    impair: Box::new(ImpairChange {
                        loss: set.loss.as_ref().map(loss_model),
                        rules: set.drop.as_ref().map(|r| r.iter().map(drop_rule).collect()),
                        jitter: set.jitter,
                        duplicate: set.duplicate,
                        corrupt: set.corrupt,
                        reorder: set.reorder,
                    }),
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
            addr: i.address.and_then(Address::static_cidr).map(cidr),
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
    let host_tcp = n.tcp().cloned().unwrap_or_default();
    spec.apps = n
        .apps()
        .iter()
        .map(|a| services::named(a, app_spec(a, &host_tcp, n)))
        .collect();
    services::node_services(n, &mut spec);
    spec
}

/// The target address; a host name (resolved at run time) is 0.0.0.0 here.
fn target(to: &str) -> Ipv4Addr {
    to.parse().unwrap_or(Ipv4Addr::UNSPECIFIED)
}

/// `addr:port` or `name:port`, validated (a name's address is 0.0.0.0 here).
fn endpoint(to: &str) -> Endpoint {
    if let Ok(sa) = to.parse::<SocketAddrV4>() {
        return Endpoint {
            addr: *sa.ip(),
            port: sa.port(),
        };
    }
    let (_, port) = to.rsplit_once(':').expect("validated name:port");
    Endpoint {
        addr: Ipv4Addr::UNSPECIFIED,
        port: port.parse().expect("validated port"),
    }
}

/// The TCP configuration: the app's settings over the host's over the defaults.
fn tcp_config(app: &Tcp, host: &Tcp) -> TcpConfig {
    let d = TcpConfig::default();
    macro_rules! pick {
        ($f:ident) => {
            app.$f.clone().or_else(|| host.$f.clone())
        };
    }
    let mut rtt = d.rtt;
    if let Some(v) = pick!(initial_rto) {
        rtt.initial_rto = v;
    }
    if let Some(v) = pick!(min_rto) {
        rtt.min_rto = v;
    }
    if let Some(v) = pick!(max_rto) {
        rtt.max_rto = v;
    }
    TcpConfig {
        mss: pick!(mss).or(d.mss),
        send_buffer: pick!(send_buffer).map_or(d.send_buffer, |b| b.bytes() as usize),
        recv_buffer: pick!(recv_buffer).map_or(d.recv_buffer, |b| b.bytes() as usize),
        nagle: pick!(nagle).unwrap_or(d.nagle),
        delayed_ack: pick!(delayed_ack).unwrap_or(d.delayed_ack),
        delayed_ack_timeout: pick!(delayed_ack_timeout).unwrap_or(d.delayed_ack_timeout),
        window_scaling: pick!(window_scaling).unwrap_or(d.window_scaling),
        sack: pick!(sack).unwrap_or(d.sack),
        timestamps: pick!(timestamps).unwrap_or(d.timestamps),
        rtt,
        syn_retries: pick!(syn_retries).unwrap_or(d.syn_retries),
        data_retries: pick!(data_retries).unwrap_or(d.data_retries),
        msl: pick!(msl).unwrap_or(d.msl),
        keepalive: pick!(keepalive).map(|k| KeepaliveConfig {
            idle: k.idle,
            interval: k.interval,
            probes: k.probes,
        }),
        dupack_threshold: pick!(dupack_threshold).unwrap_or(d.dupack_threshold),
        initial_window: pick!(initial_window).unwrap_or(d.initial_window),
        cc: pick!(cc).map_or(d.cc, |cc| match cc {
            Cc::Tahoe => CcAlgorithm::Tahoe,
            Cc::Reno => CcAlgorithm::Reno,
            Cc::NewReno => CcAlgorithm::NewReno,
            Cc::Cubic => CcAlgorithm::Cubic(CubicConfig::default()),
            Cc::CubicHystart => CcAlgorithm::Cubic(CubicConfig {
                hystart: true,
                ..CubicConfig::default()
            }),
            Cc::Bbr => CcAlgorithm::Bbr(BbrConfig::default()),
        }),
        limited_transmit: pick!(limited_transmit).unwrap_or(d.limited_transmit),
        prr: pick!(prr).unwrap_or(d.prr),
        ecn: pick!(ecn).unwrap_or(d.ecn),
        slow_start_after_idle: pick!(slow_start_after_idle).unwrap_or(d.slow_start_after_idle),
    }
}

fn app_spec(a: &App, host_tcp: &Tcp, node: &Node) -> AppSpec {
    match a {
        App::DhcpServer(_)
        | App::DnsServer(_)
        | App::UdpCbr(_)
        | App::UdpOnOff(_)
        | App::UdpSink(_)
        | App::UdpEcho(_) => services::app_spec(a, node),
        App::BulkSend(b) => AppSpec::BulkSend(BulkConfig {
            to: endpoint(&b.to),
            bytes: b.bytes.map(|x| x.bytes()),
            start: b.start,
            local_port: b.local_port,
            close: b.close,
            tcp: tcp_config(&b.tcp, host_tcp),
        }),
        App::Sink(k) => AppSpec::Sink(SinkConfig {
            port: k.port,
            backlog: k.backlog as usize,
            syn_cookies: k.syn_cookies,
            read_rate: k.read_rate,
            echo: false,
            tcp: tcp_config(&k.tcp, host_tcp),
        }),
        App::Echo(e) => AppSpec::Sink(SinkConfig {
            port: e.port,
            backlog: 128,
            syn_cookies: false,
            read_rate: None,
            echo: true,
            tcp: tcp_config(&e.tcp, host_tcp),
        }),
        App::HttpClient(h) => AppSpec::HttpClient(HttpClientConfig {
            to: endpoint(&h.to),
            version: match h.version {
                crate::tcp::HttpVersion::Http10 => HttpVersion::Http10,
                crate::tcp::HttpVersion::Http11 => HttpVersion::Http11,
            },
            requests: h.requests,
            start: h.start,
            think: h.think,
            tcp: tcp_config(&h.tcp, host_tcp),
        }),
        App::HttpServer(h) => AppSpec::HttpServer(HttpServerConfig {
            port: h.port,
            response_size: h.response_size.bytes(),
            backlog: h.backlog as usize,
            tcp: tcp_config(&h.tcp, host_tcp),
        }),
        App::SynFlood(f) => AppSpec::SynFlood(SynFloodConfig {
            to: endpoint(&f.to),
            spoof_from: cidr(f.spoof_from),
            count: f.count,
            interval: f.interval,
            start: f.start,
        }),
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

fn queue_config(q: &Queue) -> QueueConfig {
    let limit = match q.limit() {
        QueueLimit::Packets(n) => WireQueueLimit::Packets(n as usize),
        QueueLimit::Bytes(b) => WireQueueLimit::Bytes(b.bytes() as usize),
    };
    let discipline = match *q {
        Queue::DropTail { .. } => Discipline::DropTail,
        Queue::Red {
            min_th,
            max_th,
            max_p,
            w_q,
            gentle,
            ecn,
            ..
        } => Discipline::Red(RedConfig {
            min_th,
            max_th,
            max_p,
            w_q,
            gentle,
            ecn,
        }),
        Queue::CoDel {
            target,
            interval,
            ecn,
            ..
        } => Discipline::CoDel(CoDelConfig {
            target,
            interval,
            ecn,
        }),
    };
    QueueConfig { limit, discipline }
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
