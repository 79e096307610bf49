//! The ping, traceroute and TCP application part of the world builder, with
//! each TCP application's settings resolved over its host's.

use std::net::{Ipv4Addr, SocketAddrV4};

use protocols::apps::bulk::{BulkConfig, SinkConfig};
use protocols::apps::http::{HttpClientConfig, HttpServerConfig, HttpVersion};
use protocols::apps::ping::PingConfig;
use protocols::apps::synflood::SynFloodConfig;
use protocols::apps::traceroute::TracerouteConfig;
use protocols::tcp::{Endpoint, KeepaliveConfig, TcpConfig};
use protocols::world::AppSpec;

use super::cidr;
use crate::schema::App;
use crate::tcp::{Cc, Tcp};

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
        cc: pick!(cc).map_or(d.cc, Cc::algorithm),
        limited_transmit: pick!(limited_transmit).unwrap_or(d.limited_transmit),
        prr: pick!(prr).unwrap_or(d.prr),
        ecn: pick!(ecn).unwrap_or(d.ecn),
        slow_start_after_idle: pick!(slow_start_after_idle).unwrap_or(d.slow_start_after_idle),
    }
}

/// The spec of a ping, traceroute or TCP application.
///
/// # Panics
/// For another kind of application (see [`super::services::app_spec`]).
pub(super) fn app_spec(a: &App, host_tcp: &Tcp) -> AppSpec {
    match a {
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
        other => unreachable!("{} is built with the services", other.kind()),
    }
}
