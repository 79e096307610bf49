//! From the event stream to ladder rows: which segment is which, when it left,
//! where it went, whether and when it arrived, and the state of each side
//! around it.
//!
//! A segment is followed through its events, matched by its 4-tuple, sequence
//! and acknowledgment numbers, control bits and length ([`Seg`]), oldest first
//! (so a retransmission, identical on the wire, pairs with the right copy):
//!
//! 1. [`TcpTrace::Sent`] at the sending host: a row, with the cause and the
//!    sender's state. (A segment TCP did not announce, such as the reset a
//!    closed port answers with or a crafted SYN, starts its row at step 2.)
//! 2. [`Event::Tx`] on one of that host's interfaces: the time it left.
//! 3. [`Event::Rx`] and [`Event::Tx`] at each router or switch on the way:
//!    the hops of the path view (an arrival pairs with the copy that last
//!    left the other end of that link, a departure with the copy that last
//!    arrived at that node).
//! 4. [`Event::Rx`] at the host that owns the destination address: the time
//!    it arrived; the receiver's `rcv ...` state changes at that instant, up to
//!    its next segment, are the receiver's state after it.
//! 5. Or [`Event::Drop`] anywhere (or a full listen queue at the receiver): lost.
//!
//! A state change not caused by a segment (`OPEN`, `CLOSE`, `2MSL timeout`, an
//! abort) shows as the sender's state of the segment it sends at the same
//! instant, or on a line of its own when it sends none. The world emits a
//! node's trace notes before its frames, and TCP its state changes before the
//! segments of the same step; the matching relies on both.
//!
//! A NAT gateway (`Event::Nat`, a TCP mapping created) rewrites one end's
//! address and port: the builder maps the outside end back to the inside one,
//! so both halves are one connection, drawn once.
//!
//! A [`LadderFilter`] decides at a connection's first event whether it is
//! kept; a connection left out costs one map entry. Rows are kept for the
//! segments TCP sent inside the filter's window, and only those count.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use protocols::dhcp::DhcpEvent;
use protocols::nat::{NatEvent, NatProto};
use protocols::tcp::{Endpoint, TcpTrace};
use protocols::topology::{IfaceId, NodeId, NodeKind, Topology};
use protocols::trace::events;
use protocols::trace::{DropReason, Event};
use sim_core::SimTime;

use super::conn::{Conn, Fate, Hop, Side, Translation};
use super::filter::LadderFilter;
use super::seg::{Fifo, Seg, dropped_seg};

/// Which interfaces belong to hosts, which node owns each address, and which
/// interface is at the other end of each link.
#[derive(Clone, Debug)]
struct Places {
    host_iface: Vec<bool>,
    iface_node: Vec<NodeId>,
    peer: Vec<Option<IfaceId>>,
    /// Configured addresses, then those learned during the run (DHCP leases,
    /// the addresses hosts' TCP uses).
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
        let mut peer = vec![None; topo.ifaces.len()];
        for l in &topo.links {
            let [a, b] = l.ends;
            for (from, to) in [(a, b), (b, a)] {
                if let Some(p) = peer.get_mut(from.0 as usize) {
                    *p = Some(to);
                }
            }
        }
        Places {
            host_iface: topo
                .ifaces
                .iter()
                .map(|i| topo.nodes[i.node.0 as usize].kind == NodeKind::Host)
                .collect(),
            iface_node: topo.ifaces.iter().map(|i| i.node).collect(),
            peer,
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

    fn node(&self, iface: IfaceId) -> Option<NodeId> {
        self.iface_node.get(iface.0 as usize).copied()
    }

    fn peer(&self, iface: IfaceId) -> Option<IfaceId> {
        self.peer.get(iface.0 as usize).copied().flatten()
    }

    /// Whether a frame arriving on `iface` has reached the owner of `dst`.
    fn is_destination(&self, iface: IfaceId, dst: Ipv4Addr) -> bool {
        let node = self.node(iface);
        node.is_some() && self.owner.get(&dst).copied() == node
    }

    /// `node` uses `addr` (keeps what is already known).
    fn learn(&mut self, addr: Ipv4Addr, node: NodeId) {
        self.owner.entry(addr).or_insert(node);
    }
}

/// The ladder of every TCP connection of a run, built one event at a time.
#[derive(Debug)]
pub struct Ladder {
    places: Places,
    filter: LadderFilter,
    /// Rows are kept (not over the segment limit).
    drawing: bool,
    conns: Vec<Conn>,
    /// Every connection seen, ends in order: its index, or `None` when the
    /// filter leaves it out.
    index: BTreeMap<(Endpoint, Endpoint), Option<usize>>,
    /// NAT mappings: outside end → (inside end, gateway).
    nat: BTreeMap<Endpoint, (Endpoint, NodeId)>,
    /// Segments handed to IP, not yet on the wire: (connection, row if kept).
    queued: Fifo<(usize, Option<usize>)>,
    /// Segments on the wire with a row, not yet arrived or dropped.
    in_flight: Fifo<(usize, usize)>,
    segments: u64,
}

impl Ladder {
    /// An empty ladder of every connection, for a world of this shape.
    pub fn new(topo: &Topology) -> Ladder {
        Ladder::filtered(topo, LadderFilter::default())
    }

    /// An empty ladder of what `filter` lets through.
    pub fn filtered(topo: &Topology, filter: LadderFilter) -> Ladder {
        Ladder {
            places: Places::new(topo),
            filter,
            drawing: true,
            conns: Vec::new(),
            index: BTreeMap::new(),
            nat: BTreeMap::new(),
            queued: Fifo::default(),
            in_flight: Fifo::default(),
            segments: 0,
        }
    }

    /// TCP segments sent so far that the filter lets through (each
    /// transmission counts, retransmissions too).
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Whether there is nothing to draw: no TCP connection (that the filter
    /// lets through) sent anything in the window.
    pub fn is_empty(&self) -> bool {
        !self.conns.iter().any(Conn::has_rows)
    }

    /// Whether rows are still kept (see [`Ladder::stop_drawing`]).
    pub fn is_drawing(&self) -> bool {
        self.drawing
    }

    /// The filter this ladder applies.
    pub fn filter(&self) -> &LadderFilter {
        &self.filter
    }

    /// Forgets every row and keeps no more, only counting segments on: the
    /// ladder went over its limit.
    pub fn stop_drawing(&mut self) {
        self.drawing = false;
        for c in &mut self.conns {
            c.stop_drawing();
        }
        self.in_flight = Fifo::default();
        self.queued.map_values(|(_, row)| *row = None);
    }

    /// The connections that have something to draw, in order of appearance.
    pub(super) fn conns(&self) -> impl Iterator<Item = &Conn> {
        self.conns.iter().filter(|c| c.has_rows())
    }

    /// The end a NAT gateway's outside end stands for.
    fn inside(&self, ep: Endpoint) -> Endpoint {
        self.nat.get(&ep).map_or(ep, |(inside, _)| *inside)
    }

    /// `seg` with NAT-translated ends mapped back to the inside ones.
    fn untranslated(&self, seg: Seg) -> Seg {
        Seg {
            src: self.inside(seg.src),
            dst: self.inside(seg.dst),
            ..seg
        }
    }

    /// The connection between `a` (on `node`, if known) and `b`, created
    /// with `a` on the left, and `a`'s side; `None` if the filter leaves it out.
    fn conn(&mut self, a: Endpoint, b: Endpoint, node: Option<NodeId>) -> Option<(usize, Side)> {
        let key = if a <= b { (a, b) } else { (b, a) };
        let c = match self.index.get(&key) {
            Some(slot) => (*slot)?,
            None => {
                let owner = |e: Endpoint| self.places.owner.get(&e.addr).copied();
                let nodes = [node.or_else(|| owner(a)), owner(b)];
                if !self.filter.wants([a, b], nodes) {
                    self.index.insert(key, None);
                    return None;
                }
                let mut conn = Conn::new([a, b], nodes, self.filter.clone());
                if !self.drawing {
                    conn.stop_drawing();
                }
                self.conns.push(conn);
                self.index.insert(key, Some(self.conns.len() - 1));
                self.conns.len() - 1
            }
        };
        let side = self.conns[c].side_of(a);
        if let Some(n) = node {
            self.conns[c].nodes[side.index()].get_or_insert(n);
        }
        Some((c, side))
    }

    /// Takes one event into account (events of other kinds are ignored).
    pub fn record(&mut self, now: SimTime, event: &Event<'_>) {
        match *event {
            Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace,
            }) => self.on_tcp(now, node, local, remote, trace),
            Event::Tx(events::Tx { iface, frame }) => {
                if let Some(seg) = frame.ipv4().and_then(Seg::of_packet) {
                    let seg = self.untranslated(seg);
                    if self.places.on_host(iface) {
                        self.on_wire(now, iface, seg);
                    } else {
                        self.on_hop(now, iface, seg, false);
                    }
                }
            }
            Event::Rx(events::Rx { iface, frame }) => {
                if let Some(seg) = frame.ipv4().and_then(Seg::of_packet) {
                    let seg = self.untranslated(seg);
                    if self.places.is_destination(iface, seg.dst.addr) {
                        self.on_arrival(now, iface, seg);
                    } else {
                        self.on_hop(now, iface, seg, true);
                    }
                }
            }
            Event::Drop(events::Drop {
                node,
                iface,
                what,
                reason,
            }) if *reason != DropReason::SameSegment => {
                if let Some(seg) = dropped_seg(what) {
                    let seg = self.untranslated(seg);
                    self.on_drop(now, node, iface, seg, reason.to_string());
                }
            }
            Event::Nat(events::Nat {
                node,
                event:
                    NatEvent::Created {
                        proto: NatProto::Tcp,
                        inside,
                        outside,
                    },
            }) => {
                let ep = |s: &std::net::SocketAddrV4| Endpoint {
                    addr: *s.ip(),
                    port: s.port(),
                };
                self.nat.insert(ep(outside), (ep(inside), node));
            }
            Event::Dhcp(events::Dhcp {
                node,
                event: DhcpEvent::Configured { addr, .. },
                ..
            }) => {
                self.places.owner.insert(addr.addr, node);
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
        self.places.learn(local.addr, node);
        let outside = remote;
        let translation = self.nat.get(&outside).copied();
        let remote = self.inside(outside);
        let Some((c, side)) = self.conn(local, remote, Some(node)) else {
            return;
        };
        let conn = &mut self.conns[c];
        if let (Some((_, gateway)), None) = (translation, conn.nat) {
            let peer = conn.side_of(remote);
            conn.nat = Some(Translation {
                side: peer,
                gateway,
                outside,
            });
        }
        match trace {
            TcpTrace::State { from, to, cause } => conn.on_state(now, side, *from, *to, cause),
            TcpTrace::Sent { repr, len, cause } => {
                if self.filter.in_window(now) {
                    self.segments += 1;
                }
                let seg = Seg::new(local, remote, repr, *len);
                let row = conn.push_segment(now, side, seg, Some(*cause));
                self.queued.push(seg, (c, row));
            }
            TcpTrace::ListenQueueFull => {
                conn.listening(now, side);
                if let Some(s) = conn.receipt_at(side, now) {
                    s.fate = Fate::Dropped {
                        at: now,
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
            _ => {}
        }
    }

    /// A host put a segment on the wire.
    fn on_wire(&mut self, now: SimTime, iface: IfaceId, seg: Seg) {
        let (c, row) = match self.queued.take(&seg) {
            Some(at) => at,
            None => {
                // Not announced by TCP: a closed port's reset, a crafted segment.
                let node = self.places.node(iface);
                let Some((c, side)) = self.conn(seg.src, seg.dst, node) else {
                    return;
                };
                if self.filter.in_window(now) {
                    self.segments += 1;
                }
                (c, self.conns[c].push_segment(now, side, seg, None))
            }
        };
        let Some(row) = row else {
            return;
        };
        let s = self.conns[c].segment(row);
        s.wire = Some(now);
        s.fate = Fate::InFlight;
        s.hops.push(Hop {
            at: now,
            iface,
            rx: false,
        });
        self.in_flight.push(seg, (c, row));
    }

    /// A segment reached or left a node on its way.
    fn on_hop(&mut self, now: SimTime, iface: IfaceId, seg: Seg, rx: bool) {
        let (conns, places) = (&self.conns, &self.places);
        let node = places.node(iface);
        let next = |&(c, r): &(usize, usize)| {
            let last = conns[c].segment_ref(r).and_then(|s| s.hops.last());
            match last {
                // Arriving here after leaving the other end of this link.
                Some(h) if rx => !h.rx && places.peer(h.iface) == Some(iface),
                // Leaving the node it last arrived at.
                Some(h) => h.rx && places.node(h.iface) == node,
                None => false,
            }
        };
        if let Some(&(c, r)) = self.in_flight.find(&seg, next) {
            self.conns[c]
                .segment(r)
                .hops
                .push(Hop { at: now, iface, rx });
        }
    }

    /// A segment reached the host that owns its destination address.
    fn on_arrival(&mut self, now: SimTime, iface: IfaceId, seg: Seg) {
        let Some((c, row)) = self.in_flight.take(&seg) else {
            return; // a duplicate, a segment left out or sent before the ladder started
        };
        let conn = &mut self.conns[c];
        conn.segment(row).hops.push(Hop {
            at: now,
            iface,
            rx: true,
        });
        let side = conn.side_of(seg.dst);
        conn.arrived(now, side, row);
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
            at: now,
            node,
            iface,
            reason,
        };
        if let Some((c, row)) = self.queued.take(&seg) {
            if let Some(row) = row {
                self.conns[c].segment(row).fate = fate;
            }
            return;
        }
        if let Some((c, row)) = self.in_flight.take(&seg) {
            self.conns[c].segment(row).fate = fate;
            return;
        }
        // Dropped by the receiving host after it arrived (no listener, ...).
        let key = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        if let Some(&Some(c)) = self.index.get(&key) {
            let conn = &mut self.conns[c];
            let side = conn.side_of(seg.dst);
            if let Some(s) = conn.receipt_at(side, now)
                && s.seg == seg
            {
                s.fate = fate;
                conn.forget_receipt(side);
            }
        }
    }
}
