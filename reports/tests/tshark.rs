//! Captures must decode cleanly in Wireshark: no malformed packet, no
//! checksum error, no expert error of any kind.
//!
//! These tests need `tshark`. When it is missing they fail (they never skip):
//! install it with `apt-get install tshark`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use bytes::Bytes;
use common::*;
use protocols::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use protocols::trace::{Event, TraceSink, events};
use protocols::wire::{IcmpRepr, IpProtocol, UnreachableCode};
use reports::PcapSink;
use sim_core::SimTime;

/// Wireshark's expert severity for errors (`PI_ERROR`).
const PI_ERROR: u64 = 0x0080_0000;

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "netsim-reports-tshark-{test}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `frames` as transmissions on h1:eth0, one per millisecond; returns the pcap path.
fn capture(dir: &Path, frames: &[Frame]) -> PathBuf {
    let topo = Arc::new(router_topology());
    let mut sink = PcapSink::new(dir, topo, &[H1_ETH0], 65535, 0, &provenance()).unwrap();
    for (i, f) in frames.iter().enumerate() {
        sink.record(
            SimTime::from_nanos(1_000_000 * (i as u64 + 1)),
            &Event::Tx(events::Tx {
                iface: H1_ETH0,
                frame: f,
            }),
        );
    }
    sink.finish().unwrap();
    dir.join("h1-eth0.pcap")
}

/// Runs `tshark -n -r <pcap> <args>` and returns its standard output.
///
/// # Panics
/// If tshark is missing (with how to install it) or fails.
fn tshark(pcap: &Path, args: &[&str]) -> String {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(pcap)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run tshark ({e}): these tests check captures with Wireshark's decoder \
                 and never skip; install it with `apt-get install tshark`"
            )
        });
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One line per problem tshark finds: `frame N: <message>`.
fn tshark_errors(pcap: &Path) -> Vec<String> {
    let stdout = tshark(
        pcap,
        &[
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=;",
            "-e",
            "frame.number",
            "-e",
            "_ws.expert.severity",
            "-e",
            "_ws.expert.message",
            "-e",
            "_ws.malformed",
        ],
    );
    let mut problems = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('|').collect();
        let [number, severities, messages, malformed] = fields[..] else {
            panic!("unexpected tshark line {line:?}");
        };
        if !malformed.is_empty() {
            problems.push(format!("frame {number}: malformed ({malformed})"));
        }
        let messages: Vec<&str> = messages.split(';').collect();
        for (i, s) in severities.split(';').filter(|s| !s.is_empty()).enumerate() {
            if s.parse::<u64>().unwrap() >= PI_ERROR {
                problems.push(format!(
                    "frame {number}: {}",
                    messages.get(i).unwrap_or(&"?")
                ));
            }
        }
    }
    problems
}

/// How many frames tshark reads from `pcap`.
fn tshark_count(pcap: &Path) -> usize {
    tshark(pcap, &["-T", "fields", "-e", "frame.number"])
        .lines()
        .count()
}

/// A reply to [`echo_packet`], from h2.
fn echo_reply() -> Ipv4Packet {
    let IpBody::Icmp(IcmpRepr::EchoRequest {
        ident,
        seq_no,
        data,
    }) = echo_packet(64).body
    else {
        unreachable!()
    };
    let mut header = ip_header(63, 9);
    std::mem::swap(&mut header.src, &mut header.dst);
    Ipv4Packet::new(
        header,
        IpBody::Icmp(IcmpRepr::EchoReply {
            ident,
            seq_no,
            data,
        }),
    )
}

/// `packet` split at `at` payload bytes (a multiple of 8) into two fragments.
fn fragments(packet: &Ipv4Packet, at: usize) -> [Ipv4Packet; 2] {
    let body = packet.body_bytes();
    let mut first = packet.header;
    first.more_frags = true;
    let mut second = packet.header;
    second.frag_offset = u16::try_from(at).unwrap();
    let raw = |b: &[u8]| IpBody::Raw(Bytes::copy_from_slice(b));
    [
        Ipv4Packet::new(first, raw(&body[..at])),
        Ipv4Packet::new(second, raw(&body[at..])),
    ]
}

fn icmp_error(original: &Ipv4Packet, icmp: impl FnOnce(Bytes) -> IcmpRepr) -> Ipv4Packet {
    let mut header = ip_header(64, 77);
    header.src = std::net::Ipv4Addr::new(10, 0, 2, 1);
    header.dst = original.header.src;
    header.protocol = IpProtocol::Icmp;
    Ipv4Packet::new(header, IpBody::Icmp(icmp(original.quote())))
}

#[test]
fn every_kind_of_frame_decodes_without_errors() {
    let dir = scratch("clean");
    let udp = udp_packet(b"hello, world");
    let big = udp_packet(&[0x5a; 1400]);
    let [frag1, frag2] = fragments(&big, 1000);
    let packets = [
        echo_packet(64),
        echo_reply(),
        udp.clone(),
        frag1,
        frag2,
        icmp_error(&udp, |original| IcmpRepr::DstUnreachable {
            code: UnreachableCode::Port,
            next_hop_mtu: 0,
            original,
        }),
        icmp_error(&big, |original| IcmpRepr::DstUnreachable {
            code: UnreachableCode::FragNeeded,
            next_hop_mtu: 576,
            original,
        }),
        icmp_error(&echo_packet(1), |original| IcmpRepr::TimeExceeded {
            code: 0,
            original,
        }),
    ];
    let mut frames = vec![arp_request(), arp_reply()];
    frames.extend(packets.into_iter().map(|p| ip_frame(H1_ETH0, R1_ETH0, p)));
    let pcap = capture(&dir, &frames);
    assert_eq!(tshark_count(&pcap), frames.len());
    let problems = tshark_errors(&pcap);
    assert!(
        problems.is_empty(),
        "tshark found problems:\n{}",
        problems.join("\n")
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupted_frame_is_reported() {
    // The check above must be able to fail: a bit flipped in the UDP payload
    // is a UDP checksum error to Wireshark.
    let dir = scratch("corrupt");
    let good = ip_frame(H1_ETH0, R1_ETH0, udp_packet(b"hello, world"));
    let mut bytes = good.to_bytes();
    bytes[14 + 20 + 8] ^= 0x01;
    let bad = Frame {
        eth: good.eth,
        body: FrameBody::Corrupted {
            fcs: Frame::fcs(&good.to_bytes()),
            bytes: Bytes::from(bytes),
        },
    };
    let pcap = capture(&dir, &[good, bad]);
    let problems = tshark_errors(&pcap);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("frame 2: Bad checksum"),
        "{problems:?}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
