//! The windowed max filter behind BBR.BtlBw
//! (draft-cardwell-iccrg-bbr-congestion-control-00 §4.1.1.2): the largest
//! sample of the last `window` time units (for BtlBw, round trips).
//!
//! Exact rather than Kathleen Nichols' three-sample approximation (which
//! Linux uses): a deque of samples with decreasing values, each newer than
//! the one before. A new sample removes every older one it beats, and
//! samples older than the window fall off the front, so the front is the
//! maximum. Amortized O(1) per update.

use std::collections::VecDeque;

/// The maximum of the samples of the last `window` time units.
#[derive(Clone, Debug)]
pub struct WindowedMax {
    window: u64,
    /// (time, value), times increasing, values decreasing.
    samples: VecDeque<(u64, u64)>,
}

impl WindowedMax {
    /// An empty filter over `window` time units: a sample taken at `t`
    /// counts until the filter is updated at `t + window`.
    pub fn new(window: u64) -> WindowedMax {
        WindowedMax {
            window,
            samples: VecDeque::new(),
        }
    }

    /// Adds `value` measured at time `t` (never earlier than the last update).
    pub fn update(&mut self, t: u64, value: u64) {
        while self.samples.back().is_some_and(|&(_, v)| v <= value) {
            self.samples.pop_back();
        }
        self.samples.push_back((t, value));
        while self
            .samples
            .front()
            .is_some_and(|&(s, _)| s.saturating_add(self.window) <= t)
        {
            self.samples.pop_front();
        }
    }

    /// The maximum over the window (0 before any sample).
    pub fn get(&self) -> u64 {
        self.samples.front().map_or(0, |&(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peak_counts_for_exactly_the_window() {
        let mut f = WindowedMax::new(10);
        assert_eq!(f.get(), 0);
        f.update(1, 500);
        f.update(2, 900);
        f.update(3, 400);
        assert_eq!(f.get(), 900);
        // The 900 of round 2 counts through round 11 and is gone at round 12,
        // when the best left is the 400 of round 3... until 13.
        f.update(11, 300);
        assert_eq!(f.get(), 900);
        f.update(12, 100);
        assert_eq!(f.get(), 400);
        f.update(13, 100);
        assert_eq!(f.get(), 300);
        // A larger sample takes over at once.
        f.update(14, 1000);
        assert_eq!(f.get(), 1000);
    }
}
