//! Simulated time: integer nanoseconds, never floating point.
//!
//! [`SimTime`] is an instant since the start of a run; [`SimDuration`] is a span.
//! Both are `u64` nanoseconds (enough for 584 years). Arithmetic is checked: an
//! overflow is a broken invariant and panics, it never wraps silently.
//!
//! Both parse and print with units: `"1.5ms"`, `"100us"`, `"2s"`, `"250ns"`,
//! `"1min"`, `"1h"`. Parsing uses integer arithmetic only, so `"0.1s"` is exactly
//! 100 000 000 ns on every machine. Every other text form of a time or a
//! duration in the outputs is in [`text`].

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::str::FromStr;

pub mod text;

/// A span of simulated time in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

/// An instant of simulated time: nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

impl SimDuration {
    /// Zero length.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The largest representable duration.
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// A duration of `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimDuration(ns)
    }
    /// A duration of `us` microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us * 1_000)
    }
    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1_000_000)
    }
    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1_000_000_000)
    }
    /// Length in nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Length in seconds, for reports only (never for protocol logic).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// `self * n`, saturating at [`SimDuration::MAX`].
    pub const fn saturating_mul(self, n: u64) -> Self {
        SimDuration(self.0.saturating_mul(n))
    }
    /// `self + other`, saturating at [`SimDuration::MAX`].
    pub const fn saturating_add(self, other: SimDuration) -> Self {
        SimDuration(self.0.saturating_add(other.0))
    }
    /// `self - other`, or zero if `other` is longer.
    pub const fn saturating_sub(self, other: SimDuration) -> Self {
        SimDuration(self.0.saturating_sub(other.0))
    }
    /// Time to serialize `bytes` at `bits_per_sec`, rounded up to the next nanosecond.
    ///
    /// # Panics
    /// If `bits_per_sec` is zero (validation rejects zero bandwidth before a run starts).
    pub fn transmission(bytes: u64, bits_per_sec: u64) -> Self {
        assert!(bits_per_sec > 0, "zero bandwidth");
        let bits = bytes as u128 * 8 * 1_000_000_000;
        SimDuration(bits.div_ceil(bits_per_sec as u128) as u64)
    }
}

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The end of time: later than any event.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The instant `ns` nanoseconds after the start.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds since the start, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// Time elapsed since `earlier`, zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
    /// `self + d`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.checked_add(d.0).expect("SimTime overflow"))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.checked_sub(earlier.0).expect("SimTime underflow"))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, o: SimDuration) -> SimDuration {
        SimDuration(self.0.checked_add(o.0).expect("SimDuration overflow"))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, o: SimDuration) {
        *self = *self + o;
    }
}

impl Sub for SimDuration {
    type Output = SimDuration;
    fn sub(self, o: SimDuration) -> SimDuration {
        SimDuration(self.0.checked_sub(o.0).expect("SimDuration underflow"))
    }
}

/// Why a time or duration string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseTimeError {
    /// The text does not start with a number.
    #[error("expected a number followed by a unit (ns, us, ms, s, min, h), got {0:?}")]
    NotANumber(String),
    /// The unit is not one of the known ones.
    #[error("unknown time unit {unit:?} in {text:?} (expected ns, us, ms, s, min or h)")]
    UnknownUnit {
        /// The unit found.
        unit: String,
        /// The whole text.
        text: String,
    },
    /// The value has no unit.
    #[error("missing time unit in {0:?} (write e.g. \"20ms\" or \"1.5s\")")]
    MissingUnit(String),
    /// More precision than a nanosecond, or too large.
    #[error("{0:?} is not a whole number of nanoseconds that fits in 64 bits")]
    OutOfRange(String),
}

/// Splits `"1.5ms"` into (`"1.5"`, `"ms"`), trimming spaces between them.
pub(crate) fn split_number(text: &str) -> (&str, &str) {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    (&t[..end], t[end..].trim())
}

/// Parses a decimal like `"1.25"` scaled by `scale` into an exact integer.
/// Returns `None` if it is not a decimal, has too many fractional digits for
/// `scale`, or overflows.
pub(crate) fn scaled_decimal(num: &str, scale: u64) -> Option<u64> {
    let num: String = num.chars().filter(|&c| c != '_').collect();
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int_val: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = int_val.checked_mul(scale)?;
    let mut unit = scale;
    for d in frac.bytes() {
        let digit = u64::from(d - b'0');
        if !unit.is_multiple_of(10) {
            if digit != 0 {
                return None;
            }
            continue;
        }
        unit /= 10;
        total = total.checked_add(digit * unit)?;
    }
    Some(total)
}

impl FromStr for SimDuration {
    type Err = ParseTimeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (num, unit) = split_number(text);
        if num.is_empty() {
            return Err(ParseTimeError::NotANumber(text.to_string()));
        }
        let scale = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "min" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" if num.chars().all(|c| c == '0' || c == '.') => 1,
            "" => return Err(ParseTimeError::MissingUnit(text.to_string())),
            _ => {
                return Err(ParseTimeError::UnknownUnit {
                    unit: unit.to_string(),
                    text: text.to_string(),
                });
            }
        };
        scaled_decimal(num, scale)
            .map(SimDuration)
            .ok_or_else(|| ParseTimeError::OutOfRange(text.to_string()))
    }
}

impl FromStr for SimTime {
    type Err = ParseTimeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SimDuration::from_str(text).map(|d| SimTime(d.0))
    }
}

impl fmt::Display for SimDuration {
    /// The largest unit that keeps it exact: `1.5ms` ([`text::units`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&text::units(*self), f)
    }
}

impl fmt::Display for SimTime {
    /// Seconds with nanosecond precision and a fixed width, as trace lines want:
    /// `1.000250000` ([`text::seconds`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&text::seconds(*self))
    }
}

impl serde::Serialize for SimDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SimDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&SimDuration(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for SimTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        SimDuration::deserialize(d).map(|x| SimTime(x.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(
            "1.5ms".parse::<SimDuration>().unwrap().as_nanos(),
            1_500_000
        );
        assert_eq!("100us".parse::<SimDuration>().unwrap().as_nanos(), 100_000);
        assert_eq!(
            "2s".parse::<SimDuration>().unwrap().as_nanos(),
            2_000_000_000
        );
        assert_eq!(
            "0.1s".parse::<SimDuration>().unwrap().as_nanos(),
            100_000_000
        );
        assert_eq!("250ns".parse::<SimDuration>().unwrap().as_nanos(), 250);
        assert_eq!(
            "1min".parse::<SimDuration>().unwrap(),
            SimDuration::from_secs(60)
        );
        assert_eq!(
            "2h".parse::<SimDuration>().unwrap(),
            SimDuration::from_secs(7200)
        );
        assert_eq!(
            "20 ms".parse::<SimDuration>().unwrap(),
            SimDuration::from_millis(20)
        );
        assert_eq!("0".parse::<SimDuration>().unwrap(), SimDuration::ZERO);
    }

    #[test]
    fn rejects_bad_durations() {
        assert!(matches!(
            "20".parse::<SimDuration>(),
            Err(ParseTimeError::MissingUnit(_))
        ));
        assert!(matches!(
            "20xs".parse::<SimDuration>(),
            Err(ParseTimeError::UnknownUnit { .. })
        ));
        assert!(matches!(
            "ms".parse::<SimDuration>(),
            Err(ParseTimeError::NotANumber(_))
        ));
        assert!(matches!(
            "0.5ns".parse::<SimDuration>(),
            Err(ParseTimeError::OutOfRange(_))
        ));
        assert!(matches!(
            "1.2.3s".parse::<SimDuration>(),
            Err(ParseTimeError::OutOfRange(_))
        ));
        assert!(matches!(
            "-1s".parse::<SimDuration>(),
            Err(ParseTimeError::NotANumber(_))
        ));
    }

    #[test]
    fn prints_with_the_largest_exact_unit() {
        assert_eq!(SimDuration::from_nanos(1_500_000).to_string(), "1.5ms");
        assert_eq!(SimDuration::from_millis(20).to_string(), "20ms");
        assert_eq!(SimDuration::from_secs(3).to_string(), "3s");
        assert_eq!(
            SimDuration::from_nanos(1_000_000_001).to_string(),
            "1.000000001s"
        );
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
        assert_eq!(
            SimTime::from_nanos(1_000_250_000).to_string(),
            "1.000250000"
        );
    }

    #[test]
    fn print_then_parse_round_trips() {
        for ns in [
            1,
            999,
            1_000,
            1_234_567,
            20_000_000,
            1_000_000_001,
            u64::MAX / 2,
        ] {
            let d = SimDuration::from_nanos(ns);
            assert_eq!(d.to_string().parse::<SimDuration>().unwrap(), d);
        }
    }

    #[test]
    fn transmission_time_rounds_up() {
        // 1500 bytes at 100 Mbit/s: 12 000 bits / 1e8 = 120 us exactly.
        assert_eq!(
            SimDuration::transmission(1500, 100_000_000),
            SimDuration::from_micros(120)
        );
        // 1 byte at 3 bit/s: 8/3 s = 2.666..s, rounded up to the next ns.
        assert_eq!(SimDuration::transmission(1, 3).as_nanos(), 2_666_666_667);
    }
}
