//! The metrics of one run, taken from its flow summary
//! ([`reports::summary::RunSummary`]).
//!
//! Flows are the summary's TCP flows (ends that sent data); links are its
//! link directions. A metric that needs a flow (fairness, RTTs) is undefined,
//! `None`, in a run without one; goodputs and counts are then 0.

use reports::summary::RunSummary;
use scenarios::sweep::Metric;

/// The value of `metric` in a run with this summary.
pub fn value(metric: Metric, s: &RunSummary) -> Option<f64> {
    let flows = &s.flows;
    let goodputs = || flows.iter().map(|f| f.goodput_bps);
    let count = |n: u64| Some(n as f64);
    match metric {
        Metric::Goodput => Some(goodputs().sum()),
        Metric::FlowGoodput => {
            (!flows.is_empty()).then(|| goodputs().sum::<f64>() / flows.len() as f64)
        }
        Metric::Fairness => jain(&goodputs().collect::<Vec<_>>()),
        Metric::Retransmissions => count(flows.iter().map(|f| f.retransmits).sum()),
        Metric::Rtos => count(flows.iter().map(|f| f.rtos).sum()),
        Metric::FastRetransmits => count(flows.iter().map(|f| f.retransmits_fast).sum()),
        Metric::RttMean => {
            let means: Vec<f64> = flows.iter().filter_map(|f| f.rtt_mean_ms).collect();
            (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64)
        }
        Metric::RttMin => flows
            .iter()
            .filter_map(|f| f.rtt_min_ms)
            .min_by(f64::total_cmp),
        Metric::Drops => count(s.links.iter().map(|l| l.drops).sum()),
        Metric::Utilisation => Some(
            s.links
                .iter()
                .map(|l| l.utilisation)
                .max_by(f64::total_cmp)
                .unwrap_or(0.0),
        ),
    }
}

/// Jain's fairness index `(Σx)² / (n·Σx²)`: 1 when all are equal, 1/n when
/// one takes everything. `None` without flows or when nothing moved.
pub fn jain(x: &[f64]) -> Option<f64> {
    let sum: f64 = x.iter().sum();
    let squares: f64 = x.iter().map(|v| v * v).sum();
    (!x.is_empty() && squares > 0.0).then(|| sum * sum / (x.len() as f64 * squares))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reports::summary::{FlowSummary, LinkSummary};

    fn flow(goodput: f64, retransmits: u64, rtt: Option<(f64, f64)>) -> FlowSummary {
        FlowSummary {
            goodput_bps: goodput,
            retransmits,
            retransmits_fast: retransmits - 1,
            rtos: 1,
            rtt_min_ms: rtt.map(|r| r.0),
            rtt_mean_ms: rtt.map(|r| r.1),
            ..FlowSummary::default()
        }
    }

    fn link(utilisation: f64, drops: u64) -> LinkSummary {
        LinkSummary {
            utilisation,
            drops,
            ..LinkSummary::default()
        }
    }

    #[test]
    fn metrics_add_up_flows_and_links() {
        let s = RunSummary {
            duration_s: 10.0,
            flows: vec![
                flow(6e6, 5, Some((40.0, 50.0))),
                flow(2e6, 3, Some((41.0, 70.0))),
                flow(0.0, 1, None),
            ],
            links: vec![link(0.25, 2), link(0.8, 7), link(0.0, 0)],
        };
        let v = |m| value(m, &s);
        assert_eq!(v(Metric::Goodput), Some(8e6));
        assert_eq!(v(Metric::FlowGoodput), Some(8e6 / 3.0));
        // (8)² / (3 · (36 + 4)) = 64 / 120
        assert_eq!(v(Metric::Fairness), Some(64.0 / 120.0));
        assert_eq!(v(Metric::Retransmissions), Some(9.0));
        assert_eq!(v(Metric::FastRetransmits), Some(6.0));
        assert_eq!(v(Metric::Rtos), Some(3.0));
        assert_eq!(v(Metric::RttMean), Some(60.0));
        assert_eq!(v(Metric::RttMin), Some(40.0));
        assert_eq!(v(Metric::Drops), Some(9.0));
        assert_eq!(v(Metric::Utilisation), Some(0.8));
    }

    #[test]
    fn a_run_without_flows_has_no_rtt_and_zero_goodput() {
        let s = RunSummary::default();
        assert_eq!(value(Metric::Goodput, &s), Some(0.0));
        assert_eq!(value(Metric::FlowGoodput, &s), None);
        assert_eq!(value(Metric::Fairness, &s), None);
        assert_eq!(value(Metric::RttMean, &s), None);
        assert_eq!(value(Metric::Utilisation, &s), Some(0.0));
    }
}
