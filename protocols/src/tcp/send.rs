//! The send buffer: bytes the application wrote that the peer has not yet
//! acknowledged (RFC 9293 §3.3.1: everything from SND.UNA on, sent or not).
//!
//! The buffer works in offsets, the connection in sequence numbers: offset 0
//! is SND.UNA, so the data of a segment starting at `seq` is
//! `slice(seq - snd_una, len)`. It is a queue of the chunks the application
//! wrote ([`Bytes`], reference-counted), so writing, slicing inside one chunk
//! and acknowledging never copy payload bytes; only a segment that straddles
//! two writes is copied into one buffer.
//!
//! Each chunk remembers its stream offset (bytes acknowledged before it), so
//! [`SendBuffer::slice`] finds its first chunk by binary search: O(log chunks)
//! however large the window, and [`SendBuffer::consume`] is O(chunks dropped).

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};

/// Unacknowledged and unsent bytes, from SND.UNA on.
#[derive(Clone, Debug, Default)]
pub struct SendBuffer {
    /// Non-empty chunks in stream order, each with the stream offset of its
    /// first byte. The first chunk starts exactly at `acked` (a partially
    /// acknowledged chunk is trimmed in place).
    chunks: VecDeque<(u64, Bytes)>,
    /// Stream offset of SND.UNA: bytes acknowledged since the buffer was made.
    acked: u64,
    /// Bytes held.
    len: usize,
    capacity: usize,
}

impl SendBuffer {
    /// An empty buffer that holds at most `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        SendBuffer {
            chunks: VecDeque::new(),
            acked: 0,
            len: 0,
            capacity,
        }
    }

    /// The most bytes the buffer holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes the capacity. Shrinking below [`len`](Self::len) drops
    /// nothing: [`free`](Self::free) is zero until acknowledgments make room.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
    }

    /// Bytes held: sent but unacknowledged, plus not yet sent.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no byte is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room left for [`write`](Self::write): capacity minus bytes held (zero
    /// if the capacity was shrunk below what is held).
    pub fn free(&self) -> usize {
        self.capacity.saturating_sub(self.len)
    }

    /// Appends as much of `data` as fits; returns how many bytes were taken
    /// (the first that many of `data`). Never copies.
    pub fn write(&mut self, mut data: Bytes) -> usize {
        let taken = data.len().min(self.free());
        if taken == 0 {
            return 0;
        }
        data.truncate(taken);
        self.chunks.push_back((self.acked + self.len as u64, data));
        self.len += taken;
        taken
    }

    /// The `len` bytes starting `offset` bytes after SND.UNA. Zero-copy when
    /// the range lies in one written chunk; otherwise the pieces are copied
    /// into one new buffer.
    ///
    /// # Panics
    /// If `offset + len` is beyond [`len`](Self::len): the connection never
    /// sends bytes it does not hold.
    pub fn slice(&self, offset: usize, len: usize) -> Bytes {
        assert!(
            offset.checked_add(len).is_some_and(|end| end <= self.len),
            "SendBuffer::slice({offset}, {len}) beyond the {} bytes held",
            self.len
        );
        if len == 0 {
            return Bytes::new();
        }
        let start = self.acked + offset as u64;
        // The last chunk starting at or before `start` holds its first byte.
        let mut index = self.chunks.partition_point(|(at, _)| *at <= start) - 1;
        let (at, chunk) = &self.chunks[index];
        let skip = (start - at) as usize;
        if skip + len <= chunk.len() {
            return chunk.slice(skip..skip + len);
        }
        let mut out = BytesMut::with_capacity(len);
        out.extend_from_slice(&chunk[skip..]);
        while out.len() < len {
            index += 1;
            let chunk = &self.chunks[index].1;
            let want = (len - out.len()).min(chunk.len());
            out.extend_from_slice(&chunk[..want]);
        }
        out.freeze()
    }

    /// The first `n` bytes were acknowledged: drops them (SND.UNA advances by
    /// `n`). O(chunks dropped).
    ///
    /// # Panics
    /// If `n` is more than [`len`](Self::len): the connection only accepts
    /// acknowledgments of data it sent (RFC 9293 §3.10.7.4).
    pub fn consume(&mut self, n: usize) {
        assert!(
            n <= self.len,
            "SendBuffer::consume({n}) beyond the {} bytes held",
            self.len
        );
        let mut left = n;
        while left > 0 {
            let front = &mut self.chunks[0].1;
            if front.len() <= left {
                left -= front.len();
                self.chunks.pop_front();
            } else {
                front.advance(left);
                self.chunks[0].0 += left as u64;
                left = 0;
            }
        }
        self.acked += n as u64;
        self.len -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` bytes counting up from `first` (mod 256), so slices are recognisable.
    fn counting(first: u8, n: usize) -> Bytes {
        (0..n).map(|i| first.wrapping_add(i as u8)).collect()
    }

    #[test]
    fn write_beyond_capacity_is_partial() {
        let mut buf = SendBuffer::new(10);
        assert_eq!(buf.write(counting(0, 6)), 6);
        assert_eq!(buf.free(), 4);
        assert_eq!(buf.write(counting(6, 6)), 4);
        assert_eq!((buf.len(), buf.free()), (10, 0));
        assert_eq!(buf.write(counting(0, 1)), 0);
        assert_eq!(buf.slice(0, 10), counting(0, 10));
    }

    #[test]
    fn empty_buffer_and_empty_writes() {
        let mut buf = SendBuffer::new(10);
        assert!(buf.is_empty());
        assert_eq!(buf.write(Bytes::new()), 0);
        assert!(buf.is_empty());
        assert_eq!(buf.slice(0, 0), Bytes::new());
        buf.consume(0);
        assert_eq!(buf.capacity(), 10);
    }

    #[test]
    fn slice_across_chunk_boundaries() {
        let mut buf = SendBuffer::new(100);
        buf.write(counting(0, 3));
        buf.write(counting(3, 4));
        buf.write(counting(7, 5));
        // Spans all three chunks.
        assert_eq!(buf.slice(1, 10), counting(1, 10));
        // Exactly the second chunk, then a range ending on a boundary.
        assert_eq!(buf.slice(3, 4), counting(3, 4));
        assert_eq!(buf.slice(2, 5), counting(2, 5));
        assert_eq!(buf.slice(0, 12), counting(0, 12));
    }

    #[test]
    fn consume_partial_chunks_then_slice() {
        let mut buf = SendBuffer::new(100);
        buf.write(counting(0, 5));
        buf.write(counting(5, 5));
        buf.consume(2);
        assert_eq!(buf.len(), 8);
        assert_eq!(buf.slice(0, 3), counting(2, 3));
        assert_eq!(buf.slice(0, 8), counting(2, 8));
        // Drops the rest of the first chunk and part of the second.
        buf.consume(4);
        assert_eq!(buf.len(), 4);
        assert_eq!(buf.slice(0, 4), counting(6, 4));
        assert_eq!(buf.slice(3, 1), counting(9, 1));
        buf.write(counting(10, 3));
        assert_eq!(buf.slice(2, 5), counting(8, 5));
        buf.consume(7);
        assert!(buf.is_empty());
        assert_eq!(buf.free(), 100);
    }

    #[test]
    fn slice_within_a_chunk_is_zero_copy() {
        let mut buf = SendBuffer::new(100);
        let first = counting(0, 20);
        let second = counting(20, 20);
        buf.write(first.clone());
        buf.write(second.clone());
        assert_eq!(buf.slice(0, 20).as_ptr(), first.as_ptr());
        assert_eq!(buf.slice(25, 10).as_ptr(), second[5..].as_ptr());
        buf.consume(23);
        assert_eq!(buf.slice(0, 5).as_ptr(), second[3..].as_ptr());
    }

    #[test]
    fn shrinking_the_capacity_keeps_the_data() {
        let mut buf = SendBuffer::new(10);
        buf.write(counting(0, 8));
        buf.set_capacity(4);
        assert_eq!((buf.len(), buf.free(), buf.capacity()), (8, 0, 4));
        assert_eq!(buf.write(counting(0, 1)), 0);
        buf.consume(6);
        assert_eq!(buf.free(), 2);
        assert_eq!(buf.slice(0, 2), counting(6, 2));
    }

    #[test]
    fn streams_many_segments_through_the_buffer() {
        // The connection's pattern: write MSS-sized and odd-sized chunks, send
        // segments from the middle, acknowledge from the front.
        let mut buf = SendBuffer::new(64 * 1024);
        let mut written = 0usize;
        let mut sent = 0usize;
        let mut acked = 0usize;
        while acked < 1_000_000 {
            while buf.free() > 0 {
                written += buf.write(counting(written as u8, 1000 + written % 777));
            }
            while sent + 1448 <= written {
                let seg = buf.slice(sent - acked, 1448);
                assert_eq!(seg, counting(sent as u8, 1448));
                sent += 1448;
            }
            let ack = (sent - acked) / 2 + 1;
            buf.consume(ack);
            acked += ack;
            assert_eq!(buf.len(), written - acked);
        }
    }

    #[test]
    #[should_panic(expected = "beyond the 5 bytes held")]
    fn slice_beyond_the_data_panics() {
        let mut buf = SendBuffer::new(10);
        buf.write(counting(0, 5));
        buf.slice(3, 3);
    }

    #[test]
    #[should_panic(expected = "beyond the 5 bytes held")]
    fn consume_beyond_the_data_panics() {
        let mut buf = SendBuffer::new(10);
        buf.write(counting(0, 5));
        buf.consume(6);
    }
}
