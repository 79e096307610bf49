//! # netsim
//!
//! A deterministic discrete-event network simulator with a real TCP/IP stack.
//! This crate is the facade: load (or build) a scenario, run it, get its
//! results and output files. The command-line tool `netsim` is a thin layer
//! over it.
//!
//! ```
//! let text = r#"Scenario(
//!     name: "doc-ping",
//!     stop: "3s",
//!     nodes: [
//!         Host(name: "a", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
//!              apps: [Ping(to: "10.0.0.2", count: 2)]),
//!         Host(name: "b", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
//!     ],
//!     links: [Link(a: "a:eth0", b: "b:eth0", delay: "5ms")],
//! )"#;
//! // `--set` overrides work in code too.
//! let scenario = netsim::Loaded::from_str(text, "doc-ping.ron", &["links.0.delay=10ms".into()]).unwrap();
//! // No output files: results only.
//! let outcome = netsim::run(&scenario, &netsim::RunOptions::in_memory()).unwrap();
//! let netsim::AppStats::Ping(ping) = &outcome.apps[0].1 else { unreachable!() };
//! assert_eq!((ping.transmitted, ping.received), (2, 2));
//! // Two 10 ms hops there and back, plus serialization: just over 20 ms.
//! assert!(ping.rtts[1].as_nanos() > 20_000_000 && ping.rtts[1].as_nanos() < 20_100_000);
//! ```
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use protocols;
pub use protocols::apps::AppStats;
pub use protocols::world::DirStats;
pub use reports;
pub use scenarios;
pub use scenarios::{Scenario, ScenarioError};
pub use sim_core;
use sim_core::{RunLimits, RunStats, SimTime, stable_hash};

pub mod determinism;
pub mod expect;
mod ladder;
pub mod merge;
pub mod sweep;

/// The netsim version recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a run could not happen or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario is invalid (bad syntax, unknown field, semantic error).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// An output file could not be written.
    #[error("cannot write outputs in {dir}: {source}")]
    Output {
        /// The output directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The run stopped early (the event budget ran out).
    #[error("{0}")]
    Run(#[from] sim_core::RunError),
    /// A run option does not fit the scenario (`--ladder` naming an unknown
    /// node, `--to` before `--from`).
    #[error("{0}")]
    Usage(String),
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario, overrides applied.
    pub scenario: Scenario,
    /// A stable hash of the scenario as it will run, in hex.
    pub hash: String,
}

impl Loaded {
    /// Loads and validates `path`, applying `--set` style overrides.
    pub fn from_file(path: &Path, overrides: &[String]) -> Result<Loaded, Error> {
        Ok(Self::new(scenarios::load_file(path, overrides)?))
    }

    /// Loads and validates scenario text; `origin` names it in error messages.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, origin: &str, overrides: &[String]) -> Result<Loaded, Error> {
        Ok(Self::new(scenarios::load_str(text, origin, overrides)?))
    }

    /// Wraps a scenario built in code (validated here; `origin` names it in errors).
    pub fn from_scenario(scenario: Scenario, origin: &str) -> Result<Loaded, Error> {
        Ok(Self::new(scenarios::validate(scenario, origin, "")?))
    }

    fn new(scenario: Scenario) -> Loaded {
        // The hash covers the scenario as it runs (after overrides), not its
        // comments or layout, nor its `sweep` section: a run of a sweep has
        // the hash of the same run made with `netsim run`.
        let as_run = Scenario {
            sweep: None,
            ..scenario.clone()
        };
        let canonical = serde_json::to_string(&as_run).expect("a scenario serializes");
        let hash = format!("{:016x}", stable_hash(canonical.as_bytes()));
        Loaded { scenario, hash }
    }
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replace the scenario's seed.
    pub seed: Option<u64>,
    /// Replace the scenario's stop time.
    pub until: Option<SimTime>,
    /// Where outputs go; `None`: `out/<scenario name>/`.
    pub out_dir: Option<PathBuf>,
    /// Write output files at all.
    pub write_outputs: bool,
    /// Echo trace lines to the terminal (up to the scenario's `print_limit`).
    pub echo: bool,
    /// Index of this run among repetitions.
    pub run_index: u64,
    /// Ladder diagrams of this connection only (replaces `outputs.ladder`);
    /// also turns the ladder on when the scenario's `ladder_limit` is 0.
    pub ladder: Option<scenarios::ladder::ConnSpec>,
    /// Ladder diagrams of segments sent from this time (replaces `outputs.ladder_from`).
    pub ladder_from: Option<SimTime>,
    /// Ladder diagrams of segments sent until this time (replaces `outputs.ladder_to`).
    pub ladder_to: Option<SimTime>,
    /// `ladder.svg` with a lifeline per node on the path (or the scenario's `outputs.ladder_path`).
    pub ladder_path: bool,
}

impl RunOptions {
    /// Results only: no files, no echo.
    pub fn in_memory() -> RunOptions {
        RunOptions::default()
    }

    /// What `netsim run` does: files in the default directory and the echo.
    pub fn cli() -> RunOptions {
        RunOptions {
            write_outputs: true,
            echo: true,
            ..RunOptions::default()
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// Engine statistics.
    pub stats: RunStats,
    /// Application results: (node, stats), in scenario order.
    pub apps: Vec<(String, AppStats)>,
    /// Per link: name and a→b, b→a counters.
    pub links: Vec<(String, [DirStats; 2])>,
    /// Identity of the run.
    pub provenance: reports::Provenance,
    /// Per flow and per link direction summary (also `summary.json`).
    pub summary: reports::RunSummary,
    /// The verdict on each of the scenario's `expect` entries, in order.
    pub expectations: Vec<expect::ExpectOutcome>,
    /// The output directory, if files were written.
    pub out_dir: Option<PathBuf>,
}

impl RunOutcome {
    /// Whether every expectation held (true when there are none).
    pub fn expectations_met(&self) -> bool {
        self.expectations.iter().all(|e| e.passed)
    }
}

/// The default output directory of a scenario: `out/<name>/`.
pub fn default_out_dir(scenario: &Scenario) -> PathBuf {
    Path::new("out").join(&scenario.name)
}

/// Runs a loaded scenario.
pub fn run(loaded: &Loaded, opts: &RunOptions) -> Result<RunOutcome, Error> {
    run_with_progress(loaded, opts, |_| {})
}

/// Runs a loaded scenario, calling `progress` every 2^16 events (the CLI
/// draws its progress bar from it).
pub fn run_with_progress(
    loaded: &Loaded,
    opts: &RunOptions,
    progress: impl FnMut(sim_core::Progress),
) -> Result<RunOutcome, Error> {
    let s = &loaded.scenario;
    let seed = opts.seed.unwrap_or(s.seed);
    let stop = opts.until.unwrap_or(s.stop);
    let provenance = reports::Provenance {
        netsim_version: VERSION.to_string(),
        scenario: s.name.clone(),
        scenario_hash: loaded.hash.clone(),
        seed,
        run_index: opts.run_index,
    };
    let spec = scenarios::build::world_spec(s, seed, opts.run_index);
    let topo = Arc::clone(&spec.topology);
    let ladder_filter = ladder::filter(s, opts, &topo)?;
    let out_dir = opts
        .write_outputs
        .then(|| opts.out_dir.clone().unwrap_or_else(|| default_out_dir(s)));
    let mut sinks = match &out_dir {
        Some(dir) => {
            let mut cfg = output_config(s, dir, &topo, opts.echo);
            cfg.ladder_filter = ladder_filter;
            cfg.ladder_path |= opts.ladder_path;
            if opts.ladder.is_some() && cfg.ladder_limit == 0 {
                cfg.ladder_limit = reports::DEFAULT_LADDER_LIMIT;
            }
            reports::make_sinks(&cfg, topo.clone(), &provenance).map_err(|source| {
                Error::Output {
                    dir: dir.clone(),
                    source,
                }
            })?
        }
        None => Vec::new(),
    };
    // The flow summary always runs: it is cheap (no per-packet events).
    let (summary_sink, summary_handle) = reports::SummarySink::new(topo.clone());
    sinks.push(Box::new(summary_sink));
    let world = spec.build(sinks);
    let limits = RunLimits {
        stop_at: stop,
        max_events: s.max_events,
    };
    let (report, failure) = match world.run(limits, progress) {
        Ok(r) => (r, None),
        Err((e, r)) => (r, Some(e)),
    };
    for mut sink in report.sinks {
        sink.finish().map_err(|source| Error::Output {
            dir: out_dir.clone().unwrap_or_default(),
            source,
        })?;
    }
    if let Some(e) = failure {
        return Err(e.into());
    }
    let summary = summary_handle.finish(report.stats.end, &report.links);
    if let Some(dir) = &out_dir {
        reports::summary::write_json(dir, &summary, &provenance).map_err(|source| {
            Error::Output {
                dir: dir.clone(),
                source,
            }
        })?;
    }
    let mut outcome = RunOutcome {
        stats: report.stats,
        apps: report.apps,
        links: topo
            .links
            .iter()
            .map(|l| l.name.clone())
            .zip(report.links)
            .collect(),
        provenance,
        summary,
        expectations: Vec::new(),
        out_dir,
    };
    outcome.expectations = expect::evaluate(s, &outcome);
    if let Some(dir) = &outcome.out_dir {
        write_report(dir, &outcome).map_err(|source| Error::Output {
            dir: dir.clone(),
            source,
        })?;
    }
    Ok(outcome)
}

/// `report.html`, last, from the files the run wrote and its expectations.
fn write_report(dir: &Path, outcome: &RunOutcome) -> std::io::Result<PathBuf> {
    let input = reports::html::ReportInput {
        provenance: outcome.provenance.clone(),
        end: outcome.stats.end.to_string(),
        events: outcome.stats.events,
        expectations: outcome.expectations.clone(),
    };
    reports::html::write_report(dir, &input)
}

fn output_config(
    s: &Scenario,
    dir: &Path,
    topo: &protocols::topology::Topology,
    echo: bool,
) -> reports::OutputConfig {
    let o = &s.outputs;
    let ifaces_where = |keep: &dyn Fn(&protocols::topology::IfaceInfo) -> bool| {
        let ids = topo.ifaces.iter().enumerate().filter(|(_, i)| keep(i));
        reports::CaptureFilter::Ifaces(
            ids.map(|(k, _)| protocols::topology::IfaceId(k as u32))
                .collect(),
        )
    };
    let capture = match &o.pcap {
        scenarios::Pcap::All => reports::CaptureFilter::All,
        scenarios::Pcap::Off => reports::CaptureFilter::Off,
        scenarios::Pcap::Nodes(names) => {
            ifaces_where(&|i| names.iter().any(|n| n == topo.node_name(i.node)))
        }
        scenarios::Pcap::Interfaces(eps) => ifaces_where(&|i| {
            eps.iter().any(|e| {
                e.node == topo.node_name(i.node) && e.port.as_deref() == Some(i.name.as_str())
            })
        }),
        scenarios::Pcap::Links(names) => ifaces_where(&|i| {
            i.link
                .is_some_and(|l| names.iter().any(|n| n == topo.link_name(l)))
        }),
    };
    reports::OutputConfig {
        dir: dir.to_path_buf(),
        trace: o.trace,
        events: o.events,
        capture,
        snaplen: o.snaplen,
        capture_limit: o.capture_limit,
        trace_limit: o.trace_limit,
        print_limit: if echo { o.print_limit } else { 0 },
        detail: match o.detail {
            scenarios::Detail::Summary => protocols::trace::Detail::Summary,
            scenarios::Detail::Packets => protocols::trace::Detail::Packets,
            scenarios::Detail::Full => protocols::trace::Detail::Full,
        },
        ladder_limit: o.ladder_limit,
        ladder_filter: reports::LadderFilter::default(),
        ladder_path: o.ladder_path,
        dhcp_ifaces: ladder::dhcp_ifaces(s, topo),
        series_interval: o.series,
        plots: o.plots,
    }
}
