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
use std::net::Ipv4Addr;
use std::sync::Arc;

use protocols::dhcp::DhcpEvent;
use protocols::packet::{Frame, IpBody, Ipv4Packet};
use protocols::tcp::{TcpNote, TcpTrace};
use protocols::topology::Topology;
use protocols::trace::{ArpEvent, Detail, Dropped, Event, LinkChange, TraceSink};
use serde::Serialize;
use sim_core::SimTime;

use crate::budget::{Budget, Verdict};
use crate::destination::Destination;
use crate::provenance::Provenance;

/// One line of `events.jsonl`. Field order is declaration order.
#[derive(Serialize, Default)]
struct Record<'a> {
    t_ns: u64,
    t: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_src: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_dst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src: Option<Ipv4Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst: Option<Ipv4Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ident: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proto: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frag_offset: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    more_frags: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sport: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dport: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    win: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload_len: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backlog_packets: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backlog_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sizes: Option<&'a [usize]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fragments: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arp: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<Ipv4Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mac: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    setting: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rto_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dhcp: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nat: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inside: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

impl<'a> Record<'a> {
    fn set_packet(&mut self, p: &Ipv4Packet) {
        let h = &p.header;
        self.src = Some(h.src);
        self.dst = Some(h.dst);
        self.ttl = Some(h.ttl);
        self.ident = Some(h.ident);
        self.proto = Some(h.protocol.into());
        if h.is_fragment() {
            self.frag_offset = Some(h.frag_offset);
            self.more_frags = Some(h.more_frags);
        }
        match &p.body {
            IpBody::Udp { header, .. } => {
                self.sport = Some(header.src_port);
                self.dport = Some(header.dst_port);
            }
            IpBody::Tcp { header, payload } => {
                self.sport = Some(header.src_port);
                self.dport = Some(header.dst_port);
                self.seq = Some(header.seq.0);
                self.ack = header.ack.map(|a| a.0);
                self.flags = Some(header.flag_letters());
                self.win = Some(header.window);
                self.payload_len = Some(payload.len());
            }
            IpBody::Icmp(_) | IpBody::Raw(_) => {}
        }
    }

    /// Summary, length and headers of a packet seen inside a node.
    fn with_packet(mut self, p: &Ipv4Packet) -> Self {
        self.summary = Some(p.to_string());
        self.len = Some(p.len());
        self.set_packet(p);
        self
    }

    /// Summary, captured length and headers of a frame.
    fn with_frame(mut self, f: &Frame) -> Self {
        self.summary = Some(f.to_string());
        self.len = Some(f.capture_len());
        self.eth_src = Some(f.eth.src.to_string());
        self.eth_dst = Some(f.eth.dst.to_string());
        if let Some(p) = f.ipv4() {
            self.set_packet(p);
        }
        self
    }
}

/// The record for `event` at `time`.
fn record<'a>(topo: &'a Topology, time: SimTime, event: &Event<'a>) -> Record<'a> {
    let base = |kind| Record {
        t_ns: time.as_nanos(),
        t: time.to_string(),
        kind,
        ..Record::default()
    };
    let label = |i| Some(topo.iface_label(i));
    let owner = |i| Some(topo.node_name(topo.iface(i).node));
    let node = |n| Some(topo.node_name(n));
    match *event {
        Event::Tx { iface, frame } => Record {
            node: owner(iface),
            iface: label(iface),
            ..base("tx")
        }
        .with_frame(frame),
        Event::Rx { iface, frame } => Record {
            node: owner(iface),
            iface: label(iface),
            ..base("rx")
        }
        .with_frame(frame),
        Event::Enqueue {
            iface,
            frame,
            backlog_packets,
            backlog_bytes,
        } => Record {
            node: owner(iface),
            iface: label(iface),
            backlog_packets: Some(backlog_packets),
            backlog_bytes: Some(backlog_bytes),
            ..base("enqueue")
        }
        .with_frame(frame),
        Event::Drop {
            node: n,
            iface,
            what,
            reason,
        } => {
            let r = Record {
                node: node(n),
                iface: iface.and_then(label),
                reason: Some(reason.key()),
                reason_text: Some(reason.to_string()),
                ..base("drop")
            };
            match what {
                Dropped::Frame(f) => r.with_frame(f),
                Dropped::Packet(p) => r.with_packet(p),
            }
        }
        Event::Forward {
            node: n,
            from,
            to,
            packet,
        } => Record {
            node: node(n),
            iface: label(to),
            from: label(from),
            ..base("forward")
        }
        .with_packet(packet),
        Event::Fragment {
            node: n,
            iface,
            packet,
            sizes,
            mtu,
        } => Record {
            node: node(n),
            iface: label(iface),
            mtu: Some(mtu),
            sizes: Some(sizes),
            ..base("fragment")
        }
        .with_packet(packet),
        Event::Reassembled {
            node: n,
            packet,
            fragments,
        } => Record {
            node: node(n),
            fragments: Some(fragments),
            ..base("reassembled")
        }
        .with_packet(packet),
        Event::Arp {
            node: n,
            iface,
            event,
        } => {
            let r = Record {
                node: node(n),
                iface: label(iface),
                ..base("arp")
            };
            match event {
                ArpEvent::Request { ip, attempt } => Record {
                    arp: Some("request"),
                    ip: Some(ip),
                    attempt: Some(attempt),
                    ..r
                },
                ArpEvent::Resolved { ip, mac } => Record {
                    arp: Some("resolved"),
                    ip: Some(ip),
                    mac: Some(mac.to_string()),
                    ..r
                },
                ArpEvent::Failed { ip } => Record {
                    arp: Some("failed"),
                    ip: Some(ip),
                    ..r
                },
                ArpEvent::Expired { ip } => Record {
                    arp: Some("expired"),
                    ip: Some(ip),
                    ..r
                },
            }
        }
        Event::Tcp {
            node: n,
            local,
            remote,
            trace,
        } => {
            let mut r = Record {
                node: node(n),
                local: Some(local.to_string()),
                remote: Some(remote.to_string()),
                tcp: Some(trace.key()),
                summary: Some(trace.describe()),
                ..base("tcp")
            };
            match trace {
                TcpTrace::Note(TcpNote::State { from, to, cause }) => {
                    r.state_from = Some(from.to_string());
                    r.state_to = Some(to.to_string());
                    r.cause = Some(cause);
                }
                TcpTrace::Note(TcpNote::Timeout { rto, count }) => {
                    r.rto_ns = Some(rto.as_nanos());
                    r.attempt = Some(*count);
                }
                TcpTrace::Note(TcpNote::Aborted(why)) => r.cause = Some(why),
                TcpTrace::Note(TcpNote::RecoveryStart(kind)) => r.cause = Some(kind.name()),
                TcpTrace::Sent { repr, len, cause } => {
                    r.seq = Some(repr.seq.0);
                    r.ack = repr.ack.map(|a| a.0);
                    r.flags = Some(repr.flag_letters());
                    r.win = Some(repr.window);
                    r.payload_len = Some(*len);
                    r.cause = Some(cause.name());
                }
                _ => {}
            }
            r
        }
        Event::QueueSample {
            link,
            dir,
            packets,
            bytes,
        } => Record {
            link: Some(topo.link_name(link)),
            backlog_packets: Some(packets),
            backlog_bytes: Some(bytes),
            direction: Some(if dir == 0 { "a_to_b" } else { "b_to_a" }),
            ..base("queue-sample")
        },
        Event::NodePower { node: n, up } => Record {
            node: node(n),
            change: Some(if up { "up" } else { "down" }),
            ..base("node")
        },
        Event::Link { link, change } => {
            let (change, setting) = match change {
                LinkChange::Down => ("down", None),
                LinkChange::Up => ("up", None),
                LinkChange::Set(what) => ("set", Some(what.as_str())),
            };
            Record {
                link: Some(topo.link_name(link)),
                change: Some(change),
                setting,
                ..base("link")
            }
        }
        Event::MacLearned { node: n, mac, port } => Record {
            node: node(n),
            iface: label(port),
            mac: Some(mac.to_string()),
            ..base("mac-learned")
        },
        Event::Dhcp {
            node: n,
            iface,
            event,
        } => {
            let mut r = Record {
                node: node(n),
                iface: label(iface),
                dhcp: Some(event.key()),
                summary: Some(event.to_string()),
                ip: event.addr(),
                ..base("dhcp")
            };
            match event {
                DhcpEvent::State { from, to, cause } => {
                    r.state_from = Some(from.to_string());
                    r.state_to = Some(to.to_string());
                    r.text = Some(cause.as_str());
                }
                DhcpEvent::Conflict { by, .. } => r.mac = Some(by.to_string()),
                DhcpEvent::Configured { .. }
                | DhcpEvent::Deconfigured { .. }
                | DhcpEvent::Checking { .. } => {}
            }
            r
        }
        Event::Nat { node: n, event } => {
            let ends = event.ends();
            Record {
                node: node(n),
                nat: Some(event.key()),
                summary: Some(event.to_string()),
                inside: ends.map(|(i, _)| i.to_string()),
                outside: ends.map(|(_, o)| o.to_string()),
                ..base("nat")
            }
        }
        Event::App { node: n, app, text } => Record {
            node: node(n),
            app: Some(app),
            text: Some(text),
            ..base("app")
        },
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
    use protocols::trace::DropReason;
    use serde_json::{Value, json};

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
            &Event::Tx {
                iface: H1_ETH0,
                frame: &f,
            },
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
            &Event::Rx {
                iface: H1_ETH0,
                frame: &f,
            },
        );
        assert_eq!(
            line,
            r#"{"t_ns":2000000,"t":"0.002000000","kind":"rx","node":"h1","iface":"h1:eth0","summary":"IP 10.0.2.10.80 > 10.0.1.10.40000: Flags [S.], seq 300, ack 101, win 65160, options [mss 1460], length 0, ttl 64, id 7","len":60,"eth_src":"02:00:00:00:00:02","eth_dst":"02:00:00:00:00:01","src":"10.0.2.10","dst":"10.0.1.10","ttl":64,"ident":7,"proto":6,"sport":80,"dport":40000,"seq":300,"ack":101,"flags":"S.","win":65160,"payload_len":0}"#
        );
        let v = parse(&event_json(
            &topo,
            SimTime::from_nanos(3_000_000),
            &Event::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &data,
            },
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
            &Event::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &syn,
            },
        ));
        assert!(v.get("ack").is_none(), "no ACK bit, no ack field");
        assert_eq!(v["flags"], "S");
    }

    #[test]
    fn drop_has_reason_key_and_text() {
        let topo = router_topology();
        let p = echo_packet(1);
        let e = Event::Drop {
            node: R1,
            iface: None,
            what: Dropped::Packet(&p),
            reason: &DropReason::TtlExceeded,
        };
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
            &Event::Forward {
                node: R1,
                from: R1_ETH0,
                to: R1_ETH1,
                packet: &p,
            },
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
            &Event::Arp {
                node: H1,
                iface: H1_ETH0,
                event: ev,
            },
        ));
        assert_eq!(v["arp"], "resolved");
        assert_eq!(v["ip"], "10.0.1.1");
        assert_eq!(v["mac"], "02:00:00:00:00:02");
        let set = LinkChange::Set("delay 20ms".into());
        let v = parse(&event_json(
            &topo,
            t,
            &Event::Link {
                link: protocols::topology::LinkId(1),
                change: &set,
            },
        ));
        assert_eq!(
            v,
            json!({"t_ns": 3_000_000_000u64, "t": "3.000000000", "kind": "link", "link": "l1", "change": "set", "setting": "delay 20ms"})
        );
        let v = parse(&event_json(
            &topo,
            t,
            &Event::App {
                node: H1,
                app: "ping",
                text: "64 bytes",
            },
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
                &Event::Rx {
                    iface: R1_ETH0,
                    frame: &f,
                },
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
