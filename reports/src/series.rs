//! Time series as CSV files, next to the pcaps:
//!
//! - `tcp-<node>-<port>-<peer>-<port>.csv`, one per TCP connection end:
//!   `time_s, cwnd_bytes, ssthresh_bytes, in_flight_bytes, srtt_ms, rttvar_ms,
//!   rto_ms, sent_bytes, delivered_bytes, send_rate_bps, delivery_rate_bps,
//!   event` — `event` names recovery entry and exit, retransmission timeouts and
//!   state changes on the rows where they happen;
//! - `queue-<link>-<a_to_b|b_to_a>.csv`, one per link direction that queued
//!   anything: `time_s, packets, bytes, drops, event` — drops counted so far,
//!   and on a drop's row the reason's key (`queue-full`, `codel`, `random-loss`, ...);
//! - `series.json`: the list of files, with the run's provenance.
//!
//! Rows are written at most every `interval` of simulated time (default 1 ms),
//! except rows that carry an event, which are always written; the last state
//! is always written at the end. Rates are measured over the last 100 ms.
//! Empty ssthresh (no loss yet) and unknown RTTs are written as empty cells.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use protocols::tcp::{Endpoint, TcpSample, TcpTrace};
use protocols::topology::{IfaceId, LinkId, Topology};
use protocols::trace::events;
use protocols::trace::{Detail, Event, TraceSink};
use serde::Serialize;
use sim_core::time::text::{millis_f3, seconds};
use sim_core::{SimDuration, SimTime};

use crate::atomic::AtomicFile;
use crate::provenance::Provenance;

/// The manifest's file name.
pub const SERIES_MANIFEST: &str = "series.json";
/// The window over which send and delivery rates are measured.
const RATE_WINDOW: SimDuration = SimDuration::from_millis(100);

const TCP_HEADER: &str = "time_s,cwnd_bytes,ssthresh_bytes,in_flight_bytes,srtt_ms,rttvar_ms,rto_ms,sent_bytes,delivered_bytes,send_rate_bps,delivery_rate_bps,event\n";
const QUEUE_HEADER: &str = "time_s,packets,bytes,drops,event\n";

/// A series being collected: rows are kept in memory and written at the end,
/// so that a run with thousands of links never holds thousands of files open.
struct TcpFile {
    name: String,
    file: Vec<u8>,
    last_row: Option<SimTime>,
    pending: Option<(SimTime, TcpSample)>,
    last: Option<TcpSample>,
    window: VecDeque<(SimTime, u64, u64)>,
}

struct QueueFile {
    name: String,
    file: Vec<u8>,
    last_row: Option<SimTime>,
    pending: Option<(SimTime, usize, usize)>,
    last: (usize, usize),
    drops: u64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    provenance: &'a Provenance,
    interval_ns: u64,
    tcp: Vec<String>,
    queues: Vec<String>,
}

/// Writes the time-series CSV files.
pub struct SeriesSink {
    dir: PathBuf,
    topo: Arc<Topology>,
    prov: Provenance,
    interval: SimDuration,
    tcp: BTreeMap<(String, Endpoint, Endpoint), TcpFile>,
    queues: BTreeMap<(LinkId, u8), QueueFile>,
    error: Option<io::Error>,
}

/// A CSV cell in milliseconds, empty when there is no value.
fn ms_cell(d: Option<SimDuration>) -> String {
    d.map_or(String::new(), millis_f3)
}

/// A file-name-safe version of `s`.
pub(crate) fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl SeriesSink {
    /// A sink writing into `dir` (which must exist), at most one row per `interval`.
    pub fn new(
        dir: &Path,
        topo: Arc<Topology>,
        prov: &Provenance,
        interval: SimDuration,
    ) -> SeriesSink {
        SeriesSink {
            dir: dir.to_path_buf(),
            topo,
            prov: prov.clone(),
            interval,
            tcp: BTreeMap::new(),
            queues: BTreeMap::new(),
            error: None,
        }
    }

    fn keep(&mut self, r: io::Result<()>) {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    fn tcp_file(
        &mut self,
        node: &str,
        local: Endpoint,
        remote: Endpoint,
    ) -> io::Result<&mut TcpFile> {
        let key = (node.to_string(), local, remote);
        if !self.tcp.contains_key(&key) {
            let peer = self.topo.node_with_addr(remote.addr).map_or_else(
                || remote.addr.to_string(),
                |n| self.topo.node_name(n).to_string(),
            );
            let name = safe(&format!(
                "tcp-{node}-{}-{peer}-{}.csv",
                local.port, remote.port
            ));
            self.tcp.insert(
                key.clone(),
                TcpFile {
                    name,
                    file: TCP_HEADER.as_bytes().to_vec(),
                    last_row: None,
                    pending: None,
                    last: None,
                    window: VecDeque::new(),
                },
            );
        }
        Ok(self.tcp.get_mut(&key).expect("inserted"))
    }

    fn queue_file(&mut self, link: LinkId, dir: u8) -> io::Result<&mut QueueFile> {
        if !self.queues.contains_key(&(link, dir)) {
            let d = if dir == 0 { "a_to_b" } else { "b_to_a" };
            let name = safe(&format!("queue-{}-{d}.csv", self.topo.link_name(link)));

            self.queues.insert(
                (link, dir),
                QueueFile {
                    name,
                    file: QUEUE_HEADER.as_bytes().to_vec(),
                    last_row: None,
                    pending: None,
                    last: (0, 0),
                    drops: 0,
                },
            );
        }
        Ok(self.queues.get_mut(&(link, dir)).expect("inserted"))
    }

    fn on_tcp(
        &mut self,
        time: SimTime,
        node: &str,
        local: Endpoint,
        remote: Endpoint,
        trace: &TcpTrace,
    ) -> io::Result<()> {
        let interval = self.interval;
        let event = match trace {
            TcpTrace::Sample(s) => {
                let f = self.tcp_file(node, local, remote)?;
                f.last = Some(*s);
                f.window.push_back((time, s.sent, s.delivered));
                while f
                    .window
                    .front()
                    .is_some_and(|(t, _, _)| time.saturating_since(*t) > RATE_WINDOW)
                {
                    f.window.pop_front();
                }
                if f.last_row
                    .is_none_or(|t| time.saturating_since(t) >= interval)
                {
                    // The last state before a quiet spell is worth a row of its own.
                    if let Some((t, p)) = f.pending.take() {
                        tcp_row(f, t, p, "")?;
                    }
                    tcp_row(f, time, *s, "")?;
                } else {
                    f.pending = Some((time, *s));
                }
                return Ok(());
            }
            TcpTrace::RecoveryStart(_) => "recovery-start".to_string(),
            TcpTrace::RecoveryEnd => "recovery-end".to_string(),
            TcpTrace::Timeout { .. } => "rto".to_string(),
            TcpTrace::State { to, .. } => format!("state {to}"),
            TcpTrace::Aborted(_) => "aborted".to_string(),
            _ => return Ok(()),
        };
        // Only connections that have samples get a file (the handshake's
        // first state change comes before any sample).
        let key = (node.to_string(), local, remote);
        let Some(f) = self.tcp.get_mut(&key) else {
            return Ok(());
        };
        if let Some((t, s)) = f.pending.take() {
            tcp_row(f, t, s, "")?;
        }
        if let Some(s) = f.last {
            tcp_row(f, time, s, &event)?;
        }
        Ok(())
    }

    fn on_queue(
        &mut self,
        time: SimTime,
        link: LinkId,
        dir: u8,
        packets: usize,
        bytes: usize,
    ) -> io::Result<()> {
        let interval = self.interval;
        let f = self.queue_file(link, dir)?;
        f.last = (packets, bytes);
        if f.last_row
            .is_none_or(|t| time.saturating_since(t) >= interval)
        {
            if let Some((t, p, b)) = f.pending.take() {
                queue_row(f, t, p, b, "")?;
            }
            queue_row(f, time, packets, bytes, "")?;
        } else {
            f.pending = Some((time, packets, bytes));
        }
        Ok(())
    }

    fn on_drop(&mut self, time: SimTime, iface: IfaceId, reason: &'static str) -> io::Result<()> {
        let Some(link) = self.topo.iface(iface).link else {
            return Ok(());
        };
        let dir = u8::from(self.topo.links[link.0 as usize].ends[0] != iface);
        let f = self.queue_file(link, dir)?;
        if let Some((t, p, b)) = f.pending.take() {
            queue_row(f, t, p, b, "")?;
        }
        f.drops += 1;
        let (p, b) = f.last;
        queue_row(f, time, p, b, reason)
    }
}

/// Writes `bytes` to `dir/name` atomically.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(dir, name)?;
    file.write_all(bytes)?;
    file.commit()?;
    Ok(())
}

fn tcp_row(f: &mut TcpFile, t: SimTime, s: TcpSample, event: &str) -> io::Result<()> {
    let (send_rate, delivery_rate) = match (f.window.front(), f.window.back()) {
        (Some(&(t0, s0, d0)), Some(&(t1, s1, d1))) if t1 > t0 => {
            let dt = (t1 - t0).as_secs_f64();
            (
                format!("{:.0}", (s1 - s0) as f64 * 8.0 / dt),
                format!("{:.0}", (d1 - d0) as f64 * 8.0 / dt),
            )
        }
        _ => (String::new(), String::new()),
    };
    let ssthresh = if s.ssthresh == usize::MAX {
        String::new()
    } else {
        s.ssthresh.to_string()
    };
    writeln!(
        f.file,
        "{},{},{ssthresh},{},{},{},{},{},{},{send_rate},{delivery_rate},{event}",
        seconds(t),
        s.cwnd,
        s.in_flight,
        ms_cell(s.srtt),
        ms_cell(s.rttvar),
        ms_cell(Some(s.rto)),
        s.sent,
        s.delivered
    )?;
    f.last_row = Some(t);
    Ok(())
}

fn queue_row(
    f: &mut QueueFile,
    t: SimTime,
    packets: usize,
    bytes: usize,
    event: &str,
) -> io::Result<()> {
    writeln!(
        f.file,
        "{},{packets},{bytes},{},{event}",
        seconds(t),
        f.drops
    )?;
    f.last_row = Some(t);
    Ok(())
}

impl TraceSink for SeriesSink {
    fn detail(&self) -> Detail {
        // Drops, state changes and recovery notes are Summary events.
        Detail::Summary
    }

    fn series(&self) -> bool {
        true
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        if self.error.is_some() {
            return;
        }
        let r = match *event {
            Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace,
            }) => {
                let name = self.topo.node_name(node).to_string();
                self.on_tcp(time, &name, local, remote, trace)
            }
            Event::QueueSample(events::QueueSample {
                link,
                dir,
                packets,
                bytes,
            }) => self.on_queue(time, link, dir, packets, bytes),
            Event::Drop(events::Drop {
                iface: Some(iface),
                reason,
                ..
            }) => self.on_drop(time, iface, reason.key()),
            _ => Ok(()),
        };
        self.keep(r);
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut tcp_names = Vec::new();
        for f in self.tcp.values_mut() {
            if let Some((t, s)) = f.pending.take() {
                tcp_row(f, t, s, "")?;
            }
        }
        for f in std::mem::take(&mut self.tcp).into_values() {
            write_file(&self.dir, &f.name, &f.file)?;
            tcp_names.push(f.name);
        }
        let mut queue_names = Vec::new();
        for f in self.queues.values_mut() {
            if let Some((t, p, b)) = f.pending.take() {
                queue_row(f, t, p, b, "")?;
            }
        }
        for f in std::mem::take(&mut self.queues).into_values() {
            write_file(&self.dir, &f.name, &f.file)?;
            queue_names.push(f.name);
        }
        if tcp_names.is_empty() && queue_names.is_empty() {
            return Ok(());
        }
        let manifest = Manifest {
            provenance: &self.prov,
            interval_ns: self.interval.as_nanos(),
            tcp: tcp_names,
            queues: queue_names,
        };
        let mut file = AtomicFile::create(&self.dir, SERIES_MANIFEST)?;
        serde_json::to_writer_pretty(&mut file, &manifest).map_err(io::Error::other)?;
        file.write_all(b"\n")?;
        file.commit()?;
        Ok(())
    }
}
