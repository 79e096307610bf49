//! `topology.svg`: the network of a run drawn as a picture.
//!
//! Nodes are shapes by kind (a host is a rounded box, a router a circle, a
//! switch a square with two arrows) with their names; each link is a line
//! labelled with its name, rate, delay and MTU as the run started
//! (`h1-r1 · 100 Mbit/s · 20 ms · MTU 1500`); each interface is named next to
//! its end of the link, with its address, `DHCP` when a DHCP client
//! configures it (and the first lease the run gave it), nothing for an
//! unnumbered one or a switch port. The placement ([`layout`]) is decided by
//! the topology alone, so the same scenario always gives the same bytes.
//!
//! Simplifications: a link drawn is a straight line between node centres
//! (parallel links between the same two nodes overlap); rates, delays and
//! MTUs changed by the timeline are not shown.

mod layout;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use protocols::dhcp::DhcpEvent;
use protocols::topology::{IfaceId, NodeKind, Topology};
use protocols::trace::{Detail, Event, TraceSink, events};
use protocols::wire::Ipv4Cidr;
use sim_core::{DataRate, SimDuration, SimTime};

use crate::destination::Destination;
use crate::ladder::svg::xml::{El, mono_width, num};
use crate::provenance::Provenance;

/// The file's name.
pub const TOPOLOGY_FILE: &str = "topology.svg";

const COL_W: f64 = 340.0;
const ROW_H: f64 = 78.0;
const MARGIN: f64 = 40.0;
const TOP: f64 = 64.0;
const FONT: f64 = 10.0;
const INK: &str = "#1f2937";
const MUTED: &str = "#4b5563";
const LINK: &str = "#6b7280";

/// `100 Mbit/s`, `1.5 Gbit/s`, `64 kbit/s`.
pub fn rate_text(r: DataRate) -> String {
    let bps = r.bps();
    let (div, unit) = match bps {
        b if b >= 1_000_000_000 => (1e9, "Gbit/s"),
        b if b >= 1_000_000 => (1e6, "Mbit/s"),
        b if b >= 1_000 => (1e3, "kbit/s"),
        _ => (1.0, "bit/s"),
    };
    format!("{} {unit}", trimmed(bps as f64 / div))
}

/// `20 ms`, `100 µs`, `1.5 s`.
pub fn delay_text(d: SimDuration) -> String {
    let ns = d.as_nanos();
    let (div, unit) = match ns {
        0 => return "0 s".into(),
        n if n >= 1_000_000_000 => (1e9, "s"),
        n if n >= 1_000_000 => (1e6, "ms"),
        n if n >= 1_000 => (1e3, "\u{b5}s"),
        _ => (1.0, "ns"),
    };
    format!("{} {unit}", trimmed(ns as f64 / div))
}

/// Up to three decimals, no trailing zeros.
fn trimmed(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What a DHCP-configured interface got.
pub type Leases = BTreeMap<IfaceId, Option<Ipv4Cidr>>;

/// The interface's label: `eth0 10.0.1.10/24`, `eth0 DHCP 192.168.1.100/24`.
fn iface_text(topo: &Topology, i: IfaceId, dhcp: &Leases) -> String {
    let info = topo.iface(i);
    match (dhcp.get(&i), info.addr) {
        (Some(Some(lease)), _) => format!("{} DHCP {lease}", info.name),
        (Some(None), _) => format!("{} DHCP", info.name),
        (None, Some(a)) => format!("{} {a}", info.name),
        (None, None) => info.name.clone(),
    }
}

/// The SVG document of `topo`; `dhcp` lists the interfaces a DHCP client
/// configures, with the lease each got (if any).
pub fn render(topo: &Topology, dhcp: &Leases, prov: Option<&Provenance>) -> String {
    let lay = layout::layout(topo);
    let at = |n: usize| {
        let (c, r) = lay.place[n];
        (MARGIN + 60.0 + c as f64 * COL_W, TOP + 40.0 + r * ROW_H)
    };
    let mut body = String::new();
    let mut right: f64 = 0.0;
    let mut widen = |x: f64| right = right.max(x);

    for l in &topo.links {
        let [ia, ib] = l.ends;
        let (a, b) = (
            at(topo.iface(ia).node.0 as usize),
            at(topo.iface(ib).node.0 as usize),
        );
        El::new("line")
            .num("x1", a.0)
            .num("y1", a.1)
            .num("x2", b.0)
            .num("y2", b.1)
            .attr("stroke", LINK)
            .num("stroke-width", 1.6)
            .empty(&mut body);
        let label = format!(
            "{} \u{b7} {} \u{b7} {} \u{b7} MTU {}",
            l.name,
            rate_text(l.rate),
            delay_text(l.delay),
            l.mtu
        );
        // Text runs along the link, read left to right: its label above the
        // line at the middle, each interface below the line at its end.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let flip = dx < 0.0 || (dx == 0.0 && dy < 0.0);
        let angle = if flip {
            uy.atan2(ux) + std::f64::consts::PI
        } else {
            uy.atan2(ux)
        };
        let angle = angle.to_degrees();
        // In a fan of links into a node with many, the links are far apart
        // only near their other ends: the link's label goes nearer that end,
        // the crowded node's interface further out along the link.
        let crowded = |i: IfaceId| topo.nodes[topo.iface(i).node.0 as usize].ifaces.len() > 4;
        let fan = [crowded(ia) && !crowded(ib), crowded(ib) && !crowded(ia)];
        let t = match fan {
            [false, true] => 0.38,
            [true, false] => 0.62,
            _ => 0.5,
        };
        let (mx, my) = (a.0 + dx * t, a.1 + dy * t);
        along(mx, my, angle, -6.0, "middle", INK, &label, &mut body);
        widen(mx + mono_width(&label, FONT) / 2.0);
        for (k, (i, from, sign)) in [(ia, a, 1.0), (ib, b, -1.0)].into_iter().enumerate() {
            let text = iface_text(topo, i, dhcp);
            // Clear of the shape, or far out at the crowded end of a fan.
            let d = if fan[k] {
                len * 0.3
            } else {
                28.0_f64.min(len * 0.25)
            };
            let (x, y) = (from.0 + sign * ux * d, from.1 + sign * uy * d);
            // Starting at the end it belongs to, towards the other end.
            let leftward = (sign < 0.0) != flip;
            let anchor = if leftward { "end" } else { "start" };
            along(x, y, angle, 13.0, anchor, MUTED, &text, &mut body);
            widen(x + mono_width(&text, FONT));
        }
    }
    for (k, node) in topo.nodes.iter().enumerate() {
        let (x, y) = at(k);
        shape(node.kind, x, y, &mut body);
        El::new("text")
            .num("x", x)
            .num("y", y + 30.0)
            .attr("text-anchor", "middle")
            .num("font-size", 12.0)
            .attr("font-weight", "bold")
            .attr("fill", INK)
            .attr("stroke", "#ffffff")
            .num("stroke-width", 3.0)
            .attr("paint-order", "stroke")
            .text(&node.name, &mut body);
        widen(x + 40.0);
    }

    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let subtitle = format!(
        "{}, {}. Links: name \u{b7} rate \u{b7} one-way delay \u{b7} IP MTU, as the run started; interfaces with their addresses.",
        plural(topo.nodes.len(), "node"),
        plural(topo.links.len(), "link"),
    );
    // Sans-serif text is narrower than monospace: 0.55 em a character.
    right = right.max(16.0 + subtitle.chars().count() as f64 * 11.0 * 0.55);
    let width = (right + MARGIN).ceil();
    let height = (TOP + 40.0 + lay.rows.max(1) as f64 * ROW_H + 20.0).ceil();
    let mut out = String::new();
    El::new("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("viewBox", format!("0 0 {} {}", num(width), num(height)))
        .num("width", width)
        .num("height", height)
        .attr("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif")
        .open(&mut out);
    let summary = prov.map(Provenance::summary);
    El::new("title").text("Topology", &mut out);
    if let Some(s) = &summary {
        El::new("desc").text(s, &mut out);
    }
    El::new("rect")
        .attr("width", "100%")
        .attr("height", "100%")
        .attr("fill", "#ffffff")
        .empty(&mut out);
    let title = match prov {
        Some(p) => format!("Topology of {}", p.scenario),
        None => "Topology".to_owned(),
    };
    El::new("text")
        .num("x", 16.0)
        .num("y", 24.0)
        .num("font-size", 15.0)
        .attr("font-weight", "bold")
        .attr("fill", INK)
        .text(&title, &mut out);
    El::new("text")
        .num("x", 16.0)
        .num("y", 42.0)
        .num("font-size", 11.0)
        .attr("fill", MUTED)
        .text(&subtitle, &mut out);
    out.push_str(&body);
    if let Some(s) = &summary {
        El::new("text")
            .num("x", 16.0)
            .num("y", height - 8.0)
            .num("font-size", 10.0)
            .attr("fill", MUTED)
            .text(s, &mut out);
    }
    out.push_str("</svg>\n");
    out
}

/// Small text with a white halo, rotated by `angle` degrees about (x, y) and
/// `offset` px across the line (negative: above).
#[allow(clippy::too_many_arguments)]
fn along(
    x: f64,
    y: f64,
    angle: f64,
    offset: f64,
    anchor: &str,
    fill: &str,
    text: &str,
    out: &mut String,
) {
    El::new("text")
        .num("x", x)
        .num("y", y + offset)
        .attr(
            "transform",
            format!("rotate({} {} {})", num(angle), num(x), num(y)),
        )
        .attr("text-anchor", anchor)
        .num("font-size", FONT)
        .attr("fill", fill)
        .attr("stroke", "#ffffff")
        .num("stroke-width", 3.0)
        .attr("paint-order", "stroke")
        .text(text, out);
}

/// A node's shape, centred on (x, y).
fn shape(kind: NodeKind, x: f64, y: f64, out: &mut String) {
    match kind {
        NodeKind::Host => {
            El::new("rect")
                .num("x", x - 20.0)
                .num("y", y - 14.0)
                .num("width", 40.0)
                .num("height", 28.0)
                .num("rx", 6.0)
                .attr("fill", "#e0f2fe")
                .attr("stroke", "#0369a1")
                .num("stroke-width", 1.5)
                .empty(out);
        }
        NodeKind::Router => {
            El::new("circle")
                .num("cx", x)
                .num("cy", y)
                .num("r", 17.0)
                .attr("fill", "#fef3c7")
                .attr("stroke", "#b45309")
                .num("stroke-width", 1.5)
                .empty(out);
            // Four arrows out: a router's usual symbol, reduced to a cross.
            for (dx, dy) in [(1.0, 0.0), (0.0, 1.0)] {
                El::new("line")
                    .num("x1", x - 9.0 * dx)
                    .num("y1", y - 9.0 * dy)
                    .num("x2", x + 9.0 * dx)
                    .num("y2", y + 9.0 * dy)
                    .attr("stroke", "#b45309")
                    .num("stroke-width", 1.5)
                    .empty(out);
            }
        }
        NodeKind::Switch => {
            El::new("rect")
                .num("x", x - 18.0)
                .num("y", y - 13.0)
                .num("width", 36.0)
                .num("height", 26.0)
                .attr("fill", "#ede9fe")
                .attr("stroke", "#6d28d9")
                .num("stroke-width", 1.5)
                .empty(out);
            for dy in [-4.0, 4.0] {
                El::new("line")
                    .num("x1", x - 10.0)
                    .num("y1", y + dy)
                    .num("x2", x + 10.0)
                    .num("y2", y + dy)
                    .attr("stroke", "#6d28d9")
                    .num("stroke-width", 1.5)
                    .empty(out);
            }
        }
    }
}

/// Writes `topology.svg` when the run finishes, with the leases DHCP
/// clients got during the run.
pub struct TopologySink<W: Destination> {
    out: Option<W>,
    topo: Arc<Topology>,
    leases: Leases,
    prov: Provenance,
    closed: bool,
}

impl<W: Destination> TopologySink<W> {
    /// A sink writing to `out`; `dhcp` lists the interfaces DHCP configures.
    pub fn new(out: W, topo: Arc<Topology>, dhcp: &[IfaceId], prov: &Provenance) -> Self {
        TopologySink {
            out: Some(out),
            topo,
            leases: dhcp.iter().map(|i| (*i, None)).collect(),
            prov: prov.clone(),
            closed: false,
        }
    }

    /// Gives the destination back (`None` once `finish` failed).
    pub fn into_output(mut self) -> Option<W> {
        self.out.take()
    }
}

impl<W: Destination> TraceSink for TopologySink<W> {
    fn detail(&self) -> Detail {
        Detail::Summary
    }

    fn record(&mut self, _time: SimTime, event: &Event<'_>) {
        if let Event::Dhcp(events::Dhcp {
            iface,
            event: DhcpEvent::Configured { addr, .. },
            ..
        }) = event
            && let Some(lease @ None) = self.leases.get_mut(iface)
        {
            *lease = Some(*addr);
        }
    }

    /// Writes the drawing and closes the destination. A second call does
    /// nothing.
    fn finish(&mut self) -> io::Result<()> {
        if std::mem::replace(&mut self.closed, true) {
            return Ok(());
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let svg = render(&self.topo, &self.leases, Some(&self.prov));
        let written = out.write_all(svg.as_bytes()).and_then(|()| out.close());
        if written.is_err() {
            self.out = None;
        }
        written
    }
}
