//! Assembling a run's sinks from its output settings.

use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use protocols::topology::{IfaceId, Topology};
use protocols::trace::{Detail, TraceSink};

use crate::atomic::AtomicFile;
use crate::jsonl::JsonlSink;
use crate::ladder::{
    DEFAULT_LADDER_LIMIT, LADDER_FILE, LADDER_SVG_FILE, LadderFilter, LadderOptions, LadderSink,
};
use crate::pcap::PcapSink;
use crate::plot::PlotSink;
use crate::provenance::Provenance;
use crate::series::SeriesSink;
use crate::text::TextSink;
use crate::topology::{TOPOLOGY_FILE, TopologySink};
use sim_core::SimDuration;

/// The text trace's file name.
pub const TRACE_FILE: &str = "trace.txt";
/// The JSON Lines event log's file name.
pub const EVENTS_FILE: &str = "events.jsonl";

/// Which interfaces get a pcap file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CaptureFilter {
    /// Every interface of every node (switch ports included).
    #[default]
    All,
    /// None: no pcap files, no manifest.
    Off,
    /// These interfaces.
    Ifaces(Vec<IfaceId>),
}

impl CaptureFilter {
    /// The interfaces of `topo` this filter captures, in id order, without duplicates.
    pub fn resolve(&self, topo: &Topology) -> Vec<IfaceId> {
        match self {
            CaptureFilter::All => (0..topo.ifaces.len() as u32).map(IfaceId).collect(),
            CaptureFilter::Off => Vec::new(),
            CaptureFilter::Ifaces(list) => {
                let mut v = list.clone();
                v.sort_unstable();
                v.dedup();
                v
            }
        }
    }
}

/// What a run writes, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputConfig {
    /// The output directory (created if missing).
    pub dir: PathBuf,
    /// Write `trace.txt`.
    pub trace: bool,
    /// Write `events.jsonl`.
    pub events: bool,
    /// Which interfaces to capture to pcap.
    pub capture: CaptureFilter,
    /// Bytes kept of each captured frame (0 = [`crate::pcap::MAX_SNAPLEN`]).
    pub snaplen: u32,
    /// Frames written per pcap file at most (0 = unlimited).
    pub capture_limit: u64,
    /// Events written to `trace.txt` and `events.jsonl` at most (0 = unlimited).
    pub trace_limit: u64,
    /// Trace lines echoed to the terminal at most (0 = print nothing).
    pub print_limit: u64,
    /// How much the trace, the event log and the echo show.
    pub detail: Detail,
    /// TCP segments up to which the ladder diagram is drawn, in `ladder.txt`
    /// and, when `print_limit > 0`, on the terminal; above it, a one-line note
    /// instead (0 = no ladder at all).
    pub ladder_limit: u64,
    /// Which connection and time window the ladders show (and count).
    pub ladder_filter: LadderFilter,
    /// `ladder.svg` with a lifeline per node on the path, not per endpoint.
    pub ladder_path: bool,
    /// The interfaces a DHCP client configures (`topology.svg` says "DHCP").
    pub dhcp_ifaces: Vec<IfaceId>,
    /// Write the time-series CSV files ([`crate::series`]), at most one row
    /// per `series_interval` of simulated time; `None`: no series.
    pub series_interval: Option<SimDuration>,
    /// Write the plots (SVG and PNG) and `plots.json` ([`crate::plot`]).
    pub plots: bool,
}

impl OutputConfig {
    /// Defaults, writing to `dir`: trace and events on, every interface
    /// captured with a 65535-byte snap length and no frame limit, no trace
    /// limit, nothing echoed, [`Detail::Packets`], a ladder of up to
    /// [`DEFAULT_LADDER_LIMIT`] segments.
    pub fn new(dir: impl Into<PathBuf>) -> OutputConfig {
        OutputConfig {
            dir: dir.into(),
            trace: true,
            events: true,
            capture: CaptureFilter::All,
            snaplen: 65_535,
            capture_limit: 0,
            trace_limit: 0,
            print_limit: 0,
            detail: Detail::Packets,
            ladder_limit: DEFAULT_LADDER_LIMIT,
            ladder_filter: LadderFilter::default(),
            ladder_path: false,
            dhcp_ifaces: Vec::new(),
            series_interval: Some(SimDuration::from_millis(1)),
            plots: true,
        }
    }
}

/// The sinks `cfg` asks for, in this order: text trace, event log, pcap
/// captures, ladder file, terminal echo, terminal ladder (standard output).
/// Creates `cfg.dir`; the files appear there only when each sink's `finish`
/// commits them (`ladder.txt` only if the run had TCP).
///
/// # Errors
/// The directory or a temporary file cannot be created, or the capture filter
/// names an interface `topo` does not have.
pub fn make_sinks(
    cfg: &OutputConfig,
    topo: Arc<Topology>,
    prov: &Provenance,
) -> io::Result<Vec<Box<dyn TraceSink>>> {
    fs::create_dir_all(&cfg.dir)?;
    let mut sinks: Vec<Box<dyn TraceSink>> = Vec::new();
    if cfg.trace {
        let out = AtomicFile::create(&cfg.dir, TRACE_FILE)?;
        let mut sink = TextSink::file(out, topo.clone(), cfg.detail, cfg.trace_limit);
        sink.write_header(prov)?;
        sinks.push(Box::new(sink));
    }
    if cfg.events {
        let out = AtomicFile::create(&cfg.dir, EVENTS_FILE)?;
        sinks.push(Box::new(JsonlSink::new(
            out,
            topo.clone(),
            cfg.detail,
            cfg.trace_limit,
            prov,
        )?));
    }
    let ifaces = cfg.capture.resolve(&topo);
    if !ifaces.is_empty() {
        let sink = PcapSink::new(
            &cfg.dir,
            topo.clone(),
            &ifaces,
            cfg.snaplen,
            cfg.capture_limit,
            prov,
        )?;
        sinks.push(Box::new(sink));
    }
    if let Some(interval) = cfg.series_interval {
        sinks.push(Box::new(SeriesSink::new(
            &cfg.dir,
            topo.clone(),
            prov,
            interval,
        )));
    }
    if cfg.plots {
        sinks.push(Box::new(PlotSink::new(&cfg.dir, topo.clone(), prov)));
    }
    let out = AtomicFile::create(&cfg.dir, TOPOLOGY_FILE)?;
    let dhcp = &cfg.dhcp_ifaces;
    sinks.push(Box::new(TopologySink::new(out, topo.clone(), dhcp, prov)));
    let ladder = LadderOptions {
        limit: cfg.ladder_limit,
        filter: cfg.ladder_filter.clone(),
        path: cfg.ladder_path,
    };
    if cfg.ladder_limit > 0 {
        let out = AtomicFile::create(&cfg.dir, LADDER_FILE)?;
        let svg = AtomicFile::create(&cfg.dir, LADDER_SVG_FILE)?;
        sinks.push(Box::new(LadderSink::file(
            out,
            Some(svg),
            topo.clone(),
            ladder.clone(),
            prov,
        )));
    }
    if cfg.print_limit > 0 {
        let full_trace = cfg.trace.then(|| cfg.dir.join(TRACE_FILE));
        sinks.push(Box::new(TextSink::echo(
            io::stdout(),
            topo.clone(),
            cfg.detail,
            cfg.print_limit,
            full_trace,
        )));
        if cfg.ladder_limit > 0 {
            sinks.push(Box::new(LadderSink::echo(io::stdout(), topo, ladder)));
        }
    }
    Ok(sinks)
}
