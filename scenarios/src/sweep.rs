//! Parameter sweeps: one scenario run over a grid of parameter values and
//! repeated with several seeds, as `netsim sweep` does.
//!
//! A scenario declares its sweep in an optional `sweep` section:
//!
//! ```ron
//! sweep: Sweep(
//!     params: [
//!         Param(path: "loss", values: ["Bernoulli(p: 0.001)", "Bernoulli(p: 0.01)"], x: [0.001, 0.01]),
//!         Param(path: "cc", values: ["NewReno", "Cubic"]),
//!     ],
//!     seeds: "1..=10",
//!     metrics: [Goodput, Retransmissions],
//!     plot: Plot(x: "loss", y: Goodput, log_x: true, reference: Mathis(mss: 1460, rtt: "42.2ms")),
//! )
//! ```
//!
//! - `params`: the axes of the grid, in order. Each `path` is a `--set` path
//!   (see [`crate::overrides`]) and each value a `--set` value, applied through
//!   the same machinery, so a bad path or value is reported like a bad
//!   `--set`, but at the value's line and column in the file. The grid is the
//!   cartesian product of the axes, the first axis varying slowest.
//! - `x`: the number each value stands for on a plot's x axis. Without it the
//!   x of a value is the first number written in it (`Bernoulli(p: 0.01)` →
//!   0.01, `"10Mbps"` → 10: units are not converted, so give `x` when the
//!   values mix units).
//! - `seeds`: the repetitions of every grid point, `"A..B"` (B excluded, as in
//!   Rust), `"A..=B"` (B included) or `"N"`. Default: the scenario's `seed` only.
//! - `metrics`: the metrics shown in the printed summary table (every metric is
//!   always in the CSV files). Default `[Goodput]`.
//! - `plot`: a metric against one axis, one line per combination of the other
//!   axes' values, with 95 % confidence intervals; see [`Plot`].
//!
//! `netsim run` ignores the section and runs the scenario as written: the base
//! point of the sweep. The grid itself is expanded by [`plan`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::SimDuration;

pub mod plan;

pub use plan::{Plan, PlanAxis, split_values};

/// The `sweep` section of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The axes of the grid, first axis varying slowest. Default `[]`: only
    /// repetitions of the scenario as written.
    #[serde(default)]
    pub params: Vec<Param>,
    /// Seeds of the repetitions at every grid point. Default: the scenario's seed.
    #[serde(default)]
    pub seeds: Option<Seeds>,
    /// Metrics of the printed summary table. Default `[Goodput]`.
    #[serde(default = "default_metrics")]
    pub metrics: Vec<Metric>,
    /// The sweep plot. Default `None`: no plot.
    #[serde(default)]
    pub plot: Option<Plot>,
}

fn default_metrics() -> Vec<Metric> {
    vec![Metric::Goodput]
}

/// One axis of the grid: a `--set` path and its values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Required. The `--set` path the values go to, e.g. `"loss"` on a
    /// generated dumbbell or `"links.0.delay"`.
    pub path: String,
    /// Required, at least one. Each a `--set` value, e.g. `"Bernoulli(p: 0.01)"`.
    pub values: Vec<String>,
    /// The x coordinate of each value on a plot, one per value. Default `[]`:
    /// the first number written in each value.
    #[serde(default)]
    pub x: Vec<f64>,
}

/// A plot of one metric against one axis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plot {
    /// Required. The `path` of the axis on the x axis.
    pub x: String,
    /// The metric on the y axis. Default `Goodput`.
    #[serde(default = "default_y")]
    pub y: Metric,
    /// A logarithmic x axis. Default `false`.
    #[serde(default)]
    pub log_x: bool,
    /// The x axis title. Default: the axis path.
    #[serde(default)]
    pub x_label: Option<String>,
    /// A model curve drawn over the measurements. Default `None`.
    #[serde(default)]
    pub reference: Option<Reference>,
}

fn default_y() -> Metric {
    Metric::Goodput
}

/// A model curve for a sweep plot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Reference {
    /// Mathis et al. (1997), the steady-state throughput of a Reno-style TCP
    /// against the loss probability p on the x axis:
    /// `MSS / RTT · √(3 / (2p))`, in bit/s.
    Mathis {
        /// Maximum segment size in bytes. Default `1460` (a 1500-byte MTU).
        #[serde(default = "default_mss")]
        mss: u32,
        /// Round-trip time. Default: the smallest minimum RTT measured in the
        /// sweep's runs (the path's base RTT).
        #[serde(default)]
        rtt: Option<SimDuration>,
    },
}

fn default_mss() -> u32 {
    1460
}

impl Reference {
    /// The curve's name in a plot legend.
    pub fn name(&self) -> &'static str {
        match self {
            Reference::Mathis { .. } => "Mathis model",
        }
    }
}

/// What a sweep measures in each run. Flows are the TCP flows of the run's
/// summary; a run without flows has zero goodput and no RTT.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// The goodput of all flows together: application bytes delivered, in bit/s.
    Goodput,
    /// The mean goodput of one flow, in bit/s.
    FlowGoodput,
    /// Jain's fairness index of the flows' goodputs: 1 is a fair share.
    Fairness,
    /// Segments retransmitted, all flows.
    Retransmissions,
    /// Retransmission timeouts, all flows.
    Rtos,
    /// Fast retransmissions, all flows.
    FastRetransmits,
    /// The mean of the flows' mean RTTs, in ms.
    RttMean,
    /// The smallest RTT measured on any flow, in ms.
    RttMin,
    /// Frames dropped on all links.
    Drops,
    /// The utilisation of the busiest link direction (the bottleneck), 0 to 1.
    Utilisation,
}

impl Metric {
    /// Every metric, in the order of the CSV columns.
    pub const ALL: [Metric; 10] = [
        Metric::Goodput,
        Metric::FlowGoodput,
        Metric::Fairness,
        Metric::Retransmissions,
        Metric::Rtos,
        Metric::FastRetransmits,
        Metric::RttMean,
        Metric::RttMin,
        Metric::Drops,
        Metric::Utilisation,
    ];

    /// The CSV column name, with its unit: `goodput_bps`, `rtt_mean_ms`, ...
    pub fn column(self) -> &'static str {
        match self {
            Metric::Goodput => "goodput_bps",
            Metric::FlowGoodput => "flow_goodput_bps",
            Metric::Fairness => "fairness",
            Metric::Retransmissions => "retransmissions",
            Metric::Rtos => "rtos",
            Metric::FastRetransmits => "fast_retransmits",
            Metric::RttMean => "rtt_mean_ms",
            Metric::RttMin => "rtt_min_ms",
            Metric::Drops => "drops",
            Metric::Utilisation => "utilisation",
        }
    }

    /// A title for tables and plot axes, with the display unit.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Goodput => "goodput (Mbit/s)",
            Metric::FlowGoodput => "goodput per flow (Mbit/s)",
            Metric::Fairness => "Jain fairness",
            Metric::Retransmissions => "retransmissions",
            Metric::Rtos => "RTOs",
            Metric::FastRetransmits => "fast retransmits",
            Metric::RttMean => "mean RTT (ms)",
            Metric::RttMin => "min RTT (ms)",
            Metric::Drops => "drops",
            Metric::Utilisation => "bottleneck utilisation",
        }
    }

    /// The factor from the CSV unit to the display unit of [`Metric::title`]
    /// (bit/s to Mbit/s for goodputs, 1 otherwise).
    pub fn display_scale(self) -> f64 {
        match self {
            Metric::Goodput | Metric::FlowGoodput => 1e-6,
            _ => 1.0,
        }
    }
}

/// The seeds of a sweep's repetitions, `first..=last`.
///
/// Written `"A..B"` (B excluded, as a Rust range), `"A..=B"` (B included) or
/// `"N"` (one seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds {
    /// The first seed.
    pub first: u64,
    /// The last seed, included.
    pub last: u64,
}

impl Seeds {
    /// One seed.
    pub fn one(seed: u64) -> Seeds {
        Seeds {
            first: seed,
            last: seed,
        }
    }

    /// The seeds in order.
    pub fn iter(self) -> impl Iterator<Item = u64> {
        self.first..=self.last
    }

    /// How many seeds.
    pub fn count(self) -> u64 {
        self.last - self.first + 1
    }
}

impl FromStr for Seeds {
    type Err = String;

    fn from_str(s: &str) -> Result<Seeds, String> {
        let bad =
            || format!("expected seeds as \"A..B\" (B excluded), \"A..=B\" or \"N\", got {s:?}");
        let num = |t: &str| t.trim().parse::<u64>().map_err(|_| bad());
        let t = s.trim();
        let seeds = if let Some((a, b)) = t.split_once("..=") {
            Seeds {
                first: num(a)?,
                last: num(b)?,
            }
        } else if let Some((a, b)) = t.split_once("..") {
            let (first, end) = (num(a)?, num(b)?);
            if end <= first {
                return Err(format!("seed range {s:?} is empty"));
            }
            Seeds {
                first,
                last: end - 1,
            }
        } else {
            Seeds::one(num(t)?)
        };
        if seeds.last < seeds.first {
            return Err(format!("seed range {s:?} is empty"));
        }
        Ok(seeds)
    }
}

impl fmt::Display for Seeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}..={}", self.first, self.last)
        }
    }
}

impl Serialize for Seeds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Seeds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The x coordinate of a value written without one: the first number in it
/// (`Bernoulli(p: 0.01)` → 0.01, `"10Mbps"` → 10, `1e-3` → 0.001).
pub fn first_number(value: &str) -> Option<f64> {
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let starts_number =
            b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        // A digit inside a name (`h1`, `eth0`) is not a number.
        let in_word = i > 0 && (b[i - 1].is_ascii_alphabetic() || b[i - 1] == b'_');
        if starts_number && !in_word {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let mut end = i;
            while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'.') {
                end += 1;
            }
            // An exponent: e-3, E+5, e7.
            if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
                let mut k = end + 1;
                if k < b.len() && (b[k] == b'-' || b[k] == b'+') {
                    k += 1;
                }
                if k < b.len() && b[k].is_ascii_digit() {
                    while k < b.len() && b[k].is_ascii_digit() {
                        k += 1;
                    }
                    end = k;
                }
            }
            return value[start..end].parse().ok();
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_follow_rust_range_syntax() {
        let s: Seeds = "1..10".parse().unwrap();
        assert_eq!((s.first, s.last, s.count()), (1, 9, 9));
        let s: Seeds = "1..=10".parse().unwrap();
        assert_eq!((s.first, s.last, s.count()), (1, 10, 10));
        let s: Seeds = " 7 ".parse().unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), [7]);
        assert_eq!(s.to_string(), "7");
        assert_eq!("3..=5".parse::<Seeds>().unwrap().to_string(), "3..=5");
        assert_eq!(
            "5..5".parse::<Seeds>().unwrap_err(),
            "seed range \"5..5\" is empty"
        );
        assert_eq!(
            "5..=4".parse::<Seeds>().unwrap_err(),
            "seed range \"5..=4\" is empty"
        );
        assert_eq!(
            "1-10".parse::<Seeds>().unwrap_err(),
            "expected seeds as \"A..B\" (B excluded), \"A..=B\" or \"N\", got \"1-10\""
        );
    }

    #[test]
    fn the_x_of_a_value_is_its_first_number() {
        assert_eq!(first_number("Bernoulli(p: 0.01)"), Some(0.01));
        assert_eq!(first_number("10Mbps"), Some(10.0));
        assert_eq!(first_number("Bernoulli(p: 1e-3)"), Some(0.001));
        assert_eq!(first_number("-2.5"), Some(-2.5));
        assert_eq!(first_number("DropTail(limit: \"64p\")"), Some(64.0));
        assert_eq!(first_number("links.h1-r1"), None);
        assert_eq!(first_number("Cubic"), None);
        assert_eq!(first_number(".5"), Some(0.5));
    }

    #[test]
    fn every_metric_has_its_own_column() {
        let mut columns: Vec<&str> = Metric::ALL.iter().map(|m| m.column()).collect();
        columns.sort_unstable();
        columns.dedup();
        assert_eq!(columns.len(), Metric::ALL.len());
    }
}
