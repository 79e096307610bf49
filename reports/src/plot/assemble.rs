//! Turning what the sink gathered into plot data, rendering every plot and
//! writing `plots.json`.

use std::cmp::Reverse;
use std::io::{self, Write};

use protocols::tcp::Endpoint;
use protocols::topology::{LinkId, NodeId};
use sim_core::SimTime;

use super::cwnd::{Bdp, CwndPlot};
use super::queue::QueuePlot;
use super::record::{FlowRecord, PlotSink, QueueRecord};
use super::rtt::RttPlot;
use super::style::{self, Rendered};
use super::throughput::{FlowRate, ThroughputPlot};
use super::tseq::TseqPlot;
use super::{MAX_FLOW_PLOTS, MAX_QUEUE_PLOTS, PLOTS_MANIFEST, PlotEntry, PlotKind, PlotManifest};
use crate::atomic::AtomicFile;
use crate::series::safe;

/// Rate bins: at most about this many over the run's TCP activity, and none
/// shorter than the lowest RTT measured (a rate over less than a round trip
/// shows bursts, not throughput).
const RATE_BINS: f64 = 100.0;

/// A flow's names: for files (`sender-35407-receiver-5001`) and for people
/// (`sender:35407 → receiver:5001`).
struct FlowName {
    stem: String,
    label: String,
}

fn flow_name(sink: &PlotSink, node: NodeId, local: Endpoint, remote: Endpoint) -> FlowName {
    let topo = &sink.topo;
    let name = topo.node_name(node);
    let peer = topo.node_with_addr(remote.addr).map_or_else(
        || remote.addr.to_string(),
        |n| topo.node_name(n).to_string(),
    );
    FlowName {
        stem: safe(&format!("{name}-{}-{peer}-{}", local.port, remote.port)),
        label: format!("{name}:{} → {peer}:{}", local.port, remote.port),
    }
}

/// The smallest of 1, 2 and 5 times a power of ten that is at least `x`.
fn nice_ceiling(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// The value of a cumulative counter given by time-ordered `points` at `t`
/// (zero before the first point).
fn cumulative_at(points: &[(f64, f64)], t: f64) -> f64 {
    let i = points.partition_point(|p| p.0 <= t);
    if i == 0 { 0.0 } else { points[i - 1].1 }
}

/// Average rates, bits per second, over the bins starting at `starts`.
fn rates(cumulative: &[(f64, f64)], starts: &[f64], bin: f64) -> Vec<(f64, f64)> {
    starts
        .iter()
        .map(|&b| {
            let bytes = cumulative_at(cumulative, b + bin) - cumulative_at(cumulative, b);
            (b, bytes * 8.0 / bin)
        })
        .collect()
}

fn throughput_plot(flows: &[(FlowName, &FlowRecord)]) -> Option<ThroughputPlot> {
    let lo = flows.iter().filter_map(|f| f.1.first_time).min()?;
    let hi = flows.iter().filter_map(|f| f.1.last_time).max()?;
    let min_rtt = flows
        .iter()
        .filter_map(|f| f.1.rtt.min())
        .fold(f64::INFINITY, f64::min);
    let min_rtt = if min_rtt.is_finite() { min_rtt } else { 0.0 };
    let bin = nice_ceiling(
        ((hi.as_secs_f64() - lo.as_secs_f64()) / RATE_BINS)
            .max(min_rtt)
            .max(0.001),
    );
    let first = (lo.as_secs_f64() / bin).floor();
    let count = ((hi.as_secs_f64() / bin).floor() - first) as usize + 1;
    let starts: Vec<f64> = (0..count).map(|k| (first + k as f64) * bin).collect();
    Some(ThroughputPlot {
        flows: flows
            .iter()
            .map(|(name, f)| FlowRate {
                label: name.label.clone(),
                sending: rates(&f.wire_total.points(), &starts, bin),
                goodput: rates(&f.delivered_total.points(), &starts, bin),
            })
            .collect(),
        bin_s: bin,
    })
}

fn cwnd_plot(sink: &PlotSink, name: &FlowName, f: &FlowRecord) -> CwndPlot {
    let rate = f
        .links
        .iter()
        .map(|l| sink.topo.links[l.0 as usize].rate.bps())
        .min();
    let bdp = match (rate, f.rtt.min()) {
        (Some(rate), Some(rtt)) if rate > 0 && rtt > 0.0 => Some(Bdp {
            rate_bps: rate as f64,
            min_rtt_s: rtt,
        }),
        _ => None,
    };
    CwndPlot {
        flow: name.label.clone(),
        cwnd: f.cwnd.points(),
        ssthresh: f.ssthresh.points(),
        in_flight: f.in_flight.points(),
        fast_retransmits: f.fast_retransmits.clone(),
        recovery_retransmits: f.recovery_retransmits,
        recoveries: f.recoveries.clone(),
        rtos: f.rtos.clone(),
        bdp,
    }
}

fn tseq_plot(name: &FlowName, f: &FlowRecord) -> TseqPlot {
    let shown = f.tseq.shown();
    let window_note = match (shown.segments.first(), shown.segments.last()) {
        (Some(first), Some(last)) if (shown.segments.len() as u64) < f.tseq.total => Some(format!(
            "Shows {} of {} data segments, {}: {:.3} s to {:.3} s of a flow active from {:.3} s to {:.3} s.",
            shown.segments.len(),
            f.tseq.total,
            if shown.around_loss {
                "around the first retransmission"
            } else {
                "the first ones"
            },
            first.t,
            last.t,
            f.first_time.map_or(0.0, SimTime::as_secs_f64),
            f.last_time.map_or(0.0, SimTime::as_secs_f64),
        )),
        _ => None,
    };
    TseqPlot {
        flow: name.label.clone(),
        segments: shown.segments,
        acks: shown.acks,
        window_note,
    }
}

fn rtt_plot(name: &FlowName, f: &FlowRecord) -> RttPlot {
    RttPlot {
        flow: name.label.clone(),
        samples: f.rtt.points(),
        sample_count: f.rtt_count,
        srtt: f.srtt.points(),
        rto: f.rto.points(),
    }
}

fn queue_plot(direction: String, q: &QueueRecord) -> QueuePlot {
    QueuePlot {
        direction,
        packets: q.packets.points(),
        drops: q.drops.points().into_iter().map(|p| p.0).collect(),
        drop_reasons: q.reasons.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
    }
}

/// A plot to render: its manifest entry (file names still empty) and figure.
enum Job {
    Throughput(ThroughputPlot),
    Cwnd(CwndPlot),
    Tseq(TseqPlot),
    Rtt(RttPlot),
    Queue(QueuePlot),
}

impl Job {
    fn title(&self) -> String {
        match self {
            Job::Throughput(p) => p.title(),
            Job::Cwnd(p) => p.title(),
            Job::Tseq(p) => p.title(),
            Job::Rtt(p) => p.title(),
            Job::Queue(p) => p.title(),
        }
    }

    fn render(&self, note: &str) -> io::Result<Rendered> {
        match self {
            Job::Throughput(p) => style::render(p, note),
            Job::Cwnd(p) => style::render(p, note),
            Job::Tseq(p) => style::render(p, note),
            Job::Rtt(p) => style::render(p, note),
            Job::Queue(p) => style::render(p, note),
        }
    }
}

/// Renders every plot of the run into the sink's directory, then `plots.json`.
pub(super) fn write_plots(sink: &PlotSink) -> io::Result<()> {
    // Flows (connection ends that sent data) in key order; per-flow plots
    // for those that sent the most.
    let flows: Vec<(FlowName, &FlowRecord)> = sink
        .flows
        .iter()
        .filter(|(_, f)| f.data_bytes > 0)
        .map(|(&(node, local, remote), f)| (flow_name(sink, node, local, remote), f))
        .collect();
    let mut by_bytes: Vec<usize> = (0..flows.len()).collect();
    by_bytes.sort_by_key(|&i| Reverse(flows[i].1.data_bytes));
    let plotted: Vec<bool> = {
        let mut v = vec![false; flows.len()];
        for &i in by_bytes.iter().take(MAX_FLOW_PLOTS) {
            v[i] = true;
        }
        v
    };

    let mut jobs: Vec<(PlotEntry, Job)> = Vec::new();
    let entry = |kind, stem: String, flow: Option<String>, link: Option<(String, String)>| {
        let (link, direction) = link.map_or((None, None), |(l, d)| (Some(l), Some(d)));
        PlotEntry {
            kind,
            title: String::new(),
            flow,
            link,
            direction,
            svg: stem.clone(),
            png: stem,
        }
    };
    if let Some(p) = throughput_plot(&flows) {
        jobs.push((
            entry(PlotKind::Throughput, "throughput".into(), None, None),
            Job::Throughput(p),
        ));
    }
    for ((name, f), _) in flows.iter().zip(&plotted).filter(|(_, p)| **p) {
        let flow = Some(name.stem.clone());
        jobs.push((
            entry(
                PlotKind::Cwnd,
                format!("cwnd-{}", name.stem),
                flow.clone(),
                None,
            ),
            Job::Cwnd(cwnd_plot(sink, name, f)),
        ));
        jobs.push((
            entry(
                PlotKind::Tseq,
                format!("tseq-{}", name.stem),
                flow.clone(),
                None,
            ),
            Job::Tseq(tseq_plot(name, f)),
        ));
        jobs.push((
            entry(PlotKind::Rtt, format!("rtt-{}", name.stem), flow, None),
            Job::Rtt(rtt_plot(name, f)),
        ));
    }
    // Queue plots for the busiest directions: most drops, then longest queue.
    let mut busy: Vec<(u64, u64, (LinkId, u8), &QueueRecord)> = sink
        .queues
        .iter()
        .filter(|(_, q)| q.queued || !q.reasons.is_empty())
        .map(|(&key, q)| {
            let drops = q.reasons.values().sum::<u64>();
            let longest = q
                .packets
                .points()
                .iter()
                .map(|p| p.1 as u64)
                .max()
                .unwrap_or(0);
            (drops, longest, key, q)
        })
        .collect();
    busy.sort_by_key(|&(drops, longest, key, _)| (Reverse(drops), Reverse(longest), key));
    let mut queues_without_plots = Vec::new();
    for (k, &(_, _, (link, dir), q)) in busy.iter().enumerate() {
        let info = &sink.topo.links[link.0 as usize];
        let d = if dir == 0 { "a_to_b" } else { "b_to_a" };
        let from = sink.topo.iface_label(info.ends[usize::from(dir)]);
        let to = sink.topo.iface_label(info.ends[1 - usize::from(dir)]);
        let subject = format!("{} {from} → {to}", info.name);
        if k >= MAX_QUEUE_PLOTS {
            queues_without_plots.push(format!("{} {d}", info.name));
            continue;
        }
        jobs.push((
            entry(
                PlotKind::Queue,
                safe(&format!("queue-{}-{d}", info.name)),
                None,
                Some((info.name.clone(), d.to_string())),
            ),
            Job::Queue(queue_plot(subject, q)),
        ));
    }
    if jobs.is_empty() {
        return Ok(());
    }

    let note = sink.prov.summary();
    let mut plots = Vec::with_capacity(jobs.len());
    for (mut e, job) in jobs {
        e.title = job.title();
        let (svg, png) = job.render(&note)?.write(&sink.dir, &e.svg)?;
        e.svg = svg;
        e.png = png;
        plots.push(e);
    }
    let manifest = PlotManifest {
        provenance: sink.prov.clone(),
        plots,
        flows_without_plots: flows
            .iter()
            .zip(&plotted)
            .filter(|(_, p)| !**p)
            .map(|((name, _), _)| name.stem.clone())
            .collect(),
        queues_without_plots,
    };
    let mut file = AtomicFile::create(&sink.dir, PLOTS_MANIFEST)?;
    serde_json::to_writer_pretty(&mut file, &manifest).map_err(io::Error::other)?;
    file.write_all(b"\n")?;
    file.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_bins_are_round_numbers() {
        assert_eq!(nice_ceiling(0.0011), 0.002);
        assert_eq!(nice_ceiling(0.5), 0.5);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(nice_ceiling(7.0), 10.0);
    }

    #[test]
    fn rates_come_from_the_cumulative_counter() {
        // 1000 bytes by 0.5 s, 3000 by 1.5 s: 8000 bit/s, then 16000 bit/s.
        let cum = [(0.5, 1000.0), (1.5, 3000.0)];
        assert_eq!(
            rates(&cum, &[0.0, 1.0], 1.0),
            [(0.0, 8000.0), (1.0, 16000.0)]
        );
    }
}
