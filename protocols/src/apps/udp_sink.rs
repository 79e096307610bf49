//! UDP receivers: a sink that measures what a [`super::udp::UdpSend`] sent
//! (loss, duplicates, reordering, RFC 3550 interarrival jitter), and an echo
//! server (RFC 862 over UDP).
//!
//! Jitter follows RFC 3550 §6.4.1 and the integer code of its §A.8, in
//! nanoseconds instead of RTP timestamp units: for each datagram the transit
//! time is `arrival − send time` (the sender's timestamp, so clock offset
//! cancels out), `D` is the difference from the previous transit, and
//! `J += (|D| − J) / 16`, kept scaled by 16 as §A.8 does
//! (`jitter += d − ((jitter + 8) >> 4)`).
//!
//! Loss is counted as RFC 3550 §A.3 does: expected (highest sequence number
//! + 1, numbers starting at 0) minus distinct datagrams received.

use bytes::Bytes;
use sim_core::SimTime;

use super::udp::header_of;
use super::{App, AppIo, AppStats, Outgoing};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::UdpRepr;

/// What a sink measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UdpSinkStats {
    /// Datagrams received (duplicates included).
    pub received: u64,
    /// Payload bytes received.
    pub bytes: u64,
    /// Datagrams expected: highest sequence number seen + 1.
    pub expected: u64,
    /// Expected but never received.
    pub lost: u64,
    /// Copies of datagrams already received.
    pub duplicates: u64,
    /// Datagrams that arrived after one with a higher sequence number.
    pub reordered: u64,
    /// RFC 3550 interarrival jitter at the end, in nanoseconds.
    pub jitter_ns: u64,
    /// Largest one-way delay seen, in nanoseconds.
    pub max_delay_ns: u64,
}

/// Receives datagrams on a port and measures them.
pub struct UdpSink {
    port: u16,
    bound: bool,
    seen: Vec<u64>,
    max_seq: Option<u32>,
    last_transit: Option<i128>,
    /// RFC 3550 §A.8: the jitter, scaled by 16.
    jitter16: u64,
    stats: UdpSinkStats,
}

impl UdpSink {
    /// A sink listening on `port` from time zero.
    pub fn new(port: u16) -> UdpSink {
        UdpSink {
            port,
            bound: false,
            seen: Vec::new(),
            max_seq: None,
            last_transit: None,
            jitter16: 0,
            stats: UdpSinkStats::default(),
        }
    }

    /// Records sequence number `seq`; returns whether it is new.
    fn mark(&mut self, seq: u32) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        let new = self.seen[word] & (1 << bit) == 0;
        self.seen[word] |= 1 << bit;
        new
    }

    fn arrival(&mut self, now: SimTime, payload: &[u8]) {
        self.stats.received += 1;
        self.stats.bytes += payload.len() as u64;
        let Some((seq, sent)) = header_of(payload) else {
            return;
        };
        if !self.mark(seq) {
            self.stats.duplicates += 1;
            return;
        }
        if self.max_seq.is_some_and(|m| seq < m) {
            self.stats.reordered += 1;
        }
        self.max_seq = Some(self.max_seq.map_or(seq, |m| m.max(seq)));
        // RFC 3550 §A.8.
        let transit = i128::from(now.as_nanos()) - i128::from(sent.as_nanos());
        self.stats.max_delay_ns = self.stats.max_delay_ns.max(transit.max(0) as u64);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs() as u64;
            self.jitter16 = (self.jitter16 + d).saturating_sub((self.jitter16 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }
}

impl App for UdpSink {
    fn name(&self) -> &'static str {
        "udpsink"
    }

    fn poll_at(&self) -> Option<SimTime> {
        (!self.bound).then_some(SimTime::ZERO)
    }

    fn on_timer(&mut self, _now: SimTime, io: &mut AppIo<'_>) {
        if !self.bound {
            self.bound = true;
            io.udp_bind.push((self.port, None));
        }
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, _io: &mut AppIo<'_>) -> bool {
        match &packet.body {
            IpBody::Udp { header, payload } if header.dst_port == self.port => {
                self.arrival(now, payload);
                true
            }
            _ => false,
        }
    }

    fn stats(&self) -> AppStats {
        let expected = self.max_seq.map_or(0, |m| u64::from(m) + 1);
        let distinct = self.stats.received - self.stats.duplicates;
        AppStats::UdpSink(UdpSinkStats {
            expected,
            lost: expected.saturating_sub(distinct),
            jitter_ns: self.jitter16 >> 4,
            ..self.stats.clone()
        })
    }
}

/// Sends every datagram back to where it came from (RFC 862).
pub struct UdpEcho {
    port: u16,
    bound: bool,
    echoed: u64,
}

impl UdpEcho {
    /// An echo server on `port` (7 by RFC 862).
    pub fn new(port: u16) -> UdpEcho {
        UdpEcho {
            port,
            bound: false,
            echoed: 0,
        }
    }
}

impl App for UdpEcho {
    fn name(&self) -> &'static str {
        "udpecho"
    }

    fn poll_at(&self) -> Option<SimTime> {
        (!self.bound).then_some(SimTime::ZERO)
    }

    fn on_timer(&mut self, _now: SimTime, io: &mut AppIo<'_>) {
        if !self.bound {
            self.bound = true;
            io.udp_bind.push((self.port, None));
        }
    }

    fn on_packet(&mut self, _now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        let IpBody::Udp { header, payload } = &packet.body else {
            return false;
        };
        if header.dst_port != self.port {
            return false;
        }
        self.echoed += 1;
        io.send.push(Outgoing {
            src: Some(packet.header.dst),
            dst: packet.header.src,
            ttl: 64,
            dont_frag: false,
            body: IpBody::Udp {
                header: UdpRepr {
                    src_port: self.port,
                    dst_port: header.src_port,
                },
                payload: Bytes::clone(payload),
            },
        });
        true
    }

    fn stats(&self) -> AppStats {
        AppStats::UdpEcho {
            echoed: self.echoed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpProtocol, Ipv4Repr};
    use std::net::Ipv4Addr;

    fn datagram(seq: u32, sent_ns: u64) -> Ipv4Packet {
        let mut payload = seq.to_be_bytes().to_vec();
        payload.extend_from_slice(&sent_ns.to_be_bytes());
        let header = Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::Udp,
            ttl: 64,
            tos: 0,
            ident: 1,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        Ipv4Packet::new(
            header,
            IpBody::Udp {
                header: UdpRepr {
                    src_port: 49152,
                    dst_port: 9,
                },
                payload: payload.into(),
            },
        )
    }

    fn sink_stats(s: &UdpSink) -> UdpSinkStats {
        let AppStats::UdpSink(st) = s.stats() else {
            panic!()
        };
        st
    }

    #[test]
    fn rfc3550_jitter_in_integer_nanoseconds() {
        let mut s = UdpSink::new(9);
        let mut io = AppIo::default();
        // Sent every 10 ms; transit 5 ms, then 7 ms, then 5 ms.
        for (seq, transit) in [(0u32, 5_000_000u64), (1, 7_000_000), (2, 5_000_000)] {
            let sent = u64::from(seq) * 10_000_000;
            assert!(s.on_packet(
                SimTime::from_nanos(sent + transit),
                &datagram(seq, sent),
                &mut io
            ));
        }
        // J1 = 2 ms / 16 = 125 us; J2 = J1 + (2 ms - J1) / 16 = 242_187.5 ns.
        // §A.8 scaled by 16: 2_000_000, then 2_000_000 + 2_000_000 - 125_000 = 3_875_000 → >> 4 = 242_187.
        assert_eq!(sink_stats(&s).jitter_ns, 242_187);
        assert_eq!(sink_stats(&s).max_delay_ns, 7_000_000);
    }

    #[test]
    fn loss_duplicates_and_reordering() {
        let mut s = UdpSink::new(9);
        let mut io = AppIo::default();
        for seq in [0u32, 2, 1, 2, 5] {
            s.on_packet(SimTime::from_nanos(1), &datagram(seq, 0), &mut io);
        }
        let st = sink_stats(&s);
        assert_eq!(
            (
                st.received,
                st.expected,
                st.lost,
                st.duplicates,
                st.reordered
            ),
            (5, 6, 2, 1, 1),
            "3 and 4 lost, the second 2 is a copy, 1 came after 2"
        );
    }

    #[test]
    fn echo_returns_the_datagram_to_its_source() {
        let mut e = UdpEcho::new(9);
        let mut io = AppIo::default();
        assert!(e.on_packet(SimTime::ZERO, &datagram(0, 0), &mut io));
        let o = &io.send[0];
        assert_eq!(o.dst, Ipv4Addr::new(10, 0, 0, 1));
        let IpBody::Udp { header, payload } = &o.body else {
            panic!()
        };
        assert_eq!(
            (header.src_port, header.dst_port, payload.len()),
            (9, 49152, 12)
        );
    }
}
