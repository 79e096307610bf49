//! From the event stream to ladder rows: which segment is which, when it left,
//! whether and when it arrived, and the state of each side around it.
//!
//! A segment is followed through four events, matched by its 4-tuple, sequence
//! and acknowledgment numbers, control bits and length ([`Seg`]), oldest first
//! (so a retransmission, identical on the wire, pairs with the right copy):
//!
//! 1. [`TcpTrace::Sent`] at the sending host: a row, with the cause and the
//!    sender's state. (A segment TCP did not announce, such as the reset a
//!    closed port answers with or a crafted SYN, starts its row at step 2.)
//! 2. [`Event::Tx`] on one of that host's interfaces: the time it left.
//! 3. [`Event::Rx`] at the host that owns the destination address: the time
//!    it arrived; the receiver's `rcv ...` state changes at that instant, up to
//!    its next segment, are the receiver's state after it.
//! 4. Or [`Event::Drop`] anywhere (or a full listen queue at the receiver): lost.
//!
//! A state change not caused by a segment (`OPEN`, `CLOSE`, `2MSL timeout`, an
//! abort) shows as the sender's state of the segment it sends at the same
//! instant, or on a line of its own when it sends none. The world emits a
//! node's trace notes before its frames, and TCP its state changes before the
//! segments of the same step; the matching relies on both.

use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;

use protocols::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, SendCause, State, TcpNote, TcpTrace};
use protocols::topology::{IfaceId, NodeId, NodeKind, Topology};
use protocols::trace::{DropReason, Dropped, Event};
use protocols::wire::{TcpFlags, TcpRepr, TcpSeq};
use sim_core::SimTime;

/// A column of the ladder: the endpoint seen first, or the other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    /// The endpoint that appeared first (usually the active opener).
    Left,
    /// Its peer.
    Right,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
}

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
    fn new(src: Endpoint, dst: Endpoint, repr: &TcpRepr, len: usize) -> Seg {
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
    fn of_packet(p: &Ipv4Packet) -> Option<Seg> {
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
    fn of_frame(f: &Frame) -> Option<Seg> {
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
struct Fifo<T> {
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
    fn push(&mut self, seg: Seg, value: T) {
        self.queues
            .entry((seg.src, seg.dst))
            .or_default()
            .push_back((seg, value));
    }

    /// Removes and returns the oldest entry for `seg`.
    fn take(&mut self, seg: &Seg) -> Option<T> {
        let key = (seg.src, seg.dst);
        let queue = self.queues.get_mut(&key)?;
        let at = queue.iter().position(|(s, _)| s == seg)?;
        let (_, value) = queue.remove(at)?;
        if queue.is_empty() {
            self.queues.remove(&key);
        }
        Some(value)
    }

    fn forget_values(self) -> Fifo<()> {
        Fifo {
            queues: self
                .queues
                .into_iter()
                .map(|(k, q)| (k, q.into_iter().map(|(s, _)| (s, ())).collect()))
                .collect(),
        }
    }
}

/// Where a segment is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    /// Handed to IP, not yet on the wire.
    Queued,
    /// On the wire, not yet arrived.
    InFlight,
    /// Arrived; the receiver's state after taking it.
    Arrived {
        /// When.
        at: SimTime,
        /// The receiver's state after it (`None`: no connection there).
        state: Option<State>,
    },
    /// Lost.
    Dropped {
        /// The node that dropped it.
        node: NodeId,
        /// On which interface, if one applies.
        iface: Option<IfaceId>,
        /// Why, for a human.
        reason: String,
    },
}

/// A segment of the ladder.
#[derive(Clone, Debug)]
pub(super) struct SegmentRow {
    /// The sender's column.
    pub(super) from: Side,
    /// What was sent.
    pub(super) seg: Seg,
    /// Why, when that is not plain new data or an acknowledgment.
    pub(super) tag: Option<&'static str>,
    /// The sender's state after sending it (`None`: no connection there).
    pub(super) sender: Option<State>,
    /// When it left the host, if it did.
    pub(super) wire: Option<SimTime>,
    /// What became of it.
    pub(super) fate: Fate,
}

/// One line of a connection's ladder.
#[derive(Clone, Debug)]
pub(super) enum Row {
    /// A segment (at `time` TCP handed it to IP).
    Segment(SimTime, SegmentRow),
    /// A state change no segment shows.
    State(StateChange),
}

impl Row {
    /// When the row happened: when the segment left its host (or was handed
    /// to IP, if it never left), or when the state changed.
    pub(super) fn time(&self) -> SimTime {
        match self {
            Row::Segment(sent, s) => s.wire.unwrap_or(*sent),
            Row::State(c) => c.at,
        }
    }
}

/// A state change at one side.
#[derive(Clone, Copy, Debug)]
pub(super) struct StateChange {
    pub(super) at: SimTime,
    pub(super) side: Side,
    pub(super) state: State,
    pub(super) cause: &'static str,
}

/// One connection: the unordered pair of its endpoints.
#[derive(Clone, Debug)]
pub(super) struct Conn {
    /// Left and right endpoints.
    pub(super) ends: [Endpoint; 2],
    /// Each side's state before its first change (`None`: never seen).
    pub(super) first: [Option<State>; 2],
    /// Each side's state now.
    state: [Option<State>; 2],
    /// The row a side last received, until that side sends.
    receipt: [Option<usize>; 2],
    /// A state change of each side not yet shown by a row.
    pub(super) unshown: [Option<StateChange>; 2],
    /// The side's next segment carries a SYN cookie.
    cookie: [bool; 2],
    /// Rows in the order they were made.
    pub(super) rows: Vec<Row>,
}

impl Conn {
    fn new(left: Endpoint, right: Endpoint) -> Conn {
        Conn {
            ends: [left, right],
            first: [None; 2],
            state: [None; 2],
            receipt: [None; 2],
            unshown: [None; 2],
            cookie: [false; 2],
            rows: Vec::new(),
        }
    }

    fn side_of(&self, ep: Endpoint) -> Side {
        if self.ends[0] == ep {
            Side::Left
        } else {
            Side::Right
        }
    }

    /// Gives a pending state change its own row.
    fn show_unshown(&mut self, side: Side) {
        if let Some(change) = self.unshown[side.index()].take() {
            self.rows.push(Row::State(change));
        }
    }

    /// The row `side` received at `now`, if its effects are still arriving.
    fn receipt_at(&mut self, side: Side, now: SimTime) -> Option<&mut SegmentRow> {
        let r = self.receipt[side.index()]?;
        match &mut self.rows[r] {
            Row::Segment(_, s) if matches!(s.fate, Fate::Arrived { at, .. } if at == now) => {
                Some(s)
            }
            _ => None,
        }
    }

    fn on_state(&mut self, now: SimTime, side: Side, from: State, to: State, cause: &'static str) {
        let i = side.index();
        self.first[i].get_or_insert(from);
        self.state[i] = Some(to);
        // TCP names the causes of changes a segment arrival makes `rcv ...`
        // (`rcv SYN`, `rcv ACK of FIN`; see `TcpNote::State`).
        if cause.starts_with("rcv")
            && let Some(s) = self.receipt_at(side, now)
        {
            s.fate = Fate::Arrived {
                at: now,
                state: Some(to),
            };
            return;
        }
        self.show_unshown(side);
        self.unshown[i] = Some(StateChange {
            at: now,
            side,
            state: to,
            cause,
        });
    }

    /// The side is a listener (it has no connection yet, but answers SYNs).
    fn listening(&mut self, now: SimTime, side: Side) {
        let i = side.index();
        self.first[i].get_or_insert(State::Listen);
        self.state[i].get_or_insert(State::Listen);
        if let Some(s) = self.receipt_at(side, now)
            && let Fate::Arrived {
                state: st @ None, ..
            } = &mut s.fate
        {
            *st = Some(State::Listen);
        }
    }

    fn push_segment(
        &mut self,
        now: SimTime,
        side: Side,
        seg: Seg,
        cause: Option<SendCause>,
    ) -> usize {
        let i = side.index();
        match self.unshown[i] {
            Some(change) if change.at == now => self.unshown[i] = None,
            Some(_) => self.show_unshown(side),
            None => {}
        }
        self.receipt[i] = None;
        let cookie = std::mem::take(&mut self.cookie[i]);
        self.rows.push(Row::Segment(
            now,
            SegmentRow {
                from: side,
                seg,
                tag: if cookie {
                    Some("SYN cookie")
                } else {
                    cause.and_then(tag)
                },
                sender: self.state[i],
                wire: None,
                fate: Fate::Queued,
            },
        ));
        self.rows.len() - 1
    }

    fn segment(&mut self, row: usize) -> &mut SegmentRow {
        match &mut self.rows[row] {
            Row::Segment(_, s) => s,
            Row::State(_) => unreachable!("segment queues hold segment rows only"),
        }
    }
}

/// The tag a cause earns: none for the handshake, new data and acknowledgments.
fn tag(cause: SendCause) -> Option<&'static str> {
    match cause {
        SendCause::RtoRetransmission
        | SendCause::FastRetransmission
        | SendCause::WindowProbe
        | SendCause::Keepalive
        | SendCause::ChallengeAck => Some(cause.name()),
        SendCause::Syn
        | SendCause::SynAck
        | SendCause::NewData
        | SendCause::PureAck
        | SendCause::DelayedAck
        | SendCause::WindowUpdate
        | SendCause::Reset => None,
    }
}

/// Which interfaces belong to hosts, and which node owns each address.
#[derive(Clone, Debug)]
struct Places {
    host_iface: Vec<bool>,
    iface_node: Vec<NodeId>,
    owner: BTreeMap<Ipv4Addr, NodeId>,
}

impl Places {
    fn new(topo: &Topology) -> Places {
        let mut owner = BTreeMap::new();
        for i in &topo.ifaces {
            if let Some(a) = i.addr {
                owner.entry(a.addr).or_insert(i.node);
            }
        }
        Places {
            host_iface: topo
                .ifaces
                .iter()
                .map(|i| topo.nodes[i.node.0 as usize].kind == NodeKind::Host)
                .collect(),
            iface_node: topo.ifaces.iter().map(|i| i.node).collect(),
            owner,
        }
    }

    /// Whether a frame leaving `iface` starts its journey there: hosts do not
    /// forward, so what a host sends is its own.
    fn on_host(&self, iface: IfaceId) -> bool {
        self.host_iface
            .get(iface.0 as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether a frame arriving on `iface` has reached the owner of `dst`.
    fn is_destination(&self, iface: IfaceId, dst: Ipv4Addr) -> bool {
        let node = self.iface_node.get(iface.0 as usize);
        node.is_some() && self.owner.get(&dst) == node
    }
}

/// The segment a dropped frame or packet carried.
fn dropped_seg(what: Dropped<'_>) -> Option<Seg> {
    match what {
        Dropped::Frame(f) => Seg::of_frame(f),
        Dropped::Packet(p) => Seg::of_packet(p),
    }
}

/// The ladder of every TCP connection of a run, built one event at a time.
#[derive(Debug)]
pub struct Ladder {
    places: Places,
    conns: Vec<Conn>,
    index: BTreeMap<(Endpoint, Endpoint), usize>,
    /// Segments handed to IP, not yet on the wire: (connection, row).
    queued: Fifo<(usize, usize)>,
    /// Segments on the wire, not yet arrived or dropped.
    in_flight: Fifo<(usize, usize)>,
    segments: u64,
}

impl Ladder {
    /// An empty ladder for a world of this shape.
    pub fn new(topo: &Topology) -> Ladder {
        Ladder {
            places: Places::new(topo),
            conns: Vec::new(),
            index: BTreeMap::new(),
            queued: Fifo::default(),
            in_flight: Fifo::default(),
            segments: 0,
        }
    }

    /// TCP segments sent so far (each transmission counts, retransmissions too).
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Whether no TCP connection showed up.
    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    pub(super) fn conns(&self) -> &[Conn] {
        &self.conns
    }

    /// The connection between `a` and `b` (created with `a` on the left), and
    /// `a`'s side.
    fn conn(&mut self, a: Endpoint, b: Endpoint) -> (usize, Side) {
        let key = if a <= b { (a, b) } else { (b, a) };
        let conns = &mut self.conns;
        let c = *self.index.entry(key).or_insert_with(|| {
            conns.push(Conn::new(a, b));
            conns.len() - 1
        });
        (c, self.conns[c].side_of(a))
    }

    /// Takes one event into account (events of other kinds are ignored).
    pub fn record(&mut self, now: SimTime, event: &Event<'_>) {
        match *event {
            Event::Tcp {
                node,
                local,
                remote,
                trace,
            } => self.on_tcp(now, node, local, remote, trace),
            Event::Tx { iface, frame } if self.places.on_host(iface) => {
                if let Some(seg) = frame.ipv4().and_then(Seg::of_packet) {
                    self.on_wire(now, seg);
                }
            }
            Event::Rx { iface, frame } => {
                if let Some(seg) = frame.ipv4().and_then(Seg::of_packet)
                    && self.places.is_destination(iface, seg.dst.addr)
                {
                    self.on_arrival(now, seg);
                }
            }
            Event::Drop {
                node,
                iface,
                what,
                reason,
            } if *reason != DropReason::SameSegment => {
                if let Some(seg) = dropped_seg(what) {
                    self.on_drop(now, node, iface, seg, reason.to_string());
                }
            }
            _ => {}
        }
    }

    fn on_tcp(
        &mut self,
        now: SimTime,
        node: NodeId,
        local: Endpoint,
        remote: Endpoint,
        trace: &TcpTrace,
    ) {
        let (c, side) = self.conn(local, remote);
        let conn = &mut self.conns[c];
        match trace {
            TcpTrace::Note(TcpNote::State { from, to, cause }) => {
                conn.on_state(now, side, *from, *to, cause)
            }
            TcpTrace::Sent { repr, len, cause } => {
                self.segments += 1;
                let seg = Seg::new(local, remote, repr, *len);
                let row = conn.push_segment(now, side, seg, Some(*cause));
                self.queued.push(seg, (c, row));
            }
            TcpTrace::ListenQueueFull => {
                conn.listening(now, side);
                if let Some(s) = conn.receipt_at(side, now) {
                    s.fate = Fate::Dropped {
                        node,
                        iface: None,
                        reason: "listen queue full".into(),
                    };
                }
            }
            TcpTrace::SynCookieSent => {
                conn.listening(now, side);
                conn.cookie[side.index()] = true;
            }
            TcpTrace::SynCookieAccepted | TcpTrace::Note(_) | TcpTrace::Sample(_) => {}
        }
    }

    /// A host put a segment on the wire.
    fn on_wire(&mut self, now: SimTime, seg: Seg) {
        let (c, row) = match self.queued.take(&seg) {
            Some(at) => at,
            None => {
                // Not announced by TCP: a closed port's reset, a crafted segment.
                self.segments += 1;
                let (c, side) = self.conn(seg.src, seg.dst);
                (c, self.conns[c].push_segment(now, side, seg, None))
            }
        };
        let s = self.conns[c].segment(row);
        s.wire = Some(now);
        s.fate = Fate::InFlight;
        self.in_flight.push(seg, (c, row));
    }

    /// A segment reached the host that owns its destination address.
    fn on_arrival(&mut self, now: SimTime, seg: Seg) {
        let Some((c, row)) = self.in_flight.take(&seg) else {
            return; // a duplicate, or a segment sent before the ladder started
        };
        let conn = &mut self.conns[c];
        let side = conn.side_of(seg.dst);
        conn.show_unshown(side);
        let state = conn.state[side.index()];
        conn.segment(row).fate = Fate::Arrived { at: now, state };
        conn.receipt[side.index()] = Some(row);
    }

    fn on_drop(
        &mut self,
        now: SimTime,
        node: NodeId,
        iface: Option<IfaceId>,
        seg: Seg,
        reason: String,
    ) {
        let fate = Fate::Dropped {
            node,
            iface,
            reason,
        };
        if let Some((c, row)) = self.queued.take(&seg).or_else(|| self.in_flight.take(&seg)) {
            self.conns[c].segment(row).fate = fate;
            return;
        }
        // Dropped by the receiving host after it arrived (no listener, ...).
        let key = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        if let Some(&c) = self.index.get(&key) {
            let conn = &mut self.conns[c];
            let side = conn.side_of(seg.dst);
            if let Some(s) = conn.receipt_at(side, now)
                && s.seg == seg
            {
                s.fate = fate;
                conn.receipt[side.index()] = None;
            }
        }
    }

    /// Forgets the rows, keeping only what counting further segments needs.
    pub(super) fn into_counter(self) -> SegmentCounter {
        SegmentCounter {
            places: self.places,
            queued: self.queued.forget_values(),
            segments: self.segments,
        }
    }
}

/// Counts TCP segments the way [`Ladder::segments`] does, in little memory.
#[derive(Debug)]
pub(super) struct SegmentCounter {
    places: Places,
    queued: Fifo<()>,
    segments: u64,
}

impl SegmentCounter {
    pub(super) fn segments(&self) -> u64 {
        self.segments
    }

    pub(super) fn record(&mut self, event: &Event<'_>) {
        match *event {
            Event::Tcp {
                local,
                remote,
                trace: TcpTrace::Sent { repr, len, .. },
                ..
            } => {
                self.segments += 1;
                self.queued.push(Seg::new(local, remote, repr, *len), ());
            }
            Event::Tx { iface, frame } if self.places.on_host(iface) => {
                if let Some(seg) = frame.ipv4().and_then(Seg::of_packet)
                    && self.queued.take(&seg).is_none()
                {
                    self.segments += 1;
                }
            }
            Event::Drop { what, .. } => {
                if let Some(seg) = dropped_seg(what) {
                    self.queued.take(&seg);
                }
            }
            _ => {}
        }
    }
}
