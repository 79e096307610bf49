//! Times and durations as text: the one place where a [`SimTime`] or a
//! [`SimDuration`] (or a measured time already in `f64` seconds) becomes
//! characters in an output, with the few precisions the outputs use.
//!
//! Exact forms use integer arithmetic, so they are identical on every machine:
//!
//! | function | example | used by |
//! | --- | --- | --- |
//! | [`seconds`] (also `SimTime`'s `Display`) | `1.000250000` | trace lines, CSV time columns |
//! | [`seconds_micros`] | `1.020102` (truncated) | ladder diagrams |
//! | [`seconds_short`] | `1.5s`, `10s` | command-line messages |
//! | [`units`] (also `SimDuration`'s `Display`) | `1.5ms`, `20ms`, `3s` | the scenario syntax |
//! | [`millis_rounded`] | `4.210` (to the nearest µs) | ping and traceroute lines |
//!
//! Forms of measured values (means, `f64` seconds in summaries) round as
//! Rust's `{:.N}` does:
//!
//! | function | example | used by |
//! | --- | --- | --- |
//! | [`millis_f3`] | `4.210` | CSV series of RTT and RTO |
//! | [`millis_f1`] | `42.1 ms` | the flow summary |
//! | [`secs_f6`] | `0.104512 s` | expectation verdicts |
//! | [`duration_f`] | `850.0 ms`, `12.35 s` | the flow summary |

use std::fmt;

use super::{SimDuration, SimTime};

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Seconds with nanosecond precision and a fixed width of fraction: `1.000250000`.
pub fn seconds(t: SimTime) -> String {
    let ns = t.as_nanos();
    format!("{}.{:09}", ns / NANOS_PER_SEC, ns % NANOS_PER_SEC)
}

/// Seconds with six decimals, truncated (a prefix of [`seconds`]): `1.020102`.
pub fn seconds_micros(t: SimTime) -> String {
    let ns = t.as_nanos();
    format!("{}.{:06}", ns / NANOS_PER_SEC, ns % NANOS_PER_SEC / 1_000)
}

/// Seconds without trailing zeros, with the unit: `1.5s`, `10s`, `0s`.
pub fn seconds_short(t: SimTime) -> String {
    let s = seconds(t);
    format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
}

/// Milliseconds with three decimals, rounded to the nearest microsecond (half
/// up), as ping prints them: `4.210`.
pub fn millis_rounded(d: SimDuration) -> String {
    let us = (d.as_nanos() + 500) / 1_000;
    format!("{}.{:03}", us / 1_000, us % 1_000)
}

/// The largest unit that keeps `d` exact: `1.5ms`, `20ms`, `3s`, `0s`; the
/// form scenarios are written in, which parses back to the same duration.
pub fn units(d: SimDuration) -> impl fmt::Display {
    Units(d.as_nanos())
}

/// Milliseconds with three decimals: `4.210`.
pub fn millis_f3(d: SimDuration) -> String {
    format!("{:.3}", d.as_nanos() as f64 / 1e6)
}

/// Milliseconds with one decimal and the unit: `42.1 ms`.
pub fn millis_f1(ms: f64) -> String {
    format!("{ms:.1} ms")
}

/// Seconds with six decimals and the unit: `0.104512 s`.
pub fn secs_f6(s: f64) -> String {
    format!("{s:.6} s")
}

/// A duration for a reader: [`millis_f1`] below one second (`850.0 ms`),
/// else seconds with two decimals (`12.35 s`).
pub fn duration_f(s: f64) -> String {
    if s < 1.0 {
        millis_f1(s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// See [`units`].
struct Units(u64);

impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [
            (NANOS_PER_SEC, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        let ns = self.0;
        if ns == 0 {
            return f.pad("0s");
        }
        for (scale, unit) in UNITS {
            if ns >= scale {
                let int = ns / scale;
                let frac = ns % scale;
                let s = if frac == 0 {
                    format!("{int}{unit}")
                } else {
                    let width = scale.ilog10() as usize;
                    let digits = format!("{frac:0width$}");
                    format!("{int}.{}{unit}", digits.trim_end_matches('0'))
                };
                return f.pad(&s);
            }
        }
        unreachable!("ns > 0 matches the last unit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_forms() {
        let t = SimTime::from_nanos(1_020_102_999);
        assert_eq!(seconds(t), "1.020102999");
        assert_eq!(seconds_micros(t), "1.020102");
        assert_eq!(seconds_short(SimTime::from_nanos(1_500_000_000)), "1.5s");
        assert_eq!(seconds_short(SimTime::from_nanos(10_000_000_000)), "10s");
        assert_eq!(seconds_short(SimTime::ZERO), "0s");
        assert_eq!(units(SimDuration::from_micros(1500)).to_string(), "1.5ms");
        assert_eq!(units(SimDuration::ZERO).to_string(), "0s");
    }

    #[test]
    fn milliseconds_rounded_to_the_microsecond() {
        let ms = |ns| millis_rounded(SimDuration::from_nanos(ns));
        assert_eq!(ms(4_210_400), "4.210");
        assert_eq!(ms(4_210_500), "4.211");
        assert_eq!(millis_rounded(SimDuration::from_secs(1)), "1000.000");
        assert_eq!(ms(0), "0.000");
    }

    #[test]
    fn measured_forms() {
        assert_eq!(millis_f3(SimDuration::from_nanos(4_210_400)), "4.210");
        assert_eq!(millis_f1(42.06), "42.1 ms");
        assert_eq!(secs_f6(0.1045123), "0.104512 s");
        assert_eq!(duration_f(0.85), "850.0 ms");
        assert_eq!(duration_f(12.345), "12.35 s");
    }
}
