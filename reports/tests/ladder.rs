//! `ladder.txt` through `make_sinks`: written for a run with TCP, replaced by
//! a note above the limit, absent when switched off.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use common::*;
use protocols::packet::{Frame, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, SendCause, State, TcpTrace};
use protocols::trace::{Event, Tracer, events};
use protocols::wire::{IpProtocol, TcpFlags, TcpRepr, TcpSeq};
use reports::{CaptureFilter, LADDER_FILE, OutputConfig, make_sinks};
use sim_core::SimTime;

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "netsim-reports-ladder-{test}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn h1() -> Endpoint {
    Endpoint {
        addr: "10.0.1.10".parse().unwrap(),
        port: 40000,
    }
}

fn h2() -> Endpoint {
    Endpoint {
        addr: "10.0.2.10".parse().unwrap(),
        port: 80,
    }
}

fn frame(repr: TcpRepr, from_h1: bool) -> Frame {
    let mut header = ip_header(64, 1);
    header.protocol = IpProtocol::Tcp;
    let (src, dst) = if from_h1 {
        (H1_ETH0, H2_ETH0)
    } else {
        (header.src, header.dst) = (header.dst, header.src);
        (H2_ETH0, H1_ETH0)
    };
    let body = IpBody::Tcp {
        header: Box::new(repr),
        payload: Bytes::new(),
    };
    ip_frame(src, dst, Ipv4Packet::new(header, body))
}

/// h1 opens a connection to h2: SYN, SYN-ACK, ACK, each sent and received.
fn handshake(tracer: &mut Tracer) {
    let t = |us: u64| SimTime::from_nanos(1_000_000_000 + us * 1_000);
    let syn = TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq: TcpSeq(100),
        flags: TcpFlags::SYN,
        ..TcpRepr::default()
    };
    let syn_ack = TcpRepr {
        src_port: 80,
        dst_port: 40000,
        seq: TcpSeq(300),
        ack: Some(TcpSeq(101)),
        flags: TcpFlags::SYN,
        ..TcpRepr::default()
    };
    let ack = TcpRepr {
        seq: TcpSeq(101),
        ack: Some(TcpSeq(301)),
        flags: TcpFlags::NONE,
        ..syn
    };
    let state = |from, to, cause| TcpTrace::State { from, to, cause };
    let steps = [
        (
            0,
            true,
            state(State::Closed, State::SynSent, "OPEN (active)"),
            syn,
        ),
        (
            200,
            false,
            state(State::Listen, State::SynReceived, "rcv SYN"),
            syn_ack,
        ),
        (
            400,
            true,
            state(State::SynSent, State::Established, "rcv SYN,ACK"),
            ack,
        ),
    ];
    for (k, (us, from_h1, note, repr)) in steps.into_iter().enumerate() {
        let (node, local, remote, iface) = if from_h1 {
            (H1, h1(), h2(), H1_ETH0)
        } else {
            (H2, h2(), h1(), H2_ETH0)
        };
        let cause = [SendCause::Syn, SendCause::SynAck, SendCause::PureAck][k];
        let sent = TcpTrace::Sent {
            repr,
            len: 0,
            cause,
        };
        let f = frame(repr, from_h1);
        let peer_iface = if from_h1 { H2_ETH0 } else { H1_ETH0 };
        for trace in [&note, &sent] {
            let e = Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace,
            });
            tracer.emit(t(us), e);
        }
        tracer.emit(t(us), Event::Tx(events::Tx { iface, frame: &f }));
        tracer.emit(
            t(us + 200),
            Event::Rx(events::Rx {
                iface: peer_iface,
                frame: &f,
            }),
        );
    }
}

fn run(cfg: &OutputConfig) {
    let sinks = make_sinks(cfg, Arc::new(router_topology()), &provenance()).unwrap();
    let mut tracer = Tracer::new(sinks);
    handshake(&mut tracer);
    for mut sink in tracer.into_sinks() {
        sink.finish().unwrap();
    }
}

fn config(dir: &Path, ladder_limit: u64) -> OutputConfig {
    OutputConfig {
        trace: false,
        events: false,
        capture: CaptureFilter::Off,
        ladder_limit,
        ..OutputConfig::new(dir)
    }
}

#[test]
fn ladder_file_is_written_by_default() {
    let dir = scratch("default");
    run(&OutputConfig {
        capture: CaptureFilter::Off,
        ..OutputConfig::new(&dir)
    });
    let text = fs::read_to_string(dir.join(LADDER_FILE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "# netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0",
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "      time  h1                                                   h2            arrives",
        ]
    );
    assert_eq!(
        lines[5],
        "  1.000200  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED  1.000400"
    );
    assert_eq!(lines.len(), 7);
    let svg = fs::read_to_string(dir.join(reports::LADDER_SVG_FILE)).unwrap();
    assert!(svg.contains(">SYN,ACK seq=0 ack=1 len=0<"), "{svg}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn above_the_limit_the_file_holds_the_note() {
    let dir = scratch("over");
    run(&config(&dir, 2));
    assert_eq!(
        fs::read_to_string(dir.join(LADDER_FILE)).unwrap(),
        "# netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0\n\
         (ladder not shown: 3 segments; raise outputs.ladder_limit)\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zero_limit_writes_no_ladder() {
    let dir = scratch("off");
    run(&config(&dir, 0));
    assert!(!dir.join(LADDER_FILE).exists());
    assert!(!dir.join(reports::LADDER_SVG_FILE).exists());
    fs::remove_dir_all(&dir).unwrap();
}
