//! TCP bulk transfer: a sender that writes a deterministic byte pattern, a
//! sink that reads and checks every byte, and an echo server.
//!
//! Byte `i` of every stream is [`pattern`]`(i)`, so the receiver can verify
//! the delivered stream byte for byte without keeping a copy of what was sent;
//! a mismatch is counted and printed once per connection.

use bytes::Bytes;
use sim_core::{DataRate, SimDuration, SimTime};

use super::{App, AppIo, AppStats};
use crate::packet::Ipv4Packet;
use crate::tcp::{AppSignal, Endpoint, SocketId, TcpConfig};

/// Byte `i` of every bulk stream: a period-251 ramp, so a lost, duplicated or
/// reordered byte shows as a mismatch.
pub fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

/// How much a write call hands TCP at most.
pub const CHUNK: usize = 64 * 1024;

/// The pattern's period.
const PERIOD: usize = 251;

/// The pattern, long enough to slice any chunk from: one shared buffer, so
/// writing and checking the stream costs no per-byte arithmetic.
static PATTERN: std::sync::LazyLock<Bytes> = std::sync::LazyLock::new(|| {
    (0..(CHUNK + PERIOD) as u64)
        .map(pattern)
        .collect::<Vec<u8>>()
        .into()
});

/// `len` pattern bytes starting at stream offset `from` (zero-copy up to [`CHUNK`]).
pub fn pattern_bytes(from: u64, len: usize) -> Bytes {
    let start = (from % PERIOD as u64) as usize;
    if len <= CHUNK {
        PATTERN.slice(start..start + len)
    } else {
        (0..len as u64)
            .map(|k| pattern(from + k))
            .collect::<Vec<u8>>()
            .into()
    }
}

/// How many bytes of `data`, which should be the stream from offset `from`,
/// differ from the pattern.
pub fn mismatches(from: u64, data: &[u8]) -> usize {
    let mut bad = 0;
    let mut at = from;
    for chunk in data.chunks(CHUNK) {
        let expected = pattern_bytes(at, chunk.len());
        if expected[..] != chunk[..] {
            bad += chunk
                .iter()
                .zip(expected.iter())
                .filter(|(a, b)| a != b)
                .count();
        }
        at += chunk.len() as u64;
    }
    bad
}

/// Bulk sender settings.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkConfig {
    /// The sink.
    pub to: Endpoint,
    /// Bytes to send; `None`: until the run ends.
    pub bytes: Option<u64>,
    /// When to connect.
    pub start: SimTime,
    /// Local port (for a simultaneous open); `None`: ephemeral.
    pub local_port: Option<u16>,
    /// Close after the last byte.
    pub close: bool,
    /// TCP settings.
    pub tcp: TcpConfig,
}

/// What a bulk sender did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkStats {
    /// Bytes handed to TCP.
    pub bytes_written: u64,
    /// When the handshake completed.
    pub connected_at: Option<SimTime>,
    /// When the connection ended.
    pub closed_at: Option<SimTime>,
    /// Whether it ended by reset or timeout.
    pub error: bool,
    /// Whether the connection could not even start (no route).
    pub no_route: bool,
    /// Bytes that came back (from an echo server).
    pub bytes_received: u64,
    /// Returned bytes that did not match the pattern.
    pub mismatched: u64,
}

/// A TCP bulk sender.
pub struct BulkSend {
    cfg: BulkConfig,
    sock: Option<SocketId>,
    started: bool,
    closing: bool,
    stats: BulkStats,
}

impl BulkSend {
    /// A sender that connects at `cfg.start`.
    pub fn new(cfg: BulkConfig) -> BulkSend {
        BulkSend {
            cfg,
            sock: None,
            started: false,
            closing: false,
            stats: BulkStats::default(),
        }
    }

    fn fill(&mut self, io: &mut AppIo<'_>) {
        let (Some(sock), Some(tcp)) = (self.sock, io.tcp.as_mut()) else {
            return;
        };
        loop {
            let remaining = self
                .cfg
                .bytes
                .map_or(u64::MAX, |b| b - self.stats.bytes_written);
            // Never build more than TCP can take now.
            let room = tcp.tcb(sock).map_or(0, |t| t.send_capacity()) as u64;
            if remaining == 0 || room == 0 {
                break;
            }
            let len = remaining.min(CHUNK as u64).min(room) as usize;
            let taken = tcp.write(sock, pattern_bytes(self.stats.bytes_written, len));
            self.stats.bytes_written += taken as u64;
            if taken < len {
                break;
            }
        }
        if self.cfg.close && !self.closing && self.cfg.bytes == Some(self.stats.bytes_written) {
            self.closing = true;
            tcp.close(sock);
        }
    }
}

impl App for BulkSend {
    fn name(&self) -> &'static str {
        "bulk"
    }

    fn poll_at(&self) -> Option<SimTime> {
        (!self.started).then_some(self.cfg.start)
    }

    fn on_timer(&mut self, _now: SimTime, io: &mut AppIo<'_>) {
        if self.started {
            return;
        }
        self.started = true;
        let Some(tcp) = io.tcp.as_mut() else { return };
        let sock = match self.cfg.local_port {
            Some(p) => tcp.connect_from(p, self.cfg.to, self.cfg.tcp.clone()),
            None => tcp.connect(self.cfg.to, self.cfg.tcp.clone()),
        };
        match sock {
            Some(s) => self.sock = Some(s),
            None => {
                self.stats.no_route = true;
                io.lines
                    .push(format!("connect to {}: no route", self.cfg.to));
            }
        }
    }

    fn on_packet(&mut self, _: SimTime, _: &Ipv4Packet, _: &mut AppIo<'_>) -> bool {
        false
    }

    fn on_tcp(&mut self, now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        if Some(sock) != self.sock {
            return;
        }
        match signal {
            AppSignal::Connected => {
                self.stats.connected_at = Some(now);
                io.lines.push(format!("connected to {}", self.cfg.to));
                self.fill(io);
            }
            AppSignal::Writable => self.fill(io),
            AppSignal::Readable => {
                // Whatever comes back (an echo server's reply) is checked too.
                let Some(tcp) = io.tcp.as_mut() else { return };
                for chunk in tcp.read(sock, usize::MAX) {
                    let at = self.stats.bytes_received;
                    let bad = mismatches(at, &chunk);
                    if bad > 0 && self.stats.mismatched == 0 {
                        io.lines
                            .push(format!("DATA MISMATCH in the echoed stream at offset {at}"));
                    }
                    self.stats.mismatched += bad as u64;
                    self.stats.bytes_received += chunk.len() as u64;
                }
            }
            // A half-close by the peer: we go on sending until done (RFC 9293 CLOSE-WAIT).
            AppSignal::PeerClosed => {}
            AppSignal::Closed { error } => {
                self.stats.closed_at = Some(now);
                self.stats.error = error;
                self.sock = None;
                io.lines.push(if error {
                    format!(
                        "connection to {} failed after {} bytes",
                        self.cfg.to, self.stats.bytes_written
                    )
                } else {
                    format!(
                        "sent {} bytes to {}, connection closed",
                        self.stats.bytes_written, self.cfg.to
                    )
                });
            }
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::Bulk(self.stats.clone())
    }
}

/// Sink settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkConfig {
    /// Port to listen on.
    pub port: u16,
    /// Listen backlog (half-open connections).
    pub backlog: usize,
    /// Answer SYNs at a full queue with SYN cookies.
    pub syn_cookies: bool,
    /// Read at most this rate (a slow reader); `None`: read everything at once.
    pub read_rate: Option<DataRate>,
    /// Send the data back (an echo server) instead of discarding it.
    pub echo: bool,
    /// TCP settings.
    pub tcp: TcpConfig,
}

/// What a sink received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Connections accepted.
    pub connections: u32,
    /// Bytes read, all connections.
    pub bytes: u64,
    /// Bytes that did not match the sender's pattern.
    pub mismatched: u64,
    /// When the first byte was read.
    pub first_byte_at: Option<SimTime>,
    /// When the last byte was read.
    pub last_byte_at: Option<SimTime>,
    /// Connections that ended cleanly (FIN both ways).
    pub closed_cleanly: u32,
}

struct SinkConn {
    sock: SocketId,
    offset: u64,
    mismatch_reported: bool,
    peer_closed: bool,
}

/// A TCP sink (or echo server): accepts connections and reads them.
pub struct Sink {
    cfg: SinkConfig,
    listening: bool,
    conns: Vec<SinkConn>,
    next_read: Option<SimTime>,
    stats: SinkStats,
}

/// How often a slow reader reads.
const SLOW_READ_INTERVAL: SimDuration = SimDuration::from_millis(100);

impl Sink {
    /// A sink that listens from time zero.
    pub fn new(cfg: SinkConfig) -> Sink {
        Sink {
            cfg,
            listening: false,
            conns: Vec::new(),
            next_read: None,
            stats: SinkStats::default(),
        }
    }

    fn read(&mut self, now: SimTime, k: usize, max: usize, io: &mut AppIo<'_>) {
        let Some(tcp) = io.tcp.as_mut() else { return };
        let c = &mut self.conns[k];
        for chunk in tcp.read(c.sock, max) {
            let bad = mismatches(c.offset, &chunk);
            if bad > 0 {
                self.stats.mismatched += bad as u64;
                if !c.mismatch_reported {
                    c.mismatch_reported = true;
                    io.lines.push(format!("DATA MISMATCH: {bad} bytes differ from the sender's pattern at stream offset {}", c.offset));
                }
            }
            c.offset += chunk.len() as u64;
            self.stats.bytes += chunk.len() as u64;
            self.stats.first_byte_at.get_or_insert(now);
            self.stats.last_byte_at = Some(now);
            if self.cfg.echo {
                let _ = tcp.write(c.sock, chunk);
            }
        }
        if c.peer_closed && tcp.tcb(c.sock).is_some_and(|t| t.readable() == 0) {
            tcp.close(c.sock);
        }
    }
}

impl App for Sink {
    fn name(&self) -> &'static str {
        if self.cfg.echo { "echo" } else { "sink" }
    }

    fn poll_at(&self) -> Option<SimTime> {
        if !self.listening {
            return Some(SimTime::ZERO);
        }
        self.next_read
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if !self.listening {
            self.listening = true;
            if let Some(tcp) = io.tcp.as_mut() {
                tcp.listen(
                    self.cfg.port,
                    self.cfg.backlog,
                    self.cfg.syn_cookies,
                    self.cfg.tcp.clone(),
                );
            }
            return;
        }
        // A slow reader: read one interval's worth from each connection.
        if let Some(rate) = self.cfg.read_rate {
            let budget = (rate.bps() / 8 * SLOW_READ_INTERVAL.as_nanos() / 1_000_000_000) as usize;
            for k in 0..self.conns.len() {
                self.read(now, k, budget.max(1), io);
            }
            self.next_read = (!self.conns.is_empty()).then_some(now + SLOW_READ_INTERVAL);
        }
    }

    fn on_packet(&mut self, _: SimTime, _: &Ipv4Packet, _: &mut AppIo<'_>) -> bool {
        false
    }

    fn on_tcp(&mut self, now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        let k = match self.conns.iter().position(|c| c.sock == sock) {
            Some(k) => k,
            None if signal == AppSignal::Connected => {
                self.stats.connections += 1;
                self.conns.push(SinkConn {
                    sock,
                    offset: 0,
                    mismatch_reported: false,
                    peer_closed: false,
                });
                if self.cfg.read_rate.is_some() && self.next_read.is_none() {
                    self.next_read = Some(now + SLOW_READ_INTERVAL);
                }
                return;
            }
            None => return,
        };
        match signal {
            AppSignal::Readable if self.cfg.read_rate.is_none() => {
                self.read(now, k, usize::MAX, io)
            }
            AppSignal::PeerClosed => {
                self.conns[k].peer_closed = true;
                let max = if self.cfg.read_rate.is_none() {
                    usize::MAX
                } else {
                    0
                };
                self.read(now, k, max, io);
            }
            AppSignal::Closed { error } => {
                if !error {
                    self.stats.closed_cleanly += 1;
                }
                let c = self.conns.remove(k);
                io.lines.push(format!(
                    "connection closed after {} bytes{}",
                    c.offset,
                    if error { " (reset)" } else { "" }
                ));
            }
            _ => {}
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::Sink(self.stats.clone())
    }
}
