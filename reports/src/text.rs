//! The human-readable trace: `trace.txt`, and the same lines echoed to the terminal.
//!
//! One [`TextSink`] writes lines formatted by [`LineFormat`] to any
//! [`Destination`]. Two flavours differ only in how they stop:
//!
//! - [`TextSink::file`] (`trace.txt`): after `trace_limit` lines (0 = unlimited)
//!   it writes `# trace truncated at N lines (raise outputs.trace_limit, 0 = unlimited)`
//!   and ignores the rest.
//! - [`TextSink::echo`] (the terminal): after `print_limit` lines it stays quiet,
//!   counts what it skipped, and at the end prints `… N more events in <path>`.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use protocols::topology::Topology;
use protocols::trace::{Detail, Event, TraceSink};
use sim_core::SimTime;

use crate::budget::{Budget, Verdict};
use crate::destination::Destination;
use crate::format::LineFormat;
use crate::provenance::Provenance;

/// How a [`TextSink`] reports the lines it did not write.
#[derive(Clone, Debug)]
enum Truncation {
    /// A note in the file at the point of truncation.
    File,
    /// A count at the end; where the full trace is, if it is kept.
    Echo { full_trace: Option<PathBuf> },
}

/// Writes one text line per event (see [`crate::format`]).
pub struct TextSink<W: Destination> {
    /// `None` after a failed [`TraceSink::finish`].
    out: Option<W>,
    /// Whether [`TraceSink::finish`] ran.
    closed: bool,
    topo: Arc<Topology>,
    format: LineFormat,
    detail: Detail,
    budget: Budget,
    truncation: Truncation,
    /// The first write error; the sink stops writing and `finish` returns it.
    error: Option<io::Error>,
}

impl<W: Destination> TextSink<W> {
    /// The trace file flavour: at most `trace_limit` lines (0 = unlimited), then
    /// a truncation note.
    pub fn file(out: W, topo: Arc<Topology>, detail: Detail, trace_limit: u64) -> TextSink<W> {
        TextSink::new(
            out,
            topo,
            detail,
            Budget::zero_unlimited(trace_limit),
            Truncation::File,
        )
    }

    /// The terminal flavour: at most `print_limit` lines, then silence and, at
    /// the end, a count of the skipped events pointing at `full_trace` (the
    /// trace file, if one is written).
    pub fn echo(
        out: W,
        topo: Arc<Topology>,
        detail: Detail,
        print_limit: u64,
        full_trace: Option<PathBuf>,
    ) -> TextSink<W> {
        TextSink::new(
            out,
            topo,
            detail,
            Budget::exactly(Some(print_limit)),
            Truncation::Echo { full_trace },
        )
    }

    fn new(
        out: W,
        topo: Arc<Topology>,
        detail: Detail,
        budget: Budget,
        truncation: Truncation,
    ) -> TextSink<W> {
        TextSink {
            out: Some(out),
            closed: false,
            format: LineFormat::new(&topo),
            topo,
            detail,
            budget,
            truncation,
            error: None,
        }
    }

    /// Writes the provenance and a column legend as `#` comment lines (not
    /// counted against the limit). Call before the first event.
    pub fn write_header(&mut self, prov: &Provenance) -> io::Result<()> {
        let out = self.out.as_mut().ok_or_else(finished)?;
        writeln!(out, "# {}", prov.summary())?;
        writeln!(
            out,
            "# time  node  iface  kind  summary; kinds: > sent, < received, + queued, x dropped, \
             fwd forwarded, frag fragmented/reassembled, arp, mac learned, link, or the application"
        )
    }

    /// Event lines written so far.
    pub fn lines_written(&self) -> u64 {
        self.budget.written()
    }

    /// Events not written because of the limit.
    pub fn events_skipped(&self) -> u64 {
        self.budget.skipped()
    }

    /// The destination (`None` once a failed [`TraceSink::finish`] dropped it).
    pub fn output(&self) -> Option<&W> {
        self.out.as_ref()
    }

    /// Gives the destination back (`None` once a failed [`TraceSink::finish`] dropped it).
    pub fn into_output(mut self) -> Option<W> {
        self.out.take()
    }

    fn write_line(&mut self, line: &str) {
        if self.error.is_some() || self.closed {
            return;
        }
        if let Some(out) = self.out.as_mut()
            && let Err(e) = writeln!(out, "{line}")
        {
            self.error = Some(e);
        }
    }
}

fn finished() -> io::Error {
    io::Error::other("trace sink already finished")
}

impl<W: Destination> TraceSink for TextSink<W> {
    fn detail(&self) -> Detail {
        self.detail
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        match self.budget.admit() {
            Verdict::Write => {
                let line = self.format.format(&self.topo, time, event);
                self.write_line(&line);
            }
            Verdict::Truncate => {
                if let Truncation::File = self.truncation {
                    let note = format!(
                        "# trace truncated at {} lines (raise outputs.trace_limit, 0 = unlimited)",
                        self.budget.written()
                    );
                    self.write_line(&note);
                }
            }
            Verdict::Skip => {}
        }
    }

    /// Writes the echo's skipped-events count, then closes the destination
    /// (commits the file). Returns the first write error, if any; a second call
    /// does nothing.
    fn finish(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        if let (Truncation::Echo { full_trace }, n @ 1..) =
            (&self.truncation, self.budget.skipped())
        {
            let events = if n == 1 { "event" } else { "events" };
            let line = match full_trace {
                Some(path) => format!("… {n} more {events} in {}", path.display()),
                None => format!(
                    "… {n} more {events} (raise outputs.print_limit, or turn outputs.trace on)"
                ),
            };
            self.write_line(&line);
        }
        self.closed = true;
        if let Some(e) = self.error.take() {
            // Dropping an uncommitted file removes it: no half-written trace.
            self.out = None;
            return Err(e);
        }
        match self.out.as_mut() {
            Some(out) => out.close(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use protocols::trace::events;

    fn run(sink: &mut TextSink<Vec<u8>>, events: usize) {
        let f = arp_request();
        for i in 0..events {
            sink.record(
                SimTime::from_nanos(i as u64),
                &Event::Tx(events::Tx {
                    iface: H1_ETH0,
                    frame: &f,
                }),
            );
        }
        sink.finish().unwrap();
    }

    fn text(sink: &TextSink<Vec<u8>>) -> String {
        String::from_utf8(sink.output().unwrap().clone()).unwrap()
    }

    #[test]
    fn file_truncates_with_a_note() {
        let mut sink = TextSink::file(Vec::new(), Arc::new(router_topology()), Detail::Packets, 2);
        run(&mut sink, 5);
        assert_eq!(
            text(&sink),
            "0.000000000  h1  eth0  >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10\n\
             0.000000001  h1  eth0  >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10\n\
             # trace truncated at 2 lines (raise outputs.trace_limit, 0 = unlimited)\n"
        );
        assert_eq!((sink.lines_written(), sink.events_skipped()), (2, 3));
    }

    #[test]
    fn file_at_exactly_the_limit_is_not_truncated() {
        let mut sink = TextSink::file(Vec::new(), Arc::new(router_topology()), Detail::Packets, 3);
        run(&mut sink, 3);
        assert_eq!(text(&sink).lines().count(), 3);
        assert!(!text(&sink).contains("truncated"));
    }

    #[test]
    fn zero_trace_limit_is_unlimited() {
        let mut sink = TextSink::file(Vec::new(), Arc::new(router_topology()), Detail::Packets, 0);
        run(&mut sink, 1000);
        assert_eq!(text(&sink).lines().count(), 1000);
    }

    #[test]
    fn header_records_provenance() {
        let mut sink = TextSink::file(Vec::new(), Arc::new(router_topology()), Detail::Packets, 1);
        sink.write_header(&provenance()).unwrap();
        run(&mut sink, 1);
        let text = text(&sink);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "# netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0"
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("# time  node  iface  kind  summary")
        );
        assert!(lines.next().unwrap().starts_with("0.000000000  h1"));
        assert_eq!(
            lines.next(),
            None,
            "the header does not count against the limit"
        );
    }

    #[test]
    fn echo_counts_what_it_skipped() {
        let path = PathBuf::from("out/trace.txt");
        let mut sink = TextSink::echo(
            Vec::new(),
            Arc::new(router_topology()),
            Detail::Packets,
            2,
            Some(path),
        );
        run(&mut sink, 7);
        let text = text(&sink);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2], "… 5 more events in out/trace.txt");
    }

    #[test]
    fn echo_without_trace_file_says_how_to_see_more() {
        let mut sink = TextSink::echo(
            Vec::new(),
            Arc::new(router_topology()),
            Detail::Packets,
            1,
            None,
        );
        run(&mut sink, 2);
        assert_eq!(
            text(&sink).lines().last().unwrap(),
            "… 1 more event (raise outputs.print_limit, or turn outputs.trace on)"
        );
    }

    #[test]
    fn echo_within_limit_prints_no_count() {
        let mut sink = TextSink::echo(
            Vec::new(),
            Arc::new(router_topology()),
            Detail::Packets,
            5,
            None,
        );
        run(&mut sink, 5);
        assert_eq!(text(&sink).lines().count(), 5);
    }
}
