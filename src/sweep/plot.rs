//! The sweep plot's data: the plot metric's mean and 95 % CI against the x
//! axis, one line per combination of the other axes' values, and the
//! reference curve. Drawn by [`reports::plot::sweep`].

use std::io;
use std::path::{Path, PathBuf};

use reports::plot::sweep::{Curve, Line, Point, SweepPlot};
use scenarios::sweep::{Metric, Reference};

use super::record::{Manifest, RunRecord};
use super::results::{PLOT_STEM, PointSummary, reference_rtt_s};

/// How many points the reference curve is drawn with.
const CURVE_POINTS: usize = 200;

/// The plot of a sweep, or `None` when it declares none.
pub fn data(
    manifest: &Manifest,
    records: &[RunRecord],
    points: &[PointSummary<'_>],
) -> Option<SweepPlot> {
    let plan = &manifest.plan;
    let plot = plan.plot.as_ref()?;
    let xk = plan.axes.iter().position(|a| a.path == plot.x)?;
    let axis = &plan.axes[xk];
    let mi = Metric::ALL.iter().position(|m| *m == plot.y)?;
    let scale = plot.y.display_scale();

    // Lines keyed by the other axes' values, in the order they first appear
    // (row-major order of the other axes).
    let mut lines: Vec<(Vec<&str>, Line)> = Vec::new();
    for p in points {
        let key: Vec<&str> = p
            .values
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != xk)
            .map(|(_, v)| v.as_str())
            .collect();
        let Some(j) = axis.values.iter().position(|v| *v == p.values[xk]) else {
            continue;
        };
        let (Some(x), Some(e)) = (axis.x[j], p.estimates[mi]) else {
            continue;
        };
        let point = Point {
            x,
            mean: e.mean * scale,
            ci95: e.ci95.map(|c| c * scale),
        };
        match lines.iter_mut().find(|(k, _)| *k == key) {
            Some((_, line)) => line.points.push(point),
            None => {
                let label = plan
                    .axes
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != xk)
                    .zip(&key)
                    .map(|((_, a), v)| format!("{}={v}", a.path))
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push((
                    key,
                    Line {
                        label,
                        points: vec![point],
                    },
                ));
            }
        }
    }
    let mut lines: Vec<Line> = lines.into_iter().map(|(_, l)| l).collect();
    for l in &mut lines {
        l.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }

    let reference = plot.reference.as_ref().and_then(|r| {
        let xs: Vec<f64> = axis.x.iter().flatten().copied().collect();
        let lo = xs.iter().copied().min_by(f64::total_cmp)?;
        let hi = xs.iter().copied().max_by(f64::total_cmp)?;
        let rtt = reference_rtt_s(r, records)?;
        let Reference::Mathis { mss, .. } = r;
        let curve_x = |i: usize| {
            let t = i as f64 / (CURVE_POINTS - 1) as f64;
            if plot.log_x {
                lo * (hi / lo).powf(t)
            } else {
                lo + (hi - lo) * t
            }
        };
        let points = (0..CURVE_POINTS)
            .map(curve_x)
            .map(|p| (p, mathis_bps(*mss, rtt, p) * scale))
            .collect();
        Some(Curve {
            label: format!("{} (MSS {mss} B, RTT {:.1} ms)", r.name(), rtt * 1e3),
            points,
        })
    });

    Some(SweepPlot {
        title: format!(
            "{}: {} against {}",
            manifest.scenario,
            plot.y.title(),
            axis.path
        ),
        x_label: plot.x_label.clone().unwrap_or_else(|| axis.path.clone()),
        y_label: plot.y.title().to_string(),
        log_x: plot.log_x,
        lines,
        reference,
    })
}

/// Mathis et al. (1997): `MSS / RTT · √(3 / (2p))`, in bit/s.
pub fn mathis_bps(mss: u32, rtt_s: f64, p: f64) -> f64 {
    f64::from(mss) * 8.0 / rtt_s * (3.0 / (2.0 * p)).sqrt()
}

/// Writes `sweep.svg` and `sweep.png` into `dir` when the sweep has a plot.
pub fn write(
    dir: &Path,
    manifest: &Manifest,
    records: &[RunRecord],
    points: &[PointSummary<'_>],
) -> io::Result<Vec<PathBuf>> {
    match data(manifest, records, points) {
        Some(plot) => {
            let note = format!(
                "netsim {} sweep of {} ({} runs)",
                manifest.netsim_version,
                manifest.scenario,
                records.len()
            );
            reports::plot::sweep::write(dir, PLOT_STEM, &plot, &note)
        }
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mathis_gives_the_textbook_figure() {
        // 1460 B, 42.2 ms, p = 1 %: 1460·8/0.0422 · √150 = 3.3898 Mbit/s.
        let g = mathis_bps(1460, 0.0422, 0.01);
        assert!((g - 3_389_800.0).abs() < 100.0, "{g}");
    }
}
