//! The nodes a connection's segments cross, in path order, and the words on
//! each arrow.

use protocols::topology::{NodeId, Topology};
use protocols::wire::TcpSeq;

use super::super::conn::{Conn, Fate, Row, SegmentRow, Side};

/// The nodes the segments of `rows` crossed, from the left end to the right
/// end: each segment's path (read left to right) adds the nodes not seen yet
/// after their predecessor. The ends come first and last when known.
pub(super) fn path_nodes(topo: &Topology, conn: &Conn, rows: &[Row]) -> Vec<NodeId> {
    let mut order: Vec<NodeId> = conn.node(topo, 0).into_iter().collect();
    for row in rows {
        let Row::Segment(_, s) = row else { continue };
        let mut nodes: Vec<NodeId> = Vec::new();
        for h in &s.hops {
            let n = topo.iface(h.iface).node;
            if nodes.last() != Some(&n) {
                nodes.push(n);
            }
        }
        if let Fate::Dropped { node, .. } = s.fate
            && nodes.last() != Some(&node)
        {
            nodes.push(node);
        }
        if s.from == Side::Right {
            nodes.reverse();
        }
        for (k, n) in nodes.iter().enumerate() {
            if order.contains(n) {
                continue;
            }
            let after = k
                .checked_sub(1)
                .and_then(|p| order.iter().position(|o| *o == nodes[p]));
            match after {
                Some(at) => order.insert(at + 1, *n),
                None => order.push(*n),
            }
        }
    }
    if let Some(right) = conn.node(topo, 1) {
        order.retain(|n| *n != right);
        order.push(right);
    }
    if let Some(left) = conn.node(topo, 0)
        && let Some(at) = order.iter().position(|n| *n == left)
    {
        order.remove(at);
        order.insert(0, left);
    }
    order
}

/// How far along the way from sender to receiver (0 to 1) a lost segment
/// got, on a path of `order`: to the node that dropped it, or half way down
/// the link it was lost on. A segment lost at its sender still gets a stub.
pub(super) fn drop_fraction(order: &[NodeId], s: &SegmentRow) -> f64 {
    let Fate::Dropped { node, .. } = s.fate else {
        return 0.5;
    };
    let Some(at) = order.iter().position(|n| *n == node) else {
        return 0.5;
    };
    if order.len() < 2 {
        return 0.5;
    }
    let last = (order.len() - 1) as f64;
    // Position from the left end, in hops.
    let mut pos = at as f64;
    if s.lost_on_link() {
        pos += if s.from == Side::Left { 0.5 } else { -0.5 };
    }
    let from_left = pos / last;
    let f = match s.from {
        Side::Left => from_left,
        Side::Right => 1.0 - from_left,
    };
    f.clamp(0.08, 1.0)
}

/// `SYN,ACK seq=0 ack=1 len=0`: control bits, then sequence and
/// acknowledgment numbers relative to each side's first sequence number.
pub(super) fn label(conn: &Conn, s: &SegmentRow) -> String {
    let f = s.seg.flags;
    let ctl: Vec<&str> = [
        (f.syn, "SYN"),
        (f.fin, "FIN"),
        (f.rst, "RST"),
        (f.psh, "PSH"),
        (f.urg, "URG"),
        (f.ece, "ECE"),
        (f.cwr, "CWR"),
        (s.seg.ack.is_some(), "ACK"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    let own = s.from.index();
    let rel = |seq: TcpSeq, base: Option<TcpSeq>| base.map_or(seq.0, |b| seq.0.wrapping_sub(b.0));
    let mut text = ctl.join(",");
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&format!("seq={}", rel(s.seg.seq, conn.isn[own])));
    if let Some(ack) = s.seg.ack {
        text.push_str(&format!(" ack={}", rel(ack, conn.isn[1 - own])));
    }
    text.push_str(&format!(" len={}", s.seg.len));
    text
}
