//! The sender's SACK scoreboard and the loss-recovery routines of RFC 6675
//! §4: `Update()`, `IsLost()`, `SetPipe()` and `NextSeg()`, with the recovery
//! variables `HighRxt` and `RescueRxt`.
//!
//! The scoreboard holds the ranges the peer reported in SACK blocks (RFC 2018)
//! between SND.UNA and SND.MAX, merged and in sequence order. The connection
//! supplies SND.UNA, SND.MAX (our `snd_max`, which the RFC calls HighData + 1),
//! DupThresh and SMSS, and decides what to do with a [`NextSeg`].
//!
//! Positions are sequence numbers *after* an octet (exclusive ends), as
//! SND.UNA is, where RFC 6675 names octets: HighACK is `snd_una - 1`,
//! [`Scoreboard::high_rxt`] is one past HighRxt, and
//! [`Scoreboard::rescue_rxt`] one past RescueRxt.
//!
//! Simplifications: D-SACK blocks (RFC 2883), which lie at or below SND.UNA,
//! are ignored; blocks beyond SND.MAX (which no correct receiver sends) are
//! clipped; "DupThresh discontiguous SACKed sequences" of `IsLost()` are read
//! as DupThresh SACK ranges, each a maximal run of SACKed octets.

use crate::wire::{SackBlock, TcpSeq};

/// What `NextSeg()` (RFC 6675 §4) says to send next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextSeg {
    /// Rule (1) or (3): retransmit `len` sequence numbers (at most SMSS, never
    /// into SACKed data) from `seq`.
    Retransmit {
        /// First sequence number.
        seq: TcpSeq,
        /// Length in sequence space.
        len: usize,
    },
    /// Rule (2): send new data, if the caller has some and the receive window allows.
    NewData,
    /// Rule (4): the one rescue retransmission per recovery, the last SMSS of
    /// unSACKed data below SND.MAX.
    Rescue {
        /// First sequence number.
        seq: TcpSeq,
        /// Length in sequence space.
        len: usize,
    },
    /// Nothing may be sent.
    Nothing,
}

/// The SACK scoreboard of one connection (RFC 6675 §3).
#[derive(Clone, Debug, Default)]
pub struct Scoreboard {
    /// SACKed ranges `[left, right)`, ascending, disjoint and not adjacent.
    ranges: Vec<SackBlock>,
    /// One past the highest octet retransmitted in this recovery (HighRxt + 1).
    pub high_rxt: TcpSeq,
    /// One past RescueRxt; `None`: undefined (no rescue sent in this recovery).
    pub rescue_rxt: Option<TcpSeq>,
}

impl Scoreboard {
    /// An empty scoreboard.
    pub fn new() -> Scoreboard {
        Scoreboard::default()
    }

    /// Forgets every SACKed range (after a timeout: the receiver may have
    /// reneged, RFC 2018 §8, RFC 6675 §5.1) and the recovery variables.
    pub fn clear(&mut self) {
        self.ranges.clear();
        self.rescue_rxt = None;
    }

    /// The SACKed ranges, ascending.
    pub fn ranges(&self) -> &[SackBlock] {
        &self.ranges
    }

    /// SACKd: bytes covered by SACKed ranges.
    pub fn sacked_bytes(&self) -> usize {
        self.ranges.iter().map(|&(l, r)| (r - l) as usize).sum()
    }

    /// The right edge of the highest SACKed range (one past the highest
    /// SACKed octet), if any.
    pub fn highest_sacked(&self) -> Option<TcpSeq> {
        self.ranges.last().map(|&(_, r)| r)
    }

    /// Whether the octet at `seq` was SACKed.
    pub fn is_sacked(&self, seq: TcpSeq) -> bool {
        self.ranges.iter().any(|&(l, r)| seq.ge(l) && seq.lt(r))
    }

    /// `Update()` (RFC 6675 §3, §5): records the SACK blocks of an ACK whose
    /// cumulative acknowledgment is `snd_una`, for data up to `snd_max`.
    /// Returns how many bytes were SACKed for the first time (the SACK part
    /// of DeliveredData, RFC 6937 §2).
    pub fn update(&mut self, snd_una: TcpSeq, snd_max: TcpSeq, blocks: &[SackBlock]) -> usize {
        let before = self.sacked_bytes();
        for &(left, right) in blocks {
            let left = left.max(snd_una);
            let right = right.min(snd_max);
            if right.le(left) {
                continue; // D-SACK, stale or bogus
            }
            self.insert(left, right);
        }
        self.sacked_bytes() - before
    }

    fn insert(&mut self, left: TcpSeq, right: TcpSeq) {
        // Ranges that overlap or touch [left, right) merge with it.
        let first = self.ranges.partition_point(|&(_, r)| r.lt(left));
        let mut last = first;
        let (mut l, mut r) = (left, right);
        while last < self.ranges.len() && self.ranges[last].0.le(r) {
            l = l.min(self.ranges[last].0);
            r = r.max(self.ranges[last].1);
            last += 1;
        }
        self.ranges.splice(first..last, [(l, r)]);
    }

    /// The cumulative acknowledgment moved to `snd_una`: forgets what lies
    /// below it. Returns how many SACKed bytes it covered (they were
    /// delivered before: DeliveredData counts them once, RFC 6937 §2).
    pub fn advance(&mut self, snd_una: TcpSeq) -> usize {
        let mut covered = 0;
        self.ranges.retain_mut(|(l, r)| {
            if r.le(snd_una) {
                covered += (*r - *l) as usize;
                false
            } else {
                if l.lt(snd_una) {
                    covered += (snd_una - *l) as usize;
                    *l = snd_una;
                }
                true
            }
        });
        covered
    }

    /// `IsLost(SeqNum)` (RFC 6675 §4): DupThresh SACKed ranges above `seq`,
    /// or more than (DupThresh − 1)·SMSS SACKed bytes above it.
    pub fn is_lost(&self, seq: TcpSeq, dupthresh: u32, smss: usize) -> bool {
        let mut ranges = 0;
        let mut bytes = 0;
        for &(l, r) in self.ranges.iter().rev() {
            if r.le(seq + 1) {
                break;
            }
            bytes += (r - l.max(seq + 1)) as usize;
            if l.gt(seq) {
                ranges += 1;
            }
        }
        ranges >= dupthresh || bytes > (dupthresh as usize).saturating_sub(1) * smss
    }

    /// The unSACKed ranges ("holes") from `snd_una` to `snd_max`, ascending.
    pub fn holes(&self, snd_una: TcpSeq, snd_max: TcpSeq) -> Vec<SackBlock> {
        let mut holes = Vec::with_capacity(self.ranges.len() + 1);
        let mut at = snd_una;
        for &(l, r) in &self.ranges {
            if r.le(at) {
                continue;
            }
            if l.gt(at) {
                holes.push((at, l.min(snd_max)));
            }
            at = at.max(r);
        }
        if at.lt(snd_max) {
            holes.push((at, snd_max));
        }
        holes
    }

    /// `SetPipe()` (RFC 6675 §4): the sender's estimate of the bytes in
    /// flight. Every unSACKed octet from SND.UNA to SND.MAX counts once if it
    /// is not lost, and once more if it was retransmitted (it is below
    /// HighRxt). IsLost is the same for every octet of a hole (the SACKed
    /// data above them is the same), so the sum goes hole by hole, from the
    /// top down, counting the SACKed data above as it goes: O(ranges).
    pub fn pipe(&self, snd_una: TcpSeq, snd_max: TcpSeq, dupthresh: u32, smss: usize) -> usize {
        let lost_bytes = (dupthresh as usize).saturating_sub(1) * smss;
        let (mut ranges_above, mut bytes_above) = (0, 0);
        let mut below = self.ranges.len(); // ranges[below..] lie above the hole
        let mut pipe = 0;
        for (a, b) in self.holes(snd_una, snd_max).into_iter().rev() {
            while below > 0 && self.ranges[below - 1].0.ge(b) {
                below -= 1;
                let (l, r) = self.ranges[below];
                ranges_above += 1;
                bytes_above += (r - l) as usize;
            }
            // IsLost(a), as `is_lost` computes it.
            if !(ranges_above >= dupthresh || bytes_above > lost_bytes) {
                pipe += (b - a) as usize;
            }
            if self.high_rxt.gt(a) {
                pipe += (self.high_rxt.min(b) - a) as usize;
            }
        }
        pipe
    }

    /// `NextSeg()` (RFC 6675 §4). `new_data`: whether unsent data exists that
    /// the receive window allows (rule 2 is the caller's to carry out).
    pub fn next_seg(
        &self,
        snd_una: TcpSeq,
        snd_max: TcpSeq,
        new_data: bool,
        dupthresh: u32,
        smss: usize,
    ) -> NextSeg {
        let from = self.high_rxt.max(snd_una);
        // The first unSACKed sequence number above HighRxt and below the
        // highest SACKed octet (rule 1.a, 1.b). IsLost only falls with the
        // sequence number, so if it is not lost no later one is.
        let candidate = self.highest_sacked().and_then(|high| {
            self.holes(from, high)
                .into_iter()
                .next()
                .map(|(a, b)| (a, ((b - a) as usize).min(smss)))
        });
        if let Some((seq, len)) = candidate {
            // Rule (1): it is lost.
            if self.is_lost(seq, dupthresh, smss) {
                return NextSeg::Retransmit { seq, len };
            }
        }
        // Rule (2): new data.
        if new_data {
            return NextSeg::NewData;
        }
        // Rule (3): not (yet) lost, but unSACKed below the highest SACK.
        if let Some((seq, len)) = candidate {
            return NextSeg::Retransmit { seq, len };
        }
        // Rule (4): one rescue retransmission per recovery, once HighACK
        // passed RescueRxt: the last SMSS of unSACKed data.
        if self.rescue_rxt.is_none_or(|r| snd_una.gt(r)) {
            if let Some(&(a, b)) = self.holes(snd_una, snd_max).last() {
                let seq = a.max(b - smss.min((b - a) as usize));
                return NextSeg::Rescue {
                    seq,
                    len: (b - seq) as usize,
                };
            }
        }
        NextSeg::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 100;

    fn s(n: u32) -> TcpSeq {
        TcpSeq(n)
    }

    /// Segment `k` of 100 bytes, from 1000 on: [1000 + 100k, 1100 + 100k).
    fn seg(k: u32) -> SackBlock {
        (s(1000 + 100 * k), s(1100 + 100 * k))
    }

    fn board(blocks: &[SackBlock]) -> Scoreboard {
        let mut b = Scoreboard::new();
        b.update(s(1000), s(3000), blocks);
        b.high_rxt = s(1000);
        b
    }

    #[test]
    fn update_merges_blocks_and_counts_only_new_bytes() {
        let mut b = Scoreboard::new();
        assert_eq!(b.update(s(1000), s(3000), &[seg(2)]), 100);
        assert_eq!(b.update(s(1000), s(3000), &[seg(4), seg(2)]), 100);
        // Filling the gap between them merges all three.
        assert_eq!(b.update(s(1000), s(3000), &[(s(1250), s(1450))]), 100);
        assert_eq!(b.ranges(), [(s(1200), s(1500))]);
        assert_eq!(b.sacked_bytes(), 300);
        // Touching ranges merge too.
        assert_eq!(b.update(s(1000), s(3000), &[seg(5)]), 100);
        assert_eq!(b.ranges(), [(s(1200), s(1600))]);
        assert!(b.is_sacked(s(1200)) && b.is_sacked(s(1599)));
        assert!(!b.is_sacked(s(1199)) && !b.is_sacked(s(1600)));
    }

    #[test]
    fn dsack_and_out_of_range_blocks_are_ignored_or_clipped() {
        let mut b = Scoreboard::new();
        // RFC 2883 D-SACK: below SND.UNA.
        assert_eq!(b.update(s(1000), s(3000), &[(s(900), s(1000))]), 0);
        // Straddling SND.UNA or SND.MAX: clipped.
        assert_eq!(b.update(s(1000), s(3000), &[(s(950), s(1050))]), 50);
        assert_eq!(b.update(s(1000), s(3000), &[(s(2950), s(3100))]), 50);
        assert_eq!(b.ranges(), [(s(1000), s(1050)), (s(2950), s(3000))]);
    }

    #[test]
    fn sequence_numbers_wrap_around() {
        let mut b = Scoreboard::new();
        let una = s(u32::MAX - 149);
        b.update(una, una + 500, &[(una + 100, una + 300)]);
        assert_eq!(b.ranges(), [(una + 100, una + 300)]);
        assert_eq!(
            b.holes(una, una + 500),
            [(una, una + 100), (una + 300, una + 500)]
        );
        assert_eq!(b.advance(una + 200), 100);
        assert_eq!(b.ranges(), [(una + 200, una + 300)]);
    }

    #[test]
    fn advance_forgets_what_the_cumulative_ack_covers() {
        let mut b = board(&[seg(1), seg(3), seg(4)]);
        // SND.UNA to 1250: all of segment 1, none of 3 and 4.
        assert_eq!(b.advance(s(1250)), 100);
        assert_eq!(b.ranges(), [(s(1300), s(1500))]);
        assert_eq!(b.advance(s(1350)), 50);
        assert_eq!(b.ranges(), [(s(1350), s(1500))]);
        assert_eq!(b.advance(s(2000)), 150);
        assert_eq!(b.ranges(), []);
    }

    #[test]
    fn is_lost_needs_three_ranges_or_more_than_two_segments_above() {
        // RFC 6675 §4 IsLost with DupThresh 3.
        let b = board(&[seg(1), seg(2)]);
        assert!(!b.is_lost(s(1000), 3, MSS), "200 bytes above: not > 200");
        let b = board(&[seg(1), seg(2), seg(3)]);
        assert!(b.is_lost(s(1000), 3, MSS), "300 bytes above");
        assert!(
            b.is_lost(s(1100), 3, MSS),
            "an octet inside: 299 bytes above it"
        );
        assert!(!b.is_lost(s(1200), 3, MSS), "199 bytes above");
        // Three separate ranges of 10 bytes each: discontiguous sequences.
        let b = board(&[(s(1100), s(1110)), (s(1200), s(1210)), (s(1300), s(1310))]);
        assert!(b.is_lost(s(1000), 3, MSS));
        assert!(!b.is_lost(s(1150), 3, MSS), "two ranges above");
    }

    #[test]
    fn pipe_counts_unsacked_octets_not_lost_and_retransmissions_again() {
        // Segments 0..19 sent (1000..3000); 0, 5 and 6 lost; 1..4 and 7..9 SACKed.
        let mut b = board(&[(s(1100), s(1500)), (s(1700), s(2000))]);
        // Holes: [1000,1100) lost (7 SACKed above), [1500,1700) lost (3
        // segments above), [2000,3000) not lost: pipe = 1000.
        assert_eq!(b.pipe(s(1000), s(3000), 3, MSS), 1000);
        // Segment 0 retransmitted: HighRxt past it.
        b.high_rxt = s(1100);
        assert_eq!(b.pipe(s(1000), s(3000), 3, MSS), 1100);
        // A retransmission of an octet not (yet) lost counts twice.
        b.high_rxt = s(2050);
        assert_eq!(b.pipe(s(1000), s(3000), 3, MSS), 1000 + 100 + 200 + 50);
    }

    #[test]
    fn pipe_agrees_with_is_lost_octet_by_octet() {
        // RFC 6675's definition, one octet at a time, on an irregular board.
        let mut b = board(&[
            (s(1010), s(1020)),
            (s(1100), s(1250)),
            (s(1300), s(1310)),
            (s(1400), s(1410)),
            (s(1700), s(1900)),
        ]);
        for high_rxt in [1000, 1015, 1260, 1500, 2100] {
            b.high_rxt = s(high_rxt);
            let mut expected = 0;
            for o in 1000..3000 {
                if !b.is_sacked(s(o)) {
                    expected += usize::from(!b.is_lost(s(o), 3, MSS));
                    expected += usize::from(s(o).lt(b.high_rxt));
                }
            }
            assert_eq!(
                b.pipe(s(1000), s(3000), 3, MSS),
                expected,
                "HighRxt {high_rxt}"
            );
        }
    }

    #[test]
    fn next_seg_retransmits_lost_holes_in_order_then_sends_new_data() {
        // Segments 0, 5 and 6 lost.
        let mut b = board(&[(s(1100), s(1500)), (s(1700), s(2000))]);
        let next = |b: &Scoreboard, new| b.next_seg(s(1000), s(3000), new, 3, MSS);
        assert_eq!(
            next(&b, true),
            NextSeg::Retransmit {
                seq: s(1000),
                len: 100
            }
        );
        b.high_rxt = s(1100);
        assert_eq!(
            next(&b, true),
            NextSeg::Retransmit {
                seq: s(1500),
                len: 100
            }
        );
        b.high_rxt = s(1600);
        assert_eq!(
            next(&b, true),
            NextSeg::Retransmit {
                seq: s(1600),
                len: 100
            }
        );
        b.high_rxt = s(1700);
        assert_eq!(next(&b, true), NextSeg::NewData, "rule 2");
    }

    #[test]
    fn a_retransmission_stops_at_the_next_sacked_octet() {
        let b = board(&[(s(1050), s(1100)), (s(1200), s(1500))]);
        assert_eq!(
            b.next_seg(s(1000), s(3000), false, 3, MSS),
            NextSeg::Retransmit {
                seq: s(1000),
                len: 50
            }
        );
    }

    #[test]
    fn next_seg_rule_3_then_the_rescue_retransmission() {
        // Only segment 2 SACKed: segments 0 and 1 are not lost by IsLost.
        let mut b = board(&[seg(2)]);
        b.high_rxt = s(1000);
        let next = |b: &Scoreboard, new| b.next_seg(s(1000), s(1500), new, 3, MSS);
        assert_eq!(next(&b, true), NextSeg::NewData, "rule 2 before rule 3");
        assert_eq!(
            next(&b, false),
            NextSeg::Retransmit {
                seq: s(1000),
                len: 100
            },
            "rule 3"
        );
        // Everything below the highest SACK retransmitted: the rescue takes
        // the last SMSS of unSACKed data (rule 4), once per recovery.
        b.high_rxt = s(1200);
        assert_eq!(
            next(&b, false),
            NextSeg::Rescue {
                seq: s(1400),
                len: 100
            }
        );
        b.rescue_rxt = Some(s(1500));
        assert_eq!(next(&b, false), NextSeg::Nothing);
        // A short last hole is rescued whole.
        let mut b = board(&[(s(1000), s(1450))]);
        b.high_rxt = s(1000);
        assert_eq!(
            b.next_seg(s(1000), s(1480), false, 3, MSS),
            NextSeg::Rescue {
                seq: s(1450),
                len: 30
            }
        );
    }

    #[test]
    fn rescue_waits_until_highack_passes_rescue_rxt() {
        // RFC 6675 (4.3): at entry RescueRxt is the end of the first retransmission.
        let mut b = board(&[seg(1)]);
        b.high_rxt = s(1100);
        b.rescue_rxt = Some(s(1100));
        assert_eq!(
            b.next_seg(s(1000), s(1500), false, 3, MSS),
            NextSeg::Nothing
        );
        assert_eq!(
            b.next_seg(s(1200), s(1500), false, 3, MSS),
            NextSeg::Rescue {
                seq: s(1400),
                len: 100
            }
        );
    }

    #[test]
    fn clear_forgets_ranges_and_the_rescue() {
        let mut b = board(&[seg(1)]);
        b.rescue_rxt = Some(s(1100));
        b.clear();
        assert_eq!((b.ranges(), b.rescue_rxt), (&[][..], None));
        assert_eq!(b.holes(s(1000), s(1500)), [(s(1000), s(1500))]);
    }
}
