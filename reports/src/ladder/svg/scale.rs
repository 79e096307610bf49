//! The vertical time axis of a ladder: one band per row, in send order.
//!
//! Exact time scale makes a handshake a few pixels tall next to a one-second
//! retransmission timeout, and puts the labels of a burst of segments on top
//! of each other. So, as in the text ladder, each row gets its own band of
//! [`ROW_H`] pixels, and time in between is linear from one row to the next:
//! an arrival (or a drop, or a router hop) between two rows is drawn between
//! their bands in proportion, so arrows still slant by their real transit
//! time relative to what happened around them. Arrivals after the last row,
//! or inside a long gap between rows, get bands of their own. A pause of
//! [`PAUSE`] or more with nothing in flight is drawn with extra room and a
//! break in the lifelines.

use sim_core::{SimDuration, SimTime};

/// Height of a row's band, px.
pub(super) const ROW_H: f64 = 24.0;
/// Extra room for a pause, px.
pub(super) const PAUSE_H: f64 = 18.0;
/// A gap at least this long between rows, with nothing in flight, is a pause.
pub(super) const PAUSE: SimDuration = SimDuration::from_millis(100);

/// Instants and where they are drawn.
#[derive(Debug)]
pub(super) struct TimeScale {
    /// (time, y), y increasing, times not decreasing.
    stops: Vec<(SimTime, f64)>,
    /// The y of each row.
    rows: Vec<f64>,
    /// The y ranges of the pauses (where lifelines break).
    pub(super) pauses: Vec<(f64, f64)>,
}

impl TimeScale {
    /// A scale with a band for each of `rows` (their times, in order) from
    /// `top`. Of the `later` instants (arrivals, drops), those after the last
    /// row or inside a gap of [`PAUSE`] or more between two rows get bands of
    /// their own too, so that a segment crossing such a gap is not drawn as
    /// if it arrived at once. `busy` holds (from, to) spans when something is
    /// in flight.
    pub(super) fn new(
        rows: &[SimTime],
        later: &[SimTime],
        busy: &[(SimTime, SimTime)],
        top: f64,
    ) -> TimeScale {
        let in_long_gap = |t: SimTime| {
            let after = rows.partition_point(|r| *r <= t);
            match (after.checked_sub(1).map(|b| rows[b]), rows.get(after)) {
                (Some(_), None) => true,
                (Some(a), Some(b)) => b.saturating_since(a) >= PAUSE && t > a,
                (None, _) => false,
            }
        };
        let mut extra: Vec<SimTime> = later.iter().copied().filter(|t| in_long_gap(*t)).collect();
        extra.sort();
        extra.dedup();
        // Rows first at equal times, so an instant shared with a row is the row.
        let mut all: Vec<(SimTime, Option<usize>)> = rows
            .iter()
            .enumerate()
            .map(|(k, t)| (*t, Some(k)))
            .collect();
        all.extend(
            extra
                .iter()
                .filter(|t| !rows.contains(t))
                .map(|t| (*t, None)),
        );
        all.sort_by_key(|&(t, row)| (t, row.is_none()));
        let mut stops: Vec<(SimTime, f64)> = Vec::new();
        let mut row_ys = vec![top; rows.len()];
        let mut pauses = Vec::new();
        for (t, row) in all {
            let mut y = top;
            if let Some(&(prev, prev_y)) = stops.last() {
                y = prev_y + ROW_H;
                let idle = !busy.iter().any(|&(a, b)| a <= prev && b > prev);
                if t.saturating_since(prev) >= PAUSE && idle {
                    pauses.push((prev_y + ROW_H * 0.35, prev_y + ROW_H * 0.35 + PAUSE_H));
                    y += PAUSE_H;
                }
            }
            if let Some(k) = row {
                row_ys[k] = y;
            }
            stops.push((t, y));
        }
        TimeScale {
            stops,
            rows: row_ys,
            pauses,
        }
    }

    /// The y of row `k`.
    pub(super) fn row_y(&self, k: usize) -> f64 {
        self.rows[k]
    }

    /// The y of the last band.
    pub(super) fn bottom(&self) -> f64 {
        self.stops.last().map_or(0.0, |s| s.1)
    }

    /// The y of instant `t`: the first band at exactly `t`, or in proportion
    /// between the last band before it and the first after it.
    pub(super) fn y(&self, t: SimTime) -> f64 {
        let after = self.stops.partition_point(|&(s, _)| s < t);
        match (after.checked_sub(1), self.stops.get(after)) {
            (_, Some(&(s, y))) if s == t => y,
            (Some(before), Some(&(t1, y1))) => {
                let (t0, y0) = self.stops[before];
                let span = (t1 - t0).as_nanos() as f64;
                let part = (t - t0).as_nanos() as f64;
                y0 + (y1 - y0) * part / span
            }
            (None, Some(&(_, y))) => y,
            (Some(before), None) => self.stops[before].1,
            (None, None) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimTime {
        SimTime::from_nanos(v * 1_000_000)
    }

    #[test]
    fn bands_per_row_and_proportion_between() {
        let s = TimeScale::new(&[ms(0), ms(10), ms(10), ms(30)], &[ms(40)], &[], 100.0);
        assert_eq!(s.row_y(0), 100.0);
        assert_eq!(s.row_y(2), 148.0);
        // An instant shared by two rows is the first of them.
        assert_eq!(s.y(ms(10)), 124.0);
        // Half way from the second row at 10 ms to the row at 30 ms.
        assert_eq!(s.y(ms(20)), 160.0);
        assert_eq!(s.y(ms(40)), 196.0);
        assert!(s.pauses.is_empty());
    }

    #[test]
    fn an_arrival_inside_a_long_gap_gets_a_band_then_the_pause() {
        // A segment sent at 0 arrives at 10 ms; the next row is 2 s later.
        let s = TimeScale::new(&[ms(0), ms(2000)], &[ms(10)], &[(ms(0), ms(10))], 0.0);
        assert_eq!(s.y(ms(10)), ROW_H);
        assert_eq!(s.row_y(1), 2.0 * ROW_H + PAUSE_H);
        assert_eq!(s.pauses.len(), 1);
    }

    #[test]
    fn an_idle_pause_gets_room() {
        let s = TimeScale::new(&[ms(0), ms(1000)], &[], &[], 0.0);
        assert_eq!(s.row_y(1), ROW_H + PAUSE_H);
        assert_eq!(s.pauses.len(), 1);
        // Not when a segment is in flight across it.
        let s = TimeScale::new(&[ms(0), ms(1000)], &[], &[(ms(0), ms(1000))], 0.0);
        assert_eq!(s.row_y(1), ROW_H);
    }
}
