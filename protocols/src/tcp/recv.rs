//! The receive buffer: reassembly of segment data (RFC 9293 §3.10.7.4,
//! "seventh, process the segment text") and the SACK blocks that describe the
//! out-of-order data it holds (RFC 2018 §4).
//!
//! Internally every byte has a `u64` stream offset: 0 is the RCV.NXT the
//! buffer was made with (IRS + 1). Sequence numbers are converted at the API
//! boundary with the wrapping distance from RCV.NXT, so wraparound of the
//! 32-bit sequence space never reaches the ordered maps.
//!
//! Window accounting: the buffer holds at most `capacity` bytes. In-order
//! bytes the application has not read take room; out-of-order bytes sit
//! *inside* the window they arrived in, so the advertised window is
//! `capacity - readable()` and data is kept only within
//! `[RCV.NXT, RCV.NXT + window())`. Counting out-of-order bytes a second time
//! would move the right edge left whenever a segment arrives out of order,
//! shrinking the window (RFC 9293 §3.8.6.2.2 says the receiver SHOULD NOT)
//! and throwing away data the peer was allowed to send. The right edge only
//! ever moves right: in-order data advances RCV.NXT and fills the buffer by the
//! same amount, and reading makes room.
//!
//! Simplifications: no D-SACK (RFC 2883) blocks; the FIN is not stored here
//! (the connection calls [`RecvBuffer::advance_for_fin`] when it is in order).

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

use crate::wire::TcpSeq;

/// What [`RecvBuffer::insert`] did with a segment's data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// Bytes that advanced RCV.NXT: this segment's in-order bytes plus any
    /// out-of-order data it made contiguous.
    pub in_order: usize,
    /// Some new bytes were queued beyond RCV.NXT (a hole remains before them).
    pub out_of_order: bool,
    /// Nothing new at all: every byte was already received or outside the
    /// window. An empty segment is not a duplicate.
    pub duplicate: bool,
}

/// A maximal run of contiguous out-of-order bytes: one SACK block.
#[derive(Clone, Copy, Debug)]
struct Block {
    /// Stream offset just past the run.
    end: u64,
    /// When a segment last landed in the run (larger is more recent).
    stamp: u64,
}

/// Received data: in-order bytes waiting for the application, and
/// out-of-order bytes waiting for the hole before them to fill.
#[derive(Clone, Debug)]
pub struct RecvBuffer {
    /// RCV.NXT when the buffer was made: stream offset 0.
    origin: TcpSeq,
    /// Stream offset of RCV.NXT.
    nxt: u64,
    /// In-order bytes not yet read, oldest first.
    readable: VecDeque<Bytes>,
    readable_len: usize,
    /// Out-of-order chunks keyed by stream offset; they never overlap.
    ooo: BTreeMap<u64, Bytes>,
    ooo_len: usize,
    /// The same bytes as `ooo`, as maximal runs keyed by start offset. Always
    /// above `nxt` with a gap before each (a run reaching `nxt` is delivered).
    blocks: BTreeMap<u64, Block>,
    /// Recency counter for [`Block::stamp`].
    stamp: u64,
    capacity: usize,
}

impl RecvBuffer {
    /// An empty buffer. `rcv_nxt` = IRS + 1 after the SYN; `capacity` = buffer
    /// size in bytes.
    pub fn new(rcv_nxt: TcpSeq, capacity: usize) -> Self {
        RecvBuffer {
            origin: rcv_nxt,
            nxt: 0,
            readable: VecDeque::new(),
            readable_len: 0,
            ooo: BTreeMap::new(),
            ooo_len: 0,
            blocks: BTreeMap::new(),
            stamp: 0,
            capacity,
        }
    }

    /// RCV.NXT: the next sequence number expected.
    pub fn rcv_nxt(&self) -> TcpSeq {
        self.seq_at(self.nxt)
    }

    /// Receive window to advertise (unscaled bytes): capacity minus the
    /// in-order bytes the application has not read yet. Out-of-order bytes
    /// already lie inside this window and are not subtracted again (see the
    /// module documentation).
    pub fn window(&self) -> usize {
        self.capacity.saturating_sub(self.readable_len)
    }

    /// Buffer size in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes held beyond a hole.
    pub fn out_of_order_bytes(&self) -> usize {
        self.ooo_len
    }

    /// Offers a segment's data starting at `seq`.
    ///
    /// Only bytes inside `[RCV.NXT, RCV.NXT + window())` are kept: both ends
    /// are trimmed (the connection checks acceptability, RFC 9293 §3.10.7.4,
    /// separately). Bytes already held are trimmed too: the first copy wins.
    /// In-order data advances RCV.NXT and pulls any out-of-order data that is
    /// now contiguous along with it.
    ///
    /// `seq` is interpreted within 2^31 of RCV.NXT, like every sequence
    /// comparison.
    pub fn insert(&mut self, seq: TcpSeq, data: Bytes) -> Accepted {
        if data.is_empty() {
            return Accepted::default();
        }
        // Relative to RCV.NXT; i64 so that seq + len cannot overflow.
        let rel = i64::from(seq - self.rcv_nxt());
        let lo = rel.max(0);
        let hi = (rel + data.len() as i64).min(self.window() as i64);
        if hi <= lo {
            return Accepted {
                duplicate: true,
                ..Accepted::default()
            };
        }
        let data = data.slice((lo - rel) as usize..(hi - rel) as usize);
        let before = self.nxt;
        let start = before + lo as u64;
        if start == before && self.blocks.is_empty() {
            // The common case: in order, nothing queued.
            self.deliver(data);
        } else {
            let new = self.fill_gaps(start, data);
            if new == 0 {
                // Entirely within held out-of-order data: still the most recent
                // segment for the SACK order (RFC 2018 §4).
                self.merge_block(start, start + (hi - lo) as u64);
                return Accepted {
                    duplicate: true,
                    ..Accepted::default()
                };
            }
            self.merge_block(start, start + (hi - lo) as u64);
            self.pull_in_order();
        }
        Accepted {
            in_order: (self.nxt - before) as usize,
            out_of_order: start > before,
            duplicate: false,
        }
    }

    /// Bytes the application can read now.
    pub fn readable(&self) -> usize {
        self.readable_len
    }

    /// Reads up to `max` in-order bytes, as the chunks they arrived in (the
    /// last one possibly split). Empty when nothing is readable.
    pub fn read(&mut self, max: usize) -> Vec<Bytes> {
        let mut left = max.min(self.readable_len);
        self.readable_len -= left;
        let mut out = Vec::new();
        while left > 0 {
            let front = self.readable.front_mut().expect("readable_len counts");
            if front.len() <= left {
                left -= front.len();
                out.extend(self.readable.pop_front());
            } else {
                out.push(front.split_to(left));
                left = 0;
            }
        }
        out
    }

    /// Advances RCV.NXT by one for a FIN (the connection calls this when the
    /// FIN is in order, RFC 9293 §3.10.7.4 "eighth, check the FIN bit").
    pub fn advance_for_fin(&mut self) {
        self.nxt += 1;
    }

    /// SACK blocks to send (RFC 2018 §4): at most `max` `(left edge, right
    /// edge)` pairs describing the out-of-order data held. The first block
    /// contains the most recently received out-of-order segment; the others
    /// follow in order of how recently a segment last landed in them. Adjacent
    /// or overlapping data forms one block; nothing at or below RCV.NXT is
    /// ever reported.
    pub fn sack_blocks(&self, max: usize) -> Vec<(TcpSeq, TcpSeq)> {
        let mut blocks: Vec<(u64, u64, u64)> = self
            .blocks
            .iter()
            .map(|(&start, b)| (b.stamp, start, b.end))
            .collect();
        blocks.sort_unstable_by_key(|&(stamp, _, _)| std::cmp::Reverse(stamp));
        blocks
            .into_iter()
            .take(max)
            .map(|(_, start, end)| (self.seq_at(start), self.seq_at(end)))
            .collect()
    }

    /// Whether out-of-order data is held (a hole exists): the connection
    /// sends an immediate ACK then (RFC 5681 §4.2, RFC 9293 §3.10.7.4).
    pub fn has_gap(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// The sequence number of stream offset `offset` (modulo 2^32).
    fn seq_at(&self, offset: u64) -> TcpSeq {
        TcpSeq(self.origin.0.wrapping_add(offset as u32))
    }

    /// Appends in-order bytes: RCV.NXT advances over them.
    fn deliver(&mut self, data: Bytes) {
        self.nxt += data.len() as u64;
        self.readable_len += data.len();
        self.readable.push_back(data);
    }

    /// Stores the parts of `data` (starting at stream offset `start`) that no
    /// held block covers; returns how many bytes that was.
    fn fill_gaps(&mut self, start: u64, data: Bytes) -> usize {
        let end = start + data.len() as u64;
        let mut cur = start;
        if let Some((_, before)) = self.blocks.range(..=start).next_back() {
            cur = cur.max(before.end);
        }
        let mut new = 0;
        while cur < end {
            let next = self.blocks.range(cur..end).next().map(|(&s, b)| (s, b.end));
            let gap_end = next.map_or(end, |(s, _)| s);
            if gap_end > cur {
                let piece = data.slice((cur - start) as usize..(gap_end - start) as usize);
                new += piece.len();
                self.ooo.insert(cur, piece);
            }
            match next {
                Some((_, block_end)) => cur = block_end,
                None => break,
            }
        }
        self.ooo_len += new;
        new
    }

    /// Merges `[start, end)` with every block it overlaps or touches into one
    /// block, stamped as the most recent.
    fn merge_block(&mut self, start: u64, end: u64) {
        let (mut lo, mut hi) = (start, end);
        if let Some((&s, before)) = self.blocks.range(..=start).next_back()
            && before.end >= start
        {
            lo = s;
        }
        while let Some((&s, &b)) = self.blocks.range(lo..=hi).next() {
            self.blocks.remove(&s);
            hi = hi.max(b.end);
        }
        self.stamp += 1;
        self.blocks.insert(
            lo,
            Block {
                end: hi,
                stamp: self.stamp,
            },
        );
    }

    /// Delivers the first block if it now starts at RCV.NXT.
    fn pull_in_order(&mut self) {
        let Some(first) = self.blocks.first_entry() else {
            return;
        };
        if *first.key() != self.nxt {
            return;
        }
        let block = first.remove();
        while let Some(chunk) = self.ooo.first_entry()
            && *chunk.key() < block.end
        {
            let chunk = chunk.remove();
            self.ooo_len -= chunk.len();
            self.deliver(chunk);
        }
        debug_assert_eq!(self.nxt, block.end, "a block is contiguous data");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The test stream: byte `i` is `i * 7 mod 251`, so misplaced bytes show.
    fn stream(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// Offers bytes `[from, to)` of the test stream, at `base + from`.
    fn offer(buf: &mut RecvBuffer, base: u32, from: usize, to: usize) -> Accepted {
        let data = Bytes::from(stream(to)[from..].to_vec());
        buf.insert(TcpSeq(base) + from, data)
    }

    fn read_all(buf: &mut RecvBuffer) -> Vec<u8> {
        buf.read(usize::MAX).concat()
    }

    fn accepted(in_order: usize, out_of_order: bool, duplicate: bool) -> Accepted {
        Accepted {
            in_order,
            out_of_order,
            duplicate,
        }
    }

    /// `(left, right)` SACK blocks as offsets from `base`.
    fn sacks(buf: &RecvBuffer, base: u32, max: usize) -> Vec<(i32, i32)> {
        let base = TcpSeq(base);
        buf.sack_blocks(max)
            .into_iter()
            .map(|(l, r)| (l - base, r - base))
            .collect()
    }

    /// 0xffff_ff00: 256 bytes before the sequence space wraps.
    const NEAR_WRAP: u32 = 0xffff_ff00;

    #[test]
    fn in_order_data_advances_rcv_nxt() {
        for base in [1000, NEAR_WRAP] {
            let mut buf = RecvBuffer::new(TcpSeq(base), 4096);
            assert_eq!(offer(&mut buf, base, 0, 200), accepted(200, false, false));
            assert_eq!(offer(&mut buf, base, 200, 500), accepted(300, false, false));
            assert_eq!(buf.rcv_nxt(), TcpSeq(base) + 500);
            assert_eq!((buf.readable(), buf.window()), (500, 3596));
            assert!(!buf.has_gap());
            assert_eq!(read_all(&mut buf), stream(500));
        }
        // The wrap happened: 0xffff_ff00 + 500 = 2^32 + 244.
        let mut buf = RecvBuffer::new(TcpSeq(NEAR_WRAP), 4096);
        offer(&mut buf, NEAR_WRAP, 0, 500);
        assert_eq!(buf.rcv_nxt(), TcpSeq(244));
    }

    #[test]
    fn filling_the_hole_delivers_everything_queued() {
        for base in [1000, NEAR_WRAP] {
            let mut buf = RecvBuffer::new(TcpSeq(base), 4096);
            assert_eq!(offer(&mut buf, base, 100, 200), accepted(0, true, false));
            assert_eq!(offer(&mut buf, base, 300, 400), accepted(0, true, false));
            assert_eq!(offer(&mut buf, base, 200, 300), accepted(0, true, false));
            assert!(buf.has_gap());
            assert_eq!(buf.out_of_order_bytes(), 300);
            assert_eq!(buf.readable(), 0);
            assert_eq!(buf.rcv_nxt(), TcpSeq(base));
            assert_eq!(offer(&mut buf, base, 0, 100), accepted(400, false, false));
            assert_eq!(buf.rcv_nxt(), TcpSeq(base) + 400);
            assert!(!buf.has_gap());
            assert!(buf.sack_blocks(4).is_empty());
            assert_eq!(buf.out_of_order_bytes(), 0);
            assert_eq!(read_all(&mut buf), stream(400));
        }
    }

    #[test]
    fn duplicates_are_reported_and_change_nothing() {
        let mut buf = RecvBuffer::new(TcpSeq(NEAR_WRAP), 4096);
        offer(&mut buf, NEAR_WRAP, 0, 300);
        offer(&mut buf, NEAR_WRAP, 400, 500);
        // Already delivered, and already queued out of order.
        assert_eq!(offer(&mut buf, NEAR_WRAP, 0, 300), accepted(0, false, true));
        assert_eq!(
            offer(&mut buf, NEAR_WRAP, 100, 200),
            accepted(0, false, true)
        );
        assert_eq!(
            offer(&mut buf, NEAR_WRAP, 420, 480),
            accepted(0, false, true)
        );
        assert_eq!((buf.readable(), buf.out_of_order_bytes()), (300, 100));
        // An empty segment (a pure ACK) is not a duplicate.
        let empty = buf.insert(TcpSeq(NEAR_WRAP), Bytes::new());
        assert_eq!(empty, accepted(0, false, false));
    }

    #[test]
    fn partial_overlaps_keep_the_first_copy() {
        let base = NEAR_WRAP;
        let mut buf = RecvBuffer::new(TcpSeq(base), 4096);
        offer(&mut buf, base, 0, 100);
        offer(&mut buf, base, 200, 300);
        offer(&mut buf, base, 400, 500);
        // Bytes [150, 450) as 0xAA: only [150, 200) and [300, 400) are new.
        let junk = Bytes::from(vec![0xaa; 300]);
        assert_eq!(
            buf.insert(TcpSeq(base) + 150, junk),
            accepted(0, true, false)
        );
        assert_eq!(buf.out_of_order_bytes(), 350);
        assert_eq!(sacks(&buf, base, 4), [(150, 500)]);
        // Starts below RCV.NXT and fills the hole: [50, 100) is trimmed as
        // delivered, [150, 160) as held; only [100, 150) is new.
        assert_eq!(offer(&mut buf, base, 50, 160), accepted(400, false, false));
        let mut expected = stream(500);
        expected[150..200].fill(0xaa);
        expected[300..400].fill(0xaa);
        assert_eq!(read_all(&mut buf), expected);
    }

    #[test]
    fn data_beyond_the_window_is_trimmed() {
        let base = NEAR_WRAP;
        let mut buf = RecvBuffer::new(TcpSeq(base), 1000);
        assert_eq!(offer(&mut buf, base, 900, 1100), accepted(0, true, false));
        assert_eq!(buf.out_of_order_bytes(), 100);
        assert_eq!(sacks(&buf, base, 4), [(900, 1000)]);
        assert_eq!(offer(&mut buf, base, 0, 950), accepted(1000, false, false));
        assert_eq!(buf.window(), 0);
        // Entirely outside the (now zero) window.
        assert_eq!(offer(&mut buf, base, 1000, 1100), accepted(0, false, true));
        assert_eq!(read_all(&mut buf), stream(1000));
        assert_eq!(buf.window(), 1000);
        assert_eq!(
            offer(&mut buf, base, 1000, 1100),
            accepted(100, false, false)
        );
    }

    #[test]
    fn window_shrinks_as_data_is_held_and_grows_when_read() {
        let base = 1;
        let mut buf = RecvBuffer::new(TcpSeq(base), 1000);
        assert_eq!(buf.window(), 1000);
        offer(&mut buf, base, 0, 300);
        assert_eq!(buf.window(), 700);
        // Out-of-order bytes lie inside the advertised window: the right edge
        // (RCV.NXT + window = 1000) does not move.
        offer(&mut buf, base, 500, 700);
        assert_eq!(buf.window(), 700);
        // ... and the whole window can still be filled.
        assert_eq!(
            offer(&mut buf, base, 300, 1000),
            accepted(700, false, false)
        );
        assert_eq!(buf.window(), 0);
        let first = buf.read(250);
        assert_eq!(first.concat(), stream(250));
        assert_eq!((buf.readable(), buf.window()), (750, 250));
        assert_eq!(buf.read(100).concat(), &stream(350)[250..]);
        assert_eq!(buf.window(), 350);
        assert_eq!(read_all(&mut buf), &stream(1000)[350..]);
        assert_eq!(buf.read(10), Vec::<Bytes>::new());
    }

    #[test]
    fn fin_advances_rcv_nxt_by_one() {
        let mut buf = RecvBuffer::new(TcpSeq(u32::MAX), 100);
        offer(&mut buf, u32::MAX, 0, 10);
        buf.advance_for_fin();
        assert_eq!(buf.rcv_nxt(), TcpSeq(10));
        assert_eq!(buf.window(), 90);
        // A retransmitted FIN segment's data is now a duplicate.
        assert_eq!(offer(&mut buf, u32::MAX, 0, 10), accepted(0, false, true));
    }

    /// RFC 2018 §4, case 3: the left window edge is 5000 and eight 500-byte
    /// segments are sent; the 2nd, 4th, 6th and 8th are dropped. Each step is
    /// (segment received, ACK, SACK blocks) exactly as the RFC's table.
    fn rfc2018_case_3(base: u32) {
        // Offsets from the left window edge 5000.
        let mut buf = RecvBuffer::new(TcpSeq(base), 65535);
        let mut step = |from: usize, ack: usize, blocks: &[(i32, i32)]| {
            offer(&mut buf, base, from, from + 500);
            assert_eq!(buf.rcv_nxt(), TcpSeq(base) + ack, "ACK after {from}");
            assert_eq!(sacks(&buf, base, 3), blocks, "SACK after {from}");
        };
        step(0, 500, &[]); // 5000: ACK 5500
        step(1000, 500, &[(1000, 1500)]); // 6000: 6000-6500
        step(2000, 500, &[(2000, 2500), (1000, 1500)]); // 7000
        // 8000: 8000-8500, 7000-7500, 6000-6500.
        step(3000, 500, &[(3000, 3500), (2000, 2500), (1000, 1500)]);
        // The 4th segment (6500) arrives: 6000-7500 first, then 8000-8500.
        step(1500, 500, &[(1000, 2500), (3000, 3500)]);
        // The 2nd segment (5500) arrives: ACK 7500, SACK 8000-8500.
        step(500, 2500, &[(3000, 3500)]);
    }

    #[test]
    fn sack_blocks_follow_rfc_2018_case_3() {
        rfc2018_case_3(5000);
        rfc2018_case_3(NEAR_WRAP);
    }

    #[test]
    fn sack_blocks_are_ordered_by_recency_and_merge() {
        let base = NEAR_WRAP;
        let mut buf = RecvBuffer::new(TcpSeq(base), 65535);
        for from in [100, 300, 500, 700] {
            offer(&mut buf, base, from, from + 100);
        }
        let all = [(700, 800), (500, 600), (300, 400), (100, 200)];
        assert_eq!(sacks(&buf, base, 4), all);
        assert_eq!(sacks(&buf, base, 2), all[..2]);
        // A duplicate of held data makes its block the most recent.
        offer(&mut buf, base, 300, 350);
        assert_eq!(sacks(&buf, base, 2), [(300, 400), (700, 800)]);
        // Filling [200, 300) merges the first two blocks into one.
        offer(&mut buf, base, 200, 300);
        assert_eq!(sacks(&buf, base, 4), [(100, 400), (700, 800), (500, 600)]);
        // Adjacent data extends a block; bridging the gap merges two.
        offer(&mut buf, base, 600, 650);
        assert_eq!(sacks(&buf, base, 4), [(500, 650), (100, 400), (700, 800)]);
        offer(&mut buf, base, 640, 710);
        assert_eq!(sacks(&buf, base, 4), [(500, 800), (100, 400)]);
        // A segment spanning holes and blocks: one block.
        offer(&mut buf, base, 50, 900);
        assert_eq!(sacks(&buf, base, 4), [(50, 900)]);
        assert_eq!(buf.out_of_order_bytes(), 850);
        // Filling the hole reports no block at or below RCV.NXT.
        assert_eq!(offer(&mut buf, base, 0, 60), accepted(900, false, false));
        assert!(buf.sack_blocks(4).is_empty());
        assert_eq!(read_all(&mut buf), stream(900));
    }

    /// The segments of a 20 000-byte stream: a covering split with the given
    /// lengths, plus arbitrary overlapping ranges, plus repeats.
    fn segments() -> impl Strategy<Value = Vec<(usize, usize)>> {
        (
            prop::collection::vec(1usize..1500, 1..40),
            prop::collection::vec((0usize..20_000, 1usize..3000), 0..20),
            prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        )
            .prop_map(|(lengths, extra, repeats)| {
                let mut segs = Vec::new();
                let mut at = 0;
                for len in lengths.iter().cycle() {
                    if at == 20_000 {
                        break;
                    }
                    segs.push((at, (at + len).min(20_000)));
                    at = (at + len).min(20_000);
                }
                let repeated: Vec<_> = repeats.iter().map(|i| *i.get(&segs)).collect();
                segs.extend(repeated);
                segs.extend(extra.iter().map(|&(s, l)| (s, (s + l).min(20_000))));
                segs
            })
            .prop_shuffle()
    }

    proptest! {
        #[test]
        fn any_arrival_order_yields_the_original_stream(
            segs in segments(),
            base in prop_oneof![Just(NEAR_WRAP), (u32::MAX - 25_000)..=u32::MAX, any::<u32>()],
        ) {
            let mut buf = RecvBuffer::new(TcpSeq(base), 20_000);
            let mut delivered = 0;
            for &(from, to) in &segs {
                let got = offer(&mut buf, base, from, to);
                delivered += got.in_order;
                prop_assert_eq!(buf.readable(), delivered);
                prop_assert_eq!(buf.window(), 20_000 - delivered);
                prop_assert_eq!(buf.has_gap(), buf.out_of_order_bytes() > 0);
                for (l, r) in buf.sack_blocks(4) {
                    prop_assert!(l.gt(buf.rcv_nxt()) && r.gt(l));
                }
            }
            prop_assert_eq!(delivered, 20_000);
            prop_assert_eq!(buf.rcv_nxt(), TcpSeq(base) + 20_000);
            prop_assert!(!buf.has_gap());
            prop_assert_eq!(read_all(&mut buf), stream(20_000));
        }
    }
}
