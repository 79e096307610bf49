//! `events.jsonl`: one JSON object per event, for scripts.
//!
//! The first line is `{"provenance": {...}}`. Every event object starts with
//! `t_ns` (integer nanoseconds), `t` (seconds, as in the text trace) and `kind`
//! (`tx`, `rx`, `enqueue`, `drop`, `forward`, `fragment`, `reassembled`, `arp`,
//! `link`, `mac-learned`, `app`), then the fields that apply, always in the
//! same order and omitted when they do not apply:
//!
//! - `node`, `iface` (`h1:eth0`), `from` (a forward's arrival interface), `link`;
//! - for a frame or packet: `summary` (as in the text trace) and `len` (bytes as
//!   captured for a frame, IP total length for a packet); for frames `eth_src`
//!   and `eth_dst`; for IPv4 `src`, `dst`, `ttl`, `ident`, `proto` (the protocol
//!   number), `frag_offset` and `more_frags` (fragments only), `sport` and
//!   `dport` (UDP and TCP); for TCP `seq`, `ack` (when the ACK bit is set),
//!   `flags` (as tcpdump prints them: `S`, `S.`, `P.`, `R.`, ...), `win` (the
//!   raw window field) and `payload_len` (data bytes; `len` stays the length
//!   of the frame or packet);
//! - `enqueue`: `backlog_packets`, `backlog_bytes`;
//! - `drop`: `reason` (a stable key such as `queue-full`) and `reason_text`;
//! - `fragment`: `mtu`, `sizes`; `reassembled`: `fragments`;
//! - `arp`: `arp` (`request`, `resolved`, `failed`, `expired`), `ip`, `mac`, `attempt`;
//! - `link`: `change` (`down`, `up`, `set`) and `setting` (for `set`);
//! - `mac-learned`: `mac`; `app`: `app`, `text`;
//! - `tcp`: `local`, `remote`, `tcp` (`state`, `sent`, `timeout`, `recovery-start`,
//!   `recovery-end`, `aborted`, `listen-queue-full`, `syn-cookie-sent`,
//!   `syn-cookie-accepted`), `summary`; for `state`: `state_from`, `state_to`,
//!   `cause`; for `sent`: `seq`, `ack`, `flags`, `win`, `payload_len`, `cause`;
//!   for `timeout`: `rto_ns` and `attempt` (the count).
//! - `dhcp`: `iface`, `dhcp` (`state`, `checking`, `configured`,
//!   `deconfigured`, `conflict`), `summary`, `ip` (the address concerned); for `state`:
//!   `state_from`, `state_to` and `text` (the cause); for `conflict`: `mac`;
//! - `nat`: `nat` (`translated`, `icmp-error`, `created`, `expired`,
//!   `dropped`), `summary`, `inside` and `outside` (`address:port`, the
//!   datagram's end on each side of the gateway).
//!
//! After `trace_limit` events (0 = unlimited) the file ends with `{"truncated_at": N}`.

use std::io;
use std::sync::Arc;

use protocols::topology::Topology;
use protocols::trace::{Detail, Event, Field, Fields, TraceSink, Value};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use sim_core::SimTime;

use crate::budget::{Budget, Verdict};
use crate::destination::Destination;
use crate::provenance::Provenance;

/// One line of `events.jsonl`: time, kind, then the event's own fields
/// ([`protocols::trace::Describe::fields`]) in [`Field`] order.
struct Record<'a> {
    time: SimTime,
    kind: &'static str,
    fields: Fields<'a>,
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(Field::TNs.key(), &self.time.as_nanos())?;
        map.serialize_entry(Field::T.key(), &self.time.to_string())?;
        map.serialize_entry(Field::Kind.key(), self.kind)?;
        for (field, value) in self.fields.iter() {
            let key = field.key();
            match value {
                Value::Str(v) => map.serialize_entry(key, v)?,
                Value::Text(v) => map.serialize_entry(key, v)?,
                Value::Uint(v) => map.serialize_entry(key, v)?,
                Value::Bool(v) => map.serialize_entry(key, v)?,
                Value::Ip(v) => map.serialize_entry(key, v)?,
                Value::Sizes(v) => map.serialize_entry(key, v)?,
            }
        }
        map.end()
    }
}

/// The record for `event` at `time`.
fn record<'a>(topo: &'a Topology, time: SimTime, event: &'a Event<'a>) -> Record<'a> {
    let describe = event.describe();
    let mut fields = Fields::default();
    describe.fields(topo, &mut fields);
    Record {
        time,
        kind: describe.kind(),
        fields,
    }
}

/// The JSON object for one event (without the newline), as [`JsonlSink`] writes it.
pub fn event_json(topo: &Topology, time: SimTime, event: &Event<'_>) -> String {
    serde_json::to_string(&record(topo, time, event)).expect("an event record always serializes")
}

/// Writes `events.jsonl`.
pub struct JsonlSink<W: Destination> {
    out: Option<W>,
    closed: bool,
    topo: Arc<Topology>,
    detail: Detail,
    budget: Budget,
    error: Option<io::Error>,
}

impl<W: Destination> JsonlSink<W> {
    /// A sink writing at most `trace_limit` events (0 = unlimited) to `out`,
    /// after a first line recording `prov`.
    pub fn new(
        mut out: W,
        topo: Arc<Topology>,
        detail: Detail,
        trace_limit: u64,
        prov: &Provenance,
    ) -> io::Result<JsonlSink<W>> {
        #[derive(Serialize)]
        struct Header<'p> {
            provenance: &'p Provenance,
        }
        serde_json::to_writer(&mut out, &Header { provenance: prov })?;
        out.write_all(b"\n")?;
        Ok(JsonlSink {
            out: Some(out),
            closed: false,
            topo,
            detail,
            budget: Budget::zero_unlimited(trace_limit),
            error: None,
        })
    }

    /// Event objects written so far.
    pub fn events_written(&self) -> u64 {
        self.budget.written()
    }

    /// The destination (`None` once a failed [`TraceSink::finish`] dropped it).
    pub fn output(&self) -> Option<&W> {
        self.out.as_ref()
    }

    fn write_line(&mut self, line: &str) {
        if self.error.is_some() || self.closed {
            return;
        }
        if let Some(out) = self.out.as_mut()
            && let Err(e) = out
                .write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
        {
            self.error = Some(e);
        }
    }
}

impl<W: Destination> TraceSink for JsonlSink<W> {
    fn detail(&self) -> Detail {
        self.detail
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        match self.budget.admit() {
            Verdict::Write => {
                let line = event_json(&self.topo, time, event);
                self.write_line(&line);
            }
            Verdict::Truncate => {
                let line = format!("{{\"truncated_at\":{}}}", self.budget.written());
                self.write_line(&line);
            }
            Verdict::Skip => {}
        }
    }

    /// Commits the file; returns the first write error, if any (and then
    /// leaves no file). A second call does nothing.
    fn finish(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if let Some(e) = self.error.take() {
            self.out = None;
            return Err(e);
        }
        match self.out.as_mut() {
            Some(out) => out.close(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use protocols::packet::{IpBody, Ipv4Packet};
    use protocols::trace::DropReason;
    use protocols::trace::{ArpEvent, Dropped, LinkChange, events};
    use serde_json::{Value, json};
    use std::net::Ipv4Addr;

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn tx_of_a_udp_frame_has_ip_and_port_fields_in_order() {
        let topo = router_topology();
        let f = ip_frame(H1_ETH0, R1_ETH0, udp_packet(b"hello"));
        let line = event_json(
            &topo,
            SimTime::from_nanos(1_000_250_000),
            &Event::Tx(events::Tx {
                iface: H1_ETH0,
                frame: &f,
            }),
        );
        assert_eq!(
            line,
            r#"{"t_ns":1000250000,"t":"1.000250000","kind":"tx","node":"h1","iface":"h1:eth0","summary":"IP 10.0.1.10.5000 > 10.0.2.10.7: UDP, length 5, ttl 64, id 2","len":60,"eth_src":"02:00:00:00:00:01","eth_dst":"02:00:00:00:00:02","src":"10.0.1.10","dst":"10.0.2.10","ttl":64,"ident":2,"proto":17,"sport":5000,"dport":7}"#
        );
    }

    /// A SYN-ACK from h2:80 to h1:40000 and a 1000-byte data segment back.
    fn tcp_packets() -> (Ipv4Packet, Ipv4Packet) {
        use bytes::Bytes;
        use protocols::wire::{IpProtocol, TcpFlags, TcpOptions, TcpRepr, TcpSeq};
        let syn_ack = TcpRepr {
            src_port: 80,
            dst_port: 40000,
            seq: TcpSeq(300),
            ack: Some(TcpSeq(101)),
            flags: TcpFlags::SYN,
            window: 65160,
            options: TcpOptions {
                mss: Some(1460),
                ..TcpOptions::default()
            },
            ..TcpRepr::default()
        };
        let data = TcpRepr {
            src_port: 40000,
            dst_port: 80,
            seq: TcpSeq(101),
            ack: Some(TcpSeq(301)),
            flags: TcpFlags::PSH,
            window: 502,
            ..TcpRepr::default()
        };
        let mut back = ip_header(64, 7);
        std::mem::swap(&mut back.src, &mut back.dst);
        back.protocol = IpProtocol::Tcp;
        let p1 = Ipv4Packet::new(
            back,
            IpBody::Tcp {
                header: Box::new(syn_ack),
                payload: Bytes::new(),
            },
        );
        let p2 = Ipv4Packet::new(
            ip_header(64, 3),
            IpBody::Tcp {
                header: Box::new(data),
                payload: Bytes::from(vec![0x61; 1000]),
            },
        );
        (p1, p2)
    }

    #[test]
    fn tcp_segments_have_ports_seq_ack_flags_window_and_data_length() {
        let topo = router_topology();
        let (syn_ack, data) = tcp_packets();
        let f = ip_frame(R1_ETH0, H1_ETH0, syn_ack);
        let line = event_json(
            &topo,
            SimTime::from_nanos(2_000_000),
            &Event::Rx(events::Rx {
                iface: H1_ETH0,
                frame: &f,
            }),
        );
        assert_eq!(
            line,
            r#"{"t_ns":2000000,"t":"0.002000000","kind":"rx","node":"h1","iface":"h1:eth0","summary":"IP 10.0.2.10.80 > 10.0.1.10.40000: Flags [S.], seq 300, ack 101, win 65160, options [mss 1460], length 0, ttl 64, id 7","len":60,"eth_src":"02:00:00:00:00:02","eth_dst":"02:00:00:00:00:01","src":"10.0.2.10","dst":"10.0.1.10","ttl":64,"ident":7,"proto":6,"sport":80,"dport":40000,"seq":300,"ack":101,"flags":"S.","win":65160,"payload_len":0}"#
        );
        let v = parse(&event_json(
            &topo,
            SimTime::from_nanos(3_000_000),
            &Event::Forward(events::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &data,
            }),
        ));
        assert_eq!(
            (
                &v["flags"],
                &v["seq"],
                &v["ack"],
                &v["payload_len"],
                &v["len"]
            ),
            (
                &json!("P."),
                &json!(101),
                &json!(301),
                &json!(1000),
                &json!(1040)
            )
        );
        let IpBody::Tcp { header, .. } = data.body else {
            unreachable!()
        };
        let syn = Ipv4Packet::new(
            data.header,
            IpBody::Tcp {
                header: Box::new(protocols::wire::TcpRepr {
                    ack: None,
                    flags: protocols::wire::TcpFlags::SYN,
                    ..*header
                }),
                payload: bytes::Bytes::new(),
            },
        );
        let v = parse(&event_json(
            &topo,
            SimTime::ZERO,
            &Event::Forward(events::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &syn,
            }),
        ));
        assert!(v.get("ack").is_none(), "no ACK bit, no ack field");
        assert_eq!(v["flags"], "S");
    }

    #[test]
    fn drop_has_reason_key_and_text() {
        let topo = router_topology();
        let p = echo_packet(1);
        let e = Event::Drop(events::Drop {
            node: R1,
            iface: None,
            what: Dropped::Packet(&p),
            reason: &DropReason::TtlExceeded,
        });
        let v = parse(&event_json(&topo, SimTime::from_nanos(5), &e));
        assert_eq!(v["kind"], "drop");
        assert_eq!(v["node"], "r1");
        assert!(v.get("iface").is_none());
        assert_eq!(v["reason"], "ttl-exceeded");
        assert_eq!(v["reason_text"], "TTL exceeded");
        assert_eq!(v["len"], 84);
        assert_eq!(v["ttl"], 1);
        assert_eq!(v["proto"], 1);
    }

    #[test]
    fn forward_arp_link_app_fields() {
        let topo = router_topology();
        let t = SimTime::from_nanos(3_000_000_000);
        let p = echo_packet(63);
        let v = parse(&event_json(
            &topo,
            t,
            &Event::Forward(events::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &p,
            }),
        ));
        assert_eq!(
            (v["kind"].clone(), v["iface"].clone(), v["from"].clone()),
            (json!("forward"), json!("r1:eth1"), json!("r1:eth0"))
        );
        let ev = ArpEvent::Resolved {
            ip: Ipv4Addr::new(10, 0, 1, 1),
            mac: mac(R1_ETH0),
        };
        let v = parse(&event_json(
            &topo,
            t,
            &Event::Arp(events::Arp {
                node: H1,
                iface: H1_ETH0,
                event: ev,
            }),
        ));
        assert_eq!(v["arp"], "resolved");
        assert_eq!(v["ip"], "10.0.1.1");
        assert_eq!(v["mac"], "02:00:00:00:00:02");
        let set = LinkChange::Set("delay 20ms".into());
        let v = parse(&event_json(
            &topo,
            t,
            &Event::Link(events::Link {
                link: protocols::topology::LinkId(1),
                change: &set,
            }),
        ));
        assert_eq!(
            v,
            json!({"t_ns": 3_000_000_000u64, "t": "3.000000000", "kind": "link", "link": "l1", "change": "set", "setting": "delay 20ms"})
        );
        let v = parse(&event_json(
            &topo,
            t,
            &Event::App(events::App {
                node: H1,
                app: "ping",
                text: "64 bytes",
            }),
        ));
        assert_eq!(
            v,
            json!({"t_ns": 3_000_000_000u64, "t": "3.000000000", "kind": "app", "node": "h1", "app": "ping", "text": "64 bytes"})
        );
    }

    #[test]
    fn file_starts_with_provenance_and_ends_with_truncation() {
        let topo = Arc::new(router_topology());
        let mut sink = JsonlSink::new(Vec::new(), topo, Detail::Packets, 2, &provenance()).unwrap();
        let f = arp_request();
        for i in 0..4 {
            sink.record(
                SimTime::from_nanos(i),
                &Event::Rx(events::Rx {
                    iface: R1_ETH0,
                    frame: &f,
                }),
            );
        }
        sink.finish().unwrap();
        let text = String::from_utf8(sink.output().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text.lines().map(parse).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            json!({"provenance": {"netsim_version": "0.1.0", "scenario": "ping-router", "scenario_hash": "3fa2c0de", "seed": 1, "run_index": 0}})
        );
        assert_eq!(lines[1]["kind"], "rx");
        assert_eq!(
            lines[1]["summary"],
            "ARP, Request who-has 10.0.1.1 tell 10.0.1.10"
        );
        assert!(
            lines[1].get("src").is_none(),
            "ARP frames have no IP fields"
        );
        assert_eq!(lines[3], json!({"truncated_at": 2}));
        assert_eq!(sink.events_written(), 2);
    }
}
