//! One connection's ladder as SVG: heading, lifeline heads, time axis,
//! arrows with labels, crosses for lost segments, states on the lifelines.

use protocols::tcp::State;
use protocols::topology::{NodeId, NodeKind, Topology};
use sim_core::SimTime;
use sim_core::time::text::seconds_micros;

use super::super::conn::{Conn, Fate, Row, SegmentRow, Side};
use super::super::draw::{heads, nat_note};
use super::path::{drop_fraction, label, path_nodes};
use super::scale::{ROW_H, TimeScale};
use super::xml::{El, mono_width, rich_text, tspan};

/// Room left of the first lifeline: the time axis, then the state names.
const AXIS_W: f64 = 84.0;
const STATE_W: f64 = 110.0;
/// Distance between the two lifelines of the endpoint view.
const ENDS_GAP: f64 = 580.0;
/// Distance between lifelines of the path view.
const HOP_GAP: f64 = 210.0;
/// Label font size, px.
const FONT: f64 = 11.0;

/// Colours: ink for segments, one colour for retransmissions, red for losses,
/// blue for states, greys for the scaffolding.
const INK: &str = "#1f2937";
const RETRANSMIT: &str = "#d97706";
const LOST: &str = "#dc2626";
const STATE: &str = "#1d4ed8";
const MUTED: &str = "#6b7280";
const LIFELINE: &str = "#9ca3af";

/// A drawn connection, at the origin.
pub(super) struct Drawn {
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) body: String,
}

/// A vertical line of the diagram.
struct Lifeline {
    x: f64,
    title: String,
    subtitle: String,
    kind: Option<NodeKind>,
}

/// Whether a tag marks a retransmission (drawn in [`RETRANSMIT`]).
fn is_retransmission(tag: Option<&str>) -> bool {
    tag.is_some_and(|t| t.contains("retransmission"))
}

struct Ctx<'a> {
    topo: &'a Topology,
    conn: &'a Conn,
    lines: Vec<Lifeline>,
    /// The path view's nodes, in lifeline order (empty: endpoint view).
    path: Vec<NodeId>,
    /// The path, for placing drops in the endpoint view.
    order: Vec<NodeId>,
    scale: TimeScale,
    out: String,
    /// Drawn last, over the arrows.
    labels: String,
    /// Right edge of everything drawn so far.
    right: f64,
}

/// Draws `conn`; `path_view` asks for a lifeline per node on the way, `note`
/// is the filter's description.
pub(super) fn draw(topo: &Topology, conn: &Conn, path_view: bool, note: Option<&str>) -> Drawn {
    let rows = conn.visible_rows();
    let order = path_nodes(topo, conn, &rows);
    let names = heads(topo, conn);
    let end_title =
        |k: usize| names[k].map_or_else(|| conn.ends[k].addr.to_string(), str::to_owned);
    let ends_known = conn.node(topo, 0).is_some() && conn.node(topo, 1).is_some();
    let path: Vec<NodeId> = if path_view && ends_known && order.len() >= 2 {
        order.clone()
    } else {
        Vec::new()
    };
    let x0 = AXIS_W + STATE_W;
    let lines: Vec<Lifeline> = if path.is_empty() {
        (0..2)
            .map(|k| Lifeline {
                x: x0 + k as f64 * ENDS_GAP,
                title: end_title(k),
                subtitle: conn.ends[k].to_string(),
                kind: conn.node(topo, k).map(|n| topo.nodes[n.0 as usize].kind),
            })
            .collect()
    } else {
        let last = path.len() - 1;
        let gap = HOP_GAP.max(ENDS_GAP / last as f64);
        path.iter()
            .enumerate()
            .map(|(i, n)| {
                let kind = topo.nodes[n.0 as usize].kind;
                Lifeline {
                    x: x0 + i as f64 * gap,
                    title: topo.node_name(*n).to_owned(),
                    subtitle: match i {
                        0 => conn.ends[0].to_string(),
                        i if i == last => conn.ends[1].to_string(),
                        _ => kind_name(kind).to_owned(),
                    },
                    kind: Some(kind),
                }
            })
            .collect()
    };

    // Heading, heads, initial states, then the rows.
    let mut head = Vec::new();
    let title = format!(
        "TCP {} {} \u{21c4} {} {}",
        end_title(0),
        conn.ends[0],
        end_title(1),
        conn.ends[1]
    );
    head.push((title, 15.0, INK, "bold"));
    let isn = |k: usize| conn.isn[k].map_or_else(|| "?".to_owned(), |s| s.0.to_string());
    head.push((
        format!(
            "Sequence numbers relative to each side's first (ISN {} {}, {} {}){}.",
            end_title(0),
            isn(0),
            end_title(1),
            isn(1),
            nat_note(topo, conn)
        ),
        11.0,
        MUTED,
        "normal",
    ));
    head.push((
        "One band per segment, in the order they left; time in seconds on the left.".into(),
        11.0,
        MUTED,
        "normal",
    ));
    if let Some(n) = note {
        head.push((format!("Filter: {n}."), 11.0, MUTED, "normal"));
    }
    let heads_top = 20.0 + head.len() as f64 * 17.0;
    let first_row = heads_top + 64.0;

    let times: Vec<SimTime> = rows.iter().map(Row::time).collect();
    let mut later = Vec::new();
    let mut busy = Vec::new();
    for r in &rows {
        if let Row::Segment(_, s) = r {
            // Arrivals and drops only: a router hop in between is placed in
            // proportion, not given a band.
            let end = match s.fate {
                Fate::Arrived { at, .. } | Fate::Dropped { at, .. } => Some(at),
                Fate::InFlight | Fate::Queued => None,
            };
            later.extend(end);
            busy.push((r.time(), end.unwrap_or(SimTime::MAX)));
        }
    }
    let scale = TimeScale::new(&times, &later, &busy, first_row);
    let mut cx = Ctx {
        topo,
        conn,
        right: lines.last().map_or(0.0, |l| l.x) + STATE_W,
        lines,
        path,
        order,
        scale,
        out: String::new(),
        labels: String::new(),
    };
    for (k, (text, size, fill, weight)) in head.iter().enumerate() {
        let el = El::new("text")
            .num("x", 12.0)
            .num("y", 22.0 + k as f64 * 17.0)
            .num("font-size", *size)
            .attr("font-family", "sans-serif")
            .attr("font-weight", weight)
            .attr("fill", fill);
        el.text(text, &mut cx.out);
        cx.widen(12.0 + text.chars().count() as f64 * size * 0.55);
    }
    let bottom = cx.scale.bottom() + ROW_H;
    cx.axis(&rows, first_row, bottom);
    cx.lifelines(heads_top, first_row, bottom);
    cx.states(&rows, first_row);
    for (k, row) in rows.iter().enumerate() {
        let y = cx.scale.row_y(k);
        match row {
            Row::Segment(_, s) => cx.segment(s, y),
            Row::State(c) => cx.cause(c.side, c.cause, y),
        }
    }
    cx.out.push_str(&cx.labels);
    Drawn {
        width: cx.right + 12.0,
        height: bottom + 12.0,
        body: cx.out,
    }
}

fn kind_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Host => "host",
        NodeKind::Router => "router",
        NodeKind::Switch => "switch",
    }
}

impl Ctx<'_> {
    fn widen(&mut self, x: f64) {
        self.right = self.right.max(x);
    }

    /// The lifeline of a connection side.
    fn end_x(&self, side: Side) -> f64 {
        match side {
            Side::Left => self.lines[0].x,
            Side::Right => self.lines[self.lines.len() - 1].x,
        }
    }

    /// The lifeline of a node in the path view.
    fn node_x(&self, node: NodeId) -> Option<f64> {
        let i = self.path.iter().position(|n| *n == node)?;
        Some(self.lines[i].x)
    }

    fn text(&mut self, x: f64, y: f64, anchor: &str, fill: &str, text: &str) {
        let el = El::new("text")
            .num("x", x)
            .num("y", y)
            .attr("text-anchor", anchor)
            .num("font-size", FONT)
            .attr("fill", fill)
            .attr("stroke", "#ffffff")
            .num("stroke-width", 3.0)
            .attr("paint-order", "stroke");
        el.text(text, &mut self.labels);
        let w = mono_width(text, FONT);
        self.widen(if anchor == "start" { x + w } else { x });
    }

    /// The time axis: each row's time in the margin.
    fn axis(&mut self, rows: &[Row], top: f64, bottom: f64) {
        El::new("line")
            .num("x1", AXIS_W - 4.0)
            .num("y1", top - 8.0)
            .num("x2", AXIS_W - 4.0)
            .num("y2", bottom)
            .attr("stroke", LIFELINE)
            .empty(&mut self.out);
        for (k, r) in rows.iter().enumerate() {
            let y = self.scale.row_y(k);
            El::new("line")
                .num("x1", AXIS_W - 8.0)
                .num("y1", y)
                .num("x2", AXIS_W - 4.0)
                .num("y2", y)
                .attr("stroke", LIFELINE)
                .empty(&mut self.out);
            El::new("text")
                .num("x", AXIS_W - 11.0)
                .num("y", y + 3.5)
                .attr("text-anchor", "end")
                .num("font-size", 10.0)
                .attr("fill", MUTED)
                .text(&seconds_micros(r.time()), &mut self.out);
        }
        for (a, b) in self.scale.pauses.clone() {
            // A break in the axis: two short slanted strokes.
            for dy in [0.0, 5.0] {
                let y = (a + b) / 2.0 - 2.5 + dy;
                El::new("line")
                    .num("x1", AXIS_W - 10.0)
                    .num("y1", y + 3.0)
                    .num("x2", AXIS_W + 2.0)
                    .num("y2", y - 3.0)
                    .attr("stroke", MUTED)
                    .empty(&mut self.out);
            }
        }
    }

    /// Heads (name, address) and the lines down, broken at pauses.
    fn lifelines(&mut self, top: f64, first_row: f64, bottom: f64) {
        let mut spans = Vec::new();
        let mut from = top + 36.0;
        for (a, b) in &self.scale.pauses {
            spans.push((from, *a));
            from = *b;
        }
        spans.push((from, bottom));
        for i in 0..self.lines.len() {
            let l = &self.lines[i];
            let (x, title, subtitle) = (l.x, l.title.clone(), l.subtitle.clone());
            let fill = match l.kind {
                Some(NodeKind::Router) => "#fef3c7",
                Some(NodeKind::Switch) => "#ede9fe",
                Some(NodeKind::Host) | None => "#e0f2fe",
            };
            for &(a, b) in &spans {
                El::new("line")
                    .num("x1", x)
                    .num("y1", a)
                    .num("x2", x)
                    .num("y2", b)
                    .attr("stroke", LIFELINE)
                    .num("stroke-width", 1.5)
                    .empty(&mut self.out);
            }
            let w = mono_width(&subtitle, 10.0).max(mono_width(&title, 12.0)) + 16.0;
            El::new("rect")
                .num("x", x - w / 2.0)
                .num("y", top)
                .num("width", w)
                .num("height", 36.0)
                .num("rx", 5.0)
                .attr("fill", fill)
                .attr("stroke", LIFELINE)
                .empty(&mut self.out);
            El::new("text")
                .num("x", x)
                .num("y", top + 15.0)
                .attr("text-anchor", "middle")
                .num("font-size", 12.0)
                .attr("font-weight", "bold")
                .attr("fill", INK)
                .text(&title, &mut self.out);
            El::new("text")
                .num("x", x)
                .num("y", top + 29.0)
                .attr("text-anchor", "middle")
                .num("font-size", 10.0)
                .attr("fill", MUTED)
                .text(&subtitle, &mut self.out);
            self.widen(x + w / 2.0);
        }
        let _ = first_row;
    }

    /// Each side's state where it changes: under the heads at first, then
    /// next to the lifeline, outside the diagram (left of the left one,
    /// right of the right one).
    fn states(&mut self, rows: &[Row], first_row: f64) {
        // (time, y, side, state): senders when they send, receivers when a
        // segment arrives, changes of their own.
        let mut events: Vec<(SimTime, f64, Side, State)> = Vec::new();
        for (k, r) in rows.iter().enumerate() {
            let y = self.scale.row_y(k);
            match r {
                Row::Segment(_, s) => {
                    if let Some(st) = s.sender {
                        events.push((r.time(), y, s.from, st));
                    }
                    if let Fate::Arrived {
                        at,
                        state: Some(st),
                    } = s.fate
                    {
                        let to = match s.from {
                            Side::Left => Side::Right,
                            Side::Right => Side::Left,
                        };
                        events.push((at, self.scale.y(at), to, st));
                    }
                }
                Row::State(c) => events.push((c.at, y, c.side, c.state)),
            }
        }
        events.sort_by_key(|e| e.0);
        let mut current = self.conn.first;
        let mut last_y = [f64::NEG_INFINITY; 2];
        for side in [Side::Left, Side::Right] {
            let name = current[side.index()].unwrap_or(State::Closed).to_string();
            self.state_label(side, first_row - 14.0, &name);
        }
        for (_, y, side, state) in events {
            let i = side.index();
            if current[i] == Some(state) {
                continue;
            }
            current[i] = Some(state);
            let y = y.max(last_y[i] + 12.0);
            last_y[i] = y;
            let x = self.end_x(side);
            El::new("circle")
                .num("cx", x)
                .num("cy", y)
                .num("r", 3.0)
                .attr("fill", STATE)
                .empty(&mut self.out);
            self.state_label(side, y, &state.to_string());
        }
    }

    fn state_label(&mut self, side: Side, y: f64, name: &str) {
        let x = self.end_x(side);
        let (x, anchor) = match side {
            Side::Left => (x - 8.0, "end"),
            Side::Right => (x + 8.0, "start"),
        };
        let el = El::new("text")
            .num("x", x)
            .num("y", y + 4.0)
            .attr("text-anchor", anchor)
            .num("font-size", FONT)
            .attr("font-weight", "bold")
            .attr("fill", STATE);
        el.text(name, &mut self.out);
        self.widen(x + mono_width(name, FONT));
    }

    /// A state change no segment shows: its cause next to the lifeline.
    fn cause(&mut self, side: Side, cause: &str, y: f64) {
        let x = self.end_x(side);
        let (x, anchor) = match side {
            Side::Left => (x + 8.0, "start"),
            Side::Right => (x - 8.0, "end"),
        };
        self.text(x, y + 4.0, anchor, MUTED, &format!("({cause})"));
    }

    fn segment(&mut self, s: &SegmentRow, y: f64) {
        let colour = if is_retransmission(s.tag) {
            RETRANSMIT
        } else {
            INK
        };
        let from_x = self.end_x(s.from);
        let dir = match s.from {
            Side::Left => 1.0,
            Side::Right => -1.0,
        };
        let end = if self.path.is_empty() {
            Some(self.ends_arrow(s, y, colour, from_x, dir))
        } else {
            self.path_arrows(s, y, colour);
            None
        };
        let mut text = label(self.conn, s);
        let mut len = text.chars().count();
        if s.tag.is_some() {
            // Kept: the label's text element preserves spaces.
            text.push(' ');
        }
        let mut runs = vec![tspan(&text, (colour != INK).then_some(colour))];
        if let Some(tag) = s.tag {
            let fill = if colour == INK { MUTED } else { colour };
            runs.push(tspan(&format!("[{tag}]"), Some(fill)));
            len += tag.chars().count() + 3;
        }
        // Centred above a gentle arrow, as in RFC 9293's figures; above the
        // start of a steep one (or one too short for it), by the sender.
        let w = len as f64 * FONT * 0.6;
        let centred = end.and_then(|(x1, y1)| {
            let run = (x1 - from_x).abs();
            let slope = (y1 - y).abs() / run.max(1.0);
            (slope <= 0.25 && w + 30.0 <= run).then(|| {
                let ym = (y + y1) / 2.0 - slope * w / 2.0 - 4.0;
                ((from_x + x1) / 2.0, ym, "middle", (from_x + x1 - w) / 2.0)
            })
        });
        let (lx, ly, anchor, left) = centred.unwrap_or(if dir > 0.0 {
            (from_x + 8.0, y - 5.0, "start", from_x + 8.0)
        } else {
            (from_x - 8.0, y - 5.0, "end", from_x - 8.0 - w)
        });
        El::new("rect")
            .num("x", left - 1.0)
            .num("y", ly - 9.0)
            .num("width", w + 2.0)
            .num("height", 12.0)
            .attr("fill", "#ffffff")
            .attr("fill-opacity", "0.85")
            .empty(&mut self.labels);
        let el = El::new("text")
            .num("x", lx)
            .num("y", ly)
            .attr("text-anchor", anchor)
            .num("font-size", FONT)
            .attr("fill", INK)
            .attr("xml:space", "preserve");
        rich_text(el, &runs, &mut self.labels);
        self.widen(left + w);
    }

    /// The endpoint view: one arrow from side to side, or to where it was lost.
    /// Returns where the arrow ends.
    fn ends_arrow(
        &mut self,
        s: &SegmentRow,
        y: f64,
        colour: &str,
        from_x: f64,
        dir: f64,
    ) -> (f64, f64) {
        let to_x = self.end_x(match s.from {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        });
        match &s.fate {
            Fate::Arrived { at, .. } => {
                let y1 = self.scale.y(*at);
                self.arrow(from_x, y, to_x, y1, colour, false);
                (to_x, y1)
            }
            Fate::Dropped { at, reason, .. } => {
                let f = drop_fraction(&self.order, s);
                let x1 = from_x + (to_x - from_x) * f;
                let y1 = self.scale.y(*at).max(y + 4.0);
                self.line(from_x, y, x1, y1, colour, true);
                let place = self.drop_place(s);
                self.cross(x1, y1, &format!("{reason} at {place}"), dir, f);
                (x1, y1)
            }
            Fate::InFlight | Fate::Queued => {
                let x1 = from_x + (to_x - from_x) * 0.3;
                self.line(from_x, y, x1, y + ROW_H * 0.5, colour, true);
                let what = if s.fate == Fate::Queued {
                    "never left the host"
                } else {
                    "no arrival seen"
                };
                let anchor = if dir > 0.0 { "start" } else { "end" };
                let note = format!("({what})");
                self.text(x1 + 6.0 * dir, y + ROW_H * 0.5 + 4.0, anchor, MUTED, &note);
                (x1, y + ROW_H * 0.5)
            }
        }
    }

    /// `r1:eth1` or `r1`.
    fn drop_place(&self, s: &SegmentRow) -> String {
        match &s.fate {
            Fate::Dropped { iface: Some(i), .. } => self.topo.iface_label(*i),
            Fate::Dropped { node, .. } => self.topo.node_name(*node).to_owned(),
            _ => String::new(),
        }
    }

    /// The path view: an arrow per link crossed, a thicker stroke down a
    /// node's lifeline while the segment waits there.
    fn path_arrows(&mut self, s: &SegmentRow, y: f64, colour: &str) {
        let node_of = |i| self.topo.iface(i).node;
        let mut prev: Option<(f64, f64, bool)> = None; // x, y, was a departure
        let mut last_tx = None;
        for h in &s.hops {
            let Some(x) = self.node_x(node_of(h.iface)) else {
                continue;
            };
            let hy = if prev.is_none() {
                y
            } else {
                self.scale.y(h.at)
            };
            match prev {
                Some((px, py, true)) if h.rx => self.arrow(px, py, x, hy, colour, false),
                Some((px, py, false)) if !h.rx && hy > py => {
                    El::new("line")
                        .num("x1", px)
                        .num("y1", py)
                        .num("x2", x)
                        .num("y2", hy)
                        .attr("stroke", colour)
                        .num("stroke-width", 3.0)
                        .attr("stroke-opacity", "0.45")
                        .empty(&mut self.out);
                }
                _ => {}
            }
            if !h.rx {
                last_tx = Some(h.iface);
            }
            prev = Some((x, hy, !h.rx));
        }
        let Fate::Dropped {
            at, node, reason, ..
        } = &s.fate
        else {
            return;
        };
        let dy = self.scale.y(*at);
        let dir = match s.from {
            Side::Left => 1.0,
            Side::Right => -1.0,
        };
        let place = self.drop_place(s);
        let text = format!("{reason} at {place}");
        let Some((px, py, _)) = prev else {
            // Lost before it left the sender.
            let x = self.end_x(s.from);
            self.line(x, y, x + 24.0 * dir, y + 6.0, colour, true);
            self.cross(x + 24.0 * dir, y + 6.0, &text, dir, 0.0);
            return;
        };
        let (x1, y1) = if s.lost_on_link() {
            let next = last_tx
                .and_then(|i| self.topo.links.iter().find(|l| l.ends.contains(&i)))
                .and_then(|l| l.ends.iter().find(|e| Some(**e) != last_tx).copied())
                .and_then(|e| self.node_x(node_of(e)));
            let nx = next.unwrap_or(px + HOP_GAP * dir);
            ((px + nx) / 2.0, dy.max(py + 4.0))
        } else {
            (self.node_x(*node).unwrap_or(px), dy.max(py))
        };
        if (x1, y1) != (px, py) {
            self.line(px, py, x1, y1, colour, true);
        }
        self.cross(x1, y1, &text, dir, 0.5);
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, colour: &str, dashed: bool) {
        let mut el = El::new("line")
            .num("x1", x1)
            .num("y1", y1)
            .num("x2", x2)
            .num("y2", y2)
            .attr("stroke", colour)
            .num("stroke-width", 1.3);
        if dashed {
            el = el.attr("stroke-dasharray", "5 3");
        }
        el.empty(&mut self.out);
    }

    /// A line with an arrowhead at its end (a polygon, no marker ids).
    fn arrow(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, colour: &str, dashed: bool) {
        self.line(x1, y1, x2, y2, colour, dashed);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (ux, uy) = (dx / len, dy / len);
        let (back, half) = (8.0, 3.5);
        let (bx, by) = (x2 - ux * back, y2 - uy * back);
        El::new("polygon")
            .points(&[
                (x2, y2),
                (bx - uy * half, by + ux * half),
                (bx + uy * half, by - ux * half),
            ])
            .attr("fill", colour)
            .empty(&mut self.out);
    }

    /// A red cross where a segment was lost, and why and where. The text
    /// goes on the side with more room: onward when the segment got less than
    /// two thirds of the way, back towards the sender otherwise.
    fn cross(&mut self, x: f64, y: f64, text: &str, dir: f64, got: f64) {
        let r = 5.0;
        for (a, b) in [((-r, -r), (r, r)), ((-r, r), (r, -r))] {
            El::new("line")
                .num("x1", x + a.0)
                .num("y1", y + a.1)
                .num("x2", x + b.0)
                .num("y2", y + b.1)
                .attr("stroke", LOST)
                .num("stroke-width", 2.2)
                .empty(&mut self.out);
        }
        let onward = if got < 0.67 { dir } else { -dir };
        let anchor = if onward > 0.0 { "start" } else { "end" };
        self.text(x + (r + 5.0) * onward, y + 4.0, anchor, LOST, text);
    }
}
