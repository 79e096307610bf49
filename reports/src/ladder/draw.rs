//! Drawing one connection's rows as aligned text.

use std::fmt::Write as _;

use protocols::tcp::State;
use protocols::topology::Topology;
use sim_core::SimTime;
use sim_core::time::text::seconds_micros;

use super::conn::{Conn, Fate, Row, SegmentRow, Side, StateChange};

/// What the empty arrow slot of a lost or unfinished segment shows.
const LOST: &str = "...";
/// The narrowest state column: the longest state name, `SYN-RECEIVED`, so
/// that the blocks of a run line up alike.
const STATE_WIDTH: usize = 12;
/// Every line is indented like a figure.
const INDENT: &str = "  ";

/// One line before padding: time, left state, arrow, segment, arrow, right
/// state, note.
#[derive(Default)]
struct Line {
    time: String,
    left: String,
    /// Right-align `left` (an `X` next to the arrow).
    left_flush_right: bool,
    arrow_out: &'static str,
    segment: String,
    /// Right-align `segment` (a right-side state change's cause).
    segment_flush_right: bool,
    arrow_in: &'static str,
    right: String,
    note: String,
}

fn state_name(s: Option<State>) -> String {
    // No connection at all is the CLOSED state (RFC 9293 §3.3.2).
    s.unwrap_or(State::Closed).to_string()
}

fn segment_line(topo: &Topology, time: SimTime, s: &SegmentRow) -> Line {
    let mut segment = s.seg.rfc_notation();
    if let Some(tag) = s.tag {
        let _ = write!(segment, " [{tag}]");
    }
    let (arrow, sender) = match s.from {
        Side::Left => ("-->", state_name(s.sender)),
        Side::Right => ("<--", state_name(s.sender)),
    };
    let (receiver, far_arrow, note) = match &s.fate {
        Fate::Arrived { at, state } => (state_name(*state), arrow, seconds_micros(*at)),
        Fate::Dropped {
            node,
            iface,
            reason,
            ..
        } => {
            let place =
                iface.map_or_else(|| topo.node_name(*node).to_owned(), |i| topo.iface_label(i));
            (
                "X".to_owned(),
                LOST,
                format!("(dropped at {place}: {reason})"),
            )
        }
        Fate::InFlight => (String::new(), LOST, "(no arrival seen)".to_owned()),
        Fate::Queued => (String::new(), LOST, "(never left the host)".to_owned()),
    };
    let mut line = Line {
        time: seconds_micros(time),
        segment,
        note,
        ..Line::default()
    };
    match s.from {
        Side::Left => {
            (line.left, line.arrow_out) = (sender, arrow);
            (line.arrow_in, line.right) = (far_arrow, receiver);
        }
        Side::Right => {
            (line.left, line.arrow_out) = (receiver, far_arrow);
            (line.arrow_in, line.right) = (arrow, sender);
            line.left_flush_right = line.left == "X";
        }
    }
    line
}

fn state_line(c: &StateChange) -> Line {
    let mut line = Line {
        time: seconds_micros(c.at),
        segment: format!("({})", c.cause),
        ..Line::default()
    };
    match c.side {
        Side::Left => line.left = c.state.to_string(),
        Side::Right => {
            line.right = c.state.to_string();
            line.segment_flush_right = true;
        }
    }
    line
}

/// The node names of the ends, where known.
pub(super) fn heads<'a>(topo: &'a Topology, conn: &Conn) -> [Option<&'a str>; 2] {
    [0, 1].map(|k| conn.node(topo, k).map(|n| topo.node_name(n)))
}

/// `, h1 seen as 203.0.113.2:45002 through NAT at gw`, or nothing.
pub(super) fn nat_note(topo: &Topology, conn: &Conn) -> String {
    let Some(t) = conn.nat else {
        return String::new();
    };
    let k = t.side.index();
    let who = heads(topo, conn)[k].map_or_else(|| conn.ends[k].to_string(), str::to_owned);
    format!(
        ", {who} seen as {} through NAT at {}",
        t.outside,
        topo.node_name(t.gateway)
    )
}

/// Appends the ladder of `conn` to `out`.
pub(super) fn draw(topo: &Topology, conn: &Conn, out: &mut String) {
    let names = heads(topo, conn);
    let _ = write!(out, "TCP");
    for (k, (end, name)) in conn.ends.iter().zip(names).enumerate() {
        let sep = if k == 0 { " " } else { " <-> " };
        let _ = write!(out, "{sep}{end}");
        if let Some(name) = name {
            let _ = write!(out, " ({name})");
        }
    }
    out.push_str(&nat_note(topo, conn));
    out.push('\n');
    let column = |k: usize| match names[k] {
        Some(n) if names[0] == names[1] => format!("{n}:{}", conn.ends[k].port),
        Some(n) => n.to_owned(),
        None => conn.ends[k].addr.to_string(),
    };

    let rows = conn.visible_rows();

    let mut lines = vec![
        Line {
            time: "time".into(),
            left: column(0),
            right: column(1),
            note: "arrives".into(),
            ..Line::default()
        },
        Line {
            left: state_name(conn.first[0]),
            right: state_name(conn.first[1]),
            ..Line::default()
        },
    ];
    lines.extend(rows.iter().map(|r| match r {
        Row::Segment(_, s) => segment_line(topo, r.time(), s),
        Row::State(c) => state_line(c),
    }));

    let width = |f: fn(&Line) -> &str| {
        lines
            .iter()
            .map(|l| f(l).chars().count())
            .max()
            .unwrap_or(0)
    };
    let tw = width(|l| &l.time);
    let lw = width(|l| &l.left).max(STATE_WIDTH);
    let sw = width(|l| &l.segment);
    let rw = width(|l| &l.right).max(STATE_WIDTH);
    for l in &lines {
        let left = if l.left_flush_right {
            format!("{:>lw$}", l.left)
        } else {
            format!("{:<lw$}", l.left)
        };
        let segment = if l.segment_flush_right {
            format!("{:>sw$}", l.segment)
        } else {
            format!("{:<sw$}", l.segment)
        };
        let line = format!(
            "{INDENT}{:>tw$}  {left} {:<3} {segment} {:<3} {:<rw$}  {}",
            l.time, l.arrow_out, l.arrow_in, l.right, l.note
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
