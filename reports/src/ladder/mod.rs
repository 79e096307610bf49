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
//! The diagram is for small runs: [`LadderSink`] keeps rows in memory up to
//! `max_segments` TCP segments and, past that, only counts them and prints
//! `(ladder not shown: N segments; raise outputs.ladder_limit)` instead.

mod build;
mod draw;
#[cfg(test)]
mod tests;

use std::io;
use std::sync::Arc;

use protocols::topology::Topology;
use protocols::trace::{Detail, Event, TraceSink};
use sim_core::SimTime;

pub use build::Ladder;
use build::SegmentCounter;

use crate::destination::Destination;
use crate::provenance::Provenance;

/// The ladder file's name.
pub const LADDER_FILE: &str = "ladder.txt";
/// TCP segments up to which a ladder is drawn by default ("off above a few
/// hundred segments").
pub const DEFAULT_LADDER_LIMIT: u64 = 300;

impl Ladder {
    /// The diagram of every connection so far, blocks separated by a blank
    /// line; empty when there was no TCP.
    pub fn render(&self, topo: &Topology) -> String {
        let mut out = String::new();
        for (k, conn) in self.conns().iter().enumerate() {
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

enum Mode {
    /// At most `max_segments` so far: keeping rows.
    Drawing(Ladder),
    /// Over the limit: counting only.
    Counting(SegmentCounter),
}

/// Writes the ladder diagram of a run's TCP connections when the run finishes.
///
/// Wants [`Detail::Packets`] (segments sent, frames on the wire). With no TCP
/// in the run it writes nothing: [`TraceSink::finish`] drops the destination
/// unclosed (a file is not created).
pub struct LadderSink<W: Destination> {
    /// `None` after `finish`, unless it wrote.
    out: Option<W>,
    topo: Arc<Topology>,
    max_segments: u64,
    mode: Mode,
    /// Written before the diagram.
    preamble: String,
    closed: bool,
}

impl<W: Destination> LadderSink<W> {
    /// The file flavour (`ladder.txt`): the provenance as a `#` line, then the
    /// diagram of at most `max_segments` segments, or the note.
    pub fn file(
        out: W,
        topo: Arc<Topology>,
        max_segments: u64,
        prov: &Provenance,
    ) -> LadderSink<W> {
        LadderSink::new(out, topo, max_segments, format!("# {}\n", prov.summary()))
    }

    /// The terminal flavour: a blank line (after the echoed trace), then the
    /// diagram or the note.
    pub fn echo(out: W, topo: Arc<Topology>, max_segments: u64) -> LadderSink<W> {
        LadderSink::new(out, topo, max_segments, "\n".into())
    }

    fn new(out: W, topo: Arc<Topology>, max_segments: u64, preamble: String) -> LadderSink<W> {
        LadderSink {
            out: Some(out),
            mode: Mode::Drawing(Ladder::new(&topo)),
            topo,
            max_segments,
            preamble,
            closed: false,
        }
    }

    /// TCP segments seen so far.
    pub fn segments(&self) -> u64 {
        match &self.mode {
            Mode::Drawing(l) => l.segments(),
            Mode::Counting(c) => c.segments(),
        }
    }

    /// The destination (`None` once `finish` dropped it).
    pub fn output(&self) -> Option<&W> {
        self.out.as_ref()
    }

    /// Gives the destination back (`None` once `finish` dropped it).
    pub fn into_output(mut self) -> Option<W> {
        self.out.take()
    }

    /// What `finish` writes after the preamble, `None` for nothing at all.
    fn text(&self) -> Option<String> {
        match &self.mode {
            Mode::Drawing(l) if l.is_empty() => None,
            Mode::Drawing(l) => Some(l.render(&self.topo)),
            Mode::Counting(c) => Some(format!("{}\n", not_shown_note(c.segments()))),
        }
    }
}

impl<W: Destination> TraceSink for LadderSink<W> {
    fn detail(&self) -> Detail {
        Detail::Packets
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        match &mut self.mode {
            Mode::Drawing(ladder) => {
                ladder.record(time, event);
                if ladder.segments() > self.max_segments {
                    let full = std::mem::replace(ladder, Ladder::new(&Topology::default()));
                    self.mode = Mode::Counting(full.into_counter());
                }
            }
            Mode::Counting(counter) => counter.record(event),
        }
    }

    /// Writes the diagram (or the note) and closes the destination; with no
    /// TCP in the run, drops it instead. A second call does nothing.
    fn finish(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let Some(text) = self.text() else {
            self.out = None;
            return Ok(());
        };
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let written = out
            .write_all(self.preamble.as_bytes())
            .and_then(|()| out.write_all(text.as_bytes()));
        if let Err(e) = written {
            // Dropping an uncommitted file removes it: no half-written ladder.
            self.out = None;
            return Err(e);
        }
        out.close()
    }
}
