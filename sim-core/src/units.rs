//! Data rates and byte sizes with units, parsed with integer arithmetic.
//!
//! Rates are bits per second and use decimal prefixes, as link speeds do:
//! `"100Mbps"`, `"1Gbps"`, `"1.5Mbit/s"`, `"64kbps"`. Sizes are bytes and accept
//! both decimal (`kB`, `MB`) and binary (`KiB`, `MiB`) prefixes: `"64KiB"`,
//! `"1500B"`, `"1MB"`.

use std::fmt;
use std::str::FromStr;

use crate::time::{scaled_decimal, split_number};

/// A link rate in bits per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataRate(u64);

/// A size in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(u64);

/// Why a rate or size string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseUnitError {
    /// The text does not start with a number.
    #[error("expected a number followed by a unit, got {0:?}")]
    NotANumber(String),
    /// Unknown unit.
    #[error("unknown unit {unit:?} in {text:?} (expected one of {expected})")]
    UnknownUnit {
        /// The unit found.
        unit: String,
        /// The whole text.
        text: String,
        /// The units accepted.
        expected: &'static str,
    },
    /// Too large, or finer than the base unit.
    #[error("{0:?} is not a whole number of base units that fits in 64 bits")]
    OutOfRange(String),
}

const RATE_UNITS: &str = "bps, kbps, Mbps, Gbps, Tbps (or kbit/s, Mbit/s, ...)";
const SIZE_UNITS: &str = "B, kB, KiB, MB, MiB, GB, GiB";

impl DataRate {
    /// A rate of `bps` bits per second.
    pub const fn from_bps(bps: u64) -> Self {
        DataRate(bps)
    }
    /// Bits per second.
    pub const fn bps(self) -> u64 {
        self.0
    }
}

impl ByteSize {
    /// A size of `n` bytes.
    pub const fn from_bytes(n: u64) -> Self {
        ByteSize(n)
    }
    /// Bytes.
    pub const fn bytes(self) -> u64 {
        self.0
    }
}

impl FromStr for DataRate {
    type Err = ParseUnitError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (num, unit) = split_number(text);
        if num.is_empty() {
            return Err(ParseUnitError::NotANumber(text.to_string()));
        }
        let unit_l = unit.to_ascii_lowercase();
        let base = unit_l
            .strip_suffix("bps")
            .or_else(|| unit_l.strip_suffix("bit/s"))
            .or_else(|| unit_l.strip_suffix("b/s"));
        let scale = match base {
            Some("") => 1,
            Some("k") => 1_000,
            Some("m") => 1_000_000,
            Some("g") => 1_000_000_000,
            Some("t") => 1_000_000_000_000,
            _ => {
                return Err(ParseUnitError::UnknownUnit {
                    unit: unit.to_string(),
                    text: text.to_string(),
                    expected: RATE_UNITS,
                });
            }
        };
        scaled_decimal(num, scale)
            .map(DataRate)
            .ok_or_else(|| ParseUnitError::OutOfRange(text.to_string()))
    }
}

impl FromStr for ByteSize {
    type Err = ParseUnitError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (num, unit) = split_number(text);
        if num.is_empty() {
            return Err(ParseUnitError::NotANumber(text.to_string()));
        }
        let scale: u64 = match unit {
            "" | "B" | "bytes" => 1,
            "kB" | "KB" => 1_000,
            "KiB" => 1 << 10,
            "MB" => 1_000_000,
            "MiB" => 1 << 20,
            "GB" => 1_000_000_000,
            "GiB" => 1 << 30,
            _ => {
                return Err(ParseUnitError::UnknownUnit {
                    unit: unit.to_string(),
                    text: text.to_string(),
                    expected: SIZE_UNITS,
                });
            }
        };
        scaled_decimal(num, scale)
            .map(ByteSize)
            .ok_or_else(|| ParseUnitError::OutOfRange(text.to_string()))
    }
}

impl fmt::Display for DataRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [
            (1_000_000_000_000, "Tbps"),
            (1_000_000_000, "Gbps"),
            (1_000_000, "Mbps"),
            (1_000, "kbps"),
        ];
        for (scale, unit) in units {
            if self.0 >= scale && self.0.is_multiple_of(scale) {
                return f.pad(&format!("{}{unit}", self.0 / scale));
            }
        }
        f.pad(&format!("{}bps", self.0))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
        for (scale, unit) in units {
            if self.0 >= scale && self.0.is_multiple_of(scale) {
                return f.pad(&format!("{}{unit}", self.0 / scale));
            }
        }
        f.pad(&format!("{}B", self.0))
    }
}

macro_rules! serde_via_str {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string with a unit")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$t, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$t, E> {
                        Ok(<$t>::from_base(v))
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$t, E> {
                        u64::try_from(v)
                            .map(<$t>::from_base)
                            .map_err(|_| E::custom("a negative value"))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

impl DataRate {
    fn from_base(v: u64) -> Self {
        DataRate(v)
    }
}
impl ByteSize {
    fn from_base(v: u64) -> Self {
        ByteSize(v)
    }
}

serde_via_str!(DataRate);
serde_via_str!(ByteSize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        assert_eq!("100Mbps".parse::<DataRate>().unwrap().bps(), 100_000_000);
        assert_eq!("1Gbps".parse::<DataRate>().unwrap().bps(), 1_000_000_000);
        assert_eq!("1.5Mbit/s".parse::<DataRate>().unwrap().bps(), 1_500_000);
        assert_eq!("64kbps".parse::<DataRate>().unwrap().bps(), 64_000);
        assert_eq!("9600bps".parse::<DataRate>().unwrap().bps(), 9_600);
        assert!("100Mbs".parse::<DataRate>().is_err());
        assert!("fast".parse::<DataRate>().is_err());
    }

    #[test]
    fn parses_sizes() {
        assert_eq!("64KiB".parse::<ByteSize>().unwrap().bytes(), 65_536);
        assert_eq!("1500B".parse::<ByteSize>().unwrap().bytes(), 1_500);
        assert_eq!("1MB".parse::<ByteSize>().unwrap().bytes(), 1_000_000);
        assert_eq!("1500".parse::<ByteSize>().unwrap().bytes(), 1_500);
        assert!("1.5B".parse::<ByteSize>().is_err());
        assert!("3 apples".parse::<ByteSize>().is_err());
    }

    #[test]
    fn prints_round_trip() {
        for r in ["100Mbps", "1Gbps", "1500kbps", "7bps"] {
            assert_eq!(r.parse::<DataRate>().unwrap().to_string(), r);
        }
        for s in ["64KiB", "1500B", "2MiB"] {
            assert_eq!(s.parse::<ByteSize>().unwrap().to_string(), s);
        }
    }
}
