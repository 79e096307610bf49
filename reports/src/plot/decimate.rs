//! Bounded-memory decimation of time series for plotting.
//!
//! A [`Decimated`] series keeps, per time column, the first, lowest, highest
//! and last value it saw (with their times). Columns are aligned on multiples
//! of a width that starts at one microsecond and doubles whenever the series
//! would span more than [`MAX_COLUMNS`] columns; doubling merges neighbouring
//! columns pairwise, so a column always summarises exactly the samples of its
//! time slot. A sparse series (fewer samples than columns) is therefore kept
//! exactly, and a dense one (a 60-second 100 Mbit/s flow: half a million
//! samples) costs at most [`MAX_COLUMNS`] columns: about twice the pixel
//! columns of a plot, which is the min/max-per-pixel-column decimation that
//! keeps every spike visible. Of several samples at the same instant only
//! the last counts: a state that lasted no time is not drawn.

/// The most columns a series keeps (about two per pixel column of a plot).
pub(crate) const MAX_COLUMNS: u64 = 2048;
/// The narrowest column, in nanoseconds.
const BASE_WIDTH_NS: u64 = 1_000;

/// A sample: time in nanoseconds, value.
type Sample = (u64, f64);

#[derive(Clone, Copy, Debug, PartialEq)]
struct Column {
    index: u64,
    first: Sample,
    min: Sample,
    max: Sample,
    last: Sample,
}

impl Column {
    fn new(index: u64, s: Sample) -> Column {
        Column {
            index,
            first: s,
            min: s,
            max: s,
            last: s,
        }
    }

    fn add(&mut self, s: Sample) {
        if s.1 < self.min.1 {
            self.min = s;
        }
        if s.1 > self.max.1 {
            self.max = s;
        }
        self.last = s;
    }

    /// Folds a later column into this one.
    fn absorb(&mut self, later: &Column) {
        if later.min.1 < self.min.1 {
            self.min = later.min;
        }
        if later.max.1 > self.max.1 {
            self.max = later.max;
        }
        self.last = later.last;
    }
}

/// A time series decimated to at most [`MAX_COLUMNS`] columns as it grows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Decimated {
    width_ns: u64,
    columns: Vec<Column>,
    /// The latest sample, held back until a later instant comes.
    pending: Option<Sample>,
}

impl Default for Decimated {
    fn default() -> Decimated {
        Decimated {
            width_ns: BASE_WIDTH_NS,
            columns: Vec::new(),
            pending: None,
        }
    }
}

impl Decimated {
    /// Adds a sample at `t_ns`; samples must come in time order.
    pub(crate) fn push(&mut self, t_ns: u64, value: f64) {
        match self.pending {
            Some((t, _)) if t == t_ns => {}
            Some((t, v)) => self.commit(t, v),
            None => {}
        }
        self.pending = Some((t_ns, value));
    }

    fn commit(&mut self, t_ns: u64, value: f64) {
        let index = t_ns / self.width_ns;
        match self.columns.last_mut() {
            Some(c) if c.index == index => c.add((t_ns, value)),
            _ => self.columns.push(Column::new(index, (t_ns, value))),
        }
        while self.span_columns() > MAX_COLUMNS {
            self.widen();
        }
    }

    fn span_columns(&self) -> u64 {
        match (self.columns.first(), self.columns.last()) {
            (Some(a), Some(b)) => b.index - a.index + 1,
            _ => 0,
        }
    }

    /// Doubles the column width, merging neighbours.
    fn widen(&mut self) {
        self.width_ns *= 2;
        let mut merged: Vec<Column> = Vec::with_capacity(self.columns.len() / 2 + 1);
        for c in &self.columns {
            let index = c.index / 2;
            match merged.last_mut() {
                Some(m) if m.index == index => m.absorb(c),
                _ => merged.push(Column { index, ..*c }),
            }
        }
        self.columns = merged;
    }

    /// The lowest value pushed.
    pub(crate) fn min(&self) -> Option<f64> {
        let pending = self.pending.map(|p| p.1);
        self.columns
            .iter()
            .map(|c| c.min.1)
            .chain(pending)
            .reduce(f64::min)
    }

    /// The points to draw, in time order, times in seconds: per column its
    /// first, lowest, highest and last sample, each once.
    pub(crate) fn points(&self) -> Vec<(f64, f64)> {
        let mut all = self.clone();
        if let Some((t, v)) = all.pending.take() {
            all.commit(t, v);
        }
        let mut out = Vec::with_capacity(all.columns.len() * 2);
        for c in &all.columns {
            let mut four = [c.first, c.min, c.max, c.last];
            four.sort_by_key(|s| s.0);
            let mut prev: Option<Sample> = None;
            for s in four {
                if prev != Some(s) {
                    out.push((s.0 as f64 / 1e9, s.1));
                }
                prev = Some(s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_series_is_kept_exactly() {
        let mut d = Decimated::default();
        for (t, v) in [
            (1_000_000_000, 1.0),
            (1_500_000_000, 5.0),
            (2_000_000_000, 2.0),
        ] {
            d.push(t, v);
        }
        assert_eq!(d.points(), [(1.0, 1.0), (1.5, 5.0), (2.0, 2.0)]);
        assert_eq!(d.min(), Some(1.0));
    }

    #[test]
    fn of_samples_at_one_instant_the_last_counts() {
        let mut d = Decimated::default();
        for (t, v) in [
            (1_000, 0.0),
            (2_000, 1.0),
            (2_000, 0.0),
            (3_000, 4.0),
            (3_000, 5.0),
        ] {
            d.push(t, v);
        }
        assert_eq!(d.points(), [(1e-6, 0.0), (2e-6, 0.0), (3e-6, 5.0)]);
        assert_eq!(d.min(), Some(0.0));
    }

    #[test]
    fn a_dense_series_keeps_every_extreme_in_bounded_columns() {
        let mut d = Decimated::default();
        // One sample per microsecond for a second: a million samples, a spike
        // of 1000 at 0.3 s and a dip of -1000 at 0.7 s.
        for i in 0..1_000_000u64 {
            let v = match i {
                300_000 => 1000.0,
                700_000 => -1000.0,
                _ => (i % 7) as f64,
            };
            d.push(i * 1_000, v);
        }
        assert!(d.columns.len() as u64 <= MAX_COLUMNS, "{}", d.columns.len());
        let pts = d.points();
        assert!(pts.len() <= 4 * MAX_COLUMNS as usize);
        assert!(pts.contains(&(0.3, 1000.0)), "spike kept");
        assert!(pts.contains(&(0.7, -1000.0)), "dip kept");
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0), "time order");
        assert_eq!(pts.first(), Some(&(0.0, 0.0)));
        assert_eq!(pts.last(), Some(&(0.999999, (999_999 % 7) as f64)));
    }
}
