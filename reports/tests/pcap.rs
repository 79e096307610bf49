//! Pcap files read back with `pcap-file`, and the `captures.json` manifest.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use pcap_file::pcap::PcapReader;
use pcap_file::{DataLink, TsResolution};
use protocols::topology::IfaceId;
use protocols::trace::{Event, TraceSink, events};
use reports::{CaptureManifest, PcapSink};
use sim_core::SimTime;

fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("netsim-reports-pcap-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn manifest(dir: &Path) -> CaptureManifest {
    serde_json::from_str(&fs::read_to_string(dir.join("captures.json")).unwrap()).unwrap()
}

#[test]
fn three_frames_read_back_with_nanosecond_timestamps() {
    let dir = scratch("three");
    let topo = Arc::new(router_topology());
    let mut sink = PcapSink::new(&dir, topo, &[H1_ETH0], 65535, 0, &provenance()).unwrap();
    let frames = [
        arp_request(),
        arp_reply(),
        ip_frame(H1_ETH0, R1_ETH0, echo_packet(64)),
    ];
    let times = [1_000_000_000, 1_000_204_800, 2_000_000_123];
    sink.record(
        SimTime::from_nanos(times[0]),
        &Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &frames[0],
        }),
    );
    // Not captured: another interface, and an event that is not on the wire.
    sink.record(
        SimTime::from_nanos(times[0]),
        &Event::Rx(events::Rx {
            iface: R1_ETH0,
            frame: &frames[0],
        }),
    );
    sink.record(
        SimTime::from_nanos(times[0]),
        &Event::Enqueue(events::Enqueue {
            iface: H1_ETH0,
            frame: &frames[0],
            backlog_packets: 1,
            backlog_bytes: 60,
        }),
    );
    sink.record(
        SimTime::from_nanos(times[1]),
        &Event::Rx(events::Rx {
            iface: H1_ETH0,
            frame: &frames[1],
        }),
    );
    sink.record(
        SimTime::from_nanos(times[2]),
        &Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &frames[2],
        }),
    );
    assert!(
        names(&dir).iter().all(|n| n.starts_with('.')),
        "nothing visible before finish"
    );
    sink.finish().unwrap();
    assert_eq!(names(&dir), ["captures.json", "h1-eth0.pcap"]);

    let bytes = fs::read(dir.join("h1-eth0.pcap")).unwrap();
    assert_eq!(
        &bytes[..4],
        &0xa1b2_3c4du32.to_le_bytes(),
        "nanosecond magic, little-endian"
    );
    let mut reader = PcapReader::new(&bytes[..]).unwrap();
    let header = reader.header();
    assert_eq!(header.ts_resolution, TsResolution::NanoSecond);
    assert_eq!(header.datalink, DataLink::ETHERNET);
    assert_eq!(u32::from(header.datalink), 1);
    assert_eq!(header.snaplen, 65535);
    assert_eq!((header.version_major, header.version_minor), (2, 4));
    for (i, frame) in frames.iter().enumerate() {
        let p = reader.next_packet().unwrap().unwrap();
        assert_eq!(p.timestamp, Duration::from_nanos(times[i]), "frame {i}");
        assert_eq!(&p.data[..], &frame.to_bytes()[..], "frame {i}");
        assert_eq!(p.orig_len as usize, frame.capture_len(), "frame {i}");
    }
    assert!(reader.next_packet().is_none());
    assert_eq!(frames[2].to_bytes().len(), 98);

    let m = manifest(&dir);
    assert_eq!(m.provenance, provenance());
    assert_eq!(
        (m.format.as_str(), m.link_type, m.snaplen, m.capture_limit),
        ("pcap", 1, 65535, 0)
    );
    assert_eq!(m.captures.len(), 1);
    let c = &m.captures[0];
    assert_eq!(c.file, "h1-eth0.pcap");
    assert_eq!(c.iface, "h1:eth0");
    assert_eq!(c.mac, "02:00:00:00:00:01");
    assert_eq!(c.addr.as_deref(), Some("10.0.1.10/24"));
    assert_eq!(
        (c.frames, c.truncated_at_limit, c.frames_not_written),
        (3, false, 0)
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_captured_interface_gets_a_file_even_if_silent() {
    let dir = scratch("silent");
    let topo = Arc::new(switch_topology());
    let all: Vec<IfaceId> = (0..4).map(IfaceId).collect();
    let mut sink = PcapSink::new(&dir, topo, &all, 65535, 0, &provenance()).unwrap();
    sink.finish().unwrap();
    assert_eq!(
        names(&dir),
        [
            "captures.json",
            "client-eth0.pcap",
            "server-eth0.pcap",
            "sw1-p0.pcap",
            "sw1-p1.pcap"
        ]
    );
    let bytes = fs::read(dir.join("sw1-p1.pcap")).unwrap();
    assert_eq!(bytes.len(), 24, "just the global header");
    let m = manifest(&dir);
    let files: Vec<&str> = m.captures.iter().map(|c| c.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "client-eth0.pcap",
            "sw1-p0.pcap",
            "sw1-p1.pcap",
            "server-eth0.pcap"
        ]
    );
    assert_eq!(m.captures[1].addr, None, "switch ports have no address");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn snaplen_cuts_frames_and_keeps_the_original_length() {
    let dir = scratch("snaplen");
    let topo = Arc::new(router_topology());
    let mut sink = PcapSink::new(&dir, topo, &[H1_ETH0], 64, 0, &provenance()).unwrap();
    let f = ip_frame(H1_ETH0, R1_ETH0, echo_packet(64));
    sink.record(
        SimTime::from_nanos(7),
        &Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &f,
        }),
    );
    sink.finish().unwrap();
    let bytes = fs::read(dir.join("h1-eth0.pcap")).unwrap();
    let mut reader = PcapReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.header().snaplen, 64);
    // pcap-file's checked reader rejects orig_len > snaplen, which the format
    // allows (tcpdump -s writes it); read the raw record instead.
    let raw = reader.next_raw_packet().unwrap().unwrap();
    assert_eq!((raw.ts_sec, raw.ts_frac), (0, 7));
    assert_eq!((raw.incl_len, raw.orig_len), (64, 98));
    assert_eq!(&raw.data[..], &f.to_bytes()[..64]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn capture_limit_stops_the_file_and_says_so() {
    let dir = scratch("limit");
    let topo = Arc::new(router_topology());
    let mut sink = PcapSink::new(&dir, topo, &[H1_ETH0, R1_ETH0], 0, 2, &provenance()).unwrap();
    let f = arp_request();
    for i in 0..5 {
        sink.record(
            SimTime::from_nanos(i),
            &Event::Tx(events::Tx {
                iface: H1_ETH0,
                frame: &f,
            }),
        );
    }
    for i in 0..2 {
        sink.record(
            SimTime::from_nanos(i),
            &Event::Rx(events::Rx {
                iface: R1_ETH0,
                frame: &f,
            }),
        );
    }
    sink.finish().unwrap();
    let bytes = fs::read(dir.join("h1-eth0.pcap")).unwrap();
    let mut reader = PcapReader::new(&bytes[..]).unwrap();
    assert_eq!(
        reader.header().snaplen,
        reports::MAX_SNAPLEN,
        "snaplen 0 means the maximum"
    );
    let mut n = 0;
    while let Some(p) = reader.next_packet() {
        p.unwrap();
        n += 1;
    }
    assert_eq!(n, 2);
    let m = manifest(&dir);
    assert_eq!(m.capture_limit, 2);
    let h1 = &m.captures[0];
    assert_eq!(
        (
            h1.file.as_str(),
            h1.frames,
            h1.truncated_at_limit,
            h1.frames_not_written
        ),
        ("h1-eth0.pcap", 2, true, 3)
    );
    let r1 = &m.captures[1];
    assert_eq!(
        (r1.file.as_str(), r1.frames, r1.truncated_at_limit),
        ("r1-eth0.pcap", 2, false),
        "exactly at the limit is complete"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_interface_is_an_error_and_leaves_nothing() {
    let dir = scratch("unknown");
    let topo = Arc::new(router_topology());
    let err = PcapSink::new(&dir, topo, &[H1_ETH0, IfaceId(99)], 65535, 0, &provenance())
        .err()
        .expect("interface 99 does not exist");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(names(&dir).is_empty(), "left behind: {:?}", names(&dir));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dropped_without_finish_leaves_nothing() {
    let dir = scratch("nofinish");
    let topo = Arc::new(router_topology());
    let mut sink = PcapSink::new(&dir, topo, &[H1_ETH0, H2_ETH0], 65535, 0, &provenance()).unwrap();
    sink.record(
        SimTime::ZERO,
        &Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &arp_request(),
        }),
    );
    drop(sink);
    assert!(names(&dir).is_empty(), "left behind: {:?}", names(&dir));
    fs::remove_dir_all(&dir).unwrap();
}
