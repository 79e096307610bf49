//! IPv4 fragmentation and reassembly (RFC 791 §2.3, §3.2; RFC 815 style
//! hole tracking by sorted offsets).
//!
//! Fragmentation splits the payload into pieces of `(mtu - 20)` rounded down
//! to a multiple of 8; a fragment of a fragment keeps the original offsets and
//! the last piece inherits the original MF flag.
//!
//! Reassembly keys buffers by (source, destination, protocol, identification)
//! and gives up after `timeout` (default 30 s, Linux's `ipfrag_time`). On
//! timeout, if the first fragment had arrived, the caller sends ICMP time
//! exceeded, code 1 (RFC 792). Overlaps: the first fragment received at an
//! offset is kept, and between offsets the lower-offset fragment's bytes win.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::{Ipv4Repr, WireError, ipv4};

/// Splits `packet` so that every fragment fits `mtu`. The packet must not have
/// DF set (the caller checks) and must be larger than `mtu`.
pub fn fragment(packet: &Ipv4Packet, mtu: u32) -> Vec<Ipv4Packet> {
    let payload = Bytes::from(packet.body_bytes());
    let chunk = ((mtu as usize - ipv4::HEADER_LEN) / 8) * 8;
    assert!(chunk > 0, "MTU below the IPv4 minimum");
    let mut out = Vec::new();
    let mut at = 0;
    while at < payload.len() {
        let end = (at + chunk).min(payload.len());
        let last = end == payload.len();
        let header = Ipv4Repr {
            frag_offset: packet.header.frag_offset + at as u16,
            more_frags: !last || packet.header.more_frags,
            payload_len: (end - at) as u16,
            ..packet.header
        };
        out.push(Ipv4Packet {
            header,
            body: IpBody::Raw(payload.slice(at..end)),
        });
        at = end;
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Key {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: u8,
    ident: u16,
}

struct Buffer {
    first: Option<Ipv4Repr>,
    pieces: BTreeMap<u16, Bytes>,
    total: Option<usize>,
    deadline: SimTime,
    count: usize,
}

/// Outcome of offering a fragment.
#[derive(Debug)]
pub enum Reassembly {
    /// More fragments are needed.
    Incomplete,
    /// The datagram is whole: the packet and how many fragments it took.
    Complete(Ipv4Packet, usize),
    /// The reassembled bytes did not parse (a corrupt transport header).
    Malformed(WireError),
}

/// Datagrams whose fragments did not all arrive in time.
#[derive(Debug)]
pub struct Expired {
    /// Header of the first fragment, if it arrived (ICMP time exceeded is sent
    /// only then), with the first bytes of its payload for the quote.
    pub first: Option<Ipv4Packet>,
    /// Source of the datagram.
    pub src: Ipv4Addr,
}

/// A node's reassembly buffers.
pub struct Reassembler {
    timeout: SimDuration,
    buffers: BTreeMap<Key, Buffer>,
}

impl Reassembler {
    /// No datagram in progress; buffers expire `timeout` after their first fragment.
    pub fn new(timeout: SimDuration) -> Reassembler {
        Reassembler {
            timeout,
            buffers: BTreeMap::new(),
        }
    }

    /// Offers one fragment, whose payload is `data`.
    pub fn push(&mut self, now: SimTime, header: Ipv4Repr, data: Bytes) -> Reassembly {
        let key = Key {
            src: header.src,
            dst: header.dst,
            protocol: u8::from(header.protocol),
            ident: header.ident,
        };
        let buf = self.buffers.entry(key).or_insert_with(|| Buffer {
            first: None,
            pieces: BTreeMap::new(),
            total: None,
            deadline: now + self.timeout,
            count: 0,
        });
        buf.count += 1;
        if header.frag_offset == 0 {
            buf.first = Some(header);
        }
        if !header.more_frags {
            buf.total = Some(usize::from(header.frag_offset) + data.len());
        }
        buf.pieces.entry(header.frag_offset).or_insert(data);

        let Some(total) = buf.total else {
            return Reassembly::Incomplete;
        };
        let Some(first) = buf.first else {
            return Reassembly::Incomplete;
        };
        // Whole when the pieces cover [0, total) without a hole.
        let mut covered = 0usize;
        for (&off, piece) in &buf.pieces {
            if usize::from(off) > covered {
                return Reassembly::Incomplete;
            }
            covered = covered.max(usize::from(off) + piece.len());
        }
        if covered < total {
            return Reassembly::Incomplete;
        }
        let buf = self.buffers.remove(&key).expect("present");
        let mut payload = vec![0u8; total];
        // Descending offset order: on overlap the lower-offset fragment wins.
        for (&off, piece) in buf.pieces.iter().rev() {
            let off = usize::from(off);
            let end = (off + piece.len()).min(total);
            payload[off..end].copy_from_slice(&piece[..end - off]);
        }
        let header = Ipv4Repr {
            more_frags: false,
            frag_offset: 0,
            payload_len: total as u16,
            ..first
        };
        match Ipv4Packet::parse_body(&header, &payload) {
            Ok(body) => Reassembly::Complete(Ipv4Packet { header, body }, buf.count),
            Err(e) => Reassembly::Malformed(e),
        }
    }

    /// The earliest reassembly deadline.
    pub fn poll_at(&self) -> Option<SimTime> {
        self.buffers.values().map(|b| b.deadline).min()
    }

    /// Drops buffers whose deadline has passed.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<Expired> {
        let due: Vec<Key> = self
            .buffers
            .iter()
            .filter(|(_, b)| b.deadline <= now)
            .map(|(k, _)| *k)
            .collect();
        due.into_iter()
            .map(|k| {
                let b = self.buffers.remove(&k).expect("listed");
                let first = b.first.map(|h| Ipv4Packet {
                    header: h,
                    body: IpBody::Raw(b.pieces.get(&0).cloned().unwrap_or_default()),
                });
                Expired { first, src: k.src }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IcmpRepr, IpProtocol};

    /// A 4000-byte ping: 20 IP + 8 ICMP + 3972 data = 4000 bytes total.
    fn big_ping() -> Ipv4Packet {
        let header = Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 1, 10),
            dst: Ipv4Addr::new(10, 0, 2, 10),
            protocol: IpProtocol::Icmp,
            ttl: 64,
            tos: 0,
            ident: 42,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let data: Vec<u8> = (0..3972u32).map(|i| i as u8).collect();
        Ipv4Packet::new(
            header,
            IpBody::Icmp(IcmpRepr::EchoRequest {
                ident: 1,
                seq_no: 1,
                data: data.into(),
            }),
        )
    }

    #[test]
    fn a_4000_byte_datagram_over_mtu_1500_makes_three_fragments() {
        let frags = fragment(&big_ping(), 1500);
        let shape: Vec<(u16, u16, bool)> = frags
            .iter()
            .map(|f| {
                (
                    f.header.frag_offset,
                    f.header.payload_len,
                    f.header.more_frags,
                )
            })
            .collect();
        // 3980 bytes of payload: 1480 + 1480 + 1020.
        assert_eq!(
            shape,
            [(0, 1480, true), (1480, 1480, true), (2960, 1020, false)]
        );
        assert!(
            frags
                .iter()
                .all(|f| f.len() <= 1500 && f.header.ident == 42)
        );
    }

    #[test]
    fn reassembly_in_any_order_gives_back_the_datagram() {
        let original = big_ping();
        let mut frags = fragment(&original, 1500);
        frags.reverse();
        let mut r = Reassembler::new(SimDuration::from_secs(30));
        let mut result = None;
        for f in frags {
            let IpBody::Raw(data) = f.body else { panic!() };
            match r.push(SimTime::ZERO, f.header, data) {
                Reassembly::Incomplete => {}
                Reassembly::Complete(p, n) => result = Some((p, n)),
                Reassembly::Malformed(e) => panic!("{e}"),
            }
        }
        let (p, n) = result.expect("complete");
        assert_eq!(n, 3);
        assert_eq!(p, original);
        assert_eq!(r.poll_at(), None);
    }

    #[test]
    fn refragmenting_keeps_original_offsets() {
        let first = fragment(&big_ping(), 1500).remove(1); // offset 1480, 1480 bytes, MF
        let pieces = fragment(&first, 576);
        let shape: Vec<(u16, u16, bool)> = pieces
            .iter()
            .map(|f| {
                (
                    f.header.frag_offset,
                    f.header.payload_len,
                    f.header.more_frags,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [(1480, 552, true), (2032, 552, true), (2584, 376, true)]
        );
    }

    #[test]
    fn a_missing_fragment_times_out() {
        let frags = fragment(&big_ping(), 1500);
        let mut r = Reassembler::new(SimDuration::from_secs(30));
        for f in frags.into_iter().take(2) {
            let IpBody::Raw(data) = f.body else { panic!() };
            assert!(matches!(
                r.push(SimTime::ZERO, f.header, data),
                Reassembly::Incomplete
            ));
        }
        let deadline = r.poll_at().unwrap();
        assert_eq!(deadline, SimTime::from_nanos(30_000_000_000));
        let expired = r.on_timer(deadline);
        assert_eq!(expired.len(), 1);
        assert!(
            expired[0].first.is_some(),
            "first fragment arrived: ICMP is due"
        );
    }
}
