//! Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A sequence (or acknowledgment) number, with arithmetic modulo 2^32 (RFC
/// 9293 §3.4).
///
/// `seq + n` and `seq - n` wrap; `a - b` is the signed distance from `b` to
/// `a`. The comparisons [`lt`](TcpSeq::lt), [`le`](TcpSeq::le),
/// [`gt`](TcpSeq::gt) and [`ge`](TcpSeq::ge) use that signed 32-bit distance,
/// as every TCP does, so they are only meaningful for numbers within 2^31 of
/// each other. That relation is not transitive over the whole space, which is
/// why `TcpSeq` deliberately implements neither `PartialOrd` nor `Ord`: sorting
/// or keying an ordered map by it would silently misbehave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpSeq(pub u32);

impl TcpSeq {
    /// `self` comes before `other` (`self - other < 0`).
    pub fn lt(self, other: TcpSeq) -> bool {
        self - other < 0
    }

    /// `self` comes before or is `other`.
    pub fn le(self, other: TcpSeq) -> bool {
        self - other <= 0
    }

    /// `self` comes after `other` (`self - other > 0`).
    pub fn gt(self, other: TcpSeq) -> bool {
        self - other > 0
    }

    /// `self` comes after or is `other`.
    pub fn ge(self, other: TcpSeq) -> bool {
        self - other >= 0
    }

    /// The later of the two (`self` when equal).
    pub fn max(self, other: TcpSeq) -> TcpSeq {
        if other.gt(self) { other } else { self }
    }

    /// The earlier of the two (`self` when equal).
    pub fn min(self, other: TcpSeq) -> TcpSeq {
        if other.lt(self) { other } else { self }
    }
}

impl Add<usize> for TcpSeq {
    type Output = TcpSeq;

    /// Advances by `n` modulo 2^32.
    fn add(self, n: usize) -> TcpSeq {
        TcpSeq(self.0.wrapping_add(n as u32))
    }
}

impl AddAssign<usize> for TcpSeq {
    fn add_assign(&mut self, n: usize) {
        *self = *self + n;
    }
}

impl Sub<usize> for TcpSeq {
    type Output = TcpSeq;

    /// Goes back by `n` modulo 2^32.
    fn sub(self, n: usize) -> TcpSeq {
        TcpSeq(self.0.wrapping_sub(n as u32))
    }
}

impl Sub<TcpSeq> for TcpSeq {
    type Output = i32;

    /// The signed distance from `other` to `self`: positive when `self` is later.
    fn sub(self, other: TcpSeq) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }
}

impl fmt::Display for TcpSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
