//! Ladder diagrams of TCP connections, in the style of RFC 9293's figures:
//! `ladder.txt`, and the same text on the terminal after a run.
//!
//! ```text
//! TCP 10.0.0.1:33197 (client) <-> 10.0.0.2:7 (server)
//!       time  client                                                                       server        arrives
//!             CLOSED                                                                       LISTEN
//!   1.020102  SYN-SENT     --> <SEQ=1992097048><CTL=SYN>                               --> SYN-RECEIVED  1.030158
//!   1.030158  ESTABLISHED  <-- <SEQ=128437587><ACK=1992097049><CTL=SYN,ACK>            <-- SYN-RECEIVED  1.040214
//!   1.040214  ESTABLISHED  --> <SEQ=1992097049><ACK=128437588><CTL=ACK>                --> ESTABLISHED   1.050265
//!   ...
//!   1.062060  TIME-WAIT    --> <SEQ=1992098050><ACK=128438589><CTL=ACK>                --> CLOSED        1.072112
//!   3.062060  CLOSED           (2MSL timeout)
//! ```
//!
//! One block per connection (the unordered pair of its endpoints), in the
//! order connections first appear; the endpoint seen first (usually the
//! active opener) is the left column. Under the column heads, each side's
//! state before anything happened. Then one line per segment, in the order
//! segments left their hosts:
//!
//! - `time`: when the segment left its host (the instant a capture there
//!   shows it), in seconds with six decimals;
//! - the sender's state after sending it, the arrow from the sender's column,
//!   the segment in RFC notation (absolute sequence numbers, as in
//!   `trace.txt`), with a `[tag]` when it is not the handshake, new data or
//!   an acknowledgment: `[retransmission (RTO)]`, `[fast retransmission]`,
//!   `[zero window probe]`, `[keep-alive]`, `[challenge ack]`, `[SYN cookie]`;
//! - the receiver's state after taking it, and when it arrived (`arrives`).
//!
//! A lost segment ends in `... X` and says where and why it was dropped
//! (`(dropped at r1:eth1: queue full)`). A state change no segment shows (the
//! `2MSL timeout`, an abort) gets a line of its own with its cause. A side
//! with no connection (a closed port answering with a reset) is `CLOSED`. A
//! connection reopened on the same pair of endpoints continues its block.
//!
//! The same connections are drawn in `ladder.svg` (see [`svg`]), and a
//! [`LadderFilter`] narrows all of them to one connection and a window of
//! time (`netsim run --ladder h1:5000-h2:80 --from 1s --to 1.2s`).
//!
//! The diagram is for small runs: [`LadderSink`] keeps rows in memory up to
//! `limit` TCP segments (counting only those the filter lets through) and,
//! past that, only counts them and prints
//! `(ladder not shown: N segments; raise outputs.ladder_limit)` instead, with
//! no `ladder.svg`.

mod build;
mod conn;
mod draw;
mod filter;
#[cfg(test)]
mod filter_tests;
mod seg;
#[cfg(test)]
mod story;
pub mod svg;
#[cfg(test)]
mod tests;

use std::io;
use std::sync::Arc;

use protocols::topology::Topology;
use protocols::trace::{Detail, Event, TraceSink};
use sim_core::SimTime;

pub use build::Ladder;
pub use filter::{EndFilter, HostFilter, LadderFilter};

use crate::destination::Destination;
use crate::provenance::Provenance;

/// The text ladder file's name.
pub const LADDER_FILE: &str = "ladder.txt";
/// The SVG ladder file's name.
pub const LADDER_SVG_FILE: &str = "ladder.svg";
/// TCP segments up to which a ladder is drawn by default ("off above a few
/// hundred segments").
pub const DEFAULT_LADDER_LIMIT: u64 = 300;

/// What the ladder diagrams show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LadderOptions {
    /// Segments (that pass the filter) up to which the ladder is drawn.
    pub limit: u64,
    /// Which connection and time window.
    pub filter: LadderFilter,
    /// In `ladder.svg`, a lifeline per node on the path instead of per endpoint.
    pub path: bool,
}

impl LadderOptions {
    /// Every connection, endpoint view, up to `limit` segments.
    pub fn new(limit: u64) -> LadderOptions {
        LadderOptions {
            limit,
            filter: LadderFilter::default(),
            path: false,
        }
    }
}

impl Ladder {
    /// The diagram of every connection so far, blocks separated by a blank
    /// line; empty when there was no TCP.
    pub fn render(&self, topo: &Topology) -> String {
        let mut out = String::new();
        for (k, conn) in self.conns().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            draw::draw(topo, conn, &mut out);
        }
        out
    }
}

/// The ladder diagram of `events` (see the [module docs](self)).
pub fn render(topo: &Topology, events: &[(SimTime, Event<'_>)]) -> String {
    let mut ladder = Ladder::new(topo);
    for (time, event) in events {
        ladder.record(*time, event);
    }
    ladder.render(topo)
}

/// The note printed instead of a ladder of `segments` segments.
pub fn not_shown_note(segments: u64) -> String {
    format!("(ladder not shown: {segments} segments; raise outputs.ladder_limit)")
}

/// Writes the ladder diagrams of a run's TCP connections when the run
/// finishes: the text (to a file or the terminal) and, for the file flavour,
/// `ladder.svg`.
///
/// Wants [`Detail::Packets`] (segments sent, frames on the wire). With no TCP
/// in the run it writes nothing: [`TraceSink::finish`] drops the destinations
/// unclosed (a file is not created). A filter that matches nothing gets a
/// one-line note in the text, and no SVG.
pub struct LadderSink<W: Destination> {
    /// `None` after `finish`, unless it wrote.
    text: Option<W>,
    /// Likewise, for the SVG.
    svg: Option<W>,
    topo: Arc<Topology>,
    opts: LadderOptions,
    ladder: Ladder,
    /// Written before the text diagram.
    preamble: String,
    prov: Option<Provenance>,
    closed: bool,
}

impl<W: Destination> LadderSink<W> {
    /// The file flavour (`ladder.txt`, and `ladder.svg` when `svg` is given):
    /// the provenance as a `#` line (and the filter as another), then the
    /// diagram of at most `opts.limit` segments, or the note.
    pub fn file(
        out: W,
        svg: Option<W>,
        topo: Arc<Topology>,
        opts: LadderOptions,
        prov: &Provenance,
    ) -> LadderSink<W> {
        let mut preamble = format!("# {}\n", prov.summary());
        if let Some(f) = opts.filter.describe() {
            preamble.push_str(&format!("# filter: {f}\n"));
        }
        LadderSink::new(out, svg, topo, opts, preamble, Some(prov.clone()))
    }

    /// The terminal flavour: a blank line (after the echoed trace), the
    /// filter if any, then the diagram or the note.
    pub fn echo(out: W, topo: Arc<Topology>, opts: LadderOptions) -> LadderSink<W> {
        let mut preamble = String::from("\n");
        if let Some(f) = opts.filter.describe() {
            preamble.push_str(&format!("Ladder filter: {f}\n"));
        }
        LadderSink::new(out, None, topo, opts, preamble, None)
    }

    fn new(
        out: W,
        svg: Option<W>,
        topo: Arc<Topology>,
        opts: LadderOptions,
        preamble: String,
        prov: Option<Provenance>,
    ) -> LadderSink<W> {
        LadderSink {
            text: Some(out),
            svg,
            ladder: Ladder::filtered(&topo, opts.filter.clone()),
            topo,
            opts,
            preamble,
            prov,
            closed: false,
        }
    }

    /// TCP segments seen so far (those the filter lets through).
    pub fn segments(&self) -> u64 {
        self.ladder.segments()
    }

    /// The text destination (`None` once `finish` dropped it).
    pub fn output(&self) -> Option<&W> {
        self.text.as_ref()
    }

    /// Gives the text destination back (`None` once `finish` dropped it).
    pub fn into_output(mut self) -> Option<W> {
        self.text.take()
    }

    /// Gives both destinations back: text, SVG.
    pub fn into_outputs(mut self) -> (Option<W>, Option<W>) {
        (self.text.take(), self.svg.take())
    }

    /// What `finish` writes after the preamble, `None` for nothing at all.
    fn text(&self) -> Option<String> {
        if !self.ladder.is_drawing() {
            return Some(format!("{}\n", not_shown_note(self.ladder.segments())));
        }
        if self.ladder.is_empty() {
            // The preamble says what the filter was.
            let note = "(ladder: no TCP segment matches the filter)\n";
            return self.opts.filter.is_active().then(|| note.to_owned());
        }
        Some(self.ladder.render(&self.topo))
    }

    /// The SVG document, `None` for none.
    fn svg(&self) -> Option<String> {
        if !self.ladder.is_drawing() {
            return None;
        }
        svg::render(&self.topo, &self.ladder, self.opts.path, self.prov.as_ref())
    }
}

/// Writes `parts` to `out` and closes it; on failure drops it (an
/// uncommitted file is removed: no half-written ladder).
fn write_out<W: Destination>(slot: &mut Option<W>, parts: &[&str]) -> io::Result<()> {
    let Some(out) = slot.as_mut() else {
        return Ok(());
    };
    let written = parts
        .iter()
        .try_for_each(|p| out.write_all(p.as_bytes()))
        .and_then(|()| out.close());
    if written.is_err() {
        *slot = None;
    }
    written
}

impl<W: Destination> TraceSink for LadderSink<W> {
    fn detail(&self) -> Detail {
        Detail::Packets
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        self.ladder.record(time, event);
        if self.ladder.is_drawing() && self.ladder.segments() > self.opts.limit {
            self.ladder.stop_drawing();
        }
    }

    /// Writes the diagrams (or the note) and closes the destinations; with
    /// nothing to write, drops them instead. A second call does nothing.
    fn finish(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let svg = self.svg();
        match svg {
            Some(doc) => write_out(&mut self.svg, &[&doc])?,
            None => self.svg = None,
        }
        match self.text() {
            Some(text) => write_out(&mut self.text, &[&self.preamble, &text]),
            None => {
                self.text = None;
                Ok(())
            }
        }
    }
}
