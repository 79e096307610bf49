//! Proportional rate reduction (RFC 6937 §3), the slow-start reduction
//! bound (PRR-SSRB, the variant RFC 6937 §6 recommends).
//!
//! During fast recovery PRR spreads the window reduction over the recovery
//! round trip: while the pipe is above ssthresh, what is sent follows what
//! the receiver reports delivered in the proportion ssthresh / RecoverFS;
//! once the pipe fell to ssthresh or below, sending catches up toward
//! ssthresh, at most one segment more per ACK than was delivered.
//!
//! The connection computes DeliveredData and the pipe (RFC 6675 with SACK,
//! an estimate without), asks [`Prr::on_ack`] for sndcnt, and reports every
//! byte it then sends, retransmissions included, with [`Prr::on_send`].
//!
//! RecoverFS is the flight at the start of recovery without the data the
//! peer had already SACKed (the refinement of RFC 9937, which obsoletes RFC
//! 6937: SACKed data is not in flight). This reproduces the pipe values of
//! the single-loss example of RFC 6937 §3.1.

/// The PRR state of one recovery episode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prr {
    /// RecoverFS: bytes in flight when recovery began.
    recover_fs: usize,
    /// prr_delivered: bytes delivered to the receiver since recovery began.
    delivered: usize,
    /// prr_out: bytes sent since recovery began.
    out: usize,
    /// What the last ACK's sndcnt still allows.
    allowance: usize,
}

impl Prr {
    /// The state at the start of recovery: nothing delivered or sent yet.
    pub fn new(recover_fs: usize) -> Prr {
        Prr {
            recover_fs: recover_fs.max(1),
            delivered: 0,
            out: 0,
            allowance: 0,
        }
    }

    /// An ACK during recovery reported `delivered_data` bytes delivered
    /// (DeliveredData), leaving `pipe` bytes in flight; the congestion
    /// controller's target is `ssthresh`. Returns sndcnt, the bytes this ACK
    /// lets the connection send (RFC 6937 §3).
    pub fn on_ack(
        &mut self,
        delivered_data: usize,
        pipe: usize,
        ssthresh: usize,
        smss: usize,
    ) -> usize {
        self.delivered += delivered_data;
        let sndcnt = if pipe > ssthresh {
            // Proportional rate reduction: CEIL(prr_delivered · ssthresh / RecoverFS) − prr_out.
            let target =
                (self.delivered as u128 * ssthresh as u128).div_ceil(self.recover_fs as u128);
            (target.min(usize::MAX as u128) as usize).saturating_sub(self.out)
        } else {
            // Slow-start reduction bound: limit = MAX(prr_delivered − prr_out,
            // DeliveredData) + MSS; sndcnt = MIN(ssthresh − pipe, limit).
            let limit = self.delivered.saturating_sub(self.out).max(delivered_data) + smss;
            (ssthresh - pipe).min(limit)
        };
        self.allowance = sndcnt;
        sndcnt
    }

    /// `bytes` were sent (prr_out += data sent).
    pub fn on_send(&mut self, bytes: usize) {
        self.out += bytes;
        self.allowance = self.allowance.saturating_sub(bytes);
    }

    /// Bytes the current ACK still allows to be sent.
    pub fn allowance(&self) -> usize {
        self.allowance
    }

    /// The allowance in whole segments of `smss` bytes, rounded up: a
    /// segment may go while any allowance is left, as when sndcnt is counted
    /// in segments (the RFC's examples, Linux). What a segment takes beyond
    /// the allowance counts in prr_out, so the next ACK's sndcnt is smaller.
    pub fn budget(&self, smss: usize) -> usize {
        self.allowance.div_ceil(smss) * smss
    }

    /// prr_delivered.
    pub fn delivered(&self) -> usize {
        self.delivered
    }

    /// prr_out.
    pub fn out(&self) -> usize {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units of one segment, so the numbers read as in the RFC's figures.
    const SEG: usize = 1;

    /// RFC 6937 §3.1, first example: cwnd = FlightSize = 20 segments,
    /// ssthresh 10, segment 0 lost; limited transmit sent segments 20 and 21
    /// on ACKs 1 and 2 (the SACKs of segments 1 and 2); ACK 3 starts
    /// recovery. Each later ACK SACKs one more segment.
    #[test]
    fn rfc6937_single_loss_sends_every_other_ack_and_ends_at_ssthresh() {
        // RecoverFS: 22 outstanding, minus the 2 SACKed before ACK 3.
        let mut prr = Prr::new(20);
        // Pipe before ACK 3's transmissions: 22 − 3 SACKed − 1 lost.
        let mut pipe = 18;
        let mut sent = Vec::new();
        let mut pipes = Vec::new();
        for ack in 3..=19 {
            if ack > 3 {
                pipe -= 1; // one more segment SACKed
            }
            let n = prr.on_ack(1, pipe, 10, SEG);
            prr.on_send(n);
            pipe += n;
            sent.push(n);
            pipes.push(pipe);
        }
        // ACK:       3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19
        assert_eq!(sent, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0]);
        // The pipe after each ACK: the figure's row from ACK 4 on.
        assert_eq!(
            pipes,
            [
                19, 18, 18, 17, 17, 16, 16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 10
            ]
        );
        assert_eq!((prr.delivered(), prr.out()), (17, 8));
    }

    /// RFC 6937 §3.1, second example: segments 0-14 lost, ACKs 15 and 16
    /// released two new segments (limited transmit), ACK 17 starts recovery
    /// with the pipe at 4. PRR-SSRB sends 2 per ACK (the figure's "2R 2R 2R").
    #[test]
    fn rfc6937_burst_loss_slow_starts_back_toward_ssthresh() {
        let mut prr = Prr::new(20);
        let mut pipe = 4;
        let mut sent = Vec::new();
        for ack in 17..=19 {
            if ack > 17 {
                pipe -= 1;
            }
            let n = prr.on_ack(1, pipe, 10, SEG);
            prr.on_send(n);
            pipe += n;
            sent.push(n);
        }
        assert_eq!(sent, [2, 2, 2]);
        assert_eq!(pipe, 8);
    }

    #[test]
    fn the_reduction_bound_never_exceeds_ssthresh_minus_pipe() {
        let mut prr = Prr::new(20_000);
        assert_eq!(prr.on_ack(5000, 9000, 10_000, 1000), 1000);
        assert_eq!(prr.allowance(), 1000);
        prr.on_send(600);
        assert_eq!(prr.allowance(), 400);
        prr.on_send(1000);
        assert_eq!(prr.allowance(), 0);
    }

    #[test]
    fn the_budget_rounds_up_to_whole_segments() {
        let mut prr = Prr::new(14_600);
        // CEIL(1460 · 7300 / 14600) = 730 bytes: one segment may go.
        assert_eq!(prr.on_ack(1460, 13_000, 7300, 1460), 730);
        assert_eq!(prr.budget(1460), 1460);
        prr.on_send(1460);
        assert_eq!(prr.budget(1460), 0);
        // The next ACK's share is what the segment did not use up: none.
        assert_eq!(prr.on_ack(1460, 13_000, 7300, 1460), 0);
    }

    #[test]
    fn bytes_round_up_in_the_proportional_part() {
        // CEIL(1460 · 7300 / 14600) = 730.
        let mut prr = Prr::new(14_600);
        assert_eq!(prr.on_ack(1460, 13_000, 7300, 1460), 730);
        // Nothing sent: the next ACK's share adds to it.
        assert_eq!(prr.on_ack(1, 13_000, 7300, 1460), 731);
    }
}
