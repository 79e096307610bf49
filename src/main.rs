//! The `netsim` command: run and check scenario files.
//!
//! Exit codes: 0 success, 1 an expectation failed, 2 invalid input or usage.

mod progress;
mod sweep_cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use netsim::{AppStats, Loaded, RunOptions};
use sim_core::SimTime;

/// A deterministic discrete-event network simulator with a real TCP/IP stack.
#[derive(Parser)]
#[command(name = "netsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario: print its trace and summary, write outputs (trace, pcaps, plots, report.html).
    Run {
        /// The scenario file (RON).
        file: PathBuf,
        /// Master seed, replacing the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Stop time, replacing the scenario's (e.g. 10s, 500ms).
        #[arg(long, value_parser = parse_time)]
        until: Option<SimTime>,
        /// Output directory (default out/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override any scenario field by dotted path: --set links.0.delay=20ms
        #[arg(long = "set", value_name = "PATH=VALUE")]
        overrides: Vec<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run twice and compare every output file byte for byte (in
        /// <out>/determinism/run-1 and run-2); exit 1 on a difference.
        #[arg(long)]
        check_determinism: bool,
        #[command(flatten)]
        ladder: LadderArgs,
    },
    /// Run a scenario over a grid of parameter values x seeds, in parallel;
    /// write results.csv, summary.csv and the sweep plot.
    Sweep(sweep_cli::SweepArgs),
    /// Combine sweep shard directories into one results.csv and summary.csv.
    Merge(sweep_cli::MergeArgs),
    /// Check a scenario without running it.
    Check {
        /// The scenario file (RON).
        file: PathBuf,
        /// Overrides, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        overrides: Vec<String>,
    },
}

/// What the ladder diagrams (ladder.txt, ladder.svg, the terminal) show.
#[derive(clap::Args)]
struct LadderArgs {
    /// Ladders of one connection only: node[:port]-node[:port], nodes by
    /// name or address (e.g. h1:5000-h2:80, s1-d1).
    #[arg(long, value_name = "SPEC", value_parser = parse_conn)]
    ladder: Option<netsim::scenarios::ladder::ConnSpec>,
    /// Ladders of the segments sent from this time on (e.g. 1s).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    from: Option<SimTime>,
    /// Ladders of the segments sent up to this time (e.g. 1.2s).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    to: Option<SimTime>,
    /// ladder.svg with a lifeline per node on the path (routers, switches),
    /// not only per endpoint.
    #[arg(long)]
    ladder_path: bool,
}

fn parse_conn(s: &str) -> Result<netsim::scenarios::ladder::ConnSpec, String> {
    s.parse()
}

fn parse_time(s: &str) -> Result<SimTime, String> {
    s.parse()
        .map_err(|e: sim_core::ParseTimeError| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sweep(args) => sweep_cli::sweep(args),
        Command::Merge(args) => sweep_cli::merge_dirs(args),
        Command::Check { file, overrides } => match Loaded::from_file(&file, &overrides) {
            Ok(l) => {
                let s = &l.scenario;
                println!(
                    "{}: ok: scenario {:?}, {} nodes, {} links, {} timeline actions, stops at {}s",
                    file.display(),
                    s.name,
                    s.nodes.len(),
                    s.links.len(),
                    s.timeline.len(),
                    s.stop
                );
                if s.sweep.is_some() {
                    return sweep_cli::check(&file, &overrides);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Run {
            file,
            seed,
            until,
            out,
            overrides,
            quiet,
            check_determinism,
            ladder,
        } => {
            let loaded = match Loaded::from_file(&file, &overrides) {
                Ok(l) => l,
                Err(e) => return fail(&e),
            };
            let opts = RunOptions {
                seed,
                until,
                out_dir: out,
                echo: !quiet,
                ladder: ladder.ladder,
                ladder_from: ladder.from,
                ladder_to: ladder.to,
                ladder_path: ladder.ladder_path,
                ..RunOptions::cli()
            };
            if check_determinism {
                return determinism(&loaded, &opts);
            }
            let mut progress = progress::RunProgress::new(quiet);
            let result = netsim::run_with_progress(&loaded, &opts, |p| progress.update(p));
            progress.finish();
            match result {
                Ok(outcome) => {
                    if !quiet {
                        print_summary(&outcome);
                    }
                    let code = expectations(&outcome, quiet);
                    if let (false, Some(dir)) = (quiet, &outcome.out_dir) {
                        println!();
                        println!("outputs: {}/", dir.display());
                        println!(
                            "report:  {}",
                            dir.join(netsim::reports::html::REPORT_FILE).display()
                        );
                    }
                    code
                }
                Err(e) => fail(&e),
            }
        }
    }
}

/// Prints the flow and link tables (unless quiet) and the expectations
/// (when quiet, only if one failed, on standard error); exit 1 if one failed.
fn expectations(o: &netsim::RunOutcome, quiet: bool) -> ExitCode {
    use netsim::reports::summary::table;
    if !quiet {
        for t in [
            table::flow_table(&o.summary, 20),
            table::link_table(&o.summary, 12),
        ] {
            if !t.is_empty() {
                println!();
                print!("{t}");
            }
        }
    }
    if o.expectations.is_empty() {
        return ExitCode::SUCCESS;
    }
    let failed = o.expectations.iter().filter(|e| !e.passed).count();
    let verdict = match failed {
        0 => format!("all {} expectations met", o.expectations.len()),
        n => format!("{n} of {} expectations FAILED", o.expectations.len()),
    };
    let text = netsim::expect::table(&o.expectations);
    if !quiet {
        println!();
        print!("{text}");
        println!("{verdict}");
    } else if failed > 0 {
        eprint!("{text}");
        eprintln!("{verdict}");
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `run --check-determinism`: two runs, every output file compared.
fn determinism(loaded: &Loaded, opts: &RunOptions) -> ExitCode {
    match netsim::determinism::check(loaded, opts) {
        Ok((netsim::determinism::Verdict::Identical { files }, _)) => {
            println!("deterministic: {files} files identical");
            ExitCode::SUCCESS
        }
        Ok((netsim::determinism::Verdict::Differs(d), dir)) => {
            println!(
                "NOT deterministic: two runs with the same seed differ (both kept in {}/)",
                dir.display()
            );
            println!("first difference: {d}");
            ExitCode::from(1)
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &netsim::Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn print_summary(o: &netsim::RunOutcome) {
    println!();
    println!(
        "== {}: simulated {}s, {} events (seed {}, scenario hash {})",
        o.provenance.scenario,
        o.stats.end,
        o.stats.events,
        o.provenance.seed,
        o.provenance.scenario_hash
    );
    for (node, app) in &o.apps {
        match app {
            AppStats::Ping(p) => {
                let loss = ((p.transmitted - p.received) * 100)
                    .checked_div(p.transmitted)
                    .unwrap_or(0);
                println!(
                    "   {node} ping: {} sent, {} received, {} errors, {loss}% loss",
                    p.transmitted, p.received, p.errors
                );
            }
            AppStats::Traceroute(t) => {
                let hops: Vec<String> = t
                    .hops
                    .iter()
                    .map(|h| h.map_or("*".to_string(), |a| a.to_string()))
                    .collect();
                let status = if t.reached { "reached" } else { "not reached" };
                println!("   {node} traceroute: {} ({status})", hops.join(" -> "));
            }
            AppStats::Bulk(b) => {
                let end = if b.error {
                    "failed"
                } else if b.closed_at.is_some() {
                    "closed"
                } else {
                    "open"
                };
                println!(
                    "   {node} bulk send: {} bytes written, connection {end}",
                    b.bytes_written
                );
            }
            AppStats::Sink(k) => println!(
                "   {node} sink: {} bytes from {} connections, {} mismatched bytes",
                k.bytes, k.connections, k.mismatched
            ),
            AppStats::HttpClient(h) => println!(
                "   {node} http client: {} of {} responses over {} connections, {} body bytes",
                h.completed,
                h.completed + h.failed,
                h.connections,
                h.body_bytes
            ),
            AppStats::HttpServer { served } => {
                println!("   {node} http server: {served} responses")
            }
            AppStats::SynFlood { sent } => println!("   {node} syn flood: {sent} spoofed SYNs"),
            AppStats::DhcpClient(c) => match c.address {
                Some(a) => println!(
                    "   {node} dhcp client {}: bound to {a}, {} renewals, {} declines",
                    c.iface,
                    c.renewals.len(),
                    c.declines
                ),
                None => println!(
                    "   {node} dhcp client {}: no lease ({} DISCOVERs sent)",
                    c.iface, c.discovers
                ),
            },
            AppStats::DhcpServer(d) => println!(
                "   {node} dhcp server: {} leases, {} offers, {} acks, {} naks, {} declines, {} discovers unanswered (pool exhausted)",
                d.leases.len(),
                d.offers,
                d.acks,
                d.naks,
                d.declines,
                d.exhausted
            ),
            AppStats::DnsServer(d) => println!(
                "   {node} dns server: {} queries, {} answered, {} NXDOMAIN, {} forwarded",
                d.queries, d.answered, d.nxdomain, d.forwarded
            ),
            AppStats::UdpSend(u) => println!(
                "   {node} udp sender: {} datagrams ({} bytes), {} echoed, {} ICMP errors",
                u.sent, u.bytes, u.echoed, u.errors
            ),
            AppStats::UdpSink(u) => println!(
                "   {node} udp sink: {} datagrams, {} lost, {} duplicates, {} reordered, jitter {} us",
                u.received,
                u.lost,
                u.duplicates,
                u.reordered,
                u.jitter_ns / 1000
            ),
            AppStats::UdpEcho { echoed } => println!("   {node} udp echo: {echoed} datagrams"),
            AppStats::Unresolved { app, name, error } => {
                println!("   {node} {app}: {name}: {error}")
            }
        }
    }
}
