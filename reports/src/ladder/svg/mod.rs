//! `ladder.svg`: the ladder diagrams drawn, one per connection, stacked.
//!
//! Each diagram has a heading (the two ends, their initial sequence numbers,
//! the filter), a head per lifeline, a time axis in the left margin and one
//! band per row, in the order segments left their hosts (see [`scale`] for
//! how time maps to height). An arrow per segment, labelled
//! `PSH,ACK seq=1 ack=1 len=1000` with sequence numbers relative to each
//! side's first one (Wireshark's habit: a picture of `seq=2651720818` helps
//! nobody), slanted down to where it arrived. Retransmissions (RTO or fast)
//! are drawn in amber with their tag; other tags (`[zero window probe]`,
//! `[keep-alive]`) in grey. A lost segment is dashed and ends in a red cross
//! at the node that dropped it, or half way down the link it was lost on,
//! with the reason and the place. State names sit outside the lifelines
//! where they change.
//!
//! Two views: one lifeline per endpoint (the default, like RFC 9293's
//! figures), or one per node the segments cross, in path order (`path`):
//! then each link crossed is an arrow of its own, and the time a segment
//! waits in a router's queue is a thick stroke down the router's lifeline.
//!
//! The file is self-contained (a `viewBox`, presentation attributes, no
//! `<style>` or `id`s) so that it can be inlined into an HTML page.

mod diagram;
mod path;
mod scale;
#[cfg(test)]
mod tests;
pub(crate) mod xml;

use protocols::topology::Topology;

use super::build::Ladder;
use crate::provenance::Provenance;
use xml::{El, num};

/// Room between stacked diagrams, px.
const GAP: f64 = 28.0;

/// The SVG document of every connection `ladder` kept; `path` for the path
/// view. `None` when there is nothing to draw.
pub fn render(
    topo: &Topology,
    ladder: &Ladder,
    path: bool,
    prov: Option<&Provenance>,
) -> Option<String> {
    let note = ladder.filter().describe();
    let drawn: Vec<diagram::Drawn> = ladder
        .conns()
        .map(|c| diagram::draw(topo, c, path, note.as_deref()))
        .collect();
    if drawn.is_empty() {
        return None;
    }
    let width = drawn.iter().map(|d| d.width).fold(0.0, f64::max).ceil();
    let footer = 24.0;
    let height = drawn.iter().map(|d| d.height + GAP).sum::<f64>().ceil() + footer;
    let mut out = String::new();
    El::new("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("viewBox", format!("0 0 {} {}", num(width), num(height)))
        .num("width", width)
        .num("height", height)
        .attr(
            "font-family",
            "DejaVu Sans Mono, Menlo, Consolas, monospace",
        )
        .open(&mut out);
    let summary = prov.map(Provenance::summary);
    El::new("title").text("TCP ladder diagrams", &mut out);
    if let Some(s) = &summary {
        El::new("desc").text(s, &mut out);
    }
    El::new("rect")
        .attr("width", "100%")
        .attr("height", "100%")
        .attr("fill", "#ffffff")
        .empty(&mut out);
    let mut y = 0.0;
    for d in &drawn {
        El::new("g")
            .attr("transform", format!("translate(0 {})", num(y)))
            .open(&mut out);
        out.push_str(&d.body);
        out.push_str("</g>\n");
        y += d.height + GAP;
    }
    if let Some(s) = &summary {
        El::new("text")
            .num("x", 12.0)
            .num("y", height - 8.0)
            .num("font-size", 10.0)
            .attr("fill", "#6b7280")
            .text(s, &mut out);
    }
    out.push_str("</svg>\n");
    Some(out)
}
