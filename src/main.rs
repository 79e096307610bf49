//! The `netsim` command: run and check scenario files.
//!
//! Exit codes: 0 success, 1 an expectation failed, 2 invalid input or usage.

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
    /// Run a scenario: print its trace and write outputs (trace, events, pcaps).
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
    },
    /// Check a scenario without running it.
    Check {
        /// The scenario file (RON).
        file: PathBuf,
        /// Overrides, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        overrides: Vec<String>,
    },
}

fn parse_time(s: &str) -> Result<SimTime, String> {
    s.parse()
        .map_err(|e: sim_core::ParseTimeError| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
                ..RunOptions::cli()
            };
            match netsim::run(&loaded, &opts) {
                Ok(outcome) => {
                    if !quiet {
                        print_summary(&outcome);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
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
    if let Some(dir) = &o.out_dir {
        println!("   outputs: {}/", dir.display());
    }
}
