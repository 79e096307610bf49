//! The text trace line: one event, one human-readable line.
//!
//! ```text
//! 1.000000000  h1  eth0  >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10
//! 1.001234000  r1  eth1  fwd  IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1 (from eth0)
//! 2.500000000  r1  eth1  x    IP 10.0.1.10 > 10.0.2.10: ... DROP: queue full
//! 2.600000000  h1  eth0  >    IP 10.0.1.10.40000 > 10.0.2.10.80: Flags [S], seq 100, win 64240, options [mss 1460], length 0, ttl 64, id 3 DF
//! 3.000000000  h1  *     ping 64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.21 ms
//! ```
//!
//! Columns, separated by two spaces: the time in seconds (right-aligned to 11
//! characters, so lines stay aligned up to 9.999999999 s), the node (padded to
//! the longest node name), the interface (padded to the longest interface
//! name; `*` when the event concerns the node as a whole), the kind (padded to
//! 4, then one space), and a tcpdump-like summary (the frame's or packet's
//! `Display`: TCP segments read as in `tcpdump -S`, absolute sequence
//! numbers). Kinds:
//!
//! | kind   | event                                      |
//! |--------|--------------------------------------------|
//! | `>`    | frame sent on the interface                |
//! | `<`    | frame received on the interface            |
//! | `+`    | frame joined the interface's egress queue  |
//! | `x`    | frame or packet dropped (` DROP: <reason>`)|
//! | `fwd`  | datagram forwarded out of the interface    |
//! | `frag` | datagram fragmented or reassembled         |
//! | `arp`  | ARP request, resolution, failure, expiry   |
//! | `mac`  | a switch learned a MAC address on a port   |
//! | `link` | a link went down, came up or changed       |
//! | `dhcp` | a DHCP client's state change or lease      |
//! | `nat`  | address translation (inside and outside)   |
//! | other  | an application's output, by its name       |

use protocols::topology::Topology;
use protocols::trace::Event;
use sim_core::SimTime;

/// Width of the time column: `s.nnnnnnnnn` below ten seconds.
const TIME_WIDTH: usize = 11;
/// Width of the kind column (`fwd`, `frag`, `ping`, ...).
const KIND_WIDTH: usize = 4;
/// What the node or interface column shows when the event has none.
const NONE: &str = "*";

/// Column widths for one topology, computed once per sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineFormat {
    node_width: usize,
    iface_width: usize,
}

impl LineFormat {
    /// Widths fitting every node and interface name of `topo`.
    pub fn new(topo: &Topology) -> LineFormat {
        let widest =
            |names: &mut dyn Iterator<Item = usize>| names.max().unwrap_or(0).max(NONE.len());
        LineFormat {
            node_width: widest(&mut topo.nodes.iter().map(|n| n.name.chars().count())),
            iface_width: widest(&mut topo.ifaces.iter().map(|i| i.name.chars().count())),
        }
    }

    /// The line for `event` at `time`, without a trailing newline: the
    /// columns laid out, the rest as the event describes itself
    /// ([`protocols::trace::Describe::line`]).
    ///
    /// # Panics
    /// If the event names a node, interface or link that `topo` does not have
    /// (the topology and the world disagree: a broken invariant).
    pub fn format(&self, topo: &Topology, time: SimTime, event: &Event<'_>) -> String {
        let line = event.describe().line(topo);
        let node = line.node.map_or(NONE, |n| topo.node_name(n));
        let iface = line.iface.map_or(NONE, |i| topo.iface(i).name.as_str());
        format!(
            "{time:>TIME_WIDTH$}  {node:<nw$}  {iface:<iw$}  {kind:<KIND_WIDTH$} {summary}",
            kind = line.kind,
            summary = line.summary,
            nw = self.node_width,
            iw = self.iface_width,
        )
    }
}

/// The trace line for `event` at `time` (see the [module docs](self) for the columns).
///
/// Computes the column widths from `topo` on every call: sinks keep a
/// [`LineFormat`] instead.
pub fn format_event(topo: &Topology, time: SimTime, event: &Event<'_>) -> String {
    LineFormat::new(topo).format(topo, time, event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use protocols::topology::{IfaceId, LinkId, NodeId};
    use protocols::trace::{ArpEvent, DropReason, Dropped, LinkChange, events};
    use std::net::Ipv4Addr;

    fn at(ns: u64) -> SimTime {
        SimTime::from_nanos(ns)
    }

    #[test]
    fn tx_and_rx_of_an_arp_request() {
        let topo = router_topology();
        let f = arp_request();
        assert_eq!(
            format_event(
                &topo,
                at(1_000_000_000),
                &Event::Tx(events::Tx {
                    iface: H1_ETH0,
                    frame: &f
                })
            ),
            "1.000000000  h1  eth0  >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10"
        );
        assert_eq!(
            format_event(
                &topo,
                at(1_000_102_400),
                &Event::Rx(events::Rx {
                    iface: R1_ETH0,
                    frame: &f
                })
            ),
            "1.000102400  r1  eth0  <    ARP, Request who-has 10.0.1.1 tell 10.0.1.10"
        );
    }

    #[test]
    fn arp_cache_events() {
        let topo = router_topology();
        let ip = Ipv4Addr::new(10, 0, 1, 1);
        let line = |event| {
            format_event(
                &topo,
                at(1_000_204_800),
                &Event::Arp(events::Arp {
                    node: H1,
                    iface: H1_ETH0,
                    event,
                }),
            )
        };
        assert_eq!(
            line(ArpEvent::Resolved {
                ip,
                mac: mac(R1_ETH0)
            }),
            "1.000204800  h1  eth0  arp  10.0.1.1 is-at 02:00:00:00:00:02"
        );
        assert_eq!(
            line(ArpEvent::Request { ip, attempt: 1 }),
            "1.000204800  h1  eth0  arp  who-has 10.0.1.1"
        );
        assert_eq!(
            line(ArpEvent::Request { ip, attempt: 3 }),
            "1.000204800  h1  eth0  arp  who-has 10.0.1.1 (attempt 3)"
        );
        assert_eq!(
            line(ArpEvent::Failed { ip }),
            "1.000204800  h1  eth0  arp  10.0.1.1 unresolved: no reply"
        );
        assert_eq!(
            line(ArpEvent::Expired { ip }),
            "1.000204800  h1  eth0  arp  10.0.1.1 expired from the cache"
        );
    }

    #[test]
    fn forward_names_both_interfaces() {
        let topo = router_topology();
        let p = echo_packet(63);
        let e = Event::Forward(events::Forward {
            node: R1,
            from: R1_ETH0,
            to: R1_ETH1,
            packet: &p,
        });
        assert_eq!(
            format_event(&topo, at(1_001_234_000), &e),
            "1.001234000  r1  eth1  fwd  IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1 (from eth0)"
        );
    }

    #[test]
    fn drops_say_why() {
        let topo = router_topology();
        let f = ip_frame(R1_ETH1, H2_ETH0, echo_packet(63));
        let e = Event::Drop(events::Drop {
            node: R1,
            iface: Some(R1_ETH1),
            what: Dropped::Frame(&f),
            reason: &DropReason::QueueFull,
        });
        assert_eq!(
            format_event(&topo, at(2_500_000_000), &e),
            "2.500000000  r1  eth1  x    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1 DROP: queue full"
        );
        let p = echo_packet(1);
        let e = Event::Drop(events::Drop {
            node: R1,
            iface: None,
            what: Dropped::Packet(&p),
            reason: &DropReason::TtlExceeded,
        });
        assert_eq!(
            format_event(&topo, at(2_500_000_000), &e),
            "2.500000000  r1  *     x    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 1, id 1 DROP: TTL exceeded"
        );
    }

    #[test]
    fn tcp_segments_read_like_tcpdump() {
        use bytes::Bytes;
        use protocols::packet::{IpBody, Ipv4Packet};
        use protocols::wire::{TcpFlags, TcpOptions, TcpRepr, TcpSeq};
        let topo = router_topology();
        let syn = TcpRepr {
            src_port: 40000,
            dst_port: 80,
            seq: TcpSeq(100),
            flags: TcpFlags::SYN,
            window: 64240,
            options: TcpOptions {
                mss: Some(1460),
                ..TcpOptions::default()
            },
            ..TcpRepr::default()
        };
        let mut header = ip_header(64, 3);
        header.dont_frag = true;
        let p = Ipv4Packet::new(
            header,
            IpBody::Tcp {
                header: Box::new(syn),
                payload: Bytes::new(),
            },
        );
        let f = ip_frame(H1_ETH0, R1_ETH0, p.clone());
        assert_eq!(
            format_event(
                &topo,
                at(2_600_000_000),
                &Event::Tx(events::Tx {
                    iface: H1_ETH0,
                    frame: &f
                })
            ),
            "2.600000000  h1  eth0  >    IP 10.0.1.10.40000 > 10.0.2.10.80: Flags [S], seq 100, win 64240, options [mss 1460], length 0, ttl 64, id 3 DF"
        );
        let data = Ipv4Packet::new(
            header,
            IpBody::Tcp {
                header: Box::new(TcpRepr {
                    seq: TcpSeq(101),
                    ack: Some(TcpSeq(301)),
                    flags: TcpFlags::PSH,
                    window: 502,
                    options: TcpOptions::default(),
                    ..syn
                }),
                payload: Bytes::from(vec![0; 1000]),
            },
        );
        let e = Event::Drop(events::Drop {
            node: R1,
            iface: Some(R1_ETH1),
            what: Dropped::Packet(&data),
            reason: &DropReason::QueueFull,
        });
        assert_eq!(
            format_event(&topo, at(2_700_000_000), &e),
            "2.700000000  r1  eth1  x    IP 10.0.1.10.40000 > 10.0.2.10.80: Flags [P.], seq 101:1101, ack 301, win 502, length 1000, ttl 64, id 3 DF DROP: queue full"
        );
    }

    #[test]
    fn app_output_uses_the_app_name_as_kind() {
        let topo = router_topology();
        let e = Event::App(events::App {
            node: H1,
            app: "ping",
            text: "64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.21 ms",
        });
        assert_eq!(
            format_event(&topo, at(3_000_000_000), &e),
            "3.000000000  h1  *     ping 64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.21 ms"
        );
        let e = Event::App(events::App {
            node: H2,
            app: "udp-echo",
            text: "listening on 7",
        });
        assert_eq!(
            format_event(&topo, at(0), &e),
            "0.000000000  h2  *     udp-echo listening on 7"
        );
    }

    #[test]
    fn enqueue_shows_the_backlog() {
        let topo = router_topology();
        let f = udp_packet(b"hello");
        let f = ip_frame(H1_ETH0, R1_ETH0, f);
        let e = Event::Enqueue(events::Enqueue {
            iface: H1_ETH0,
            frame: &f,
            backlog_packets: 3,
            backlog_bytes: 180,
        });
        assert_eq!(
            format_event(&topo, at(999), &e),
            "0.000000999  h1  eth0  +    IP 10.0.1.10.5000 > 10.0.2.10.7: UDP, length 5, ttl 64, id 2 (backlog 3 pkts, 180 bytes)"
        );
    }

    #[test]
    fn fragmentation_and_reassembly() {
        let topo = router_topology();
        let p = udp_packet(&[0; 1400]);
        let pieces = protocols::node::ipv4::frag::fragment(&p, 576);
        let e = Event::Fragment(events::Fragment {
            node: R1,
            iface: R1_ETH1,
            packet: &p,
            fragments: &pieces,
            mtu: 576,
        });
        assert_eq!(
            format_event(&topo, at(1_500_000_000), &e),
            "1.500000000  r1  eth1  frag IP 10.0.1.10.5000 > 10.0.2.10.7: UDP, length 1400, ttl 64, id 2, split into 3 fragments of 552, 552, 304 bytes for mtu 576"
        );
        let e = Event::Reassembled(events::Reassembled {
            node: H2,
            packet: &p,
            fragments: 3,
        });
        assert_eq!(
            format_event(&topo, at(1_500_000_000), &e),
            "1.500000000  h2  *     frag IP 10.0.1.10.5000 > 10.0.2.10.7: UDP, length 1400, ttl 64, id 2, reassembled from 3 fragments"
        );
    }

    #[test]
    fn columns_pad_to_the_longest_names() {
        let topo = switch_topology();
        let f = arp_request();
        assert_eq!(
            format_event(
                &topo,
                at(1),
                &Event::Tx(events::Tx {
                    iface: IfaceId(1),
                    frame: &f
                })
            ),
            "0.000000001  sw1     p0    >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10"
        );
        let e = Event::MacLearned(events::MacLearned {
            node: NodeId(1),
            mac: mac(H1_ETH0),
            port: IfaceId(2),
        });
        assert_eq!(
            format_event(&topo, at(1), &e),
            "0.000000001  sw1     p1    mac  learned 02:00:00:00:00:01"
        );
        let down = LinkChange::Down;
        let e = Event::Link(events::Link {
            link: LinkId(1),
            change: &down,
        });
        assert_eq!(
            format_event(&topo, at(5_000_000_000), &e),
            "5.000000000  *       *     link sw1-server down"
        );
        let set = LinkChange::Set("rate 10Mbps".into());
        let e = Event::Link(events::Link {
            link: LinkId(0),
            change: &set,
        });
        assert_eq!(
            format_event(&topo, at(12_000_000_000), &e),
            "12.000000000  *       *     link client-sw1 rate 10Mbps"
        );
    }
}
