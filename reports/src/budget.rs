//! A line budget shared by the streaming sinks (`trace_limit`, `print_limit`).

/// What to do with the next line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Within the budget: write it.
    Write,
    /// The first line over the budget: write the truncation note instead.
    Truncate,
    /// Already truncated: count it and move on.
    Skip,
}

/// Counts lines against an optional limit.
#[derive(Clone, Debug)]
pub(crate) struct Budget {
    /// `None` is unlimited.
    limit: Option<u64>,
    /// Lines admitted.
    written: u64,
    /// Lines refused (including the one that triggered the note).
    skipped: u64,
}

impl Budget {
    /// A budget of `limit` lines, where 0 means unlimited (`trace_limit`).
    pub(crate) fn zero_unlimited(limit: u64) -> Budget {
        Budget::exactly((limit != 0).then_some(limit))
    }

    /// A budget of exactly `limit` lines, `None` for unlimited.
    pub(crate) fn exactly(limit: Option<u64>) -> Budget {
        Budget {
            limit,
            written: 0,
            skipped: 0,
        }
    }

    /// Decides about the next line.
    pub(crate) fn admit(&mut self) -> Verdict {
        match self.limit {
            Some(limit) if self.written >= limit => {
                self.skipped += 1;
                if self.skipped == 1 {
                    Verdict::Truncate
                } else {
                    Verdict::Skip
                }
            }
            _ => {
                self.written += 1;
                Verdict::Write
            }
        }
    }

    /// Lines admitted so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Lines refused so far.
    pub(crate) fn skipped(&self) -> u64 {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_unlimited() {
        let mut b = Budget::zero_unlimited(0);
        for _ in 0..10_000 {
            assert_eq!(b.admit(), Verdict::Write);
        }
        assert_eq!(b.written(), 10_000);
    }

    #[test]
    fn truncates_once_then_counts() {
        let mut b = Budget::zero_unlimited(2);
        let v: Vec<Verdict> = (0..5).map(|_| b.admit()).collect();
        use Verdict::*;
        assert_eq!(v, [Write, Write, Truncate, Skip, Skip]);
        assert_eq!((b.written(), b.skipped()), (2, 3));
    }

    #[test]
    fn exactly_zero_refuses_everything() {
        let mut b = Budget::exactly(Some(0));
        assert_eq!(b.admit(), Verdict::Truncate);
        assert_eq!(b.skipped(), 1);
    }
}
