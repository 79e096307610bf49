//! One connection's ladder: its ends, the state of each side, and its rows.

use protocols::tcp::{Endpoint, SendCause, State};
use protocols::topology::{IfaceId, NodeId, Topology};
use protocols::wire::TcpSeq;
use sim_core::SimTime;

use super::filter::LadderFilter;
use super::seg::Seg;

/// A column of the ladder: the endpoint seen first, or the other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    /// The endpoint that appeared first (usually the active opener).
    Left,
    /// Its peer.
    Right,
}

impl Side {
    pub(super) fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
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
        /// When.
        at: SimTime,
        /// The node that dropped it.
        node: NodeId,
        /// On which interface, if one applies.
        iface: Option<IfaceId>,
        /// Why, for a human.
        reason: String,
    },
}

/// One step of a segment's journey: it left an interface (`rx: false`) or
/// reached one (`rx: true`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hop {
    /// When.
    pub(super) at: SimTime,
    /// Which interface.
    pub(super) iface: IfaceId,
    /// Arrival rather than departure.
    pub(super) rx: bool,
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
    /// Every interface it left or reached, in order: the sender's departure
    /// first, then each node on the way (routers, switches, a NAT gateway).
    pub(super) hops: Vec<Hop>,
    /// What became of it.
    pub(super) fate: Fate,
}

impl SegmentRow {
    /// Whether a drop happened on the link after the frame left `iface`
    /// (link loss, corruption noticed later) rather than inside the node
    /// (a full queue, no route).
    pub(super) fn lost_on_link(&self) -> bool {
        match (&self.fate, self.hops.last()) {
            (Fate::Dropped { iface, .. }, Some(h)) => !h.rx && Some(h.iface) == *iface,
            _ => false,
        }
    }
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

/// How a NAT gateway showed one side of the connection to the other.
#[derive(Clone, Copy, Debug)]
pub(super) struct Translation {
    /// The side behind the gateway.
    pub(super) side: Side,
    /// The gateway.
    pub(super) gateway: NodeId,
    /// The address and port the other side saw.
    pub(super) outside: Endpoint,
}

/// One connection: the unordered pair of its endpoints.
#[derive(Clone, Debug)]
pub(super) struct Conn {
    /// Left and right endpoints.
    pub(super) ends: [Endpoint; 2],
    /// The node of each end, where known.
    pub(super) nodes: [Option<NodeId>; 2],
    /// Each side's first sequence number (its ISN when the SYN was seen).
    pub(super) isn: [Option<TcpSeq>; 2],
    /// A NAT gateway between the sides.
    pub(super) nat: Option<Translation>,
    /// Each side's state before its first change shown (`None`: never seen).
    pub(super) first: [Option<State>; 2],
    /// Each side's state now.
    state: [Option<State>; 2],
    /// The row a side last received, until that side sends.
    receipt: [Option<usize>; 2],
    /// A state change of each side not yet shown by a row.
    unshown: [Option<StateChange>; 2],
    /// The side's next segment carries a SYN cookie.
    pub(super) cookie: [bool; 2],
    /// Rows in the order they were made.
    rows: Vec<Row>,
    /// The time window rows are kept for.
    window: LadderFilter,
    /// Rows are kept at all (not over the segment limit).
    drawing: bool,
}

impl Conn {
    pub(super) fn new(
        ends: [Endpoint; 2],
        nodes: [Option<NodeId>; 2],
        window: LadderFilter,
    ) -> Conn {
        Conn {
            ends,
            nodes,
            isn: [None; 2],
            nat: None,
            first: [None; 2],
            state: [None; 2],
            receipt: [None; 2],
            unshown: [None; 2],
            cookie: [false; 2],
            rows: Vec::new(),
            window,
            drawing: true,
        }
    }

    pub(super) fn side_of(&self, ep: Endpoint) -> Side {
        if self.ends[0] == ep {
            Side::Left
        } else {
            Side::Right
        }
    }

    /// The node of end `k`: the one seen using it, or the owner of its address.
    pub(super) fn node(&self, topo: &Topology, k: usize) -> Option<NodeId> {
        self.nodes[k].or_else(|| topo.node_with_addr(self.ends[k].addr))
    }

    /// Whether something at `t` gets a row.
    fn shows(&self, t: SimTime) -> bool {
        self.drawing && self.window.in_window(t)
    }

    /// Forgets the rows and keeps no more (the ladder is over its limit).
    pub(super) fn stop_drawing(&mut self) {
        self.drawing = false;
        self.rows = Vec::new();
        self.receipt = [None; 2];
        self.unshown = [None; 2];
    }

    /// The rows to draw, in time order: the rows made, and the state changes
    /// still pending at the end.
    pub(super) fn visible_rows(&self) -> Vec<Row> {
        let mut rows = self.rows.clone();
        rows.extend(
            self.unshown
                .iter()
                .flatten()
                .filter(|c| self.shows(c.at))
                .map(|c| Row::State(*c)),
        );
        // Stable: rows of the same instant keep the order they happened in.
        rows.sort_by_key(Row::time);
        rows
    }

    /// Whether there is anything to draw.
    pub(super) fn has_rows(&self) -> bool {
        !self.rows.is_empty() || self.unshown.iter().flatten().any(|c| self.shows(c.at))
    }

    /// Gives a pending state change its own row.
    fn show_unshown(&mut self, side: Side) {
        if let Some(change) = self.unshown[side.index()].take()
            && self.shows(change.at)
        {
            self.rows.push(Row::State(change));
        }
    }

    /// The row `side` received at `now`, if its effects are still arriving.
    pub(super) fn receipt_at(&mut self, side: Side, now: SimTime) -> Option<&mut SegmentRow> {
        let r = self.receipt[side.index()]?;
        match &mut self.rows[r] {
            Row::Segment(_, s) if matches!(s.fate, Fate::Arrived { at, .. } if at == now) => {
                Some(s)
            }
            _ => None,
        }
    }

    pub(super) fn forget_receipt(&mut self, side: Side) {
        self.receipt[side.index()] = None;
    }

    pub(super) fn on_state(
        &mut self,
        now: SimTime,
        side: Side,
        from: State,
        to: State,
        cause: &'static str,
    ) {
        let i = side.index();
        if self.window.before(now) {
            // The state the window starts in.
            self.first[i] = Some(to);
        } else {
            self.first[i].get_or_insert(from);
        }
        self.state[i] = Some(to);
        // TCP names the causes of changes a segment arrival makes `rcv ...`
        // (`rcv SYN`, `rcv ACK of FIN`; see `TcpTrace::State`).
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
    pub(super) fn listening(&mut self, now: SimTime, side: Side) {
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

    /// `side` sent `seg`: its row, unless the row is not kept.
    pub(super) fn push_segment(
        &mut self,
        now: SimTime,
        side: Side,
        seg: Seg,
        cause: Option<SendCause>,
    ) -> Option<usize> {
        let i = side.index();
        self.isn[i].get_or_insert(seg.seq);
        match self.unshown[i] {
            Some(change) if change.at == now => self.unshown[i] = None,
            Some(_) => self.show_unshown(side),
            None => {}
        }
        self.receipt[i] = None;
        let cookie = std::mem::take(&mut self.cookie[i]);
        if !self.shows(now) {
            return None;
        }
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
                hops: Vec::new(),
                fate: Fate::Queued,
            },
        ));
        Some(self.rows.len() - 1)
    }

    /// The segment `row` reached `side` at `now`.
    pub(super) fn arrived(&mut self, now: SimTime, side: Side, row: usize) {
        self.show_unshown(side);
        let state = self.state[side.index()];
        self.segment(row).fate = Fate::Arrived { at: now, state };
        self.receipt[side.index()] = Some(row);
    }

    pub(super) fn segment(&mut self, row: usize) -> &mut SegmentRow {
        match &mut self.rows[row] {
            Row::Segment(_, s) => s,
            Row::State(_) => unreachable!("segment queues hold segment rows only"),
        }
    }

    pub(super) fn segment_ref(&self, row: usize) -> Option<&SegmentRow> {
        match self.rows.get(row)? {
            Row::Segment(_, s) => Some(s),
            Row::State(_) => None,
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
