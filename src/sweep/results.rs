//! The tables of a sweep, built from its result files: `results.csv` (one row
//! per run), `summary.csv` (one row per grid point: n, and each metric's mean
//! and 95 % confidence half-width), the printed table and the plot.
//!
//! Every table is built from [`RunRecord`]s read back from their files, in
//! canonical order, so the same results give the same bytes however they were
//! produced (one machine, resumed, or merged from shards). Numbers are written
//! in the CSV unit of each metric with Rust's shortest round-trip formatting;
//! an undefined value (no flow, or a CI of a single run) is an empty cell.

use std::io;
use std::path::{Path, PathBuf};

use reports::AtomicFile;
use reports::summary::table;
use scenarios::sweep::{Metric, Plan, Reference};

use super::record::{Manifest, RunRecord};
use super::stats::{Estimate, estimate};

/// The per-run table's file name.
pub const RESULTS_FILE: &str = "results.csv";
/// The per-point table's file name.
pub const SUMMARY_FILE: &str = "summary.csv";
/// The plot's file name, without extension (`.svg` and `.png` are written).
pub const PLOT_STEM: &str = "sweep";

/// One grid point's runs and estimates.
pub struct PointSummary<'a> {
    /// The point's values, one per axis.
    pub values: &'a [String],
    /// The runs.
    pub n: usize,
    /// Per metric, in [`Metric::ALL`] order: the estimate over the runs where
    /// it is defined.
    pub estimates: Vec<Option<Estimate>>,
}

/// Groups `records` (canonical order) by grid point and estimates every metric.
pub fn summarize<'a>(plan: &Plan, records: &'a [RunRecord]) -> Vec<PointSummary<'a>> {
    let per_point = plan.seeds.count() as usize;
    let mut out: Vec<PointSummary<'a>> = Vec::new();
    let mut start = 0;
    while start < records.len() {
        let point = records[start].index / per_point;
        let len = records[start..]
            .iter()
            .take_while(|r| r.index / per_point == point)
            .count();
        let group = &records[start..start + len];
        let estimates = Metric::ALL
            .iter()
            .map(|m| {
                let vals: Vec<f64> = group.iter().filter_map(|r| metric(r, *m)).collect();
                estimate(&vals)
            })
            .collect();
        out.push(PointSummary {
            values: &group[0].values,
            n: len,
            estimates,
        });
        start += len;
    }
    out
}

/// A record's value of `m`.
pub fn metric(r: &RunRecord, m: Metric) -> Option<f64> {
    r.metrics.get(m.column()).copied().flatten()
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// `results.csv`: run id, each axis, seed, every metric, version, hash.
pub fn results_csv(plan: &Plan, records: &[RunRecord]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["run_id".to_string()];
    header.extend(plan.axes.iter().map(|a| a.path.clone()));
    header.push("seed".into());
    header.extend(Metric::ALL.iter().map(|m| m.column().to_string()));
    header.extend(["netsim_version".into(), "scenario_hash".into()]);
    w.write_record(&header)?;
    for r in records {
        let mut row = vec![r.id.clone()];
        row.extend(r.values.iter().cloned());
        row.push(r.seed.to_string());
        row.extend(Metric::ALL.iter().map(|&m| cell(metric(r, m))));
        row.extend([r.netsim_version.clone(), r.scenario_hash.clone()]);
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `summary.csv`: each axis, n, then `<metric>_mean` and `<metric>_ci95`.
pub fn summary_csv(plan: &Plan, points: &[PointSummary<'_>]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = plan.axes.iter().map(|a| a.path.clone()).collect();
    header.push("n".into());
    for m in Metric::ALL {
        header.push(format!("{}_mean", m.column()));
        header.push(format!("{}_ci95", m.column()));
    }
    w.write_record(&header)?;
    for p in points {
        let mut row: Vec<String> = p.values.to_vec();
        row.push(p.n.to_string());
        for e in &p.estimates {
            row.push(cell(e.map(|e| e.mean)));
            row.push(cell(e.and_then(|e| e.ci95)));
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// The printed table: per grid point, n and `mean ± ci` of the plan's metrics,
/// in display units.
pub fn text_table(plan: &Plan, points: &[PointSummary<'_>]) -> String {
    let mut headers: Vec<String> = plan.axes.iter().map(|a| a.path.clone()).collect();
    headers.push("n".into());
    headers.extend(plan.metrics.iter().map(|m| m.title().to_string()));
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let mut row: Vec<String> = p.values.to_vec();
            row.push(p.n.to_string());
            for m in &plan.metrics {
                let k = Metric::ALL.iter().position(|x| x == m).expect("in ALL");
                row.push(match p.estimates[k] {
                    Some(e) => mean_ci(e, m.display_scale()),
                    None => "-".into(),
                });
            }
            row
        })
        .collect();
    let mut right = vec![false; plan.axes.len()];
    right.resize(headers.len(), true);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    table::render(&headers, &rows, &right)
}

/// `10.52 ± 0.31`: the interval with two significant digits and the mean to
/// the same decimals; without an interval (or a zero one), the mean with four
/// significant digits.
fn mean_ci(e: Estimate, scale: f64) -> String {
    let mean = e.mean * scale;
    let decimals = |v: f64, digits: i32| {
        if v == 0.0 {
            0
        } else {
            (digits - 1 - v.abs().log10().floor() as i32).clamp(0, 6) as usize
        }
    };
    match e.ci95.map(|c| c * scale) {
        Some(ci) if ci > 0.0 => {
            let d = decimals(ci, 2);
            format!("{mean:.d$} ± {ci:.d$}")
        }
        Some(_) => format!("{mean:.d$} ± 0", d = decimals(mean, 4)),
        None => format!("{mean:.d$}", d = decimals(mean, 4)),
    }
}

/// The Mathis reference's RTT in seconds: as declared, or the smallest
/// minimum RTT measured in the sweep.
pub fn reference_rtt_s(reference: &Reference, records: &[RunRecord]) -> Option<f64> {
    match reference {
        Reference::Mathis { rtt: Some(rtt), .. } => Some(rtt.as_nanos() as f64 / 1e9),
        Reference::Mathis { rtt: None, .. } => records
            .iter()
            .filter_map(|r| metric(r, Metric::RttMin))
            .min_by(f64::total_cmp)
            .map(|ms| ms / 1e3),
    }
}

/// Writes `results.csv`, `summary.csv` and the plot into `dir` from
/// `records` (canonical order); returns the printed table and the files.
pub fn write_all(
    dir: &Path,
    manifest: &Manifest,
    records: &[RunRecord],
) -> io::Result<(String, Vec<PathBuf>)> {
    let plan = &manifest.plan;
    let points = summarize(plan, records);
    let mut written = Vec::new();
    for (name, bytes) in [
        (RESULTS_FILE, results_csv(plan, records)?),
        (SUMMARY_FILE, summary_csv(plan, &points)?),
    ] {
        let mut f = AtomicFile::create(dir, name)?;
        io::Write::write_all(&mut f, &bytes)?;
        written.push(f.commit()?);
    }
    written.extend(super::plot::write(dir, manifest, records, &points)?);
    Ok((text_table(plan, &points), written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn record(index: usize, values: &[&str], goodput: f64) -> RunRecord {
        let mut metrics = BTreeMap::new();
        for m in Metric::ALL {
            metrics.insert(m.column().to_string(), None);
        }
        metrics.insert("goodput_bps".into(), Some(goodput));
        RunRecord {
            id: format!("id{index}"),
            index,
            values: values.iter().map(|v| v.to_string()).collect(),
            seed: 1 + index as u64 % 3,
            netsim_version: "0.1.0".into(),
            scenario_hash: "h".into(),
            metrics,
        }
    }

    fn plan() -> Plan {
        let text = r#"Scenario(name: "t", sweep: Sweep(
            params: [Param(path: "stop", values: ["1s", "2s"])], seeds: "1..=3"))"#;
        Plan::new(text, "t.ron", &[], None).unwrap()
    }

    #[test]
    fn points_get_the_mean_and_interval_of_their_runs() {
        let recs = vec![
            record(0, &["1s"], 1e6),
            record(1, &["1s"], 2e6),
            record(2, &["1s"], 3e6),
            record(4, &["2s"], 5e6),
        ];
        let plan = plan();
        let points = summarize(&plan, &recs);
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].n, 3);
        let g = points[0].estimates[0].unwrap();
        assert_eq!(g.mean, 2e6);
        assert!((g.ci95.unwrap() - 2.484e6).abs() < 500.0);
        assert_eq!(points[1].n, 1);
        assert_eq!(points[1].estimates[0].unwrap().ci95, None);
        assert_eq!(points[0].estimates[3], None, "no retransmission values");

        let table = text_table(&plan, &points);
        assert_eq!(
            table,
            "stop  n  goodput (Mbit/s)\n\
             1s    3         2.0 ± 2.5\n\
             2s    1             5.000\n"
        );
        let csv = String::from_utf8(summary_csv(&plan, &points).unwrap()).unwrap();
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("stop,n,goodput_bps_mean,goodput_bps_ci95,flow_goodput_bps_mean,")
        );
        assert!(lines.next().unwrap().starts_with("1s,3,2000000,2484"));
        assert!(lines.next().unwrap().starts_with("2s,1,5000000,,,"));
    }

    #[test]
    fn the_reference_rtt_is_declared_or_the_smallest_measured() {
        let mut a = record(0, &["1s"], 1.0);
        a.metrics.insert("rtt_min_ms".into(), Some(44.5));
        let mut b = record(1, &["1s"], 1.0);
        b.metrics.insert("rtt_min_ms".into(), Some(42.25));
        let recs = [a, b, record(2, &["1s"], 1.0)];
        let derived = Reference::Mathis {
            mss: 1460,
            rtt: None,
        };
        assert_eq!(reference_rtt_s(&derived, &recs), Some(0.04225));
        assert_eq!(
            reference_rtt_s(&derived, &recs[2..]),
            None,
            "no RTT measured"
        );
        let declared = Reference::Mathis {
            mss: 1460,
            rtt: Some("40ms".parse().unwrap()),
        };
        assert_eq!(reference_rtt_s(&declared, &recs), Some(0.04));
    }

    #[test]
    fn results_have_one_row_per_run_with_quoted_values() {
        let recs = vec![record(0, &["Bernoulli(p: 0.1, q: 2)"], 1.5)];
        let csv = String::from_utf8(results_csv(&plan(), &recs).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "run_id,stop,seed,goodput_bps,flow_goodput_bps,fairness,retransmissions,rtos,\
             fast_retransmits,rtt_mean_ms,rtt_min_ms,drops,utilisation,netsim_version,scenario_hash"
        );
        assert_eq!(
            lines[1],
            "id0,\"Bernoulli(p: 0.1, q: 2)\",1,1.5,,,,,,,,,,0.1.0,h"
        );
    }
}
