//! One transmission of a segment, as the ladder follows it from event to event.

use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;

use protocols::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use protocols::tcp::Endpoint;
use protocols::trace::Dropped;
use protocols::wire::{TcpFlags, TcpRepr, TcpSeq};

/// The fields that identify one transmission of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Seg {
    pub(super) src: Endpoint,
    pub(super) dst: Endpoint,
    pub(super) seq: TcpSeq,
    pub(super) ack: Option<TcpSeq>,
    pub(super) flags: TcpFlags,
    pub(super) len: usize,
}

impl Seg {
    pub(super) fn new(src: Endpoint, dst: Endpoint, repr: &TcpRepr, len: usize) -> Seg {
        Seg {
            src,
            dst,
            seq: repr.seq,
            ack: repr.ack,
            flags: repr.flags,
            len,
        }
    }

    /// `<SEQ=100><ACK=301><CTL=ACK><DATA=1000>`.
    pub(super) fn rfc_notation(&self) -> String {
        let repr = TcpRepr {
            seq: self.seq,
            ack: self.ack,
            flags: self.flags,
            ..TcpRepr::default()
        };
        repr.rfc_notation(self.len)
    }

    /// The segment inside a datagram, unless it is a fragment or not TCP.
    pub(super) fn of_packet(p: &Ipv4Packet) -> Option<Seg> {
        let IpBody::Tcp { header, payload } = &p.body else {
            return None;
        };
        let h = &p.header;
        Some(Seg::new(
            Endpoint {
                addr: h.src,
                port: header.src_port,
            },
            Endpoint {
                addr: h.dst,
                port: header.dst_port,
            },
            header,
            payload.len(),
        ))
    }

    /// The segment inside a frame. A corrupted frame is read leniently (its
    /// checksums do not hold): if the damage missed the headers it still
    /// matches the segment as sent.
    pub(super) fn of_frame(f: &Frame) -> Option<Seg> {
        match &f.body {
            FrameBody::Ipv4(p) => Seg::of_packet(p),
            FrameBody::Corrupted { bytes, .. } => Seg::of_damaged_bytes(bytes),
            FrameBody::Arp(_) | FrameBody::Raw(_) => None,
        }
    }

    /// Ethernet, IPv4 and TCP header fields straight from the bytes (offsets
    /// of RFC 791 §3.1 and RFC 9293 §3.1), without checksum checks.
    fn of_damaged_bytes(b: &[u8]) -> Option<Seg> {
        let ip = b.get(14..)?;
        if b.get(12..14)? != [0x08, 0x00] || ip.first()? >> 4 != 4 || *ip.get(9)? != 6 {
            return None;
        }
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
        let frag = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]);
        if frag & 0x3fff != 0 {
            return None; // a fragment: no TCP header to read, or only part of one
        }
        let addr = |at: usize| -> Option<Ipv4Addr> {
            let o: [u8; 4] = ip.get(at..at + 4)?.try_into().ok()?;
            Some(Ipv4Addr::from(o))
        };
        let t = ip.get(ihl..)?;
        let word = |at: usize| -> Option<u32> {
            Some(u32::from_be_bytes(t.get(at..at + 4)?.try_into().ok()?))
        };
        let port =
            |at: usize| -> Option<u16> { Some(u16::from_be_bytes([*t.get(at)?, *t.get(at + 1)?])) };
        let doff = usize::from(t.get(12)? >> 4) * 4;
        let bits = *t.get(13)?;
        let flags = TcpFlags {
            fin: bits & 0x01 != 0,
            syn: bits & 0x02 != 0,
            rst: bits & 0x04 != 0,
            psh: bits & 0x08 != 0,
            urg: bits & 0x20 != 0,
            ece: bits & 0x40 != 0,
            cwr: bits & 0x80 != 0,
        };
        Some(Seg {
            src: Endpoint {
                addr: addr(12)?,
                port: port(0)?,
            },
            dst: Endpoint {
                addr: addr(16)?,
                port: port(2)?,
            },
            seq: TcpSeq(word(4)?),
            ack: if bits & 0x10 != 0 {
                Some(TcpSeq(word(8)?))
            } else {
                None
            },
            flags,
            len: total.checked_sub(ihl + doff)?,
        })
    }
}

/// Segments waiting for their next event, per direction, oldest first.
#[derive(Debug)]
pub(super) struct Fifo<T> {
    queues: BTreeMap<(Endpoint, Endpoint), VecDeque<(Seg, T)>>,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            queues: BTreeMap::new(),
        }
    }
}

impl<T> Fifo<T> {
    pub(super) fn push(&mut self, seg: Seg, value: T) {
        self.queues
            .entry((seg.src, seg.dst))
            .or_default()
            .push_back((seg, value));
    }

    /// Removes and returns the oldest entry for `seg`.
    pub(super) fn take(&mut self, seg: &Seg) -> Option<T> {
        let key = (seg.src, seg.dst);
        let queue = self.queues.get_mut(&key)?;
        let at = queue.iter().position(|(s, _)| s == seg)?;
        let (_, value) = queue.remove(at)?;
        if queue.is_empty() {
            self.queues.remove(&key);
        }
        Some(value)
    }

    /// The oldest entry for `seg` whose value passes `pred`, left in place.
    pub(super) fn find(&self, seg: &Seg, pred: impl Fn(&T) -> bool) -> Option<&T> {
        let queue = self.queues.get(&(seg.src, seg.dst))?;
        queue
            .iter()
            .find(|(s, v)| s == seg && pred(v))
            .map(|(_, v)| v)
    }

    /// Changes every value.
    pub(super) fn map_values(&mut self, f: impl Fn(&mut T)) {
        for (_, v) in self.queues.values_mut().flatten() {
            f(v);
        }
    }
}

/// The segment a dropped frame or packet carried.
pub(super) fn dropped_seg(what: Dropped<'_>) -> Option<Seg> {
    match what {
        Dropped::Frame(f) => Seg::of_frame(f),
        Dropped::Packet(p) => Seg::of_packet(p),
    }
}
